/* SPDX-License-Identifier: MIT */
/*
** Automatic fusion (src/core/lazy.c): elementwise results recorded as
** pending values, computed when something needs them, a chain of them as
** one generated kernel (fuse.c). The binding decides when a value is
** needed; this file keeps the pending graph, its readers and its limits.
*/
#ifndef lu_lazy_h
#define lu_lazy_h

#include "lu_api.h"

typedef struct lu_lazy lu_lazy;

/* Where fusion applies: off, arrays on GPUs (the default), every device. */
enum { LU_FUSION_OFF = 0, LU_FUSION_GPU = 1, LU_FUSION_ALL = 2 };
int lu_fusion_mode(const lu_ctx *ctx);
/* Turning fusion off computes what is pending first (its status). */
int lu_set_fusion_mode(lu_ctx *ctx, int mode);

/* Whether lu_lazy_ewise could record an op on these operands, from the
** fusion mode and their device alone (it may still decline): the binding
** asks before it makes the result's userdata, which a declined op would
** waste (a tiny op on the CPU made two userdata so). */
int lu_lazy_wants(const lu_ctx *ctx, int nin, const lu_arg *args, lu_lazy *const *pend);
/* Record op(args) as a pending value. args[k].arr is an array, or, where
** pend[k] != NULL, the placeholder of a pending value (only its dtype,
** ndim and shape are read). LU_OK: *out is a new pending value holding
** one reference (the caller's) and *res its placeholder (dtype, shape,
** contiguous strides, buf NULL). Anything else declines: nothing is
** recorded and no error is left; the caller runs the op unfused, which
** raises what the op raises. */
int lu_lazy_ewise(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_lazy *const *pend,
                  lu_lazy **out, lu_array *res);
/* A call of ElementwiseKernel k on its inputs alone (args, pend as
** lu_lazy_ewise's: arrays, pending values, Lua numbers) recorded as a
** pending value, where lu_ukernel_fusion says the program can carry it
** (one output, at most 3 inputs, no raw parameter, preamble or loop index,
** a binding that ran before). The node holds a reference to k. Computed
** alone it is k's own call; in a chain or a batch, a node of the fused
** program. Declines (1) as lu_lazy_ewise does: the caller calls k. */
int lu_lazy_ukernel(lu_ctx *ctx, lu_ukernel *k, int nin, const lu_arg *args,
                    lu_lazy *const *pend, lu_lazy **out, lu_array *res);
/* The trailing reduction of a pending value, fused with the chain behind
** it, into out (naxes < 0: every axis; axes 0-based and distinct). Any
** status but LU_OK declines as above. */
int lu_lazy_reduce(lu_ctx *ctx, lu_lazy *p, lu_redop red, int naxes, const int *axes,
                   int keepdims, lu_array *out);
/* Reduction red of op(args) (arrays and numbers, none pending) into out, the
** op recorded and reduced as one fused kernel where fusion applies (GPU
** arrays by default): what a core function that needs only the reduced
** value uses, so that the elementwise result is never written (einsum's
** dot products, convolve's norms). LU_OK, or any other status where it
** declined: nothing done, no error left; the caller runs both unfused. */
int lu_lazy_map_reduce(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_redop red,
                       int naxes, const int *axes, int keepdims, lu_array *out);
/* Reduction red of an operand (an array, or where pend != NULL the
** placeholder of a pending value) over its last axes with keepdims, as
** lu_lazy_ewise records an op: a pending value that later elementwise ops
** read, so that softmax or a layer norm runs as one row kernel. Declines
** (1) for other axes, without keepdims, and where the unfused reduction
** decides (empty axes). */
int lu_lazy_reduce_defer(lu_ctx *ctx, lu_redop red, const lu_arg *arg, lu_lazy *pend, int naxes,
                         const int *axes, int keepdims, lu_lazy **out, lu_array *res);
/* A random draw (lu_random_at's, float32 or float64) recorded as a pending
** value: pos moves on at once by what the draw takes, and the value is the
** draw's, whether computed alone or inside the fused kernel of a chain
** that reads it. Declines (1, pos untouched) as lu_lazy_ewise does. */
int lu_lazy_random(lu_ctx *ctx, lu_randdist dist, int ndim, const int64_t *shape, lu_dtype dt,
                   lu_device dev, lu_rngpos *pos, lu_lazy **out, lu_array *res);
/* p's value into *out (a view of it; compute it first if need be). */
int lu_lazy_get(lu_ctx *ctx, lu_lazy *p, lu_array *out);
/* The device p's value will be on. */
lu_device lu_lazy_device(const lu_lazy *p);
/* Drop a reference; the last one frees what p holds. */
void lu_lazy_unref(lu_lazy *p);
/* An array over buffer b is about to be used by an op that may write it:
** compute the pending values that read b first. */
int lu_lazy_touch(lu_ctx *ctx, const lu_buffer *b);
/* Compute every pending value that no other pending value reads
** (lunar.synchronize, stream and graph boundaries). */
int lu_lazy_flush(lu_ctx *ctx);
/* Compute every pending value (a graph capture is about to start: what
** runs in it is recorded, not run). */
int lu_lazy_flush_all(lu_ctx *ctx);
/* Pending values now (for tests and lunar.stats). */
int lu_lazy_pending(const lu_ctx *ctx);
/* Free the context's pending state (the context is going). */
void lu_lazy_shutdown(lu_ctx *ctx);

#endif
