/* SPDX-License-Identifier: MIT */
/*
** correlate and convolve (NumPy's, for 1-d arrays), directly or through
** the fft family; the comment below says how and when.
*/
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lu_sortfam.h"
#include "lu_lazy.h"

#define TRY(x) do { if ((st = (x)) != LU_OK) goto done; } while (0)

#define A(x) lu_arg_array(x)

/* {====================================================== correlate, convolve */
/* Both compute a slice of the full correlation of the longer array (lng,
** n values) with the shorter (shr, m values; conjugated for correlate,
** reversed for convolve, before this point), in their common dtype, one of
** two ways:
** - directly, NumPy's way: windows of the zero-padded longer array are
**   the rows of a matrix (a strided view, the windows overlap) that
**   multiplies the shorter, a block of windows at a time so the copy the
**   product makes stays small; len x m multiply-adds;
** - through the FFT (the fft family, so on every device): both zero-padded
**   to N (an even 2^a 3^b 5^c), rfft (fft for complex), multiplied, irfft
**   (ifft), the slice cut out and rounded to the dtype; O(N log N).
** Method "auto" takes the one a cost model says is faster (fft_cheaper).
** The FFT works in float64 (complex128) whatever the input's precision:
** its error is spread over all outputs in proportion to the inputs' norms,
** so float32 work would lose the small outputs of an input of wide dynamic
** range; in float64 a float32 result is its correctly rounded value but
** for a few ulps, at least as good as NumPy's direct float32 sums.
** Integer and bool results are exact in NumPy (wrapping as the dtype
** wraps); one product through the FFT gives them when its error bound is
** below 1/4, so that rounding recovers the exact sum, and integers too
** large for that are split into limbs of a few bits whose products each
** are (fft_limbs). A float result with a value that is not finite (an
** input with an infinity or a NaN, which the transforms spread to every
** output, or spectra that overflowed) is thrown away and summed directly,
** even when "fft" is asked for: the method changes the speed, never more
** than the rounding of the result. */
#define WINDOW_BLOCK ((int64_t)1 << 22)   /* elements of one block of windows */

/* red(op(x)) over every element, a 0-d array: one fused kernel where
** fusion applies (GPU arrays), else the op and the reduction */
static int map_reduce(lu_ctx *ctx, const char *name, lu_op op, const lu_array *x, lu_redop red,
                      lu_array *out) {
  lu_array t;
  lu_arg g = A(x);
  int st;
  if (lu_lazy_map_reduce(ctx, op, 1, &g, red, -1, NULL, 0, out) == LU_OK) return LU_OK;
  if ((st = lu_sf_ew(ctx, name, op, A(x), NULL, &t)) != LU_OK) return st;
  st = lu_reduce(ctx, out, red, &t, LU_ALLAXES, 0, 0);
  lu_array_release(&t);
  return st;
}

/* Whether a float or complex x holds an infinity or a NaN (in either
** part): not all of isfinite(x) (read back: a wait for the device) */
static int nonfinite(lu_ctx *ctx, const char *name, const lu_array *x, int *yes) {
  lu_array s;
  double v = 1;
  int st;
  *yes = 0;
  if (lu_dtype_kind(x->dtype) != 'f' && lu_dtype_kind(x->dtype) != 'c') return LU_OK;
  if ((st = map_reduce(ctx, name, LU_OP_isfinite, x, LU_RED_all, &s)) != LU_OK) return st;
  st = lu_sf_get_f64(ctx, &s, 0, &v);
  lu_array_release(&s);
  *yes = v == 0;
  return st;
}

