/* SPDX-License-Identifier: MIT */
/*
** Sorting rows (lu_sort_call) and the order statistics built on it
** (lu_quantile_call), with CUB's radix sort.
**
** Keys: every dtype maps to an unsigned integer of its width that orders as
** NumPy does (signed: sign bit flipped; floats: bits made monotonic, -0.0
** as 0.0, every NaN the largest key); for a descending sort every key but
** NaN's is complemented. CUB's radix sort is stable.
**   - One row, values only, ascending: DeviceRadixSort on the values, no
**     extra pass. CUB already treats -0.0 as 0.0 but orders NaNs by their
**     bits, so NaNs with the sign bit (x86's 0/0) come first: a one-thread
**     bisection counts them and, only when there are any, the row is
**     rotated to put them last.
**   - One row with positions: the keys and the positions 0..n-1 in one
**     pass, SortPairs, and the positions out as int64 plus base.
**   - Many rows of keys of up to 4 bytes: one sort of 64-bit keys with the
**     row number above the key (end_bit limited to the bits in use), the
**     values (their own bits, so -0.0 and NaN payloads survive) or the
**     positions as the payload.
**   - Many rows of 8-byte keys: a sort of all keys carrying their global
**     position, then a stable sort of those positions by row.
** Positions are sorted as int32: fewer than 2^31 elements in those paths.
*/
#include <cub/cub.cuh>
#include "lu_kcommon.cuh"
#include "lu_quant.h"

