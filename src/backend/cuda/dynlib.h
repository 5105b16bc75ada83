/* SPDX-License-Identifier: MIT */
/*
** NVRTC and cuBLAS, reached through function tables filled by dlopen and
** dlsym on first use (dynlib.c), so that a program that never compiles a
** kernel or multiplies matrices does not pay for loading them: both run
** constructors at load time (cuBLAS pulls in the 540 MB cuBLASLt).
**
** The headers give the types and, through __typeof__, each pointer's
** type; cublas_v2.h maps names such as cublasCreate to the exported
** cublasCreate_v2 by macros, and dynlib.c looks up the expanded name.
*/
#ifndef lu_cuda_dynlib_h
#define lu_cuda_dynlib_h

#include <cublas_v2.h>
#include <nvrtc.h>
#include "lu_backend.h"

typedef struct lu_nvrtc_fns {
  __typeof__(&nvrtcGetErrorString) GetErrorString;
  __typeof__(&nvrtcVersion) Version;
  __typeof__(&nvrtcCreateProgram) CreateProgram;
  __typeof__(&nvrtcCompileProgram) CompileProgram;
  __typeof__(&nvrtcDestroyProgram) DestroyProgram;
  __typeof__(&nvrtcGetProgramLogSize) GetProgramLogSize;
  __typeof__(&nvrtcGetProgramLog) GetProgramLog;
  __typeof__(&nvrtcGetCUBINSize) GetCUBINSize;
  __typeof__(&nvrtcGetCUBIN) GetCUBIN;
} lu_nvrtc_fns;

typedef struct lu_cublas_fns {
  __typeof__(&cublasGetStatusString) GetStatusString;
  __typeof__(&cublasCreate) Create;
  __typeof__(&cublasDestroy) Destroy;
  __typeof__(&cublasSetStream) SetStream;
  __typeof__(&cublasSgemm_64) Sgemm_64;
  __typeof__(&cublasDgemm_64) Dgemm_64;
  __typeof__(&cublasSgemmStridedBatched_64) SgemmStridedBatched_64;
  __typeof__(&cublasDgemmStridedBatched_64) DgemmStridedBatched_64;
} lu_cublas_fns;

/* The table, loading the library on the first call (thread-safe). On a
** failure (library or symbol missing) NULL, with the reason recorded by
** lu_seterr() when ctx is not NULL; the failure is remembered and the
** same message is given by every later call. */
const lu_nvrtc_fns *lu_cuda_nvrtc(lu_ctx *ctx);
const lu_cublas_fns *lu_cuda_cublas(lu_ctx *ctx);
/* The tables when already loaded, else NULL; never loads. */
const lu_nvrtc_fns *lu_cuda_nvrtc_loaded(void);
const lu_cublas_fns *lu_cuda_cublas_loaded(void);
/* Why loading NVRTC failed ("" when it did not; tests/c/test_nvrtc.c). */
const char *lu_cuda_nvrtc_why(void);

#endif
