/* SPDX-License-Identifier: MIT */
/*
** The fft family's core: NumPy 2's numpy.fft on top of the backends'
** batched transforms (lu_fft_call in lu_backend.h).
**
** A transform over several axes is NumPy's loop of one-axis transforms
** (_raw_fftnd, rfftn, irfftn), each step cropping or zero-padding its
** axis first, so repeated axes and `s` behave exactly as in NumPy. Two
** things make the loop cheap: a step whose input is a temporary of the
** result's dtype runs in place, and complex transforms over distinct axes
** with nothing to crop or pad go to the backend as one call over up to
** its max_rank axes (cuFFT's 2-d and 3-d plans) when their layout nests.
**
** dtypes (NumPy 2): complex64 and float32 (float16, bfloat16 computed in
** float32) give complex64; every other input (float64, integers, bool,
** complex128) complex128. The real transforms take real input only (NumPy
** 2 raises for complex input to rfft) and irfft gives the real dtype of
** the same precision.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_backend.h"
#include "lu_hostmem.h"

/* {====================================================== dtypes */
static int single(lu_dtype dt) {
  return dt == LU_FLOAT32 || dt == LU_COMPLEX64 || lu_dtype_is_half(dt);
}
static lu_dtype cplx_of(lu_dtype dt) { return single(dt) ? LU_COMPLEX64 : LU_COMPLEX128; }
static lu_dtype real_of(lu_dtype dt) { return single(dt) ? LU_FLOAT32 : LU_FLOAT64; }
/* }====================================================== */

/* {====================================================== one step */
/* A working array: `own` when it is a temporary of this call (it may be
** overwritten or transformed in place). */
typedef struct work {
  lu_array a;
  int own;
  int herm;             /* a C2R input known to be the spectrum of real data
                           (or a product of such): its imaginary parts at
                           0 and n/2 are zeros but for rounding */
} work;

static void work_drop(work *w) {
  lu_array_release(&w->a);
  w->own = 0;
}

/* The factor of one transform of n points (NumPy's norm modes). */
static double factor(lu_fftnorm norm, int forward, double n) {
  switch (norm) {
  case LU_NORM_ORTHO: return 1.0 / sqrt(n);
  case LU_NORM_FORWARD: return forward ? 1.0 / n : 1.0;
  default: return forward ? 1.0 : 1.0 / n;
  }
}

/* Strides usable by the backend: whole elements, and, off the CPU,
** positive (cuFFT's layouts cannot go backwards or repeat). */
static int usable(const lu_array *a) {
  int isz = lu_dtype_size(a->dtype), i;
  for (i = 0; i < a->ndim; i++) {
    if (a->shape[i] <= 1) continue;
    if (a->strides[i] % isz != 0) return 0;
    if (lu_array_device(a).type != LU_DEV_CPU && a->strides[i] <= 0) return 0;
  }
  return 1;
}

/* w cropped or zero-padded to length m along axis, in dtype dt, in a
** layout the backend takes; a copy made here is `own`. */
static int prepare(lu_ctx *ctx, const char *name, work *w, int axis, int64_t m, lu_dtype dt) {
  lu_array v = w->a, t;
  int st;
  if (v.shape[axis] >= m) {
    if (v.shape[axis] > m) v = lu_subview(&w->a, axis, 0, m);
    if (v.dtype == dt && usable(&v)) {
      if (v.shape[axis] != w->a.shape[axis]) {     /* a cropped view of w */
        lu_array_share(&t, &v);
        lu_array_release(&w->a);
        w->a = t;
      }
      return LU_OK;
    }
    st = lu_astype(ctx, &t, &v, dt);
  } else {
    int64_t shape[LU_MAXDIM];
    lu_scalar z;
    lu_array dst;
    memcpy(shape, v.shape, sizeof shape);
    shape[axis] = m;
    memset(&z, 0, sizeof z);
    z.kind = 'i';
    st = lu_full(ctx, &t, dt, v.ndim, shape, lu_array_device(&v), z);
    if (st == LU_OK) {
      dst = lu_subview(&t, axis, 0, v.shape[axis]);
      st = lu_put(ctx, name, &dst, &v);
      if (st != LU_OK) lu_array_release(&t);
    }
  }
  if (st != LU_OK) return st;
  lu_array_release(&w->a);
  w->a = t;
  w->own = 1;
  return LU_OK;
}

