/* SPDX-License-Identifier: MIT */
/*
** lu_k_reduce: picks the reduction family; the families live in separate
** files (reduce_sum.cu, reduce_minmax.cu, reduce_arg.cu) so that their CUB
** instantiations compile in parallel.
*/
#include "reduce.cuh"

extern "C" int lu_k_reduce(const lu_reduce_call *c, void *stream, const lu_k_scratch *scratch) {
  cudaStream_t st = (cudaStream_t)stream;
  if (c->outer <= 0 || c->inner <= 0) return 0;
  if (c->red <= 0) return (int)cudaErrorInvalidValue;  /* the core handles empty reductions */
  switch (c->op) {
    case LU_RED_sum: case LU_RED_prod: return lu_k::reduce_sumprod(c, st, scratch);
    case LU_RED_min: case LU_RED_max: return lu_k::reduce_minmax(c, st, scratch);
    case LU_RED_argmin: case LU_RED_argmax: return lu_k::reduce_arg(c, st, scratch);
    case LU_RED_any: case LU_RED_all: return lu_k::reduce_anyall(c, st, scratch);
    default: return (int)cudaErrorInvalidValue;
  }
}
