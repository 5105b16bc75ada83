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
/* The CUDA driver and the default device's context made on a background
** thread from the start of the process (lunar_prestart in lunar.h), and
** the wait until that thread is out of the driver. */
void lu_prestart(void);
void lu_prestart_end(void);
/* The binding's garbage-collector hook: the core calls hook(ud, 1) for a
** full collection when device memory grows past a threshold or an
** allocation fails, and hook(ud, 0) for a collector step each time a few
** hundred KB of buffers (any device) have been allocated: the hook takes
** those bytes with lu_ctx_take_gc_debt and reports them to its collector
** as if it had allocated them itself. NULL removes it. */
void lu_ctx_set_gc_hook(lu_ctx *ctx, void (*hook)(void *ud, int full), void *ud);
size_t lu_ctx_take_gc_debt(lu_ctx *ctx);

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
/* Record a, C-contiguous and new, as the array buffer b was made for. */
void lu_buffer_made(lu_buffer *b, const lu_array *a);
/* NumPy's OWNDATA: a made its buffer (lu_array.owner), or is alone on a
** buffer lunar laid out and covers all of it in C order (a function's
** result that is a view of the function's own temporary) */
int lu_array_owns(const lu_array *a);

/* An array over memory lunar does not own (DLPack, an application's
** buffer), without a copy: ptr is element 0, strides in bytes (NULL: C
** order). When the last view goes, release(ud) is called (release may be
** NULL). On failure nothing is called: the caller still owns the memory. */
int lu_array_wrap(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim, const int64_t *shape,
                  const int64_t *strides, void *ptr, lu_device dev,
                  void (*release)(void *ud), void *ud);

/* From host data: h_data holds size elements of dtype dt, C order. */
int lu_from_host(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
                 const int64_t *shape, lu_device dev, const void *h_data);
/* Copy an array's elements to host memory, C order, in its own dtype. */
int lu_to_host(lu_ctx *ctx, const lu_array *a, void *h_dst);
/* Copy to another device (a new contiguous array). */
int lu_to_device(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_device dev);
/* dst[...] = src with src on another device than dst (lunar.copyto): a
** transfer into an existing array. A contiguous dst of src's dtype and
** shape takes the bytes straight from the device (one download into dst's
** memory, or one upload from src's); otherwise src is brought to dst's
** device first and assigned there (casting as lu_assign, broadcasting; a
** mask, when not NULL, on dst's device, as copyto's where). Errors read
** "assign: ..." as lu_assign's. */
int lu_copyto_device(lu_ctx *ctx, lu_array *dst, const lu_array *src, const lu_array *mask);

int lu_full(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
            const int64_t *shape, lu_device dev, lu_scalar value);
/* arange(start, stop, step): n = ceil((stop-start)/step) elements */
int lu_arange(lu_ctx *ctx, lu_array *out, double start, double stop,
              double step, lu_dtype dt, lu_device dev);
/* arange of Lua integers: the length and the values in exact integer
** arithmetic (arange(maxinteger - 2, maxinteger) has two elements) */
int lu_arange_int(lu_ctx *ctx, lu_array *out, int64_t start, int64_t stop,
                  int64_t step, lu_dtype dt, lu_device dev);
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
lu_rngpos *lu_random_default(lu_ctx *ctx);   /* the context's, lu_random's */
/* lu_random at pos (advanced past the elements taken) */
int lu_random_at(lu_ctx *ctx, lu_array *out, lu_randdist dist, int ndim,
                 const int64_t *shape, lu_dtype dt, lu_device dev, lu_rngpos *pos);

/* An operand of an elementwise op: an array or a weak scalar. */
typedef struct lu_arg {
  const lu_array *arr;   /* NULL: the operand is the scalar s */
  lu_scalar s;
} lu_arg;

/* random.c: a per-element sampler (lu_samplers.def) into a new array of
** `shape` on dev: dt float32/float64 for real rows, int64 for integer
** rows. par[k] (k < the row's parameter count) is a Lua-side scalar or an
** array broadcast to shape. integers with two scalars reads ilow/irange
** (exact 64-bit bounds; irange 0 means 2^64). name is the caller's, for
** messages. pos is advanced past the elements taken. */
int lu_random_sample(lu_ctx *ctx, lu_array *out, const char *name, lu_sampler row, int ndim,
                     const int64_t *shape, lu_dtype dt, lu_device dev, const lu_arg *par,
                     int64_t ilow, uint64_t irange, lu_rngpos *pos);