/* The batch axes of a call: every axis not in `skip` (a bit set), the
** innermost last, with neighbours merged where both layouts allow. */
static void batch_axes(lu_fft_call *c, const lu_array *in, const lu_array *out, unsigned skip) {
  int isz = lu_dtype_size(in->dtype), osz = lu_dtype_size(out->dtype), i;
  c->nbatch = 0;
  for (i = 0; i < in->ndim; i++) {
    int64_t n = in->shape[i], is, os;
    if (skip & (1u << i)) continue;
    if (n == 1) continue;
    is = in->strides[i] / isz;
    os = out->strides[i] / osz;
    if (n == 0) { is = os = 0; }
    if (c->nbatch > 0 && n > 0) {
      int k = c->nbatch - 1;
      if (c->bn[k] > 0 && c->ibs[k] == is * n && c->obs[k] == os * n) {
        c->bn[k] *= n;
        c->ibs[k] = is;
        c->obs[k] = os;
        continue;
      }
    }
    c->bn[c->nbatch] = n;
    c->ibs[c->nbatch] = is;
    c->obs[c->nbatch] = os;
    c->nbatch++;
  }
}

/* c on the family of its device; in and out are the arrays of c->in and
** c->out (for the debug build's check) */
static int run(lu_ctx *ctx, const char *name, const lu_fft_call *c, const lu_array *in,
               const lu_array *out) {
  const lu_fft_family *fam = lu_family(ctx, name, c->dev, fft);
  int st;
  if (fam == NULL) return ctx->err;
  if (fam->execute == NULL) return lu_unavailable(ctx, name, c->dev);
  lu_check_fft(ctx, c, fam->max_rank, in, out);
  st = fam->execute(ctx, c);
  if (st == LU_OK) st = lu_after_op(ctx, c->dev);
  return st;
}

