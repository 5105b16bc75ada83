/* SPDX-License-Identifier: MIT */
/*
** NVRTC, cuBLAS and cuSOLVER loaded on first use (see dynlib.h). Linking
** them made every process, even `print(1)`, map the libraries and run
** their constructors before main.
**
** Search, first hit wins: $LUNAR_NVRTC_LIB / $LUNAR_CUBLAS_LIB /
** $LUNAR_CUSOLVER_LIB when set
** (then nothing else); else the versioned name of the toolkit we were built
** against (libnvrtc.so.13), then the bare name (libnvrtc.so), each first
** through the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache)
** and then in the toolkit's library directory found at build time
** (LU_CUDA_LIBDIR), for machines whose loader does not know it.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynlib.h"
#include "cuda_internal.h"

typedef struct lu_dsym { const char *name; size_t off; } lu_dsym;

typedef struct lu_dynlib {
  const char *base;            /* "libnvrtc" */
  const char *env;             /* the override variable */
  int major;                   /* soname version */
  const lu_dsym *syms;
  size_t nsyms;
  void *table;                 /* filled in place */
  pthread_once_t once;
  int ok;
  char why[600];               /* the failure, after "OP: cuda: " */
} lu_dynlib;

/* STR(cublasCreate) is "cublasCreate_v2": the argument is expanded first */
#define STR_(x) #x
#define STR(x) STR_(x)
#define SYM(T, field, fn) { STR(fn), offsetof(T, field) }

static lu_nvrtc_fns nvrtc_tab;
static const lu_dsym nvrtc_syms[] = {
  SYM(lu_nvrtc_fns, GetErrorString, nvrtcGetErrorString),
  SYM(lu_nvrtc_fns, Version, nvrtcVersion),
  SYM(lu_nvrtc_fns, CreateProgram, nvrtcCreateProgram),
  SYM(lu_nvrtc_fns, CompileProgram, nvrtcCompileProgram),
  SYM(lu_nvrtc_fns, DestroyProgram, nvrtcDestroyProgram),
  SYM(lu_nvrtc_fns, GetProgramLogSize, nvrtcGetProgramLogSize),
  SYM(lu_nvrtc_fns, GetProgramLog, nvrtcGetProgramLog),
  SYM(lu_nvrtc_fns, GetCUBINSize, nvrtcGetCUBINSize),
  SYM(lu_nvrtc_fns, GetCUBIN, nvrtcGetCUBIN),
  SYM(lu_nvrtc_fns, GetPTXSize, nvrtcGetPTXSize),
  SYM(lu_nvrtc_fns, GetPTX, nvrtcGetPTX),
};

