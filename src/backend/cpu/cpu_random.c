/* SPDX-License-Identifier: MIT */
/*
** The random family on the CPU: counter-based random numbers
** (Philox4x32-10) on the stream of lu_philox.h, shared with the CUDA kernel.
*/
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "lu_philox.h"
#include "lu_samplers.h"

/* {===== random numbers: the stream of lu_philox.h (shared with the CUDA
** kernel), one Philox block per loop iteration. */

/* Random123's name for one block; the known-answer test calls it. */
void lu_cpu_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  out[0] = ctr[0]; out[1] = ctr[1]; out[2] = ctr[2]; out[3] = ctr[3];
  lu_philox4x32_10(out, key[0], key[1]);
}

/* The uniform loops are integer multiplies and exact conversions only, so
** `omp simd` vectorises them; x86-64's baseline (SSE2) lacks a 32-bit
** vector multiply, so on GCC/ELF they are also built for AVX2 and AVX-512
** and the loader picks the best (measured on one core: 4.4 ns per float32
** value scalar, 2.5 with AVX2, 1.4 with AVX-512). */
#define RNG_CLONES CPU_CLONES_TO("avx512f", "avx2", "default")
#define RNG_CHUNK 4096   /* blocks per call of the vector loop, and per pool chunk */
#define NORM_CHUNK 1024  /* blocks per pool chunk of normals (more work a block) */

/* The four words c0..c3 of block b of stream tag under key (k0, k1),
** declared as plain variables: the vector loops below vectorise no array */
#define RNG_BLOCK(b, tag, k0, k1) \
  uint32_t c0 = (uint32_t)(b), c1 = (uint32_t)((uint64_t)(b) >> 32), c2 = (tag), c3 = 0; \
  LU_PHILOX4X32_10(c0, c1, c2, c3, k0, k1)

RNG_CLONES
static void uniform_f32(float *o, uint64_t seed, uint64_t b0, int64_t nb) {
  const uint32_t tag = LU_PHILOX_TAG(0, 0), k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  #pragma omp simd
  for (int64_t i = 0; i < nb; i++) {
    RNG_BLOCK(b0 + (uint64_t)i, tag, k0, k1);
    o[4 * i + 0] = lu_philox_u01_f32(c0);
    o[4 * i + 1] = lu_philox_u01_f32(c1);
    o[4 * i + 2] = lu_philox_u01_f32(c2);
    o[4 * i + 3] = lu_philox_u01_f32(c3);
  }
}

RNG_CLONES
static void uniform_f64(double *o, uint64_t seed, uint64_t b0, int64_t nb) {
  const uint32_t tag = LU_PHILOX_TAG(0, 1), k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  #pragma omp simd
  for (int64_t i = 0; i < nb; i++) {
    RNG_BLOCK(b0 + (uint64_t)i, tag, k0, k1);
    o[2 * i + 0] = lu_philox_u01_f64(c0, c1);
    o[2 * i + 1] = lu_philox_u01_f64(c2, c3);
  }
}

/* {===== normals in two passes
** Box-Muller on whole blocks, with the same values as lu_philox_values_f32
** and _f64 (which the partial blocks at the ends call): a first vector pass
** runs the generator and everything exact (the uniforms, the reduction of
** sincospi to a quarter turn, pi * t), a second one lu_philox_log, _sin and
** _cos (plain arithmetic, lu_philox.h) and the quarter turn. Both passes
** are vector loops; the same operations in the same order as the scalar
** functions, and no product feeds an addition as an FMA (none of the
** clones enables FMA), so the bits are the scalar path's. */
#define NORM_STEP 256    /* blocks per vector pass (its buffers stay in L1) */
#define PI_D 3.141592653589793238462643383279502884

/* uniform -> (pi t, k & 3) of lu_philox_sincospi(2 u1), exactly as it
** computes them */
#define NORM_TURN(u1, pt, q) do { \
    double x_ = 2.0 * (double)(u1); \
    int k_ = (int)(x_ * 2.0 + 0.5); \
    (pt) = PI_D * (x_ - 0.5 * (double)k_); \
    (q) = k_ & 3; \
  } while (0)