/* One transform of kind `kind` over the axes ax[0..rank) of w (already
** cropped or padded: ax[k] holds n[k] values, or n/2 + 1 for C2R's last),
** replacing w by the result. rank > 1 only for C2C over nested axes. */
static int transform(lu_ctx *ctx, const char *name, work *w, lu_fftkind kind, int forward,
                     int rank, const int *ax, const int64_t *n, double scale) {
  const lu_fft_family *fam;
  lu_fft_call c;
  lu_array out;
  lu_dtype odt;
  int64_t shape[LU_MAXDIM];
  unsigned skip = 0;
  int k, st, inplace;
  lu_device dev = lu_array_device(&w->a);
  if ((fam = lu_family(ctx, name, dev, fft)) == NULL) return ctx->err;
  odt = kind == LU_FFT_C2R ? real_of(w->a.dtype) : cplx_of(w->a.dtype);
  /* one point: the transform is the identity (its factor is 1 in every
  ** norm); done here, as some libraries refuse plans of length 1 */
  if (rank == 1 && n[0] == 1) {
    lu_array part, t;
    if (kind == LU_FFT_C2R) {
      if ((st = lu_complex_part(ctx, &part, &w->a, 0)) != LU_OK) return st;
      st = lu_astype(ctx, &t, &part, odt);
      lu_array_release(&part);
    } else {
      st = lu_astype(ctx, &t, &w->a, odt);
    }
    if (st != LU_OK) return st;
    lu_array_release(&w->a);
    w->a = t;
    w->own = 1;
    return LU_OK;
  }
  /* cuFFT's real transforms refuse (CUFFT_INVALID_VALUE when executed)
  ** some strided batch layouts that its plans accept, as an H200 showed
  ** for transposed inputs and cropped views. Off the CPU they get the
  ** layout of a C-contiguous array with the transform axis last, and the
  ** result is a view with the axes put back. */
  if (kind != LU_FFT_C2C && dev.type != LU_DEV_CPU && rank == 1 &&
      !(ax[0] == w->a.ndim - 1 && lu_array_is_contig(&w->a))) {
    int perm[LU_MAXDIM], inv[LU_MAXDIM], j = 0, last = w->a.ndim - 1;
    lu_array tv, t;
    for (k = 0; k < w->a.ndim; k++) if (k != ax[0]) perm[j++] = k;
    perm[j] = ax[0];
    for (k = 0; k < w->a.ndim; k++) inv[perm[k]] = k;
    if ((st = lu_transpose(ctx, &tv, &w->a, perm)) != LU_OK) return st;
    st = lu_copy(ctx, &t, &tv);
    lu_array_release(&tv);
    if (st != LU_OK) return st;
    lu_array_release(&w->a);
    w->a = t;
    w->own = 1;
    if ((st = transform(ctx, name, w, kind, forward, 1, &last, n, scale)) != LU_OK) return st;
    if ((st = lu_transpose(ctx, &tv, &w->a, inv)) != LU_OK) return st;
    lu_array_release(&w->a);
    w->a = tv;
    return LU_OK;
  }
  /* C2R may clobber its input on some backends: hand them a copy */
  if (kind == LU_FFT_C2R && fam->c2r_clobbers && !w->own) {
    lu_array t;
    if ((st = lu_copy(ctx, &t, &w->a)) != LU_OK) return st;
    lu_array_release(&w->a);
    w->a = t;
    w->own = 1;
  }
  /* NumPy ignores the imaginary parts of the first value and (n even) the
  ** last; cuFFT's C2R reads them, so they are zeroed in the copy */
  if (kind == LU_FFT_C2R && dev.type != LU_DEV_CPU && w->own && !w->herm) {
    lu_array im, v;
    lu_arg z = lu_arg_int(0);
    if ((st = lu_complex_part(ctx, &im, &w->a, 1)) != LU_OK) return st;
    v = lu_subview(&im, ax[0], 0, 1);
    st = lu_assign(ctx, &v, &z);
    if (st == LU_OK && n[0] % 2 == 0 && w->a.shape[ax[0]] > 1) {
      v = lu_subview(&im, ax[0], w->a.shape[ax[0]] - 1, w->a.shape[ax[0]]);
      st = lu_assign(ctx, &v, &z);
    }
    lu_array_release(&im);
    if (st != LU_OK) return st;
  }
  memcpy(shape, w->a.shape, sizeof shape);
  if (kind == LU_FFT_R2C) shape[ax[0]] = n[0] / 2 + 1;
  if (kind == LU_FFT_C2R) shape[ax[0]] = n[0];
  inplace = kind == LU_FFT_C2C && w->own && lu_array_is_contig(&w->a) && w->a.dtype == odt;
  if (inplace) {
    lu_array_share(&out, &w->a);
  } else if ((st = lu_empty(ctx, &out, odt, w->a.ndim, shape, dev)) != LU_OK) {
    return st;
  }
  memset(&c, 0, sizeof c);
  c.kind = kind;
  c.forward = forward;
  c.in_dt = w->a.dtype;
  c.out_dt = odt;
  c.rank = rank;
  for (k = 0; k < rank; k++) {
    c.n[k] = n[k];
    c.is[k] = w->a.strides[ax[k]] / lu_dtype_size(w->a.dtype);
    c.os[k] = out.strides[ax[k]] / lu_dtype_size(odt);
    skip |= 1u << ax[k];
  }
  batch_axes(&c, &w->a, &out, skip);
  c.in = lu_array_data(&w->a);
  c.out = lu_array_data(&out);
  c.out_size = out.size;
  c.scale = scale;
  c.dev = dev;
  st = out.size == 0 ? LU_OK : run(ctx, name, &c, &w->a, &out);
  if (st != LU_OK) {
    lu_array_release(&out);
    return st;
  }
  lu_array_release(&w->a);
  w->a = out;
  w->own = 1;
  return LU_OK;
}

