/* SPDX-License-Identifier: MIT */
/*
** Streams and graphs of the CUDA backend (lunar.cuda.Stream,
** lunar.cuda.stream, lunar.cuda.graph; the core's side is
** src/core/stream.c, the declarations src/core/lu_stream.h).
**
** Every op is enqueued on its device's current stream, d->stream. Running
** fn on a stream s switches d->stream to s and back, as a fork and a join:
** s first waits for what the previous stream had queued, and when fn
** returns (or raises) the previous stream waits for what fn queued on s.
** So the device's work keeps one order whatever the streams, and no array
** can be read, written or freed on one stream while another still uses it
** (doc/design-notes.md, "Streams: fork and join"). Library handles follow
** d->stream (cuBLAS in device.c, cuSOLVER in linalg.c, cuFFT in fft.c).
**
** A graph is captured on a stream of its own, forked from the current one
** like the above; d->capture marks the capture, so that the allocator
** keeps every block the capture touches for the graph (alloc.c) and the
** ops that would make the host wait refuse with a clear error
** (lu_cuda_no_capture) instead of breaking the capture deep in CUDA.
** Capture mode "relaxed": the allocator may still call the driver (on the
** device's own stream) while the capture runs.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"
#include "lu_hostmem.h"
#include "lu_stream.h"

struct lu_stream {
  int dev;
  cudaStream_t s;
};

struct lu_graph {
  int dev;
  cudaStream_t cs;          /* the capture's stream (until the capture ends) */
  cudaStream_t prev;        /* the stream that was current before it */
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  lu_cuda_capture cap;      /* the blocks the graph holds */
};

/* {====================================================== ordering */
int lu_cuda_order(lu_ctx *ctx, lu_cuda_dev *d, cudaStream_t from, cudaStream_t to) {
  cudaEvent_t ev = d->fork_ev;
  cudaError_t e;
  if (from == to) return LU_OK;
  /* an event recorded in a capture becomes the capture's: one of its own */
  if (d->capture != NULL) CU_CHECK(ctx, cudaEventCreateWithFlags(&ev, cudaEventDisableTiming));
  e = cudaEventRecord(ev, from);
  if (e == cudaSuccess) e = cudaStreamWaitEvent(to, ev, 0);
  if (ev != d->fork_ev) cudaEventDestroy(ev);
  if (e != cudaSuccess) return lu_cuda_fail(ctx, e, "cudaStreamWaitEvent (stream order)", __FILE__, __LINE__);
  return LU_OK;
}

int lu_cuda_no_capture(lu_ctx *ctx, lu_cuda_dev *d, const char *what) {
  lu_cuda_capture *c = d->capture;
  int rc;
  if (c == NULL) return LU_OK;
  rc = lu_cuda_seterr(ctx, LU_EDEVICE, "%s cannot happen while lunar.cuda.graph captures: the "
                      "captured work is only recorded, so the host cannot wait for it (the capture "
                      "is discarded; do this before or after the graph)", what);
  if (!c->refused) {
    c->refused = 1;
    snprintf(c->msg, sizeof c->msg, "%s", lu_ctx_errmsg(ctx));
  }
  return rc;
}
/* }====================================================== */

/* {====================================================== streams */
int lu_cuda_stream_create(lu_ctx *ctx, int dev, lu_stream **out) {
  lu_cuda_dev *d;
  lu_stream *s;
  cudaError_t e;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  if ((s = (lu_stream *)lu_calloc(1, sizeof *s)) == NULL)
    return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  s->dev = dev;
  e = cudaStreamCreateWithFlags(&s->s, cudaStreamNonBlocking);
  if (e != cudaSuccess) {
    free(s);
    return lu_cuda_fail(ctx, e, "cudaStreamCreateWithFlags", __FILE__, __LINE__);
  }
  *out = s;
  return LU_OK;
}