/* lu_philox_u01c_f64 through int32 pieces (the vector unit converts those):
** (y >> 11) + 1 = 2^22 hi' + lo' + 1 with disjoint bits, every step exact */
#define U01C_F64(lo, hi) \
  ((double)(int32_t)((hi) >> 1) * LU_PHILOX_2M31 \
   + (double)(int32_t)((((hi) & 1u) << 21) | ((lo) >> 11)) * LU_PHILOX_2M53 + LU_PHILOX_2M53)

RNG_CLONES
static void normal_prep_f64(double *u0, double *pt, int *q, uint64_t seed, uint64_t b0, int64_t nb) {
  const uint32_t tag = LU_PHILOX_TAG(1, 1), k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  #pragma omp simd
  for (int64_t i = 0; i < nb; i++) {
    RNG_BLOCK(b0 + (uint64_t)i, tag, k0, k1);
    u0[i] = U01C_F64(c0, c1);
    NORM_TURN(lu_philox_u01_f64(c2, c3), pt[i], q[i]);
  }
}

RNG_CLONES
static void normal_prep_f32(double *u0, double *pt, int *q, uint64_t seed, uint64_t b0, int64_t nb) {
  const uint32_t tag = LU_PHILOX_TAG(1, 0), k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  #pragma omp simd
  for (int64_t i = 0; i < nb; i++) {
    RNG_BLOCK(b0 + (uint64_t)i, tag, k0, k1);
    u0[2 * i] = (double)lu_philox_u01c_f32(c0);
    u0[2 * i + 1] = (double)lu_philox_u01c_f32(c2);
    NORM_TURN(lu_philox_u01_f32(c1), pt[2 * i], q[2 * i]);
    NORM_TURN(lu_philox_u01_f32(c3), pt[2 * i + 1], q[2 * i + 1]);
  }
}

/* The last pass: r = sqrt(-2 log u0), then sin and cos of 2 pi u1 from
** the quarter turn q and sin, cos of pi t as lu_philox_sincospi picks them
** (0.0 - x, not -x: the sign of a zero), written without branches (q is
** random: a switch mispredicted on every pair) and with selects on the
** bits, which the AVX2 vectoriser takes where it refuses a ?: of doubles. */
static inline __attribute__((always_inline)) double norm_sel(uint64_t mask, double a, double b) {
  union { double d; uint64_t u; } x, y;   /* mask all ones: b, else a */
  x.d = a; y.d = b;
  x.u = (x.u & ~mask) | (y.u & mask);
  return x.d;
}
#define NORM_PICK(q, st, ct, s, c) do { \
    uint64_t odd_ = 0 - (uint64_t)((q) & 1), neg_s_ = 0 - (uint64_t)(((q) >> 1) & 1); \
    uint64_t neg_c_ = 0 - (uint64_t)((((q) + 1) >> 1) & 1); \
    double a_ = norm_sel(odd_, (st), (ct)), b_ = norm_sel(odd_, (ct), (st)); \
    (s) = norm_sel(neg_s_, a_, 0.0 - a_); \
    (c) = norm_sel(neg_c_, b_, 0.0 - b_); \
  } while (0)

RNG_CLONES
static void normal_post_f64(double *o, const double *u0, const double *pt, const int *q, int64_t m) {
  #pragma omp simd
  for (int64_t i = 0; i < m; i++) {
    double r = sqrt(-2.0 * lu_philox_log(u0[i])), s, c;
    double st = lu_philox_sin(pt[i]), ct = lu_philox_cos(pt[i]);
    NORM_PICK(q[i], st, ct, s, c);
    o[2 * i] = r * c;
    o[2 * i + 1] = r * s;
  }
}

RNG_CLONES
static void normal_post_f32(float *o, const double *u0, const double *pt, const int *q, int64_t m) {
  #pragma omp simd
  for (int64_t i = 0; i < m; i++) {
    float r = (float)sqrt(-2.0 * lu_philox_log(u0[i]));
    double st = lu_philox_sin(pt[i]), ct = lu_philox_cos(pt[i]), s, c;
    NORM_PICK(q[i], st, ct, s, c);
    o[2 * i] = r * (float)c;
    o[2 * i + 1] = r * (float)s;
  }
}

