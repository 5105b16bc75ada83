/* SPDX-License-Identifier: MIT */
/*
** The CUDA backend's fft family: cuFFT (loaded on first use, dynlib.c)
** with 64-bit "advanced layout" plans, so a transform along any axis or
** over up to three nested axes runs in place in the array's own layout,
** without a copy. A plan covers the transform axes and one batch axis
** (the longest); any other batch axes are walked on the host, one
** execution of the same plan each. Plans make no allocation of their
** own: cufftSetAutoAllocation(0), and each execution borrows its work
** area from the device's stream-ordered allocator, so cached plans hold
** no device memory.
**
** Plans are kept per device in a cache bounded in count and in the work
** memory they need (lunar.fft.config.plan_cache, CuPy's PlanCache),
** least recently used first out. Executions go on the device's stream;
** a plan dropped from the cache is destroyed by cufftDestroy, which waits
** for the work queued with it.
*/
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"
#include "lu_hostmem.h"
#include "dynlib.h"

/* {====================================================== errors */
static const char *fft_errname(cufftResult r) {
  switch (r) {
  case CUFFT_SUCCESS: return "CUFFT_SUCCESS";
  case CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN";
  case CUFFT_ALLOC_FAILED: return "CUFFT_ALLOC_FAILED";
  case CUFFT_INVALID_TYPE: return "CUFFT_INVALID_TYPE";
  case CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE";
  case CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR";
  case CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED";
  case CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED";
  case CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE";
  case CUFFT_UNALIGNED_DATA: return "CUFFT_UNALIGNED_DATA";
  case CUFFT_INVALID_DEVICE: return "CUFFT_INVALID_DEVICE";
  case CUFFT_NO_WORKSPACE: return "CUFFT_NO_WORKSPACE";
  case CUFFT_NOT_IMPLEMENTED: return "CUFFT_NOT_IMPLEMENTED";
  case CUFFT_NOT_SUPPORTED: return "CUFFT_NOT_SUPPORTED";
  case CUFFT_MISSING_DEPENDENCY: return "CUFFT_MISSING_DEPENDENCY";
  default: return "unknown cuFFT status";
  }
}

static int fail_fft(lu_ctx *ctx, cufftResult r, const char *call, int line) {
  return lu_cuda_seterr(ctx, r == CUFFT_ALLOC_FAILED ? LU_EMEM : LU_EBACKEND,
                        "%s failed: %s (%d) (fft.c:%d)", call, fft_errname(r), (int)r, line);
}

