/* SPDX-License-Identifier: MIT */
/*
** The backend interface: what a backend (src/backend/cpu, src/backend/cuda)
** implements and the few core functions it may call. Backends see the
** context only through the functions at the end of this file.
**
** A backend is one lu_backend: its device services plus one table per op
** family. The core prepares every call completely (shapes broadcast, axes
** merged, scalars converted, output allocated), so an entry only does the
** work. A backend may leave a whole family, or one entry of a family, NULL:
** the core then reports "NAME: not available on DEVICE" (lu_family).
**
** Versions, as SQLite's VFS does it: a backend states the interface version
** it was written for. The core reads a family that arrived in a later
** version than the backend's as NULL, so an older backend keeps working
** when families are added; new families and new entries are only ever
** appended. History:
**   1  one flat struct (the foundation)
**   2  device services and families: ewise, reduce, linalg, fft, sort,
**      random, index, io
*/
#ifndef lu_backend_h
#define lu_backend_h

#include "lu_types.h"

#define LU_BACKEND_VERSION 2

/* {====================================================== call descriptors */
/* An elementwise launch, fully prepared by the core: operands broadcast to
** the output shape, dims merged, scalars converted to the compute type.
** out = EXPR(in0, in1, in2) where every array input is first converted from
** in_dt[k] to ct, and the result (of dtype ct, or bool for LU_R_CMP) is
** converted to out_dt on store (to bool as "!= 0"). */
typedef struct lu_ewise_call {
  lu_op op;
  int nin;
  lu_dtype ct;                   /* compute dtype */
  lu_dtype rt;                   /* dtype the expression yields (ct, or bool) */
  lu_dtype in_dt[3];             /* dtype of array input k */
  int in_scalar[3];              /* 1: input k is the scalar in_val[k] */
  lu_value in_val[3];            /* scalar inputs, already of dtype ct */
  const char *in_ptr[3];         /* address of element 0 of array input k */
  lu_dtype out_dt;
  char *out_ptr;                 /* address of element 0 of the output */
  int64_t n;                     /* elements (product of shape) */
  int ndim;                      /* >= 1 after merging */
  int64_t shape[LU_MAXDIM];
  int64_t out_strides[LU_MAXDIM];
  int64_t in_strides[3][LU_MAXDIM];  /* bytes; 0 where broadcast */
  int contiguous;  /* 1: ndim == 1 and every array operand (and out) has
                      stride == its itemsize: a flat loop over n elements */
  lu_device dev;
} lu_ewise_call;

/* A reduction (a row of lu_reduce.def) over one (merged) axis:
**   out[o, j] = FIN(COMBINE over r of MAP(in[o*s_outer + r*s_red + j*s_inner], r), red)
** for o < outer, j < inner, r < red; out is contiguous, shape (outer, inner),
** of dtype out_dt, which is always lu_red_result(op, in_dt) (the core casts
** for NumPy's dtype=). "Reduce everything" is outer = inner = 1. red may be
** 0: every output is then FIN(IDENT, 0). The row fixes the accumulator:
** acc_dt is not read (it stays for callers written before the table).
** Positions (argmin ...) are 0-based along the run. ddof is var's. */
typedef struct lu_reduce_call {
  lu_redop op;
  lu_dtype in_dt, acc_dt, out_dt;
  const char *in_ptr;
  int64_t outer, red, inner;
  int64_t s_outer, s_red, s_inner;   /* bytes */
  char *out_ptr;
  lu_device dev;
  double ddof;
} lu_reduce_call;

/* C[b] = A[b] @ B[b] for b < batch, all of dtype dt, row-major matrices:
** A is M x K with row stride lda and column stride 1 element, unless
** trans_a, in which case A is stored as K x M (A = stored^T) likewise for B.
** Strides are in elements; bstride_* is the element stride between batches
** (0 for a broadcast operand). C is dense: ldc == N, bstride_c == M*N. */
typedef struct lu_matmul_call {
  lu_dtype dt;
  int64_t batch, M, N, K;
  const char *a_ptr, *b_ptr;
  char *c_ptr;
  int trans_a, trans_b;
  int64_t lda, ldb, ldc;
  int64_t bstride_a, bstride_b, bstride_c;
  lu_device dev;
} lu_matmul_call;

