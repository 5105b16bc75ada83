/* SPDX-License-Identifier: MIT */
/*
** The array API: what the Lua binding (src/lua) and C tests call. The
** context is opaque here; its fields are read and set through the
** functions below. See lu_types.h for the shared vocabulary and the
** conventions (status codes, 0-based axes, byte strides).
*/
#ifndef lu_api_h
#define lu_api_h

#include "lu_types.h"

/* {====================================================== context */
/* One per lua_State (kept in the registry by the binding). */
lu_ctx *lu_ctx_new(void);                 /* NULL on out of memory */
void lu_ctx_ref(lu_ctx *ctx);             /* one more owner (an event, a buffer) */
void lu_ctx_unref(lu_ctx *ctx);           /* frees it when the count drops to 0 */
/* The message and code of the last failure. */
const char *lu_ctx_errmsg(const lu_ctx *ctx);
lu_status lu_ctx_errcode(const lu_ctx *ctx);
/* The device that new arrays go to unless told otherwise. */
lu_device lu_ctx_default_device(const lu_ctx *ctx);
void lu_ctx_set_default_device(lu_ctx *ctx, lu_device dev);
/* The binding's garbage-collector hook: the core calls hook(ud, 1) for a
** full collection when device memory grows past a threshold or an
** allocation fails. NULL removes it. */
void lu_ctx_set_gc_hook(lu_ctx *ctx, void (*hook)(void *ud, int full), void *ud);

/* Parse "cpu", "cuda", "cuda:N", "gpu"; checks that the device exists. */
int lu_device_parse(lu_ctx *ctx, const char *s, lu_device *dev);
/* "cpu", "cuda:0"; buf of at least 16 bytes; returns buf */
const char *lu_device_str(lu_device dev, char *buf);
int lu_device_eq(lu_device a, lu_device b);
int lu_device_count(lu_ctx *ctx, lu_devtype type);
int lu_synchronize(lu_ctx *ctx, lu_device dev);
int lu_memory_info(lu_ctx *ctx, lu_device dev, size_t *free_b, size_t *total_b);
/* Events on a device (CUDA events; host timestamps on the CPU). */
int lu_event_create(lu_ctx *ctx, lu_device dev, lu_event **ev);
int lu_event_record(lu_ctx *ctx, lu_device dev, lu_event *ev);
int lu_event_synchronize(lu_ctx *ctx, lu_device dev, lu_event *ev);
int lu_event_elapsed(lu_ctx *ctx, lu_device dev, lu_event *a, lu_event *b, float *ms);
void lu_event_destroy(lu_ctx *ctx, lu_device dev, lu_event *ev);
/* }====================================================== */

/* {====================================================== arrays */
/* Every function that produces an array writes it into *out, which the
** caller owns (typically the userdata just pushed); *out must be released
** with lu_array_release. On failure *out is left released (buf == NULL). */

/* Fill in size from shape. */
void lu_array_update(lu_array *a);
int lu_array_is_contig(const lu_array *a);
/* New uninitialised contiguous array. */
int lu_empty(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
             const int64_t *shape, lu_device dev);
/* A view sharing src's buffer (increments its refcount). */
void lu_array_share(lu_array *out, const lu_array *src);
void lu_array_release(lu_array *a);

/* From host data: h_data holds size elements of dtype dt, C order. */
int lu_from_host(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
                 const int64_t *shape, lu_device dev, const void *h_data);
/* Copy an array's elements to host memory, C order, in its own dtype. */
int lu_to_host(lu_ctx *ctx, const lu_array *a, void *h_dst);
/* Copy to another device (a new contiguous array). */
int lu_to_device(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_device dev);

int lu_full(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
            const int64_t *shape, lu_device dev, lu_scalar value);
/* arange(start, stop, step): n = ceil((stop-start)/step) elements */
int lu_arange(lu_ctx *ctx, lu_array *out, double start, double stop,
              double step, lu_dtype dt, lu_device dev);
int lu_linspace(lu_ctx *ctx, lu_array *out, double start, double stop,
                int64_t num, int endpoint, lu_dtype dt, lu_device dev);
/* eye(n, m, k) */
int lu_eye(lu_ctx *ctx, lu_array *out, int64_t n, int64_t m, int64_t k,
           lu_dtype dt, lu_device dev);
/* NumPy's logspace and geomspace (real scalars), computed in float64 */
int lu_logspace(lu_ctx *ctx, lu_array *out, double start, double stop, int64_t num,
                int endpoint, double base, lu_dtype dt, lu_device dev);