int lu_sampler_nparams(lu_sampler row);
int lu_sampler_is_int(lu_sampler row);
int lu_sampler_find(const char *name);   /* an lu_sampler, or -1 when unknown */
/* Philox4x32-10 of counter ctr under key (one block of the generator) */
void lu_philox_words(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

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
/* NumPy's ufunc call (ufunc.c): op on args into out[0], or, when op2 >= 0
** (a two-result ufunc such as divmod), op into out[0] and op2 into out[1].
** out[k] with buf set is an existing array written in place (NumPy's out=;
** the result casts to it by the 'same_kind' rule), else a new array. where
** (NULL: everywhere) is a bool array or a Lua boolean, broadcast with the
** inputs: results go where it is true; elsewhere a given out keeps its
** values and a new result holds 0. dtype: -1, or NumPy's dtype= (the
** dtype the loop computes in). name is used in messages. */
int lu_ufunc(lu_ctx *ctx, const char *name, lu_op op, int op2, int nin, const lu_arg *args,
             const lu_arg *where, int dtype, lu_array *const *out);
/* round(a, decimals) as NumPy (half to even; integers unchanged for
** decimals >= 0). out as lu_ewise's. */
int lu_round(lu_ctx *ctx, const lu_arg *a, int decimals, lu_array *out);
/* NumPy 2's isclose (a bool array). */
int lu_isclose(lu_ctx *ctx, const lu_arg *a, const lu_arg *b, double rtol, double atol,
               int equal_nan, lu_array *out);
/* nan_to_num: NaN -> nan, +-inf -> *posinf / *neginf (NULL: the dtype's
** largest finite values); out may be x itself (in place). */
int lu_nan_to_num(lu_ctx *ctx, const lu_arg *x, double nan, const double *posinf,
                  const double *neginf, lu_array *out);
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
/* matmul with NumPy's out=: where `into` can take the product as it is
** computed (C-contiguous, the result's dtype, shape and device, sharing
** no buffer with a or b) it is written there, *out is a view of `into`
** and *direct is 1; otherwise *out is a new array, as lu_matmul's, for the
** caller to assign (0) */
int lu_matmul_into(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                   const lu_array *into, int *direct);

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
/* The general eigenproblem: complex results, real when A is real and so are
** all its eigenvalues (NumPy's rule); v NULL: eigenvalues only */
int lu_linalg_eig(lu_ctx *ctx, lu_array *w, lu_array *v, const lu_array *a);
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
/* The same bytes read as another dtype, views (reinterp.c): NumPy's
** ndarray.view(dt) (a different item size changes the last axis, which
** must be contiguous) and ndarray.getfield(dt, offset) (the bytes at
** `offset` of each element). Both refuse a result whose elements would
** not be aligned to their size. */
int lu_view_dtype(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_dtype dt);
int lu_getfield(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_dtype dt, int64_t offset);
/* a.base: the array a's buffer was made for, over the whole buffer (an
** owner, a new object each time); uint8 bytes for wrapped memory. */
int lu_array_base(lu_ctx *ctx, lu_array *out, const lu_array *a);
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
/* NumPy's ndarray.resize, in place: a must own its buffer (and, with
** refcheck, be its only user); a new buffer of shape keeps a's first
** elements in C order and zeros the rest (manip.c). */
int lu_resize_inplace(lu_ctx *ctx, lu_array *a, int ndim, const int64_t *shape, int refcheck);
int lu_trim_zeros(lu_ctx *ctx, lu_array *out, const lu_array *a, int front, int back,
                  int axis /* LU_ALLAXES: every axis */);

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
/* {===== indexing with keys and the index routines (index.c, mask.c)
** Positions here are Lua's, as the user wrote them: 1-based, negative from
** the end; ranges inclusive. Index arrays hold such positions too. */
typedef enum { LU_KEY_INT, LU_KEY_RANGE, LU_KEY_NEWAXIS, LU_KEY_ELLIPSIS, LU_KEY_ARRAY } lu_keykind;
typedef struct lu_key {
  int kind;              /* lu_keykind */
  int64_t i;             /* LU_KEY_INT */
  int has[3];            /* LU_KEY_RANGE: start, stop, step given */
  int64_t r[3];          /*   their values */
  int single;            /*   {k}: the single position k, keeping the axis */
  const lu_array *arr;   /* LU_KEY_ARRAY: integer positions or a bool mask */
} lu_key;
/* a[key]: a view when the key holds no array, else a new array. */
int lu_index_get(lu_ctx *ctx, lu_array *out, const lu_array *a, int n, const lu_key *key);
/* a[key] = value (broadcast; with repeated positions the last one wins) */
int lu_index_set(lu_ctx *ctx, lu_array *a, int n, const lu_key *key, const lu_arg *value);
/* ufunc.at: a[key] op= value, every repeated position counting (op is an
** lu_scatter_op other than LU_SC_ASSIGN); name is for messages */
int lu_index_accumulate(lu_ctx *ctx, lu_array *a, int n, const lu_key *key, int op,
                        const lu_arg *value, const char *name);
/* axis 0-based or LU_ALLAXES (the flattened array); mode an lu_ixmode */
int lu_take(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *idx, int axis,
            int mode);
int lu_put_flat(lu_ctx *ctx, lu_array *a, const lu_array *idx, const lu_arg *value, int mode);
int lu_take_along_axis(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *idx,
                       int axis);
int lu_put_along_axis(lu_ctx *ctx, lu_array *a, const lu_array *idx, const lu_arg *value,
                      int axis);
int lu_choose(lu_ctx *ctx, lu_array *out, const lu_array *a, int n, const lu_arg *choices,
              int mode);
/* a view; axes 0-based */
int lu_diagonal(lu_ctx *ctx, lu_array *out, const lu_array *a, int64_t offset, int axis1,
                int axis2);
/* (a->ndim, count) int64: the coordinates of a's nonzero elements + base */
int lu_nonzero(lu_ctx *ctx, lu_array *out, const lu_array *a, int base);
int lu_compress(lu_ctx *ctx, lu_array *out, const lu_array *cond, const lu_array *a, int axis);
int lu_extract(lu_ctx *ctx, lu_array *out, const lu_array *cond, const lu_array *a);
int lu_place(lu_ctx *ctx, lu_array *a, const lu_array *mask, const lu_arg *vals);
int lu_putmask(lu_ctx *ctx, lu_array *a, const lu_array *mask, const lu_arg *values);
/* }===== */

/* {===== the sort family: sorting, searching, sets, binning, scans,
** differences and order statistics (sort.c, sets.c, hist.c, scan.c,
** stats.c). Axes are 0-based; LU_ALLAXES flattens first. Positions that
** these functions return (argsort, searchsorted, unique's indices ...) are
** 0-based plus `base` (the binding passes 1), and positions they take
** (kth, sorter) are 0-based. */
int lu_sort(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis);
int lu_argsort(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, int64_t base);
/* values (vals) and/or positions (idx), each may be NULL; descending:
** NumPy 2.5's reverse order (NaN still last, ties in input order) */
int lu_sort_ex(lu_ctx *ctx, lu_array *vals, lu_array *idx, const lu_array *a, int axis,
               int descending, int64_t base);
/* kth: nk positions along the axis (may be out of range: an error) */
int lu_partition(lu_ctx *ctx, lu_array *out, const lu_array *a, int nk,
                 const int64_t *kth, int axis, int descending);
int lu_argpartition(lu_ctx *ctx, lu_array *out, const lu_array *a, int nk,
                    const int64_t *kth, int axis, int descending, int64_t base);
/* the k largest (smallest) along axis and their positions */
int lu_top_k(lu_ctx *ctx, lu_array *vals, lu_array *idx, const lu_array *a, int64_t k,
             int axis, int largest, int64_t base);
/* the last key is the primary one (NumPy's order) */
int lu_lexsort(lu_ctx *ctx, lu_array *out, int nkeys, const lu_array *const *keys,
               int axis, int64_t base);
/* a: 1-d; v: an array or a scalar (a 0-d result); sorter (may be NULL):
** positions plus sorter_base */
int lu_searchsorted(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_arg *v,
                    int right, const lu_array *sorter, int64_t sorter_base, int64_t base);

/* unique: each output pointer may be NULL (not wanted); axis LU_ALLAXES
** flattens (the inverse then has a's shape, NumPy 2) */
int lu_unique(lu_ctx *ctx, const lu_array *a, int axis, int equal_nan, int64_t base,
              lu_array *values, lu_array *index, lu_array *inverse, lu_array *counts);
int lu_isin(lu_ctx *ctx, lu_array *out, const lu_array *element, const lu_array *test,
            int assume_unique, int invert);
/* ia/ib (may be NULL): positions of the common values in a and b */
int lu_intersect1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                   int assume_unique, lu_array *ia, lu_array *ib, int64_t base);
int lu_union1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_setdiff1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                 int assume_unique);
int lu_setxor1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                int assume_unique);
int lu_bincount(lu_ctx *ctx, lu_array *out, const lu_array *x, const lu_array *weights,
                int64_t minlength);