static lu_cublas_fns cublas_tab;
static const lu_dsym cublas_syms[] = {
  SYM(lu_cublas_fns, GetStatusString, cublasGetStatusString),
  SYM(lu_cublas_fns, Create, cublasCreate),
  SYM(lu_cublas_fns, Destroy, cublasDestroy),
  SYM(lu_cublas_fns, SetStream, cublasSetStream),
  SYM(lu_cublas_fns, Sgemm_64, cublasSgemm_64),
  SYM(lu_cublas_fns, Dgemm_64, cublasDgemm_64),
  SYM(lu_cublas_fns, SgemmStridedBatched_64, cublasSgemmStridedBatched_64),
  SYM(lu_cublas_fns, DgemmStridedBatched_64, cublasDgemmStridedBatched_64),
  SYM(lu_cublas_fns, SgetrfBatched, cublasSgetrfBatched),
  SYM(lu_cublas_fns, DgetrfBatched, cublasDgetrfBatched),
  SYM(lu_cublas_fns, SgetrsBatched, cublasSgetrsBatched),
  SYM(lu_cublas_fns, DgetrsBatched, cublasDgetrsBatched),
  SYM(lu_cublas_fns, SmatinvBatched, cublasSmatinvBatched),
  SYM(lu_cublas_fns, DmatinvBatched, cublasDmatinvBatched),
  SYM(lu_cublas_fns, CgetrfBatched, cublasCgetrfBatched),
  SYM(lu_cublas_fns, ZgetrfBatched, cublasZgetrfBatched),
  SYM(lu_cublas_fns, CgetrsBatched, cublasCgetrsBatched),
  SYM(lu_cublas_fns, ZgetrsBatched, cublasZgetrsBatched),
  SYM(lu_cublas_fns, CmatinvBatched, cublasCmatinvBatched),
  SYM(lu_cublas_fns, ZmatinvBatched, cublasZmatinvBatched),
  SYM(lu_cublas_fns, SgetriBatched, cublasSgetriBatched),
  SYM(lu_cublas_fns, DgetriBatched, cublasDgetriBatched),
  SYM(lu_cublas_fns, CgetriBatched, cublasCgetriBatched),
  SYM(lu_cublas_fns, ZgetriBatched, cublasZgetriBatched),
  SYM(lu_cublas_fns, Strsv, cublasStrsv),
  SYM(lu_cublas_fns, Dtrsv, cublasDtrsv),
  SYM(lu_cublas_fns, Ctrsv, cublasCtrsv),
  SYM(lu_cublas_fns, Ztrsv, cublasZtrsv),
  SYM(lu_cublas_fns, Strsm, cublasStrsm),
  SYM(lu_cublas_fns, Dtrsm, cublasDtrsm),
  SYM(lu_cublas_fns, Ctrsm, cublasCtrsm),
  SYM(lu_cublas_fns, Ztrsm, cublasZtrsm),
  SYM(lu_cublas_fns, GemmEx_64, cublasGemmEx_64),
  SYM(lu_cublas_fns, GemmStridedBatchedEx_64, cublasGemmStridedBatchedEx_64),
};

#define CUSOLVER_SYM(field) SYM(lu_cusolver_fns, field, cusolverDn##field)
static lu_cusolver_fns cusolver_tab;
static const lu_dsym cusolver_syms[] = {
  CUSOLVER_SYM(Create), CUSOLVER_SYM(Destroy), CUSOLVER_SYM(SetStream),
  CUSOLVER_SYM(CreateParams), CUSOLVER_SYM(DestroyParams),
  CUSOLVER_SYM(Xgetrf_bufferSize), CUSOLVER_SYM(Xgetrf), CUSOLVER_SYM(Xgetrs),
  CUSOLVER_SYM(Xpotrf_bufferSize), CUSOLVER_SYM(Xpotrf),
  CUSOLVER_SYM(Xgeqrf_bufferSize), CUSOLVER_SYM(Xgeqrf),
  CUSOLVER_SYM(Xsyevd_bufferSize), CUSOLVER_SYM(Xsyevd),
  CUSOLVER_SYM(Xgesvd_bufferSize), CUSOLVER_SYM(Xgesvd),
  CUSOLVER_SYM(Xgesvdp_bufferSize), CUSOLVER_SYM(Xgesvdp),
  CUSOLVER_SYM(Sorgqr_bufferSize), CUSOLVER_SYM(Dorgqr_bufferSize),
  CUSOLVER_SYM(Sorgqr), CUSOLVER_SYM(Dorgqr),
  CUSOLVER_SYM(CreateGesvdjInfo), CUSOLVER_SYM(DestroyGesvdjInfo),
  CUSOLVER_SYM(Sgesvdj_bufferSize), CUSOLVER_SYM(Dgesvdj_bufferSize),
  CUSOLVER_SYM(Sgesvdj), CUSOLVER_SYM(Dgesvdj),
  CUSOLVER_SYM(SgesvdjBatched_bufferSize), CUSOLVER_SYM(DgesvdjBatched_bufferSize),
  CUSOLVER_SYM(SgesvdjBatched), CUSOLVER_SYM(DgesvdjBatched),
  CUSOLVER_SYM(SpotrfBatched), CUSOLVER_SYM(DpotrfBatched),
  CUSOLVER_SYM(Cungqr_bufferSize), CUSOLVER_SYM(Zungqr_bufferSize),
  CUSOLVER_SYM(Cungqr), CUSOLVER_SYM(Zungqr),
  CUSOLVER_SYM(Cgesvdj_bufferSize), CUSOLVER_SYM(Zgesvdj_bufferSize),
  CUSOLVER_SYM(Cgesvdj), CUSOLVER_SYM(Zgesvdj),
  CUSOLVER_SYM(CgesvdjBatched_bufferSize), CUSOLVER_SYM(ZgesvdjBatched_bufferSize),
  CUSOLVER_SYM(CgesvdjBatched), CUSOLVER_SYM(ZgesvdjBatched),
  CUSOLVER_SYM(CpotrfBatched), CUSOLVER_SYM(ZpotrfBatched),
  CUSOLVER_SYM(CreateSyevjInfo), CUSOLVER_SYM(DestroySyevjInfo),
  CUSOLVER_SYM(SsyevjBatched_bufferSize), CUSOLVER_SYM(DsyevjBatched_bufferSize),
  CUSOLVER_SYM(CheevjBatched_bufferSize), CUSOLVER_SYM(ZheevjBatched_bufferSize),
  CUSOLVER_SYM(SsyevjBatched), CUSOLVER_SYM(DsyevjBatched),
  CUSOLVER_SYM(CheevjBatched), CUSOLVER_SYM(ZheevjBatched),
  CUSOLVER_SYM(Xgeev_bufferSize), CUSOLVER_SYM(Xgeev),
};

