/* SPDX-License-Identifier: MIT */
/*
** lunar array core: the vocabulary that every layer shares (status codes,
** dtypes, scalars, devices, buffers and arrays, the op tables). The binding
** reads the core through lu_api.h, backends implement lu_backend.h, and only
** src/core sees the context's layout (lu_ctx.h). No CUDA and no Lua header
** may be included here.
**
** Conventions
**   - Every function that can fail returns an lu_status (LU_OK == 0) and, on
**     failure, has stored a complete, user-readable message on the context
**     with lu_seterr(). Nothing here longjmps; only src/lua raises.
**   - Axes are 0-based in the core; the Lua binding converts from Lua's
**     1-based axes and indices.
**   - Strides and offsets are in bytes.
*/
#ifndef lu_types_h
#define lu_types_h

#include <stddef.h>
#include <stdint.h>
#include "lu_numeric.h"
#include "lu_dtypes.def"
#include "lu_ops.def"
#include "lu_reduce.def"
#include "lu_ops_complex.def"

#define LU_MAXDIM 16
#define LU_MAXDEV 16
#define LU_ERRLEN 1024
#define LU_ALLAXES (-1)

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
  char kind;            /* 'b', 'i', 'u', 'f', 'c' */
} lu_dtype_info;

extern const lu_dtype_info lu_dtypes[LU_NDTYPES];

#define lu_dtype_size(dt)  (lu_dtypes[dt].size)
#define lu_dtype_kind(dt)  (lu_dtypes[dt].kind)
#define lu_dtype_name(dt)  (lu_dtypes[dt].name)

/* Look a dtype up by name ("float32", also NumPy's aliases "float", "int",
** "bool_", "double", "single", "long"); returns -1 if unknown. */
int lu_dtype_from_name(const char *name);

/* NumPy 2 promotion of two dtypes (both "strong"); bfloat16 promotes as
** ml_dtypes does (with float16: float32; with integers like float16). */
lu_dtype lu_promote(lu_dtype a, lu_dtype b);
/* The float dtype an integer/bool dtype computes in for float functions
** (bool/int8/uint8 -> float16, int16/uint16 -> float32, wider -> float64);
** floats and complex types map to themselves. */
lu_dtype lu_float_of(lu_dtype a);
/* complex64 -> float32, complex128 -> float64; other dtypes unchanged. */
lu_dtype lu_real_of(lu_dtype a);
/* The complex dtype that holds dtype a (float64, int32... -> complex128,
** float32, float16, int16... -> complex64). */
lu_dtype lu_complex_of(lu_dtype a);
/* 1 for float16 and bfloat16: stored in 16 bits, computed in float32. */
#define lu_dtype_is_half(dt) ((dt) == LU_FLOAT16 || (dt) == LU_BFLOAT16)
/* }====================================================== */

/* {====================================================== values */
/* A host scalar. A Lua number enters the core as a *weak* scalar (NEP 50):
** it takes the dtype of the array it meets unless its kind is higher
** (a float meeting an int array gives float64). */
typedef struct lu_scalar {
  char kind;          /* 'b', 'i', 'f' or 'c': Lua boolean, integer, float
                         or lunar complex value */
  int64_t i;          /* value when kind is 'b' or 'i' */
  double f;           /* value when kind is 'f'; the real part for 'c' */
  double im;          /* the imaginary part when kind is 'c' */
} lu_scalar;

/* A scalar converted to a concrete dtype, as backends receive it:
** bool and signed ints in .i, unsigned ints in .u, floats (float16 and
** bfloat16 too, already rounded to them) in .f, complex values in .c (whose
** real part is .f as well). */
typedef union lu_value {
  int64_t i;
  uint64_t u;
  double f;
  struct { double re, im; } c;
} lu_value;

lu_value lu_value_from_scalar(lu_scalar s, lu_dtype dt);
/* The dtype a weak scalar has on its own: bool, int64, float64 or
** complex128 (NumPy's defaults for Python's bool, int, float, complex). */
lu_dtype lu_scalar_dtype(lu_scalar s);
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