int lu_geomspace(lu_ctx *ctx, lu_array *out, double start, double stop, int64_t num,
                 int endpoint, lu_dtype dt, lu_device dev);
/* the flattened v on diagonal k of a square array of zeros */
int lu_diagflat(lu_ctx *ctx, lu_array *out, const lu_array *v, int64_t k);
int lu_random(lu_ctx *ctx, lu_array *out, lu_randdist dist, int ndim,
              const int64_t *shape, lu_dtype dt, lu_device dev);
void lu_random_seed(lu_ctx *ctx, uint64_t seed);

/* An operand of an elementwise op: an array or a weak scalar. */
typedef struct lu_arg {
  const lu_array *arr;   /* NULL: the operand is the scalar s */
  lu_scalar s;
} lu_arg;

/* Result dtype of op on these operands (NEP 50), or -1 with an error set. */
int lu_result_dtype(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                    lu_dtype *ct, lu_dtype *rt);
/* out = op(args...). If out->buf is non-NULL, it is an existing array (a
** view, for assignment) that results are written into: its shape must be
** the broadcast shape, and the result is cast to its dtype. Otherwise a new
** array is allocated. At least one argument must be an array unless dev is
** given through out (when all are scalars, a 0-d array on ctx's default
** device is made). */
int lu_ewise(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_array *out);
/* dst[...] = src (array or scalar), broadcasting src to dst's shape. */
int lu_assign(lu_ctx *ctx, lu_array *dst, const lu_arg *src);
int lu_astype(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_dtype dt);
/* A contiguous copy (always a new buffer). */
int lu_copy(lu_ctx *ctx, lu_array *out, const lu_array *a);
/* Same data as a, contiguous: a view of a when a already is. */
int lu_ascontig(lu_ctx *ctx, lu_array *out, const lu_array *a);
/* The real (imag 0) or imaginary (imag 1) part of a complex array as a
** writable view of its real dtype (NumPy's a.real, a.imag). */
int lu_complex_part(lu_ctx *ctx, lu_array *out, const lu_array *a, int imag);

/* Reductions: a row of lu_reduce.def over some axes of a.
** naxes < 0 reduces every axis; axes[] are 0-based, each at most once
** (NumPy's "duplicate value in 'axis'" otherwise); an arg-reduction
** (LU_RF_ARG) takes one axis or all. dtype >= 0 asks for that result
** dtype where the row takes one (sum, prod, mean ...: NumPy's dtype=).
** out, when not NULL, is an existing array of the result's shape that
** receives the result (cast to its dtype); *result then shares it. */
typedef struct lu_reduce_opts {
  int naxes;
  int axes[LU_MAXDIM];
  int keepdims;
  double ddof;
  int dtype;
  const lu_array *out;
} lu_reduce_opts;
void lu_reduce_opts_init(lu_reduce_opts *o);   /* every axis, nothing else */
int lu_reduce_ex(lu_ctx *ctx, lu_array *result, lu_redop op, const lu_array *a,
                 const lu_reduce_opts *o);
/* The same over one axis (0-based) or all (LU_ALLAXES). */
int lu_reduce(lu_ctx *ctx, lu_array *out, int op /* lu_redop */,
              const lu_array *a, int axis, int keepdims, int ddof);
/* mean, var and std were composed outside the table once; they are rows now */
enum { LU_RX_MEAN = LU_RED_mean, LU_RX_VAR = LU_RED_var, LU_RX_STD = LU_RED_std };

int lu_matmul(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);

