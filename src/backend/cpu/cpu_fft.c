/* SPDX-License-Identifier: MIT */
/*
** The CPU backend's fft family: batches of 1-d transforms (max_rank 1;
** the core runs an n-d transform as one call per axis) over any strides,
** through the engine of cpu_fft_plan.c, and the plan cache behind
** lunar.fft.config.plan_cache on the CPU.
**
** Each line is gathered into a work buffer of doubles (widening float32,
** conjugating for the inverse), transformed, and scattered to the output
** (scaled, conjugated back, rounded to the output's precision), so the
** arrays may have any layout and the engine sees contiguous data only.
** Lines whose transform axis is strided but whose neighbours along the
** innermost batch axis are adjacent in memory are gathered a few at a
** time, so every cache line read serves several transforms. Groups of
** lines go to the pool's threads.
*/
#include <pthread.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "cpu_fft.h"
#include "lu_hostmem.h"

/* {====================================================== plan cache */
/* One cache for the process (plans depend on the length only), least
** recently used first out. An entry holds one reference for the cache and
** one for each call using it; the last reference frees the plan, so
** dropping an entry from the cache never pulls a plan from under a
** running transform. */
typedef struct pentry {
  struct pentry *prev, *next;    /* most recently used first */
  int real;                      /* lu_fftr or lu_fftc */
  int64_t n;
  void *plan;
  size_t bytes;
  int refs;
  int cached;
} pentry;

static struct {
  pthread_mutex_t mu;
  pentry *head, *tail;
  int64_t size, max_size;
  int64_t memsize, max_memsize;
} cache = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 16, 0, -1 };

static void entry_free(pentry *e) {
  if (e->real) lu_fftr_free(e->plan);
  else lu_fftc_free(e->plan);
  free(e);
}

static void unlink_entry(pentry *e) {
  if (e->prev) e->prev->next = e->next; else cache.head = e->next;
  if (e->next) e->next->prev = e->prev; else cache.tail = e->prev;
  e->prev = e->next = NULL;
}

static void push_front(pentry *e) {
  e->prev = NULL;
  e->next = cache.head;
  if (cache.head) cache.head->prev = e; else cache.tail = e;
  cache.head = e;
}

/* Drop entries past the limits, oldest first; returns the ones whose
** last reference went with them, to be freed outside the lock. */
static pentry *evict_locked(void) {
  pentry *dead = NULL;
  while (cache.tail != NULL &&
         (cache.size > cache.max_size ||
          (cache.max_memsize >= 0 && cache.memsize > cache.max_memsize))) {
    pentry *e = cache.tail;
    unlink_entry(e);
    e->cached = 0;
    cache.size--;
    cache.memsize -= (int64_t)e->bytes;
    if (--e->refs == 0) { e->next = dead; dead = e; }
  }
  return dead;
}

static void free_list(pentry *e) {
  while (e) { pentry *nx = e->next; entry_free(e); e = nx; }
}

/* The plan for (real, n), from the cache or new (made outside the lock:
** a large plan takes a while); NULL when out of memory. */
static pentry *plan_get(int real, int64_t n) {
  pentry *e, *dead;
  pthread_mutex_lock(&cache.mu);
  for (e = cache.head; e; e = e->next)
    if (e->real == real && e->n == n) break;
  if (e) {
    e->refs++;
    unlink_entry(e);
    push_front(e);
    pthread_mutex_unlock(&cache.mu);
    return e;
  }
  pthread_mutex_unlock(&cache.mu);
  e = lu_calloc(1, sizeof *e);
  if (e == NULL) return NULL;
  e->real = real;
  e->n = n;
  e->plan = real ? (void *)lu_fftr_new(n) : (void *)lu_fftc_new(n);
  if (e->plan == NULL) { free(e); return NULL; }
  e->bytes = real ? lu_fftr_bytes(e->plan) : lu_fftc_bytes(e->plan);
  e->refs = 1;
  pthread_mutex_lock(&cache.mu);
  if (cache.max_size > 0) {
    e->refs++;
    e->cached = 1;
    push_front(e);
    cache.size++;
    cache.memsize += (int64_t)e->bytes;
  }
  dead = evict_locked();
  pthread_mutex_unlock(&cache.mu);
  free_list(dead);
  return e;
}

