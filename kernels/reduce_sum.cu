/* SPDX-License-Identifier: MIT */
/*
** sum and prod. Accumulators: integer inputs add/multiply in uint64 (two's
** complement wraps, so the bits equal int64 or any narrower accumulator
** after truncation); float32 into float32 accumulates in float, every other
** float accumulator in double. The result is stored straight into out when
** its storage matches the accumulator, else through scratch and a cast.
*/
#include "reduce.cuh"

namespace lu_k {

template <class D, class S>
__global__ void cast_kernel(const S *in, D *out, int64_t n, bool to_bool) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    out[i] = cvt<D>(in[i], to_bool);
}

template <class S>
static int cast_to(lu_dtype out_dt, const S *in, void *out, int64_t n, cudaStream_t st) {
  return dispatch(out_dt, [&](auto tg, bool to_bool) -> int {
    using D = typename decltype(tg)::type;
    cast_kernel<D, S><<<grid_for(n, kThreads), kThreads, 0, st>>>(in, (D *)out, n, to_bool);
    return last_err();
  });
}

template <class T, class A>
static int sum_typed(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc) {
  SumProd<T, A> r{c->op == LU_RED_prod};
  int64_t K = c->outer * c->inner;
  char ok = dt_kind(c->out_dt);
  bool direct;
  if constexpr (is_float<A>::value) direct = dt_size(c->out_dt) == (int)sizeof(A) && ok == 'f';
  else direct = dt_size(c->out_dt) == 8 && (ok == 'i' || ok == 'u');
  if (direct) return run_reduce(r, c, (A *)c->out_ptr, st, sc);
  scratch_buf tmp(sc);
  if (!tmp.get((size_t)K * sizeof(A))) return (int)cudaErrorMemoryAllocation;
  int e = run_reduce(r, c, (A *)tmp.p, st, sc);
  if (e) return e;
  if constexpr (!is_float<A>::value) {
    if (dt_kind(c->in_dt) == 'i')  /* signed sums widen to float/bool as signed */
      return cast_to(c->out_dt, (const int64_t *)tmp.p, c->out_ptr, K, st);
  }
  return cast_to(c->out_dt, (const A *)tmp.p, c->out_ptr, K, st);
}

int reduce_sumprod(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc) {
  bool facc = dt_kind(c->acc_dt) == 'f';
  bool f32 = c->in_dt == LU_FLOAT32 && c->acc_dt == LU_FLOAT32;
  return dispatch(c->in_dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    if constexpr (is_float<T>::value) {
      if (!facc) return (int)cudaErrorInvalidValue;  /* float summed in an int: unsupported */
      if constexpr (sizeof(T) == 4) { if (f32) return sum_typed<T, float>(c, st, sc); }
      return sum_typed<T, double>(c, st, sc);
    } else {
      if (facc) return sum_typed<T, double>(c, st, sc);
      return sum_typed<T, uint64_t>(c, st, sc);
    }
  });
}

}  // namespace lu_k
