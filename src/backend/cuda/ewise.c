/* SPDX-License-Identifier: MIT */
/*
** Elementwise launches. The signature of a call (op, dtypes, which inputs
** are scalars, layout) becomes a 64-bit key without building any string;
** the kernel comes from kcache.c. This is the path every small op takes, so
** on a cache hit it allocates nothing and never waits. The launch itself
** (3-4 us on the H100 machines) is most of a small op's time.
*/
#include <string.h>
#include "cuda_internal.h"

#define KEY_SCALAR 31u
#define KEY_UNUSED 30u

/* bits: op 0-9, ct 10-14, rt 15-19, out 20-24, inputs 25-39 (5 each),
** layout 40-41, 63 set (never 0, the table's empty key) */
static uint64_t sig_key(const lu_ewise_call *c, int layout) {
  uint64_t k = (uint64_t)1 << 63;
  int i;
  k |= (uint64_t)c->op;
  k |= (uint64_t)c->ct << 10;
  k |= (uint64_t)c->rt << 15;
  k |= (uint64_t)c->out_dt << 20;
  for (i = 0; i < 3; i++) {
    uint64_t v = i >= c->nin ? KEY_UNUSED : c->in_scalar[i] ? KEY_SCALAR : (uint64_t)c->in_dt[i];
    k |= v << (25 + 5 * i);
  }
  k |= (uint64_t)layout << 40;
  return k;
}

static void make_sig(const lu_ewise_call *c, int layout, lu_cg_sig *s) {
  int i;
  s->op = c->op;
  s->ct = c->ct;
  s->rt = c->rt;
  s->out_dt = c->out_dt;
  s->layout = layout;
  for (i = 0; i < 3; i++)
    s->in_dt[i] = i >= c->nin ? LU_CG_SCALAR : c->in_scalar[i] ? LU_CG_SCALAR : (int)c->in_dt[i];
}

/* A scalar kernel argument: the value stored as the compute type's C type
** (float for float16 and bfloat16, whose value is already rounded to them). */
typedef union { uint8_t u8; int8_t i8; int16_t i16; int32_t i32; int64_t i64;
                uint16_t u16; uint32_t u32; uint64_t u64; float f32; double f64;
                lu_c64 c64; lu_c128 c128; } scalar_arg;

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
    case LU_FLOAT32: case LU_FLOAT16: case LU_BFLOAT16: a->f32 = (float)v.f; break;
    case LU_FLOAT64: a->f64 = v.f; break;
    case LU_COMPLEX64: a->c64 = lu_cmake_c64((float)v.c.re, (float)v.c.im); break;
    case LU_COMPLEX128: a->c128 = lu_cmake_c128(v.c.re, v.c.im); break;
    default: a->u64 = v.u; break;
  }
}

static int64_t iabs64(int64_t v) { return v < 0 ? -v : v; }

/* The tiled layout, for a 2-D call where some input's fastest axis is not
** the output's (a transpose: a.T:copy(), a.T + b, astype of a.T). x is the
** output's fastest axis; an input goes through the shared-memory tile when
** it moves faster along y than along x (a zero stride along y is a
** broadcast: reading it along x is already cheap). Both extents must fill
** half a tile at least, or most of each block would idle: narrower
** shapes keep the strided loop, whose reads then span few sectors anyway.
** Returns 1 and fills t when the tiled kernel should run. */
static int tiled_plan(const lu_ewise_call *c, lu_cg_tiled *t) {
  int k, x, y;
  if (c->ndim != 2) return 0;
  x = iabs64(c->out_strides[1]) <= iabs64(c->out_strides[0]) ? 1 : 0;
  y = 1 - x;
  if (c->shape[x] < LU_CG_TILE / 2 || c->shape[y] < LU_CG_TILE / 2) return 0;
  memset(t, 0, sizeof *t);
  t->n[0] = c->shape[y];
  t->n[1] = c->shape[x];
  t->st[0][0] = c->out_strides[y];
  t->st[0][1] = c->out_strides[x];
  for (k = 0; k < c->nin; k++) {
    int64_t sy, sx;
    if (c->in_scalar[k]) continue;
    sy = c->in_strides[k][y];
    sx = c->in_strides[k][x];
    t->st[1 + k][0] = sy;
    t->st[1 + k][1] = sx;
    if (sy != 0 && iabs64(sy) < iabs64(sx)) t->tmask |= 1 << k;
  }
  return t->tmask != 0;
}

