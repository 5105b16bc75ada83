/* SPDX-License-Identifier: MIT */
/*
** lunar.dist: collectives between processes (src/core/dist.c,
** doc/api/dist.md). CPU arrays go through MPI (Open MPI, opened at run
** time by dist_mpi.c), GPU arrays through NCCL (opened at run time by the
** CUDA backend, src/backend/cuda/nccl.c, through the lu_nccl_ops table
** below). Kept out of lu_backend.h, as lu_workbench.h is: that header is
** compiled into every kernel.
**
** The process group is one per process (MPI's world is), not one per
** context: a second lua_State in the process sees the same group.
** Ranks are 0-based identifiers, as MPI's, NCCL's and lunar's own device
** numbers ("cuda:0") are (design-notes: "Scale-out").
*/
#ifndef lu_dist_h
#define lu_dist_h

#include <stddef.h>
#include "lu_backend.h"

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

/* {===== the NCCL side (a GPU backend's table)
** A descriptor of one NCCL call, enqueued on the device's stream. count is
** in elements of dt per rank's part: all_reduce, broadcast, reduce: the
** whole buffer; all_gather, gather, all_to_all: the part each rank sends;
** scatter, reduce_scatter: the part each rank receives. send and recv
** buffers are contiguous device memory; recv may be send (in place) where
** NCCL allows it. peer: root, or the other side of send/recv. */
typedef struct lu_nccl_call {
  lu_dist_op op;
  lu_dist_red red;
  lu_dtype dt;
  const void *send;
  void *recv;
  size_t count;
  int peer;
  int rank, size;
} lu_nccl_call;

#define LU_NCCL_ID_BYTES 128

typedef struct lu_nccl_ops {
  /* load NCCL (LUNAR_NCCL_LIB, else libnccl.so.2); version as NCCL's
  ** integer code */
  int (*load)(lu_ctx *ctx, int *version);
  int (*unique_id)(lu_ctx *ctx, void *id);
  /* a communicator of `size` ranks on device dev (collective over ranks) */
  int (*comm_init)(lu_ctx *ctx, int dev, int size, const void *id, int rank, void **comm);
  /* 1 when NCCL reduces dt by red (the core then does not cast) */
  int (*supports)(lu_dtype dt, lu_dist_red red);
  int (*call)(lu_ctx *ctx, int dev, void *comm, const lu_nccl_call *c);
  /* wait for the device's stream (or for ev when not NULL) with a
  ** deadline in seconds: past it, the communicator is aborted and an
  ** error names the op; NCCL's asynchronous errors are reported too */
  int (*wait)(lu_ctx *ctx, int dev, void *comm, lu_event *ev, double timeout);
  /* 1 when ev has completed, 0 when not */
  int (*query)(lu_ctx *ctx, lu_event *ev, int *done);
  /* abort: the quick way out after an error (ncclCommAbort) */
  void (*comm_destroy)(lu_ctx *ctx, int dev, void *comm, int abort);
} lu_nccl_ops;

#ifdef LUNAR_HAVE_CUDA
extern const lu_nccl_ops lu_cuda_nccl_ops;
#endif
/* }===== */

/* {===== MPI, opened at run time (dist_mpi.c); Open MPI's ABI */
typedef void *lu_mpi_h;                 /* MPI_Comm, MPI_Datatype, MPI_Op, MPI_Request */
typedef struct lu_mpi_fns {
  int (*Init)(int *, char ***);
  int (*Initialized)(int *);
  int (*Finalized)(int *);
  int (*Finalize)(void);
  int (*Abort)(lu_mpi_h, int);
  int (*Comm_rank)(lu_mpi_h, int *);
  int (*Comm_size)(lu_mpi_h, int *);
  int (*Comm_set_errhandler)(lu_mpi_h, lu_mpi_h);
  int (*Error_string)(int, char *, int *);
  int (*Bcast)(void *, int, lu_mpi_h, int, lu_mpi_h);
  int (*Iallgather)(const void *, int, lu_mpi_h, void *, int, lu_mpi_h, lu_mpi_h, lu_mpi_h *);
  int (*Iallreduce)(const void *, void *, int, lu_mpi_h, lu_mpi_h, lu_mpi_h, lu_mpi_h *);
  int (*Ibcast)(void *, int, lu_mpi_h, int, lu_mpi_h, lu_mpi_h *);
  int (*Ireduce)(const void *, void *, int, lu_mpi_h, lu_mpi_h, int, lu_mpi_h, lu_mpi_h *);
  int (*Igather)(const void *, int, lu_mpi_h, void *, int, lu_mpi_h, int, lu_mpi_h, lu_mpi_h *);
  int (*Iscatter)(const void *, int, lu_mpi_h, void *, int, lu_mpi_h, int, lu_mpi_h, lu_mpi_h *);
  int (*Ireduce_scatter_block)(const void *, void *, int, lu_mpi_h, lu_mpi_h, lu_mpi_h, lu_mpi_h *);
  int (*Ialltoall)(const void *, int, lu_mpi_h, void *, int, lu_mpi_h, lu_mpi_h, lu_mpi_h *);
  int (*Isend)(const void *, int, lu_mpi_h, int, int, lu_mpi_h, lu_mpi_h *);
  int (*Irecv)(void *, int, lu_mpi_h, int, int, lu_mpi_h, lu_mpi_h *);
  int (*Test)(lu_mpi_h *, int *, void *);
  int (*Cancel)(lu_mpi_h *);
  int (*Request_free)(lu_mpi_h *);
  /* the predefined objects (addresses of Open MPI's globals) */
  lu_mpi_h comm_world, errors_return, op[LU_DRED_N], op_land, op_lor, byte;
  lu_mpi_h type[LU_NDTYPES];     /* for moving data (float16 as uint16) */
  lu_mpi_h rtype[LU_NDTYPES];    /* for reducing it (NULL: MPI cannot) */
} lu_mpi_fns;

/* The table, loading libmpi on the first call (LUNAR_MPI_LIB, else
** libmpi.so.40); NULL with the reason set on ctx (it names the package). */
const lu_mpi_fns *lu_mpi_load(lu_ctx *ctx);
/* MPI's message for an error code, into buf */
const char *lu_mpi_errstr(const lu_mpi_fns *m, int code, char *buf, size_t len);
/* }===== */

#endif
