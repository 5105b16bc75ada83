/* SPDX-License-Identifier: MIT */
/*
** Array creation and host transfers: from_host, to_host, to_device, full,
** arange, linspace, eye, random.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_peer.h"

int lu_from_host(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
                 const int64_t *shape, lu_device dev, const void *h_data) {
  const lu_backend *be;
  int st = lu_empty(ctx, out, dt, ndim, shape, dev);
  if (st != LU_OK) return st;
  if (out->buf->nbytes == 0) return LU_OK;
  lu_check_made(out);
  be = lu_backend_for(ctx, dev);
  ctx->op = "from_host";
  st = be->dev->upload(ctx, dev.index, out->buf->ptr, h_data, out->buf->nbytes);
  if (st != LU_OK) lu_array_release(out);
  else if (dev.type != LU_DEV_CPU) ctx->counters.h2d_bytes += out->buf->nbytes;
  return st;
}

/* A strided array is first made contiguous on its own device, so that one
** transfer brings it over. */
int lu_to_host(lu_ctx *ctx, const lu_array *a, void *h_dst) {
  lu_array c;
  const lu_backend *be;
  int st;
  lu_check_in(a);
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (a->size == 0) return LU_OK;
  be = lu_backend_checked(ctx, "to_host", lu_array_device(a));
  if (be == NULL) return ctx->err;
  /* a read-back inside an op (a count, an error flag) is named by the op */
  if ((st = lu_host_wait(ctx, lu_array_device(a), ctx->op ? ctx->op : "to_host")) != LU_OK)
    return st;
  if ((st = lu_ascontig(ctx, &c, a)) != LU_OK) return st;
  lu_check_contig(&c, a->size, (int)a->dtype, lu_array_device(a));
  ctx->op = ctx->host_what ? ctx->host_what : "to_host";   /* "array:item" */
  st = be->dev->download(ctx, lu_array_device(a).index, h_dst, lu_array_data(&c),
                    (size_t)a->size * (size_t)lu_array_itemsize(a));
  if (st == LU_OK && lu_array_device(a).type != LU_DEV_CPU)
    ctx->counters.d2h_bytes += (uint64_t)a->size * (uint64_t)lu_array_itemsize(a);
  lu_array_release(&c);
  return st;
}

/* Between the CPU and a GPU the data moves straight between the CPU
** array's memory and the device, with no temporary: an upload from the CPU
** array's data (made contiguous first, a view when it already is) or a
** download into the new CPU array. The CUDA backend makes large CPU buffers
** page-locked, so each is then one DMA. Two GPUs copy peer to peer
** (lu_peer.h). */
int lu_to_device(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_device dev) {
  lu_device from;
  lu_array c;
  int st;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  from = lu_array_device(a);
  if (lu_device_eq(from, dev)) return lu_copy(ctx, out, a);
  if (from.type == LU_DEV_CPU) {
    if ((st = lu_ascontig(ctx, &c, a)) != LU_OK) return st;
    st = lu_from_host(ctx, out, a->dtype, a->ndim, a->shape, dev, lu_array_data(&c));
    lu_array_release(&c);
    return st;
  }
  if (dev.type == LU_DEV_CPU) {
    if ((st = lu_empty(ctx, out, a->dtype, a->ndim, a->shape, dev)) != LU_OK) return st;
    st = lu_to_host(ctx, a, lu_array_data(out));
    if (st != LU_OK) lu_array_release(out);
    return st;
  }
#ifdef LUNAR_HAVE_CUDA
  /* two GPUs: a peer copy of the contiguous data, device to device */
  if (from.type == LU_DEV_CUDA && dev.type == LU_DEV_CUDA) {
    if ((st = lu_ascontig(ctx, &c, a)) != LU_OK) return st;
    if ((st = lu_empty(ctx, out, a->dtype, a->ndim, a->shape, dev)) == LU_OK &&
        out->buf->nbytes > 0) {
      const char *old = ctx->op;
      ctx->op = "to_device";
      st = lu_cuda_peer_ops.copy(ctx, dev.index, lu_array_data(out), from.index,
                                 lu_array_data(&c), (size_t)out->size * lu_array_itemsize(out));
      ctx->op = old;
      if (st != LU_OK) lu_array_release(out);
    }
    lu_array_release(&c);
    return st;
  }
#endif
  /* other devices: through a CPU array, so both legs are the direct ones */
  {
    lu_device cpu = {LU_DEV_CPU, 0};
    if ((st = lu_to_device(ctx, &c, a, cpu)) != LU_OK) return st;
    st = lu_to_device(ctx, out, &c, dev);
    lu_array_release(&c);
    return st;
  }
}