/* One NumPy 1-d transform along axis: crop/pad to its length, convert,
** transform and scale. n is the transform's length (the real length for
** R2C and C2R). */
static int step(lu_ctx *ctx, const char *name, work *w, lu_fftkind kind, int forward, int axis,
                int64_t n, lu_fftnorm norm) {
  lu_dtype in_dt = kind == LU_FFT_R2C ? real_of(w->a.dtype) : cplx_of(w->a.dtype);
  int64_t m = kind == LU_FFT_C2R ? n / 2 + 1 : n;
  int st;
  if ((st = prepare(ctx, name, w, axis, m, in_dt)) != LU_OK) return st;
  return transform(ctx, name, w, kind, forward, 1, &axis, &n, factor(norm, forward, (double)n));
}
/* }====================================================== */

/* {====================================================== the functions */
static int check_n(lu_ctx *ctx, const char *name, int64_t n) {
  if (n < 1)
    return lu_seterr(ctx, LU_EARG, "%s: invalid number of FFT data points (%lld) specified",
                     name, (long long)n);
  return LU_OK;
}

/* Complex transforms over distinct axes, none cropped or padded, nested
** in w's layout (each axis's stride a multiple of the next one's and at
** least its extent times it): one call of up to max_rank axes. Returns 1
** when done (st set), 0 when the loop must do it. */
static int grouped(lu_ctx *ctx, const char *name, work *w, int forward, int naxes,
                   const int *axes, const int64_t *s, lu_fftnorm norm, int *st) {
  const lu_fft_family *fam;
  int ax[3], i, j;
  int64_t n[3];
  double scale = 1.0;
  unsigned seen = 0;
  if (naxes < 2 || naxes > 3) return 0;
  fam = lu_family(ctx, name, lu_array_device(&w->a), fft);
  if (fam == NULL || fam->max_rank < naxes) return 0;
  for (i = 0; i < naxes; i++) {
    if (seen & (1u << axes[i])) return 0;
    seen |= 1u << axes[i];
    if (s[i] != w->a.shape[axes[i]] || s[i] < 2) return 0;
  }
  if (w->a.size == 0) return 0;
  /* the complex input in a usable layout, then the nesting */
  *st = prepare(ctx, name, w, axes[0], s[0], cplx_of(w->a.dtype));
  if (*st != LU_OK) return 1;
  for (i = 0, j = 0; i < w->a.ndim; i++)
    if (seen & (1u << i)) { ax[j] = i; n[j] = w->a.shape[i]; j++; }
  for (i = 0; i + 1 < naxes; i++) {
    int64_t a0 = w->a.strides[ax[i]], a1 = w->a.strides[ax[i + 1]];
    if (a1 <= 0 || a0 <= 0 || a0 % a1 != 0 || a0 < a1 * n[i + 1]) return 0;
  }
  for (i = 0; i < naxes; i++) scale *= factor(norm, forward, (double)n[i]);
  *st = transform(ctx, name, w, LU_FFT_C2C, forward, naxes, ax, n, scale);
  return 1;
}

