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
**      random, index, io (the sort family's entries since it was
**      completed: sort, scan, search, gather, scatter, runs, bincount,
**      histogram, quantile). Entries appended while 2 was current, before
**      the rule below was kept: the device services' copy2d and the index
**      family's nonzero and mask_fill; the core reads them from a
**      version-2 backend (both in-tree backends define them).
**   3  the device services' copy2d_batch.
**   4  the io family's map_shared and sync (lunar.memmap).
**   5  the linalg family's small (one-pass solve and inv of small stacks).
** From 3 on, an appended entry raises the version, and the core reads it
** only from a backend of that version or later (lu_has_service).
*/
#ifndef lu_backend_h
#define lu_backend_h

#include "lu_types.h"

#define LU_BACKEND_VERSION 5

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
**            descending, real); jobs 0: no vectors, 1: u (m x n) and v
**            (n x n: V, not V^T, what Jacobi SVDs give; conj(V) for complex
**            dtypes, so that v read row-major is V^H), 2: u (m x m) and v
**   EIGH     a (n x n, the `upper` or lower triangle read) -> w (n,
**            ascending; real for complex dtypes, as s is); jobs 1: a <- the
**            eigenvectors (columns)
**   EIG      a (n x n; destroyed) -> w (n, LAPACK's order); jobs 1: v
**            (n x n) the right eigenvectors (columns, unit norm, largest
**            component real: geev's). w and v are complex also for a
**            real dt (complex64 for float32): a real geev's conjugate
**            pairs unpacked, its real eigenvalues with imaginary part 0
** info (host memory, batch ints, zeroed by the core before the call and
** written by every call; the small entry may leave the 0s as they are) is LAPACK's: 0
** success, > 0 the routine's failure (a zero pivot, a leading minor not
** positive definite, no convergence); the core turns it into an error that
** names the matrix. A GPU backend waits for the device to read info back:
** one of the few places where lunar synchronises. */
typedef enum lu_la_op {
  LU_LA_LU, LU_LA_SOLVE, LU_LA_INV, LU_LA_CHOLESKY, LU_LA_QR, LU_LA_ORGQR,
  LU_LA_SVD, LU_LA_EIGH, LU_LA_EIG
} lu_la_op;

typedef struct lu_la_call {
  lu_la_op op;
  lu_dtype dt;                  /* float32, float64, complex64, complex128 */
  int64_t batch, m, n, nrhs;
  char *a, *b;                  /* b: SOLVE, INV */
  char *s;                      /* SVD: s; EIGH, EIG: w; QR, ORGQR: tau */
  char *u, *v;                  /* SVD; EIG: v */
  int64_t *ipiv;                /* LU */
  int trans;                    /* SOLVE: solve with a^T */
  int upper;                    /* CHOLESKY, EIGH: which triangle */
  int jobs;                     /* SVD, EIGH: which vectors */
  int *info;                    /* host, batch entries */
  int *info_nz;                 /* host, one int (the core sets it to -1): an
                                ** entry may store how many info entries are
                                ** not 0; where it stores 0 the core does not
                                ** read info (100000 zeros were 0.1 ms) */
  lu_device dev;
} lu_la_call;
/* A gather or a scatter through integer index arrays, prepared by the core
** (NumPy's advanced indexing, take, put, take_along_axis, choose, add_at).
** For every coordinate c of an iteration space of ndim dims (merged):
**   gather:  other[c] = arr[A(c)]
**   scatter: arr[A(c)] = other[c]  (op LU_SC_ASSIGN), or arr[A(c)] op= other[c]
** with A(c) = sum_d c_d*arr_strides[d] + sum_k pos_k(c)*ax_stride[k] (bytes
** from arr), where pos_k(c) is read from index array k at
** idx_ptr[k] + sum_d c_d*idx_strides[k][d] (integer dtype idx_dt[k]) and
** made 0-based on an axis of idx_size[k] elements: a negative value counts
** from the end (v + size), any other is v - idx_base[k] (1 for Lua's
** positions, so 0 is out of range). Mode LU_IX_RAISE: a position outside
** [0, size) is an error "NAME: index V is out of bounds for axis AX with
** size N" (V as a Lua position: v if v < 0, else v - base + 1; AX =
** idx_axis[k], already 1-based; "for size N" when AX is 0; no "NAME: "
** when name is ""); the CPU reports it at
** once and writes nothing, a GPU records it on the device and reports it at
** the next synchronisation (results of the call are then unspecified, the
** memory outside arr is never touched). LU_IX_WRAP and LU_IX_CLIP: NumPy's
** take modes applied to the NumPy index (v < 0 ? v : v - base).
** A scatter with several writers of one element keeps the value of the
** last coordinate in C order of the iteration space (NumPy's behaviour) on
** every device; accumulating ops combine every contribution (atomically on
** a GPU). For that a backend may number the targets: key(c) =
** sum_d c_d*key_strides[d] + sum_k pos_k(c)*key_ax[k] is a distinct number
** in [0, nkey) for each element of arr that can be written.
** other has dtype dt like arr (the core converts values first). */
#define LU_MAXIDX LU_MAXDIM
typedef struct lu_gather_call {
  const char *name;                  /* for messages ("take"; "" for a[...]),
                                        a string literal: a GPU may report
                                        it after the call has returned */
  int op;                            /* lu_scatter_op (a scatter only) */
  int mode;                          /* lu_ixmode */
  int uniform;                       /* scatter: every writer of an element
                                        writes the same value (no order) */
  lu_dtype dt;                       /* dtype of arr and other */
  char *arr;                         /* indexed array, element at A = 0 */
  char *other;                       /* gather: output; scatter: values */
  int ndim;                          /* >= 1 */
  int64_t n;                         /* product of shape */
  int64_t shape[LU_MAXDIM];
  int64_t arr_strides[LU_MAXDIM];    /* bytes, 0 on dims an index chooses */
  int64_t other_strides[LU_MAXDIM];  /* bytes (0: a broadcast value) */
  int64_t key_strides[LU_MAXDIM];    /* elements (see above) */
  int64_t nkey;
  int nidx;                          /* 0..LU_MAXIDX index arrays */
  lu_dtype idx_dt[LU_MAXIDX];
  const char *idx_ptr[LU_MAXIDX];
  int64_t idx_strides[LU_MAXIDX][LU_MAXDIM];
  int64_t idx_size[LU_MAXIDX];
  int64_t ax_stride[LU_MAXIDX];      /* bytes */
  int64_t key_ax[LU_MAXIDX];         /* elements */
  int idx_base[LU_MAXIDX];
  int idx_axis[LU_MAXIDX];           /* for messages, 1-based */
  lu_device dev;
} lu_gather_call;
/* }====================================================== */

/* {====================================================== sort family calls */
/* A stable sort of nrow rows of len keys each (in: contiguous, dtype dt),
** each row on its own: ascending, or with `descending` the reverse order
** for numbers (NaN still last, equal keys still in input order). out
** (NULL: not wanted) receives the sorted keys, idx (NULL: not wanted) the
** position in its row of each sorted key. */
typedef struct lu_sort_call {
  lu_dtype dt;
  int64_t nrow, len;
  const void *in;
  void *out;
  int64_t *idx;
  int64_t base;
  lu_device dev;
  int descending;
} lu_sort_call;

/* A scan along one (merged) axis, in the layout of lu_reduce_call:
**   out[o, r, j] = OP over r' <= r of in[o*s_outer + r'*s_len + j*s_inner]
** out is contiguous (outer, len, inner) of dtype dt, as the input, and the
** scan runs in that dtype. nan_skip: a NaN counts as the identity (0 for
** sum, 1 for prod). For MAX/MIN a NaN propagates, and idx (NULL: not
** wanted) receives the position r' of the running extreme, PyTorch's
** cummax: on ties and NaNs the later position. */
typedef struct lu_scan_call {
  lu_scanop op;
  int nan_skip;
  lu_dtype dt;
  const char *in;
  int64_t outer, len, inner;
  int64_t s_outer, s_len, s_inner;    /* bytes */
  char *out;
  int64_t *idx;
  int64_t base;
  lu_device dev;
} lu_scan_call;

/* For each of the m queries v[i]: its insertion position in the n sorted
** keys (left: the first position p with !(sorted[p] < v), right: the
** first with v < sorted[p]), as int64 in out; or, with `found`, a bool
** that is 1 when sorted holds a key equal to v[i] (XOR invert). */
typedef struct lu_search_call {
  lu_dtype dt;
  const void *sorted;
  int64_t n;
  const void *v;
  int64_t m;
  int right;
  int found, invert;
  void *out;
  int64_t base;
  lu_device dev;
} lu_search_call;

/* The runs of n sorted keys (with equal_nan, all NaNs are one run; else
** each NaN is a run of its own). Outputs, each NULL
** when not wanted, have room for n items: vals (dtype dt) the first key of
** each run, start (int64) its position + base, count (int64) its length,
** id (int64, n items) for each key the number of its run + base. *nruns is
** set on the host: the backend waits for the device. */
typedef struct lu_runs_call {
  lu_dtype dt;
  const void *keys;
  int64_t n;
  int equal_nan;
  void *vals;
  int64_t *start, *count, *id;
  int64_t base;
  int64_t *nruns;
  lu_device dev;
} lu_runs_call;

/* Counting into nbins bins (out: nbins values of out_dt, int64 without
** weights, float64 with; the backend zeroes it first).
** bincount: x is int64 in [0, nbins).
** histogram: x is float32 or float64 (dt); edges (nbins + 1 values of dt
** on the device, ascending) are uniform between lo and hi: the bin is
** estimated as (x - lo) / (hi - lo) * nbins and corrected against the
** edges (NumPy's rule: edges[b] <= x < edges[b+1], the last bin closed);
** values outside [lo, hi] and NaNs are left out. w: NULL or n float64
** weights. */
typedef struct lu_hist_call {
  lu_dtype dt;
  const void *x;
  int64_t n;
  const double *w;
  int64_t nbins;
  const void *edges;
  double lo, hi;
  void *out;
  lu_dtype out_dt;
  lu_device dev;
} lu_hist_call;

/* Quantiles of each of nrow rows of len values (in: contiguous, dtype dt,
** read only): out[k*nrow + r] is quantile q[k] (in [0, 1], host memory) of
** row r, by `method`, converted to out_dt. A row holding a NaN gives NaN;
** with nan_skip its NaNs are left out instead (a row of only NaNs gives
** NaN). len >= 1. */
typedef struct lu_quantile_call {
  lu_dtype dt;
  int64_t nrow, len;
  const void *in;
  int nan_skip;
  int nq;
  const double *q;
  lu_qmethod method;
  lu_dtype out_dt;
  void *out;
  lu_device dev;
} lu_quantile_call;

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

/* One row copy of copy2d's kind (copy2d_batch): height rows of width
** bytes from src to dst, rows spitch and dpitch bytes apart. */
typedef struct lu_copy_rows {
  void *dst;
  const void *src;
  size_t dpitch, spitch, width, height;
} lu_copy_rows;

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
  /* (appended) on one device, height rows of width bytes from d_src to
  ** d_dst, rows spitch and dpitch bytes apart (>= width; the regions do not
  ** overlap); enqueued like a kernel. NULL: the core copies elementwise. */
  int (*copy2d)(lu_ctx *ctx, int dev, void *d_dst, size_t dpitch, const void *d_src,
                size_t spitch, size_t width, size_t height);
  /* (version 3) n row copies on one device as one operation: the pieces of
  ** a concatenate, where a copy2d each would pay a launch and a ramp each.
  ** Each piece follows copy2d's rules; no destination overlaps another
  ** piece's source or destination. NULL: the core calls copy2d per piece. */
  int (*copy2d_batch)(lu_ctx *ctx, int dev, int n, const lu_copy_rows *pieces);
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
  /* (5) SOLVE or INV of a batch of float32 or float64 matrices of order
  ** n <= LU_LA_SMALL_N (nrhs <= n) in one pass, as lapack's, except that
  ** INV's b is not read on entry, a is only read (the core may pass the
  ** caller's own array), info's zero entries may stay unwritten, a matrix whose
  ** info is > 0 has its results unwritten, and a matrix holding a NaN has
  ** NaN results (info 0), as LAPACK gives them, so the core needs neither
  ** the identity nor NaN checks of its own. NULL: the core calls lapack. */
  int (*small)(lu_ctx *ctx, const lu_la_call *c);
} lu_linalg_family;
#define LU_LA_SMALL_N 32