/* Bins of a histogram: a count, edges (a 1-d array) or a named estimator
** ("auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"). */
typedef struct lu_bins {
  int64_t count;            /* > 0 when given as a count */
  const lu_array *edges;    /* non-NULL when given as edges */
  const char *estimator;    /* non-NULL when given by name */
} lu_bins;
/* range: NULL, or {lo, hi}; weights may be NULL; hist may be NULL
** (histogram_bin_edges) */
int lu_histogram(lu_ctx *ctx, lu_array *hist, lu_array *edges, const lu_array *a,
                 const lu_bins *bins, const double *range, int density,
                 const lu_array *weights);
/* sample: d 1-d arrays of one length (the columns); bins and ranges per
** dimension (ranges[k] NULL: from the data); edges: d outputs */
int lu_histogramdd(lu_ctx *ctx, lu_array *hist, lu_array *edges, int d,
                   const lu_array *const *sample, const lu_bins *bins,
                   const double *const *ranges, int density, const lu_array *weights);
int lu_digitize(lu_ctx *ctx, lu_array *out, const lu_array *x, const lu_array *bins,
                int right, int64_t base);

/* cumsum (LU_SCAN_SUM), cumprod (LU_SCAN_PROD), their NaN-skipping forms;
** dtype < 0: NumPy's default (the sum's dtype) */
int lu_cumulative(lu_ctx *ctx, lu_array *out, const lu_array *a, int op, int nan_skip,
                  int axis, int dtype);