/* The forms of NumPy 2's numpy.fft (see lu_api.h); scratch: a's buffer
** may be overwritten (1), and it is a real signal's spectrum (2)
** (lu_fft_scratch) */
static int fft_run(lu_ctx *ctx, lu_array *out, const char *name, lu_fftfn fn, const lu_array *a,
                   int naxes, const int *axes, const int64_t *s_in, lu_fftnorm norm, int scratch) {
  work w;
  int64_t s[LU_MAXDIM];
  int i, st = LU_OK, last;
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (naxes < 0 || naxes > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: %d axes", name, naxes);
  for (i = 0; i < naxes; i++) {
    if (axes[i] < 0 || axes[i] >= a->ndim)
      return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                       name, axes[i] + 1, a->ndim);
    s[i] = s_in && s_in[i] >= 0 ? s_in[i] : a->shape[axes[i]];
  }
  last = naxes - 1;
  /* the default length of irfft's output, NumPy's 2 (m - 1) */
  if ((fn == LU_FFT_IRFFT || fn == LU_FFT_HFFT) && naxes > 0 && s_in == NULL)
    s[last] = 2 * (a->shape[axes[last]] - 1);
  for (i = 0; i < naxes; i++)
    if ((st = check_n(ctx, name, s[i])) != LU_OK) return st;
  if ((fn == LU_FFT_RFFT || fn == LU_FFT_IHFFT) && lu_dtype_kind(a->dtype) == 'c')
    return lu_seterr(ctx, LU_ETYPE, "%s: the input must be real, got %s (take .real, or use "
                     "fft for complex input)", name, lu_dtype_name(a->dtype));
  if (naxes == 0) return lu_copy(ctx, out, a);   /* NumPy: a itself */
  lu_array_share(&w.a, a);
  w.own = scratch > 0;
  w.herm = scratch > 1;
  switch (fn) {
  case LU_FFT_FFT: case LU_FFT_IFFT: {
    int fwd = fn == LU_FFT_FFT;
    if (grouped(ctx, name, &w, fwd, naxes, axes, s, norm, &st)) break;
    for (i = last; i >= 0 && st == LU_OK; i--)
      st = step(ctx, name, &w, LU_FFT_C2C, fwd, axes[i], s[i], norm);
    break;
  }
  case LU_FFT_RFFT:
    st = step(ctx, name, &w, LU_FFT_R2C, 1, axes[last], s[last], norm);
    for (i = last - 1; i >= 0 && st == LU_OK; i--)
      st = step(ctx, name, &w, LU_FFT_C2C, 1, axes[i], s[i], norm);
    break;
  case LU_FFT_IRFFT:
    for (i = 0; i < last && st == LU_OK; i++)
      st = step(ctx, name, &w, LU_FFT_C2C, 0, axes[i], s[i], norm);
    if (st == LU_OK) st = step(ctx, name, &w, LU_FFT_C2R, 0, axes[last], s[last], norm);
    break;
  case LU_FFT_HFFT: {
    /* irfft of the conjugate, with the norm's direction swapped */
    lu_fftnorm sw = norm == LU_NORM_BACKWARD ? LU_NORM_FORWARD
                    : norm == LU_NORM_FORWARD ? LU_NORM_BACKWARD : norm;
    lu_arg g;
    int64_t m = s[last] / 2 + 1;
    st = prepare(ctx, name, &w, axes[last], m, cplx_of(w.a.dtype));
    if (st == LU_OK && !w.own) {
      lu_array t;
      if ((st = lu_copy(ctx, &t, &w.a)) == LU_OK) {
        lu_array_release(&w.a);
        w.a = t;
        w.own = 1;
      }
    }
    if (st == LU_OK) {
      g = lu_arg_array(&w.a);
      st = lu_ewise_named(ctx, LU_OP_conjugate, 1, &g, &w.a, name, -1);
    }
    if (st == LU_OK) st = step(ctx, name, &w, LU_FFT_C2R, 0, axes[last], s[last], sw);
    break;
  }
  case LU_FFT_IHFFT: {
    lu_fftnorm sw = norm == LU_NORM_BACKWARD ? LU_NORM_FORWARD
                    : norm == LU_NORM_FORWARD ? LU_NORM_BACKWARD : norm;
    lu_arg g;
    st = step(ctx, name, &w, LU_FFT_R2C, 1, axes[last], s[last], sw);
    if (st == LU_OK) {
      g = lu_arg_array(&w.a);
      st = lu_ewise_named(ctx, LU_OP_conjugate, 1, &g, &w.a, name, -1);
    }
    break;
  }
  }
  if (st != LU_OK) {
    work_drop(&w);
    return st;
  }
  if (!w.own) {           /* nothing was computed (cannot happen with axes): copy */
    st = lu_copy(ctx, out, &w.a);
    work_drop(&w);
    return st;
  }
  /* NumPy 2's irfft and hfft of float16 input give float16 (its output
  ** dtype is the input's real dtype); the work was done in float32 */
  if ((fn == LU_FFT_HFFT || (fn == LU_FFT_IRFFT && naxes == 1)) && lu_dtype_is_half(a->dtype)) {
    st = lu_astype(ctx, out, &w.a, a->dtype);
    work_drop(&w);
    return st;
  }
  *out = w.a;
  return LU_OK;
}

