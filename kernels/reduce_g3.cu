/* SPDX-License-Identifier: MIT */
/* The reduction rows of group 3 (index % LU_K_RGROUPS == 3): the groups
** are separate files so that their instantiations compile in parallel. */
#define LU_K_RGROUP 3
#include "reduce_rows.cuh"
