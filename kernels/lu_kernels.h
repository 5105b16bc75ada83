/* SPDX-License-Identifier: MIT */
/*
** Launchers for the ahead-of-time compiled kernels in the .cu files in kernels/ (CUB
** reductions, compaction, iota, integer matmul, random numbers). Called by
** the CUDA backend (src/backend/cuda). Every launcher enqueues on the
** stream it is given and returns a cudaError_t as an int (0 on success),
** never synchronises, and takes its scratch memory from a stream-ordered
** allocator provided by the backend (a NULL result means out of memory:
** return cudaErrorMemoryAllocation). Element pointers carry byte offsets
** already applied.
**
** kernels/ asks the CUDA runtime nothing but the launch (and CUB's calls,
** its launches): what sizes a launch (multiprocessors, grid limits, a
** kernel's occupancy) comes from the backend in an lu_k_env, which
** src/backend/cuda/launch.c fills from the facts it caches per device.
*/
#ifndef lu_kernels_h
#define lu_kernels_h

#include "lu_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lu_k_scratch {
  void *(*alloc)(void *ud, size_t nbytes);
  void (*free)(void *ud, void *p);
  void *ud;
} lu_k_scratch;

/* The device and stream a launcher works on, as the backend knows them. */
typedef struct lu_k_env {
  void *stream;                 /* cudaStream_t to enqueue on */
  int sm_count;                 /* multiprocessors */
  unsigned max_grid_y, max_grid_z;   /* largest grid extents (x: 2^31 - 1) */
  /* blocks of `kernel` (a __global__ function's address) that fit on one
  ** multiprocessor at `threads` threads and no dynamic shared memory, at
  ** least 1; asked of the runtime once per device and kernel */
  int (*occupancy)(void *ud, const void *kernel, int threads);
  void *ud;
  lu_k_scratch scratch;
} lu_k_env;


/* {===== reductions (kernels/reduce*.cu): every row of lu_reduce.def
** Launch geometry, planned by the backend (src/backend/cuda/reduce.c):
**   LU_K_RED_CUB   one output of a contiguous run: CUB DeviceReduce (rows
**                  that have it, see lu_k_reduce_info);
**   LU_K_RED_ROWS  inner == 1: `group` threads (1, 32 or LU_K_RED_THREADS)
**                  per (row, segment), LU_K_RED_THREADS threads a block;
**   LU_K_RED_COLS  inner > 1: a LU_K_RED_TX x LU_K_RED_TY block per
**                  (segment, tile of LU_K_RED_TX inner positions).
** With nsplit > 1 the reduced axis is cut into segments of seg_len, whose
** accumulators go to scratch, and a second kernel combines them, `cgroup`
** threads (32 or LU_K_RED_THREADS) per output on `cblocks` blocks. */
#define LU_K_RED_THREADS 256
#define LU_K_RED_TX 32
#define LU_K_RED_TY 8
enum { LU_K_RED_CUB, LU_K_RED_ROWS, LU_K_RED_COLS };

typedef struct lu_k_reduce_plan {
  int path;               /* LU_K_RED_* */
  int group;              /* rows: threads per (row, segment) */
  int64_t nsplit, seg_len;
  unsigned blocks;        /* grid of the first pass */
  int cgroup;             /* second pass: threads per output */
  unsigned cblocks;       /* grid of the second pass */
} lu_k_reduce_plan;

/* What the planner needs to know of the kernels of row op on dtype dt:
** the rows kernel (for its occupancy), whether a CUB path exists, and the
** size of one accumulator. Returns cudaErrorInvalidValue for a row the
** kernels do not instantiate for dt (nansum of ints: the core asks for sum). */
typedef struct lu_k_reduce_info {
  const void *rows_fn;
  int has_cub;
  size_t acc_size;
} lu_k_reduce_info;
int lu_k_reduce_query(lu_redop op, lu_dtype dt, lu_k_reduce_info *info);

/* The reduction c (out_dt is the row's result dtype) with geometry p, on
** env's stream and scratch. */
int lu_k_reduce(const lu_reduce_call *c, const lu_k_reduce_plan *p, const lu_k_env *env);
/* }===== */

/* out[i] = start + i*step (computed in double) converted to dt */
int lu_k_iota(lu_dtype dt, void *out, int64_t n, double start, double step,
              const lu_k_env *env);