/* A LAPACK routine on a batch of matrices (the linalg family's `lapack`
** entry). The core makes every operand a dense, contiguous array that it
** owns: matrix k of an operand starts k matrices after matrix 0, and each
** matrix is COLUMN-major with its leading dimension equal to its row count
** (the core passes row-major data as its transpose and reads the results
** back through views, so nothing is copied twice). Sizes in elements.
**   LU       a (m x n) <- L\U, ipiv (int64, min(m,n) per matrix, 1-based)
**   SOLVE    a (n x n) <- L\U, b (n x nrhs) <- a^-1 b (trans: a^-T b)
**   INV      as SOLVE with b = I (n x n) on entry; a backend may instead
**            write a^-1 to b directly (batched small-matrix inverses)
**   CHOLESKY a (n x n): the `upper` triangle <- its factor (U^T U = a when
**            upper, L L^T = a otherwise); the other triangle is left as it
**            was
**   QR       a (m x n) <- Householder reflectors (geqrf), tau (min(m,n))
**   ORGQR    a (m x n, m >= n) holding k = nrhs reflectors in its first
**            columns, tau (k) <- Q's first n columns (orgqr)
**   SVD      a (m x n, m >= n; destroyed) = U diag(s) V^T -> s (n,
**            descending); jobs 0: no vectors, 1: u (m x n) and v (n x n;
**            V, not V^T: what Jacobi SVDs give), 2: u (m x m) and v
**   EIGH     a (n x n, the `upper` or lower triangle read) -> w (n,
**            ascending); jobs 1: a <- the eigenvectors (columns)
** info (host memory, batch ints, written by every call) is LAPACK's: 0
** success, > 0 the routine's failure (a zero pivot, a leading minor not
** positive definite, no convergence); the core turns it into an error that
** names the matrix. A GPU backend waits for the device to read info back:
** one of the few places where lunar synchronises. */
typedef enum lu_la_op {
  LU_LA_LU, LU_LA_SOLVE, LU_LA_INV, LU_LA_CHOLESKY, LU_LA_QR, LU_LA_ORGQR,
  LU_LA_SVD, LU_LA_EIGH
} lu_la_op;

typedef struct lu_la_call {
  lu_la_op op;
  lu_dtype dt;                  /* float32, float64 */
  int64_t batch, m, n, nrhs;
  char *a, *b;                  /* b: SOLVE, INV */
  char *s;                      /* SVD: s; EIGH: w; QR, ORGQR: tau (dtype dt) */
  char *u, *v;                  /* SVD */
  int64_t *ipiv;                /* LU */
  int trans;                    /* SOLVE: solve with a^T */
  int upper;                    /* CHOLESKY, EIGH: which triangle */
  int jobs;                     /* SVD, EIGH: which vectors */
  int *info;                    /* host, batch entries */
  lu_device dev;
} lu_la_call;

/* A batch of FFTs over `rank` axes (1..3; more only as the family's
** max_rank allows), fully prepared by the core (src/core/fft.c):
**   LU_FFT_C2C  complex -> complex; exp(-2 pi i ...) when `forward`,
**               exp(+...) otherwise
**   LU_FFT_R2C  real -> complex, forward; along the last transform axis
**               the input has n[rank-1] values and the output n/2 + 1
**   LU_FFT_C2R  complex -> real, inverse; the reverse of R2C. Of the
**               first value, and of the last when n is even, the
**               imaginary part is ignored (NumPy's rule). When the family
**               sets c2r_clobbers the backend may overwrite the input (the
**               core then hands it a scratch copy).
** Unscaled, then multiplied by `scale` (1: no pass). in_dt and out_dt are
** of one precision (float32/complex64 or float64/complex128). Element
** (i_0 .. i_rank-1) of batch entry (b_0 .. b_nbatch-1) is read at
**   in + sum_k i_k is[k] + sum_d b_d ibs[d]
** and written at out with os and obs likewise: strides in elements of
** in_dt and out_dt. For rank > 1 the transform axes are nested: is[k] is
** a positive multiple of is[k+1] and at least is[k+1] times the stored
** extent of axis k+1 (likewise os). out is a dense block of out_size
** elements that the call fills (it may be `in` itself: in place, same
** strides). */
typedef struct lu_fft_call {
  lu_fftkind kind;
  int forward;
  lu_dtype in_dt, out_dt;
  int rank;
  int64_t n[3];
  int64_t is[3], os[3];
  int nbatch;
  int64_t bn[LU_MAXDIM], ibs[LU_MAXDIM], obs[LU_MAXDIM];
  const void *in;
  void *out;
  int64_t out_size;
  double scale;
  lu_device dev;
} lu_fft_call;
/* }====================================================== */

