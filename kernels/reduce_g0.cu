/* SPDX-License-Identifier: MIT */
/* The reduction rows of group 0 (index % LU_K_RGROUPS == 0): the groups
** are separate files so that their instantiations compile in parallel. */
#define LU_K_RGROUP 0
#include "reduce_rows.cuh"
