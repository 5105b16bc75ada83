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
*/
#ifndef lu_check_h
#define lu_check_h

#include "lu_backend.h"

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

#else

#define lu_assert(cond, what)               ((void)0)
#define lu_check_in(a)                      ((void)0)
#define lu_check_made(a)                    ((void)0)
#define lu_check_contig(a, n, dt, dev)      ((void)0)
#define lu_check_ewise(ctx, c, out, in)     ((void)0)
#define lu_check_reduce(ctx, c, out, in)    ((void)0)
#define lu_check_matmul(ctx, c, out, a, b)  ((void)0)

#endif

#endif