/* The outputs whose windows reach into the zero padding, again, when the
** shorter array holds an infinity or a NaN: the padding's zeros times it
** made them NaN, where NumPy sums only the terms that overlap. Each is
** one product of the overlapping slices. */
static int direct_edges(lu_ctx *ctx, const char *name, const lu_array *lng, const lu_array *shr,
                        int64_t left, int64_t len, lu_array *out) {
  int64_t n = lng->shape[0], m = shr->shape[0], k;
  int st, bad;
  if (left + n - m + 1 >= len && left == 0) return LU_OK;    /* no window reaches it */
  if ((st = nonfinite(ctx, name, shr, &bad)) != LU_OK || !bad) return st;
  for (k = 0; k < len; k++) {
    int64_t i0 = k - left, i1 = k - left + m;
    lu_array x, y, d, dst;
    lu_arg g;
    if (i0 >= 0 && i1 <= n) {          /* full overlap: skip to the right edge */
      if (k < left + n - m) k = left + n - m;
      continue;
    }
    if (i0 < 0) i0 = 0;
    if (i1 > n) i1 = n;
    x = lu_subview(lng, 0, i0, i1);
    y = lu_subview(shr, 0, i0 - (k - left), i1 - (k - left));
    if ((st = lu_matmul(ctx, &d, &x, &y)) != LU_OK) return st;
    dst = lu_subview(out, 0, k, k + 1);
    g = lu_arg_array(&d);
    st = lu_assign(ctx, &dst, &g);
    lu_array_release(&d);
    if (st != LU_OK) return st;
  }
  return LU_OK;
}