/* Row copies in one launch (lu_backend.copy2d_batch): up to
** LU_K_COPY_MAXP pieces, each with the widest access (16, 8, 4, 2 or 1
** bytes: 1 << vshift) that divides its addresses, width and pitches. */
#define LU_K_COPY_MAXP 16
typedef struct lu_k_copy_piece {
  char *dst;
  const char *src;
  int64_t dpitch, spitch;   /* bytes */
  int64_t rowv, rows;       /* accesses a row, rows */
  int64_t block0;           /* the piece's first block */
  int vshift, pad_;
} lu_k_copy_piece;
typedef struct lu_k_copy_call {
  lu_k_copy_piece p[LU_K_COPY_MAXP];
  int n, pad_;
} lu_k_copy_call;
/* the blocks a piece of `accesses` accesses gets */
int64_t lu_k_copy_blocks(int64_t accesses);
int lu_k_copy_rows(const lu_k_copy_call *c, int64_t blocks, const lu_k_env *env);

/* see lu_backend.mask_select / mask_scatter */
int lu_k_mask_select(lu_dtype dt, const void *in, const void *mask, int64_t n,
                     void *out, const lu_k_env *env);
int lu_k_mask_scatter(lu_dtype dt, void *arr, const void *mask, int64_t n,
                      const void *vals, const lu_k_env *env);

/* The device's record of the first out-of-range index met by an index
** kernel (kernels/index.cu): set once (flag) by the failing thread, read
** and cleared by the host at the next synchronisation. name is the call's
** lu_gather_call.name (a string literal of the core). */
typedef struct lu_k_ixerr {
  int flag;
  int axis;                  /* 1-based; 0: "for size N" */
  long long index;           /* as a Lua position */
  long long size;
  unsigned long long name;
} lu_k_ixerr;

/* see lu_index_family.gather / scatter (lu_backend.h); err is the device
** address of the record */
int lu_k_gather(const lu_gather_call *c, lu_k_ixerr *err, const lu_k_env *env);
int lu_k_scatter(const lu_gather_call *c, lu_k_ixerr *err, const lu_k_env *env);
/* 1 when lu_k_scatter can accumulate (op != LU_SC_ASSIGN) into dtype dt */
int lu_k_accum_supported(lu_dtype dt);
/* see lu_index_family.nonzero / mask_fill; h_value: one element of dt */
int lu_k_nonzero(const void *mask, int64_t n, int ndim, const int64_t *shape, int64_t count,
                 int64_t *out, int base, const lu_k_env *env);
int lu_k_mask_fill(lu_dtype dt, void *arr, const void *mask, int64_t n, const void *h_value,
                   const lu_k_env *env);

/* matmul for dtypes cuBLAS does not cover (bool, ints); same layout as
** lu_matmul_call */
int lu_k_matmul_generic(const lu_matmul_call *c, const lu_k_env *env);

/* n random numbers of dtype dt (float32 or float64), dist 0 uniform [0, 1)
** or 1 standard normal (lu_randdist), elements offset .. offset + n - 1 of
** the stream of `seed` defined in src/core/lu_philox.h (the CPU backend's
** stream, bit for bit for uniforms) */
int lu_k_random(lu_dtype dt, void *out, int64_t n, int dist, uint64_t seed, uint64_t offset,
                const lu_k_env *env);
/* a per-element sampler (lu_samplers.def) as lu_sample_call describes,
** the CPU backend's values (lu_samplers.h) */
int lu_k_sample(const lu_sample_call *c, const lu_k_env *env);

/* linalg.cu: helpers of the batched cuBLAS/cuSOLVER calls.
** ptrs[k] = base + k * stride (bytes), k < n: the pointer arrays that the
** batched small-matrix routines take */
int lu_k_linalg_ptrs(void **ptrs, char *base, int64_t stride, int64_t n, const lu_k_env *env);
/* out[k] = in[k], int32 pivots widened to int64, k < n */
int lu_k_linalg_widen(int64_t *out, const int *in, int64_t n, const lu_k_env *env);
/* info[n] += the count of k < n with info[k] != 0 (info[n] zeroed by the
** caller): a long stack's one number to read back where all succeeded */
int lu_k_linalg_count_nz(int *info, int64_t n, const lu_k_env *env);
/* the imaginary parts of n complex numbers (pairs of floats, or of
** doubles when dbl) negated in place: conj(V) from a Jacobi SVD's V */
int lu_k_linalg_conj(void *p, int64_t n, int dbl, const lu_k_env *env);
/* n numbers from float to double (widen) or from double to float, rounded:
** a float32 SVD computed in double precision */
int lu_k_linalg_f32_f64(void *out, const void *in, int64_t n, int widen, const lu_k_env *env);
/* a real general eigensolver's results in complex form, for batch
** matrices of order n: w (n complex each) from wri (wr then wi, n reals
** each); v (n x n complex, column-major; NULL: none) from vr (n x n reals,
** LAPACK's packing of conjugate pairs). Floats, or doubles when dbl. */
int lu_k_linalg_unpack_eig(void *w, void *v, const void *wri, const void *vr, int64_t n,
                           int64_t batch, int dbl, const lu_k_env *env);