/* {====================================================== device services */
/* Every entry returns an lu_status and reports failures with lu_seterr();
** "dev" is the device index within the backend. Work is enqueued
** asynchronously where the backend can; "download" and "synchronize" wait.
** Output memory is always allocated by the core. */
typedef struct lu_device_services {
  /* number of usable devices (0 when none: no driver, no GPU) */
  int (*device_count)(lu_ctx *ctx);
  int (*alloc)(lu_ctx *ctx, int dev, size_t nbytes, void **p);
  void (*free)(lu_ctx *ctx, int dev, void *p);
  /* copy n bytes host->device; h_src may be reused as soon as it returns */
  int (*upload)(lu_ctx *ctx, int dev, void *d_dst, const void *h_src, size_t n);
  /* copy n bytes device->host; waits for pending work on the device */
  int (*download)(lu_ctx *ctx, int dev, void *h_dst, const void *d_src, size_t n);
  int (*synchronize)(lu_ctx *ctx, int dev);
  int (*memory_info)(lu_ctx *ctx, int dev, size_t *free_b, size_t *total_b);
  int (*event_create)(lu_ctx *ctx, int dev, lu_event **ev);
  int (*event_record)(lu_ctx *ctx, lu_event *ev);
  int (*event_synchronize)(lu_ctx *ctx, lu_event *ev);
  /* milliseconds from a to b; both recorded and complete */
  int (*event_elapsed)(lu_ctx *ctx, lu_event *a, lu_event *b, float *ms);
  void (*event_destroy)(lu_ctx *ctx, lu_event *ev);
  /* release this context's per-backend state (streams, handles, pools) */
  void (*shutdown)(lu_ctx *ctx);
} lu_device_services;
/* }====================================================== */

/* {====================================================== families
** One table per op family; the core file of the same family (ewise.c,
** reduce.c, matmul.c, create.c, mask.c ...) is the only caller. Families
** declared but not yet defined here have no entries so far: their table
** type is completed when the first entry lands. */
typedef struct lu_ewise_family {
  int (*ewise)(lu_ctx *ctx, const lu_ewise_call *c);
  /* out (contiguous, n elements of dtype dt): out[i] = start + i*step,
  ** computed in double and converted to dt */
  int (*iota)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
              double start, double step);
} lu_ewise_family;

typedef struct lu_reduce_family {
  int (*reduce)(lu_ctx *ctx, const lu_reduce_call *c);
} lu_reduce_family;

typedef struct lu_linalg_family {
  int (*matmul)(lu_ctx *ctx, const lu_matmul_call *c);
  /* a LAPACK routine on a batch (lu_la_call); c->info is always written */
  int (*lapack)(lu_ctx *ctx, const lu_la_call *c);
} lu_linalg_family;

typedef struct lu_random_family {
  /* out (contiguous, n elements, float32 or float64) from a counter-based
  ** generator: element i of the stream is a function of (seed, offset + i) */
  int (*fill)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
              lu_randdist dist, uint64_t seed, uint64_t offset);
} lu_random_family;

typedef struct lu_index_family {
  /* out[j] = in[i] for each i with mask[i] != 0, in order; in and mask are
  ** contiguous of n elements (mask bool), out has room for them all */
  int (*mask_select)(lu_ctx *ctx, lu_device dev, lu_dtype dt, const void *in,
                     const void *mask, int64_t n, void *out);
  /* the reverse: arr[i] = vals[j] for the j-th i with mask[i] != 0 */
  int (*mask_scatter)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                      const void *mask, int64_t n, const void *vals);
} lu_index_family;

/* FFTs (cpu_fft.c, cuda/fft.c) and the backend's plan cache, per device
** (lu_fft_cache_info in lu_types.h). cache_limit sets either limit, the
** other given as LU_FFT_KEEP; max_memsize -1 is no bound; plans beyond
** the limits are dropped, least recently used first. */
typedef struct lu_fft_family {
  int (*execute)(lu_ctx *ctx, const lu_fft_call *c);
  int (*cache_info)(lu_ctx *ctx, lu_device dev, lu_fft_cache_info *info);
  int (*cache_limit)(lu_ctx *ctx, lu_device dev, int64_t max_size, int64_t max_memsize);
  int (*cache_clear)(lu_ctx *ctx, lu_device dev);
  int max_rank;          /* transform axes one call may carry (>= 1) */
  int c2r_clobbers;      /* 1: LU_FFT_C2R may overwrite its input */
} lu_fft_family;
typedef struct lu_sort_family lu_sort_family;   /* no entries yet */
typedef struct lu_io_family lu_io_family;       /* no entries yet */
/* }====================================================== */

