/* SPDX-License-Identifier: MIT */
/*
** Helpers of the routines of cuBLAS and cuSOLVER that linalg calls
** (src/backend/cuda/linalg.c): the arrays of matrix pointers the batched
** ones take, their int32 pivots widened to the int64 the core reads, the
** conjugation of a complex Jacobi SVD's V, and a real general
** eigensolver's results put in complex form; and the one-pass solver of
** stacks of small real matrices (small_solve_kernel) that takes the place
** of those routines for solve and inv of order <= 32, with its symmetric
** eigensolver (small_eigh_kernel) in place of syevjBatched.
*/
#include "lu_kcommon.cuh"

namespace lu_k {

__global__ void ptrs_kernel(void **ptrs, char *base, int64_t stride, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    ptrs[k] = base + k * stride;
}

__global__ void widen_kernel(int64_t *out, const int *in, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    out[k] = in[k];
}

__global__ void count_nz_kernel(int *info, int64_t n) {
  int c = 0;
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    c += info[k] != 0;
  if (c) atomicAdd(&info[n], c);   /* rare: only failing matrices count */
}

template <class T>
__global__ void conj_kernel(T *p, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    p[2 * k + 1] = -p[2 * k + 1];
}

/* A real geev's results (per matrix: wr then wi, n each; vr n x n,
** column-major) in complex form. A complex pair of eigenvalues is stored
** with its positive imaginary part first, and vr holds the real and the
** imaginary part of that one's vector in its two columns; the second
** vector is the conjugate. So each output column is known from its own
** wi's sign: 0 real, > 0 first of a pair, < 0 second. */
template <class T>
__global__ void unpack_eig_kernel(T *w, T *v, const T *wri, const T *vr, int64_t n, int64_t batch) {
  int64_t nw = batch * n, total = nw + (v != NULL ? batch * n * n : 0);
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < total;
       k += (int64_t)gridDim.x * blockDim.x) {
    if (k < nw) {
      int64_t b = k / n, j = k % n;
      w[2 * k] = wri[b * 2 * n + j];
      w[2 * k + 1] = wri[b * 2 * n + n + j];
      continue;
    }
    int64_t e = k - nw, b = e / (n * n), r = e % (n * n), j = r / n, i = r % n;
    T wi = wri[b * 2 * n + n + j];
    const T *m = vr + b * n * n;
    T re, im;
    if (wi > 0 && j + 1 < n) { re = m[j * n + i]; im = m[(j + 1) * n + i]; }
    else if (wi < 0 && j > 0) { re = m[(j - 1) * n + i]; im = -m[j * n + i]; }
    else { re = m[j * n + i]; im = 0; }
    v[2 * e] = re;
    v[2 * e + 1] = im;
  }
}


