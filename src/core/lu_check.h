/* SPDX-License-Identifier: MIT */
/*
** Internal assertions at the layer boundaries, in the manner of Lua's
** api_check: the core's public functions check the arrays they are given,
** and every call into a backend family is checked before it is made (the
** memory it will touch lies inside the buffers it names, refcounts are
** positive, dtype codes and devices are valid). A failed check is a bug in
** lunar, never a user error: it prints the file, the line and the invariant
** and aborts. Built with -DLUNAR_DEBUG=ON (CMake), which defines
** LUNAR_DEBUG; otherwise every macro below is empty and costs nothing.
**
** Usage: lu_check_in(a) for an operand (a closed array, buf NULL, is left
** to the function, which reports it as an error), lu_check_made(a) for an
** array that must be complete, lu_assert(cond, "what must hold").
**
** The family calls that take raw pointers (the sort family's, fft, the
** index family's gather and scatter) are checked against the arrays the
** pointers were taken from: every byte the call may touch lies within
** those arrays' buffers, and on the CPU, where the core can read them,
** the positions a sort-family gather or scatter is handed lie within their
** rows.
**
** Streams belong to the context that made them (lu_stream_create): every
** stream a core function is given is one of its context's, alive; streams
** are entered and left in nesting order, none is destroyed while it is
** entered, and a context ends with none alive (each holds a reference on
** it). The context keeps the list in debug builds only (lu_ctx.dbg).
*/
#ifndef lu_check_h
#define lu_check_h

#include "lu_backend.h"

/* what lu_check_stream is told a stream is going through */
enum { LU_CHK_STREAM_MADE, LU_CHK_STREAM_USE, LU_CHK_STREAM_ENTER, LU_CHK_STREAM_LEAVE,
       LU_CHK_STREAM_GONE };

#ifdef LUNAR_DEBUG

void lu_check_fail_(const char *file, int line, const char *what);
void lu_check_array_(const lu_array *a, int need_buf, const char *file, int line);
void lu_check_contig_(const lu_array *a, int64_t n, int dt, lu_device dev,
                      const char *file, int line);
void lu_check_ewise_(const lu_ctx *ctx, const lu_ewise_call *c, const lu_array *out,
                     const lu_array *const *in, const char *file, int line);
void lu_check_reduce_(const lu_ctx *ctx, const lu_reduce_call *c, const lu_array *out,
                      const lu_array *in, const char *file, int line);
void lu_check_matmul_(const lu_ctx *ctx, const lu_matmul_call *c, const lu_array *out,
                      const lu_array *a, const lu_array *b, const char *file, int line);
void lu_check_sort_(const lu_ctx *ctx, const lu_sort_call *c, const lu_array *in,
                    const lu_array *out, const lu_array *idx, const char *file, int line);
void lu_check_scan_(const lu_ctx *ctx, const lu_scan_call *c, const lu_array *in,
                    const lu_array *out, const lu_array *idx, const char *file, int line);
void lu_check_search_(const lu_ctx *ctx, const lu_search_call *c, const lu_array *sorted,
                      const lu_array *v, const lu_array *out, const char *file, int line);
void lu_check_runs_(const lu_ctx *ctx, const lu_runs_call *c, const lu_array *keys,
                    const lu_array *vals, const lu_array *start, const lu_array *count,
                    const lu_array *id, const char *file, int line);
void lu_check_hist_(const lu_ctx *ctx, const lu_hist_call *c, int histogram, const lu_array *x,
                    const lu_array *w, const lu_array *edges, const lu_array *out,
                    const char *file, int line);
void lu_check_quantile_(const lu_ctx *ctx, const lu_quantile_call *c, const lu_array *in,
                        const lu_array *out, const char *file, int line);
void lu_check_rowgather_(const lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow,
                         const lu_array *in, int64_t in_rs, const lu_array *idx, int64_t idx_rs,
                         int64_t nidx, int64_t base, const lu_array *out, const char *file,
                         int line);
void lu_check_rowscatter_(const lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow,
                          const lu_array *in, const lu_array *idx, int64_t nidx, int64_t base,
                          const lu_array *out, int64_t out_rs, const char *file, int line);
void lu_check_fft_(const lu_ctx *ctx, const lu_fft_call *c, int max_rank, const lu_array *in,
                   const lu_array *out, const char *file, int line);
void lu_check_gather_(const lu_ctx *ctx, const lu_gather_call *c, int scatter,
                      const lu_array *arr, const lu_array *idx, const lu_array *other,
                      const char *file, int line);
void lu_check_stream_(lu_ctx *ctx, const void *s, int what, const char *file, int line);
void lu_check_ctx_end_(lu_ctx *ctx, const char *file, int line);

#define lu_assert(cond, what) \
  ((cond) ? (void)0 : lu_check_fail_(__FILE__, __LINE__, what))