int lu_full(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
            const int64_t *shape, lu_device dev, lu_scalar value) {
  lu_arg g;
  int st = lu_empty(ctx, out, dt, ndim, shape, dev);
  if (st != LU_OK) return st;
  g.arr = NULL;
  g.s = value;
  st = lu_assign(ctx, out, &g);
  if (st != LU_OK) {
    /* name the function the user called */
    if (strncmp(ctx->errmsg, "assign:", 7) == 0) {
      char tmp[LU_ERRLEN];
      memcpy(tmp, ctx->errmsg, sizeof(tmp));
      lu_seterr(ctx, (lu_status)st, "full:%s", tmp + 7);
    }
    lu_array_release(out);
  }
  return st;
}

static int iota(lu_ctx *ctx, lu_array *out, const char *name, double start,
                double step, int64_t n, lu_dtype dt, lu_device dev) {
  const lu_ewise_family *fam;
  int st = lu_empty(ctx, out, dt, 1, &n, dev);
  if (st != LU_OK) return st;
  if (n == 0) return LU_OK;
  fam = lu_family(ctx, name, dev, ewise);
  if (fam != NULL) lu_check_contig(out, n, (int)dt, dev);
  st = fam == NULL ? (int)ctx->err
       : fam->iota == NULL ? lu_unavailable(ctx, name, dev)
       : fam->iota(ctx, dev, dt, lu_array_data(out), n, start, step);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_arange(lu_ctx *ctx, lu_array *out, double start, double stop,
              double step, lu_dtype dt, lu_device dev) {
  double len;
  out->buf = NULL;
  if (step == 0) return lu_seterr(ctx, LU_EARG, "arange: step must not be zero");
  len = ceil((stop - start) / step);
  if (len != len) return lu_seterr(ctx, LU_EARG, "arange: arguments must be finite");
  if (len < 0) len = 0;
  if (len > 9.0e18) return lu_seterr(ctx, LU_EMEM, "arange: array is too big");
  return iota(ctx, out, "arange", start, step, (int64_t)len, dt, dev);
}

/* Doubles hold every integer up to 2^53: within that the double iota is
** exact; beyond it the values are start + i*step computed in int64 (the
** products wrap, the sums land back in [start, stop)). */
int lu_arange_int(lu_ctx *ctx, lu_array *out, int64_t start, int64_t stop,
                  int64_t step, lu_dtype dt, lu_device dev) {
  const int64_t exact = (int64_t)1 << 53;
  int64_t n = 0, last;
  lu_array r, t;
  lu_arg g[2];
  int st;
  out->buf = NULL;
  if (step == 0) return lu_seterr(ctx, LU_EARG, "arange: step must not be zero");
  if (step > 0 && stop > start)
    n = (int64_t)(((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1);
  if (step < 0 && start > stop)
    n = (int64_t)(((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1);
  if (n < 0) return lu_seterr(ctx, LU_EMEM, "arange: array is too big");
  last = (int64_t)((uint64_t)start + (uint64_t)(n > 0 ? n - 1 : 0) * (uint64_t)step);
  if (start > -exact && start < exact && last > -exact && last < exact)
    return iota(ctx, out, "arange", (double)start, (double)step, n, dt, dev);
  if ((st = iota(ctx, &r, "arange", 0.0, 1.0, n, LU_INT64, dev)) != LU_OK) return st;
  g[0] = lu_arg_array(&r);
  g[1] = lu_arg_int(step);
  t.buf = NULL;
  st = lu_ewise_named(ctx, LU_OP_multiply, 2, g, &t, "arange", -1);
  lu_array_release(&r);
  if (st != LU_OK) return st;
  g[0] = lu_arg_array(&t);
  g[1] = lu_arg_int(start);
  r.buf = NULL;
  st = lu_ewise_named(ctx, LU_OP_add, 2, g, &r, "arange", -1);
  lu_array_release(&t);
  if (st != LU_OK || dt == LU_INT64) { if (st == LU_OK) *out = r; return st; }
  st = lu_astype(ctx, out, &r, dt);
  lu_array_release(&r);
  return st;
}

/* NumPy's linspace: start + i*step with step = (stop-start)/div, and the last
** element set to stop exactly when endpoint is true. */
int lu_linspace(lu_ctx *ctx, lu_array *out, double start, double stop,
                int64_t num, int endpoint, lu_dtype dt, lu_device dev) {
  int64_t div;
  double step;
  int st;
  out->buf = NULL;
  if (num < 0)
    return lu_seterr(ctx, LU_EARG, "linspace: number of samples, %lld, must be non-negative",
                     (long long)num);
  div = endpoint ? num - 1 : num;
  step = div > 0 ? (stop - start) / (double)div : 0.0;
  st = iota(ctx, out, "linspace", start, step, num, dt, dev);
  if (st != LU_OK || !endpoint || num < 2) return st;
  {
    lu_array last;
    lu_arg g = lu_arg_float(stop);
    if ((st = lu_take_index(ctx, &last, out, 0, num - 1)) == LU_OK) {
      st = lu_assign(ctx, &last, &g);
      lu_array_release(&last);
    }
    if (st != LU_OK) lu_array_release(out);
  }
  return st;
}

/* Zeros, then ones on the k-th diagonal through a strided 1-d view. */
int lu_eye(lu_ctx *ctx, lu_array *out, int64_t n, int64_t m, int64_t k,
           lu_dtype dt, lu_device dev) {
  int64_t shape[2];
  lu_scalar zero = {'i', 0, 0};
  int64_t r0, c0, cnt;
  int st;
  out->buf = NULL;
  if (n < 0 || m < 0)
    return lu_seterr(ctx, LU_EARG, "eye: negative dimensions are not allowed");
  shape[0] = n; shape[1] = m;
  if ((st = lu_full(ctx, out, dt, 2, shape, dev, zero)) != LU_OK) return st;
  r0 = k >= 0 ? 0 : -k;
  c0 = k >= 0 ? k : 0;
  cnt = (n - r0) < (m - c0) ? (n - r0) : (m - c0);
  if (cnt <= 0) return LU_OK;
  {
    lu_array d = *out;
    lu_arg one = lu_arg_int(1);
    d.ndim = 1;
    d.shape[0] = cnt;
    d.strides[0] = out->strides[0] + out->strides[1];
    d.offset = out->offset + r0 * out->strides[0] + c0 * out->strides[1];
    lu_array_update(&d);   /* borrows out's buffer reference */
    st = lu_assign(ctx, &d, &one);
  }
  if (st != LU_OK) lu_array_release(out);
  return st;
}

void lu_random_seed(lu_ctx *ctx, uint64_t seed) {
  ctx->rng.seed = seed;
  ctx->rng.offset = 0;
}

/* Counter-based: (seed, offset) names the stream position, so each call
** takes the next block of counters (rounded to 4, Philox's word count). */
static int random_native(lu_ctx *ctx, lu_array *out, lu_randdist dist, int ndim,
                         const int64_t *shape, lu_dtype dt, lu_device dev, lu_rngpos *pos) {
  const lu_random_family *fam;
  const char *name = dist == LU_RAND_NORMAL ? "randn" : "rand";
  int st;
  if ((st = lu_empty(ctx, out, dt, ndim, shape, dev)) != LU_OK) return st;
  if (out->size == 0) return LU_OK;
  fam = lu_family(ctx, name, dev, random);
  if (fam != NULL) lu_check_contig(out, out->size, (int)dt, dev);
  st = fam == NULL ? (int)ctx->err
       : fam->fill == NULL ? lu_unavailable(ctx, name, dev)
       : fam->fill(ctx, dev, dt, lu_array_data(out), out->size, dist, pos->seed,
                   pos->offset);
  if (st == LU_OK) {
    pos->offset += (uint64_t)((out->size + 3) / 4 * 4);
    st = lu_after_op(ctx, dev);
  }
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* float16 and bfloat16 (PyTorch's): float32 numbers of the same stream;
** uniforms floored to the 16-bit type's grid in [0, 1) (2^-11, 2^-8), so
** that rounding never makes a 1; normals rounded. */
static int random_half(lu_ctx *ctx, lu_array *out, lu_randdist dist, int ndim,
                       const int64_t *shape, lu_dtype dt, lu_device dev, lu_rngpos *pos) {
  lu_array x;
  int st;
  x.buf = NULL;
  if ((st = random_native(ctx, &x, dist, ndim, shape, LU_FLOAT32, dev, pos)) != LU_OK) return st;
  if (dist == LU_RAND_UNIFORM && x.size > 0) {
    double q = dt == LU_FLOAT16 ? 2048.0 : 256.0;
    lu_arg g[2];
    g[0] = lu_arg_array(&x);
    g[1] = lu_arg_float(q);
    if ((st = lu_ewise(ctx, LU_OP_multiply, 2, g, &x)) == LU_OK) {
      g[1] = lu_arg_int(1);
      if ((st = lu_ewise(ctx, LU_OP_floor_divide, 2, g, &x)) == LU_OK) {
        g[1] = lu_arg_float(q);
        st = lu_ewise(ctx, LU_OP_divide, 2, g, &x);
      }
    }
  }
  if (st == LU_OK) st = lu_astype(ctx, out, &x, dt);
  lu_array_release(&x);
  return st;
}

/* complex64/complex128 (PyTorch's): the real and imaginary parts are
** consecutive numbers of the float32/float64 stream; normals have variance
** 1 in all (1/2 per part). */
static int random_complex(lu_ctx *ctx, lu_array *out, lu_randdist dist, int ndim,
                          const int64_t *shape, lu_dtype dt, lu_device dev, lu_rngpos *pos) {
  int64_t sh[LU_MAXDIM + 1];
  lu_array x;
  int st, i;
  if (ndim >= LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: complex arrays of %d dimensions are not supported",
                     dist == LU_RAND_NORMAL ? "randn" : "rand", ndim);
  for (i = 0; i < ndim; i++) sh[i] = shape[i];
  sh[ndim] = 2;
  x.buf = NULL;
  if ((st = random_native(ctx, &x, dist, ndim + 1, sh, lu_real_of(dt), dev, pos)) != LU_OK)
    return st;
  if (dist == LU_RAND_NORMAL && x.size > 0) {
    lu_arg g[2];
    g[0] = lu_arg_array(&x);
    g[1] = lu_arg_float(0.70710678118654752440);
    st = lu_ewise(ctx, LU_OP_multiply, 2, g, &x);
  }
  if (st != LU_OK) { lu_array_release(&x); return st; }
  /* the pairs, read as complex values: same buffer, one axis fewer */
  *out = x;
  out->dtype = dt;
  out->ndim = ndim;
  lu_contig_strides(ndim, shape, lu_dtype_size(dt), out->strides);
  lu_array_update(out);
  return LU_OK;
}

/* The default stream (lunar.random's module functions) is the context's. */
lu_rngpos *lu_random_default(lu_ctx *ctx) { return &ctx->rng; }

int lu_random(lu_ctx *ctx, lu_array *out, lu_randdist dist, int ndim,
              const int64_t *shape, lu_dtype dt, lu_device dev) {
  return lu_random_at(ctx, out, dist, ndim, shape, dt, dev, &ctx->rng);
}

int lu_random_at(lu_ctx *ctx, lu_array *out, lu_randdist dist, int ndim,
                 const int64_t *shape, lu_dtype dt, lu_device dev, lu_rngpos *pos) {
  const char *name = dist == LU_RAND_NORMAL ? "randn" : "rand";
  out->buf = NULL;
  if (dt == LU_FLOAT32 || dt == LU_FLOAT64)
    return random_native(ctx, out, dist, ndim, shape, dt, dev, pos);
  if (lu_dtype_is_half(dt)) return random_half(ctx, out, dist, ndim, shape, dt, dev, pos);
  if (lu_dtype_kind(dt) == 'c') return random_complex(ctx, out, dist, ndim, shape, dt, dev, pos);
  return lu_seterr(ctx, LU_ETYPE, "%s: dtype must be a float or complex type, got %s", name,
                   lu_dtype_name(dt));
}

/* {====================================================== logspace, geomspace, diagflat */
/* NumPy's logspace: base ** linspace(start, stop), in float64, then dt. */
int lu_logspace(lu_ctx *ctx, lu_array *out, double start, double stop, int64_t num,
                int endpoint, double base, lu_dtype dt, lu_device dev) {
  lu_array y, p;
  lu_arg g[2];
  int st;
  out->buf = NULL;
  if (num < 0)
    return lu_seterr(ctx, LU_EARG, "logspace: number of samples, %lld, must be non-negative",
                     (long long)num);
  if ((st = lu_linspace(ctx, &y, start, stop, num, endpoint, LU_FLOAT64, dev)) != LU_OK) return st;
  g[0] = lu_arg_float(base);
  g[1] = lu_arg_array(&y);
  p.buf = NULL;
  st = lu_ewise_named(ctx, LU_OP_power, 2, g, &p, "logspace", -1);
  lu_array_release(&y);
  if (st != LU_OK) return st;
  if (dt == p.dtype) { *out = p; return LU_OK; }
  st = lu_astype(ctx, out, &p, dt);
  lu_array_release(&p);
  return st;
}

/* NumPy's geomspace for real scalars: a logspace between the logarithms,
** with the ends set exactly and the sign of two negative ends restored. */
int lu_geomspace(lu_ctx *ctx, lu_array *out, double start, double stop, int64_t num,
                 int endpoint, lu_dtype dt, lu_device dev) {
  lu_array y, r;
  double sign = 1;
  int st;
  out->buf = NULL;
  if (start == 0 || stop == 0)
    return lu_seterr(ctx, LU_EARG, "geomspace: Geometric sequence cannot include zero");
  if (num < 0)
    return lu_seterr(ctx, LU_EARG, "geomspace: number of samples, %lld, must be non-negative",
                     (long long)num);
  if (start < 0 && stop < 0) { start = -start; stop = -stop; sign = -1; }
  if ((st = lu_logspace(ctx, &y, log10(start), log10(stop), num, endpoint, 10.0, LU_FLOAT64, dev)) != LU_OK)
    return st;
  if (num > 0) {
    lu_array e;
    lu_arg g = lu_arg_float(start);
    if ((st = lu_take_index(ctx, &e, &y, 0, 0)) == LU_OK) {
      st = lu_assign(ctx, &e, &g);
      lu_array_release(&e);
    }
    if (st == LU_OK && num > 1 && endpoint && (st = lu_take_index(ctx, &e, &y, 0, num - 1)) == LU_OK) {
      g = lu_arg_float(stop);
      st = lu_assign(ctx, &e, &g);
      lu_array_release(&e);
    }
  }
  if (st == LU_OK && sign < 0) {
    lu_arg g[2];
    g[0] = lu_arg_array(&y);
    g[1] = lu_arg_float(-1.0);
    r.buf = NULL;
    if ((st = lu_ewise_named(ctx, LU_OP_multiply, 2, g, &r, "geomspace", -1)) == LU_OK) {
      lu_array_release(&y);
      y = r;
    }
  }
  if (st != LU_OK) { lu_array_release(&y); return st; }
  if (dt == y.dtype) { *out = y; return LU_OK; }
  st = lu_astype(ctx, out, &y, dt);
  lu_array_release(&y);
  return st;
}

/* The flattened v on diagonal k of a square array of zeros. */
int lu_diagflat(lu_ctx *ctx, lu_array *out, const lu_array *v, int64_t k) {
  lu_array flat, d;
  lu_scalar zero = {'i', 0, 0};
  int64_t m1 = -1, n, shape[2];
  int st;
  out->buf = NULL;
  if (v->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if ((st = lu_reshape(ctx, &flat, v, 1, &m1)) != LU_OK) return st;
  n = flat.shape[0];
  if (k == INT64_MIN || !lu_size_add(n, k < 0 ? -k : k, &shape[0])) {
    lu_array_release(&flat);
    return lu_seterr(ctx, LU_EMEM, "diagflat: array is too big");
  }
  shape[1] = shape[0];
  st = lu_full(ctx, out, v->dtype, 2, shape, lu_array_device(v), zero);
  if (st == LU_OK && n > 0) {
    d = *out;
    d.ndim = 1;
    d.shape[0] = n;
    d.strides[0] = out->strides[0] + out->strides[1];
    d.offset = out->offset + (k < 0 ? -k * out->strides[0] : k * out->strides[1]);
    lu_array_update(&d);   /* borrows out's reference */
    st = lu_put(ctx, "diagflat", &d, &flat);
    if (st != LU_OK) lu_array_release(out);
  }
  lu_array_release(&flat);
  return st;
}
/* }====================================================== */
