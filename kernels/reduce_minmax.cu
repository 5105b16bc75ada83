/* SPDX-License-Identifier: MIT */
/*
** min, max (NaN-propagating, result in the input dtype) and any, all
** (bool result, "!= 0"). One instantiation per storage type serves both
** directions: the reducer carries the direction as a run-time flag.
*/
#include "reduce.cuh"

namespace lu_k {

int reduce_minmax(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc) {
  if (c->out_dt != c->in_dt) return (int)cudaErrorInvalidValue;
  return dispatch(c->in_dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    MinMax<T> r{c->op == LU_RED_max};
    return run_reduce(r, c, (T *)c->out_ptr, st, sc);
  });
}

int reduce_anyall(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc) {
  if (c->out_dt != LU_BOOL) return (int)cudaErrorInvalidValue;
  return dispatch(c->in_dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    AnyAll<T> r{c->op == LU_RED_any};
    return run_reduce(r, c, (uint8_t *)c->out_ptr, st, sc);
  });
}

}  // namespace lu_k
