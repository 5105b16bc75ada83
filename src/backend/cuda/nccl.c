/* SPDX-License-Identifier: MIT */
/*
** NCCL for lunar.dist (lu_nccl_ops, src/core/lu_dist_engines.h): collectives
** between GPUs, enqueued on the device's stream like every op. NCCL is
** opened on first use, as cuBLAS is (dynlib.c): $LUNAR_NCCL_LIB when set
** (then nothing else), else libnccl.so.2 through the loader's search and
** then in the toolkit's library directory found at build time.
**
** Data that only moves (broadcast, gathers, scatters, send/recv) goes as
** bytes, so every dtype moves. Reductions need NCCL's own types: bool is
** reduced as uint8 (sum and max are "or", prod and min "and"), complex as
** pairs of floats (sum and avg only); int16 and uint16 have no NCCL type.
** NCCL has no gather, scatter or all-to-all: they are groups of sends and
** receives.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nccl.h>
#include "cuda_internal.h"
#include "lu_dist_engines.h"

typedef struct nccl_fns {
  __typeof__(&ncclGetVersion) GetVersion;
  __typeof__(&ncclGetUniqueId) GetUniqueId;
  __typeof__(&ncclCommInitRank) CommInitRank;
  __typeof__(&ncclCommDestroy) CommDestroy;
  __typeof__(&ncclCommAbort) CommAbort;
  __typeof__(&ncclCommGetAsyncError) CommGetAsyncError;
  __typeof__(&ncclGetErrorString) GetErrorString;
  __typeof__(&ncclAllReduce) AllReduce;
  __typeof__(&ncclBroadcast) Broadcast;
  __typeof__(&ncclReduce) Reduce;
  __typeof__(&ncclAllGather) AllGather;
  __typeof__(&ncclReduceScatter) ReduceScatter;
  __typeof__(&ncclSend) Send;
  __typeof__(&ncclRecv) Recv;
  __typeof__(&ncclGroupStart) GroupStart;
  __typeof__(&ncclGroupEnd) GroupEnd;
} nccl_fns;

static nccl_fns nc;
static pthread_once_t nc_once = PTHREAD_ONCE_INIT;
static int nc_ok, nc_version;
static char nc_why[600];

#define NSYM(f) { "nccl" #f, offsetof(nccl_fns, f) }
static const struct { const char *name; size_t off; } nsyms[] = {
  NSYM(GetVersion), NSYM(GetUniqueId), NSYM(CommInitRank), NSYM(CommDestroy),
  NSYM(CommAbort), NSYM(CommGetAsyncError), NSYM(GetErrorString), NSYM(AllReduce),
  NSYM(Broadcast), NSYM(Reduce), NSYM(AllGather), NSYM(ReduceScatter), NSYM(Send),
  NSYM(Recv), NSYM(GroupStart), NSYM(GroupEnd),
};

static void *open_lib(const char *name) {
  void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
#ifdef LU_CUDA_LIBDIR
  if (h == NULL && strchr(name, '/') == NULL) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", LU_CUDA_LIBDIR, name) < (int)sizeof path)
      h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  }
#endif
  return h;
}

static void load_once(void) {
  const char *env = getenv("LUNAR_NCCL_LIB");
  const char *name = env && *env ? env : "libnccl.so.2";
  void *h = open_lib(name);
  size_t i;
  if (h == NULL) {
    const char *e = dlerror();
    snprintf(nc_why, sizeof nc_why, "cannot load NCCL (%s): %s; install NCCL (it comes "
             "with the CUDA toolkit, or Debian's libnccl2) or set LUNAR_NCCL_LIB", name,
             e ? e : "not found");
    return;
  }
  for (i = 0; i < sizeof nsyms / sizeof nsyms[0]; i++) {
    void *p = dlsym(h, nsyms[i].name);
    if (p == NULL) {
      snprintf(nc_why, sizeof nc_why, "%s has no %s (lunar needs NCCL 2.7 or later)", name,
               nsyms[i].name);
      return;
    }
    memcpy((char *)&nc + nsyms[i].off, &p, sizeof p);
  }
  if (nc.GetVersion(&nc_version) != ncclSuccess) nc_version = 0;
  nc_ok = 1;
}

static int nccl_fail(lu_ctx *ctx, ncclResult_t r, const char *call) {
  return lu_cuda_seterr(ctx, LU_EBACKEND, "%s failed: %s", call, nc.GetErrorString(r));
}
#define NCCL_CHECK(ctx, call) do { ncclResult_t r_ = (call); \
  if (r_ != ncclSuccess) return nccl_fail(ctx, r_, #call); } while (0)

static int load(lu_ctx *ctx, int *version) {
  pthread_once(&nc_once, load_once);
  if (!nc_ok) return lu_seterr(ctx, LU_EBACKEND, "dist.init: %s", nc_why);
  if (version) *version = nc_version;
  return LU_OK;
}

static int unique_id(lu_ctx *ctx, void *id) {
  ncclUniqueId u;
  if (load(ctx, NULL)) return LU_EBACKEND;
  NCCL_CHECK(ctx, nc.GetUniqueId(&u));
  memcpy(id, &u, sizeof u < LU_NCCL_ID_BYTES ? sizeof u : LU_NCCL_ID_BYTES);
  return LU_OK;
}

static int comm_init(lu_ctx *ctx, int dev, int size, const void *id, int rank, void **comm) {
  lu_cuda_dev *d;
  ncclUniqueId u;
  ncclComm_t c = NULL;
  int st;
  if ((st = load(ctx, NULL))) return st;
  if ((st = lu_cuda_device(ctx, dev, &d))) return st;
  memset(&u, 0, sizeof u);
  memcpy(&u, id, sizeof u < LU_NCCL_ID_BYTES ? sizeof u : LU_NCCL_ID_BYTES);
  NCCL_CHECK(ctx, nc.CommInitRank(&c, size, u, rank));
  *comm = c;
  return LU_OK;
}

/* NCCL's type and op for reducing dt by red; *mult elements per element
** (2 for complex). 0 when NCCL cannot. */
static int red_type(lu_dtype dt, lu_dist_red red, ncclDataType_t *t, ncclRedOp_t *op,
                    int *mult) {
  *mult = 1;
  switch (red) {
    case LU_DRED_SUM: *op = ncclSum; break;
    case LU_DRED_PROD: *op = ncclProd; break;
    case LU_DRED_MIN: *op = ncclMin; break;
    case LU_DRED_MAX: *op = ncclMax; break;
    case LU_DRED_AVG:
      if (nc_version && nc_version < 21000) return 0;
      *op = ncclAvg;
      break;
    default: return 0;
  }
  switch (dt) {
    case LU_BOOL:
      *t = ncclUint8;
      if (red == LU_DRED_AVG) return 0;
      *op = (red == LU_DRED_SUM || red == LU_DRED_MAX) ? ncclMax : ncclMin;
      return 1;
    case LU_INT8: *t = ncclInt8; return 1;
    case LU_UINT8: *t = ncclUint8; return 1;
    case LU_INT32: *t = ncclInt32; return 1;
    case LU_UINT32: *t = ncclUint32; return 1;
    case LU_INT64: *t = ncclInt64; return 1;
    case LU_UINT64: *t = ncclUint64; return 1;
    case LU_FLOAT16: *t = ncclFloat16; return 1;
    case LU_FLOAT32: *t = ncclFloat32; return 1;
    case LU_FLOAT64: *t = ncclFloat64; return 1;
    case LU_BFLOAT16:
      if (nc_version && nc_version < 21000) return 0;
      *t = ncclBfloat16;
      return 1;
    case LU_COMPLEX64: case LU_COMPLEX128:
      if (red != LU_DRED_SUM && red != LU_DRED_AVG) return 0;
      *t = dt == LU_COMPLEX64 ? ncclFloat32 : ncclFloat64;
      *mult = 2;
      return 1;
    default:
      return 0;
  }
}