/* Solve and inverse of a stack of small real matrices, one pass: W lanes
** of a warp per matrix (W a power of two, n <= W, nrhs <= W), lane r
** holding row r of the augmented matrix [A | B] in registers. Gauss-Jordan
** elimination with partial pivoting: for each column k the lane of largest
** |a_rk| among the rows not yet chosen (the first such row on a tie, as
** LAPACK's idamax) is the pivot row; it is scaled by 1/a_pk and every
** other row subtracts its multiple, so after n columns the row that
** pivoted column k holds row k of A^-1 B. No row is moved: each lane keeps
** the column it pivoted and writes its B part there. The rows below the
** pivots are updated as getrf updates them, so a column whose candidates
** are all exactly zero is getrf's zero pivot: info = k + 1 (first such k),
** the matrix's results left unwritten (the core reports or fills them).
** A matrix holding a NaN gets NaN results and info 0, as the LAPACK
** routines give them (the cuBLAS routines this replaces do not promise
** that), and so does one whose candidates for a pivot turn NaN on the way
** (infinities). Layout (lu_la_call): a and b column-major, matrix after
** matrix; trans: solve with A^T; inv: B = I, b not read. info has batch + 1
** entries: info[batch] (zeroed by the caller) counts the matrices whose
** info is not 0, so that the host reads one int where all succeeded.
** Every lane of a
** warp runs every shuffle (the loops' bounds are the same for the whole
** warp: n, nrhs, and the warp's first matrix for the grid-stride loop),
** so segments whose matrix is past the end compute on zeros. */
template <class T, int W>
__global__ void small_solve_kernel(const T *__restrict__ a, T *__restrict__ b, int *info,
                                   int64_t batch, int n, int nrhs, int trans, int inv) {
  const unsigned FULL = 0xffffffffu;
  const int lane = threadIdx.x & 31, r = lane & (W - 1);
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  for (int64_t g = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; (g - lane) / W < batch;
       g += stride) {
    const int64_t m = g / W;
    const bool mine = m < batch && r < n;
    const T *am = a + (mine ? m : 0) * (int64_t)n * n;
    T *bm = b + (mine ? m : 0) * (int64_t)n * nrhs;
    T ra[W], rb[W];
#pragma unroll
    for (int j = 0; j < W; j++) {
      ra[j] = mine && j < n ? (trans ? am[(int64_t)r * n + j] : am[r + (int64_t)j * n]) : T(0);
      rb[j] = mine && j < nrhs ? (inv ? T(j == r) : bm[r + (int64_t)j * n]) : T(0);
    }
    int bad = 0;   /* a NaN in the matrix, or a NaN pivot on the way */
#pragma unroll
    for (int j = 0; j < W; j++) bad |= ra[j] != ra[j];
#pragma unroll
    for (int off = W / 2; off > 0; off >>= 1) bad |= __shfl_xor_sync(FULL, bad, off, W);
    bool used = !mine;   /* rows past n and matrices past the end never pivot */
    int col = -1, sing = 0;
#pragma unroll
    for (int k = 0; k < W; k++) {
      if (k >= n) break;
      /* the pivot: largest |a_rk| among the unchosen rows, the first on a
      ** tie; a NaN candidate ranks below every number */
      T v = used ? T(-2) : fabs(ra[k]);
      if (v != v) v = T(-1);
      int who = r;
#pragma unroll
      for (int off = W / 2; off > 0; off >>= 1) {
        T ov = __shfl_xor_sync(FULL, v, off, W);
        int ow = __shfl_xor_sync(FULL, who, off, W);
        if (ov > v || (ov == v && ow < who)) { v = ov; who = ow; }
      }
      const bool skip = !(v > T(0));
      if (v == T(0) && sing == 0) sing = k + 1;
      if (v == T(-1)) bad = 1;
      const T pk = __shfl_sync(FULL, ra[k], who, W);
      const bool me = !skip && r == who;
      if (me) { used = true; col = k; }
      const T f = skip ? T(0) : me ? T(1) / pk : ra[k] / pk;
#pragma unroll
      for (int j = k + 1; j < W; j++) {
        const T t = __shfl_sync(FULL, ra[j], who, W);
        if (!skip && j < n) ra[j] = me ? ra[j] * f : ra[j] - f * t;
      }
#pragma unroll
      for (int j = 0; j < W; j++) {
        if (j >= nrhs) break;
        const T t = __shfl_sync(FULL, rb[j], who, W);
        if (!skip) rb[j] = me ? rb[j] * f : rb[j] - f * t;
      }
      if (!skip) ra[k] = me ? T(1) : T(0);
    }
    if (m < batch) {
      /* unrolled, so that rb stays in registers */
      if (bad) {
#pragma unroll
        for (int j = 0; j < W; j++)
          if (j < nrhs && r < n) bm[r + (int64_t)j * n] = T(NAN);
      } else if (col >= 0 && sing == 0) {
#pragma unroll
        for (int j = 0; j < W; j++)
          if (j < nrhs) bm[col + (int64_t)j * n] = rb[j];
      }
      if (r == 0) {
        const int v = bad ? 0 : sing;
        info[m] = v;
        if (v != 0) atomicAdd(&info[batch], 1);   /* rare: only failing matrices count */
      }
    }
  }
}