static void normal_f64(double *o, uint64_t seed, uint64_t b0, int64_t nb) {
  double u0[NORM_STEP], pt[NORM_STEP];
  int q[NORM_STEP];
  for (int64_t s0 = 0; s0 < nb; s0 += NORM_STEP) {
    int64_t m = nb - s0 < NORM_STEP ? nb - s0 : NORM_STEP;
    normal_prep_f64(u0, pt, q, seed, b0 + (uint64_t)s0, m);
    normal_post_f64(o + 2 * s0, u0, pt, q, m);
  }
}

static void normal_f32(float *o, uint64_t seed, uint64_t b0, int64_t nb) {
  double u0[2 * NORM_STEP], pt[2 * NORM_STEP];
  int q[2 * NORM_STEP];
  for (int64_t s0 = 0; s0 < nb; s0 += NORM_STEP) {
    int64_t m = nb - s0 < NORM_STEP ? nb - s0 : NORM_STEP;
    normal_prep_f32(u0, pt, q, seed, b0 + (uint64_t)s0, m);
    normal_post_f32(o + 4 * s0, u0, pt, q, 2 * m);
  }
}
/* }===== */

/* Blocks [b0, b0 + nb) written whole to o (lane l of block b0 + i at
** o[i*V + l]), in chunks of `per` blocks over the pool's threads (the
** normals call libm, so theirs are smaller and go parallel sooner). */
typedef struct rngjob {
  void *o;
  uint64_t seed, b0;
  int64_t nb, per;
  int dist, f64;
} rngjob;

static void rng_chunk(void *arg, int64_t k) {
  const rngjob *j = arg;
  int64_t lo = k * j->per, m = j->nb - lo < j->per ? j->nb - lo : j->per;
  uint64_t b = j->b0 + (uint64_t)lo;
  if (j->f64) {
    double *o = (double *)j->o + 2 * lo;
    if (j->dist == 0) uniform_f64(o, j->seed, b, m);
    else normal_f64(o, j->seed, b, m);
  } else {
    float *o = (float *)j->o + 4 * lo;
    if (j->dist == 0) uniform_f32(o, j->seed, b, m);
    else normal_f32(o, j->seed, b, m);
  }
}

static void full_blocks(void *o, int f64, uint64_t seed, uint64_t b0, int64_t nb, int dist) {
  rngjob j = { o, seed, b0, nb, dist == 0 ? RNG_CHUNK : NORM_CHUNK, dist, f64 };
  int64_t nch = (nb + j.per - 1) / j.per;
  int64_t par_min = dist != 0 ? CPU_PAR_MIN / 16 : f64 ? CPU_PAR_MIN / 2 : CPU_PAR_MIN / 4;
  if (nb < par_min || nch < 2) {
    for (int64_t k = 0; k < nch; k++) rng_chunk(&j, k);
    return;
  }
  lu_cpu_parallel(nch, rng_chunk, &j);
}

void lu_cpu_rng_fill(void *o, uint64_t seed, uint64_t b0, int64_t nb, int dist, int f64) {
  rngjob j = { o, seed, b0, nb, nb, dist, f64 };
  rng_chunk(&j, 0);
}

/* The lanes of block b that fall inside elements [offset, offset + n). */
static void part_block(lu_dtype dt, void *out, int64_t n, int dist, uint64_t seed,
                       uint64_t offset, uint64_t b) {
  float f[4];
  double d[2];
  int V = dt == LU_FLOAT64 ? 2 : 4;
  if (V == 2) lu_philox_values_f64(seed, b, dist, d);
  else lu_philox_values_f32(seed, b, dist, f);
  for (int l = 0; l < V; l++) {
    uint64_t e = b * (uint64_t)V + (uint64_t)l;
    if (e < offset || e - offset >= (uint64_t)n) continue;
    if (V == 2) ((double *)out)[e - offset] = d[l];
    else ((float *)out)[e - offset] = f[l];
  }
}