namespace lu_k {
namespace sortfam {   /* this family's kernels: no clash with other files' */

template <int N> struct ubits;
template <> struct ubits<1> { using type = uint8_t; };
template <> struct ubits<2> { using type = uint16_t; };
template <> struct ubits<4> { using type = uint32_t; };
template <> struct ubits<8> { using type = uint64_t; };

/* the key of x (see above) */
template <class T, class U = typename ubits<sizeof(T)>::type>
__host__ __device__ __forceinline__ U keyof(T x) {
  const U top = (U)((U)1 << (8 * sizeof(T) - 1));
  U u;
  memcpy(&u, &x, sizeof u);
  if constexpr (is_float<T>::value) {
    if (x != x) return (U)~(U)0;
    if (u == top) u = 0;
    return (u & top) ? (U)~u : (U)(u | top);
  } else if constexpr (cuda::std::numeric_limits<T>::is_signed) {
    return (U)(u ^ top);
  } else {
    return u;
  }
}

/* descending order (NaN still last): every other key complemented */
template <class T, class U>
__host__ __device__ __forceinline__ U dirkey(U k, bool desc) {
  if (!desc) return k;
  if constexpr (is_float<T>::value) { if (k == (U)~(U)0) return k; }
  return (U)~k;
}

#define GRID_LOOP(i, n) \
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
       i += (int64_t)gridDim.x * blockDim.x)

/* The AND and the OR of a warp's a and o into r[0] and r[1] (r set to ~0
** and 0 before the launch, by the host glue) */
template <class U>
__device__ __forceinline__ void andor_out(U a, U o, U *r) {
  using A = typename std::conditional<sizeof(U) == 8, unsigned long long, unsigned>::type;
  static_assert(sizeof(U) == sizeof(A), "lu_k_andor takes 4- and 8-byte words only");
  for (int s = 16; s > 0; s >>= 1) {
    a &= (U)__shfl_xor_sync(0xffffffffu, (A)a, s);
    o |= (U)__shfl_xor_sync(0xffffffffu, (A)o, s);
  }
  if ((threadIdx.x & 31) == 0) {
    atomicAnd((A *)r, (A)a);
    atomicOr((A *)r + 1, (A)o);
  }
}

/* keys of one row and the positions 0..n-1 */
template <class T, class U>
__global__ void prep_kernel(const T *in, U *keys, int32_t *pos, int64_t n, bool desc) {
  GRID_LOOP(i, n) { keys[i] = dirkey<T, U>(keyof<T>(in[i]), desc); pos[i] = (int32_t)i; }
}

/* the AND and the OR of n words of U's width, 16 bytes a load where x is
** 16-byte aligned */
template <class U>
__global__ void andor_kernel(const U *x, int64_t n, U *r) {
  U a = (U)~(U)0, o = 0;
  int64_t head = 0;
  if ((uintptr_t)x % 16 == 0) {
    const int64_t nv = n * (int64_t)sizeof(U) / 16;
    const uint4 *v = (const uint4 *)x;
    uint4 av = make_uint4(~0u, ~0u, ~0u, ~0u), ov = make_uint4(0, 0, 0, 0);
    GRID_LOOP(i, nv) {
      uint4 w = v[i];
      av.x &= w.x; av.y &= w.y; av.z &= w.z; av.w &= w.w;
      ov.x |= w.x; ov.y |= w.y; ov.z |= w.z; ov.w |= w.w;
    }
    if constexpr (sizeof(U) == 8) {
      a = ((U)(av.y & av.w) << 32) | (U)(av.x & av.z);
      o = ((U)(ov.y | ov.w) << 32) | (U)(ov.x | ov.z);
    } else {
      a = (U)(av.x & av.y & av.z & av.w);
      o = (U)(ov.x | ov.y | ov.z | ov.w);
    }
    head = nv * 16 / (int64_t)sizeof(U);
  }
  for (int64_t i = head + (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    a &= x[i];
    o |= x[i];
  }
  andor_out<U>(a, o, r);
}

/* packed keys: the row above the key; the payload (values' bits or
** positions in the row) */
template <class T, class P>
__global__ void pack_kernel(const T *in, uint64_t *keys, P *pay, int64_t n, int64_t len, int bits,
                            int positions, bool desc) {
  using U = typename ubits<sizeof(T)>::type;
  GRID_LOOP(i, n) {
    int64_t r = i / len;
    keys[i] = ((uint64_t)r << bits) | (uint64_t)dirkey<T, U>(keyof<T>(in[i]), desc);
    if (positions) pay[i] = (P)(i - r * len);
    else { P v; memcpy(&v, in + i, sizeof v); pay[i] = v; }
  }
}

__global__ void widen_kernel(const int32_t *pos, int64_t *out, int64_t n, int64_t base) {
  GRID_LOOP(i, n) out[i] = (int64_t)pos[i] + base;
}

/* keys of 8-byte values with their global positions; then the rows of
** the sorted positions; then the outputs */
template <class T>
__global__ void prep64_kernel(const T *in, uint64_t *keys, int32_t *pos, int64_t n, bool desc) {
  using U = typename ubits<sizeof(T)>::type;
  GRID_LOOP(i, n) { keys[i] = (uint64_t)dirkey<T, U>(keyof<T>(in[i]), desc); pos[i] = (int32_t)i; }
}

__global__ void rows_kernel(const int32_t *pos, uint32_t *row, int64_t n, int64_t len) {
  GRID_LOOP(i, n) row[i] = (uint32_t)(pos[i] / len);
}

template <class T>
__global__ void out64_kernel(const T *in, const int32_t *pos, T *out, int64_t *idx, int64_t n,
                             int64_t len, int64_t base) {
  GRID_LOOP(i, n) {
    int32_t p = pos[i];
    if (out) out[i] = in[p];
    if (idx) idx[i] = p % len + base;
  }
}

/* the values of sorted rows from their positions in the row */
template <class T>
__global__ void outrow_kernel(const T *in, const int32_t *pos, T *out, int64_t n, int64_t len) {
  GRID_LOOP(i, n) out[i] = in[(i / len) * len + pos[i]];
}

/* the number of leading NaNs with the sign bit (a prefix after CUB's sort) */
template <class T> __global__ void lead_nan_kernel(const T *x, int64_t n, int64_t *k) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t m = lo + (hi - lo) / 2;
    T v = x[m];
    if (v != v && signbit(v)) lo = m + 1; else hi = m;
  }
  *k = lo;
}

/* rotate left by *k through tmp; both passes end at once when *k == 0 */
template <class T> __global__ void rot_out_kernel(const T *x, T *tmp, int64_t n, const int64_t *k) {
  int64_t s = *k;
  if (s == 0) return;
  GRID_LOOP(i, n) tmp[i] = x[i + s < n ? i + s : i + s - n];
}