int lu_fft(lu_ctx *ctx, lu_array *out, const char *name, lu_fftfn fn, const lu_array *a,
           int naxes, const int *axes, const int64_t *s, lu_fftnorm norm) {
  return fft_run(ctx, out, name, fn, a, naxes, axes, s, norm, 0);
}

int lu_fft_scratch(lu_ctx *ctx, lu_array *out, const char *name, lu_fftfn fn, const lu_array *a,
                   int naxes, const int *axes, const int64_t *s, lu_fftnorm norm, int real_spec) {
  return fft_run(ctx, out, name, fn, a, naxes, axes, s, norm, real_spec ? 2 : 1);
}

/* fftfreq and rfftfreq: float64 values made on the host. */
int lu_fftfreq(lu_ctx *ctx, lu_array *out, const char *name, int64_t n, double d, int real,
               lu_device dev) {
  int64_t m, i, shape[1];
  double *h, f;
  int st;
  out->buf = NULL;
  if (n < 1)
    return lu_seterr(ctx, LU_EARG, "%s: n must be a positive integer, got %lld", name,
                     (long long)n);
  m = real ? n / 2 + 1 : n;
  shape[0] = m;
  if ((st = lu_shape_check(ctx, name, 1, shape, (int)sizeof(double), NULL)) != LU_OK) return st;
  h = (double *)lu_malloc((size_t)m * sizeof(double));
  if (h == NULL) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  f = 1.0 / ((double)n * d);
  for (i = 0; i < m; i++) {
    int64_t k = (real || i < (n + 1) / 2) ? i : i - n;
    h[i] = (double)k * f;
  }
  shape[0] = m;
  st = lu_from_host(ctx, out, LU_FLOAT64, 1, shape, dev, h);
  free(h);
  return st;
}

/* The plan caches (lunar.fft.config.plan_cache). */
static const lu_fft_family *cache_family(lu_ctx *ctx, lu_device dev) {
  return lu_family(ctx, "fft.config.plan_cache", dev, fft);
}

int lu_fft_plans_info(lu_ctx *ctx, lu_device dev, lu_fft_cache_info *info) {
  const lu_fft_family *fam = cache_family(ctx, dev);
  if (fam == NULL) return ctx->err;
  if (fam->cache_info == NULL) return lu_unavailable(ctx, "fft.config.plan_cache", dev);
  return fam->cache_info(ctx, dev, info);
}

int lu_fft_plans_limit(lu_ctx *ctx, lu_device dev, int64_t max_size, int64_t max_memsize) {
  const lu_fft_family *fam = cache_family(ctx, dev);
  if (fam == NULL) return ctx->err;
  if (fam->cache_limit == NULL) return lu_unavailable(ctx, "fft.config.plan_cache", dev);
  return fam->cache_limit(ctx, dev, max_size, max_memsize);
}

int lu_fft_plans_clear(lu_ctx *ctx, lu_device dev) {
  const lu_fft_family *fam = cache_family(ctx, dev);
  if (fam == NULL) return ctx->err;
  if (fam->cache_clear == NULL) return lu_unavailable(ctx, "fft.config.plan_cache", dev);
  return fam->cache_clear(ctx, dev);
}
/* }====================================================== */
