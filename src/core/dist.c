/* SPDX-License-Identifier: MIT */
/*
** lunar.dist: the process group and its collectives (doc/api/dist.md,
** design-notes: "Scale-out"). CPU arrays go through MPI (dist_mpi.c),
** GPU arrays through NCCL (the CUDA backend's lu_nccl_ops); a group of one
** process needs neither library.
**
** Every collective starts with an agreement check (unless init{check =
** false}): the ranks all-gather a small signature of their call (op,
** root, reduction, device type, dtype, shape) and compare. A mismatch is
** then one error, naming the ranks and the calls, raised on every rank,
** instead of a hang or a truncated message; the wait has a deadline (the
** group's timeout), so a rank that never arrives is an error too. The
** check is also what lets scatter's other ranks learn the root's shape.
** A rank that ends (its script done, or an error) takes part in the
** check as "finalize", so the others learn of it at their next call.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lu_ctx.h"
#include "lu_dist_engines.h"
#include "lu_internal.h"
#include "lu_hostmem.h"

/* {===== names */
static const char *const opnames[LU_DIST_NOPS] = {
  "all_reduce", "broadcast", "reduce", "all_gather", "gather", "scatter",
  "reduce_scatter", "all_to_all", "send", "recv", "barrier", "finalize"
};
static const char *const rednames[LU_DRED_N] = {"sum", "prod", "min", "max", "avg"};

/* the names in messages */
static const char *const fnames[LU_DIST_NOPS] = {
  "dist.all_reduce", "dist.broadcast", "dist.reduce", "dist.all_gather", "dist.gather",
  "dist.scatter", "dist.reduce_scatter", "dist.all_to_all", "dist.send", "dist.recv",
  "dist.barrier", "dist.finalize"
};

const char *lu_dist_opname(int op) {
  return op >= 0 && op < LU_DIST_NOPS ? opnames[op] : "?";
}
const char *lu_dist_redname(int red) {
  return red >= 0 && red < LU_DRED_N ? rednames[red] : "?";
}
int lu_dist_red_from_name(const char *s) {
  int i;
  for (i = 0; i < LU_DRED_N; i++)
    if (strcmp(s, rednames[i]) == 0) return i;
  return -1;
}
/* }===== */

/* {===== the group (one per process) */
enum { M_SELF, M_MPI, M_ENV };

typedef struct dist_group {
  int inited;
  int broken;                  /* a failed check or a timeout: no more calls */
  char why[300];
  int rank, size, local_rank, local_size;
  int method;
  int use_mpi, use_nccl;
  int mpi_done;                /* MPI was finalized: it cannot start again */
  const lu_mpi_fns *m;
  const lu_nccl_ops *nops;
  void *ncomm;
  int naborted;                /* a failed wait aborted the communicator */
  int ndev;                    /* the GPU of the NCCL communicator */
  double timeout;
  int check;
  lu_ctx *ctx;                 /* the context that made the group (a reference) */
} dist_group;

static dist_group G;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A short pause in a polling loop: spin at first (collectives of small
** arrays end within microseconds), then yield, then sleep, so that
** oversubscribed ranks leave the cores to the ones that compute (a 200 us
** sleep from the start made a 1 KiB all_reduce take 500 us, 45 us now). */
static void pause_poll(int *spins) {
  if (++*spins < 200) return;
  if (*spins < 20000) {
    sched_yield();
  } else {
    struct timespec t = {0, 100000};
    nanosleep(&t, NULL);
  }
}

static int env_int(const char *name, int dflt) {
  const char *s = getenv(name);
  char *end;
  long v;
  if (s == NULL || *s == '\0') return dflt;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || *end != '\0' || v < 0 || v > INT_MAX) return -2;
  return (int)v;
}

static int not_init(lu_ctx *ctx, const char *name) {
  return lu_seterr(ctx, LU_EARG, "%s: the process group is not initialised (call "
                   "dist.init first)", name);
}

static int check_usable(lu_ctx *ctx, const char *name) {
  if (!G.inited) return not_init(ctx, name);
  if (G.broken)
    return lu_seterr(ctx, LU_EBACKEND, "%s: the process group is broken by an earlier "
                     "error (%s); the script must end", name, G.why);
  return LU_OK;
}

/* mark the group broken with ctx's current message */
static int breaks(lu_ctx *ctx, int st) {
  if (st && !G.broken) {
    G.broken = 1;
    snprintf(G.why, sizeof G.why, "%s", lu_ctx_errmsg(ctx));
  }
  return st;
}
/* }===== */

/* {===== MPI calls and waits */
static int mpi_fail(lu_ctx *ctx, const char *name, const char *call, int code) {
  char buf[300];
  return lu_seterr(ctx, LU_EBACKEND, "%s: %s failed on rank %d: %s", name, call, G.rank,
                   lu_mpi_errstr(G.m, code, buf, sizeof buf));
}

static int timed_out(lu_ctx *ctx, const char *name) {
  return breaks(ctx, lu_seterr(ctx, LU_EBACKEND, "%s: rank %d timed out after %g s "
                "waiting for the other ranks (a rank that stopped, or never called "
                "%s; LUNAR_DIST_TIMEOUT or init{timeout=} sets the limit)", name,
                G.rank, G.timeout, name));
}

/* Wait for n MPI requests with the group's deadline. */
static int mpi_wait(lu_ctx *ctx, const char *name, lu_mpi_h *req, int n) {
  double end = now_s() + G.timeout;
  int spins = 0, k;
  for (k = 0; k < n; k++) {
    for (;;) {
      int flag = 0, e;
      if (req[k] == NULL) break;
      e = G.m->Test(&req[k], &flag, NULL);
      if (e) return breaks(ctx, mpi_fail(ctx, name, "MPI_Test", e));
      if (flag) { req[k] = NULL; break; }
      if (now_s() > end) return timed_out(ctx, name);
      pause_poll(&spins);
    }
  }
  return LU_OK;
}
/* }===== */

/* {===== the agreement check */
#define SIG_HEAD 9
#define SIGN (SIG_HEAD + LU_MAXDIM)
enum { S_OP, S_RED, S_ROOT, S_DEV, S_DT, S_NDIM, S_TAG, S_MAGIC, S_ERR };
#define SIG_MAGIC 0x6c64697374LL

static void make_sig(int64_t *s, const lu_dist_args *a, const lu_array *arr) {
  int d;
  memset(s, 0, SIGN * sizeof *s);
  s[S_OP] = a->op;
  s[S_RED] = (a->op == LU_DIST_ALL_REDUCE || a->op == LU_DIST_REDUCE ||
              a->op == LU_DIST_REDUCE_SCATTER) ? (int64_t)a->red : -1;
  s[S_ROOT] = (a->op == LU_DIST_BROADCAST || a->op == LU_DIST_REDUCE ||
               a->op == LU_DIST_GATHER || a->op == LU_DIST_SCATTER ||
               a->op == LU_DIST_SEND || a->op == LU_DIST_RECV) ? a->root : -1;
  s[S_DEV] = arr ? lu_array_device(arr).type : -1;
  s[S_DT] = arr ? (int64_t)arr->dtype : -1;
  s[S_NDIM] = arr ? arr->ndim : 0;
  s[S_TAG] = a->tag;
  s[S_MAGIC] = SIG_MAGIC;
  for (d = 0; arr && d < arr->ndim; d++) s[SIG_HEAD + d] = arr->shape[d];
}