template <class T> __global__ void rot_back_kernel(T *x, const T *tmp, int64_t n, const int64_t *k) {
  if (*k == 0) return;
  GRID_LOOP(i, n) x[i] = tmp[i];
}

/* CUB's two-call pattern with the scratch allocator */
#define CUB_CALL(tmp, call_with) do { \
    size_t bytes_ = 0; void *d_temp_storage = nullptr; \
    LU_K_TRY(call_with); \
    if (!(tmp).get(bytes_)) return (int)cudaErrorMemoryAllocation; \
    d_temp_storage = (tmp).p; \
    LU_K_TRY(call_with); \
  } while (0)

static int bits_for(int64_t v) {
  int b = 0;
  while (b < 63 && ((int64_t)1 << b) < v) b++;
  return b;
}

/* [lo, hi): the bits of the keys to sort (hi 0: all), given for one row of
** integers only (the host glue's lu_k_andor): the bits where the keys
** differ, the same for the keys' unsigned forms (a flipped sign bit, a
** complement for descending), so the order is the full sort's */
template <class T>
static int sort_typed(const lu_sort_call *c, int lo, int hi, T *keys_out, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  const lu_k_scratch *sc = &env->scratch;
  using U = typename ubits<sizeof(T)>::type;
  const int64_t n = c->nrow * c->len;
  const int th = 256;
  const unsigned grid = grid_for(env, n, th);
  const T *in = (const T *)c->in;
  scratch_buf tmp(sc);
  const bool desc = c->descending != 0;
  if (c->nrow == 1 && c->idx == nullptr && !desc) {
    /* values only, one row, ascending */
    T *out = keys_out;
    if (hi <= 0 || is_float<T>::value) { lo = 0; hi = (int)sizeof(T) * 8; }
    CUB_CALL(tmp, cub::DeviceRadixSort::SortKeys(d_temp_storage, bytes_, in, out, n, lo, hi, st));
    if constexpr (is_float<T>::value) {
      scratch_buf kk(sc), rb(sc);
      if (!kk.get(sizeof(int64_t)) || !rb.get((size_t)n * sizeof(T))) return (int)cudaErrorMemoryAllocation;
      lead_nan_kernel<T><<<1, 1, 0, st>>>(out, n, (int64_t *)kk.p);
      rot_out_kernel<T><<<grid, th, 0, st>>>(out, (T *)rb.p, n, (const int64_t *)kk.p);
      rot_back_kernel<T><<<grid, th, 0, st>>>(out, (const T *)rb.p, n, (const int64_t *)kk.p);
    }
    return last_err();
  }
  if (n > INT32_MAX) return (int)cudaErrorInvalidValue;
  if (c->nrow == 1) {
    /* positions of one row (and the values, when asked for) */
    scratch_buf kb(sc), kb2(sc), pb(sc), pb2(sc);
    if (!kb.get((size_t)n * sizeof(U)) || !kb2.get((size_t)n * sizeof(U)) ||
        !pb.get((size_t)n * 4) || !pb2.get((size_t)n * 4))
      return (int)cudaErrorMemoryAllocation;
    if (hi <= 0 || is_float<T>::value) { lo = 0; hi = (int)sizeof(U) * 8; }
    prep_kernel<T, U><<<grid, th, 0, st>>>(in, (U *)kb.p, (int32_t *)pb.p, n, desc);
    LU_K_TRY(cudaGetLastError());
    CUB_CALL(tmp, cub::DeviceRadixSort::SortPairs(d_temp_storage, bytes_, (const U *)kb.p, (U *)kb2.p,
                                                  (const int32_t *)pb.p, (int32_t *)pb2.p, n, lo,
                                                  hi, st));
    out64_kernel<T><<<grid, th, 0, st>>>(in, (const int32_t *)pb2.p, keys_out, c->idx, n, n, c->base);
    return last_err();
  }
  int rb = bits_for(c->nrow);
  if (sizeof(T) <= 4 && 8 * (int)sizeof(T) + rb <= 64) {
    /* many rows: the row number above the key */
    using P = typename ubits<sizeof(T)>::type;
    bool pos = c->idx != nullptr;
    scratch_buf kb(sc), kb2(sc), pb(sc), pb2(sc);
    size_t psz = pos ? 4 : sizeof(P);
    if (!kb.get((size_t)n * 8) || !kb2.get((size_t)n * 8) || !pb.get((size_t)n * psz) ||
        !pb2.get((size_t)n * psz))
      return (int)cudaErrorMemoryAllocation;
    int end = 8 * (int)sizeof(T) + rb;
    if (pos) {
      pack_kernel<T, uint32_t><<<grid, th, 0, st>>>(in, (uint64_t *)kb.p, (uint32_t *)pb.p, n, c->len,
                                                     8 * (int)sizeof(T), 1, desc);
      LU_K_TRY(cudaGetLastError());
      CUB_CALL(tmp, cub::DeviceRadixSort::SortPairs(d_temp_storage, bytes_, (const uint64_t *)kb.p,
                                                    (uint64_t *)kb2.p, (const uint32_t *)pb.p,
                                                    (uint32_t *)pb2.p, n, 0, end, st));
      widen_kernel<<<grid, th, 0, st>>>((const int32_t *)pb2.p, c->idx, n, c->base);
      LU_K_TRY(cudaGetLastError());
      if (keys_out == nullptr) return 0;
      /* values too: gather them by row and position */
      outrow_kernel<T><<<grid, th, 0, st>>>(in, (const int32_t *)pb2.p, keys_out, n, c->len);
      return last_err();
    }
    pack_kernel<T, P><<<grid, th, 0, st>>>(in, (uint64_t *)kb.p, (P *)pb.p, n, c->len, 8 * (int)sizeof(T), 0,
                                           desc);
    LU_K_TRY(cudaGetLastError());
    CUB_CALL(tmp, cub::DeviceRadixSort::SortPairs(d_temp_storage, bytes_, (const uint64_t *)kb.p,
                                                  (uint64_t *)kb2.p, (const P *)pb.p, (P *)keys_out, n, 0,
                                                  end, st));
    return last_err();
  }
  /* many rows of 8-byte keys: by key, then (stably) by row */
  {
    scratch_buf kb(sc), kb2(sc), pb(sc), pb2(sc), rw(sc), rw2(sc);
    if (!kb.get((size_t)n * 8) || !kb2.get((size_t)n * 8) || !pb.get((size_t)n * 4) ||
        !pb2.get((size_t)n * 4) || !rw.get((size_t)n * 4) || !rw2.get((size_t)n * 4))
      return (int)cudaErrorMemoryAllocation;
    prep64_kernel<T><<<grid, th, 0, st>>>(in, (uint64_t *)kb.p, (int32_t *)pb.p, n, desc);
    LU_K_TRY(cudaGetLastError());
    CUB_CALL(tmp, cub::DeviceRadixSort::SortPairs(d_temp_storage, bytes_, (const uint64_t *)kb.p,
                                                  (uint64_t *)kb2.p, (const int32_t *)pb.p, (int32_t *)pb2.p,
                                                  n, 0, 64, st));
    rows_kernel<<<grid, th, 0, st>>>((const int32_t *)pb2.p, (uint32_t *)rw.p, n, c->len);
    LU_K_TRY(cudaGetLastError());
    scratch_buf tmp2(sc);
    CUB_CALL(tmp2, cub::DeviceRadixSort::SortPairs(d_temp_storage, bytes_, (const uint32_t *)rw.p,
                                                   (uint32_t *)rw2.p, (const int32_t *)pb2.p, (int32_t *)pb.p,
                                                   n, 0, rb > 0 ? rb : 1, st));
    out64_kernel<T><<<grid, th, 0, st>>>(in, (const int32_t *)pb.p, keys_out, c->idx, n, c->len, c->base);
    return last_err();
  }
}

