/* SPDX-License-Identifier: MIT */
/*
** NVRTC, cuBLAS and cuSOLVER, reached through function tables filled by
** dlopen and dlsym on first use (dynlib.c), so that a program that never
** compiles a kernel, multiplies matrices or factors one does not pay for
** loading them: they run constructors at load time (cuBLAS pulls in the
** 540 MB cuBLASLt), and lunar starts on a machine that lacks them.
**
** The headers give the types and, through __typeof__, each pointer's
** type; cublas_v2.h maps names such as cublasCreate to the exported
** cublasCreate_v2 by macros, and dynlib.c looks up the expanded name.
*/
#ifndef lu_cuda_dynlib_h
#define lu_cuda_dynlib_h

#include <cublas_v2.h>
#include <cusolverDn.h>
#include <cufft.h>
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
  __typeof__(&nvrtcGetPTXSize) GetPTXSize;
  __typeof__(&nvrtcGetPTX) GetPTX;
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
  /* batched small-matrix LU, solve and inverse (src/backend/cuda/linalg.c) */
  __typeof__(&cublasSgetrfBatched) SgetrfBatched;
  __typeof__(&cublasDgetrfBatched) DgetrfBatched;
  __typeof__(&cublasSgetrsBatched) SgetrsBatched;
  __typeof__(&cublasDgetrsBatched) DgetrsBatched;
  __typeof__(&cublasSmatinvBatched) SmatinvBatched;
  __typeof__(&cublasDmatinvBatched) DmatinvBatched;
  __typeof__(&cublasCgetrfBatched) CgetrfBatched;
  __typeof__(&cublasZgetrfBatched) ZgetrfBatched;
  __typeof__(&cublasCgetrsBatched) CgetrsBatched;
  __typeof__(&cublasZgetrsBatched) ZgetrsBatched;
  __typeof__(&cublasCmatinvBatched) CmatinvBatched;
  __typeof__(&cublasZmatinvBatched) ZmatinvBatched;
  __typeof__(&cublasSgetriBatched) SgetriBatched;
  __typeof__(&cublasDgetriBatched) DgetriBatched;
  __typeof__(&cublasCgetriBatched) CgetriBatched;
  __typeof__(&cublasZgetriBatched) ZgetriBatched;
  /* one right-hand side's triangular solves after getrf (linalg.c) */
  __typeof__(&cublasStrsv) Strsv;
  __typeof__(&cublasDtrsv) Dtrsv;
  __typeof__(&cublasCtrsv) Ctrsv;
  __typeof__(&cublasZtrsv) Ztrsv;
  /* float16, bfloat16 (float32 compute), complex64, complex128 */
  __typeof__(&cublasStrsm) Strsm;
  __typeof__(&cublasDtrsm) Dtrsm;
  __typeof__(&cublasCtrsm) Ctrsm;
  __typeof__(&cublasZtrsm) Ztrsm;
  __typeof__(&cublasGemmEx_64) GemmEx_64;
  __typeof__(&cublasGemmStridedBatchedEx_64) GemmStridedBatchedEx_64;
} lu_cublas_fns;