/* The eigenvalues (ascending, into w) and, when vec, the eigenvectors
** (over a: column k for w[k], column-major as syevd's) of batch real
** symmetric matrices of order n <= W, each on W lanes of a warp, by
** parallel cyclic Jacobi: lane r holds column r of A (ra) and of V (rv);
** a sweep is W - 1 rounds of the circle method's pairing (lane W - 1 meets
** lane t in round t, the others pair as r + r' = 2t mod W - 1), each round
** W / 2 disjoint rotations A <- P^T A P, V <- V P at once. The column half
** of a rotation swaps columns between the two lanes of a pair; the row
** half is lane-local, at register indices fixed by the unrolled round.
** Padding (order n < W, matrices past the end) is zero, so its rotations
** are the identity and its diagonal never mixes with A's. Only the
** triangle named by upper (of the column-major matrix) is read. A
** rotation is skipped where |a_pq| <= eps sqrt|a_pp| sqrt|a_qq| (or below
** eps^2 max|a_ij|); the sweeps stop when one skips them all, warp-wide, or
** after MAXS. The core hands over finite matrices only (nonfinite_items),
** so info stays 0: the sweeps' cap ends every input. */
template <class T> struct eigh_eps;
template <> struct eigh_eps<float> { static __device__ float v() { return 5.9604645e-8f; } };
template <> struct eigh_eps<double> { static __device__ double v() { return 1.1102230246251565e-16; } };

template <class T, int W>
__global__ void small_eigh_kernel(T *__restrict__ a, T *__restrict__ w, int64_t batch, int n,
                                  int upper, int vec) {
  const unsigned FULL = 0xffffffffu;
  const int MAXS = sizeof(T) == 4 ? 20 : 30;
  const int lane = threadIdx.x & 31, r = lane & (W - 1);
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const T eps = eigh_eps<T>::v();
  for (int64_t g = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; (g - lane) / W < batch;
       g += stride) {
    const int64_t m = g / W;
    const bool mine = m < batch && r < n;
    T *am = a + (mine ? m : 0) * (int64_t)n * n;
    T ra[W], rv[W];
    T big = T(0);   /* the largest |a_ij| (squares would overflow float32 from 2^64) */
#pragma unroll
    for (int i = 0; i < W; i++) {
      const bool lo = upper ? i <= r : i >= r;
      ra[i] = mine && i < n ? (lo ? am[i + (int64_t)r * n] : am[r + (int64_t)i * n]) : T(0);
      rv[i] = T(i == r);
      big = fmax(big, fabs(ra[i]));
    }
#pragma unroll
    for (int off = W / 2; off > 0; off >>= 1) big = fmax(big, __shfl_xor_sync(FULL, big, off, W));
    const T floor = eps * eps * big;
    for (int sweep = 0; sweep < MAXS; sweep++) {
      bool rotated = false;
#pragma unroll
      for (int t = 0; t < W - 1; t++) {
        const int pr = r == W - 1 ? t : r == t ? W - 1 : (2 * t - r + 2 * (W - 1)) % (W - 1);
        const bool isp = r < pr;
        T d = T(0), o = T(0);
#pragma unroll
        for (int j = 0; j < W; j++) {
          if (j == r) d = ra[j];
          if (j == pr) o = ra[j];
        }
        const T dp = __shfl_sync(FULL, d, pr, W), op = __shfl_sync(FULL, o, pr, W);
        const T app = isp ? d : dp, aqq = isp ? dp : d, apq = isp ? o : op;
        T c = T(1), s = T(0), tn = T(0);
        if (fabs(apq) > eps * sqrt(fabs(app)) * sqrt(fabs(aqq)) && fabs(apq) > floor) {
          const T th = (T(0.5) * aqq - T(0.5) * app) / apq;   /* halves: aqq - app may overflow */
          tn = T(1) / (fabs(th) + hypot(th, T(1)));
          if (th < T(0)) tn = -tn;
          c = T(1) / sqrt(tn * tn + T(1));
          s = tn * c;
          rotated = true;
        }
        /* columns: A P and V P, the pair's two lanes trading columns */
#pragma unroll
        for (int j = 0; j < W; j++) {
          const T x = __shfl_sync(FULL, ra[j], pr, W);
          ra[j] = isp ? c * ra[j] - s * x : s * x + c * ra[j];
        }
        if (vec) {
#pragma unroll
          for (int j = 0; j < W; j++) {
            const T x = __shfl_sync(FULL, rv[j], pr, W);
            rv[j] = isp ? c * rv[j] - s * x : s * x + c * rv[j];
          }
        }
        /* rows: P^T (A P), every pair's rotation on each lane's column */
#pragma unroll
        for (int k = 0; k < W / 2; k++) {
          const int P0 = k == 0 ? t : (t + k) % (W - 1);
          const int Q0 = k == 0 ? W - 1 : (t - k + (W - 1)) % (W - 1);
          const int P = P0 < Q0 ? P0 : Q0, Q = P0 < Q0 ? Q0 : P0;
          const T cp = __shfl_sync(FULL, c, P, W), sp = __shfl_sync(FULL, s, P, W);
          const T x = ra[P], y = ra[Q];
          ra[P] = cp * x - sp * y;
          ra[Q] = sp * x + cp * y;
        }
        /* the pair's off-diagonal entry is zero, its diagonal exact */
        if (s != T(0)) {
          const T nd = isp ? app - tn * apq : aqq + tn * apq;
#pragma unroll
          for (int j = 0; j < W; j++) {
            if (j == r) ra[j] = nd;
            if (j == pr) ra[j] = T(0);
          }
        }
      }
      if (!__any_sync(FULL, rotated)) break;
    }
    /* ascending order: lane r's eigenvalue goes to its rank */
    T d = T(0);
#pragma unroll
    for (int j = 0; j < W; j++)
      if (j == r) d = ra[j];
    int rank = 0;
#pragma unroll
    for (int j = 0; j < W; j++) {
      const T dj = __shfl_sync(FULL, d, j, W);
      rank += j < n && (dj < d || (dj == d && j < r));
    }
    if (mine) {
      w[m * n + rank] = d;
      if (vec) {
#pragma unroll
        for (int i = 0; i < W; i++)
          if (i < n) am[(int64_t)rank * n + i] = rv[i];
      }
    }
  }
}