/* NumPy 2's cumulative_sum / cumulative_prod: with include_initial the
** identity comes first along the axis */
int lu_cumulative_ex(lu_ctx *ctx, lu_array *out, const lu_array *a, int op, int axis,
                     int dtype, int include_initial);
/* cummax / cummin: values and positions (idx may be NULL) */
int lu_cumextreme(lu_ctx *ctx, lu_array *vals, lu_array *idx, const lu_array *a,
                  int ismax, int axis, int64_t base);
/* prepend/append may be NULL */
int lu_diff(lu_ctx *ctx, lu_array *out, const lu_array *a, int64_t n, int axis,
            const lu_arg *prepend, const lu_arg *append);
int lu_ediff1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_arg *to_end,
               const lu_arg *to_begin);
/* One output per axis in axes (naxes of them). spacing: nsp values, each
** a scalar (h) or a coordinate array (x), as NumPy's varargs: 0, 1 or
** naxes of them. */
int lu_gradient(lu_ctx *ctx, lu_array *outs, const lu_array *f, int naxes, const int *axes,
                int nsp, const lu_arg *spacing, int edge_order);
/* x may be NULL (then dx) */
int lu_trapezoid(lu_ctx *ctx, lu_array *out, const lu_array *y, const lu_array *x,
                 double dx, int axis);

