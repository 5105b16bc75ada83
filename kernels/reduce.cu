/* SPDX-License-Identifier: MIT */
/*
** The launch stubs of the reductions: pass the call and its plan to the
** group file that instantiates the row (reduce_g*.cu, reduce_rows.cuh).
*/
#include "reduce.cuh"

extern "C" int lu_k_reduce(const lu_reduce_call *c, const lu_k_reduce_plan *p,
                           const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  const lu_k_scratch *scratch = &env->scratch;
  if (c->outer <= 0 || c->inner <= 0) return 0;
  if (c->red < 0 || (unsigned)c->op >= LU_NREDS) return (int)cudaErrorInvalidValue;
  switch (c->op % LU_K_RGROUPS) {
    case 0: return lu_k::reduce_group<0>(c, p, st, scratch);
    case 1: return lu_k::reduce_group<1>(c, p, st, scratch);
    case 2: return lu_k::reduce_group<2>(c, p, st, scratch);
    default: return lu_k::reduce_group<3>(c, p, st, scratch);
  }
}

extern "C" int lu_k_reduce_query(lu_redop op, lu_dtype dt, lu_k_reduce_info *info) {
  if ((unsigned)op >= LU_NREDS) return (int)cudaErrorInvalidValue;
  switch (op % LU_K_RGROUPS) {
    case 0: return lu_k::reduce_group_info<0>(op, dt, info);
    case 1: return lu_k::reduce_group_info<1>(op, dt, info);
    case 2: return lu_k::reduce_group_info<2>(op, dt, info);
    default: return lu_k::reduce_group_info<3>(op, dt, info);
  }
}
