/* SPDX-License-Identifier: MIT */
/*
** Elementwise launches. The signature of a call (op, dtypes, which inputs
** are scalars, layout) becomes a 64-bit key without building any string;
** the kernel comes from kcache.c. This is the path every small op takes, so
** on a cache hit it allocates nothing and never waits.
*/
#include <string.h>
#include "cuda_internal.h"

#define KEY_SCALAR 31u
#define KEY_UNUSED 30u

static uint64_t sig_key(const lu_ewise_call *c) {
  uint64_t k = (uint64_t)1 << 63;
  int i;
  k |= (uint64_t)c->op;
  k |= (uint64_t)c->ct << 6;
  k |= (uint64_t)c->rt << 10;
  k |= (uint64_t)c->out_dt << 14;
  for (i = 0; i < 3; i++) {
    uint64_t v = i >= c->nin ? KEY_UNUSED : c->in_scalar[i] ? KEY_SCALAR : (uint64_t)c->in_dt[i];
    k |= v << (18 + 5 * i);
  }
  k |= (uint64_t)(c->contiguous != 0) << 33;
  return k;
}

static void make_sig(const lu_ewise_call *c, lu_cg_sig *s) {
  int i;
  s->op = c->op;
  s->ct = c->ct;
  s->rt = c->rt;
  s->out_dt = c->out_dt;
  s->contiguous = c->contiguous != 0;
  for (i = 0; i < 3; i++)
    s->in_dt[i] = i >= c->nin ? LU_CG_SCALAR : c->in_scalar[i] ? LU_CG_SCALAR : (int)c->in_dt[i];
}

/* A scalar kernel argument: the value stored as the compute type's C type. */
typedef union { uint8_t u8; int8_t i8; int16_t i16; int32_t i32; int64_t i64;
                uint16_t u16; uint32_t u32; uint64_t u64; float f32; double f64; } scalar_arg;

static void put_scalar(scalar_arg *a, lu_dtype ct, lu_value v) {
  switch (ct) {
    case LU_BOOL: a->u8 = v.i != 0; break;
    case LU_INT8: a->i8 = (int8_t)v.i; break;
    case LU_INT16: a->i16 = (int16_t)v.i; break;
    case LU_INT32: a->i32 = (int32_t)v.i; break;
    case LU_INT64: a->i64 = v.i; break;
    case LU_UINT8: a->u8 = (uint8_t)v.u; break;
    case LU_UINT16: a->u16 = (uint16_t)v.u; break;
    case LU_UINT32: a->u32 = (uint32_t)v.u; break;
    case LU_UINT64: a->u64 = v.u; break;
    case LU_FLOAT32: a->f32 = (float)v.f; break;
    case LU_FLOAT64: a->f64 = v.f; break;
    default: a->u64 = v.u; break;
  }
}

int lu_cuda_ewise(lu_ctx *ctx, const lu_ewise_call *c) {
  lu_cuda_dev *d;
  cudaKernel_t fn;
  lu_cg_sig sig;
  lu_cg_strided st;
  scalar_arg sc[3];
  void *args[6];
  long long n = (long long)c->n;
  int rc, i, na = 0;
  if (c->n <= 0) return LU_OK;
  if (c->nin < 1 || c->nin > 3 || c->op < 0 || c->op >= LU_NOPS)
    return lu_seterr(ctx, LU_EARG, "cuda: elementwise call with %d inputs", c->nin);
  if ((rc = lu_cuda_device(ctx, c->dev.index, &d)) != LU_OK) return rc;
  make_sig(c, &sig);
  if ((rc = lu_cuda_kernel(ctx, d, sig_key(c), &sig, &fn)) != LU_OK) return rc;
  args[na++] = &n;
  if (!c->contiguous) {
    if (c->ndim < 1 || c->ndim > LU_MAXDIM)
      return lu_seterr(ctx, LU_EARG, "cuda: elementwise call with %d dimensions", c->ndim);
    st.ndim = c->ndim;
    st.pad_ = 0;
    memcpy(st.shape, c->shape, (size_t)c->ndim * sizeof(int64_t));
    memcpy(st.st[0], c->out_strides, (size_t)c->ndim * sizeof(int64_t));
    for (i = 0; i < c->nin; i++)
      if (!c->in_scalar[i]) memcpy(st.st[1 + i], c->in_strides[i], (size_t)c->ndim * sizeof(int64_t));
    args[na++] = &st;
  }
  args[na++] = (void *)&c->out_ptr;
  for (i = 0; i < c->nin; i++) {
    if (c->in_scalar[i]) {
      put_scalar(&sc[i], c->ct, c->in_val[i]);
      args[na++] = &sc[i];
    } else {
      args[na++] = (void *)&c->in_ptr[i];
    }
  }
  LAUNCH_CHECK(ctx, cudaLaunchKernel((const void *)fn, dim3_of(lu_cuda_grid(d, c->n)),
                                     dim3_of(LU_CUDA_BLOCK), args, 0, d->stream));
  return LU_OK;
}