/* One call of a per-element sampler (lu_samplers.def, lu_samplers.h):
** out[i] = row's value for element offset + i of the stream of seed, with
** parameter k = par[k], or d_par[k][i] where d_par[k] is not NULL (n
** contiguous float64 on the device). The integers row with no d_par takes
** its bounds exactly from ilow and irange (0: the whole 2^64). out is
** contiguous: float32 or float64 for kind f rows, int64 for kind i. */
typedef struct lu_sample_call {
  lu_device dev;
  int row;                 /* lu_sampler */
  lu_dtype dt;
  void *out;
  int64_t n;
  uint64_t seed, offset;
  double par[3];
  const double *d_par[3];
  int64_t ilow;
  uint64_t irange;
} lu_sample_call;

typedef struct lu_random_family {
  /* out (contiguous, n elements, float32 or float64) from a counter-based
  ** generator: element i of the stream is a function of (seed, offset + i) */
  int (*fill)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
              lu_randdist dist, uint64_t seed, uint64_t offset);
  /* a per-element sampler (lu_sample_call) */
  int (*sample)(lu_ctx *ctx, const lu_sample_call *c);
} lu_random_family;

typedef struct lu_index_family {
  /* out[j] = in[i] for each i with mask[i] != 0, in order; in and mask are
  ** contiguous of n elements (mask bool), out has room for them all */
  int (*mask_select)(lu_ctx *ctx, lu_device dev, lu_dtype dt, const void *in,
                     const void *mask, int64_t n, void *out);
  /* the reverse: arr[i] = vals[j] for the j-th i with mask[i] != 0 */
  int (*mask_scatter)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                      const void *mask, int64_t n, const void *vals);
  /* lu_gather_call: other[c] = arr[A(c)] */
  int (*gather)(lu_ctx *ctx, const lu_gather_call *c);
  /* lu_gather_call: arr[A(c)] = other[c], or arr[A(c)] op= other[c] */
  int (*scatter)(lu_ctx *ctx, const lu_gather_call *c);
  /* The coordinates of the count non-zero elements of the contiguous bool
  ** array mask (n elements, C-order shape of ndim dims), in C order:
  ** out[d*count + j] = coordinate d of the j-th (int64, + base) */
  int (*nonzero)(lu_ctx *ctx, lu_device dev, const void *mask, int64_t n, int ndim,
                 const int64_t *shape, int64_t count, int64_t *out, int base);
  /* arr[i] = v for each i with mask[i] != 0; arr and mask contiguous of n
  ** elements, v already of arr's dtype dt */
  int (*mask_fill)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                   const void *mask, int64_t n, lu_value v);
} lu_index_family;

