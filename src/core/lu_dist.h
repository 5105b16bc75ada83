/* SPDX-License-Identifier: MIT */
/*
** lunar.dist: collectives between processes (src/core/dist.c,
** doc/api/dist.md). CPU arrays go through MPI (Open MPI, opened at run
** time by dist_mpi.c), GPU arrays through NCCL (opened at run time by the
** CUDA backend, src/backend/cuda/nccl.c). This header is what the binding
** (src/lua/lb_dist.c) calls; the tables of the two engines, which a backend
** and the core's dist.c see, are in lu_dist_engines.h, so that the binding
** does not reach lu_backend.h through it.
**
** The process group is one per process (MPI's world is), not one per
** context: a second lua_State in the process sees the same group.
** Ranks are 0-based identifiers, as MPI's, NCCL's and lunar's own device
** numbers ("cuda:0") are (design-notes: "Scale-out").
*/
#ifndef lu_dist_h
#define lu_dist_h

#include <stddef.h>
#include "lu_types.h"

/* The collectives and the other calls that every rank makes together
** (the agreement check compares them by this code). */
typedef enum lu_dist_op {
  LU_DIST_ALL_REDUCE, LU_DIST_BROADCAST, LU_DIST_REDUCE, LU_DIST_ALL_GATHER,
  LU_DIST_GATHER, LU_DIST_SCATTER, LU_DIST_REDUCE_SCATTER, LU_DIST_ALL_TO_ALL,
  LU_DIST_SEND, LU_DIST_RECV, LU_DIST_BARRIER, LU_DIST_FINALIZE, LU_DIST_NOPS
} lu_dist_op;

typedef enum lu_dist_red {
  LU_DRED_SUM, LU_DRED_PROD, LU_DRED_MIN, LU_DRED_MAX, LU_DRED_AVG, LU_DRED_N
} lu_dist_red;

const char *lu_dist_opname(int op);     /* "all_reduce" */
const char *lu_dist_redname(int red);   /* "sum" */
int lu_dist_red_from_name(const char *s);   /* -1 when unknown */

/* {===== what the binding calls */
typedef struct lu_dist_opts {
  const char *backend;   /* "auto" (NULL), "nccl", "mpi" */
  const char *method;    /* NULL: found from the environment; "mpi",
                            "env", "file://PATH" */
  double timeout;        /* seconds; <= 0: LUNAR_DIST_TIMEOUT or 600 */
  int check;             /* 1: every collective first checks that the
                            ranks agree (op, root, dtype, shape) */
} lu_dist_opts;

int lu_dist_init(lu_ctx *ctx, const lu_dist_opts *o);
int lu_dist_is_init(void);
/* rank, size, local_rank, local_size of the group (an error before init) */
int lu_dist_info(lu_ctx *ctx, const char *name, int *rank, int *size, int *local_rank,
                 int *local_size);
/* "mpi", "nccl", "nccl+mpi", "self" (one process, no library) */
const char *lu_dist_backend_name(void);
int lu_dist_barrier(lu_ctx *ctx);
/* Leave the group: a collective (every rank calls it); then the group can
** be made again by lu_dist_init. */
int lu_dist_finalize(lu_ctx *ctx);
/* At the end of a state: finalize quietly when init was called and
** finalize was not (a failed check leaves MPI as it is: the process is
** then ending with an error, and mpirun ends the others). */
void lu_dist_atexit(lu_ctx *ctx);

/* One call of a collective or of send/recv.
**   in   the rank's array (NULL: scatter away from the root, recv)
**   out  an array to write the result to (its buf NULL: none given); for
**        all_reduce, broadcast and reduce `inplace` makes it `in` itself
**   root the root (broadcast, reduce, gather, scatter) or the peer
**        (send, recv), 0-based
** The result array (what the binding returns) is ready in *req once
** lu_dist_wait returns; without `async` lu_dist_call waits itself. */
typedef struct lu_dist_args {
  lu_dist_op op;
  lu_dist_red red;
  int root;
  const lu_array *in;
  lu_array *out;
  int inplace;
  int async;
  int tag;              /* send, recv: >= 0 */
} lu_dist_args;

typedef struct lu_dist_req lu_dist_req;
int lu_dist_call(lu_ctx *ctx, const lu_dist_args *a, lu_dist_req **req);
/* Waits for the call (under the group's timeout) and finishes it (copies
** to `out`, divides for avg). *has is 0 where the call has no result on
** this rank (reduce and gather away from the root, send); otherwise
** *result shares the result array. Waiting twice is harmless. */
int lu_dist_wait(lu_ctx *ctx, lu_dist_req *r, lu_array *result, int *has);
/* 1 when the call has completed (never waits). */
int lu_dist_test(lu_ctx *ctx, lu_dist_req *r, int *done);
/* Frees the request; one still in flight is waited for first. */
void lu_dist_req_free(lu_ctx *ctx, lu_dist_req *r);
/* }===== */

#endif