/* {===== quantiles: sorted rows, then one thread per (q, row) */
template <class T>
__global__ void quantile_kernel(const T *sorted, int64_t nrow, int64_t len, const double *q, int nq,
                                int method, int nan_skip, void *out, int okind) {
  int64_t total = nrow * (int64_t)nq;
  GRID_LOOP(t, total) {
    int64_t k = t / nrow, r = t - k * nrow, n = len, i0, i1;
    const T *row = sorted + r * len;
    double g, v;
    int kind;
    if constexpr (is_float<T>::value) {
      if (nan_skip) {         /* NaNs are last: bisect for the first */
        int64_t lo = 0, hi = len;
        while (lo < hi) { int64_t m = lo + (hi - lo) / 2; if (row[m] != row[m]) hi = m; else lo = m + 1; }
        n = lo;
      } else if (row[len - 1] != row[len - 1]) {
        n = 0;
      }
    }
    if (n == 0) {
      v = cuda::std::numeric_limits<double>::quiet_NaN();
      if (okind == 0) ((T *)out)[t] = (T)v;
      else if (okind == 1) ((float *)out)[t] = (float)v;
      else ((double *)out)[t] = v;
      continue;
    }
    kind = lu_q_plan(method, n, q[k], &i0, &i1, &g);
    if (kind == LU_QK_TAKE) {
      if (okind == 0) { ((T *)out)[t] = row[i0]; continue; }
      v = (double)row[i0];
    } else if (kind == LU_QK_MEAN) {
      v = ((double)row[i0] + (double)row[i1]) / 2.0;
    } else {
      v = lu_q_lerp((double)row[i0], (double)row[i1], g);
    }
    if (okind == 0) ((T *)out)[t] = (T)v;
    else if (okind == 1) ((float *)out)[t] = (float)v;
    else ((double *)out)[t] = v;
  }
}
/* }===== */

}  // namespace sortfam
}  // namespace lu_k

