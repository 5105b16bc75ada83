/* SPDX-License-Identifier: MIT */
/*
** Private helpers shared by the files of src/core. Not part of the
** interface that the binding or the backends see.
*/
#ifndef lu_internal_h
#define lu_internal_h

#include <stddef.h>
#include "lu_api.h"
#include "lu_ctx.h"
#include "lu_check.h"

#ifdef LUNAR_HAVE_CUDA
/* the CUDA start-up thread (src/backend/cuda/prestart.c), for lu_prestart */
void lu_cuda_prestart(void);
void lu_cuda_prestart_end(void);
#endif

/* Convert a value of dtype `from` to dtype `to` with C's conversions
** (wrapping for integers, truncation for float -> int, != 0 for bool). */
lu_value lu_value_cast(lu_value v, lu_dtype from, lu_dtype to);
/* 1 if the Lua integer v is representable in integer dtype dt */
int lu_int_fits(int64_t v, lu_dtype dt);

/* {===== checked size arithmetic (array.c). Every size, stride, offset and
** byte count computed from user input goes through these; nothing multiplies
** shapes by hand. lu_size_mul/lu_size_add: 1 when the result fits. */
static inline int lu_size_mul(int64_t a, int64_t b, int64_t *r) {
  return !__builtin_mul_overflow(a, b, r);
}
static inline int lu_size_add(int64_t a, int64_t b, int64_t *r) {
  return !__builtin_add_overflow(a, b, r);
}
/* NumPy's rule for a shape: no negative length, and the product of its
** nonzero lengths times itemsize fits in int64 (so every contiguous stride
** and byte count fits too). Sets "FN: ..." and returns LU_EARG/LU_EMEM
** otherwise; *size (may be NULL) gets the element count. */
int lu_shape_check(lu_ctx *ctx, const char *fn, int ndim, const int64_t *shape,
                   int itemsize, int64_t *size);
/* }===== */

/* Row-major strides (bytes) for shape; returns the element count. */
int64_t lu_contig_strides(int ndim, const int64_t *shape, int itemsize,
                          int64_t *strides);

/* Axes [lo, hi) of a as one (count, byte stride): 0 when they do not form
** one run. Length-1 axes are ignored; a run of no axes is (1, 0). */
int lu_merge_run(const lu_array *a, int lo, int hi, int64_t *n, int64_t *s);

/* lu_ewise with an explicit name for messages and an optional dtype that
** takes part in the result type as a strong operand (hint < 0: none). Used
** by lu_assign so that `a[...] = 1000` on int8 behaves like NumPy. */
int lu_ewise_named(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                   lu_array *out, const char *name, int hint);
/* lu_ewise_named with a dtype= (force >= 0): the compute dtype of the
** loop, as NumPy's ufunc dtype argument (ewise.c explains the rules). */
int lu_ewise_forced(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                    lu_array *out, const char *name, int force);
/* nextafter or spacing (op) at a float16/bfloat16 compute type ct, on the
** 16-bit patterns (halfstep.c); out as lu_ewise's. */
int lu_half_step(lu_ctx *ctx, lu_op op, lu_dtype ct, int nin, const lu_arg *args,
                 lu_array *out, const char *name, lu_device dev);
/* Compute and result dtype of op on args, with an optional dtype= (force). */
int lu_ewise_resolve(lu_ctx *ctx, const char *name, lu_op op, int nin, const lu_arg *args,
                     int force, lu_dtype *ct, lu_dtype *rt);
/* NumPy's 'same_kind' casting rule (ufunc outputs and dtype=). */
int lu_same_kind(lu_dtype from, lu_dtype to);
/* Reductions of float16, bfloat16 and complex arrays (reduce_ext.c): the
** plain work of reduction op over the axes in mask; -1 (nothing done) for
** the other dtypes. */
int lu_reduce_ext(lu_ctx *ctx, lu_array *out, lu_redop op, const lu_array *a, unsigned mask,
                  int keepdims, double ddof);
/* Broadcast with the op name in the message. */
int lu_broadcast_named(lu_ctx *ctx, const char *name, int n,
                       const lu_array *const *arrs, int *ndim, int64_t *shape);
/* Backend for dev, or an LU_EDEVICE error naming `name`. */
const lu_backend *lu_backend_checked(lu_ctx *ctx, const char *name, lu_device dev);
/* The family table FAM (ewise, reduce, linalg, fft, sort, random, index,
** io) of dev's backend, or NULL with "NAME: not available on DEVICE" set
** when the backend has no such family (it left it NULL, or it was written
** for an interface version before the family existed). */
const void *lu_family_(lu_ctx *ctx, const char *name, lu_device dev, size_t offset);
#define lu_family(ctx, name, dev, fam) \
  ((const lu_##fam##_family *)lu_family_(ctx, name, dev, offsetof(lu_backend, fam)))
/* Whether backend be has device service ENTRY, appended in interface
** version V: a backend written for an earlier version has not. */
#define lu_has_service(be, entry, v) ((be)->version >= (v) && (be)->dev->entry != NULL)
/* An entry of a family that the backend left NULL: sets and returns the
** same "not available" error. */
int lu_unavailable(lu_ctx *ctx, const char *name, lu_device dev);
/* Synchronize after an op when LUNAR_SYNC=1. */
int lu_after_op(lu_ctx *ctx, lu_device dev);

/* lu_fft whose input is the caller's scratch: a's buffer may be
** overwritten (an inverse real transform then needs no copy of it), so
** nothing else may read it afterwards (fft.c). real_spec: a, the input of
** an irfft, is the spectrum of real data or a product of such spectra, so
** the imaginary parts NumPy ignores (at 0 and n/2) are zeros but for
** rounding and need not be cleared for libraries that read them. */
int lu_fft_scratch(lu_ctx *ctx, lu_array *out, const char *name, lu_fftfn fn, const lu_array *a,
                   int naxes, const int *axes, const int64_t *s, lu_fftnorm norm, int real_spec);
/* A borrowed view of a along axis: elements [start, stop). It holds no
** reference on the buffer: never release it, and do not keep it past a. */
lu_array lu_subview(const lu_array *a, int axis, int64_t start, int64_t stop);
/* dst[...] = src, with an error renamed after `name` (manip.c). */
int lu_put(lu_ctx *ctx, const char *name, lu_array *dst, const lu_array *src);
/* take with positions that start at base (0 for positions made by the
** core, such as nonzero's); name is for messages */
int lu_take_base(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                 const lu_array *idx, int axis, int mode, int base);
/* The first m values of v's flattening, repeated as needed, shaped (nd, shape). */
int lu_cycle(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *v, int64_t m,
             int nd, const int64_t *shape);

static inline lu_arg lu_arg_array(const lu_array *a) {
  lu_arg g; g.arr = a; g.s.kind = 'i'; g.s.i = 0; g.s.f = 0; return g;
}
static inline lu_arg lu_arg_int(int64_t v) {
  lu_arg g; g.arr = NULL; g.s.kind = 'i'; g.s.i = v; g.s.f = 0; return g;
}
static inline lu_arg lu_arg_float(double v) {
  lu_arg g; g.arr = NULL; g.s.kind = 'f'; g.s.i = 0; g.s.f = v; return g;
}

#endif
