/* SPDX-License-Identifier: MIT */
/*
** Streams and graphs (lunar.cuda.Stream, lunar.cuda.stream,
** lunar.cuda.graph; doc/api/stream.md). The core's functions
** (src/core/stream.c) check the device and name the op; the CUDA backend's
** (src/backend/cuda/stream.c) do the work. Plain functions beside
** lu_backend.h, not entries in it, for the reason lu_ukernel.h gives: that
** header is compiled into every CUDA kernel. Only CUDA has streams; on any
** other device, or without a GPU, every constructor fails with "needs a
** CUDA device".
*/
#ifndef lu_stream_h
#define lu_stream_h

#include "lu_api.h"

typedef struct lu_stream lu_stream;   /* a stream of one device */
typedef struct lu_graph lu_graph;     /* a captured graph, or one being captured */

/* LU_OK when dev is a CUDA device that exists, else "WHAT: needs a CUDA
** device" and why. */
int lu_stream_check(lu_ctx *ctx, lu_device dev, const char *what);
/* A new stream on dev; `what` names the caller in errors. */
int lu_stream_create(lu_ctx *ctx, lu_device dev, const char *what, lu_stream **s);
void lu_stream_destroy(lu_ctx *ctx, lu_stream *s);
lu_device lu_stream_device(const lu_stream *s);
int lu_stream_synchronize(lu_ctx *ctx, lu_stream *s);
/* *done: 1 when all the work queued on s has completed */
int lu_stream_query(lu_ctx *ctx, lu_stream *s, int *done);
/* ev (an event of s's device) is recorded on s / s waits for ev */
int lu_stream_record(lu_ctx *ctx, lu_stream *s, lu_event *ev);
int lu_stream_wait_event(lu_ctx *ctx, lu_stream *s, lu_event *ev);
/* Make s its device's current stream (fork: s first waits for the stream
** that was current) and back (join: that stream, current again, waits for
** s). *prev is what leave needs; leave always puts the stream back. */
int lu_stream_enter(lu_ctx *ctx, lu_stream *s, void **prev);
int lu_stream_leave(lu_ctx *ctx, lu_stream *s, void *prev);

/* Graphs: begin starts capturing dev's work (on a stream of the graph's,
** forked from the current one); end stops it, and with keep makes the
** graph replayable, otherwise (or when the capture failed, or an op that
** waits for the host was refused during it) discards and frees it. After
** a failed end g is freed too. replay enqueues the graph on the current
** stream of its device. */
int lu_graph_begin(lu_ctx *ctx, lu_device dev, lu_graph **g);
int lu_graph_end(lu_ctx *ctx, lu_graph *g, int keep);
int lu_graph_replay(lu_ctx *ctx, lu_graph *g);
void lu_graph_destroy(lu_ctx *ctx, lu_graph *g);

#ifdef LUNAR_HAVE_CUDA
/* src/backend/cuda/stream.c; dev is a CUDA device index */
int lu_cuda_stream_create(lu_ctx *ctx, int dev, lu_stream **s);
void lu_cuda_stream_destroy(lu_ctx *ctx, lu_stream *s);
int lu_cuda_stream_dev(const lu_stream *s);
int lu_cuda_stream_synchronize(lu_ctx *ctx, lu_stream *s);
int lu_cuda_stream_query(lu_ctx *ctx, lu_stream *s, int *done);
int lu_cuda_stream_record(lu_ctx *ctx, lu_stream *s, lu_event *ev);
int lu_cuda_stream_wait_event(lu_ctx *ctx, lu_stream *s, lu_event *ev);
int lu_cuda_stream_enter(lu_ctx *ctx, lu_stream *s, void **prev);
int lu_cuda_stream_leave(lu_ctx *ctx, lu_stream *s, void *prev);
int lu_cuda_graph_begin(lu_ctx *ctx, int dev, lu_graph **g);
int lu_cuda_graph_end(lu_ctx *ctx, lu_graph *g, int keep);
int lu_cuda_graph_replay(lu_ctx *ctx, lu_graph *g);
void lu_cuda_graph_destroy(lu_ctx *ctx, lu_graph *g);
#endif

#endif