typedef struct lu_ctx lu_ctx;            /* opaque outside src/core (lu_ctx.h) */
typedef struct lu_backend lu_backend;    /* lu_backend.h */
/* Events: opaque handles created by a backend. */
typedef struct lu_event lu_event;
/* }====================================================== */

/* {====================================================== buffers and arrays */
typedef struct lu_buffer {
  int refcount;
  lu_device dev;
  void *ptr;                /* device (or host, for the CPU) address */
  size_t nbytes;
  lu_ctx *ctx;              /* owner context (holds a reference on it) */
  /* memory lunar does not own (lu_array_wrap): release(release_ud) when
  ** the last reference goes, instead of the backend's free */
  void (*release)(void *ud);
  void *release_ud;
  /* the C-contiguous array the buffer was made for (lu_empty): what
  ** a.base describes; made_ndim -1 for memory lunar did not lay out */
  lu_dtype made_dt;
  int made_ndim;
  int64_t made_shape[LU_MAXDIM];
} lu_buffer;

typedef struct lu_array {
  lu_dtype dtype;
  int ndim;
  int owner;                    /* 1: made with its buffer (NumPy's OWNDATA);
                                   0 for views (lu_array_share, every view
                                   maker) and wrapped memory */
  int64_t size;                 /* number of elements */
  int64_t shape[LU_MAXDIM];
  int64_t strides[LU_MAXDIM];   /* bytes; may be 0 (broadcast) or negative */
  int64_t offset;               /* bytes from buf->ptr to element 0 */
  lu_buffer *buf;               /* NULL for a released/empty slot */
} lu_array;

/* a size-0 array's buffer has no memory: NULL, without NULL + offset
** (undefined in C even for 0, and clang's UBSan says so) */
#define lu_array_data(a)   ((a)->buf->ptr ? (char *)(a)->buf->ptr + (a)->offset : (char *)0)
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
  LU_R_WHERE,  /* input 0 is a condition; compute/result promote(in1, in2) */
  LU_R_FLOATI, /* compute in lu_float_of(promoted), result int32 (frexp's exponent) */
  LU_R_LDEXP,  /* input 1 is an integer exponent: compute and result in
                  lu_float_of(dtype of input 0) */
  LU_R_F64,    /* compute and result in float64 (float_power) */
  LU_R_COUNT   /* compute in the promoted dtype, result uint8 (bitwise_count) */
} lu_rule;

/* The dtype an expression yields for compute dtype ct under a rule. */
#define LU_RULE_RT(rule, ct) \
  ((rule) == LU_R_CMP ? LU_BOOL : (rule) == LU_R_FLOATI ? LU_INT32 : \
   (rule) == LU_R_COUNT ? LU_UINT8 : (ct))

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
  const char *expr[4];   /* text for compute kind bool, int, float; NULL: none.
                            [3] (lu_kind_slot of a complex dtype) stays NULL:
                            complex expressions are lu_cops[op].expr; read
                            any kind's with lu_op_expr() */
} lu_op_info;

extern const lu_op_info lu_ops[LU_NOPS];

/* The complex column, from the sparse table of lu_ops_complex.def: the
** expression for a complex compute dtype (NULL: NumPy has no complex loop)
** and whether it yields the real dtype of the parts (abs, angle). */
typedef struct lu_cop_info { const char *expr; int real; } lu_cop_info;
extern const lu_cop_info lu_cops[LU_NOPS];

/* The expression of op for compute dtype ct, whatever its kind; NULL when
** the op has none. */
const char *lu_op_expr(lu_op op, lu_dtype ct);
/* The dtype op's expression yields for compute dtype ct: bool for
** comparisons, the real dtype for abs/angle of complex, else ct. */
lu_dtype lu_op_result(lu_op op, lu_dtype ct);

/* Result dtype of a reduction row (lu_reduce.def). */
typedef enum {
  LU_RR_SUM,    /* bool and signed ints -> int64, unsigned -> uint64, floats keep */
  LU_RR_SAME,   /* the input dtype */
  LU_RR_INT64,  /* int64 (positions, counts) */
  LU_RR_BOOL,   /* bool */
  LU_RR_FLOAT   /* floats keep their dtype, the others give float64 */
} lu_rrule;
/* Flags of a reduction row, see lu_reduce.def. */
enum { LU_RF_NOEMPTY = 1, LU_RF_ARG = 2, LU_RF_ALLNAN = 4, LU_RF_NOBOOL = 8 };