typedef struct lu_fft_family lu_fft_family;     /* no entries yet */
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
/* Files (fileio.c): a backend that can hold a file's pages as an array's
** memory. map_file maps nbytes of the open file fd (from byte 0) into
** memory private to the process: the pages are read on demand, and writes
** go to the process's copy of a page, never to the file. *p is what the
** backend's `free` is later given for it (it must unmap it). */
typedef struct lu_io_family {
  int (*map_file)(lu_ctx *ctx, int fd, size_t nbytes, void **p);
  /* (version 4) as map_file, but shared: writes to the memory reach the
  ** file (fd must be open for reading and writing) */
  int (*map_shared)(lu_ctx *ctx, int fd, size_t nbytes, void **p);
  /* (version 4) writes a shared mapping's changed pages to its file now
  ** (p: what map_shared gave); *mapped = 0 when p is no mapping of this
  ** backend, 1 for a private one (nothing to write), 2 for a shared one */
  int (*sync)(lu_ctx *ctx, void *p, int *mapped);
} lu_io_family;

/* The sort family: sorting, scans, searching, binning, selection. Its
** call descriptors are in the section "sort family calls" above; every
** array is contiguous, every position written is 0-based plus the call's
** `base` (the core asks for Lua's 1-based positions directly, so that no
** extra pass adds 1). Keys are ordered as NumPy orders them: NaN after
** every number, -0.0 equal to 0.0. */
typedef struct lu_sort_family {
  int (*sort)(lu_ctx *ctx, const lu_sort_call *c);
  int (*scan)(lu_ctx *ctx, const lu_scan_call *c);
  int (*search)(lu_ctx *ctx, const lu_search_call *c);
  /* out[r*nidx + i] = in[r*in_rs + idx[r*idx_rs + i] - base] for r < nrow,
  ** i < nidx, elements of elsize bytes (strides in elements); the core
  ** guarantees every index is in range */
  int (*gather)(lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow, const void *in,
                int64_t in_rs, const int64_t *idx, int64_t idx_rs, int64_t nidx,
                int64_t base, void *out);
  /* the reverse: out[r*out_rs + idx[r*nidx + i] - base] = in[r*nidx + i] */
  int (*scatter)(lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow, const void *in,
                 const int64_t *idx, int64_t nidx, int64_t base, void *out,
                 int64_t out_rs);
  int (*runs)(lu_ctx *ctx, const lu_runs_call *c);
  int (*bincount)(lu_ctx *ctx, const lu_hist_call *c);
  int (*histogram)(lu_ctx *ctx, const lu_hist_call *c);
  int (*quantile)(lu_ctx *ctx, const lu_quantile_call *c);
} lu_sort_family;
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
** block; _trim releases the kept blocks, _trim_to the oldest of them until
** at most keep bytes are kept, _destroy every block. */
typedef struct lu_blockcache lu_blockcache;
lu_blockcache *lu_blockcache_new(void *(*fresh)(void *ud, size_t size),
                                 void (*release)(void *ud, void *p, size_t size), void *ud,
                                 size_t cache_limit, size_t total_limit);
void *lu_blockcache_alloc(lu_blockcache *bc, size_t nbytes);
/* As _alloc, but a fresh block only while fewer than max_live blocks of
** nbytes' size class are live: a kept block of the class or NULL
** otherwise (the caller then takes other memory). For blocks costly to
** make and cheap to do without (pinned.c). */
void *lu_blockcache_alloc_reuse(lu_blockcache *bc, size_t nbytes, size_t max_live);
int lu_blockcache_free(lu_blockcache *bc, void *p);
int lu_blockcache_contains(lu_blockcache *bc, const void *p, size_t n);
void lu_blockcache_trim(lu_blockcache *bc);
void lu_blockcache_trim_to(lu_blockcache *bc, size_t keep);
void lu_blockcache_destroy(lu_blockcache *bc);
/* "(3,4)" style, NumPy's repr of a shape tuple; returns buf */
const char *lu_shape_str(int ndim, const int64_t *shape, char *buf, size_t len);
/* "cpu", "cuda:0"; buf of at least 16 bytes; returns buf */
const char *lu_device_str(lu_device dev, char *buf);
/* }====================================================== */

#endif