static void plan_release(pentry *e) {
  int last;
  pthread_mutex_lock(&cache.mu);
  last = --e->refs == 0;
  pthread_mutex_unlock(&cache.mu);
  if (last) entry_free(e);
}

static int cpu_cache_info(lu_ctx *ctx, lu_device dev, lu_fft_cache_info *info) {
  (void)ctx; (void)dev;
  pthread_mutex_lock(&cache.mu);
  info->size = cache.size;
  info->max_size = cache.max_size;
  info->memsize = cache.memsize;
  info->max_memsize = cache.max_memsize;
  pthread_mutex_unlock(&cache.mu);
  return LU_OK;
}

static int cpu_cache_limit(lu_ctx *ctx, lu_device dev, int64_t max_size, int64_t max_memsize) {
  pentry *dead;
  (void)ctx; (void)dev;
  pthread_mutex_lock(&cache.mu);
  if (max_size != LU_FFT_KEEP) cache.max_size = max_size;
  if (max_memsize != LU_FFT_KEEP) cache.max_memsize = max_memsize;
  dead = evict_locked();
  pthread_mutex_unlock(&cache.mu);
  free_list(dead);
  return LU_OK;
}

static int cpu_cache_clear(lu_ctx *ctx, lu_device dev) {
  pentry *dead;
  int64_t keep;
  (void)ctx; (void)dev;
  pthread_mutex_lock(&cache.mu);
  keep = cache.max_size;
  cache.max_size = 0;
  dead = evict_locked();
  cache.max_size = keep;
  pthread_mutex_unlock(&cache.mu);
  free_list(dead);
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== lines */
#define BLOCK 8                       /* lines gathered together */
#define BLOCK_BYTES ((int64_t)1 << 20) /* ... while their buffers stay this small */
#define CHUNK_POINTS ((int64_t)1 << 16) /* points per pool chunk */

typedef struct job {
  const lu_fft_call *c;
  pentry *plan;
  int64_t n;              /* transform length (the real length for R2C/C2R) */
  int64_t nin, nout;      /* values along the axis in the input and output */
  int64_t wsz;            /* lu_cx per work buffer */
  int64_t lines;          /* batch entries */
  int64_t per_chunk;      /* lines per pool chunk, a multiple of `block` when blocking */
  int block;              /* lines gathered together (1: none) */
  int isz, osz;           /* element sizes */
  int failed;             /* a chunk could not get its work buffer */
} job;

/* Offsets (elements) of batch entry `line`, the last batch axis fastest. */
static void line_offsets(const lu_fft_call *c, int64_t line, int64_t *io, int64_t *oo) {
  int64_t i = 0, o = 0;
  for (int d = c->nbatch - 1; d >= 0; d--) {
    int64_t k = line % c->bn[d];
    line /= c->bn[d];
    i += k * c->ibs[d];
    o += k * c->obs[d];
  }
  *io = i;
  *oo = o;
}

/* Gather nv values of line b (of nb) from `src` (element stride st) into
** the work buffer `ws`: complex, or real in the engine's layout (packed
** doubles or lu_cx with zero imaginary parts). conj: conjugate. */
static void gather(lu_dtype dt, const char *src, int64_t st, int64_t nv, lu_cx *ws,
                   int packed, int conj) {
  double sg = conj ? -1.0 : 1.0;
  int64_t i;
  switch (dt) {
  case LU_FLOAT64: {
    const double *s = (const double *)src;
    if (packed) { double *w = (double *)ws; for (i = 0; i < nv; i++) w[i] = s[i * st]; }
    else for (i = 0; i < nv; i++) { ws[i].re = s[i * st]; ws[i].im = 0; }
    break;
  }
  case LU_FLOAT32: {
    const float *s = (const float *)src;
    if (packed) { double *w = (double *)ws; for (i = 0; i < nv; i++) w[i] = s[i * st]; }
    else for (i = 0; i < nv; i++) { ws[i].re = s[i * st]; ws[i].im = 0; }
    break;
  }
  default:
    if (lu_cpu_dsize[dt] == 16) {                        /* complex128: pairs of double */
      const double *s = (const double *)src;
      for (i = 0; i < nv; i++) { ws[i].re = s[2 * i * st]; ws[i].im = sg * s[2 * i * st + 1]; }
    } else {                                             /* complex64: pairs of float */
      const float *s = (const float *)src;
      for (i = 0; i < nv; i++) { ws[i].re = s[2 * i * st]; ws[i].im = sg * (double)s[2 * i * st + 1]; }
    }
    break;
  }
}

/* Scatter nv results to `dst` (element stride st): complex values from r,
** or real ones from the engine's layout; times scale, conjugated when
** conj. */
static void scatter(lu_dtype dt, char *dst, int64_t st, int64_t nv, const lu_cx *r,
                    int packed, int conj, double scale) {
  double si = conj ? -scale : scale;
  int64_t i;
  switch (dt) {
  case LU_FLOAT64: {
    double *d = (double *)dst;
    if (packed) { const double *v = (const double *)r; for (i = 0; i < nv; i++) d[i * st] = v[i] * scale; }
    else for (i = 0; i < nv; i++) d[i * st] = r[i].re * scale;
    break;
  }
  case LU_FLOAT32: {
    float *d = (float *)dst;
    if (packed) { const double *v = (const double *)r; for (i = 0; i < nv; i++) d[i * st] = (float)(v[i] * scale); }
    else for (i = 0; i < nv; i++) d[i * st] = (float)(r[i].re * scale);
    break;
  }
  default:
    if (lu_cpu_dsize[dt] == 16) {
      double *d = (double *)dst;
      for (i = 0; i < nv; i++) { d[2 * i * st] = r[i].re * scale; d[2 * i * st + 1] = r[i].im * si; }
    } else {
      float *d = (float *)dst;
      for (i = 0; i < nv; i++) {
        d[2 * i * st] = (float)(r[i].re * scale);
        d[2 * i * st + 1] = (float)(r[i].im * si);
      }
    }
    break;
  }
}

/* Values of an interleaved block: line b of the block starts `bstep`
** elements after line b - 1. One pass over the axis reads the block's
** neighbouring elements together. */
static void gather_block(const job *j, const char *src, int64_t bstep, int nb, lu_cx *ws,
                         int packed, int conj) {
  const lu_fft_call *c = j->c;
  int64_t st = c->is[0];
  for (int64_t i0 = 0; i0 < j->nin; i0 += 64) {
    int64_t cnt = j->nin - i0 < 64 ? j->nin - i0 : 64;
    for (int b = 0; b < nb; b++) {
      lu_cx *w = ws + b * j->wsz;
      const char *s = src + (b * bstep + i0 * st) * j->isz;
      if (packed) gather(c->in_dt, s, st, cnt, (lu_cx *)((double *)w + i0), 1, conj);
      else gather(c->in_dt, s, st, cnt, w + i0, 0, conj);
    }
  }
}

static void run_lines(const job *j, int64_t first, int64_t count, lu_cx *ws) {
  const lu_fft_call *c = j->c;
  int inv = c->kind == LU_FFT_C2C && !c->forward;
  int packed_in = c->kind == LU_FFT_R2C && lu_fftr_packed(j->plan->plan);
  int packed_out = c->kind == LU_FFT_C2R && lu_fftr_packed(j->plan->plan);
  int64_t line = first;
  while (line < first + count) {
    int64_t io, oo;
    int nb = j->block;
    if (line + nb > first + count) nb = (int)(first + count - line);
    line_offsets(c, line, &io, &oo);
    /* the block must stay within one run of the innermost batch axis */
    if (nb > 1) {
      int64_t k = line % c->bn[c->nbatch - 1], left = c->bn[c->nbatch - 1] - k;
      if (nb > left) nb = (int)left;
    }
    if (nb > 1) {
      gather_block(j, (const char *)c->in + io * j->isz, c->ibs[c->nbatch - 1], nb, ws,
                   packed_in, inv);
    } else {
      if (c->kind == LU_FFT_R2C)
        gather(c->in_dt, (const char *)c->in + io * j->isz, c->is[0], j->nin, ws, packed_in, 0);
      else
        gather(c->in_dt, (const char *)c->in + io * j->isz, c->is[0], j->nin, ws, 0, inv);
    }
    for (int b = 0; b < nb; b++) {
      lu_cx *w = ws + b * j->wsz, *r;
      char *dst = (char *)c->out + (oo + b * (nb > 1 ? c->obs[c->nbatch - 1] : 0)) * j->osz;
      switch (c->kind) {
      case LU_FFT_C2C:
        r = lu_fftc_exec(j->plan->plan, w);
        scatter(c->out_dt, dst, c->os[0], j->nout, r, 0, inv, c->scale);
        break;
      case LU_FFT_R2C:
        r = lu_fftr_r2c(j->plan->plan, w);
        scatter(c->out_dt, dst, c->os[0], j->nout, r, 0, 0, c->scale);
        break;
      default: {
        /* the input may be shorter than n/2 + 1 only by the core's
        ** padding, which it does itself: nin is n/2 + 1 here */
        r = lu_fftr_c2r(j->plan->plan, w);
        scatter(c->out_dt, dst, c->os[0], j->nout, r, packed_out, 0, c->scale);
        break;
      }
      }
    }
    line += nb;
  }
}

/* A work buffer. One of 8 MB and more (a line of 2^19 complex points)
** is advised to use huge pages: the Stockham passes read it at strides
** of up to half its size, and with 4 KB pages nearly every access missed
** the TLB (2^20 complex64 points on the 2-core AMD EPYC: 29-32 ms, 17-19
** with the advice; NumPy 19-35). Only the 2 MB-aligned interior of the
** allocation can take them; the advice goes with the mapping when it is
** freed. This holds even on the VMs where big arrays get no huge pages
** (cpu_backend.c): the buffer lives for one call. */
#define WS_HUGE ((size_t)8 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)
static lu_cx *ws_new(size_t bytes) {
  lu_cx *ws = lu_malloc(bytes);
#if defined(MADV_HUGEPAGE)
  if (ws != NULL && bytes >= WS_HUGE) {
    uintptr_t a = ((uintptr_t)ws + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t e = ((uintptr_t)ws + bytes) & ~(HUGE_PAGE - 1);
    if (e > a) (void)madvise((void *)a, (size_t)(e - a), MADV_HUGEPAGE);   /* advice only */
  }
#endif
  return ws;
}

static void chunk_body(void *arg, int64_t k) {
  const job *j = arg;
  int64_t first = k * j->per_chunk, count = j->per_chunk;
  lu_cx *ws;
  if (first + count > j->lines) count = j->lines - first;
  ws = ws_new((size_t)(j->wsz * j->block) * sizeof(lu_cx));
  if (ws == NULL) {
    __atomic_store_n(&((job *)arg)->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  run_lines(j, first, count, ws);
  free(ws);
}
/* }====================================================== */

static int is_complex(lu_dtype dt) { return lu_cpu_dkind[dt] == 'c'; }

int lu_cpu_fft(lu_ctx *ctx, const lu_fft_call *c) {
  job j;
  int64_t nchunks;
  int real = c->kind != LU_FFT_C2C;
  lu_dtype cdt = c->kind == LU_FFT_R2C ? c->out_dt : c->in_dt;
  lu_dtype rdt = c->kind == LU_FFT_R2C ? c->in_dt : c->out_dt;
  lu_cx *probe;
  if (c->rank != 1)
    return lu_seterr(ctx, LU_EARG, "cpu fft: %d transform axes in one call (the backend takes 1)",
                     c->rank);
  if (c->n[0] < 1)
    return lu_seterr(ctx, LU_EARG, "cpu fft: invalid length %lld", (long long)c->n[0]);
  if ((unsigned)c->in_dt >= LU_NDTYPES || (unsigned)c->out_dt >= LU_NDTYPES ||
      !is_complex(cdt) || (real ? (rdt != LU_FLOAT32 && rdt != LU_FLOAT64) : !is_complex(rdt)))
    return lu_seterr(ctx, LU_ETYPE, "cpu fft: unsupported dtypes %d -> %d", (int)c->in_dt,
                     (int)c->out_dt);
  memset(&j, 0, sizeof j);
  j.c = c;
  j.n = c->n[0];
  j.nin = c->kind == LU_FFT_C2R ? j.n / 2 + 1 : j.n;
  j.nout = c->kind == LU_FFT_R2C ? j.n / 2 + 1 : j.n;
  j.isz = lu_cpu_dsize[c->in_dt];
  j.osz = lu_cpu_dsize[c->out_dt];
  j.lines = 1;
  for (int d = 0; d < c->nbatch; d++) j.lines *= c->bn[d];
  if (j.lines == 0) return LU_OK;
  j.plan = plan_get(real, j.n);
  if (j.plan == NULL)
    return lu_seterr(ctx, LU_EMEM, "cpu fft: out of memory making a plan of length %lld",
                     (long long)j.n);
  j.wsz = real ? lu_fftr_ws(j.plan->plan) : lu_fftc_ws(j.plan->plan);
  /* block neighbouring lines when the axis is strided and they are adjacent */
  j.block = 1;
  if (c->nbatch > 0 && c->bn[c->nbatch - 1] > 1 && c->is[0] != 1 &&
      (c->ibs[c->nbatch - 1] == 1 || c->ibs[c->nbatch - 1] == -1) &&
      j.wsz * (int64_t)sizeof(lu_cx) * BLOCK <= BLOCK_BYTES)
    j.block = BLOCK;
  j.per_chunk = CHUNK_POINTS / j.n;
  if (j.per_chunk < 1) j.per_chunk = 1;
  j.per_chunk = (j.per_chunk + j.block - 1) / j.block * j.block;
  nchunks = (j.lines + j.per_chunk - 1) / j.per_chunk;
  /* one buffer up front: the chunks' own allocations are then very
  ** unlikely to fail, and a failure here is reported properly */
  probe = ws_new((size_t)(j.wsz * j.block) * sizeof(lu_cx));
  if (probe == NULL) {
    plan_release(j.plan);
    return lu_seterr(ctx, LU_EMEM, "cpu fft: out of memory (%lld bytes of work buffer)",
                     (long long)(j.wsz * j.block * (int64_t)sizeof(lu_cx)));
  }
  if (nchunks == 1 || j.lines * j.n < lu_cpu_par_min(CPU_PAR_FFT)) {
    run_lines(&j, 0, j.lines, probe);
    free(probe);
  } else {
    free(probe);
    lu_cpu_parallel(nchunks, chunk_body, &j);
  }
  plan_release(j.plan);
  if (j.failed)
    return lu_seterr(ctx, LU_EMEM, "cpu fft: out of memory (%lld bytes of work buffer)",
                     (long long)(j.wsz * j.block * (int64_t)sizeof(lu_cx)));
  return LU_OK;
}

const lu_fft_family lu_cpu_fft_family = {
  .execute = lu_cpu_fft,
  .cache_info = cpu_cache_info,
  .cache_limit = cpu_cache_limit,
  .cache_clear = cpu_cache_clear,
  .max_rank = 1,
  .c2r_clobbers = 0,
};