/* Element i is element offset + i of the stream (lu_philox.h): a partial
** block at each end, whole blocks in between. */
int lu_cpu_random(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                  lu_randdist dist, uint64_t seed, uint64_t offset) {
  (void)dev;
  if (dt != LU_FLOAT32 && dt != LU_FLOAT64)
    return lu_seterr(ctx, LU_ETYPE, "cpu random: dtype must be float32 or float64 (got %d)", (int)dt);
  if (dist != LU_RAND_UNIFORM && dist != LU_RAND_NORMAL)
    return lu_seterr(ctx, LU_EARG, "cpu random: bad distribution %d", (int)dist);
  if (n <= 0) return LU_OK;
  const uint64_t V = (uint64_t)LU_PHILOX_PER_BLOCK(dt == LU_FLOAT64);
  const uint64_t end = offset + (uint64_t)n;
  uint64_t bs = (offset + V - 1) / V, be = end / V;   /* whole blocks [bs, be) */
  if (bs > be) {                    /* inside one block, touching neither edge */
    part_block(dt, out, n, (int)dist, seed, offset, offset / V);
    return LU_OK;
  }
  if (offset % V) part_block(dt, out, n, (int)dist, seed, offset, bs - 1);
  if (be > bs) {
    int64_t nb = (int64_t)(be - bs), j = (int64_t)(bs * V - offset);
    if (dt == LU_FLOAT64) full_blocks((double *)out + j, 1, seed, bs, nb, (int)dist);
    else full_blocks((float *)out + j, 0, seed, bs, nb, (int)dist);
  }
  if (end % V) part_block(dt, out, n, (int)dist, seed, offset, be);
  return LU_OK;
}
/* }===== */

/* {===== the per-element samplers (lu_samplers.def): element i is
** element offset + i of the stream and draws only from its own counters,
** so the pool's chunks can split the work anywhere. */
#define SMP_CHUNK 2048

typedef struct smpjob {
  const lu_sample_call *c;
} smpjob;

/* parameter k of element i */
#define SMP_PAR(c, k, i) ((c)->d_par[k] ? (c)->d_par[k][i] : (c)->par[k])

#define SMP_LOOP_f(name) do { \
    for (int64_t i = lo; i < hi; i++) { \
      lu_rs s; double p[3], v; \
      p[0] = SMP_PAR(c, 0, i); p[1] = SMP_PAR(c, 1, i); p[2] = SMP_PAR(c, 2, i); \
      lu_rs_init(&s, c->seed, c->offset + (uint64_t)i); \
      v = lu_smp_##name(&s, p); \
      if (f64) ((double *)c->out)[i] = v; else ((float *)c->out)[i] = (float)v; \
    } \
  } while (0)
#define SMP_LOOP_i(name) do { \
    for (int64_t i = lo; i < hi; i++) { \
      lu_rs s; double p[3]; \
      p[0] = SMP_PAR(c, 0, i); p[1] = SMP_PAR(c, 1, i); p[2] = SMP_PAR(c, 2, i); \
      lu_rs_init(&s, c->seed, c->offset + (uint64_t)i); \
      ((int64_t *)c->out)[i] = lu_smp_##name(&s, p); \
    } \
  } while (0)

/* integers with scalar bounds, elements [lo, hi): a partial block at each
** end, whole blocks (two elements) in a loop that vectorises */
RNG_CLONES
static void integers_pairs(int64_t *o, uint64_t seed, uint64_t b0, int64_t nb, int64_t low,
                           uint64_t range) {
  #pragma omp simd
  for (int64_t i = 0; i < nb; i++) {
    uint64_t x0, x1;
    lu_smp_integers_block(seed, b0 + (uint64_t)i, &x0, &x1);
    o[2 * i] = lu_smp_int_of(x0, low, range);
    o[2 * i + 1] = lu_smp_int_of(x1, low, range);
  }
}

/* a range below 2^32: four elements a block (lu_smp_integers32_at). The
** vector loop writes every word's value and says whether any word of its
** blocks was rejected; a scalar pass then finishes those elements. */
RNG_CLONES
static uint32_t integers_quads(int64_t *o, uint64_t seed, uint64_t b0, int64_t nb, int64_t low,
                               uint32_t range, uint32_t t) {
  const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  uint32_t bad = 0;
  #pragma omp simd reduction(|:bad)
  for (int64_t i = 0; i < nb; i++) {
    RNG_BLOCK(b0 + (uint64_t)i, LU_SMP_ITAG32, k0, k1);
    const uint64_t m0 = (uint64_t)c0 * range, m1 = (uint64_t)c1 * range;
    const uint64_t m2 = (uint64_t)c2 * range, m3 = (uint64_t)c3 * range;
    o[4 * i + 0] = (int64_t)((uint64_t)low + (m0 >> 32));
    o[4 * i + 1] = (int64_t)((uint64_t)low + (m1 >> 32));
    o[4 * i + 2] = (int64_t)((uint64_t)low + (m2 >> 32));
    o[4 * i + 3] = (int64_t)((uint64_t)low + (m3 >> 32));
    bad |= (uint32_t)((uint32_t)m0 < t) | (uint32_t)((uint32_t)m1 < t) |
           (uint32_t)((uint32_t)m2 < t) | (uint32_t)((uint32_t)m3 < t);
  }
  return bad;
}