/* "all_reduce(sum) of float32 (4,3) on cpu" */
static const char *describe(const int64_t *s, char *buf, size_t len) {
  char shp[160], tail[200] = "";
  int op = (int)s[S_OP];
  size_t k = 0;
  k += (size_t)snprintf(buf + k, len - k, "%s", lu_dist_opname(op));
  if (s[S_RED] >= 0) k += (size_t)snprintf(buf + k, len - k, "(%s)", lu_dist_redname((int)s[S_RED]));
  if (s[S_ROOT] >= 0 && k < len)
    k += (size_t)snprintf(buf + k, len - k, op == LU_DIST_SEND || op == LU_DIST_RECV ?
                          " with peer %lld" : " with root %lld", (long long)s[S_ROOT]);
  if (s[S_DT] >= 0 && s[S_DT] < LU_NDTYPES && s[S_NDIM] >= 0 && s[S_NDIM] <= LU_MAXDIM) {
    lu_shape_str((int)s[S_NDIM], s + SIG_HEAD, shp, sizeof shp);
    snprintf(tail, sizeof tail, " of %s %s on %s", lu_dtype_name((int)s[S_DT]), shp,
             s[S_DEV] == LU_DEV_CPU ? "cpu" : "cuda");
  } else if (op < LU_DIST_SEND) {
    snprintf(tail, sizeof tail, " with no array");
  }
  if (k < len) snprintf(buf + k, len - k, "%s", tail);
  return buf;
}

static int same_array(const int64_t *a, const int64_t *b, int skip_lead) {
  int d;
  if (a[S_DEV] != b[S_DEV] || a[S_DT] != b[S_DT]) return 0;
  if (a[S_NDIM] != b[S_NDIM] - skip_lead) return 0;
  for (d = 0; d < a[S_NDIM]; d++)
    if (a[SIG_HEAD + d] != b[SIG_HEAD + d + skip_lead]) return 0;
  return 1;
}

/* Does rank r's call (s) agree with the reference call (ref)? */
static int agrees(const int64_t *ref, const int64_t *s, int ref_is_root) {
  if (s[S_MAGIC] != SIG_MAGIC || s[S_OP] != ref[S_OP] || s[S_RED] != ref[S_RED] ||
      s[S_ROOT] != ref[S_ROOT])
    return 0;
  switch ((int)ref[S_OP]) {
    case LU_DIST_BARRIER: case LU_DIST_FINALIZE: return 1;
    case LU_DIST_SCATTER:   /* an array away from the root is the out= given */
      if (!ref_is_root || s[S_DT] < 0) return 1;
      return same_array(s, ref, 1);
    default:
      return same_array(s, ref, 0);
  }
}

static int nccl_allgather_sig(lu_ctx *ctx, const char *name, const int64_t *sig, int64_t *all);

/* All-gather the signatures into all[size*SIGN] and compare. */
static int agree(lu_ctx *ctx, const char *name, const int64_t *sig, int64_t *all) {
  int r, ref = 0;
  if (G.size == 1) {
    memcpy(all, sig, SIGN * sizeof *sig);
    return LU_OK;
  }
  if (G.use_mpi) {
    lu_mpi_h req = NULL;
    int e = G.m->Iallgather(sig, SIGN * 8, G.m->byte, all, SIGN * 8, G.m->byte,
                            G.m->comm_world, &req);
    if (e) return breaks(ctx, mpi_fail(ctx, name, "MPI_Iallgather", e));
    if (mpi_wait(ctx, name, &req, 1)) return ctx->err;
  } else {
    if (nccl_allgather_sig(ctx, name, sig, all)) return breaks(ctx, ctx->err);
  }
  if (sig[S_OP] == LU_DIST_SCATTER && sig[S_ROOT] >= 0 && sig[S_ROOT] < G.size)
    ref = (int)sig[S_ROOT];
  for (r = 0; r < G.size; r++) {
    const int64_t *s = all + (size_t)r * SIGN;
    if (s[S_ERR] && r != G.rank && !sig[S_ERR])
      return lu_seterr(ctx, LU_EARG, "%s: rank %d could not take part (its own message "
                       "says why)", name, r);
  }
  for (r = 0; r < G.size; r++) {
    const int64_t *s = all + (size_t)r * SIGN;
    if (r == ref) continue;
    if (!agrees(all + (size_t)ref * SIGN, s, 1)) {
      char d1[300], d2[300];
      const char *what = s[S_OP] == LU_DIST_FINALIZE || all[(size_t)ref * SIGN + S_OP] ==
                         LU_DIST_FINALIZE ? " (finalize: a rank ended, done or after an "
                         "error)" : "";
      /* every rank compares the same signatures: all raise this, and the
      ** group stays usable */
      return lu_seterr(ctx, LU_ESHAPE, "%s: the ranks disagree: rank %d called %s, rank %d "
                       "called %s%s", name, ref, describe(all + (size_t)ref * SIGN, d1, sizeof d1),
                       r, describe(s, d2, sizeof d2), what);
    }
  }
  return LU_OK;
}
/* }===== */

/* {===== NCCL glue */
static int nccl_wait(lu_ctx *ctx, const char *name, lu_event *ev) {
  const char *old = ctx->op;
  int st;
  ctx->op = name;
  st = G.nops->wait(ctx, G.ndev, G.ncomm, ev, G.timeout);
  ctx->op = old;
  if (st) {
    G.naborted = 1;
    return breaks(ctx, st);
  }
  return st;
}

static int nccl_run(lu_ctx *ctx, const char *name, const lu_nccl_call *c) {
  const char *old = ctx->op;
  int st;
  ctx->op = name;
  st = G.nops->call(ctx, G.ndev, G.ncomm, c);
  ctx->op = old;
  return st;
}

static lu_device gpu(void) {
  lu_device d;
  d.type = LU_DEV_CUDA;
  d.index = G.ndev;
  return d;
}

/* The agreement check through NCCL (a group without MPI): a small
** all-gather on the GPU, then the host waits for it under the deadline
** (which also waits for the collectives enqueued before). */
static int nccl_allgather_sig(lu_ctx *ctx, const char *name, const int64_t *sig, int64_t *all) {
  lu_array s, r;
  int64_t n = SIGN, nall = (int64_t)SIGN * G.size;
  lu_nccl_call c;
  int st;
  memset(&s, 0, sizeof s);
  memset(&r, 0, sizeof r);
  if ((st = lu_from_host(ctx, &s, LU_INT64, 1, &n, gpu(), sig))) return st;
  if ((st = lu_empty(ctx, &r, LU_INT64, 1, &nall, gpu()))) goto done;
  memset(&c, 0, sizeof c);
  c.op = LU_DIST_ALL_GATHER;
  c.dt = LU_INT64;
  c.send = lu_array_data(&s);
  c.recv = lu_array_data(&r);
  c.count = SIGN;
  c.rank = G.rank;
  c.size = G.size;
  if ((st = nccl_run(ctx, name, &c))) goto done;
  if ((st = nccl_wait(ctx, name, NULL))) goto done;
  st = lu_to_host(ctx, &r, all);
done:
  lu_array_release(&s);
  lu_array_release(&r);
  return st;
}
/* }===== */

/* {===== init and finalize */
static int bind_gpu(lu_ctx *ctx) {
  int n = lu_device_count(ctx, LU_DEV_CUDA);
  lu_device d;
  if (n <= 0) return 0;
  d.type = LU_DEV_CUDA;
  d.index = G.local_rank % n;
  lu_ctx_set_default_device(ctx, d);
  G.ndev = d.index;
  return 1;
}