/* {====================================================== the backend */
struct lu_backend {
  int version;                       /* LU_BACKEND_VERSION it was written for */
  const char *name;                  /* "cpu", "cuda" */
  const lu_device_services *dev;     /* required */
  const lu_ewise_family *ewise;      /* since version 2, as every family */
  const lu_reduce_family *reduce;
  const lu_linalg_family *linalg;
  const lu_fft_family *fft;
  const lu_sort_family *sort;
  const lu_random_family *random;
  const lu_index_family *index;
  const lu_io_family *io;
};

extern const lu_backend lu_cpu_backend;
#ifdef LUNAR_HAVE_CUDA
extern const lu_backend lu_cuda_backend;
#endif
/* }====================================================== */

/* {====================================================== what a backend may call */
/* Store a message and a code on the context; returns the code. */
int lu_seterr(lu_ctx *ctx, lu_status code, const char *fmt, ...);
/* The message of the last failure, for a backend that adds context to it. */
const char *lu_ctx_errmsg(const lu_ctx *ctx);
/* The op the core is running on the backend ("sum", "add", "to_host"), or
** NULL. A backend's own failure messages start with it (DESIGN §3):
** "sum: cuda: cudaMemcpyAsync(...) failed: out of memory (ewise.c:123)". */
const char *lu_ctx_op(const lu_ctx *ctx);
/* The backend's own per-context state (NULL until it sets it). */
void *lu_ctx_backend_state(const lu_ctx *ctx, lu_devtype type);
void lu_ctx_set_backend_state(lu_ctx *ctx, lu_devtype type, void *state);
/* A GPU backend may offer page-locked host memory for large CPU buffers
** (transfers from/to such buffers need no staging). host_alloc returns
** LU_OK or, quietly (no message), non-zero: the caller then uses ordinary
** memory. host_free returns 1 when p came from host_alloc (and takes it
** back), 0 when it did not. Set both to NULL to withdraw the offer. */
typedef int (*lu_host_alloc_fn)(lu_ctx *ctx, size_t nbytes, void **p);
typedef int (*lu_host_free_fn)(lu_ctx *ctx, void *p);
void lu_ctx_set_host_allocator(lu_ctx *ctx, lu_host_alloc_fn alloc, lu_host_free_fn free);
/* The CPU backend's side of that offer: LU_OK with *p set when page-locked
** memory was given, non-zero otherwise; lu_host_free returns 1 when it took
** p back. */
int lu_host_alloc(lu_ctx *ctx, size_t nbytes, void **p);
int lu_host_free(lu_ctx *ctx, void *p);
/* A cache of large blocks (blockcache.c): size classes, freed blocks kept
** for reuse (newest first, oldest dropped past cache_limit bytes), at most
** total_limit bytes live and kept together (SIZE_MAX: no bound); fresh
** blocks from fresh(ud, size) (NULL: none), given back through
** release(ud, p, size). Thread-safe. _alloc returns NULL when no block can
** be had; _free returns 1 when p was the cache's (kept or released), 0 for
** any other pointer; _contains says whether [p, p + n) lies in one live
** block; _trim releases the kept blocks, _destroy every block. */
typedef struct lu_blockcache lu_blockcache;
lu_blockcache *lu_blockcache_new(void *(*fresh)(void *ud, size_t size),
                                 void (*release)(void *ud, void *p, size_t size), void *ud,
                                 size_t cache_limit, size_t total_limit);
void *lu_blockcache_alloc(lu_blockcache *bc, size_t nbytes);
int lu_blockcache_free(lu_blockcache *bc, void *p);
int lu_blockcache_contains(lu_blockcache *bc, const void *p, size_t n);
void lu_blockcache_trim(lu_blockcache *bc);
void lu_blockcache_destroy(lu_blockcache *bc);
/* "(3,4)" style, NumPy's repr of a shape tuple; returns buf */
const char *lu_shape_str(int ndim, const int64_t *shape, char *buf, size_t len);
/* "cpu", "cuda:0"; buf of at least 16 bytes; returns buf */
const char *lu_device_str(lu_device dev, char *buf);
/* }====================================================== */

#endif