/* Quantiles q (nq values in [0, 1], host) over the axes (naxes of them;
** 0: every axis): the result has shape qshape + the remaining axes (with
** length-1 axes kept when keepdims). method: an lu_qmethod. weak_q: q was
** a plain number (NumPy 2 then keeps a float32 input's dtype). */
int lu_quantile(lu_ctx *ctx, lu_array *out, const lu_array *a, int qndim,
                const int64_t *qshape, const double *q, int method, int nan_skip,
                int weak_q, int naxes, const int *axes, int keepdims);
int lu_median(lu_ctx *ctx, lu_array *out, const lu_array *a, int nan_skip, int naxes,
              const int *axes, int keepdims);
/* NumPy 2's weights (method inverted_cdf only): weights of a's shape, or of
** the shape of the reduced axes (in the order given) */
int lu_quantile_weighted(lu_ctx *ctx, lu_array *out, const lu_array *a, int qndim,
                         const int64_t *qshape, const double *q, int nan_skip, int naxes,
                         const int *axes, int keepdims, const lu_array *weights);

/* average, cov, corrcoef (corr.c); correlate, convolve (convolve.c).
** average: scl (may be NULL) receives the sum of the weights (or the count), broadcast to
** avg's shape. cov: has_ddof 0 takes NumPy's default from bias; dtype < 0:
** NumPy's; name: the function named in messages (NULL: "cov"). correlate:
** mode 0 valid, 1 same, 2 full; convolve: NumPy's convolve; method: how
** (lu_convmethod; LU_CONV_FFT on integers whose result the FFT could not
** give exactly computes directly, see convolve.c). */
typedef enum { LU_CONV_AUTO, LU_CONV_DIRECT, LU_CONV_FFT } lu_convmethod;
int lu_average(lu_ctx *ctx, lu_array *avg, lu_array *scl, const lu_array *a, int naxes,
               const int *axes, const lu_array *weights, int keepdims);
int lu_cov(lu_ctx *ctx, lu_array *out, const lu_array *m, const lu_array *y, int rowvar,
           int bias, int ddof, int has_ddof, const lu_array *fweights, const lu_array *aweights,
           int dtype, const char *name);
int lu_corrcoef(lu_ctx *ctx, lu_array *out, const lu_array *x, const lu_array *y, int rowvar,
                int dtype);
int lu_correlate(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *v, int mode,
                 int convolve, lu_convmethod method);

/* Contractions (contract.c). einsum: NumPy's subscripts (letters, "...",
** "->"), dtype < 0: the operands' promoted dtype; always a new array.
** einsum_path: npairs pairs (path[2k], path[2k+1]) of 0-based positions
** in the operand list as it stands (the result appended), path holding
** 2 * max(n - 1, 1) ints; one operand gives (0, -1); report: a text.
** tensordot: axa/axb 0-based, checked. vecdot: axis 0-based or negative
** from the end, in each operand. */
int lu_einsum(lu_ctx *ctx, lu_array *out, const char *subscripts, int n,
              const lu_array *const *ops, int dtype, lu_casting casting);
int lu_einsum_path(lu_ctx *ctx, const char *subscripts, int n, const lu_array *const *ops,
                   int *path, int *npairs, char *report, size_t rsize);
int lu_tensordot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b, int naxes,
                 const int *axa, const int *axb);
