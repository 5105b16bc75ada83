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
/* }====================================================== */
#endif
