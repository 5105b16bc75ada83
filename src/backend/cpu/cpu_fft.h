/* SPDX-License-Identifier: MIT */
/*
** lunar's own FFT engine for the CPU backend (cpu_fft_plan.c), and what
** the family's file (cpu_fft.c) and the C tests need of it. Private to
** src/backend/cpu.
**
** Everything is computed in double on interleaved (re, im) pairs,
** whatever the dtype of the arrays: float32 data is widened when a line is
** gathered into the work buffer and rounded once when it is scattered out.
** A plan holds what depends only on the length: the factors, the twiddles
** (computed once, accurately: see roots in cpu_fft_plan.c) and, for
** lengths with a large prime factor, Bluestein's chirp and its spectrum.
** Plans are immutable once made, so threads share them.
**
** Only the forward transform, exp(-2 pi i jk/n), unscaled, exists here:
** the inverse is conj(FFT(conj(x))), and the conjugations cost nothing
** when folded into the gather and the scatter.
*/
#ifndef cpu_fft_h
#define cpu_fft_h

#include <stddef.h>
#include <stdint.h>

typedef struct lu_cx { double re, im; } lu_cx;

typedef struct lu_fftc lu_fftc;   /* complex transform of length n */
typedef struct lu_fftr lu_fftr;   /* real <-> half spectrum of length n */

/* {===== complex plans */
/* NULL when out of memory; n >= 1. */
lu_fftc *lu_fftc_new(int64_t n);
void lu_fftc_free(lu_fftc *p);
/* lu_cx elements of the work buffer an execution needs (input included). */
int64_t lu_fftc_ws(const lu_fftc *p);
/* Bytes the plan holds. */
size_t lu_fftc_bytes(const lu_fftc *p);
/* Forward transform of ws[0 .. n); returns where the n results are (inside
** ws, not always at its start). ws has lu_fftc_ws(p) elements. */
lu_cx *lu_fftc_exec(const lu_fftc *p, lu_cx *ws);
/* }===== */

/* {===== real plans
** r2c: the input goes into the work buffer in the plan's layout: when
** lu_fftr_packed(p), as n doubles one after the other at (double *)ws;
** otherwise as n lu_cx with zero imaginary parts. The result is n/2 + 1
** complex values.
** c2r: the input is n/2 + 1 complex values at ws[0 ..]; the result, n real
** values, comes back in the same layout as r2c's input (packed: n doubles;
** else the .re of n lu_cx). The imaginary parts of the first value, and of
** the last when n is even, are ignored, as NumPy ignores them. */
lu_fftr *lu_fftr_new(int64_t n);
void lu_fftr_free(lu_fftr *p);
int64_t lu_fftr_ws(const lu_fftr *p);
size_t lu_fftr_bytes(const lu_fftr *p);
int lu_fftr_packed(const lu_fftr *p);
lu_cx *lu_fftr_r2c(const lu_fftr *p, lu_cx *ws);
lu_cx *lu_fftr_c2r(const lu_fftr *p, lu_cx *ws);
/* }===== */

/* cos and -sin of 2 pi k / n (the forward root of unity), to within an
** ulp or so; exposed for the tests. */
lu_cx lu_fft_root(int64_t k, int64_t n);

#endif