#define FFT_CHECK(ctx, call) do { cufftResult r_ = (call); \
  if (r_ != CUFFT_SUCCESS) return fail_fft(ctx, r_, #call, __LINE__); } while (0)
/* }====================================================== */

/* {====================================================== plan cache */
typedef struct fkey {
  int type, rank;
  long long n[3], inembed[3], onembed[3];
  long long istride, idist, ostride, odist, batch;
} fkey;

typedef struct fplan {
  struct fplan *prev, *next;   /* most recently used first */
  fkey key;
  cufftHandle h;
  size_t work;
} fplan;

typedef struct lu_cuda_fftcache {
  fplan *head, *tail;
  int64_t size, max_size, memsize, max_memsize;
} lu_cuda_fftcache;

static void unlink_plan(lu_cuda_fftcache *c, fplan *p) {
  if (p->prev) p->prev->next = p->next; else c->head = p->next;
  if (p->next) p->next->prev = p->prev; else c->tail = p->prev;
  p->prev = p->next = NULL;
}

static void push_front(lu_cuda_fftcache *c, fplan *p) {
  p->prev = NULL;
  p->next = c->head;
  if (c->head) c->head->prev = p; else c->tail = p;
  c->head = p;
}

static void plan_destroy(fplan *p) {
  const lu_cufft_fns *F = lu_cuda_cufft(NULL);   /* loaded: the plan exists */
  if (F) F->Destroy(p->h);
  free(p);
}

/* Drop plans past the limits, oldest first; `keep` (the plan about to
** run) stays whatever the limits say, and is dropped after its run when
** it is over them (plan_done). */
static void evict(lu_cuda_fftcache *c, const fplan *keep) {
  fplan *p = c->tail;
  while (p != NULL && (c->size > c->max_size ||
                       (c->max_memsize >= 0 && c->memsize > c->max_memsize))) {
    fplan *prev = p->prev;
    if (p != keep) {
      unlink_plan(c, p);
      c->size--;
      c->memsize -= (int64_t)p->work;
      plan_destroy(p);
    }
    p = prev;
  }
}

static lu_cuda_fftcache *cache_of(lu_ctx *ctx, lu_cuda_dev *d) {
  if (d->fft == NULL) {
    d->fft = lu_calloc(1, sizeof *d->fft);
    if (d->fft == NULL) { lu_cuda_seterr(ctx, LU_EMEM, "out of host memory"); return NULL; }
    d->fft->max_size = 16;      /* CuPy's default */
    d->fft->max_memsize = -1;
  }
  return d->fft;
}

void lu_cuda_fft_free(lu_cuda_dev *d) {
  fplan *p;
  if (d->fft == NULL) return;
  for (p = d->fft->head; p; ) { fplan *nx = p->next; plan_destroy(p); p = nx; }
  free(d->fft);
  d->fft = NULL;
}

/* The plan for key k, from the cache or new. */
static int plan_get(lu_ctx *ctx, lu_cuda_dev *d, const fkey *k, fplan **out) {
  lu_cuda_fftcache *c = cache_of(ctx, d);
  const lu_cufft_fns *F;
  fplan *p;
  if (c == NULL) return LU_EMEM;
  for (p = c->head; p; p = p->next)
    if (memcmp(&p->key, k, sizeof *k) == 0) {
      unlink_plan(c, p);
      push_front(c, p);
      *out = p;
      return LU_OK;
    }
  if ((F = lu_cuda_cufft(ctx)) == NULL) return LU_EBACKEND;
  p = lu_calloc(1, sizeof *p);
  if (p == NULL) return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  p->key = *k;
  {
    fkey t = *k;   /* cuFFT takes non-const arrays */
    cufftResult r = F->Create(&p->h);
    if (r == CUFFT_SUCCESS) r = F->SetAutoAllocation(p->h, 0);
    if (r == CUFFT_SUCCESS)
      r = F->MakePlanMany64(p->h, t.rank, t.n, t.inembed, t.istride, t.idist, t.onembed,
                            t.ostride, t.odist, (cufftType)t.type, t.batch, &p->work);
    if (r != CUFFT_SUCCESS) {
      if (p->h) F->Destroy(p->h);
      free(p);
      return fail_fft(ctx, r, "cufftMakePlanMany64", __LINE__);
    }
  }
  push_front(c, p);
  c->size++;
  c->memsize += (int64_t)p->work;
  evict(c, p);
  *out = p;
  return LU_OK;
}

/* After a run: a plan over the limits by itself (max_size 0, or a work
** area above max_memsize) is not kept. */
static void plan_done(lu_cuda_fftcache *c, fplan *p) {
  if (c->size > c->max_size || (c->max_memsize >= 0 && c->memsize > c->max_memsize)) {
    unlink_plan(c, p);
    c->size--;
    c->memsize -= (int64_t)p->work;
    plan_destroy(p);
  }
}

static int cuda_cache_info(lu_ctx *ctx, lu_device dev, lu_fft_cache_info *info) {
  lu_cuda_dev *d;
  lu_cuda_fftcache *c;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK) return rc;
  if ((c = cache_of(ctx, d)) == NULL) return LU_EMEM;
  info->size = c->size;
  info->max_size = c->max_size;
  info->memsize = c->memsize;
  info->max_memsize = c->max_memsize;
  return LU_OK;
}