/* c[k] = sum_j long[k - left + j] * short[j] for k < len (zeros outside):
** NumPy's correlation kernel, the longer array first */
static int correlate_direct(lu_ctx *ctx, const char *name, const lu_array *lng,
                            const lu_array *shr, int64_t left, int64_t right, int64_t len,
                            lu_array *out) {
  lu_array pad, part;
  int64_t n = lng->shape[0], m = shr->shape[0], total = left + n + right, rows, k0;
  lu_scalar zero = {'i', 0, 0};
  lu_device dev = lu_array_device(lng);
  int st;
  out->buf = NULL;
  pad.buf = part.buf = NULL;
  TRY(lu_empty(ctx, out, lng->dtype, 1, &len, dev));
  if (len == 0) goto done;
  TRY(lu_full(ctx, &pad, lng->dtype, 1, &total, dev, zero));
  TRY(lu_slice(ctx, &part, &pad, 0, left, left + n, 1));
  {
    lu_arg g = lu_arg_array(lng);
    TRY(lu_assign(ctx, &part, &g));
  }
  lu_array_release(&part);
  rows = WINDOW_BLOCK / (m > 0 ? m : 1);
  if (rows < 1) rows = 1;
  for (k0 = 0; k0 < len; k0 += rows) {
    int64_t r = len - k0 < rows ? len - k0 : rows;
    lu_array win = pad, prod, dst;
    lu_arg g;
    win.ndim = 2;
    win.shape[0] = r;
    win.shape[1] = m;
    win.strides[0] = lu_array_itemsize(&pad);
    win.strides[1] = lu_array_itemsize(&pad);
    win.offset = pad.offset + k0 * lu_array_itemsize(&pad);
    lu_array_update(&win);       /* borrows pad's reference */
    prod.buf = dst.buf = NULL;
    st = lu_matmul(ctx, &prod, &win, shr);
    if (st == LU_OK) st = lu_slice(ctx, &dst, out, 0, k0, k0 + r, 1);
    if (st == LU_OK) { g = lu_arg_array(&prod); st = lu_assign(ctx, &dst, &g); }
    lu_array_release(&prod);
    lu_array_release(&dst);
    if (st != LU_OK) goto done;
  }
  TRY(direct_edges(ctx, name, lng, shr, left, len, out));
done:
  lu_array_release(&pad);
  lu_array_release(&part);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* The smallest even 2^a 3^b 5^c >= n: lengths both FFT engines (lunar's
** CPU passes of radix 2, 3, 4 and 5, cuFFT) do fastest, even for the real
** transforms' half-length trick. */
static int64_t fft_len(int64_t n) {
  int64_t best = INT64_MAX, p2, p3, p5;
  if (n <= 2) return 2;
  for (p2 = 2; ; p2 *= 2) {
    for (p3 = p2; ; p3 *= 3) {
      for (p5 = p3; p5 < n; p5 *= 5) {}
      if (p5 < best) best = p5;
      if (p3 >= n) break;
    }
    if (p2 >= n) break;
  }
  return best;
}

static int integral(lu_dtype dt) {
  return lu_dtype_kind(dt) == 'b' || lu_dtype_kind(dt) == 'i' || lu_dtype_kind(dt) == 'u';
}

/* Whether the FFT is expected to be faster than the direct product for len
** outputs of m terms each through transforms of N points: a model in
** nanoseconds. CPU: fitted to runs of both methods on a 2-core x86 (the
** direct product costs 1.2 ns per multiply-add in float64, 0.9 in float32,
** 1.8 and 2.4 in complex64 and complex128, 3.6 in integers; the transforms
** 1.7 ns per N log2 N real, 3.0 complex, plus about 20 us of calls, twice
** that once N passes about 2^20 and the work the caches): the FFT takes
** over from m = 16 to 24 (float64, n from 3000 to 3 10^5; 64 at 3 10^6),
** 24 to 32 (float32), 16 to 24 (complex128) and 8 to 16 (int32). CUDA:
** fitted to bench/conv_crossover.lua on an H200 (float64, full mode, n from
** 3000 to 3 10^6, m from 8 to 4096; bench/RESULTS.md, 2026-12-05): the
** direct sums cost 95 us of launches and copies plus 7.4 ps per
** multiply-add, the transforms 200 us plus 2.6 ps per N log2 N, so the
** FFT takes over near len x m = 1.4 10^7 (more for long transforms); the
** fit picks the faster method, or one within 3% of it, in all 31 rows,
** where the first estimate took 1.6 times the faster at n = 30000,
** m = 256. Complex keeps the estimate's ratios to real (3.3 for the
** sums, 2 for the transforms). ntrans: the number of transforms of N
** points (3 for one product; more for integers split into limbs). */
static int fft_cheaper(lu_device dev, lu_dtype dt, int64_t len, int64_t m, int64_t nfft,
                       double ntrans) {
  double macs = (double)len * (double)m, nl = (double)nfft * log2((double)nfft) * ntrans / 3,
         direct, fft;
  int cplx = lu_dtype_kind(dt) == 'c';
  if (dev.type == LU_DEV_CPU) {
    double wd = cplx ? (dt == LU_COMPLEX64 ? 1.8 : 2.4) : integral(dt) ? 3.6
                : lu_dtype_size(dt) <= 4 ? 0.9 : 1.2;
    /* transforms past the caches (N from about 2^19 to 2^20.5) cost twice */
    double out_of_cache = (log2((double)nfft) - 19.2) / 1.3;
    out_of_cache = out_of_cache < 0 ? 0 : out_of_cache > 1 ? 1 : out_of_cache;
    direct = 15e3 + macs * wd;
    fft = 20e3 + nl * (cplx ? 3.0 : 1.7) * (1 + out_of_cache);
  } else {
    direct = 95e3 + macs * (cplx ? 0.0245 : 0.0074);
    fft = 200e3 + nl * (cplx ? 0.0052 : 0.0026);
  }
  return fft < direct;
}

/* x (1-d) converted to dt, times scale, and zero-padded to nfft elements:
** a new array written once (its head from x, its tail zeros) */
static int padded(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *x, int64_t nfft,
                  lu_dtype dt, double scale) {
  lu_array head, tail, *hp;
  lu_arg zero, g[2];
  int st = lu_empty(ctx, out, dt, 1, &nfft, lu_array_device(x));
  if (st != LU_OK) return st;
  head = lu_subview(out, 0, 0, x->shape[0]);
  tail = lu_subview(out, 0, x->shape[0], nfft);
  memset(&zero, 0, sizeof zero);
  zero.s.kind = 'i';
  hp = &head;
  g[0] = A(x);
  g[1] = lu_arg_float(scale);
  /* the product computed in dt (a float32 x is not rounded to float32
  ** first) and written into the head */
  st = scale == 1.0 ? lu_put(ctx, name, &head, x)
                    : lu_ufunc(ctx, name, LU_OP_multiply, -1, 2, g, NULL, (int)dt, &hp);
  if (st == LU_OK && tail.shape[0] > 0) st = lu_assign(ctx, &tail, &zero);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* sum(|x|) (p 1) or sum(x^2) (p 2) of a float64 or (p 1) complex128 array,
** as a 0-d float64 array on its device */
static int norm_sum(lu_ctx *ctx, const char *name, const lu_array *x, int p, lu_array *out) {
  return map_reduce(ctx, name, p == 1 ? LU_OP_abs : LU_OP_square, x, LU_RED_sum, out);
}

/* Whether the FFT gives NumPy's exact integers for the zero-padded float64
** copies a and v of integer inputs: with u = 2^-53 and the FFT's normwise
** bound ||fl(Fx) - Fx||_2 <= eta log2(N) ||Fx||_2 (Higham, Accuracy and
** Stability of Numerical Algorithms, Thm 24.2, eta about 7u with accurate
** roots of unity), the two forward transforms, the product and the
** inverse give ||y~ - y||_inf <= ||y~ - y||_2 <= (1.5 eta log2 N + 5u) S,
** S = ||a||_2 ||v||_1 + ||a||_1 ||v||_2, to first order. Taken with eta
** log2 N as 8u (log2 N + 2) (the real transforms' extra pass, and a
** margin), the bound must stay below 1/4 for rint to be exact. Integers
** past 2^53 fail it (S >= max |a| max |v|). (Floats need no bound before:
** correlate_fft checks their result.) S is computed on the device and
** read back once (a wait). */
static int fft_safe(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *v,
                    int64_t nfft, int *ok) {
  lu_array a1, a2, v1, v2, t1, t2, t3;
  double x = 0;
  int st;
  *ok = 0;
  a1.buf = a2.buf = v1.buf = v2.buf = t1.buf = t2.buf = t3.buf = NULL;
  TRY(norm_sum(ctx, name, a, 1, &a1));
  TRY(norm_sum(ctx, name, v, 1, &v1));
  TRY(norm_sum(ctx, name, a, 2, &a2));
  TRY(norm_sum(ctx, name, v, 2, &v2));
  TRY(lu_sf_ew(ctx, name, LU_OP_sqrt, A(&a2), NULL, &t1));
  lu_array_release(&a2);
  TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&t1), A(&v1), &a2));
  lu_array_release(&t1);
  TRY(lu_sf_ew(ctx, name, LU_OP_sqrt, A(&v2), NULL, &t1));
  TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&t1), A(&a1), &t2));
  TRY(lu_sf_ew2(ctx, name, LU_OP_add, A(&a2), A(&t2), &t3));
  TRY(lu_sf_get_f64(ctx, &t3, 0, &x));
  *ok = ldexp((12.0 * (log2((double)nfft) + 2) + 5) * x, -53) <= 0.25;