/* LAPACK's laswp on one vector of n elements (n * sizeof(T) bytes of
** shared memory): the row interchanges of getrf's 1-based ipiv, in order
** (b <- P b) or, when reverse, last to first (b <- P^T b). The swaps run
** one after another in lane 0 of the first warp, with the warp's lanes
** fetching the next 32 pivots at once. */
template <class T>
__global__ void laswp_vec_kernel(T *b, const int64_t *__restrict__ ipiv, int n, int reverse) {
  extern __shared__ unsigned char laswp_sm[];
  T *z = reinterpret_cast<T *>(laswp_sm);
  for (int i = threadIdx.x; i < n; i += blockDim.x) z[i] = b[i];
  __syncthreads();
  if (threadIdx.x < 32) {
    const int lane = threadIdx.x;
    for (int c = 0; c < n; c += 32) {
      const int at = reverse ? n - 1 - (c + lane) : c + lane;
      const int64_t mine = c + lane < n ? ipiv[at] - 1 : at;
      const int m = n - c < 32 ? n - c : 32;
      for (int j = 0; j < m; j++) {
        const int i = reverse ? n - 1 - (c + j) : c + j;
        const int64_t p = __shfl_sync(0xffffffffu, mine, j);
        if (lane == 0 && p != i && p >= 0 && p < n) {
          const T t = z[i];
          z[i] = z[p];
          z[p] = t;
        }
      }
    }
  }
  __syncthreads();
  for (int i = threadIdx.x; i < n; i += blockDim.x) b[i] = z[i];
}

