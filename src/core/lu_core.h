/* SPDX-License-Identifier: MIT */
/*
** lunar array core: the device-independent array model and the backend
** interface. No CUDA and no Lua header may be included here.
**
** Conventions
**   - Every function that can fail returns an lu_status (LU_OK == 0) and, on
**     failure, has stored a complete, user-readable message in ctx->errmsg
**     with lu_seterr(). Nothing here longjmps; only src/lua raises.
**   - Axes are 0-based in the core; the Lua binding converts from Lua's
**     1-based axes and indices.
**   - Strides and offsets are in bytes.
*/
#ifndef lu_core_h
#define lu_core_h

#include <stddef.h>
#include <stdint.h>
#include "lu_dtypes.def"
#include "lu_ops.def"

#define LU_MAXDIM 16
#define LU_MAXDEV 16
#define LU_ERRLEN 1024

/* {====================================================== status */
typedef enum {
  LU_OK = 0,
  LU_EARG,      /* bad argument value */
  LU_ETYPE,     /* dtype not supported by the operation */
  LU_ESHAPE,    /* shapes do not match / broadcast */
  LU_EINDEX,    /* index out of range */
  LU_EMEM,      /* out of memory (host or device) */
  LU_EDEVICE,   /* device unavailable or devices mixed */
  LU_EBACKEND,  /* a library call (CUDA, cuBLAS, NVRTC, BLAS...) failed */
  LU_ECLOSED    /* use of a closed array */
} lu_status;
/* }====================================================== */

/* {====================================================== dtypes */
typedef enum {
#define X(E, name, ctype, size, kind, sh) E,
  LU_DTYPES(X)
#undef X
  LU_NDTYPES
} lu_dtype;

typedef struct lu_dtype_info {
  const char *name;     /* "float32" */
  const char *ctype;    /* "float": storage type in C and CUDA C */
  const char *tag;      /* "f32": used in generated kernel names */
  int size;             /* bytes */
  char kind;            /* 'b', 'i', 'u', 'f' */
} lu_dtype_info;

extern const lu_dtype_info lu_dtypes[LU_NDTYPES];

#define lu_dtype_size(dt)  (lu_dtypes[dt].size)
#define lu_dtype_kind(dt)  (lu_dtypes[dt].kind)
#define lu_dtype_name(dt)  (lu_dtypes[dt].name)

/* Look a dtype up by name ("float32", also NumPy's aliases "float", "int",
** "bool_", "double", "single", "long"); returns -1 if unknown. */
int lu_dtype_from_name(const char *name);

/* NumPy 2 promotion of two dtypes (both "strong"). */
lu_dtype lu_promote(lu_dtype a, lu_dtype b);
/* The float dtype an integer/bool dtype computes in for float functions
** (int32/int64/uint32/uint64 -> float64, smaller ones -> float32 until
** float16 exists; floats map to themselves). */
lu_dtype lu_float_of(lu_dtype a);
/* }====================================================== */

/* {====================================================== values */
/* A host scalar. A Lua number enters the core as a *weak* scalar (NEP 50):
** it takes the dtype of the array it meets unless its kind is higher
** (a float meeting an int array gives float64). */
typedef struct lu_scalar {
  char kind;          /* 'b', 'i' or 'f' : Lua boolean, integer or float */
  int64_t i;          /* value when kind is 'b' or 'i' */
  double f;           /* value when kind is 'f' */
} lu_scalar;

/* A scalar converted to a concrete dtype, as backends receive it:
** bool and signed ints in .i, unsigned ints in .u, floats in .f. */
typedef union lu_value {
  int64_t i;
  uint64_t u;
  double f;
} lu_value;

lu_value lu_value_from_scalar(lu_scalar s, lu_dtype dt);
/* Store v (of dtype dt) at h_dst, converted to dtype dt's storage type. */
void lu_value_store(void *h_dst, lu_dtype dt, lu_value v);
/* Read one element of dtype dt from host memory. */
lu_value lu_value_load(const void *h_src, lu_dtype dt);
/* }====================================================== */

/* {====================================================== devices */
typedef enum { LU_DEV_CPU = 0, LU_DEV_CUDA = 1, LU_NDEVTYPES } lu_devtype;

typedef struct lu_device {
  int type;   /* lu_devtype */
  int index;  /* GPU ordinal; 0 for the CPU */
} lu_device;

typedef struct lu_ctx lu_ctx;
typedef struct lu_backend lu_backend;
/* }====================================================== */

