/* SPDX-License-Identifier: MIT */
/*
** argmin and argmax: 0-based int64 position of the first extreme (of the
** first NaN when there is one). One instantiation per storage type serves
** both, the direction being a run-time flag of the reducer.
*/
#include "reduce.cuh"

namespace lu_k {

int reduce_arg(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc) {
  if (c->out_dt != LU_INT64) return (int)cudaErrorInvalidValue;
  return dispatch(c->in_dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    Arg<T> r{c->op == LU_RED_argmax};
    return run_reduce(r, c, (int64_t *)c->out_ptr, st, sc);
  });
}

}  // namespace lu_k