int lu_inner(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_outer(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_kron(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_vdot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_dot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_vecdot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b, int axis);
int lu_matvec(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
int lu_vecmat(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);
/* }===== */

/* {===== FFTs (fft.c): NumPy 2's numpy.fft. fn over the naxes axes
** (0-based; a repeated axis is transformed again, as NumPy does), in the
** order NumPy's loops take them. s[k] is the length along axes[k]: the
** input is cropped or zero-padded to it (for irfft's and hfft's last axis
** it is the real output's length). s NULL: NumPy's defaults (the input's
** lengths; 2 (m - 1) for irfft's and hfft's last); s[k] -1: the input's
** length. hfft and ihfft take one axis. Always a new array. */
typedef enum {
  LU_FFT_FFT, LU_FFT_IFFT, LU_FFT_RFFT, LU_FFT_IRFFT, LU_FFT_HFFT, LU_FFT_IHFFT
} lu_fftfn;
int lu_fft(lu_ctx *ctx, lu_array *out, const char *name, lu_fftfn fn, const lu_array *a,
           int naxes, const int *axes, const int64_t *s, lu_fftnorm norm);
/* fftfreq (real 0) and rfftfreq (real 1): float64 on dev */
int lu_fftfreq(lu_ctx *ctx, lu_array *out, const char *name, int64_t n, double d, int real,
               lu_device dev);
/* The backend's plan cache on dev (lunar.fft.config.plan_cache): what it
** holds, its limits (LU_FFT_KEEP leaves one as it is; max_memsize -1: no
** bound), and emptying it. */
int lu_fft_plans_info(lu_ctx *ctx, lu_device dev, lu_fft_cache_info *info);
int lu_fft_plans_limit(lu_ctx *ctx, lu_device dev, int64_t max_size, int64_t max_memsize);
int lu_fft_plans_clear(lu_ctx *ctx, lu_device dev);
/* }===== */

/* {===== images (image.c: files, PNG through libpng; image_jpeg.c: JPEG
** through libjpeg-turbo). Samples live in host memory, C order (height,
** width, channels); 16-bit samples in native byte order. fn names the
** caller in messages. A codec left out of the build is an LU_EBACKEND
** error saying so. */
typedef struct lu_image {
  void *h_data;       /* malloc'd by lu_image_read; the caller's for writing */
  int64_t height, width;
  int channels;       /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (JPEG: CMYK) */
  int depth;          /* bits per sample: 8 or 16 */
} lu_image;
/* The format by content (magic bytes); images of more than max_pixels
** pixels are refused before anything of their size is allocated. */
int lu_image_read(lu_ctx *ctx, const char *fn, const char *path, int64_t max_pixels,
                  lu_image *img);
/* format "png" or "jpeg" (NULL: from path's extension); quality 1..100 for
** JPEG, level 0..9 the PNG compression level (-1: libpng's default). The
** file is written whole or not at all. */
int lu_image_write(lu_ctx *ctx, const char *fn, const char *path, const char *format,
                   const lu_image *img, int quality, int level);
void lu_image_free(lu_image *img);
/* 1 when the build has the codec for format ("png", "jpeg") */
int lu_image_has(const char *format);
/* }===== */

/* {===== files (fileio.c, npz.c, textio.c). name is the function named in
** messages ("lunar.load"); paths go to the C library as they are. */
enum { LU_FILE_NPY, LU_FILE_NPZ };
/* what path holds, from its first bytes (pickles and the rest: an error) */
int lu_file_kind(lu_ctx *ctx, const char *name, const char *path, int *kind);
/* a .npy file into a new array on dev; mmap: the file's pages (CPU only) */
int lu_npy_load(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_device dev,
                int mmap);
/* lunar.memmap (memmap.c): path's bytes from offset as a CPU array of dt,
** shape (ndim dims; ndim -1: the whole file as 1-d), Fortran order when
** fortran. 'r', 'c': private, copy-on-write; 'r+', 'w+' (created or
** truncated): shared, writes reach the file, which grows to the shape. */
enum { LU_MEMMAP_R, LU_MEMMAP_C, LU_MEMMAP_RPLUS, LU_MEMMAP_WPLUS };
int lu_memmap(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_dtype dt,
              int mode, int64_t offset, int ndim, const int64_t *shape, int fortran);
/* writes a's mapping to its file now (nothing for 'r' and 'c'); an error
** when a's memory is no mapping */
int lu_memmap_flush(lu_ctx *ctx, const char *name, const lu_array *a);
/* bfloat16 is written as float32 (NumPy has no bfloat16) */
int lu_npy_save(lu_ctx *ctx, const char *name, const char *path, const lu_array *a);
typedef struct lu_npz lu_npz;   /* an archive open for reading */
int lu_npz_open(lu_ctx *ctx, const char *name, const char *path, lu_npz **z);
int64_t lu_npz_count(const lu_npz *z);
/* entry i's name (0-based); *isarray: it ends in .npy */
const char *lu_npz_entry(const lu_npz *z, int64_t i, int *isarray);
int lu_npz_read(lu_ctx *ctx, lu_array *out, const char *name, lu_npz *z, int64_t i,
                lu_device dev);
/* an entry's bytes as they are (*buf: malloc'd, the caller frees) */
int lu_npz_read_raw(lu_ctx *ctx, const char *name, lu_npz *z, int64_t i, char **buf, size_t *n);
void lu_npz_close(lu_npz *z);
/* n arrays as keys[k].npy, stored or deflated */
int lu_npz_save(lu_ctx *ctx, const char *name, const char *path, int n, const char *const *keys,
                const lu_array *const *arrs, int compress);
/* raw bytes: C order, this machine's byte order */
int lu_tofile(lu_ctx *ctx, const char *name, const char *path, const lu_array *a);
/* count < 0: every whole item after offset (fewer than count: what there is) */
int lu_fromfile(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_dtype dt,
                int64_t count, int64_t offset, lu_device dev);
/* text files: loadtxt, genfromtxt, savetxt */
#include "lu_textio.h"
/* }===== */

/* {===== the workbench (workbench.c, doc/api/workbench.md) */
/* What the context has done since it was made or last reset. */
typedef struct lu_counters {
  uint64_t launches;          /* backend calls that run an op (a kernel, a library
                                 call or a CPU loop; some ops make a few) */
  uint64_t compiled;          /* kernels compiled at run time (NVRTC) */
  uint64_t allocs, alloc_bytes;   /* buffers allocated, every device */
  uint64_t h2d_bytes, d2h_bytes;  /* copied host -> GPU and GPU -> host */
  uint64_t syncs;             /* implicit synchronisations: the host waited
                                 for a GPU without being asked to */
  uint64_t fused, fused_hits; /* lunar.fuse calls run fused, and those whose
                                 kernel was generated by an earlier call */
  uint64_t graph_replays;     /* lunar.cuda.graph replays (src/core/stream.c) */
  uint64_t deferred;          /* elementwise ops recorded for automatic fusion (lazy.c) */
  uint64_t unfused;           /* fused programs that ran unfused after all: their
                                 kernel failed to build or run (lazy.c) */
} lu_counters;
void lu_ctx_counters(const lu_ctx *ctx, lu_counters *out);
void lu_ctx_counters_reset(lu_ctx *ctx);
/* Strict mode: an implicit synchronisation is an error instead. */
void lu_ctx_set_strict_sync(lu_ctx *ctx, int on);
int lu_ctx_strict_sync(const lu_ctx *ctx);
/* The host is about to wait for dev on behalf of `what` (the user's op,
** "array:item"): on a GPU, outside an explicit transfer, that is an
** implicit synchronisation, counted, or refused in strict mode. The CPU
** never waits. */
int lu_host_wait(lu_ctx *ctx, lu_device dev, const char *what);
/* Transfers the user asked for (a:to("cpu"), lunar.synchronize) happen
** between lu_ctx_explicit(ctx, 1) and lu_ctx_explicit(ctx, -1): waits
** there are neither counted nor refused. */
void lu_ctx_explicit(lu_ctx *ctx, int delta);
/* lu_to_host as one implicit synchronisation named `what`. */
int lu_to_host_as(lu_ctx *ctx, const lu_array *a, void *h_dst, const char *what);
/* Memory pools (CuPy's MemoryPool): a device's own (LU_POOL_DEVICE: the
** CPU's big buffers, a GPU's memory) or the page-locked host blocks of the
** GPU backend (LU_POOL_PINNED). Bytes used by arrays, held in all (used +
** cached), and the bound on what is held (SIZE_MAX: none). */
enum { LU_POOL_DEVICE, LU_POOL_PINNED };
int lu_pool_info(lu_ctx *ctx, lu_device dev, int kind, size_t *used, size_t *total,
                 size_t *limit);
int lu_pool_free_all(lu_ctx *ctx, lu_device dev, int kind);
int lu_pool_set_limit(lu_ctx *ctx, lu_device dev, int kind, size_t limit);
/* What a full collection gives back: the CPU pool's cached big buffers
** but the newest 32 MiB of them (those go a second later, unused), and
** the C library's free memory; the pinned blocks stay (refilling them
** costs far more than the host's pages). */
int lu_pool_trim_host(lu_ctx *ctx);
/* }===== */

/* Broadcast shapes of n arrays; writes the result into ndim/shape. */
int lu_broadcast_shapes(lu_ctx *ctx, int n, const lu_array *const *arrs,
                        int *ndim, int64_t *shape);
/* "(3,4)" style, NumPy's repr of a shape tuple; returns buf */
const char *lu_shape_str(int ndim, const int64_t *shape, char *buf, size_t len);
/* }====================================================== */

/* {====================================================== user kernels (ukernel.c) */
/* CuPy's ElementwiseKernel (reduction 0: code is the operation) and
** ReductionKernel (reduction 1: code is map_expr, then reduce_expr,
** post_map_expr, identity (NULL: none), reduce_type (NULL: the output's
** type)). Parameters are checked here; the code is compiled at the first
** call for each binding of the types. Reduction 2 (LU_UK_REDUCE_STRUCT,
** for fused programs): several outputs share one accumulator, a struct
** that the preamble declares as _type_reduce; map_expr, reduce_expr and
** identity are values of that struct (no casts are written), and
** post_map_expr assigns every output. */
#define LU_UK_REDUCE_STRUCT 2
typedef struct lu_ukernel lu_ukernel;
int lu_ukernel_new(lu_ctx *ctx, lu_ukernel **k, int reduction, const char *in_params,
                   const char *out_params, const char *code, const char *reduce,
                   const char *post, const char *identity, const char *name,
                   const char *preamble, const char *reduce_type);
/* Drops a reference: the kernel object holds one, and automatic fusion's
** pending calls and programs their own (lu_ukernel.h); the last frees k */
void lu_ukernel_free(lu_ukernel *k);
int lu_ukernel_nin(const lu_ukernel *k);
int lu_ukernel_nout(const lu_ukernel *k);
const char *lu_ukernel_name(const lu_ukernel *k);
/* "ElementwiseKernel 'name'" (or ReductionKernel): the prefix of its errors */
const char *lu_ukernel_what(const lu_ukernel *k);
int lu_ukernel_is_reduction(const lu_ukernel *k);
/* Run k on args[0..nargs) (the inputs, then optionally every output).
** *outs[0..nout) receive the outputs that were not given (given ones are
** written in place; their slots may be NULL). size < 0: none; naxes < 0:
** every axis; axes are Lua's (1-based, negative from the end). */
int lu_ukernel_call(lu_ctx *ctx, const lu_ukernel *k, int nargs, const lu_arg *args,
                    lu_array *const *outs, int64_t size, int naxes, const int64_t *axes,
                    int keepdims);
/* RawModule and RawKernel (rawkernel.c): the user's CUDA source and NVRTC
** options; a kernel's parameters as read from its declaration (dtype -1:
** a type lunar does not know, e.g. a struct, or void *). */
#define LU_RAW_MAXP 64
#define LU_RAW_MAXOPTS 32
typedef struct lu_rawmodule lu_rawmodule;
typedef struct lu_raw_param {
  char name[64], type[64];
  int pointer;
  int dtype;
} lu_raw_param;
int lu_rawmodule_new(lu_ctx *ctx, lu_rawmodule **out, const char *code, int nopts,
                     const char *const *opts);
void lu_rawmodule_free(lu_rawmodule *m);
/* params: room for LU_RAW_MAXP */
int lu_rawkernel_params(lu_ctx *ctx, const lu_rawmodule *m, const char *name,
                        lu_raw_param *params, int *np);
/* grid and block: 3 sizes each; args: arrays for pointers, scalars else;
** stream: the stream to launch on (its device must be the arrays'), NULL
** for the device's current one */
struct lu_stream;
int lu_rawkernel_launch(lu_ctx *ctx, const lu_rawmodule *m, const char *name,
                        const lu_raw_param *params, int np, const int64_t *grid,
                        const int64_t *block, int64_t shared_mem, int nargs, const lu_arg *args,
                        struct lu_stream *stream);
/* }====================================================== */
#endif