/* LAPACK's laswp on one vector b of n elements of es bytes (4, 8 or 16),
** in shared memory (n * es <= LU_K_LASWP_SMEM): getrf's row interchanges
** (1-based ipiv) in order (b <- P b), or last to first when reverse
** (b <- P^T b) */
#define LU_K_LASWP_SMEM 49152
int lu_k_linalg_laswp_vec(void *b, const int64_t *ipiv, int64_t n, int es, int reverse,
                          const lu_k_env *env);
/* out[:, idx[k]] = in[:, k] for one n x n column-major matrix (n <= 65535)
** of elements of es bytes (4, 8 or 16): the inverse's columns put in place */
int lu_k_linalg_colperm(void *out, const void *in, const int *idx, int64_t n, int es,
                        const lu_k_env *env);
/* out = in^T for one n x n matrix (column-major either way) of elements of
** es bytes (4, 8 or 16): gesvd's V^T into the V that the core reads */
int lu_k_linalg_transpose(void *out, const void *in, int64_t n, int es, const lu_k_env *env);
/* solve (b <- A^-1 b, or A^-T b when trans) or, when inv, the inverse (b <-
** A^-1, b not read) of batch real matrices of order n <= 32 (nrhs <= n
** columns of b), column-major, in one pass (Gauss-Jordan, partial
** pivoting); info[k]: getrf's zero pivot (its results unwritten), 0 with
** NaN results for a matrix holding a NaN. Floats, or doubles when dbl. */
int lu_k_linalg_small_solve(const void *a, void *b, int *info, int64_t batch, int n, int nrhs,
                            int trans, int inv, int dbl, const lu_k_env *env);
/* eigenvalues ascending into w (batch x n) and, when vec, eigenvectors
** over a (column k for w[k]) of batch finite real symmetric matrices of
** order n <= 32, column-major, by parallel cyclic Jacobi (the triangle
** upper names is read). Floats, or doubles when dbl. */
int lu_k_linalg_small_eigh(void *a, void *w, int64_t batch, int n, int upper, int vec, int dbl,
                           const lu_k_env *env);

/* The sort family (lu_backend.h's calls): sort.cu, scan.cu, search.cu, hist.cu. lu_k_runs
** (c->n > 0) leaves the run count in d_nruns (device); bincount and histogram add into
** c->out, zeroed by the host glue; lu_k_quantile reads c->q from device memory (copied there). */
/* lu_k_sort's keys of one row of integers sort only the bits [lo, hi) (hi 0: every
** bit; the caller has seen, by lu_k_andor, that the keys differ nowhere else).
** lu_k_andor: the AND and the OR of n words of `width` bytes (4 or 8) at x into the
** two words at r, which hold ~0 and 0 before the launch (set by the host glue). */
int lu_k_sort(const lu_sort_call *c, int lo, int hi, const lu_k_env *env);
int lu_k_andor(const void *x, int64_t n, int width, void *r, const lu_k_env *env);
int lu_k_quantile(const lu_quantile_call *c, const lu_k_env *env);
int lu_k_scan(const lu_scan_call *c, const lu_k_env *env);
int lu_k_search(const lu_search_call *c, const lu_k_env *env);
int lu_k_sortgather(int elsize, int64_t nrow, const void *in, int64_t in_rs, const int64_t *idx,
                int64_t idx_rs, int64_t nidx, int64_t base, void *out, const lu_k_env *env);
int lu_k_sortscatter(int elsize, int64_t nrow, const void *in, const int64_t *idx, int64_t nidx,
                 int64_t base, void *out, int64_t out_rs, const lu_k_env *env);
int lu_k_runs(const lu_runs_call *c, int64_t *d_nruns, const lu_k_env *env);
int lu_k_bincount(const lu_hist_call *c, const lu_k_env *env);
int lu_k_histogram(const lu_hist_call *c, const lu_k_env *env);

/* p[i] *= scale for the n values of dtype real_dt (float32 or float64) at
** p, the dense output of an FFT (an array's buffer start, so aligned for
** two values at a time) */
int lu_k_fft_scale(lu_dtype real_dt, void *p, int64_t n, double scale, const lu_k_env *env);

#ifdef __cplusplus
}
#endif
#endif