done:
  lu_array_release(&a1); lu_array_release(&a2); lu_array_release(&v1); lu_array_release(&v2);
  lu_array_release(&t1); lu_array_release(&t2); lu_array_release(&t3);
  return st;
}

/* Integer results that one product through the FFT cannot promise
** exactly (fft_safe): the inputs x (a: the longer, v: the shorter reversed,
** both in an integer dtype; pa, pv: their zero-padded float64 copies)
** split into L limbs of k bits, x = sum_t x_t 2^(k t), the lower limbs
** in [0, 2^k), the top one x >> k (L - 1) (signed for a signed dtype).
** Then conv(a, v) = sum_d 2^(k d) C_d, C_d = sum_(s+t=d) conv(a_s, v_t),
** each C_d one inverse transform of a sum of products of the limbs'
** spectra, exact by fft_safe's bound with |limbs| <= 2^k:
** (12 (log2 N + 2) + 5) u L 2^(2k) (sqrt(n) m + n sqrt(m)) <= 1/4 (k as
** large as that allows). The C_d are added, shifted, in uint64, whose
** arithmetic wraps mod 2^64 as NumPy's sums in a long do (terms with
** k d >= 64 vanish there), and the sum is cast to the dtype. When
** automatic and the model finds direct sums cheaper for this many
** transforms, or no k fits, *fell_back is set. */
static int fft_limbs(lu_ctx *ctx, const char *name, const lu_array *lng, const lu_array *rv,
                     const lu_array *pa, const lu_array *pv, int64_t lo, int64_t len,
                     int64_t nfft, int automatic, lu_array *out, int *fell_back) {
  enum { MAXL = 32 };
  lu_dtype dt = lng->dtype, it = dt == LU_UINT64 ? LU_UINT64 : LU_INT64;
  int64_t n = lng->shape[0], m = rv->shape[0];
  lu_device dev = lu_array_device(lng);
  lu_scalar zero = {'i', 0, 0};
  lu_array xs[2], spec[2][MAXL], acc, t0, t1, t2;
  double big = 0, q, cn;
  int st = LU_OK, bits, k, L = 0, nd, d, side, t, axis = 0;
  *fell_back = 0;
  out->buf = NULL;
  xs[0].buf = xs[1].buf = acc.buf = t0.buf = t1.buf = t2.buf = NULL;
  for (side = 0; side < 2; side++)
    for (t = 0; t < MAXL; t++) spec[side][t].buf = NULL;
  /* the bits the values need: 2^bits > max |x| */
  TRY(lu_sf_ew(ctx, name, LU_OP_abs, A(pa), NULL, &t0));
  TRY(lu_reduce(ctx, &t1, LU_RED_max, &t0, LU_ALLAXES, 0, 0));
  lu_array_release(&t0);
  TRY(lu_sf_ew(ctx, name, LU_OP_abs, A(pv), NULL, &t0));
  TRY(lu_reduce(ctx, &t2, LU_RED_max, &t0, LU_ALLAXES, 0, 0));
  lu_array_release(&t0);
  TRY(lu_sf_ew2(ctx, name, LU_OP_maximum, A(&t1), A(&t2), &t0));
  TRY(lu_sf_get_f64(ctx, &t0, 0, &big));
  lu_array_release(&t0); lu_array_release(&t1); lu_array_release(&t2);
  frexp(big, &bits);                  /* big < 2^bits */
  if (bits < 1) bits = 1;
  if (bits > 64) bits = 64;
  q = sqrt((double)n) * (double)m + (double)n * sqrt((double)m);
  cn = 12.0 * (log2((double)nfft) + 2) + 5;
  for (k = 26; k >= 1; k--) {
    L = (bits + k - 1) / k;
    if (ldexp(cn * L * q, 2 * k - 53) <= 0.25) break;
  }
  if (k < 1 || L > MAXL) { *fell_back = 1; goto done; }
  nd = 2 * L - 1;
  if (nd > 63 / k + 1) nd = 63 / k + 1;
  if (automatic && !fft_cheaper(dev, dt, len, m, nfft, 2.0 * L + nd + L * L / 4.0)) {
    *fell_back = 1;
    goto done;
  }
  TRY(lu_astype(ctx, &xs[0], lng, it));
  TRY(lu_astype(ctx, &xs[1], rv, it));
  /* each limb of each side, zero-padded, transformed */
  for (side = 0; side < 2; side++) {
    for (t = 0; t < L; t++) {
      lu_array pad;
      TRY(lu_sf_ew2(ctx, name, LU_OP_right_shift, A(&xs[side]), lu_arg_int((int64_t)k * t), &t0));
      if (t < L - 1) {
        TRY(lu_sf_ew2(ctx, name, LU_OP_bitwise_and, A(&t0), lu_arg_int(((int64_t)1 << k) - 1), &t1));
        lu_array_release(&t0);
        t0 = t1;
        t1.buf = NULL;
      }
      st = padded(ctx, name, &pad, &t0, nfft, LU_FLOAT64, 1.0);
      lu_array_release(&t0);
      if (st == LU_OK)
        st = lu_fft_scratch(ctx, &spec[side][t], name, LU_FFT_RFFT, &pad, 1, &axis, NULL,
                            LU_NORM_BACKWARD, 0);
      lu_array_release(&pad);
      if (st != LU_OK) goto done;
    }
    lu_array_release(&xs[side]);
  }
  /* acc = sum_d C_d << k d, in uint64 */
  TRY(lu_full(ctx, &acc, LU_UINT64, 1, &len, dev, zero));
  for (d = 0; d < nd; d++) {
    lu_array sum, y, part;
    int s0 = d - (L - 1) > 0 ? d - (L - 1) : 0, s;
    sum.buf = NULL;
    for (s = s0; s <= d && s < L; s++) {
      TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&spec[0][s]), A(&spec[1][d - s]), &t0));
      if (sum.buf == NULL) { sum = t0; t0.buf = NULL; continue; }
      st = lu_sf_ew2(ctx, name, LU_OP_add, A(&sum), A(&t0), &t1);
      lu_array_release(&t0);
      lu_array_release(&sum);
      if (st != LU_OK) goto done;
      sum = t1;
      t1.buf = NULL;
    }
    st = lu_fft_scratch(ctx, &y, name, LU_FFT_IRFFT, &sum, 1, &axis, &nfft, LU_NORM_BACKWARD, 1);
    lu_array_release(&sum);
    if (st != LU_OK) goto done;
    st = lu_slice(ctx, &part, &y, 0, lo, lo + len, 1);
    if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_rint, A(&part), NULL, &t0);
    lu_array_release(&part);
    lu_array_release(&y);
    if (st != LU_OK) goto done;
    TRY(lu_astype(ctx, &t1, &t0, LU_INT64));
    lu_array_release(&t0);
    TRY(lu_astype(ctx, &t0, &t1, LU_UINT64));
    lu_array_release(&t1);
    if (d > 0) {
      TRY(lu_sf_ew2(ctx, name, LU_OP_left_shift, A(&t0), lu_arg_int((int64_t)k * d), &t1));
      lu_array_release(&t0);
      t0 = t1;
      t1.buf = NULL;
    }
    TRY(lu_sf_ew2(ctx, name, LU_OP_add, A(&acc), A(&t0), &t1));
    lu_array_release(&t0);
    lu_array_release(&acc);
    acc = t1;
    t1.buf = NULL;
  }
  st = lu_astype(ctx, out, &acc, dt);