typedef enum {
#define X(name, rule, flags, nonfloat, params, acc, ident, map, combine, fin) LU_RED_##name,
  LU_REDUCTIONS(X)
#undef X
  LU_NREDS
} lu_redop;

typedef struct lu_red_info {
  const char *name;
  lu_rrule rule;
  int flags;              /* LU_RF_* */
  lu_redop nonfloat;      /* the row computing this one for non-float input */
  const char *params;     /* NumPy's parameters, "axis,dtype,out,keepdims" */
} lu_red_info;
extern const lu_red_info lu_reds[LU_NREDS];
/* The dtype reduction op gives for input dtype dt. */
lu_dtype lu_red_result(lu_redop op, lu_dtype dt);

/* Index (0 bool, 1 int, 2 float) into lu_op_info.expr for a compute dtype;
** 3 for complex, which has no slot there: use lu_op_expr(). */
int lu_kind_slot(lu_dtype ct);

typedef enum { LU_RAND_UNIFORM, LU_RAND_NORMAL } lu_randdist;

/* The per-element samplers of the random family (lu_samplers.def). */
typedef enum lu_sampler {
#define LU_SAMPLER(name, nparams, kind) LU_SMP_##name,
#include "lu_samplers.def"
#undef LU_SAMPLER
  LU_NSAMPLERS
} lu_sampler;

/* A position in lunar's Philox stream (lu_philox.h, lu_samplers.h): the
** key and the element offset of the next call. A Generator is one. */
typedef struct lu_rngpos { uint64_t seed, offset; } lu_rngpos;

/* Index families (index.c): what to do with an out-of-range position, and
** what a scatter does with its values (NumPy's ufunc.at for the others). */
typedef enum { LU_IX_RAISE = 0, LU_IX_WRAP, LU_IX_CLIP } lu_ixmode;
typedef enum {
  LU_SC_ASSIGN = 0, LU_SC_ADD, LU_SC_SUBTRACT, LU_SC_MULTIPLY, LU_SC_MAXIMUM,
  LU_SC_MINIMUM
} lu_scatter_op;

/* The sort family's scans and NumPy's quantile methods (H&F's nine and
** the four others, in the order of lu_quant.h), plus np.median's rule. */
typedef enum { LU_SCAN_SUM, LU_SCAN_PROD, LU_SCAN_MAX, LU_SCAN_MIN } lu_scanop;
typedef enum {
  LU_Q_INVERTED_CDF, LU_Q_AVERAGED_INVERTED_CDF, LU_Q_CLOSEST_OBSERVATION,
  LU_Q_INTERPOLATED_INVERTED_CDF, LU_Q_HAZEN, LU_Q_WEIBULL, LU_Q_LINEAR,
  LU_Q_MEDIAN_UNBIASED, LU_Q_NORMAL_UNBIASED, LU_Q_LOWER, LU_Q_HIGHER,
  LU_Q_MIDPOINT, LU_Q_NEAREST,
  LU_Q_MEDIAN,       /* np.median: the mean of the middle one or two */
  LU_NQMETHODS
} lu_qmethod;

/* FFTs: the kind of transform (lu_fft_call), the normalisation modes of
** NumPy, and what a backend's plan cache holds (lunar.fft.config). */
typedef enum { LU_FFT_C2C, LU_FFT_R2C, LU_FFT_C2R } lu_fftkind;
typedef enum { LU_NORM_BACKWARD, LU_NORM_ORTHO, LU_NORM_FORWARD } lu_fftnorm;
typedef struct lu_fft_cache_info {
  int64_t size, max_size;        /* plans held, and the most it keeps */
  int64_t memsize, max_memsize;  /* bytes they hold, and the bound (-1: none) */
} lu_fft_cache_info;
#define LU_FFT_KEEP INT64_MIN    /* cache_limit: leave this limit as it is */
/* }====================================================== */

#endif