/* The work already queued on it still runs (CUDA releases the stream
** once it is done); what fn queued there was joined already. */
void lu_cuda_stream_destroy(lu_ctx *ctx, lu_stream *s) {
  lu_cuda_dev *d;
  if (s == NULL) return;
  if (lu_cuda_device(ctx, s->dev, &d) == LU_OK) cudaStreamDestroy(s->s);
  cudaGetLastError();
  free(s);
}

int lu_cuda_stream_dev(const lu_stream *s) { return s->dev; }

/* A stream being captured cannot be waited for or asked about. */
static int not_capturing(lu_ctx *ctx, lu_cuda_dev *d, cudaStream_t s, const char *what) {
  enum cudaStreamCaptureStatus cs = cudaStreamCaptureStatusNone;
  if (d->capture == NULL) return LU_OK;
  CU_CHECK(ctx, cudaStreamIsCapturing(s, &cs));
  return cs == cudaStreamCaptureStatusNone ? LU_OK : lu_cuda_no_capture(ctx, d, what);
}

int lu_cuda_stream_synchronize(lu_ctx *ctx, lu_stream *s) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, s->dev, &d);
  if (rc != LU_OK || (rc = not_capturing(ctx, d, s->s, "a wait for a stream")) != LU_OK) return rc;
  CU_CHECK(ctx, cudaStreamSynchronize(s->s));
  return lu_cuda_index_check(ctx, d);
}

int lu_cuda_stream_query(lu_ctx *ctx, lu_stream *s, int *done) {
  lu_cuda_dev *d;
  cudaError_t e;
  int rc = lu_cuda_device(ctx, s->dev, &d);
  if (rc != LU_OK || (rc = not_capturing(ctx, d, s->s, "a query of a stream")) != LU_OK) return rc;
  e = cudaStreamQuery(s->s);
  if (e == cudaErrorNotReady) { cudaGetLastError(); *done = 0; return LU_OK; }
  CU_CHECK(ctx, e);
  *done = 1;
  return LU_OK;
}

int lu_cuda_stream_record(lu_ctx *ctx, lu_stream *s, lu_event *ev) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, s->dev, &d);
  if (rc != LU_OK) return rc;
  CU_CHECK(ctx, cudaEventRecord(ev->ev, s->s));
  return LU_OK;
}

int lu_cuda_stream_wait_event(lu_ctx *ctx, lu_stream *s, lu_event *ev) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, s->dev, &d);
  if (rc != LU_OK) return rc;
  CU_CHECK(ctx, cudaStreamWaitEvent(s->s, ev->ev, 0));
  return LU_OK;
}

/* Fork: s waits for the current stream, then becomes it. *prev keeps the
** stream to go back to. */
int lu_cuda_stream_enter(lu_ctx *ctx, lu_stream *s, void **prev) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, s->dev, &d);
  if (rc != LU_OK) return rc;
  if ((rc = lu_cuda_order(ctx, d, d->stream, s->s)) != LU_OK) return rc;
  *prev = (void *)d->stream;
  d->stream = s->s;
  return LU_OK;
}

/* Join: prev becomes current again and waits for what was queued on s.
** The stream is put back even when the wait fails. */
int lu_cuda_stream_leave(lu_ctx *ctx, lu_stream *s, void *prev) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, s->dev, &d);
  if (rc != LU_OK) return rc;
  d->stream = (cudaStream_t)prev;
  return lu_cuda_order(ctx, d, s->s, d->stream);
}
/* }====================================================== */

/* {====================================================== graphs */
static void graph_free(lu_cuda_dev *d, lu_graph *g) {
  if (g->exec) cudaGraphExecDestroy(g->exec);
  if (g->graph) cudaGraphDestroy(g->graph);
  if (g->cs) cudaStreamDestroy(g->cs);
  cudaGetLastError();
  if (d != NULL) lu_cuda_capture_release(d, &g->cap);
  else free(g->cap.held);
  free(g);
}