int lu_cuda_ewise(lu_ctx *ctx, const lu_ewise_call *c) {
  lu_cuda_dev *d;
  lu_kentry k;
  lu_cg_sig sig;
  lu_cg_strided st;
  lu_cg_tiled tl;
  scalar_arg sc[3];
  void *args[6];
  long long n = (long long)c->n;
  int rc, i, na = 0, layout;
  dim3 grid, block;
  if (c->n <= 0) return LU_OK;
  if (c->nin < 1 || c->nin > 3 || c->op < 0 || c->op >= LU_NOPS)
    return lu_cuda_seterr(ctx, LU_EARG, "elementwise call with %d inputs", c->nin);
  if ((rc = lu_cuda_device(ctx, c->dev.index, &d)) != LU_OK) return rc;
  layout = c->contiguous ? LU_CG_FLAT : tiled_plan(c, &tl) ? LU_CG_TILED : LU_CG_STRIDED;
  make_sig(c, layout, &sig);
  if (layout == LU_CG_TILED && !lu_cg_valid(&sig)) {   /* tiles too big (complex128) */
    layout = LU_CG_STRIDED;
    make_sig(c, layout, &sig);
  }
  if ((rc = lu_cuda_kernel(ctx, d, sig_key(c, layout), &sig, &k)) != LU_OK) return rc;
  args[na++] = &n;
  grid = dim3_of(layout == LU_CG_FLAT ? lu_cuda_grid_pass(c->n, lu_cg_vector_width(&sig))
                                      : lu_cuda_grid(d, c->n));
  block = dim3_of(LU_CUDA_BLOCK);
  if (layout == LU_CG_TILED) {
    /* one block per tile; the kernel steps by the grid past these caps */
    int64_t gx = (tl.n[1] + LU_CG_TILE - 1) / LU_CG_TILE, gy = (tl.n[0] + LU_CG_TILE - 1) / LU_CG_TILE;
    grid.x = (unsigned)(gx < 0x7fffffff ? gx : 0x7fffffff);
    grid.y = (unsigned)(gy < 65535 ? gy : 65535);
    block.x = LU_CG_TILE;
    block.y = LU_CG_TILE_ROWS;
    args[na++] = &tl;
  } else if (layout == LU_CG_STRIDED) {
    if (c->ndim < 1 || c->ndim > LU_MAXDIM)
      return lu_cuda_seterr(ctx, LU_EARG, "elementwise call with %d dimensions", c->ndim);
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
  /* the driver's launch on the CUfunction cached at lookup: about 0.2 us
  ** cheaper per launch than cudaLaunchKernel on the cudaKernel_t, which
  ** resolves the kernel for the current context every time */
  if (k.cf != NULL)
    DRV_CHECK(ctx, lu_cu_launch(k.cf, grid.x, grid.y, grid.z, block.x, block.y, block.z, 0,
                                (CUstream)d->stream, args, NULL));
  else
    LAUNCH_CHECK(ctx, cudaLaunchKernel((const void *)k.fn, grid, block, args, 0, d->stream));
  if (lu_cuda_trace_on && !d->traced_launch) { d->traced_launch = 1; lu_cuda_trace("first kernel launch returned"); }
  return LU_OK;
}

const lu_ewise_family lu_cuda_ewise_family = { lu_cuda_ewise, lu_cuda_iota };
