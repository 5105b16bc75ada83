/* SPDX-License-Identifier: MIT */
/*
** The context: error slot, backends, devices, and thin wrappers over the
** backend's device services (synchronize, memory figures, events).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_hostmem.h"
#include "lu_lazy.h"

#define MiB ((size_t)1 << 20)

int lu_seterr(lu_ctx *ctx, lu_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
  va_end(ap);
  ctx->err = code;
  return code;
}

lu_ctx *lu_ctx_new(void) {
  lu_ctx *ctx = lu_calloc(1, sizeof(*ctx));
  const char *env;
  if (ctx == NULL) return NULL;
  ctx->refcount = 1;
  ctx->gc_threshold = 256 * MiB;
  ctx->backends[LU_DEV_CPU] = &lu_cpu_backend;
#ifdef LUNAR_HAVE_CUDA
  ctx->backends[LU_DEV_CUDA] = &lu_cuda_backend;
#endif
  /* LUNAR_GC_DEVICE_DEBT: bytes, 0 to 2^20 (buffer.c's pace) */
  env = getenv("LUNAR_GC_DEVICE_DEBT");
  ctx->dev_debt = (size_t)8 << 10;
  if (env != NULL && env[0] >= '0' && env[0] <= '9') {
    char *end;
    unsigned long v = strtoul(env, &end, 10);
    if (*end == '\0' && v <= (1ul << 20)) ctx->dev_debt = v;
  }
  env = getenv("LUNAR_SYNC");
  ctx->sync_each_op = env != NULL && strcmp(env, "1") == 0;
  ctx->default_dev.type = LU_DEV_CPU;   /* decided on first use: default_device */
  ctx->default_dev.index = 0;
  /* LUNAR_FUSION: 0/off, 1/on (GPU arrays, the default), all (CPU too) */
  env = getenv("LUNAR_FUSION");
  ctx->fusion = LU_FUSION_GPU;
  if (env != NULL && (strcmp(env, "0") == 0 || strcmp(env, "off") == 0)) ctx->fusion = LU_FUSION_OFF;
  if (env != NULL && strcmp(env, "all") == 0) ctx->fusion = LU_FUSION_ALL;
  ctx->err = LU_OK;
  ctx->errmsg[0] = '\0';
  return ctx;
}

/* The default device is decided when first asked for, not when the context
** is made: counting GPUs initialises the CUDA driver (over 100 ms), which
** the start-up thread (lu_prestart) does meanwhile, and LUNAR_DEVICE=cpu
** never starts CUDA at all. LUNAR_DEVICE wins when it names a device that
** exists; otherwise cuda:0 when there is a GPU, else the CPU, and a
** LUNAR_DEVICE that names none says so on stderr (once: the default is
** resolved once per context, and a setting ignored without a word would
** run a script on another device than its user asked for). */
static void resolve_default(lu_ctx *ctx) {
  const char *env = getenv("LUNAR_DEVICE");
  lu_device d;
  lu_status err = ctx->err;
  char msg[LU_ERRLEN];
  ctx->default_set = 1;
  memcpy(msg, ctx->errmsg, sizeof msg);   /* a failed parse leaves no trace */
  int set = env != NULL && *env != '\0', bad = set && lu_device_parse(ctx, env, &d) != LU_OK;
  if (set && !bad) {
    ctx->default_dev = d;
  } else if (lu_device_count(ctx, LU_DEV_CUDA) >= 1) {
    ctx->default_dev.type = LU_DEV_CUDA;
    ctx->default_dev.index = 0;
  }
  if (bad) {
    char why[LU_ERRLEN];
    snprintf(why, sizeof why, "%s", ctx->errmsg);
    fprintf(stderr, "lunar: LUNAR_DEVICE=%.100s is not used (%s); the default device is %s\n", env,
            why, ctx->default_dev.type == LU_DEV_CUDA ? "cuda:0" : "cpu");
  }
  ctx->err = err;
  memcpy(ctx->errmsg, msg, sizeof msg);
}

/* Starts the CUDA driver and the default device's context on a thread
** (src/backend/cuda/prestart.c); lu_prestart_end waits until that thread
** is out of the driver (exit handlers must not run under it). */
void lu_prestart(void) {
#ifdef LUNAR_HAVE_CUDA
  lu_cuda_prestart();
#endif
}

void lu_prestart_end(void) {
#ifdef LUNAR_HAVE_CUDA
  lu_cuda_prestart_end();
#endif
}

/* Buffers hold references, so the context outlives the binding's reference
** until the last array on any device is gone. */
void lu_ctx_unref(lu_ctx *ctx) {
  int t;
  if (ctx == NULL || --ctx->refcount > 0) return;
  lu_check_ctx_end(ctx);
  lu_lazy_shutdown(ctx);
  free(ctx->la_info);
  for (t = 0; t < LU_NDEVTYPES; t++)
    if (ctx->backends[t] != NULL && ctx->backends[t]->dev->shutdown != NULL)
      ctx->backends[t]->dev->shutdown(ctx);
  free(ctx);
}