#ifdef LUNAR_HAVE_CUDA
/* The file rendezvous of NCCL's id: rank 0 writes it (to a temporary
** name, then renamed, so a reader never sees half of it), the others
** wait for it under the deadline. */
static int store_id(lu_ctx *ctx, const char *path, unsigned char *id) {
  char tmp[4200];
  if (G.rank == 0) {
    FILE *f;
    snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
    f = fopen(tmp, "wb");
    if (f == NULL || fwrite(id, 1, LU_NCCL_ID_BYTES, f) != LU_NCCL_ID_BYTES) {
      if (f) fclose(f);
      return lu_seterr(ctx, LU_EARG, "dist.init: cannot write the rendezvous file %s: %s",
                       tmp, strerror(errno));
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0)
      return lu_seterr(ctx, LU_EARG, "dist.init: cannot write the rendezvous file %s: %s",
                       path, strerror(errno));
    return LU_OK;
  } else {
    double end = now_s() + G.timeout;
    int spins = 0;
    for (;;) {
      FILE *f = fopen(path, "rb");
      if (f) {
        size_t got = fread(id, 1, LU_NCCL_ID_BYTES, f);
        fclose(f);
        if (got == LU_NCCL_ID_BYTES) return LU_OK;
      }
      if (now_s() > end)
        return lu_seterr(ctx, LU_EBACKEND, "dist.init: rank %d timed out after %g s waiting "
                         "for rank 0 to write the rendezvous file %s", G.rank, G.timeout, path);
      pause_poll(&spins);
    }
  }
}

#endif

static int init_nccl(lu_ctx *ctx, const char *store) {
  unsigned char id[LU_NCCL_ID_BYTES];
  int version = 0, st;
#ifdef LUNAR_HAVE_CUDA
  G.nops = &lu_cuda_nccl_ops;
#else
  (void)store;
  (void)id;
  (void)version;
  (void)st;
  return lu_seterr(ctx, LU_EDEVICE, "dist.init: backend 'nccl' needs lunar built with "
                   "CUDA (this build has none)");
#endif
#ifdef LUNAR_HAVE_CUDA
  if ((st = G.nops->load(ctx, &version))) return st;
  memset(id, 0, sizeof id);
  if (G.size > 1) {
    if (G.rank == 0 && (st = G.nops->unique_id(ctx, id))) return st;
    if (G.use_mpi) {
      int e = G.m->Bcast(id, LU_NCCL_ID_BYTES, G.m->byte, 0, G.m->comm_world);
      if (e) return mpi_fail(ctx, "dist.init", "MPI_Bcast", e);
    } else {
      if (store == NULL || *store == '\0')
        return lu_seterr(ctx, LU_EARG, "dist.init: NCCL needs a rendezvous: method "
                         "'file://PATH', or LUNAR_DIST_FILE (set by `lunar -n`)");
      if ((st = store_id(ctx, store, id))) return st;
    }
  } else if ((st = G.nops->unique_id(ctx, id))) {
    return st;
  }
  ctx->op = "dist.init";
  st = G.nops->comm_init(ctx, G.ndev, G.size, id, G.rank, &G.ncomm);
  ctx->op = NULL;
  if (st) return st;
  G.use_nccl = 1;
  return LU_OK;
#endif
}

int lu_dist_is_init(void) { return G.inited; }

const char *lu_dist_backend_name(void) {
  if (!G.inited) return "none";
  if (G.use_nccl && G.use_mpi) return "nccl+mpi";
  if (G.use_nccl) return "nccl";
  if (G.use_mpi) return "mpi";
  return "self";
}