int lu_cuda_graph_begin(lu_ctx *ctx, int dev, lu_graph **out) {
  lu_cuda_dev *d;
  lu_graph *g;
  cudaError_t e;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  if (d->capture != NULL)
    return lu_cuda_seterr(ctx, LU_EARG, "a graph is being captured on cuda:%d already "
                          "(captures do not nest)", dev);
  if ((g = (lu_graph *)lu_calloc(1, sizeof *g)) == NULL)
    return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  g->dev = dev;
  e = cudaStreamCreateWithFlags(&g->cs, cudaStreamNonBlocking);
  if (e != cudaSuccess) {
    g->cs = NULL;
    graph_free(d, g);
    return lu_cuda_fail(ctx, e, "cudaStreamCreateWithFlags (capture)", __FILE__, __LINE__);
  }
  /* fork before the capture begins: the graph's work comes after what is
  ** queued now (a wait on an event from outside would break the capture) */
  if ((rc = lu_cuda_order(ctx, d, d->stream, g->cs)) != LU_OK) { graph_free(d, g); return rc; }
  e = cudaStreamBeginCapture(g->cs, cudaStreamCaptureModeRelaxed);
  if (e != cudaSuccess) {
    graph_free(d, g);
    return lu_cuda_fail(ctx, e, "cudaStreamBeginCapture", __FILE__, __LINE__);
  }
  g->prev = d->stream;
  d->stream = g->cs;
  d->capture = &g->cap;
  *out = g;
  return LU_OK;
}

/* Ends the capture (always) and, when keep and nothing went wrong, makes
** the graph executable; otherwise the graph is discarded (and freed, with
** the blocks it held). The previous stream is current again and waits for
** the allocator's calls on the device's own stream during the capture. */
int lu_cuda_graph_end(lu_ctx *ctx, lu_graph *g, int keep) {
  lu_cuda_dev *d;
  cudaGraph_t graph = NULL;
  cudaError_t e;
  int rc = lu_cuda_device(ctx, g->dev, &d);
  if (rc != LU_OK) { graph_free(NULL, g); return rc; }
  e = cudaStreamEndCapture(g->cs, &graph);
  d->stream = g->prev;
  d->capture = NULL;
  g->graph = graph;
  cudaStreamDestroy(g->cs);
  g->cs = NULL;
  cudaGetLastError();
  rc = lu_cuda_order(ctx, d, d->own, d->stream);
  if (keep && rc == LU_OK && g->cap.refused)
    rc = lu_seterr(ctx, LU_EDEVICE, "%s", g->cap.msg);
  if (keep && rc == LU_OK && e != cudaSuccess)
    rc = lu_cuda_fail(ctx, e, "cudaStreamEndCapture", __FILE__, __LINE__);
  if (keep && rc == LU_OK && graph == NULL)
    rc = lu_cuda_seterr(ctx, LU_EBACKEND, "the capture recorded no graph");
  if (keep && rc == LU_OK) {
    e = cudaGraphInstantiateWithFlags(&g->exec, graph, 0);
    if (e != cudaSuccess) {
      g->exec = NULL;
      rc = lu_cuda_fail(ctx, e, "cudaGraphInstantiateWithFlags", __FILE__, __LINE__);
    }
  }
  if (!keep || rc != LU_OK) { graph_free(d, g); return keep ? rc : LU_OK; }
  return LU_OK;
}

int lu_cuda_graph_replay(lu_ctx *ctx, lu_graph *g) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, g->dev, &d);
  if (rc != LU_OK) return rc;
  CU_CHECK(ctx, cudaGraphLaunch(g->exec, d->stream));
  return LU_OK;
}

/* A replay still running completes; its blocks go back in the current
** stream's order, after it (replays on other streams were joined). */
void lu_cuda_graph_destroy(lu_ctx *ctx, lu_graph *g) {
  lu_cuda_dev *d;
  if (g == NULL) return;
  graph_free(lu_cuda_device(ctx, g->dev, &d) == LU_OK ? d : NULL, g);
}
/* }====================================================== */
