/* SPDX-License-Identifier: MIT */
/*
** OpenBLAS and LAPACKE opened on first use (see cpu_blaslib.h).
**
** Search, first hit wins: $LUNAR_BLAS_LIB / $LUNAR_LAPACKE_LIB when set
** (then nothing else); else the Debian sonames (libopenblas.so.0,
** liblapacke.so.3), then the bare names, through the dynamic loader's own
** search (LD_LIBRARY_PATH, ld.so.cache). An application that linked them
** already gets the same copies back.
**
** OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its kernels from the
** CPU's family and model in its constructor. A model it does not know
** falls back to Prescott's SSE3 kernels: Debian's 0.3.21 took the lent
** H100 hosts' virtual "Intel(R) Xeon(R) Processor" for one, and a 1000 x
** 1000 float64 product took 17.2 ms there against 4.5 with SkylakeX's
** kernels (session 14). Where the user has not set OPENBLAS_CORETYPE, an
** Intel CPU gets a core named from its features for the dlopen: SkylakeX
** with AVX-512 (F, BW, VL, DQ), Haswell with AVX2 and FMA; the float32 and
** float64 kernels of the newer Intel targets are SkylakeX's. Other
** vendors keep OpenBLAS's own choice (it knows the AMD EPYC of the build
** machine).
*/
#define _GNU_SOURCE
#define LU_CPU_BLASLIB_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_blaslib.h"

lu_blas_fns lu_blas;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[700];          /* empty: loaded */

/* dlopen the override or the first of two names that loads; NULL with why
** set (the first name's loader message) when none does */
static void *open_lib(const char *env, const char *soname, const char *bare, const char *pkg) {
  const char *over = getenv(env), *e;
  void *h;
  char first[400] = "";
  if (over != NULL && over[0] != '\0') {
    h = dlopen(over, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) snprintf(why, sizeof why, "cannot load %s (%s): %s", over, env,
                            (e = dlerror()) != NULL ? e : "not found");
    return h;
  }
  h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL && (e = dlerror()) != NULL) snprintf(first, sizeof first, "%s", e);
  if (h == NULL) h = dlopen(bare, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    snprintf(why, sizeof why, "cannot load %s: %s (apt-get install %s, or name the file in %s)",
             soname, first[0] ? first : "not found", pkg, env);
  return h;
}

/* one entry by name; 0 (and why) where a required one is missing */
static int get(void *h, const char *lib, const char *name, void *slot, int required) {
  void *p;
  dlerror();
  p = dlsym(h, name);
  if (p == NULL && required) {
    snprintf(why, sizeof why, "%s has no symbol %s", lib, name);
    return 0;
  }
  /* POSIX lets a dlsym result stand for a function pointer; every member
  ** of the table is a function pointer of one size */
  memcpy(slot, &p, sizeof p);
  return 1;
}

/* the core to name for OpenBLAS, or NULL to leave its choice */
static const char *intel_core(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (!__builtin_cpu_is("intel")) return NULL;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return NULL;
}

static void load(void) {
  const char *core = getenv("OPENBLAS_CORETYPE") == NULL ? intel_core() : NULL;
  void *blas;
  if (core != NULL) setenv("OPENBLAS_CORETYPE", core, 1);
  blas = open_lib("LUNAR_BLAS_LIB", "libopenblas.so.0", "libopenblas.so", "libopenblas0");
  if (core != NULL) unsetenv("OPENBLAS_CORETYPE");
  void *lapacke = blas == NULL ? NULL
                : open_lib("LUNAR_LAPACKE_LIB", "liblapacke.so.3", "liblapacke.so", "liblapacke");
  int ok = lapacke != NULL;
#define GET_BLAS(f) ok = ok && get(blas, "the BLAS library", #f, &lu_blas.f, 1);
#define GET_LAPACKE(f) ok = ok && get(lapacke, "the LAPACKE library", #f, &lu_blas.f, 1);
#define GET_OPT(f) ok = ok && get(blas, "the BLAS library", #f, &lu_blas.f, 0);
  LU_BLAS_FNS(GET_BLAS)
  LU_LAPACKE_FNS(GET_LAPACKE)
  LU_BLAS_OPT_FNS(GET_OPT)
  if (!ok) memset(&lu_blas, 0, sizeof lu_blas);
}

const char *lu_cpu_blas_load(void) {
  pthread_once(&once, load);
  return why[0] != '\0' ? why : NULL;
}