done:
  lu_array_release(&xs[0]); lu_array_release(&xs[1]); lu_array_release(&acc);
  lu_array_release(&t0); lu_array_release(&t1); lu_array_release(&t2);
  for (side = 0; side < 2; side++)
    for (t = 0; t < MAXL; t++) lu_array_release(&spec[side][t]);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* c[k] = y[lo + k], k < len, of the full correlation y through the FFT of
** nfft points (at least n + m - 1 - lo and lo + len: the circular
** product's wrapped-around tail then falls below lo), in lng's dtype. For
** inputs whose result the FFT cannot promise (fft_safe), *fell_back is
** set and nothing is computed. */
static int correlate_fft(lu_ctx *ctx, const char *name, const lu_array *lng, const lu_array *shr,
                         int64_t lo, int64_t len, int64_t nfft, int automatic, lu_array *out,
                         int *fell_back) {
  lu_dtype dt = lng->dtype, wt = lu_dtype_kind(dt) == 'c' ? LU_COMPLEX128 : LU_FLOAT64;
  int cplx = wt == LU_COMPLEX128, axis = 0, st;
  int64_t m = shr->shape[0];
  lu_array pa, pv, rv, fa, fv, prod, y, part, r;
  out->buf = NULL;
  *fell_back = 0;
  pa.buf = pv.buf = rv.buf = fa.buf = fv.buf = prod.buf = y.buf = part.buf = r.buf = NULL;
  /* the operands zero-padded, the shorter reversed (a correlation is the
  ** convolution with the reversed kernel) */
  TRY(padded(ctx, name, &pa, lng, nfft, wt, 1.0));
  TRY(lu_slice(ctx, &rv, shr, 0, m - 1, -1, -1));
  /* floats: the inverse transform's 1/N folded into the shorter operand's
  ** copy, so that neither the product nor the result takes a pass of its
  ** own for it (integers keep it where fft_safe's bound puts it) */
  TRY(padded(ctx, name, &pv, &rv, nfft, wt, integral(dt) ? 1.0 : 1.0 / (double)nfft));
  if (integral(dt)) {
    int ok;
    TRY(fft_safe(ctx, name, &pa, &pv, nfft, &ok));
    if (!ok && lu_dtype_kind(dt) != 'b') {
      /* integers too large for one exact product: in limbs */
      st = fft_limbs(ctx, name, lng, &rv, &pa, &pv, lo, len, nfft, automatic, out, fell_back);
      goto done;
    }
    if (!ok) { *fell_back = 1; goto done; }
  }
  /* the padded operands, the spectra and their product are this call's
  ** own: transformed in place where the library can, and the product
  ** handed to the inverse as scratch (a real inverse needs no copy) */
  TRY(lu_fft_scratch(ctx, &fa, name, cplx ? LU_FFT_FFT : LU_FFT_RFFT, &pa, 1, &axis, NULL,
                     LU_NORM_BACKWARD, 0));
  lu_array_release(&pa);
  TRY(lu_fft_scratch(ctx, &fv, name, cplx ? LU_FFT_FFT : LU_FFT_RFFT, &pv, 1, &axis, NULL,
                     LU_NORM_BACKWARD, 0));
  lu_array_release(&pv);
  TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&fa), A(&fv), &prod));
  lu_array_release(&fa);
  lu_array_release(&fv);
  TRY(lu_fft_scratch(ctx, &y, name, cplx ? LU_FFT_IFFT : LU_FFT_IRFFT, &prod, 1, &axis, &nfft,
                     integral(dt) ? LU_NORM_BACKWARD : LU_NORM_FORWARD, 1));
  lu_array_release(&prod);
  TRY(lu_slice(ctx, &part, &y, 0, lo, lo + len, 1));
  switch (lu_dtype_kind(dt)) {
  case 'b':      /* the count of true pairs: true where it is 1 or more */
    st = lu_sf_ew2(ctx, name, LU_OP_greater, A(&part), lu_arg_float(0.5), out);
    break;
  case 'i': case 'u': {
    /* exact integers (|y| < 2^52), wrapped to the dtype through int64 as
    ** NumPy's sums in a long wrap when stored */
    lu_array i64;
    TRY(lu_sf_ew(ctx, name, LU_OP_rint, A(&part), NULL, &r));
    if (dt == LU_INT64) { st = lu_astype(ctx, out, &r, LU_INT64); break; }
    TRY(lu_astype(ctx, &i64, &r, LU_INT64));
    st = lu_astype(ctx, out, &i64, dt);
    lu_array_release(&i64);
    break;
  }
  default:
    /* in the working dtype the result is the slice itself, a view of the
    ** transform's own output that nothing else holds (no copy) */
    if (dt == wt) { *out = part; part.buf = NULL; }
    else st = lu_astype(ctx, out, &part, dt);
  }
  if (st == LU_OK && !integral(dt)) {
    /* floats: the result is NumPy's but for rounding unless a value was
    ** infinite or NaN (the transforms spread it over every output, where
    ** NumPy's sums keep it to the outputs it touches) or the spectra
    ** overflowed; either leaves a value that is not finite in the
    ** result (an infinity in a transform's sums never becomes finite
    ** again: inf - inf and inf * 0 are NaN), which throws it away. One
    ** fused pass over the result */
    int bad = 0;
    st = nonfinite(ctx, name, out, &bad);
    if (st == LU_OK && bad) { lu_array_release(out); *fell_back = 1; }
  }