using namespace lu_k;
using namespace lu_k::sortfam;

extern "C" int lu_k_sort(const lu_sort_call *c, int lo, int hi, const lu_k_env *env) {
  if (c->nrow <= 0 || c->len <= 0) return 0;
  return dispatch(c->dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    return sort_typed<T>(c, c->nrow == 1 ? lo : 0, c->nrow == 1 ? hi : 0, (T *)c->out, env);
  });
}

extern "C" int lu_k_andor(const void *x, int64_t n, int width, void *r, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  if (n <= 0) return 0;
  if (width == 8)
    andor_kernel<uint64_t><<<grid_for(env, n, 256), 256, 0, st>>>((const uint64_t *)x, n, (uint64_t *)r);
  else if (width == 4)
    andor_kernel<uint32_t><<<grid_for(env, n, 256), 256, 0, st>>>((const uint32_t *)x, n, (uint32_t *)r);
  else
    return (int)cudaErrorInvalidValue;
  return last_err();
}

extern "C" int lu_k_quantile(const lu_quantile_call *c, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  const lu_k_scratch *scratch = &env->scratch;
  if (c->nrow <= 0 || c->len <= 0 || c->nq <= 0) return 0;
  int okind = c->out_dt == c->dt ? 0 : c->out_dt == LU_FLOAT32 ? 1 : c->out_dt == LU_FLOAT64 ? 2 : -1;
  if (okind < 0) return (int)cudaErrorInvalidValue;
  return dispatch(c->dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    scratch_buf sorted(scratch);
    int64_t n = c->nrow * c->len;
    if (!sorted.get((size_t)n * sizeof(T))) return (int)cudaErrorMemoryAllocation;
    lu_sort_call s;
    memset(&s, 0, sizeof s);
    s.dt = c->dt;
    s.nrow = c->nrow;
    s.len = c->len;
    s.in = c->in;
    int e = sort_typed<T>(&s, 0, 0, (T *)sorted.p, env);
    if (e) return e;
    int64_t total = c->nrow * (int64_t)c->nq;
    quantile_kernel<T><<<grid_for(env, total, 128), 128, 0, st>>>((const T *)sorted.p, c->nrow, c->len,
                                                             c->q /* device memory */, c->nq, (int)c->method,
                                                             c->nan_skip, c->out, okind);
    return last_err();
  });
}