static int cuda_cache_limit(lu_ctx *ctx, lu_device dev, int64_t max_size, int64_t max_memsize) {
  lu_cuda_dev *d;
  lu_cuda_fftcache *c;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK) return rc;
  if ((c = cache_of(ctx, d)) == NULL) return LU_EMEM;
  if (max_size != LU_FFT_KEEP) c->max_size = max_size;
  if (max_memsize != LU_FFT_KEEP) c->max_memsize = max_memsize;
  evict(c, NULL);
  return LU_OK;
}

static int cuda_cache_clear(lu_ctx *ctx, lu_device dev) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK) return rc;
  if (d->fft) {
    int64_t keep = d->fft->max_size;
    d->fft->max_size = 0;
    evict(d->fft, NULL);
    d->fft->max_size = keep;
  }
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== execution */
static int exec_one(lu_ctx *ctx, const lu_cufft_fns *F, const fplan *p, const lu_fft_call *c,
                    const char *in, char *out) {
  switch (p->key.type) {
  case CUFFT_C2C:
    FFT_CHECK(ctx, F->ExecC2C(p->h, (cufftComplex *)in, (cufftComplex *)out,
                              c->forward ? CUFFT_FORWARD : CUFFT_INVERSE));
    break;
  case CUFFT_Z2Z:
    FFT_CHECK(ctx, F->ExecZ2Z(p->h, (cufftDoubleComplex *)in, (cufftDoubleComplex *)out,
                              c->forward ? CUFFT_FORWARD : CUFFT_INVERSE));
    break;
  case CUFFT_R2C:
    FFT_CHECK(ctx, F->ExecR2C(p->h, (cufftReal *)in, (cufftComplex *)out));
    break;
  case CUFFT_D2Z:
    FFT_CHECK(ctx, F->ExecD2Z(p->h, (cufftDoubleReal *)in, (cufftDoubleComplex *)out));
    break;
  case CUFFT_C2R:
    FFT_CHECK(ctx, F->ExecC2R(p->h, (cufftComplex *)in, (cufftReal *)out));
    break;
  default:
    FFT_CHECK(ctx, F->ExecZ2D(p->h, (cufftDoubleComplex *)in, (cufftDoubleReal *)out));
    break;
  }
  return LU_OK;
}

static int cufft_type(const lu_fft_call *c) {
  int dbl = c->in_dt == LU_FLOAT64 || c->out_dt == LU_FLOAT64 || lu_dtype_size(c->in_dt) == 16 ||
            lu_dtype_size(c->out_dt) == 16;
  switch (c->kind) {
  case LU_FFT_C2C: return dbl ? CUFFT_Z2Z : CUFFT_C2C;
  case LU_FFT_R2C: return dbl ? CUFFT_D2Z : CUFFT_R2C;
  default: return dbl ? CUFFT_Z2D : CUFFT_C2R;
  }
}

/* The stored extent of transform axis k in the input (in) or output: the
** complex half for the last axis of R2C's output and C2R's input. */
static int64_t extent(const lu_fft_call *c, int k, int in) {
  int half = k == c->rank - 1 &&
             ((in && c->kind == LU_FFT_C2R) || (!in && c->kind == LU_FFT_R2C));
  return half ? c->n[k] / 2 + 1 : c->n[k];
}