#define CUFFT_SYM(field) SYM(lu_cufft_fns, field, cufft##field)
static lu_cufft_fns cufft_tab;
static const lu_dsym cufft_syms[] = {
  CUFFT_SYM(Create), CUFFT_SYM(Destroy), CUFFT_SYM(SetAutoAllocation),
  CUFFT_SYM(MakePlanMany64), CUFFT_SYM(SetWorkArea), CUFFT_SYM(SetStream),
  CUFFT_SYM(ExecC2C), CUFFT_SYM(ExecZ2Z), CUFFT_SYM(ExecR2C), CUFFT_SYM(ExecD2Z),
  CUFFT_SYM(ExecC2R), CUFFT_SYM(ExecZ2D),
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* NVRTC's soname follows the toolkit's major version, cuBLAS's its own */
static lu_dynlib nvrtc_lib = { "libnvrtc", "LUNAR_NVRTC_LIB", CUDART_VERSION / 1000,
  nvrtc_syms, NELEM(nvrtc_syms), &nvrtc_tab, PTHREAD_ONCE_INIT, 0, "" };
static lu_dynlib cublas_lib = { "libcublas", "LUNAR_CUBLAS_LIB", CUBLAS_VER_MAJOR,
  cublas_syms, NELEM(cublas_syms), &cublas_tab, PTHREAD_ONCE_INIT, 0, "" };
static lu_dynlib cusolver_lib = { "libcusolver", "LUNAR_CUSOLVER_LIB", CUSOLVER_VER_MAJOR,
  cusolver_syms, NELEM(cusolver_syms), &cusolver_tab, PTHREAD_ONCE_INIT, 0, "" };

static lu_dynlib cufft_lib = { "libcufft", "LUNAR_CUFFT_LIB", CUFFT_VER_MAJOR,
  cufft_syms, NELEM(cufft_syms), &cufft_tab, PTHREAD_ONCE_INIT, 0, "" };

/* dlopen one name, by the loader's search and then in LU_CUDA_LIBDIR
** (names with a '/' are paths: no second try); err gets the loader's
** message of the first try. */
static void *try_open(const char *name, char *err, size_t cap) {
  void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  const char *e;
  if (h == NULL && (e = dlerror()) != NULL) snprintf(err, cap, "%s", e);
#ifdef LU_CUDA_LIBDIR
  if (h == NULL && strchr(name, '/') == NULL) {
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s", LU_CUDA_LIBDIR, name) < (int)sizeof path)
      h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  }
#endif
  return h;
}

/* Open the library and fill its table; on failure leave L->why. The first
** name's dlerror is the one reported: the fallbacks' say less. */
static void load(lu_dynlib *L) {
  char names[2][4096], err[2][400] = { "", "" };   /* an override is a whole path */
  const char *over = getenv(L->env), *e;
  void *h = NULL;
  size_t i, k, n;
  if (over != NULL && over[0] != '\0') {
    snprintf(names[0], sizeof names[0], "%s", over);
    n = 1;
  } else {
    snprintf(names[0], sizeof names[0], "%s.so.%d", L->base, L->major);
    snprintf(names[1], sizeof names[1], "%s.so", L->base);
    n = 2;
  }
  for (k = 0; k < n && h == NULL; k++) h = try_open(names[k], err[k], sizeof err[k]);
  if (h == NULL) {
    snprintf(L->why, sizeof L->why, "cannot load %.200s: %.380s", names[0],
             err[0][0] ? err[0] : "not found");
    return;
  }
  for (i = 0; i < L->nsyms; i++) {
    void *p;
    dlerror();
    p = dlsym(h, L->syms[i].name);
    if (p == NULL) {
      e = dlerror();
      snprintf(L->why, sizeof L->why, "%s has no symbol %s: %s", names[k - 1],
               L->syms[i].name, e ? e : "null");
      memset(L->table, 0, L->nsyms * sizeof p);
      dlclose(h);
      return;
    }
    /* POSIX lets a dlsym result stand for a function pointer; all of the
    ** table's members are function pointers of one size */
    memcpy((char *)L->table + L->syms[i].off, &p, sizeof p);
  }
  L->ok = 1;
  lu_cuda_trace("%s loaded (dlopen %s)", L->base, names[k - 1]);
}

static void load_nvrtc(void) { load(&nvrtc_lib); }
static void load_cublas(void) { load(&cublas_lib); }
static void load_cusolver(void) { load(&cusolver_lib); }
static void load_cufft(void) { load(&cufft_lib); }

static const void *get(lu_ctx *ctx, lu_dynlib *L, void (*once)(void)) {
  pthread_once(&L->once, once);
  if (L->ok) return L->table;
  if (ctx != NULL) lu_cuda_seterr(ctx, LU_EBACKEND, "%s", L->why);
  return NULL;
}

const lu_nvrtc_fns *lu_cuda_nvrtc(lu_ctx *ctx) {
  return (const lu_nvrtc_fns *)get(ctx, &nvrtc_lib, load_nvrtc);
}
const lu_cublas_fns *lu_cuda_cublas(lu_ctx *ctx) {
  return (const lu_cublas_fns *)get(ctx, &cublas_lib, load_cublas);
}
const lu_cusolver_fns *lu_cuda_cusolver(lu_ctx *ctx) {
  return (const lu_cusolver_fns *)get(ctx, &cusolver_lib, load_cusolver);
}
const lu_cufft_fns *lu_cuda_cufft(lu_ctx *ctx) {
  return (const lu_cufft_fns *)get(ctx, &cufft_lib, load_cufft);
}

/* Read only after the library's pthread_once has completed in this or
** another thread that synchronised with us (the error paths that call
** these run after a call through the table). */
const lu_nvrtc_fns *lu_cuda_nvrtc_loaded(void) { return nvrtc_lib.ok ? &nvrtc_tab : NULL; }
const lu_cublas_fns *lu_cuda_cublas_loaded(void) { return cublas_lib.ok ? &cublas_tab : NULL; }
const lu_cusolver_fns *lu_cuda_cusolver_loaded(void) {
  return cusolver_lib.ok ? &cusolver_tab : NULL;
}
const char *lu_cuda_nvrtc_why(void) { return nvrtc_lib.why; }
