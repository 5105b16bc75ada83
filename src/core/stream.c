/* SPDX-License-Identifier: MIT */
/*
** The core's side of streams and graphs (lu_stream.h): the device checks,
** the ownership checks of debug builds (lu_check.h), the op names of
** messages, the counter of replays, and the debugging mode LUNAR_SYNC=1
** held off during a capture (it would wait for the GPU after every op,
** which a capture cannot do). The work is the CUDA backend's
** (src/backend/cuda/stream.c).
*/
#include <stdio.h>
#include "lu_internal.h"
#include "lu_stream.h"
#include "lu_lazy.h"

/* LU_OK when dev is a CUDA device that exists; else the error for `what` */
static int need_cuda(lu_ctx *ctx, lu_device dev, const char *what) {
  char ds[16];
#ifdef LUNAR_HAVE_CUDA
  int n;
  if (dev.type != LU_DEV_CUDA)
    return lu_seterr(ctx, LU_EDEVICE, "%s: needs a CUDA device, got %s", what, lu_device_str(dev, ds));
  n = lu_device_count(ctx, LU_DEV_CUDA);
  if (n == 0) return lu_seterr(ctx, LU_EDEVICE, "%s: needs a CUDA device (none was found)", what);
  if (dev.index < 0 || dev.index >= n)
    return lu_seterr(ctx, LU_EDEVICE, "%s: needs a CUDA device: there is no %s (%d available)", what,
                     lu_device_str(dev, ds), n);
  return LU_OK;
#else
  (void)dev; (void)ds;
  return lu_seterr(ctx, LU_EDEVICE, "%s: needs a CUDA device (this lunar was built without CUDA)", what);
#endif
}

int lu_stream_check(lu_ctx *ctx, lu_device dev, const char *what) {
  return need_cuda(ctx, dev, what);
}

#ifdef LUNAR_HAVE_CUDA
int lu_stream_create(lu_ctx *ctx, lu_device dev, const char *what, lu_stream **s) {
  int st = need_cuda(ctx, dev, what);
  if (st != LU_OK) return st;
  ctx->op = what;
  if ((st = lu_cuda_stream_create(ctx, dev.index, s)) == LU_OK)
    lu_check_stream(ctx, *s, LU_CHK_STREAM_MADE);
  return st;
}

void lu_stream_destroy(lu_ctx *ctx, lu_stream *s) {
  lu_check_stream(ctx, s, LU_CHK_STREAM_GONE);
  lu_cuda_stream_destroy(ctx, s);
}

lu_device lu_stream_device(const lu_stream *s) {
  lu_device d;
  d.type = LU_DEV_CUDA;
  d.index = lu_cuda_stream_dev(s);
  return d;
}

int lu_stream_synchronize(lu_ctx *ctx, lu_stream *s) {
  lu_check_stream(ctx, s, LU_CHK_STREAM_USE);
  ctx->op = "stream:synchronize";
  return lu_cuda_stream_synchronize(ctx, s);
}

int lu_stream_query(lu_ctx *ctx, lu_stream *s, int *done) {
  lu_check_stream(ctx, s, LU_CHK_STREAM_USE);
  ctx->op = "stream:query";
  return lu_cuda_stream_query(ctx, s, done);
}

int lu_stream_record(lu_ctx *ctx, lu_stream *s, lu_event *ev) {
  lu_check_stream(ctx, s, LU_CHK_STREAM_USE);
  ctx->op = "stream:record";
  return lu_cuda_stream_record(ctx, s, ev);
}

int lu_stream_wait_event(lu_ctx *ctx, lu_stream *s, lu_event *ev) {
  lu_check_stream(ctx, s, LU_CHK_STREAM_USE);
  ctx->op = "stream:wait_event";
  return lu_cuda_stream_wait_event(ctx, s, ev);
}

int lu_stream_enter(lu_ctx *ctx, lu_stream *s, void **prev) {
  int st;
  lu_check_stream(ctx, s, LU_CHK_STREAM_USE);
  ctx->op = "lunar.cuda.stream";
  if ((st = lu_cuda_stream_enter(ctx, s, prev)) == LU_OK)
    lu_check_stream(ctx, s, LU_CHK_STREAM_ENTER);
  return st;
}