done:
  lu_array_release(&pa); lu_array_release(&pv); lu_array_release(&rv);
  lu_array_release(&fa); lu_array_release(&fv); lu_array_release(&prod);
  lu_array_release(&y); lu_array_release(&part); lu_array_release(&r);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* The len values from `left` zeros before lng on, by the method asked for
** (auto: the model's choice). */
static int correlate_core(lu_ctx *ctx, const char *name, const lu_array *lng, const lu_array *shr,
                          int64_t left, int64_t right, int64_t len, lu_convmethod method,
                          lu_array *out) {
  int64_t n = lng->shape[0], m = shr->shape[0], lo = m - 1 - left, need, nfft;
  int st, fell_back = 0, automatic = method == LU_CONV_AUTO;
  out->buf = NULL;
  /* the FFT's length: no wrapped-around value lands in [lo, lo + len) */
  need = n + m - 1 - lo > lo + len ? n + m - 1 - lo : lo + len;
  nfft = fft_len(need);
  if (method == LU_CONV_AUTO)
    method = len > 0 && fft_cheaper(lu_array_device(lng), lng->dtype, len, m, nfft, 3)
             ? LU_CONV_FFT : LU_CONV_DIRECT;
  if (method == LU_CONV_FFT && len > 0) {
    st = correlate_fft(ctx, name, lng, shr, lo, len, nfft, automatic, out, &fell_back);
    if (st != LU_OK || !fell_back) return st;
  }
  return correlate_direct(ctx, name, lng, shr, left, right, len, out);
}

/* mode: 0 valid, 1 same, 2 full; convolve: NumPy's convolve */
int lu_correlate(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *v, int mode,
                 int convolve, lu_convmethod method) {
  const char *name = convolve ? "convolve" : "correlate";
  lu_array ac, vc, lng, shr, res;
  lu_dtype dt;
  int64_t n, m, left = 0, right = 0, len;
  int swapped = 0, st;
  out->buf = NULL;
  ac.buf = vc.buf = lng.buf = shr.buf = res.buf = NULL;
  if ((st = lu_sf_same_dev(ctx, name, a, v)) != LU_OK) return st;
  if (a->ndim != 1 || v->ndim != 1)
    return lu_seterr(ctx, LU_ESHAPE, "%s: object too deep for desired array (1-d arrays expected)", name);
  if (a->size == 0) return lu_seterr(ctx, LU_EARG, "%s: a cannot be empty", name);
  if (v->size == 0) return lu_seterr(ctx, LU_EARG, "%s: v cannot be empty", name);
  if (mode < 0 || mode > 2) return lu_seterr(ctx, LU_EARG, "%s: unknown mode %d", name, mode);
  if (method != LU_CONV_AUTO && method != LU_CONV_DIRECT && method != LU_CONV_FFT)
    return lu_seterr(ctx, LU_EARG, "%s: unknown method %d", name, (int)method);
  dt = lu_promote(a->dtype, v->dtype);
  /* only read from here on: an operand of dtype dt as it is */
  if (a->dtype == dt) lu_array_share(&ac, a);
  else TRY(lu_astype(ctx, &ac, a, dt));
  if (v->dtype == dt) lu_array_share(&vc, v);
  else TRY(lu_astype(ctx, &vc, v, dt));
  if (!convolve && lu_dtype_kind(dt) == 'c') {
    /* NumPy's correlate conjugates v: c[k] = sum a[n + k] * conj(v[n]) */
    lu_array cj;
    TRY(lu_sf_ew(ctx, name, LU_OP_conjugate, A(&vc), NULL, &cj));
    lu_array_release(&vc);
    vc = cj;
  }
  if (convolve) {
    /* convolve(a, v): the longer first, the shorter reversed */
    lu_array *L2 = a->size >= v->size ? &ac : &vc, *S2 = a->size >= v->size ? &vc : &ac, rv;
    lu_array_share(&lng, L2);
    TRY(lu_slice(ctx, &rv, S2, 0, S2->shape[0] - 1, -1, -1));
    st = lu_copy(ctx, &shr, &rv);
    lu_array_release(&rv);
    if (st != LU_OK) goto done;
  } else if (a->size >= v->size) {
    lu_array_share(&lng, &ac);
    lu_array_share(&shr, &vc);
  } else {
    /* NumPy: the arrays swap, and the result comes out reversed */
    lu_array_share(&lng, &vc);
    lu_array_share(&shr, &ac);
    swapped = 1;
  }
  n = lng.shape[0];
  m = shr.shape[0];
  if (mode == 0) len = n - m + 1;
  else if (mode == 1) { left = m / 2; right = m - left - 1; len = n; }
  else { left = right = m - 1; len = n + m - 1; }
  if (!swapped) {
    TRY(correlate_core(ctx, name, &lng, &shr, left, right, len, method, out));
  } else {
    lu_array rv;
    TRY(correlate_core(ctx, name, &lng, &shr, left, right, len, method, &res));
    TRY(lu_slice(ctx, &rv, &res, 0, len - 1, -1, -1));
    st = lu_copy(ctx, out, &rv);
    lu_array_release(&rv);
  }
done:
  lu_array_release(&ac); lu_array_release(&vc); lu_array_release(&lng);
  lu_array_release(&shr); lu_array_release(&res);
  if (st != LU_OK) lu_array_release(out);
  return st;
}
/* }====================================================== */