static int supports(lu_dtype dt, lu_dist_red red) {
  ncclDataType_t t;
  ncclRedOp_t op;
  int mult;
  return red_type(dt, red, &t, &op, &mult);
}

static int call(lu_ctx *ctx, int dev, void *comm, const lu_nccl_call *c) {
  lu_cuda_dev *d;
  ncclComm_t cm = (ncclComm_t)comm;
  size_t es = (size_t)lu_dtype_size(c->dt), bytes = c->count * es;
  ncclDataType_t t = ncclUint8;
  ncclRedOp_t op = ncclSum;
  int mult = 1, st, r;
  const char *sp = (const char *)c->send;
  char *rp = (char *)c->recv;
  if ((st = lu_cuda_device(ctx, dev, &d))) return st;
  if ((c->op == LU_DIST_ALL_REDUCE || c->op == LU_DIST_REDUCE ||
       c->op == LU_DIST_REDUCE_SCATTER) && !red_type(c->dt, c->red, &t, &op, &mult))
    return lu_cuda_seterr(ctx, LU_ETYPE, "NCCL cannot reduce %s by %s", lu_dtype_name(c->dt),
                          lu_dist_redname(c->red));
  switch (c->op) {
    case LU_DIST_ALL_REDUCE:
      NCCL_CHECK(ctx, nc.AllReduce(sp, rp, c->count * (size_t)mult, t, op, cm, d->stream));
      break;
    case LU_DIST_REDUCE:
      NCCL_CHECK(ctx, nc.Reduce(sp, rp, c->count * (size_t)mult, t, op, c->peer, cm, d->stream));
      break;
    case LU_DIST_REDUCE_SCATTER:
      NCCL_CHECK(ctx, nc.ReduceScatter(sp, rp, c->count * (size_t)mult, t, op, cm, d->stream));
      break;
    case LU_DIST_BROADCAST:
      NCCL_CHECK(ctx, nc.Broadcast(sp, rp, bytes, ncclUint8, c->peer, cm, d->stream));
      break;
    case LU_DIST_ALL_GATHER:
      NCCL_CHECK(ctx, nc.AllGather(sp, rp, bytes, ncclUint8, cm, d->stream));
      break;
    case LU_DIST_SEND:
      NCCL_CHECK(ctx, nc.Send(sp, bytes, ncclUint8, c->peer, cm, d->stream));
      break;
    case LU_DIST_RECV:
      NCCL_CHECK(ctx, nc.Recv(rp, bytes, ncclUint8, c->peer, cm, d->stream));
      break;
    case LU_DIST_GATHER: case LU_DIST_SCATTER: case LU_DIST_ALL_TO_ALL: {
      ncclResult_t e = ncclSuccess, e2;
      NCCL_CHECK(ctx, nc.GroupStart());
      for (r = 0; r < c->size && e == ncclSuccess; r++) {
        size_t off = (size_t)r * bytes;
        if (c->op == LU_DIST_ALL_TO_ALL) {
          e = nc.Send(sp + off, bytes, ncclUint8, r, cm, d->stream);
          if (e == ncclSuccess) e = nc.Recv(rp + off, bytes, ncclUint8, r, cm, d->stream);
        } else if (c->rank == c->peer) {
          if (c->op == LU_DIST_GATHER) e = nc.Recv(rp + off, bytes, ncclUint8, r, cm, d->stream);
          else e = nc.Send(sp + off, bytes, ncclUint8, r, cm, d->stream);
        }
      }
      if (e == ncclSuccess && c->op == LU_DIST_GATHER)
        e = nc.Send(sp, bytes, ncclUint8, c->peer, cm, d->stream);
      if (e == ncclSuccess && c->op == LU_DIST_SCATTER)
        e = nc.Recv(rp, bytes, ncclUint8, c->peer, cm, d->stream);
      e2 = nc.GroupEnd();
      if (e != ncclSuccess) return nccl_fail(ctx, e, "ncclSend/ncclRecv");
      if (e2 != ncclSuccess) return nccl_fail(ctx, e2, "ncclGroupEnd");
      break;
    }
    default:
      return lu_cuda_seterr(ctx, LU_EARG, "not an NCCL call");
  }
  return LU_OK;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Wait for the stream (or ev) with a deadline; NCCL's asynchronous
** errors (a peer gone, a network failure) end the wait too. On either,
** the communicator is aborted so that no kernel waits for ever. */
static int wait(lu_ctx *ctx, int dev, void *comm, lu_event *ev, double timeout) {
  lu_cuda_dev *d;
  double end = now_s() + timeout;
  int st, spins = 0;
  if ((st = lu_cuda_device(ctx, dev, &d))) return st;
  for (;;) {
    cudaError_t q = ev ? cudaEventQuery(ev->ev) : cudaStreamQuery(d->stream);
    ncclResult_t ae = ncclSuccess;
    if (q == cudaSuccess) return LU_OK;
    if (q != cudaErrorNotReady) return lu_cuda_fail(ctx, q, ev ? "cudaEventQuery" :
                                                    "cudaStreamQuery", __FILE__, __LINE__);
    if (comm && nc.CommGetAsyncError((ncclComm_t)comm, &ae) == ncclSuccess &&
        ae != ncclSuccess && ae != ncclInProgress) {
      nc.CommAbort((ncclComm_t)comm);
      return lu_cuda_seterr(ctx, LU_EBACKEND, "NCCL failed: %s (the communicator is "
                            "aborted)", nc.GetErrorString(ae));
    }
    if (now_s() > end) {
      if (comm) nc.CommAbort((ncclComm_t)comm);
      return lu_cuda_seterr(ctx, LU_EBACKEND, "timed out after %g s waiting for the other "
                            "ranks (the NCCL communicator is aborted)", timeout);
    }
    if (++spins > 200) {
      struct timespec t = {0, 50000};
      nanosleep(&t, NULL);
    }
  }
}

static int query(lu_ctx *ctx, lu_event *ev, int *done) {
  cudaError_t q = cudaEventQuery(ev->ev);
  *done = q == cudaSuccess;
  if (q != cudaSuccess && q != cudaErrorNotReady)
    return lu_cuda_fail(ctx, q, "cudaEventQuery", __FILE__, __LINE__);
  return LU_OK;
}

static void comm_destroy(lu_ctx *ctx, int dev, void *comm, int abort) {
  lu_cuda_dev *d;
  if (comm == NULL || !nc_ok) return;
  if (lu_cuda_device(ctx, dev, &d) == LU_OK && !abort) cudaStreamSynchronize(d->stream);
  if (abort) nc.CommAbort((ncclComm_t)comm);
  else nc.CommDestroy((ncclComm_t)comm);
}

const lu_nccl_ops lu_cuda_nccl_ops = {
  load, unique_id, comm_init, supports, call, wait, query, comm_destroy
};