/* {====================================================== accessors */
void lu_ctx_ref(lu_ctx *ctx) { ctx->refcount++; }
const char *lu_ctx_errmsg(const lu_ctx *ctx) { return ctx->errmsg; }
const char *lu_ctx_op(const lu_ctx *ctx) { return ctx->op; }
lu_status lu_ctx_errcode(const lu_ctx *ctx) { return ctx->err; }
/* Every context is made by lu_ctx_new (never const): resolving its default
** on first use is safe through the const pointer that readers pass. */
lu_device lu_ctx_default_device(const lu_ctx *ctx) {
  if (!ctx->default_set) resolve_default((lu_ctx *)ctx);
  return ctx->default_dev;
}
void lu_ctx_set_default_device(lu_ctx *ctx, lu_device dev) {
  ctx->default_dev = dev;
  ctx->default_set = 1;
}

void lu_ctx_set_gc_hook(lu_ctx *ctx, void (*hook)(void *ud, int full), void *ud) {
  ctx->gc_hook = hook;
  ctx->gc_ud = hook != NULL ? ud : NULL;
}

size_t lu_ctx_take_gc_debt(lu_ctx *ctx) {
  size_t d = ctx->gc_debt;
  ctx->gc_debt = 0;
  return d;
}

void *lu_ctx_backend_state(const lu_ctx *ctx, lu_devtype type) {
  return ((int)type >= 0 && type < LU_NDEVTYPES) ? ctx->bstate[type] : NULL;
}

void lu_ctx_set_backend_state(lu_ctx *ctx, lu_devtype type, void *state) {
  if ((int)type >= 0 && type < LU_NDEVTYPES) ctx->bstate[type] = state;
}

void lu_ctx_set_host_allocator(lu_ctx *ctx, lu_host_alloc_fn alloc, lu_host_free_fn fr) {
  ctx->host_alloc = alloc;
  ctx->host_free = fr;
}

int lu_host_alloc(lu_ctx *ctx, size_t nbytes, void **p) {
  *p = NULL;
  if (ctx->host_alloc == NULL) return LU_EMEM;
  return ctx->host_alloc(ctx, nbytes, p);
}

int lu_host_free(lu_ctx *ctx, void *p) {
  return ctx->host_free != NULL && ctx->host_free(ctx, p);
}
/* }====================================================== */

/* {====================================================== backends */
const lu_backend *lu_backend_for(lu_ctx *ctx, lu_device dev) {
  if (dev.type < 0 || dev.type >= LU_NDEVTYPES) return NULL;
  return ctx->backends[dev.type];
}

const lu_backend *lu_backend_checked(lu_ctx *ctx, const char *name, lu_device dev) {
  const lu_backend *be = lu_backend_for(ctx, dev);
  char b[16];
  if (be == NULL) {
    lu_seterr(ctx, LU_EDEVICE, "%s: no backend for device %s", name,
              lu_device_str(dev, b));
    return NULL;
  }
  return be;
}

int lu_unavailable(lu_ctx *ctx, const char *name, lu_device dev) {
  char b[16];
  return lu_seterr(ctx, LU_EDEVICE, "%s: not available on %s", name, lu_device_str(dev, b));
}

/* Families arrived with version 2; a version-1 backend has none. Looking
** a family up names the op for the backend's messages (lu_ctx_op). */
const void *lu_family_(lu_ctx *ctx, const char *name, lu_device dev, size_t offset) {
  const lu_backend *be = lu_backend_checked(ctx, name, dev);
  const void *fam;
  if (be == NULL) return NULL;
  ctx->op = name;
  fam = be->version >= 2 ? *(const void *const *)((const char *)be + offset) : NULL;
  if (fam == NULL) lu_unavailable(ctx, name, dev);
  else ctx->counters.launches++;
  return fam;
}
/* }====================================================== */

/* Straight to the backend, not through lu_synchronize: a failure found
** here belongs to the op just run, whose name stays on the message. */
int lu_after_op(lu_ctx *ctx, lu_device dev) {
  const lu_backend *be;
  if (!ctx->sync_each_op || ctx->captures > 0) return LU_OK;
  be = lu_backend_for(ctx, dev);
  if (be == NULL || be->dev->synchronize == NULL) return LU_OK;
  return be->dev->synchronize(ctx, dev.index);
}

int lu_device_count(lu_ctx *ctx, lu_devtype type) {
  const lu_backend *be;
  if ((int)type < 0 || type >= LU_NDEVTYPES) return 0;
  be = ctx->backends[type];
  if (be == NULL || be->dev->device_count == NULL) return 0;
  return be->dev->device_count(ctx);
}