int lu_dist_init(lu_ctx *ctx, const lu_dist_opts *o) {
  const char *backend = o->backend ? o->backend : "auto";
  const char *method = o->method;
  const char *store = NULL;
  int want_nccl, want_mpi, ngpu, st;
  if (G.inited)
    return lu_seterr(ctx, LU_EARG, "dist.init: the process group is already initialised "
                     "(dist.finalize ends it)");
  if (strcmp(backend, "auto") && strcmp(backend, "nccl") && strcmp(backend, "mpi"))
    return lu_seterr(ctx, LU_EARG, "dist.init: backend must be 'auto', 'nccl' or 'mpi', "
                     "got '%s'", backend);
  {
    int done = G.mpi_done;
    memset(&G, 0, sizeof G);
    G.mpi_done = done;
  }
  G.timeout = o->timeout;
  if (G.timeout <= 0) {
    const char *t = getenv("LUNAR_DIST_TIMEOUT");
    G.timeout = t && *t ? atof(t) : 600;
    if (!(G.timeout > 0)) G.timeout = 600;
  }
  G.check = o->check;
  if (method == NULL) {
    if (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK")) method = "mpi";
    else if (getenv("LUNAR_WORLD_SIZE")) method = "env";
    else method = "self";
  }
  if (strcmp(method, "mpi") == 0) {
    G.method = M_MPI;
  } else if (strcmp(method, "env") == 0 || strncmp(method, "file://", 7) == 0) {
    G.method = M_ENV;
    store = strcmp(method, "env") == 0 ? getenv("LUNAR_DIST_FILE") : method + 7;
  } else if (strcmp(method, "self") == 0) {
    G.method = M_SELF;
  } else {
    return lu_seterr(ctx, LU_EARG, "dist.init: method must be 'mpi', 'env' or "
                     "'file://PATH', got '%s'", method);
  }
  G.size = 1;
  if (G.method == M_MPI) {
    int flag = 0, e;
    if (G.mpi_done)
      return lu_seterr(ctx, LU_EARG, "dist.init: MPI cannot start again in a process "
                       "after dist.finalize");
    if ((G.m = lu_mpi_load(ctx)) == NULL) {
      char why[LU_ERRLEN];
      snprintf(why, sizeof why, "%s", lu_ctx_errmsg(ctx));
      return lu_seterr(ctx, LU_EBACKEND, "dist.init: %s", why);
    }
    G.m->Initialized(&flag);
    if (!flag && (e = G.m->Init(NULL, NULL)))
      return lu_seterr(ctx, LU_EBACKEND, "dist.init: MPI_Init failed (code %d)", e);
    G.m->Comm_set_errhandler(G.m->comm_world, G.m->errors_return);
    G.m->Comm_rank(G.m->comm_world, &G.rank);
    G.m->Comm_size(G.m->comm_world, &G.size);
    G.local_rank = env_int("OMPI_COMM_WORLD_LOCAL_RANK", G.rank);
    G.local_size = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", G.size);
    if (G.local_rank < 0 || G.local_size < 0)   /* -2: set but not a count */
      return lu_seterr(ctx, LU_EARG, "dist.init: OMPI_COMM_WORLD_LOCAL_RANK and "
                       "OMPI_COMM_WORLD_LOCAL_SIZE must be numbers 0 or more (got '%s' and '%s')",
                       getenv("OMPI_COMM_WORLD_LOCAL_RANK") ? getenv("OMPI_COMM_WORLD_LOCAL_RANK") : "",
                       getenv("OMPI_COMM_WORLD_LOCAL_SIZE") ? getenv("OMPI_COMM_WORLD_LOCAL_SIZE") : "");
    G.use_mpi = 1;
  } else if (G.method == M_ENV) {
    G.rank = env_int("LUNAR_RANK", -1);
    G.size = env_int("LUNAR_WORLD_SIZE", -1);
    G.local_rank = env_int("LUNAR_LOCAL_RANK", G.rank);
    G.local_size = env_int("LUNAR_LOCAL_WORLD_SIZE", G.size);
    if (G.rank < 0 || G.size < 1 || G.rank >= G.size || G.local_rank < 0)
      return lu_seterr(ctx, LU_EARG, "dist.init: method '%s' needs LUNAR_RANK (0 .. size-1) "
                       "and LUNAR_WORLD_SIZE in the environment (`lunar -n N script.lua` "
                       "sets them)", method);
  } else {
    G.rank = 0;
    G.local_rank = 0;
    G.local_size = 1;
  }
  if (G.local_size < 1) G.local_size = 1;
  /* a group of one keeps its default device (LUNAR_DEVICE, set_device) */
  ngpu = G.size > 1 ? bind_gpu(ctx) : lu_device_count(ctx, LU_DEV_CUDA) > 0;
  want_nccl = strcmp(backend, "nccl") == 0 || (strcmp(backend, "auto") == 0 && ngpu);
  want_mpi = strcmp(backend, "mpi") == 0;
#ifdef LUNAR_HAVE_CUDA
  /* "auto" under mpirun does without NCCL when it cannot be loaded: CPU
  ** arrays still work, and a GPU collective says why it cannot */
  if (want_nccl && G.use_mpi && G.size > 1 && strcmp(backend, "auto") == 0 &&
      lu_cuda_nccl_ops.load(ctx, NULL) != LU_OK) {
    snprintf(G.why, sizeof G.why, "%s", lu_ctx_errmsg(ctx));
    want_nccl = 0;
  }
#endif
  if (want_nccl && !ngpu) {
    st = lu_seterr(ctx, LU_EDEVICE, "dist.init: backend 'nccl' needs a GPU (no CUDA "
                   "device works here)");
    goto fail;
  }
  if (want_mpi && !G.use_mpi && G.size > 1) {
    st = lu_seterr(ctx, LU_EARG, "dist.init: backend 'mpi' needs processes started by "
                   "mpirun (`mpirun -n N lunar script.lua`); `lunar -n` starts them without "
                   "MPI, for GPU arrays through NCCL");
    goto fail;
  }
  if (!want_nccl && !G.use_mpi && G.size > 1) {
    st = lu_seterr(ctx, LU_EARG, "dist.init: CPU arrays between processes need MPI: start "
                   "the script with `mpirun -n %d lunar script.lua` (Debian: openmpi-bin); "
                   "`lunar -n` starts processes for GPUs (NCCL) only", G.size);
    goto fail;
  }
  if (want_nccl && G.size > 1 && (st = init_nccl(ctx, store))) {
    if (G.use_mpi) {
      /* the other ranks may be waiting in NCCL's init: end the job */
      fprintf(stderr, "lunar: rank %d: %s\n", G.rank, lu_ctx_errmsg(ctx));
      G.m->Abort(G.m->comm_world, 1);
    }
    goto fail;
  }
  G.inited = 1;
  G.ctx = ctx;
  lu_ctx_ref(ctx);
  return LU_OK;
fail:
  /* a mistake every rank makes alike: MPI stays initialised for a retry */
  return st;
}

int lu_dist_info(lu_ctx *ctx, const char *name, int *rank, int *size, int *local_rank,
                 int *local_size) {
  if (!G.inited) return not_init(ctx, name);
  if (rank) *rank = G.rank;
  if (size) *size = G.size;
  if (local_rank) *local_rank = G.local_rank;
  if (local_size) *local_size = G.local_size;
  return LU_OK;
}

static int group_call(lu_ctx *ctx, lu_dist_op op) {
  int64_t sig[SIGN], *all;
  lu_dist_args a;
  int st;
  memset(&a, 0, sizeof a);
  a.op = op;
  make_sig(sig, &a, NULL);
  all = (int64_t *)lu_malloc((size_t)G.size * SIGN * sizeof *all);
  if (all == NULL) return lu_seterr(ctx, LU_EMEM, "dist.%s: out of memory", lu_dist_opname(op));
  st = agree(ctx, fnames[op], sig, all);
  free(all);
  return st;
}

int lu_dist_barrier(lu_ctx *ctx) {
  int st = check_usable(ctx, "dist.barrier");
  return st ? st : group_call(ctx, LU_DIST_BARRIER);
}

static void leave(lu_ctx *ctx, int clean) {
  if (G.use_nccl && !G.naborted) G.nops->comm_destroy(ctx, G.ndev, G.ncomm, !clean);
  if (G.use_mpi && clean) G.m->Finalize();
  {
    int done = G.mpi_done || (G.use_mpi && clean);
    lu_ctx *c = G.ctx;
    memset(&G, 0, sizeof G);
    G.mpi_done = done;
    if (c) lu_ctx_unref(c);
  }
}

int lu_dist_finalize(lu_ctx *ctx) {
  int st = check_usable(ctx, "dist.finalize");
  if (st) return st;
  if ((st = group_call(ctx, LU_DIST_FINALIZE))) return st;
  leave(ctx, 1);
  return LU_OK;
}

void lu_dist_atexit(lu_ctx *ctx) {
  if (!G.inited || G.ctx != ctx) return;
  if (!G.broken && group_call(ctx, LU_DIST_FINALIZE) == LU_OK) {
    leave(ctx, 1);
  } else if (G.use_mpi) {
    /* the others are told by mpirun, which ends the job */
    G.inited = 0;
  } else {
    leave(ctx, 0);
  }
}
/* }===== */

/* {===== requests */
enum { K_DONE, K_MPI, K_NCCL };

struct lu_dist_req {
  lu_dist_op op;
  const char *name;
  int kind;
  lu_mpi_h mreq[2];
  lu_event *ev;
  lu_array send;      /* the contiguous input handed to the library */
  lu_array work;      /* the contiguous result the library writes */
  lu_array dest;      /* the user's array to copy the result to (buf NULL: none) */
  int has_result;
  int avg;            /* divide by size when done */
  int finished;
  int64_t hdr[SIGN];  /* recv: the sender's header */
  int recv_late;      /* recv: the data receive is posted when the header is in */
  int peer, tag;
  lu_device dev;
};

static void req_release(lu_dist_req *r) {
  lu_array_release(&r->send);
  lu_array_release(&r->work);
  lu_array_release(&r->dest);
}

void lu_dist_req_free(lu_ctx *ctx, lu_dist_req *r) {
  if (r == NULL) return;
  if (!r->finished) {
    lu_array res;
    int has;
    memset(&res, 0, sizeof res);
    if (lu_dist_wait(ctx, r, &res, &has) == LU_OK && has) lu_array_release(&res);
  }
  if (r->ev) lu_event_destroy(ctx, r->dev, r->ev);
  req_release(r);
  free(r);
}

/* out= must be what the result is: same device, dtype and shape */
static int check_out(lu_ctx *ctx, const char *name, const lu_array *out, lu_dtype dt,
                     int ndim, const int64_t *shape, lu_device dev) {
  char s1[160], s2[160], d1[16], d2[16];
  int d, same = out->ndim == ndim;
  for (d = 0; same && d < ndim; d++) same = out->shape[d] == shape[d];
  if (!lu_device_eq(lu_array_device(out), dev))
    return lu_seterr(ctx, LU_EDEVICE, "%s: out is on %s but the array is on %s", name,
                     lu_device_str(lu_array_device(out), d1), lu_device_str(dev, d2));
  if (out->dtype != dt)
    return lu_seterr(ctx, LU_ETYPE, "%s: out has dtype %s but the result is %s", name,
                     lu_dtype_name(out->dtype), lu_dtype_name(dt));
  if (!same)
    return lu_seterr(ctx, LU_ESHAPE, "%s: out has shape %s but the result has shape %s", name,
                     lu_shape_str(out->ndim, out->shape, s1, sizeof s1),
                     lu_shape_str(ndim, shape, s2, sizeof s2));
  return LU_OK;
}

/* Can this group reduce dtype dt by red on the array's device? */
static int check_red(lu_ctx *ctx, const char *name, lu_dtype dt, lu_dist_red red, int on_gpu) {
  char k = lu_dtype_kind(dt);
  if (red == LU_DRED_AVG && k != 'f' && k != 'c')
    return lu_seterr(ctx, LU_ETYPE, "%s: avg needs a float or complex dtype, got %s (use "
                     "sum)", name, lu_dtype_name(dt));
  if (k == 'c' && (red == LU_DRED_MIN || red == LU_DRED_MAX || red == LU_DRED_PROD) &&
      (on_gpu || red != LU_DRED_PROD))
    return lu_seterr(ctx, LU_ETYPE, "%s: %s of %s is not supported by %s", name,
                     lu_dist_redname(red), lu_dtype_name(dt), on_gpu ? "NCCL" : "MPI");
  if (G.size == 1) return LU_OK;
  if (on_gpu) {
    if (G.nops && !G.nops->supports(dt, red))
      return lu_seterr(ctx, LU_ETYPE, "%s: NCCL cannot reduce %s arrays by %s (cast them, "
                       "e.g. to float32 or int32)", name, lu_dtype_name(dt), lu_dist_redname(red));
  } else if (G.m && G.m->rtype[dt] == NULL) {
    return lu_seterr(ctx, LU_ETYPE, "%s: MPI cannot reduce %s arrays (cast them to "
                     "float32)", name, lu_dtype_name(dt));
  }
  return LU_OK;
}

static int count_ok(lu_ctx *ctx, const char *name, int64_t n, int on_gpu) {
  if (!on_gpu && n > INT_MAX)
    return lu_seterr(ctx, LU_EARG, "%s: %lld elements are more than one MPI call moves "
                     "(2^31-1)", name, (long long)n);
  return LU_OK;
}

/* the result as a copy of in (or in itself, contiguous, in place); out=
** with both contiguous is the library's out-of-place form, no copy (but
** MPI's broadcast works in place only) */
static int work_from(lu_ctx *ctx, lu_dist_req *r, const lu_dist_args *a) {
  int st;
  if (a->inplace && lu_array_is_contig(a->in)) {
    lu_array_share(&r->work, a->in);
    return LU_OK;
  }
  if (!a->inplace && a->out && a->out->buf && lu_array_is_contig(a->out) &&
      lu_array_is_contig(a->in) && a->out->buf != a->in->buf &&
      (a->op != LU_DIST_BROADCAST || lu_array_device(a->in).type != LU_DEV_CPU) &&
      G.size > 1) {
    lu_array_share(&r->send, a->in);
    lu_array_share(&r->work, a->out);
    return LU_OK;
  }
  if (a->inplace) lu_array_share(&r->dest, a->in);
  else if (a->out && a->out->buf) lu_array_share(&r->dest, a->out);
  if (a->out && a->out->buf && !a->inplace && lu_array_is_contig(a->out)) {
    lu_array_share(&r->work, a->out);
    lu_array_release(&r->dest);
    return lu_put(ctx, r->name, &r->work, a->in);
  }
  st = lu_copy(ctx, &r->work, a->in);
  return st;
}

/* a new result of the given shape (or out, when given and contiguous) */
static int work_new(lu_ctx *ctx, lu_dist_req *r, const lu_dist_args *a, lu_dtype dt, int ndim,
                    const int64_t *shape, lu_device dev) {
  int st;
  if (a->out && a->out->buf) {
    if ((st = check_out(ctx, r->name, a->out, dt, ndim, shape, dev))) return st;
    if (lu_array_is_contig(a->out)) {
      lu_array_share(&r->work, a->out);
      return LU_OK;
    }
    lu_array_share(&r->dest, a->out);
  }
  return lu_empty(ctx, &r->work, dt, ndim, shape, dev);
}

/* the end of a call: avg's division, the copy to out */
static int finish(lu_ctx *ctx, lu_dist_req *r) {
  int st;
  r->finished = 1;
  if (!r->has_result) return LU_OK;
  if (r->avg && G.size > 1) {
    lu_arg args[2];
    args[0] = lu_arg_array(&r->work);
    args[1] = lu_arg_int(G.size);
    if ((st = lu_ewise(ctx, LU_OP_divide, 2, args, &r->work))) return st;
  }
  if (r->dest.buf && (st = lu_put(ctx, r->name, &r->dest, &r->work))) return st;
  return LU_OK;
}
/* }===== */

/* {===== one call */
static int post_mpi(lu_ctx *ctx, lu_dist_req *r, const lu_dist_args *a, int64_t n) {
  const lu_mpi_fns *m = G.m;
  lu_mpi_h w = m->comm_world;
  lu_dtype dt = r->work.buf ? r->work.dtype : r->send.dtype;
  lu_mpi_h T = m->type[dt], RT = m->rtype[dt], op = m->op[a->red];
  void *sp = r->send.buf ? lu_array_data(&r->send) : NULL;
  void *wp = r->work.buf ? lu_array_data(&r->work) : NULL;
  int c = (int)n, e = 0;
  const char *call = "";
  if (dt == LU_BOOL) op = (a->red == LU_DRED_SUM || a->red == LU_DRED_MAX) ? m->op_lor : m->op_land;
  r->kind = K_MPI;
  switch (a->op) {
    case LU_DIST_ALL_REDUCE:
      call = "MPI_Iallreduce";
      e = m->Iallreduce(sp ? sp : (void *)1, wp, c, RT, op, w, &r->mreq[0]);
      break;
    case LU_DIST_BROADCAST:
      call = "MPI_Ibcast";
      e = m->Ibcast(wp, c, T, a->root, w, &r->mreq[0]);
      break;
    case LU_DIST_REDUCE:
      call = "MPI_Ireduce";
      if (G.rank == a->root)
        e = m->Ireduce(sp ? sp : (void *)1, wp, c, RT, op, a->root, w, &r->mreq[0]);
      else
        e = m->Ireduce(sp ? sp : wp, NULL, c, RT, op, a->root, w, &r->mreq[0]);
      break;
    case LU_DIST_ALL_GATHER:
      call = "MPI_Iallgather";
      e = m->Iallgather(sp, c, T, wp, c, T, w, &r->mreq[0]);
      break;
    case LU_DIST_GATHER:
      call = "MPI_Igather";
      e = m->Igather(sp, c, T, wp, c, T, a->root, w, &r->mreq[0]);
      break;
    case LU_DIST_SCATTER:
      call = "MPI_Iscatter";
      e = m->Iscatter(sp, c, T, wp, c, T, a->root, w, &r->mreq[0]);
      break;
    case LU_DIST_REDUCE_SCATTER:
      call = "MPI_Ireduce_scatter_block";
      e = m->Ireduce_scatter_block(sp, wp, c, RT, op, w, &r->mreq[0]);
      break;
    case LU_DIST_ALL_TO_ALL:
      call = "MPI_Ialltoall";
      e = m->Ialltoall(sp, c, T, wp, c, T, w, &r->mreq[0]);
      break;
    case LU_DIST_SEND:
      call = "MPI_Isend";
      e = m->Isend(r->hdr, SIGN * 8, m->byte, a->root, 2 * a->tag, w, &r->mreq[0]);
      if (!e && c > 0) e = m->Isend(sp, c, T, a->root, 2 * a->tag + 1, w, &r->mreq[1]);
      break;
    default:
      break;
  }
  if (e) return breaks(ctx, mpi_fail(ctx, r->name, call, e));
  return LU_OK;
}

static int post_nccl(lu_ctx *ctx, lu_dist_req *r, const lu_dist_args *a, int64_t n) {
  lu_nccl_call c;
  int st;
  memset(&c, 0, sizeof c);
  c.op = a->op;
  c.red = a->red;
  c.dt = r->work.buf ? r->work.dtype : r->send.dtype;
  c.send = r->send.buf ? lu_array_data(&r->send) : lu_array_data(&r->work);
  c.recv = r->work.buf ? lu_array_data(&r->work) : NULL;
  c.count = (size_t)n;
  c.peer = a->root;
  c.rank = G.rank;
  c.size = G.size;
  r->kind = K_NCCL;
  if (a->op == LU_DIST_SEND) {
    lu_array h;
    int64_t k = SIGN;
    lu_nccl_call hc = c;
    memset(&h, 0, sizeof h);
    if ((st = lu_from_host(ctx, &h, LU_INT64, 1, &k, gpu(), r->hdr))) return st;
    hc.dt = LU_INT64;
    hc.send = lu_array_data(&h);
    hc.count = SIGN;
    st = nccl_run(ctx, r->name, &hc);
    lu_array_release(&h);   /* stream-ordered: freed after the send */
    if (st) return st;
    if (n == 0) return LU_OK;
  }
  return nccl_run(ctx, r->name, &c);
}

/* The receive side of send: the header first, then the data. */
static int recv_header(lu_ctx *ctx, lu_dist_req *r) {
  if (r->dev.type == LU_DEV_CPU) {
    int e = G.m->Irecv(r->hdr, SIGN * 8, G.m->byte, r->peer, 2 * r->tag, G.m->comm_world,
                       &r->mreq[0]);
    if (e) return breaks(ctx, mpi_fail(ctx, r->name, "MPI_Irecv", e));
    return mpi_wait(ctx, r->name, &r->mreq[0], 1);
  } else {
    lu_array h;
    int64_t k = SIGN;
    lu_nccl_call c;
    int st;
    memset(&h, 0, sizeof h);
    if ((st = lu_empty(ctx, &h, LU_INT64, 1, &k, gpu()))) return st;
    memset(&c, 0, sizeof c);
    c.op = LU_DIST_RECV;
    c.dt = LU_INT64;
    c.recv = lu_array_data(&h);
    c.count = SIGN;
    c.peer = r->peer;
    c.rank = G.rank;
    c.size = G.size;
    if (!(st = nccl_run(ctx, r->name, &c)) && !(st = nccl_wait(ctx, r->name, NULL)))
      st = lu_to_host(ctx, &h, r->hdr);
    lu_array_release(&h);
    return st;
  }
}

static int recv_data(lu_ctx *ctx, lu_dist_req *r, const lu_dist_args *a, int post) {
  const int64_t *s = r->hdr;
  char d1[300], s2[160];
  int64_t n;
  int st;
  if (s[S_MAGIC] != SIG_MAGIC || s[S_OP] != LU_DIST_SEND)
    return breaks(ctx, lu_seterr(ctx, LU_EARG, "%s: rank %d received a message from rank %d "
                  "that is not a lunar.dist send", r->name, G.rank, r->peer));
  if (s[S_DEV] != r->dev.type || s[S_DT] < 0 || s[S_DT] >= LU_NDTYPES || s[S_NDIM] < 0 ||
      s[S_NDIM] > LU_MAXDIM)
    return breaks(ctx, lu_seterr(ctx, LU_EARG, "%s: rank %d sent %s to rank %d, which "
                  "receives on %s", r->name, r->peer, describe(s, d1, sizeof d1), G.rank,
                  r->dev.type == LU_DEV_CPU ? "cpu" : "cuda"));
  if (a && a->out && a->out->buf) {
    if (a->out->dtype != (lu_dtype)s[S_DT] || a->out->ndim != s[S_NDIM] ||
        memcmp(a->out->shape, s + SIG_HEAD, (size_t)s[S_NDIM] * sizeof *s) != 0) {
      char msg[LU_ERRLEN];
      snprintf(msg, sizeof msg, "%s: rank %d sent %s but the array to receive into on "
               "rank %d is %s %s", r->name, r->peer, describe(s, d1, sizeof d1), G.rank,
               lu_dtype_name(a->out->dtype),
               lu_shape_str(a->out->ndim, a->out->shape, s2, sizeof s2));
      if (!post) return breaks(ctx, lu_seterr(ctx, LU_ESHAPE, "%s", msg));
      /* receive the data anyway (and drop it), so that the next message
      ** between the two ranks is not this one's */
      lu_array_release(&r->work);
      lu_array_release(&r->dest);
      if (recv_data(ctx, r, NULL, 1) == LU_OK && r->kind == K_MPI)
        (void)mpi_wait(ctx, r->name, r->mreq, 2);
      else if (r->kind == K_NCCL)
        (void)nccl_wait(ctx, r->name, NULL);
      lu_array_release(&r->work);
      r->kind = K_DONE;
      return lu_seterr(ctx, LU_ESHAPE, "%s", msg);
    }
  }
  if (!post) return LU_OK;
  if (r->work.buf == NULL &&
      (st = lu_empty(ctx, &r->work, (lu_dtype)s[S_DT], (int)s[S_NDIM], s + SIG_HEAD, r->dev)))
    return st;
  n = r->work.size;
  if (n == 0) return LU_OK;
  if (r->dev.type == LU_DEV_CPU) {
    int e;
    if ((st = count_ok(ctx, r->name, n, 0))) return st;
    r->kind = K_MPI;
    e = G.m->Irecv(lu_array_data(&r->work), (int)n, G.m->type[r->work.dtype], r->peer,
                   2 * r->tag + 1, G.m->comm_world, &r->mreq[1]);
    if (e) return breaks(ctx, mpi_fail(ctx, r->name, "MPI_Irecv", e));
  } else {
    lu_nccl_call c;
    memset(&c, 0, sizeof c);
    c.op = LU_DIST_RECV;
    c.dt = r->work.dtype;
    c.recv = lu_array_data(&r->work);
    c.count = (size_t)n;
    c.peer = r->peer;
    c.rank = G.rank;
    c.size = G.size;
    r->kind = K_NCCL;
    if ((st = nccl_run(ctx, r->name, &c))) return st;
  }
  return LU_OK;
}

/* A borrowed C-order view of the contiguous array a with another shape of
** as many elements. */
static lu_array as_shape(const lu_array *a, int ndim, const int64_t *shape) {
  lu_array v = *a;
  int64_t st = lu_dtype_size(a->dtype);
  int d;
  v.ndim = ndim;
  for (d = ndim - 1; d >= 0; d--) {
    v.shape[d] = shape[d];
    v.strides[d] = st;
    st *= shape[d];
  }
  lu_array_update(&v);
  return v;
}

/* Local copies for a group of one process: the result is the input (one
** part per rank, and one rank). */
static int run_self(lu_ctx *ctx, lu_dist_req *r) {
  r->kind = K_DONE;
  if (r->send.buf && r->work.buf) {
    lu_array src = as_shape(&r->send, r->work.ndim, r->work.shape);
    return lu_put(ctx, r->name, &r->work, &src);
  }
  return LU_OK;
}

/* What one rank can check alone before the agreement check: out=. */
static int check_local(lu_ctx *ctx, const char *name, const lu_dist_args *a,
                       const lu_array *arr) {
  int64_t shape[LU_MAXDIM];
  int ndim;
  const lu_array *o = a->out && a->out->buf ? a->out : NULL;
  if (o == NULL || a->in == NULL) return LU_OK;
  if (a->inplace) return lu_seterr(ctx, LU_EARG, "%s: out and inplace cannot both be given", name);
  switch (a->op) {
    case LU_DIST_ALL_REDUCE: case LU_DIST_BROADCAST: case LU_DIST_REDUCE:
      ndim = arr->ndim;
      memcpy(shape, arr->shape, sizeof shape);
      break;
    case LU_DIST_ALL_GATHER: case LU_DIST_GATHER:
      if (arr->ndim + 1 > LU_MAXDIM) return LU_OK;
      ndim = arr->ndim + 1;
      shape[0] = G.size;
      memcpy(shape + 1, arr->shape, (size_t)arr->ndim * sizeof *shape);
      break;
    case LU_DIST_REDUCE_SCATTER:
      if (arr->ndim < 1) return LU_OK;
      ndim = arr->ndim - 1;
      memcpy(shape, arr->shape + 1, (size_t)ndim * sizeof *shape);
      break;
    case LU_DIST_ALL_TO_ALL:
      ndim = arr->ndim;
      memcpy(shape, arr->shape, sizeof shape);
      break;
    default:
      return LU_OK;
  }
  return check_out(ctx, name, o, arr->dtype, ndim, shape, lu_array_device(arr));
}

int lu_dist_call(lu_ctx *ctx, const lu_dist_args *a, lu_dist_req **out) {
  const char *name = a->op >= 0 && a->op < LU_DIST_NOPS ? fnames[a->op] : "dist";
  lu_dist_req *r;
  int64_t sig[SIGN], *all = NULL, n = 0;
  const lu_array *arr = a->in ? a->in : (a->out && a->out->buf ? a->out : NULL);
  lu_device dev;
  int st, on_gpu, need_check, reducing;
  *out = NULL;
  if ((st = check_usable(ctx, name))) return st;
  if (arr == NULL && a->op != LU_DIST_SCATTER && a->op != LU_DIST_RECV)
    return lu_seterr(ctx, LU_EARG, "%s: an array is needed", name);
  if ((a->op == LU_DIST_SEND || a->op == LU_DIST_RECV) && (a->root == G.rank))
    return lu_seterr(ctx, LU_EARG, "%s: peer %d is this rank", name, a->root);
  if (a->root < 0 || a->root >= G.size)
    return lu_seterr(ctx, LU_EARG, "%s: %s %d is not a rank (0 .. %d)", name,
                     a->op == LU_DIST_SEND || a->op == LU_DIST_RECV ? "peer" : "root",
                     a->root, G.size - 1);
  r = (lu_dist_req *)lu_calloc(1, sizeof *r);
  if (r == NULL) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  r->op = a->op;
  r->name = name;
  r->peer = a->root;
  r->tag = a->tag;
  all = (int64_t *)lu_malloc((size_t)G.size * SIGN * sizeof *all);
  if (all == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); goto fail; }
  /* the agreement check: first, so that every later error is every rank's */
  make_sig(sig, a, arr);
  need_check = a->op != LU_DIST_SEND && a->op != LU_DIST_RECV &&
               (G.check || a->op == LU_DIST_SCATTER);
  /* a mistake of this rank alone (out=) is told to the others through
  ** the check, so that every rank raises */
  if ((st = check_local(ctx, name, a, arr))) {
    if (need_check && G.size > 1) {
      char msg[LU_ERRLEN];
      snprintf(msg, sizeof msg, "%s", lu_ctx_errmsg(ctx));
      sig[S_ERR] = 1;
      (void)agree(ctx, name, sig, all);   /* its result is known: this rank fails */
      lu_seterr(ctx, (lu_status)st, "%s", msg);
    }
    goto fail;
  }
  if (need_check && (st = agree(ctx, name, sig, all))) goto fail;
  if (a->op == LU_DIST_SCATTER) {
    /* the root's call tells the others the dtype and shape */
    const int64_t *rs = all + (size_t)a->root * SIGN;
    if (rs[S_DT] < 0)
      { st = lu_seterr(ctx, LU_EARG, "dist.scatter: the root (rank %d) gave no array", a->root); goto fail; }
    if (rs[S_NDIM] < 1 || rs[SIG_HEAD] != G.size) {
      char s1[160];
      st = lu_seterr(ctx, LU_ESHAPE, "dist.scatter: the root's array must have a first axis of "
                     "length size() = %d, got shape %s", G.size,
                     lu_shape_str((int)rs[S_NDIM], rs + SIG_HEAD, s1, sizeof s1));
      goto fail;
    }
    dev.type = (int)rs[S_DEV];
    dev.index = dev.type == LU_DEV_CUDA ? G.ndev : 0;
    if (arr) dev = lu_array_device(arr);
    if ((st = work_new(ctx, r, a, (lu_dtype)rs[S_DT], (int)rs[S_NDIM] - 1, rs + SIG_HEAD + 1,
                       dev))) goto fail;
    if (G.rank == a->root && (st = lu_ascontig(ctx, &r->send, a->in))) goto fail;
    n = r->work.size;
  } else if (a->op == LU_DIST_RECV) {
    dev = arr ? lu_array_device(arr) : lu_ctx_default_device(ctx);
  } else {
    dev = lu_array_device(arr);
  }
  r->dev = dev;
  on_gpu = dev.type != LU_DEV_CPU;
  /* which library carries it */
  if (G.size > 1) {
    if (on_gpu && !G.use_nccl) {
      st = lu_seterr(ctx, LU_EDEVICE, "%s: GPU arrays need the nccl backend (this group "
                     "has %s%s%s)", name, lu_dist_backend_name(), G.why[0] ? ": " : "", G.why);
      goto fail;
    }
    if (on_gpu && dev.index != G.ndev) {
      char d1[16], d2[16];
      st = lu_seterr(ctx, LU_EDEVICE, "%s: the array is on %s but this rank's NCCL "
                     "communicator is on %s", name, lu_device_str(dev, d1), lu_device_str(gpu(), d2));
      goto fail;
    }
    if (!on_gpu && !G.use_mpi) {
      st = lu_seterr(ctx, LU_EDEVICE, "%s: CPU arrays between processes need MPI (`mpirun -n "
                     "%d lunar script.lua`); this group has NCCL only", name, G.size);
      goto fail;
    }
  }
  reducing = a->op == LU_DIST_ALL_REDUCE || a->op == LU_DIST_REDUCE ||
             a->op == LU_DIST_REDUCE_SCATTER;
  if (reducing && (st = check_red(ctx, name, arr->dtype, a->red, on_gpu))) goto fail;
  r->avg = reducing && a->red == LU_DRED_AVG && (!on_gpu || G.size == 1);
  if (a->op == LU_DIST_REDUCE_SCATTER || a->op == LU_DIST_ALL_TO_ALL) {
    if (arr->ndim < 1 || arr->shape[0] != G.size) {
      char s1[160];
      st = lu_seterr(ctx, LU_ESHAPE, "%s: the array must have a first axis of length size() "
                     "= %d, got shape %s", name, G.size,
                     lu_shape_str(arr->ndim, arr->shape, s1, sizeof s1));
      goto fail;
    }
  }
  r->has_result = 1;
  switch (a->op) {
    case LU_DIST_ALL_REDUCE: case LU_DIST_BROADCAST: case LU_DIST_REDUCE:
      if (a->out && a->out->buf &&
          (st = check_out(ctx, name, a->out, arr->dtype, arr->ndim, arr->shape, dev))) goto fail;
      if ((st = work_from(ctx, r, a))) goto fail;
      n = r->work.size;
      if (a->op == LU_DIST_REDUCE && G.rank != a->root) {
        r->has_result = 0;
        lu_array_release(&r->dest);
      }
      break;
    case LU_DIST_ALL_GATHER: case LU_DIST_GATHER: {
      int64_t shape[LU_MAXDIM];
      if (arr->ndim + 1 > LU_MAXDIM) {
        st = lu_seterr(ctx, LU_ESHAPE, "%s: the result would have more than %d dimensions",
                       name, LU_MAXDIM);
        goto fail;
      }
      if ((st = lu_ascontig(ctx, &r->send, a->in))) goto fail;
      n = r->send.size;
      shape[0] = G.size;
      memcpy(shape + 1, arr->shape, (size_t)arr->ndim * sizeof *shape);
      if (a->op == LU_DIST_GATHER && G.rank != a->root) { r->has_result = 0; break; }
      if ((st = work_new(ctx, r, a, arr->dtype, arr->ndim + 1, shape, dev))) goto fail;
      break;
    }
    case LU_DIST_REDUCE_SCATTER: case LU_DIST_ALL_TO_ALL:
      if ((st = lu_ascontig(ctx, &r->send, a->in))) goto fail;
      if ((st = work_new(ctx, r, a, arr->dtype, a->op == LU_DIST_ALL_TO_ALL ? arr->ndim :
                         arr->ndim - 1, arr->shape + (a->op == LU_DIST_ALL_TO_ALL ? 0 : 1),
                         dev))) goto fail;
      n = a->op == LU_DIST_ALL_TO_ALL ? (G.size ? r->work.size / G.size : 0) : r->work.size;
      break;
    case LU_DIST_SCATTER:
      break;
    case LU_DIST_SEND:
      if ((st = lu_ascontig(ctx, &r->send, a->in))) goto fail;
      make_sig(r->hdr, a, arr);
      n = r->send.size;
      r->has_result = 0;
      break;
    case LU_DIST_RECV:
      if (a->out && a->out->buf) {
        if (lu_array_is_contig(a->out)) lu_array_share(&r->work, a->out);
        else lu_array_share(&r->dest, a->out);
      }
      break;
    default:
      st = lu_seterr(ctx, LU_EARG, "%s: not a collective", name);
      goto fail;
  }
  if ((st = count_ok(ctx, name, n, on_gpu))) goto fail;
  if (G.size == 1) {
    if ((st = run_self(ctx, r))) goto fail;
  } else if (a->op == LU_DIST_RECV) {
    /* with out= the shape is known: both receives are posted now, and the
    ** header is compared at the end; without it the data receive waits
    ** for the header */
    if (a->async && a->out && a->out->buf && !on_gpu && r->work.buf) {
      int e = G.m->Irecv(r->hdr, SIGN * 8, G.m->byte, r->peer, 2 * r->tag, G.m->comm_world,
                         &r->mreq[0]);
      if (e) { st = breaks(ctx, mpi_fail(ctx, name, "MPI_Irecv", e)); goto fail; }
      r->kind = K_MPI;
      if (r->work.size > 0) {
        if ((st = count_ok(ctx, name, r->work.size, 0))) goto fail;
        e = G.m->Irecv(lu_array_data(&r->work), (int)r->work.size, G.m->type[r->work.dtype],
                       r->peer, 2 * r->tag + 1, G.m->comm_world, &r->mreq[1]);
        if (e) { st = breaks(ctx, mpi_fail(ctx, name, "MPI_Irecv", e)); goto fail; }
      }
      r->recv_late = 2;   /* the header is checked at the end */
    } else if (a->async && !on_gpu) {
      int e = G.m->Irecv(r->hdr, SIGN * 8, G.m->byte, r->peer, 2 * r->tag, G.m->comm_world,
                         &r->mreq[0]);
      if (e) { st = breaks(ctx, mpi_fail(ctx, name, "MPI_Irecv", e)); goto fail; }
      r->kind = K_MPI;
      r->recv_late = 1;
    } else {
      if ((st = recv_header(ctx, r)) || (st = recv_data(ctx, r, a, 1))) goto fail;
    }
  } else if (on_gpu) {
    if ((st = post_nccl(ctx, r, a, n))) goto fail;
  } else {
    if ((st = post_mpi(ctx, r, a, n))) goto fail;
  }
  if (r->kind == K_NCCL && a->async) {
    if ((st = lu_event_create(ctx, dev, &r->ev)) || (st = lu_event_record(ctx, dev, r->ev)))
      goto fail;
  }
  free(all);
  *out = r;
  if (!a->async && r->kind != K_NCCL) {
    lu_array res;
    int has;
    memset(&res, 0, sizeof res);
    if ((st = lu_dist_wait(ctx, r, &res, &has))) {
      r->finished = 1;
      lu_dist_req_free(ctx, r);
      *out = NULL;
      return st;
    }
    if (has) lu_array_release(&res);
  } else if (!a->async) {
    /* GPU work stays stream-ordered, as every op: nothing waits here */
    if ((st = finish(ctx, r))) {
      lu_dist_req_free(ctx, r);
      *out = NULL;
      return st;
    }
  }
  return LU_OK;
fail:
  free(all);
  if (r->ev) lu_event_destroy(ctx, dev, r->ev);
  req_release(r);
  free(r);
  return st;
}