#define lu_check_in(a)    lu_check_array_((a), 0, __FILE__, __LINE__)
#define lu_check_made(a)  lu_check_array_((a), 1, __FILE__, __LINE__)
/* a complete, C-contiguous array of n elements of dtype dt (-1: any) on dev,
** as the raw-pointer family entries (iota, fill, masks) receive it */
#define lu_check_contig(a, n, dt, dev) lu_check_contig_((a), (n), (dt), (dev), __FILE__, __LINE__)
#define lu_check_ewise(ctx, c, out, in) lu_check_ewise_((ctx), (c), (out), (in), __FILE__, __LINE__)
#define lu_check_reduce(ctx, c, out, in) lu_check_reduce_((ctx), (c), (out), (in), __FILE__, __LINE__)
#define lu_check_matmul(ctx, c, out, a, b) \
  lu_check_matmul_((ctx), (c), (out), (a), (b), __FILE__, __LINE__)
/* The sort family's calls, with the arrays behind their pointers (NULL
** where the call's pointer is NULL). The row gather and scatter take the
** entry's own arguments with arrays in place of pointers (each pointer is
** its array's first element). */
#define lu_check_sort(ctx, c, in, out, idx) lu_check_sort_((ctx), (c), (in), (out), (idx), __FILE__, __LINE__)
#define lu_check_scan(ctx, c, in, out, idx) lu_check_scan_((ctx), (c), (in), (out), (idx), __FILE__, __LINE__)
#define lu_check_search(ctx, c, sorted, v, out) \
  lu_check_search_((ctx), (c), (sorted), (v), (out), __FILE__, __LINE__)
#define lu_check_runs(ctx, c, keys, vals, start, count, id) \
  lu_check_runs_((ctx), (c), (keys), (vals), (start), (count), (id), __FILE__, __LINE__)
#define lu_check_hist(ctx, c, histogram, x, w, edges, out) \
  lu_check_hist_((ctx), (c), (histogram), (x), (w), (edges), (out), __FILE__, __LINE__)
#define lu_check_quantile(ctx, c, in, out) lu_check_quantile_((ctx), (c), (in), (out), __FILE__, __LINE__)
#define lu_check_rowgather(ctx, dev, elsize, nrow, in, in_rs, idx, idx_rs, nidx, base, out) \
  lu_check_rowgather_((ctx), (dev), (elsize), (nrow), (in), (in_rs), (idx), (idx_rs), (nidx), \
                      (base), (out), __FILE__, __LINE__)
#define lu_check_rowscatter(ctx, dev, elsize, nrow, in, idx, nidx, base, out, out_rs) \
  lu_check_rowscatter_((ctx), (dev), (elsize), (nrow), (in), (idx), (nidx), (base), (out), \
                       (out_rs), __FILE__, __LINE__)
/* an FFT call of a family whose max_rank is given; in and out are the
** arrays c->in and c->out point into */
#define lu_check_fft(ctx, c, max_rank, in, out) \
  lu_check_fft_((ctx), (c), (max_rank), (in), (out), __FILE__, __LINE__)
/* the index family's gather (scatter 0) or scatter call: arr is the
** indexed array, idx its c->nidx index arrays (consecutive), other the
** output (gather) or the values (scatter) */
#define lu_check_gather(ctx, c, scatter, arr, idx, other) \
  lu_check_gather_((ctx), (c), (scatter), (arr), (idx), (other), __FILE__, __LINE__)
/* stream ownership (stream.c): made, used, entered, left, destroyed */
#define lu_check_stream(ctx, s, what) lu_check_stream_((ctx), (s), (what), __FILE__, __LINE__)
/* the context is ending (ctx.c): none of its streams is alive; frees the list */
#define lu_check_ctx_end(ctx) lu_check_ctx_end_((ctx), __FILE__, __LINE__)

#else

#define lu_assert(cond, what)               ((void)0)
#define lu_check_in(a)                      ((void)0)
#define lu_check_made(a)                    ((void)0)
#define lu_check_contig(a, n, dt, dev)      ((void)0)
#define lu_check_ewise(ctx, c, out, in)     ((void)0)
#define lu_check_reduce(ctx, c, out, in)    ((void)0)
#define lu_check_matmul(ctx, c, out, a, b)  ((void)0)
#define lu_check_sort(ctx, c, in, out, idx)                 ((void)0)
#define lu_check_scan(ctx, c, in, out, idx)                 ((void)0)
#define lu_check_search(ctx, c, sorted, v, out)             ((void)0)
#define lu_check_runs(ctx, c, keys, vals, start, count, id) ((void)0)
#define lu_check_hist(ctx, c, histogram, x, w, edges, out)  ((void)0)
#define lu_check_quantile(ctx, c, in, out)                  ((void)0)
#define lu_check_rowgather(ctx, dev, elsize, nrow, in, in_rs, idx, idx_rs, nidx, base, out) ((void)0)
#define lu_check_rowscatter(ctx, dev, elsize, nrow, in, idx, nidx, base, out, out_rs) ((void)0)
#define lu_check_fft(ctx, c, max_rank, in, out)             ((void)0)
#define lu_check_gather(ctx, c, scatter, arr, idx, other)   ((void)0)
#define lu_check_stream(ctx, s, what)                       ((void)0)
#define lu_check_ctx_end(ctx)                               ((void)0)

#endif

#endif