/* {====================================================== buffers and arrays */
typedef struct lu_buffer {
  int refcount;
  lu_device dev;
  void *ptr;                /* device (or host, for the CPU) address */
  size_t nbytes;
  lu_ctx *ctx;              /* owner context (holds a reference on it) */
} lu_buffer;

#define LU_F_CONTIG 1       /* C-contiguous (recomputed by lu_array_update) */

typedef struct lu_array {
  lu_dtype dtype;
  int ndim;
  int flags;
  int64_t size;                 /* number of elements */
  int64_t shape[LU_MAXDIM];
  int64_t strides[LU_MAXDIM];   /* bytes; may be 0 (broadcast) or negative */
  int64_t offset;               /* bytes from buf->ptr to element 0 */
  lu_buffer *buf;               /* NULL for a released/empty slot */
} lu_array;

#define lu_array_data(a)   ((char *)(a)->buf->ptr + (a)->offset)
#define lu_array_device(a) ((a)->buf->dev)
#define lu_array_itemsize(a) lu_dtype_size((a)->dtype)
/* }====================================================== */

/* {====================================================== op table */
typedef enum {
  LU_R_SAME,   /* compute and result in the promoted dtype */
  LU_R_FLOAT,  /* compute and result in lu_float_of(promoted) */
  LU_R_TDIV,   /* true division: floats keep their dtype, others float64 */
  LU_R_CMP,    /* compute in the promoted dtype, result bool */
  LU_R_INT8B,  /* like SAME, but bool inputs compute in int8 (NumPy) */
  LU_R_WHERE   /* input 0 is a condition; compute/result promote(in1, in2) */
} lu_rule;

typedef enum {
#define X(name, nin, rule, eb, ei, ef) LU_OP_##name,
  LU_OPS(X)
#undef X
  LU_NOPS
} lu_op;

typedef struct lu_op_info {
  const char *name;
  int nin;
  lu_rule rule;
  const char *expr[3];   /* text for compute kind bool, int, float; NULL: none */
} lu_op_info;

extern const lu_op_info lu_ops[LU_NOPS];

typedef enum { LU_RR_SUM, LU_RR_SAME, LU_RR_INDEX, LU_RR_BOOL } lu_rrule;
typedef enum {
#define X(name, rule) LU_RED_##name,
  LU_REDUCTIONS(X)
#undef X
  LU_NREDS
} lu_redop;

typedef struct lu_red_info { const char *name; lu_rrule rule; } lu_red_info;
extern const lu_red_info lu_reds[LU_NREDS];

/* Index (0 bool, 1 int, 2 float) into lu_op_info.expr for a compute dtype. */
int lu_kind_slot(lu_dtype ct);
/* }====================================================== */

/* {====================================================== backend calls */
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

/* A reduction over one (merged) axis:
**   out[o, j] = RED over r of in[o*s_outer + r*s_red + j*s_inner]
** for o < outer, j < inner, r < red; out is contiguous, shape (outer, inner),
** of dtype out_dt. "Reduce everything" is outer = inner = 1.
** For sum/prod the backend accumulates in acc_dt (>= out_dt; the CPU may use
** a wider accumulator for floats). argmin/argmax write 0-based int64. */
typedef struct lu_reduce_call {
  lu_redop op;
  lu_dtype in_dt, acc_dt, out_dt;
  const char *in_ptr;
  int64_t outer, red, inner;
  int64_t s_outer, s_red, s_inner;   /* bytes */
  char *out_ptr;
  lu_device dev;
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

typedef enum { LU_RAND_UNIFORM, LU_RAND_NORMAL } lu_randdist;

/* Events: opaque handles created by a backend. */
typedef struct lu_event lu_event;

/* The backend interface. Every entry returns an lu_status and reports
** failures with lu_seterr(); "dev" is the device index within the backend.
** Work is enqueued asynchronously where the backend can; "download" and
** "synchronize" wait. Output memory is always allocated by the core. */
struct lu_backend {
  const char *name;                                      /* "cpu", "cuda" */
  /* number of usable devices (0 when none: no driver, no GPU) */
  int (*device_count)(lu_ctx *ctx);
  int (*alloc)(lu_ctx *ctx, int dev, size_t nbytes, void **p);
  void (*free)(lu_ctx *ctx, int dev, void *p);
  /* copy n bytes host->device; h_src may be reused as soon as it returns */
  int (*upload)(lu_ctx *ctx, int dev, void *d_dst, const void *h_src, size_t n);
  /* copy n bytes device->host; waits for pending work on the device */
  int (*download)(lu_ctx *ctx, int dev, void *h_dst, const void *d_src, size_t n);
  int (*ewise)(lu_ctx *ctx, const lu_ewise_call *c);
  int (*reduce)(lu_ctx *ctx, const lu_reduce_call *c);
  int (*matmul)(lu_ctx *ctx, const lu_matmul_call *c);
  /* out (contiguous, n elements of dtype dt): out[i] = start + i*step,
  ** computed in double and converted to dt */
  int (*iota)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
              double start, double step);
  /* out (contiguous, n elements, float32 or float64) from a counter-based
  ** generator: element i of the stream is a function of (seed, offset + i) */
  int (*random)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                lu_randdist dist, uint64_t seed, uint64_t offset);
  /* out[j] = in[i] for each i with mask[i] != 0, in order; in and mask are
  ** contiguous of n elements (mask bool), out has room for them all */
  int (*mask_select)(lu_ctx *ctx, lu_device dev, lu_dtype dt, const void *in,
                     const void *mask, int64_t n, void *out);
  /* the reverse: arr[i] = vals[j] for the j-th i with mask[i] != 0 */
  int (*mask_scatter)(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                      const void *mask, int64_t n, const void *vals);
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
};

