/* SPDX-License-Identifier: MIT */
/*
** The engines under lunar.dist (lu_dist.h): the NCCL table a GPU backend
** implements (src/backend/cuda/nccl.c) and Open MPI's functions, opened at
** run time by src/core/dist_mpi.c. Seen by src/core/dist.c and the
** backends, never by the binding (which includes lu_dist.h only). Kept out
** of lu_backend.h, as lu_workbench.h is: that header is compiled into every
** kernel. Like the peer and pool tables, the NCCL table is outside the
** versioned interface: only the CUDA backend has one, and dist.c names it
** directly (architecture.md, "Outside the interface").
*/
#ifndef lu_dist_engines_h
#define lu_dist_engines_h

#include "lu_backend.h"
#include "lu_dist.h"

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