int lu_stream_leave(lu_ctx *ctx, lu_stream *s, void *prev) {
  lu_check_stream(ctx, s, LU_CHK_STREAM_LEAVE);
  ctx->op = "lunar.cuda.stream";
  return lu_cuda_stream_leave(ctx, s, prev);
}

int lu_graph_begin(lu_ctx *ctx, lu_device dev, lu_graph **g) {
  int st = need_cuda(ctx, dev, "lunar.cuda.graph");
  if (st != LU_OK) return st;
  /* values still pending would be recorded into the graph, not computed */
  if ((st = lu_lazy_flush_all(ctx)) != LU_OK) return st;
  ctx->op = "lunar.cuda.graph";
  if ((st = lu_cuda_graph_begin(ctx, dev.index, g)) != LU_OK) return st;
  ctx->captures++;   /* LUNAR_SYNC's waits are off while it runs (lu_after_op) */
  return LU_OK;
}

int lu_graph_end(lu_ctx *ctx, lu_graph *g, int keep) {
  /* what the captured work left pending runs inside the graph (the caller
  ** computed the static outputs already, wherever they were) */
  int st = keep ? lu_lazy_flush(ctx) : LU_OK;
  if (st != LU_OK) keep = 0;
  if (ctx->captures > 0) ctx->captures--;
  ctx->op = "lunar.cuda.graph";
  if (st != LU_OK) {
    lu_cuda_graph_end(ctx, g, 0);
    return st;
  }
  return lu_cuda_graph_end(ctx, g, keep);
}

int lu_graph_replay(lu_ctx *ctx, lu_graph *g) {
  ctx->op = "graph:replay";
  ctx->counters.graph_replays++;
  return lu_cuda_graph_replay(ctx, g);
}

void lu_graph_destroy(lu_ctx *ctx, lu_graph *g) { lu_cuda_graph_destroy(ctx, g); }

#else   /* no CUDA: nothing can be made, so the rest is never reached */
int lu_stream_create(lu_ctx *ctx, lu_device dev, const char *what, lu_stream **s) {
  *s = NULL;
  return need_cuda(ctx, dev, what);
}
void lu_stream_destroy(lu_ctx *ctx, lu_stream *s) { (void)ctx; (void)s; }
lu_device lu_stream_device(const lu_stream *s) {
  lu_device d;
  (void)s;
  d.type = LU_DEV_CPU;
  d.index = 0;
  return d;
}
static int none(lu_ctx *ctx, const char *what) {
  lu_device cpu;
  cpu.type = LU_DEV_CPU;
  cpu.index = 0;
  return need_cuda(ctx, cpu, what);
}
int lu_stream_synchronize(lu_ctx *ctx, lu_stream *s) { (void)s; return none(ctx, "stream:synchronize"); }
int lu_stream_query(lu_ctx *ctx, lu_stream *s, int *done) { (void)s; *done = 1; return none(ctx, "stream:query"); }
int lu_stream_record(lu_ctx *ctx, lu_stream *s, lu_event *ev) { (void)s; (void)ev; return none(ctx, "stream:record"); }
int lu_stream_wait_event(lu_ctx *ctx, lu_stream *s, lu_event *ev) { (void)s; (void)ev; return none(ctx, "stream:wait_event"); }
int lu_stream_enter(lu_ctx *ctx, lu_stream *s, void **prev) { (void)s; *prev = NULL; return none(ctx, "lunar.cuda.stream"); }
int lu_stream_leave(lu_ctx *ctx, lu_stream *s, void *prev) { (void)ctx; (void)s; (void)prev; return LU_OK; }
int lu_graph_begin(lu_ctx *ctx, lu_device dev, lu_graph **g) {
  *g = NULL;
  return need_cuda(ctx, dev, "lunar.cuda.graph");
}
int lu_graph_end(lu_ctx *ctx, lu_graph *g, int keep) { (void)ctx; (void)g; (void)keep; return LU_OK; }
int lu_graph_replay(lu_ctx *ctx, lu_graph *g) { (void)g; return none(ctx, "graph:replay"); }
void lu_graph_destroy(lu_ctx *ctx, lu_graph *g) { (void)ctx; (void)g; }
#endif
