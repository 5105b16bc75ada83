/* SPDX-License-Identifier: MIT */
/* The reduction rows of group 1 (index % LU_K_RGROUPS == 1): the groups
** are separate files so that their instantiations compile in parallel. */
#define LU_K_RGROUP 1
#include "reduce_rows.cuh"