/* Linear algebra (linalg.c, linalg_compose.c): NumPy 2's numpy.linalg.
** Operands are stacks of matrices (the last two axes; leading axes are
** batch axes and broadcast where NumPy broadcasts them). Results are
** float32 for float32 input and float64 otherwise (integers and bool
** compute in float64). A failing matrix (singular, not positive definite,
** no convergence) is an error naming the function and, in a stack, the
** matrix ("batch item k", 1-based in the flattened batch). Functions with
** several results fill each non-NULL slot. */
int lu_linalg_solve(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_linalg_inv(lu_ctx *ctx, lu_array *out, const lu_array *a);
int lu_linalg_det(lu_ctx *ctx, lu_array *out, const lu_array *a);
int lu_linalg_slogdet(lu_ctx *ctx, lu_array *sign, lu_array *logabsdet, const lu_array *a);
int lu_linalg_cholesky(lu_ctx *ctx, lu_array *out, const lu_array *a, int upper);
/* mode: "reduced", "complete", "r" (R only, in *r), "raw" (h in *q, tau in *r) */
int lu_linalg_qr(lu_ctx *ctx, lu_array *q, lu_array *r, const lu_array *a, const char *mode);
/* compute_uv == 0: s only (u and vh untouched) */
int lu_linalg_svd(lu_ctx *ctx, lu_array *u, lu_array *s, lu_array *vh, const lu_array *a,
                  int full_matrices, int compute_uv, int hermitian);
int lu_linalg_svdvals(lu_ctx *ctx, lu_array *s, const lu_array *a);
/* v NULL: eigenvalues only; upper: read the upper triangle (UPLO "U") */
int lu_linalg_eigh(lu_ctx *ctx, lu_array *w, lu_array *v, const lu_array *a, int upper);
/* Composed from the above (linalg_compose.c). A norm order is NumPy's ord:
** None, a number (+-inf included), "fro" or "nuc". Axes are 0-based. */
typedef enum { LU_ORD_NONE, LU_ORD_P, LU_ORD_FRO, LU_ORD_NUC } lu_ordkind;
typedef struct lu_normord { lu_ordkind kind; double p; } lu_normord;
/* naxes 0: axis=None; 1: a vector norm; 2: a matrix norm over (axes[0], axes[1]) */
int lu_linalg_norm(lu_ctx *ctx, lu_array *out, const lu_array *x, lu_normord ord, int naxes,
                   const int *axes, int keepdims);
/* naxes 0: every axis (flattened); else the vector norm over those axes */
int lu_linalg_vector_norm(lu_ctx *ctx, lu_array *out, const lu_array *x, double ord,
                          int naxes, const int *axes, int keepdims);
int lu_linalg_cond(lu_ctx *ctx, lu_array *out, const lu_array *x, lu_normord p);
/* tol, rtol: NaN when not given */
int lu_linalg_matrix_rank(lu_ctx *ctx, lu_array *out, const lu_array *a, double tol,
                          double rtol, int hermitian);
int lu_linalg_pinv(lu_ctx *ctx, lu_array *out, const lu_array *a, double rcond, int hermitian);
/* rcond NaN: NumPy's default (machine epsilon times max(M, N)) */
int lu_linalg_lstsq(lu_ctx *ctx, lu_array *x, lu_array *residuals, int64_t *rank, lu_array *s,
                    const lu_array *a, const lu_array *b, double rcond);
int lu_linalg_matrix_power(lu_ctx *ctx, lu_array *out, const lu_array *a, int64_t n);
int lu_linalg_multi_dot(lu_ctx *ctx, lu_array *out, int n, const lu_array *const *arrays);
/* naxes < 0: axes=None */
int lu_linalg_tensorsolve(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                          int naxes, const int *axes);
int lu_linalg_tensorinv(lu_ctx *ctx, lu_array *out, const lu_array *a, int ind);

/* Shape manipulation: views where possible. */
int lu_reshape(lu_ctx *ctx, lu_array *out, const lu_array *a, int ndim,
               const int64_t *shape /* one entry may be -1 */);
int lu_transpose(lu_ctx *ctx, lu_array *out, const lu_array *a,
                 const int *perm /* NULL: reverse */);
int lu_squeeze(lu_ctx *ctx, lu_array *out, const lu_array *a,
               int axis /* LU_ALLAXES: every axis of length 1 */);
int lu_expand_dims(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis);
int lu_broadcast_to(lu_ctx *ctx, lu_array *out, const lu_array *a, int ndim,
                    const int64_t *shape);
/* Basic indexing on one axis. */
int lu_take_index(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis,
                  int64_t i /* 0-based, already checked */);
int lu_slice(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis,
             int64_t start, int64_t stop, int64_t step /* 0-based, half-open, NumPy's normalised form */);
/* Boolean masks (mask has a's shape). */
int lu_mask_select(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *mask);
int lu_mask_assign(lu_ctx *ctx, lu_array *a, const lu_array *mask, const lu_arg *value);

/* {===== joining, splitting, tiling, padding (manip.c, pad.c; views in array.c).
** Axes are 0-based; LU_ALLAXES where NumPy takes axis=None. Positions are
** 0-based and already checked by the caller unless said otherwise. */
typedef enum {
  LU_CAST_NO, LU_CAST_EQUIV, LU_CAST_SAFE, LU_CAST_SAME_KIND, LU_CAST_UNSAFE
} lu_casting;
int lu_can_cast(lu_dtype from, lu_dtype to, lu_casting casting);
const char *lu_casting_name(lu_casting c);
int lu_casting_from_name(const char *s);   /* -1 when unknown */
/* finfo/iinfo/result_type (dtinfo.c): values as NumPy holds them */
typedef struct lu_finfo {
  lu_dtype dtype;
  int bits, nmant, nexp, iexp, machep, negep, maxexp, minexp, precision;
  double eps, epsneg, max, min, tiny, smallest_normal, smallest_subnormal, resolution;
} lu_finfo;
typedef struct lu_iinfo { lu_dtype dtype; int bits; int64_t min; uint64_t max; } lu_iinfo;
int lu_finfo_of(lu_ctx *ctx, lu_dtype dt, lu_finfo *f);
int lu_iinfo_of(lu_ctx *ctx, lu_dtype dt, lu_iinfo *i);
/* NumPy 2's result_type: strong dtypes (arrays, dtype names) and the kinds
** of weak scalars ('b', 'i', 'f': Lua booleans, integers, floats). */
int lu_result_type(lu_ctx *ctx, int nstrong, const lu_dtype *strong, int nweak,
                   const char *weak, lu_dtype *rt);
/* NumPy's min_scalar_type of a Lua value and common_type of dtypes */
int lu_min_scalar_type(lu_scalar s, lu_dtype *rt);
int lu_common_type(lu_ctx *ctx, int n, const lu_dtype *dts, lu_dtype *rt);
/* Views: axes flipped (bit i of `axes` flips axis i); NumPy's atleast_Nd. */
int lu_flip(lu_ctx *ctx, lu_array *out, const lu_array *a, unsigned axes);
int lu_atleast(lu_ctx *ctx, lu_array *out, const lu_array *a, int nd /* 1..3 */);
/* concatenate and stack. out->buf must be NULL (a new array) or an array to
** write into (NumPy's out=, then dtype must be -1). dtype -1: the inputs'
** promoted dtype. name: the function named in messages (NULL: the default). */
int lu_concatenate(lu_ctx *ctx, lu_array *out, const char *name, int n,
                   const lu_array *const *arrs, int axis, int dtype, lu_casting casting);
int lu_stack(lu_ctx *ctx, lu_array *out, const char *name, int n,
             const lu_array *const *arrs, int axis, int dtype, lu_casting casting);
/* out[.., k, ..] = a[.., idx[k], ..] along axis, idx on the host (checked
** here), as few copies as the runs of idx allow. */
int lu_take_axis(lu_ctx *ctx, lu_array *out, const char *name, const lu_array *a,
                 int axis, int64_t m, const int64_t *idx);
int lu_tile(lu_ctx *ctx, lu_array *out, const lu_array *a, int nreps, const int64_t *reps);
/* nrep == 1: one count for every element, else one per element of axis */
int lu_repeat(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, int64_t nrep,
              const int64_t *reps);
int lu_roll(lu_ctx *ctx, lu_array *out, const lu_array *a, const int64_t *shift /* per axis */);
/* h_del[i] != 0: drop position i of axis */
int lu_delete(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, const uint8_t *h_del);
/* values (of a's dtype and device) before old positions pos[0..k) (0..n);
** block 1: obj was one integer, 2: a one-element sequence (NumPy's
** special cases), 0: k positions, one value slab each. */
int lu_insert(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, int64_t k,
              const int64_t *pos, int block, const lu_array *values);
int lu_resize(lu_ctx *ctx, lu_array *out, const lu_array *a, int ndim, const int64_t *shape);
int lu_trim_zeros(lu_ctx *ctx, lu_array *out, const lu_array *a, int front, int back);

typedef enum {
  LU_PAD_CONSTANT, LU_PAD_EDGE, LU_PAD_LINEAR_RAMP, LU_PAD_REFLECT, LU_PAD_SYMMETRIC,
  LU_PAD_WRAP, LU_PAD_EMPTY, LU_PAD_MAXIMUM, LU_PAD_MINIMUM, LU_PAD_MEAN
} lu_padmode;
typedef struct lu_pad_spec {
  lu_padmode mode;
  int64_t width[LU_MAXDIM][2];       /* before, after; non-negative */
  lu_scalar value[LU_MAXDIM][2];     /* constant_values or end_values */
  int64_t stat_length[LU_MAXDIM][2]; /* -1: the whole axis */
  int odd;                           /* reflect_type = "odd" */
} lu_pad_spec;
int lu_pad(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_pad_spec *spec);
/* }===== */

/* Broadcast shapes of n arrays; writes the result into ndim/shape. */
int lu_broadcast_shapes(lu_ctx *ctx, int n, const lu_array *const *arrs,
                        int *ndim, int64_t *shape);
/* "(3,4)" style, NumPy's repr of a shape tuple; returns buf */
const char *lu_shape_str(int ndim, const int64_t *shape, char *buf, size_t len);
/* }====================================================== */
#endif