int lu_device_eq(lu_device a, lu_device b) {
  return a.type == b.type && a.index == b.index;
}

const char *lu_device_str(lu_device dev, char *buf) {
  if (dev.type == LU_DEV_CPU) snprintf(buf, 16, "cpu");
  else snprintf(buf, 16, "cuda:%d", dev.index);
  return buf;
}

int lu_device_parse(lu_ctx *ctx, const char *s, lu_device *dev) {
  long idx = 0;
  int n;
  if (strcmp(s, "cpu") == 0) {
    dev->type = LU_DEV_CPU;
    dev->index = 0;
    return LU_OK;
  }
  if (strcmp(s, "cuda") == 0 || strcmp(s, "gpu") == 0) {
    idx = 0;
  } else if (strncmp(s, "cuda:", 5) == 0 && s[5] >= '0' && s[5] <= '9') {
    char *end;
    idx = strtol(s + 5, &end, 10);
    if (*end != '\0' || idx > 1000000) goto unknown;
  } else {
    goto unknown;
  }
  n = lu_device_count(ctx, LU_DEV_CUDA);
  if (idx >= n)
    return lu_seterr(ctx, LU_EDEVICE, "device cuda:%ld is not available (%d CUDA device%s found)",
                     idx, n, n == 1 ? "" : "s");
  dev->type = LU_DEV_CUDA;
  dev->index = (int)idx;
  return LU_OK;
unknown:
  return lu_seterr(ctx, LU_EDEVICE, "unknown device '%s' (expected cpu, cuda or cuda:N)", s);
}

int lu_synchronize(lu_ctx *ctx, lu_device dev) {
  const lu_backend *be = lu_backend_checked(ctx, "synchronize", dev);
  if (be == NULL) return ctx->err;
  if (be->dev->synchronize == NULL) return LU_OK;
  ctx->op = "synchronize";
  return be->dev->synchronize(ctx, dev.index);
}

int lu_memory_info(lu_ctx *ctx, lu_device dev, size_t *free_b, size_t *total_b) {
  const lu_backend *be = lu_backend_checked(ctx, "memory_info", dev);
  char b[16];
  if (be == NULL) return ctx->err;
  if (be->dev->memory_info == NULL)
    return lu_seterr(ctx, LU_EDEVICE, "memory_info: not supported on %s", lu_device_str(dev, b));
  ctx->op = "memory_info";
  return be->dev->memory_info(ctx, dev.index, free_b, total_b);
}

/* {====================================================== events */
static const lu_backend *event_backend(lu_ctx *ctx, lu_device dev, int has) {
  const lu_backend *be = lu_backend_checked(ctx, "event", dev);
  char b[16];
  if (be != NULL && !has) {
    lu_seterr(ctx, LU_EDEVICE, "event: events are not supported on %s", lu_device_str(dev, b));
    return NULL;
  }
  if (be != NULL) ctx->op = "event";
  return be;
}

int lu_event_create(lu_ctx *ctx, lu_device dev, lu_event **ev) {
  const lu_backend *be = lu_backend_for(ctx, dev);
  be = event_backend(ctx, dev, be != NULL && be->dev->event_create != NULL);
  if (be == NULL) return ctx->err;
  return be->dev->event_create(ctx, dev.index, ev);
}

int lu_event_record(lu_ctx *ctx, lu_device dev, lu_event *ev) {
  const lu_backend *be = lu_backend_for(ctx, dev);
  be = event_backend(ctx, dev, be != NULL && be->dev->event_record != NULL);
  if (be == NULL) return ctx->err;
  return be->dev->event_record(ctx, ev);
}

int lu_event_synchronize(lu_ctx *ctx, lu_device dev, lu_event *ev) {
  const lu_backend *be = lu_backend_for(ctx, dev);
  be = event_backend(ctx, dev, be != NULL && be->dev->event_synchronize != NULL);
  if (be == NULL) return ctx->err;
  return be->dev->event_synchronize(ctx, ev);
}

int lu_event_elapsed(lu_ctx *ctx, lu_device dev, lu_event *a, lu_event *b, float *ms) {
  const lu_backend *be = lu_backend_for(ctx, dev);
  be = event_backend(ctx, dev, be != NULL && be->dev->event_elapsed != NULL);
  if (be == NULL) return ctx->err;
  return be->dev->event_elapsed(ctx, a, b, ms);
}

void lu_event_destroy(lu_ctx *ctx, lu_device dev, lu_event *ev) {
  const lu_backend *be = lu_backend_for(ctx, dev);
  if (be != NULL && be->dev->event_destroy != NULL && ev != NULL) be->dev->event_destroy(ctx, ev);
}
/* }====================================================== */