int lu_cuda_fft(lu_ctx *ctx, const lu_fft_call *c) {
  lu_cuda_dev *d;
  lu_cuda_fftcache *cache;
  const lu_cufft_fns *F;
  fplan *p = NULL;
  fkey k;
  void *work = NULL;
  int64_t loops = 1, idx[LU_MAXDIM];
  int bd = -1, rc, i;
  int isz = lu_dtype_size(c->in_dt), osz = lu_dtype_size(c->out_dt);
  if ((rc = lu_cuda_device(ctx, c->dev.index, &d)) != LU_OK) return rc;
  if (c->rank < 1 || c->rank > 3)
    return lu_cuda_seterr(ctx, LU_EARG, "fft: %d transform axes in one call (1 to 3)", c->rank);
  for (i = 0; i < c->nbatch; i++) if (c->bn[i] == 0) return LU_OK;
  if ((cache = cache_of(ctx, d)) == NULL) return LU_EMEM;
  /* the plan's batch axis: the longest */
  for (i = 0; i < c->nbatch; i++)
    if (c->bn[i] > 1 && (bd < 0 || c->bn[i] > c->bn[bd])) bd = i;
  memset(&k, 0, sizeof k);
  k.type = cufft_type(c);
  k.rank = c->rank;
  for (i = 0; i < c->rank; i++) {
    k.n[i] = c->n[i];
    /* cuFFT reads the nesting from the embeds: the pitch of axis i is
    ** embed[i] elements of axis i+1 */
    k.inembed[i] = i == 0 ? extent(c, 0, 1) : c->is[i - 1] / c->is[i];
    k.onembed[i] = i == 0 ? extent(c, 0, 0) : c->os[i - 1] / c->os[i];
  }
  k.istride = c->is[c->rank - 1];
  k.ostride = c->os[c->rank - 1];
  k.batch = bd >= 0 ? c->bn[bd] : 1;
  k.idist = bd >= 0 ? c->ibs[bd] : 1;
  k.odist = bd >= 0 ? c->obs[bd] : 1;
  if ((rc = plan_get(ctx, d, &k, &p)) != LU_OK) return rc;
  F = lu_cuda_cufft(ctx);
  FFT_CHECK(ctx, F->SetStream(p->h, d->stream));
  if (p->work > 0) {
    CU_CHECK(ctx, lu_cuda_malloc(d, p->work, &work));
    rc = F->SetWorkArea(p->h, work) == CUFFT_SUCCESS ? LU_OK
         : fail_fft(ctx, CUFFT_INVALID_VALUE, "cufftSetWorkArea", __LINE__);
  } else {
    rc = LU_OK;
  }
  /* every other batch axis on the host */
  for (i = 0; i < c->nbatch; i++) if (i != bd) loops *= c->bn[i];
  memset(idx, 0, sizeof idx);
  for (int64_t l = 0; rc == LU_OK && l < loops; l++) {
    int64_t io = 0, oo = 0;
    for (i = 0; i < c->nbatch; i++) { io += idx[i] * c->ibs[i]; oo += idx[i] * c->obs[i]; }
    rc = exec_one(ctx, F, p, c, (const char *)c->in + io * isz, (char *)c->out + oo * osz);
    for (i = c->nbatch - 1; i >= 0; i--) {   /* next index, skipping the plan's axis */
      if (i == bd) continue;
      if (++idx[i] < c->bn[i]) break;
      idx[i] = 0;
    }
  }
  if (work) lu_cuda_mfree(d, work);
  plan_done(cache, p);
  if (rc != LU_OK) return rc;
  if (c->scale != 1.0) {
    lu_k_env env;
    lu_dtype rdt = c->kind == LU_FFT_C2R ? c->out_dt
                   : (lu_dtype_size(c->out_dt) == 16 ? LU_FLOAT64 : LU_FLOAT32);
    int64_t nreal = c->kind == LU_FFT_C2R ? c->out_size : 2 * c->out_size;
    lu_cuda_env(d, &env);
    LAUNCH_CHECK(ctx, lu_k_fft_scale(rdt, c->out, nreal, c->scale, &env));
  }
  return LU_OK;
}
/* }====================================================== */

const lu_fft_family lu_cuda_fft_family = {
  .execute = lu_cuda_fft,
  .cache_info = cuda_cache_info,
  .cache_limit = cuda_cache_limit,
  .cache_clear = cuda_cache_clear,
  .max_rank = 3,
  .c2r_clobbers = 1,
};
