/* SPDX-License-Identifier: MIT */
/* The reduction rows of group 2 (index % LU_K_RGROUPS == 2): the groups
** are separate files so that their instantiations compile in parallel. */
#define LU_K_RGROUP 2
#include "reduce_rows.cuh"