int lu_dist_test(lu_ctx *ctx, lu_dist_req *r, int *done) {
  int k;
  *done = 1;
  if (r->finished || r->kind == K_DONE) return LU_OK;
  if (r->kind == K_MPI) {
    for (k = 0; k < 2; k++) {
      int flag = 1, e;
      if (r->mreq[k] == NULL) continue;
      e = G.m->Test(&r->mreq[k], &flag, NULL);
      if (e) return breaks(ctx, mpi_fail(ctx, r->name, "MPI_Test", e));
      if (flag) r->mreq[k] = NULL;
      else *done = 0;
    }
    if (*done && r->recv_late == 1) *done = 0;   /* the data receive is not posted yet */
    return LU_OK;
  }
  if (r->ev) return G.nops->query(ctx, r->ev, done);
  return LU_OK;
}

int lu_dist_wait(lu_ctx *ctx, lu_dist_req *r, lu_array *result, int *has) {
  int st;
  *has = 0;
  if (!r->finished) {
    if (r->kind == K_MPI) {
      if (r->recv_late == 1) {
        if ((st = mpi_wait(ctx, r->name, &r->mreq[0], 1))) return st;
        r->recv_late = 0;
        if ((st = recv_data(ctx, r, NULL, 1))) return st;
      }
      if (r->recv_late == 2 && (st = mpi_wait(ctx, r->name, r->mreq, 1))) return st;
      if (r->recv_late == 2) {
        lu_dist_args a;
        lu_array o = r->dest.buf ? r->dest : r->work;
        memset(&a, 0, sizeof a);
        a.out = &o;
        r->recv_late = 0;
        /* the data landed already; the header only confirms its shape */
        if ((st = recv_data(ctx, r, &a, 0))) return st;
      }
      if ((st = mpi_wait(ctx, r->name, r->mreq, 2))) return st;
    } else if (r->kind == K_NCCL && r->ev) {
      if ((st = nccl_wait(ctx, r->name, r->ev))) return st;
    }
    if ((st = finish(ctx, r))) return st;
  }
  if (r->has_result) {
    lu_array_share(result, r->dest.buf ? &r->dest : &r->work);
    *has = 1;
  }
  return LU_OK;
}
/* }===== */