/* cuSOLVER's dense API, as linalg.c uses it: the 64-bit generic routines
** (one entry for every dtype) and the typed ones that have no generic
** form (orgqr, Jacobi SVD, batched Cholesky). */
typedef struct lu_cusolver_fns {
  __typeof__(&cusolverDnCreate) Create;
  __typeof__(&cusolverDnDestroy) Destroy;
  __typeof__(&cusolverDnSetStream) SetStream;
  __typeof__(&cusolverDnCreateParams) CreateParams;
  __typeof__(&cusolverDnDestroyParams) DestroyParams;
  __typeof__(&cusolverDnXgetrf_bufferSize) Xgetrf_bufferSize;
  __typeof__(&cusolverDnXgetrf) Xgetrf;
  __typeof__(&cusolverDnXgetrs) Xgetrs;
  __typeof__(&cusolverDnXpotrf_bufferSize) Xpotrf_bufferSize;
  __typeof__(&cusolverDnXpotrf) Xpotrf;
  __typeof__(&cusolverDnXgeqrf_bufferSize) Xgeqrf_bufferSize;
  __typeof__(&cusolverDnXgeqrf) Xgeqrf;
  __typeof__(&cusolverDnXsyevd_bufferSize) Xsyevd_bufferSize;
  __typeof__(&cusolverDnXsyevd) Xsyevd;
  __typeof__(&cusolverDnXgesvd_bufferSize) Xgesvd_bufferSize;
  __typeof__(&cusolverDnXgesvd) Xgesvd;
  __typeof__(&cusolverDnXgesvdp_bufferSize) Xgesvdp_bufferSize;
  __typeof__(&cusolverDnXgesvdp) Xgesvdp;
  __typeof__(&cusolverDnSorgqr_bufferSize) Sorgqr_bufferSize;
  __typeof__(&cusolverDnDorgqr_bufferSize) Dorgqr_bufferSize;
  __typeof__(&cusolverDnSorgqr) Sorgqr;
  __typeof__(&cusolverDnDorgqr) Dorgqr;
  __typeof__(&cusolverDnCreateGesvdjInfo) CreateGesvdjInfo;
  __typeof__(&cusolverDnDestroyGesvdjInfo) DestroyGesvdjInfo;
  __typeof__(&cusolverDnSgesvdj_bufferSize) Sgesvdj_bufferSize;
  __typeof__(&cusolverDnDgesvdj_bufferSize) Dgesvdj_bufferSize;
  __typeof__(&cusolverDnSgesvdj) Sgesvdj;
  __typeof__(&cusolverDnDgesvdj) Dgesvdj;
  __typeof__(&cusolverDnSgesvdjBatched_bufferSize) SgesvdjBatched_bufferSize;
  __typeof__(&cusolverDnDgesvdjBatched_bufferSize) DgesvdjBatched_bufferSize;
  __typeof__(&cusolverDnSgesvdjBatched) SgesvdjBatched;
  __typeof__(&cusolverDnDgesvdjBatched) DgesvdjBatched;
  __typeof__(&cusolverDnSpotrfBatched) SpotrfBatched;
  __typeof__(&cusolverDnDpotrfBatched) DpotrfBatched;
  /* the complex dtypes' typed routines */
  __typeof__(&cusolverDnCungqr_bufferSize) Cungqr_bufferSize;
  __typeof__(&cusolverDnZungqr_bufferSize) Zungqr_bufferSize;
  __typeof__(&cusolverDnCungqr) Cungqr;
  __typeof__(&cusolverDnZungqr) Zungqr;
  __typeof__(&cusolverDnCgesvdj_bufferSize) Cgesvdj_bufferSize;
  __typeof__(&cusolverDnZgesvdj_bufferSize) Zgesvdj_bufferSize;
  __typeof__(&cusolverDnCgesvdj) Cgesvdj;
  __typeof__(&cusolverDnZgesvdj) Zgesvdj;
  __typeof__(&cusolverDnCgesvdjBatched_bufferSize) CgesvdjBatched_bufferSize;
  __typeof__(&cusolverDnZgesvdjBatched_bufferSize) ZgesvdjBatched_bufferSize;
  __typeof__(&cusolverDnCgesvdjBatched) CgesvdjBatched;
  __typeof__(&cusolverDnZgesvdjBatched) ZgesvdjBatched;
  __typeof__(&cusolverDnCpotrfBatched) CpotrfBatched;
  __typeof__(&cusolverDnZpotrfBatched) ZpotrfBatched;
  /* batched Jacobi eigensolvers (stacks of matrices of order <= 32) */
  __typeof__(&cusolverDnCreateSyevjInfo) CreateSyevjInfo;
  __typeof__(&cusolverDnDestroySyevjInfo) DestroySyevjInfo;
  __typeof__(&cusolverDnSsyevjBatched_bufferSize) SsyevjBatched_bufferSize;
  __typeof__(&cusolverDnDsyevjBatched_bufferSize) DsyevjBatched_bufferSize;
  __typeof__(&cusolverDnCheevjBatched_bufferSize) CheevjBatched_bufferSize;
  __typeof__(&cusolverDnZheevjBatched_bufferSize) ZheevjBatched_bufferSize;
  __typeof__(&cusolverDnSsyevjBatched) SsyevjBatched;
  __typeof__(&cusolverDnDsyevjBatched) DsyevjBatched;
  __typeof__(&cusolverDnCheevjBatched) CheevjBatched;
  __typeof__(&cusolverDnZheevjBatched) ZheevjBatched;
  /* the general eigenproblem (CUDA 12.6) */
  __typeof__(&cusolverDnXgeev_bufferSize) Xgeev_bufferSize;
  __typeof__(&cusolverDnXgeev) Xgeev;
} lu_cusolver_fns;

/* cuFFT, as fft.c uses it: 64-bit plans with a caller-owned work area */
typedef struct lu_cufft_fns {
  __typeof__(&cufftCreate) Create;
  __typeof__(&cufftDestroy) Destroy;
  __typeof__(&cufftSetAutoAllocation) SetAutoAllocation;
  __typeof__(&cufftMakePlanMany64) MakePlanMany64;
  __typeof__(&cufftSetWorkArea) SetWorkArea;
  __typeof__(&cufftSetStream) SetStream;
  __typeof__(&cufftExecC2C) ExecC2C;
  __typeof__(&cufftExecZ2Z) ExecZ2Z;
  __typeof__(&cufftExecR2C) ExecR2C;
  __typeof__(&cufftExecD2Z) ExecD2Z;
  __typeof__(&cufftExecC2R) ExecC2R;
  __typeof__(&cufftExecZ2D) ExecZ2D;
} lu_cufft_fns;

/* The table, loading the library on the first call (thread-safe). On a
** failure (library or symbol missing) NULL, with the reason recorded by
** lu_seterr() when ctx is not NULL; the failure is remembered and the
** same message is given by every later call. */
const lu_nvrtc_fns *lu_cuda_nvrtc(lu_ctx *ctx);
const lu_cublas_fns *lu_cuda_cublas(lu_ctx *ctx);
const lu_cusolver_fns *lu_cuda_cusolver(lu_ctx *ctx);
const lu_cufft_fns *lu_cuda_cufft(lu_ctx *ctx);
/* The tables when already loaded, else NULL; never loads. */
const lu_nvrtc_fns *lu_cuda_nvrtc_loaded(void);
const lu_cublas_fns *lu_cuda_cublas_loaded(void);
const lu_cusolver_fns *lu_cuda_cusolver_loaded(void);
/* Why loading NVRTC failed ("" when it did not; tests/c/test_nvrtc.c). */
const char *lu_cuda_nvrtc_why(void);

#endif