/* out = in^T for one n x n matrix of elements of type T */
template <class T>
__global__ void transpose_kernel(T *out, const T *in, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n * n;
       k += (int64_t)gridDim.x * blockDim.x) {
    const int64_t i = k % n, j = k / n;
    out[k] = in[i * n + j];
  }
}

/* out[:, idx[k]] = in[:, k] for one n x n column-major matrix: block
** (x, k) copies a run of column k */
template <class T>
__global__ void colperm_kernel(T *__restrict__ out, const T *__restrict__ in,
                               const int *__restrict__ idx, int64_t n) {
  const int64_t k = blockIdx.y, to = idx[k];
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    out[to * n + i] = in[k * n + i];
}

/* out[k] = in[k] converted, k < n (float <-> double) */
template <class O, class T>
__global__ void __launch_bounds__(256) convert_kernel(O *__restrict__ out, const T *__restrict__ in, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n; k += (int64_t)gridDim.x * blockDim.x)
    out[k] = (O)in[k];
}

}  // namespace lu_k

extern "C" int lu_k_linalg_ptrs(void **ptrs, char *base, int64_t stride, int64_t n,
                                const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  ptrs_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(ptrs, base, stride, n);
  return last_err();
}

extern "C" int lu_k_linalg_widen(int64_t *out, const int *in, int64_t n, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  widen_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(out, in, n);
  return last_err();
}

extern "C" int lu_k_linalg_count_nz(int *info, int64_t n, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  count_nz_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(info, n);
  return last_err();
}

extern "C" int lu_k_linalg_f32_f64(void *out, const void *in, int64_t n, int widen, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  if (widen)
    convert_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((double *)out, (const float *)in, n);
  else
    convert_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((float *)out, (const double *)in, n);
  return last_err();
}

extern "C" int lu_k_linalg_conj(void *p, int64_t n, int dbl, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  if (dbl)
    conj_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((double *)p, n);
  else
    conj_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((float *)p, n);
  return last_err();
}

extern "C" int lu_k_linalg_unpack_eig(void *w, void *v, const void *wri, const void *vr, int64_t n,
                                      int64_t batch, int dbl, const lu_k_env *env) {
  using namespace lu_k;
  int64_t total = batch * n + (v != NULL ? batch * n * n : 0);
  if (total <= 0) return 0;
  if (dbl)
    unpack_eig_kernel<<<grid_for(env, total, 256), 256, 0, (cudaStream_t)env->stream>>>(
        (double *)w, (double *)v, (const double *)wri, (const double *)vr, n, batch);
  else
    unpack_eig_kernel<<<grid_for(env, total, 256), 256, 0, (cudaStream_t)env->stream>>>(
        (float *)w, (float *)v, (const float *)wri, (const float *)vr, n, batch);
  return last_err();
}

extern "C" int lu_k_linalg_small_solve(const void *a, void *b, int *info, int64_t batch, int n,
                                       int nrhs, int trans, int inv, int dbl,
                                       const lu_k_env *env) {
  using namespace lu_k;
  int w = 4;
  if (batch <= 0) return 0;
  if (n < 1 || n > 32 || nrhs < 0 || nrhs > n) return (int)cudaErrorInvalidValue;
  while (w < n) w *= 2;
  const unsigned grid = grid_for(env, batch * w, 256);
  cudaStream_t s = (cudaStream_t)env->stream;
#define LU_SMALL(W_) do { if (dbl) \
    small_solve_kernel<double, W_><<<grid, 256, 0, s>>>((const double *)a, (double *)b, info, \
                                                        batch, n, nrhs, trans, inv); \
  else \
    small_solve_kernel<float, W_><<<grid, 256, 0, s>>>((const float *)a, (float *)b, info, \
                                                       batch, n, nrhs, trans, inv); } while (0)
  switch (w) {
  case 4: LU_SMALL(4); break;
  case 8: LU_SMALL(8); break;
  case 16: LU_SMALL(16); break;
  default: LU_SMALL(32); break;
  }