/* the rejected words of nb blocks from element e (a multiple of 4) on */
static void integers_redo(int64_t *o, uint64_t seed, uint64_t e, int64_t nb, int64_t low,
                          uint32_t range, uint32_t t) {
  for (int64_t k = 0; k < nb; k++) {
    uint32_t w[4];
    lu_philox_block(seed, (e >> 2) + (uint64_t)k, LU_SMP_ITAG32, w);
    for (int l = 0; l < 4; l++)
      if ((uint32_t)((uint64_t)w[l] * range) < t)
        o[4 * k + l] = lu_smp_int32_slow(seed, e + (uint64_t)(4 * k + l), low, range);
  }
}

static void integers32_run(const lu_sample_call *c, int64_t lo, int64_t hi) {
  int64_t *o = c->out;
  const uint32_t range = (uint32_t)c->irange, t = lu_smp_int32_t(range);
  uint64_t e = c->offset + (uint64_t)lo;
  int64_t i = lo;
  for (; (e & 3u) && i < hi; i++, e++) o[i] = lu_smp_integers32_at(c->seed, e, c->ilow, range);
  if (hi - i >= 4) {
    int64_t nb = (hi - i) / 4;
    if (integers_quads(o + i, c->seed, e >> 2, nb, c->ilow, range, t))
      integers_redo(o + i, c->seed, e, nb, c->ilow, range, t);
    i += 4 * nb; e += 4 * (uint64_t)nb;
  }
  for (; i < hi; i++, e++) o[i] = lu_smp_integers32_at(c->seed, e, c->ilow, range);
}

static void integers_run(const lu_sample_call *c, int64_t lo, int64_t hi) {
  int64_t *o = c->out;
  uint64_t e = c->offset + (uint64_t)lo;
  int64_t i = lo;
  if (c->irange != 0 && c->irange <= LU_SMP_IRANGE32) {
    integers32_run(c, lo, hi);
    return;
  }
  if ((e & 1u) && i < hi) {
    o[i] = lu_smp_integers_at(c->seed, e, c->ilow, c->irange);
    i++; e++;
  }
  if (hi - i >= 2) {
    int64_t nb = (hi - i) / 2;
    integers_pairs(o + i, c->seed, e >> 1, nb, c->ilow, c->irange);
    i += 2 * nb; e += 2 * (uint64_t)nb;
  }
  if (i < hi) o[i] = lu_smp_integers_at(c->seed, e, c->ilow, c->irange);
}

static void smp_chunk(void *arg, int64_t k) {
  const lu_sample_call *c = ((const smpjob *)arg)->c;
  int64_t lo = k * SMP_CHUNK, hi = lo + SMP_CHUNK < c->n ? lo + SMP_CHUNK : c->n;
  int f64 = c->dt == LU_FLOAT64;
  (void)f64;
  if (c->row == LU_SMP_integers && !c->d_par[0] && !c->d_par[1]) {
    integers_run(c, lo, hi);
    return;
  }
  switch (c->row) {
#define LU_SAMPLER(name, np, kind) case LU_SMP_##name: SMP_LOOP_##kind(name); break;
#include "lu_samplers.def"
#undef LU_SAMPLER
  default: break;
  }
}

static int lu_cpu_sample(lu_ctx *ctx, const lu_sample_call *c) {
  smpjob j = { c };
  int64_t nch = (c->n + SMP_CHUNK - 1) / SMP_CHUNK;
  if (c->row < 0 || c->row >= LU_NSAMPLERS)
    return lu_seterr(ctx, LU_EARG, "cpu random: bad sampler %d", c->row);
  if (c->n <= 0) return LU_OK;
  if (nch < 2) smp_chunk(&j, 0);
  else lu_cpu_parallel(nch, smp_chunk, &j);
  return LU_OK;
}
/* }===== */

const lu_random_family lu_cpu_random_family = {
  .fill = lu_cpu_random,
  .sample = lu_cpu_sample,
};