extern const lu_backend lu_cpu_backend;
#ifdef LUNAR_HAVE_CUDA
extern const lu_backend lu_cuda_backend;
#endif
/* }====================================================== */

/* {====================================================== context */
/* One per lua_State (kept in the registry by the binding). */
struct lu_ctx {
  int refcount;                 /* the binding's reference + one per live buffer */
  lu_status err;
  char errmsg[LU_ERRLEN];
  lu_device default_dev;
  const lu_backend *backends[LU_NDEVTYPES];   /* NULL where not built */
  void *bstate[LU_NDEVTYPES];   /* per-backend state, owned by the backend */
  /* device memory accounting, drives the Lua GC */
  size_t live_bytes;            /* bytes of all live buffers (every device) */
  size_t gc_threshold;          /* run gc_hook(step) when live_bytes exceeds it */
  size_t gc_base;               /* live_bytes after the last collection */
  /* installed by the binding: full == 0 runs a GC step, 1 a full collection */
  void (*gc_hook)(void *ud, int full);
  void *gc_ud;
  /* random numbers */
  uint64_t seed;
  uint64_t rng_offset;
  int sync_each_op;             /* LUNAR_SYNC=1 */
  /* Optional allocator of page-locked host memory for large CPU buffers,
  ** installed by the CUDA backend when it finds a device (NULL otherwise):
  ** transfers from/to such buffers need no staging. host_alloc returns
  ** LU_OK or, quietly (no message), non-zero: the caller then uses ordinary
  ** memory. host_free returns 1 when p came from host_alloc (and takes it
  ** back), 0 when it did not (the caller frees p itself). */
  int (*host_alloc)(lu_ctx *ctx, size_t nbytes, void **p);
  int (*host_free)(lu_ctx *ctx, void *p);
};

lu_ctx *lu_ctx_new(void);                 /* NULL on out of memory */
void lu_ctx_unref(lu_ctx *ctx);           /* frees it when the count drops to 0 */
int lu_seterr(lu_ctx *ctx, lu_status code, const char *fmt, ...);
const lu_backend *lu_backend_for(lu_ctx *ctx, lu_device dev);

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

/* Fill in size, flags from shape and strides. */
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

/* Reductions. axis: 0-based, or -1 for all axes. */
typedef enum { LU_RX_MEAN = LU_NREDS, LU_RX_VAR, LU_RX_STD } lu_redx;
int lu_reduce(lu_ctx *ctx, lu_array *out, int op /* lu_redop or lu_redx */,
              const lu_array *a, int axis, int keepdims, int ddof);

int lu_matmul(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b);

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

/* Broadcast shapes of n arrays; writes the result into ndim/shape. */
int lu_broadcast_shapes(lu_ctx *ctx, int n, const lu_array *const *arrs,
                        int *ndim, int64_t *shape);
/* "(3,4)" style, NumPy's repr of a shape tuple; returns buf */
const char *lu_shape_str(int ndim, const int64_t *shape, char *buf, size_t len);
#define LU_ALLAXES (-1)

/* Device memory accounting (used by buffers). */
int lu_buffer_new(lu_ctx *ctx, lu_buffer **out, lu_device dev, size_t nbytes);
void lu_buffer_unref(lu_buffer *b);
/* }====================================================== */

#endif