#undef LU_SMALL
  return last_err();
}

extern "C" int lu_k_linalg_small_eigh(void *a, void *w, int64_t batch, int n, int upper, int vec,
                                       int dbl, const lu_k_env *env) {
  using namespace lu_k;
  int lanes = 4;
  if (batch <= 0) return 0;
  if (n < 1 || n > 32) return (int)cudaErrorInvalidValue;
  while (lanes < n) lanes *= 2;
  const unsigned grid = grid_for(env, batch * lanes, 256);
  cudaStream_t s = (cudaStream_t)env->stream;
#define LU_EIGH(W_) do { if (dbl) \
    small_eigh_kernel<double, W_><<<grid, 256, 0, s>>>((double *)a, (double *)w, batch, n, upper, vec); \
  else \
    small_eigh_kernel<float, W_><<<grid, 256, 0, s>>>((float *)a, (float *)w, batch, n, upper, vec); \
  } while (0)
  switch (lanes) {
  case 4: LU_EIGH(4); break;
  case 8: LU_EIGH(8); break;
  case 16: LU_EIGH(16); break;
  default: LU_EIGH(32); break;
  }
#undef LU_EIGH
  return last_err();
}

extern "C" int lu_k_linalg_transpose(void *out, const void *in, int64_t n, int es,
                                     const lu_k_env *env) {
  using namespace lu_k;
  const unsigned grid = grid_for(env, n * n, 256);
  cudaStream_t s = (cudaStream_t)env->stream;
  if (n <= 0) return 0;
  switch (es) {
  case 4: transpose_kernel<<<grid, 256, 0, s>>>((float *)out, (const float *)in, n); break;
  case 8: transpose_kernel<<<grid, 256, 0, s>>>((double *)out, (const double *)in, n); break;
  case 16: transpose_kernel<<<grid, 256, 0, s>>>((double2 *)out, (const double2 *)in, n); break;
  default: return (int)cudaErrorInvalidValue;
  }
  return last_err();
}

extern "C" int lu_k_linalg_colperm(void *out, const void *in, const int *idx, int64_t n, int es,
                                   const lu_k_env *env) {
  using namespace lu_k;
  cudaStream_t s = (cudaStream_t)env->stream;
  if (n <= 0) return 0;
  if (n > 65535) return (int)cudaErrorInvalidValue;   /* a grid's y extent */
  const dim3 grid((unsigned)((n + 255) / 256 < 8 ? (n + 255) / 256 : 8), (unsigned)n);
  switch (es) {
  case 4: colperm_kernel<<<grid, 256, 0, s>>>((float *)out, (const float *)in, idx, n); break;
  case 8: colperm_kernel<<<grid, 256, 0, s>>>((double *)out, (const double *)in, idx, n); break;
  case 16: colperm_kernel<<<grid, 256, 0, s>>>((double2 *)out, (const double2 *)in, idx, n); break;
  default: return (int)cudaErrorInvalidValue;
  }
  return last_err();
}

extern "C" int lu_k_linalg_laswp_vec(void *b, const int64_t *ipiv, int64_t n, int es, int reverse,
                                     const lu_k_env *env) {
  using namespace lu_k;
  cudaStream_t s = (cudaStream_t)env->stream;
  const size_t sm = (size_t)n * (size_t)es;
  if (n <= 0) return 0;
  if (sm > LU_K_LASWP_SMEM) return (int)cudaErrorInvalidValue;
  switch (es) {
  case 4: laswp_vec_kernel<<<1, 1024, sm, s>>>((float *)b, ipiv, (int)n, reverse); break;
  case 8: laswp_vec_kernel<<<1, 1024, sm, s>>>((double *)b, ipiv, (int)n, reverse); break;
  case 16: laswp_vec_kernel<<<1, 1024, sm, s>>>((double2 *)b, ipiv, (int)n, reverse); break;
  default: return (int)cudaErrorInvalidValue;
  }
  return last_err();
}
