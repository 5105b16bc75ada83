/* SPDX-License-Identifier: MIT */
/*
** MPI for lunar.dist, opened at run time (design-notes: "Scale-out").
** lunar does not link libmpi: a lunar binary must start and work on a
** machine without MPI, and only lunar.dist needs it. dlopen with
** RTLD_GLOBAL, because Open MPI opens its own components (mca_*.so) later
** and they look up libmpi's symbols globally.
**
** The table is written for Open MPI's ABI (Debian's libopenmpi, soname
** libmpi.so.40), with no mpi.h at build time: a handle (MPI_Comm,
** MPI_Datatype, MPI_Op, MPI_Request) is a pointer, and a predefined one
** (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM) is the address of a global object
** of the library (ompi_mpi_comm_world ...), which dlsym gives. MPICH's
** handles are integers: it would need a second table.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_dist_engines.h"

static lu_mpi_fns mpi;
static int mpi_state;          /* 0 not tried, 1 loaded, -1 failed */
static char mpi_why[512];

typedef struct { const char *name; size_t off; } fsym;
#define F(n) { "MPI_" #n, offsetof(lu_mpi_fns, n) }
static const fsym fsyms[] = {
  F(Init), F(Initialized), F(Finalized), F(Finalize), F(Abort), F(Comm_rank),
  F(Comm_size), F(Comm_set_errhandler), F(Error_string), F(Bcast), F(Iallgather),
  F(Iallreduce), F(Ibcast), F(Ireduce), F(Igather), F(Iscatter),
  F(Ireduce_scatter_block), F(Ialltoall), F(Isend), F(Irecv), F(Test), F(Cancel),
  F(Request_free),
};
#undef F

/* the Open MPI object behind each dtype: for moving data, and for
** reducing it (float16 and bfloat16 have no MPI reduction type) */
static const char *const move_names[LU_NDTYPES] = {
  [LU_BOOL] = "ompi_mpi_c_bool", [LU_INT8] = "ompi_mpi_int8_t",
  [LU_INT16] = "ompi_mpi_int16_t", [LU_INT32] = "ompi_mpi_int32_t",
  [LU_INT64] = "ompi_mpi_int64_t", [LU_UINT8] = "ompi_mpi_uint8_t",
  [LU_UINT16] = "ompi_mpi_uint16_t", [LU_UINT32] = "ompi_mpi_uint32_t",
  [LU_UINT64] = "ompi_mpi_uint64_t", [LU_FLOAT32] = "ompi_mpi_float",
  [LU_FLOAT64] = "ompi_mpi_double", [LU_FLOAT16] = "ompi_mpi_uint16_t",
  [LU_BFLOAT16] = "ompi_mpi_uint16_t", [LU_COMPLEX64] = "ompi_mpi_c_float_complex",
  [LU_COMPLEX128] = "ompi_mpi_c_double_complex",
};

static void *sym(void *h, const char *name) {
  void *p = dlsym(h, name);
  if (p == NULL && mpi_why[0] == '\0')
    snprintf(mpi_why, sizeof mpi_why, "the MPI library has no symbol %s (lunar.dist "
             "needs Open MPI 4 or later)", name);
  return p;
}

static void load(void) {
  const char *env = getenv("LUNAR_MPI_LIB");
  const char *name = (env && *env) ? env : "libmpi.so.40";
  void *h = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
  size_t i;
  int t;
  if (h == NULL) {
    const char *e = dlerror();
    snprintf(mpi_why, sizeof mpi_why, "cannot load MPI (%s): %s; install Open MPI "
             "(Debian: apt-get install openmpi-bin libopenmpi-dev) or set "
             "LUNAR_MPI_LIB", name, e ? e : "not found");
    mpi_state = -1;
    return;
  }
  for (i = 0; i < sizeof fsyms / sizeof fsyms[0]; i++) {
    void *p = sym(h, fsyms[i].name);
    memcpy((char *)&mpi + fsyms[i].off, &p, sizeof p);
  }
  mpi.comm_world = sym(h, "ompi_mpi_comm_world");
  mpi.errors_return = sym(h, "ompi_mpi_errors_return");
  mpi.op[LU_DRED_SUM] = sym(h, "ompi_mpi_op_sum");
  mpi.op[LU_DRED_PROD] = sym(h, "ompi_mpi_op_prod");
  mpi.op[LU_DRED_MIN] = sym(h, "ompi_mpi_op_min");
  mpi.op[LU_DRED_MAX] = sym(h, "ompi_mpi_op_max");
  mpi.op[LU_DRED_AVG] = mpi.op[LU_DRED_SUM];     /* divided afterwards */
  mpi.op_land = sym(h, "ompi_mpi_op_land");
  mpi.op_lor = sym(h, "ompi_mpi_op_lor");
  mpi.byte = sym(h, "ompi_mpi_byte");
  for (t = 0; t < LU_NDTYPES; t++) {
    mpi.type[t] = sym(h, move_names[t]);
    mpi.rtype[t] = lu_dtype_is_half((lu_dtype)t) ? NULL : mpi.type[t];
  }
  mpi_state = mpi_why[0] ? -1 : 1;
}

/* Called from the main thread only (lunar.dist is not thread-safe, as
** the Lua state it serves is not). */
const lu_mpi_fns *lu_mpi_load(lu_ctx *ctx) {
  if (mpi_state == 0) load();
  if (mpi_state < 0) {
    if (ctx) lu_seterr(ctx, LU_EBACKEND, "%s", mpi_why);
    return NULL;
  }
  return &mpi;
}

const char *lu_mpi_errstr(const lu_mpi_fns *m, int code, char *buf, size_t len) {
  char s[512];
  int n = 0;
  if (m->Error_string(code, s, &n) != 0 || n <= 0) snprintf(s, sizeof s, "MPI error %d", code);
  else s[n < (int)sizeof s ? n : (int)sizeof s - 1] = '\0';
  snprintf(buf, len, "%s", s);
  return buf;
}
