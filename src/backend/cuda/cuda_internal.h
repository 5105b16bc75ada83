/* SPDX-License-Identifier: MIT */
/*
** Private to the CUDA backend: per-device state, the kernel cache and the
** check macros. Every CUDA-family call goes through a CHECK macro, which
** records the call text, the library's message, file and line with
** lu_seterr() and returns the status from the enclosing function.
*/
#ifndef lu_cuda_internal_h
#define lu_cuda_internal_h

#include <cuda.h>            /* driver types only: entry points come from the runtime */
#include <cuda_runtime.h>
#include <cublas_v2.h>
#include <nvrtc.h>
#include "lu_backend.h"
#include "lu_kernels.h"
#include "codegen.h"
#include "lu_htab.h"

#define LU_CUDA_STAGE_BYTES ((size_t)4 << 20)   /* per pinned staging buffer */
#define LU_CUDA_BLOCK 256

/* A cached elementwise kernel (an entry of the lu_htab d->ktab): the
** runtime handle and, where the driver's entry points could be had, the
** device's CUfunction for cuLaunchKernel (NULL: launch through
** cudaLaunchKernel). */
typedef struct lu_kentry { uint64_t key; cudaKernel_t fn; CUfunction cf; } lu_kentry;

/* Driver entry points reached through cudaGetDriverEntryPointByVersion, so
** that lunar never links libcuda itself (kcache.c fills this once). */
typedef CUresult (*lu_cu_launch_t)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                                   unsigned, unsigned, unsigned, CUstream, void **, void **);
extern lu_cu_launch_t lu_cu_launch;

typedef struct lu_cuda_dev {
  int index;
  /* the device's facts, read once (dev_init): they size every launch */
  int cc_major, cc_minor, sm_count;
  unsigned max_grid_y, max_grid_z;
  int use_pool;                 /* 0: the device has no memory pools */
  /* the current stream: every op is enqueued here. It is `own`, the
  ** device's stream, except inside lunar.cuda.stream(s, fn) or a graph's
  ** capture (stream.c), which switch it and put it back */
  cudaStream_t stream;
  cudaStream_t own;
  cudaEvent_t fork_ev;          /* the fork/join event of stream switches (stream.c) */
  cudaStream_t blas_stream;     /* the stream the cuBLAS handle was last given */
  struct lu_cuda_capture *capture;  /* the graph capture in progress, or NULL */
  lu_htab gown;                 /* blocks held by graphs (alloc.c): address -> holder */
  cudaMemPool_t pool;
  cublasHandle_t blas;
  struct lu_cuda_solver *solver;  /* cuSOLVER's handle, made on first use (linalg.c) */
  /* pinned staging for transfers: two buffers, each guarded by an event
  ** recorded after the last copy that used it */
  void *h_stage[2];
  cudaEvent_t stage_ev[2];
  size_t stage_bytes;           /* size of each h_stage buffer (device.c) */
  /* the elementwise kernel cache: signature key -> lu_kentry */
  lu_htab ktab;
  /* user kernels (ukernel.c): source key -> lu_kentry */
  lu_htab utab;
  /* blocks per multiprocessor of the kernels/ kernels, by address (launch.c) */
  lu_htab occ;
  /* libraries loaded here: the built-in groups and each NVRTC program */
  cudaLibrary_t builtin[LU_CG_NGROUPS];
  int builtin_tried;
  cudaLibrary_t *libs;
  size_t nlibs, libcap;
  /* the caching allocator of small blocks (alloc.c) */
  struct lu_cuda_alloc *alloc;
  int traced_launch;            /* LUNAR_TRACE: the first launch was reported */
  /* index kernels' error record (index.c): host-mapped when possible */
  lu_k_ixerr *h_ixerr, *d_ixerr;
  int ixerr_mapped;
  int ixpending;                /* an index kernel ran since the last check */
  struct lu_cuda_fftcache *fft; /* cuFFT plans (fft.c), made on first use */
} lu_cuda_dev;

typedef struct lu_cuda_state {
  int probed, ndev;
  struct lu_pinned *pinned;     /* page-locked host block pool (pinned.c) */
  lu_cuda_dev *dev[LU_MAXDEV];
} lu_cuda_state;

struct lu_event {
  int dev;
  cudaEvent_t ev;
};

/* A graph's capture in progress (stream.c) and the device blocks the graph
** holds (alloc.c): every block allocated during the capture, and every
** block freed during it, stays with the graph until the graph is destroyed,
** since a replay writes (or reads) them again. refused: an op that waits
** for the host was refused during the capture (msg: its error). */
typedef struct lu_cuda_capture {
  void **held;
  size_t nheld, heldcap;
  int refused;
  char msg[LU_ERRLEN];
} lu_cuda_capture;

/* The blocks of a capture, given up when its graph goes (or the capture is
** discarded): a block an array still holds is freed when the array frees
** it (alloc.c). */
void lu_cuda_capture_release(lu_cuda_dev *d, lu_cuda_capture *c);
/* LU_OK outside a capture; during one, refuses `what` (an op that makes
** the host wait for the GPU) with a clear error and marks the capture to be
** discarded (stream.c). */
int lu_cuda_no_capture(lu_ctx *ctx, lu_cuda_dev *d, const char *what);
/* Make `to` wait for everything enqueued so far on `from` (stream.c). */
int lu_cuda_order(lu_ctx *ctx, lu_cuda_dev *d, cudaStream_t from, cudaStream_t to);

/* error recording: return the status to pass on. lu_cuda_seterr is
** lu_seterr for the backend's own messages ("cuda: " and the text). */
int lu_cuda_seterr(lu_ctx *ctx, int code, const char *fmt, ...);
int lu_cuda_fail(lu_ctx *ctx, cudaError_t e, const char *call, const char *file, int line);
int lu_cuda_fail_blas(lu_ctx *ctx, cublasStatus_t e, const char *call, const char *file, int line);
int lu_cuda_fail_nvrtc(lu_ctx *ctx, nvrtcResult e, const char *call, const char *file, int line);
int lu_cuda_fail_drv(lu_ctx *ctx, CUresult e, const char *call, const char *file, int line);
/* 1 for the errors after which CUDA refuses every further call (device.c) */
int lu_cuda_sticky(int code);

#define CU_CHECK(ctx, call) do { cudaError_t e_ = (call); \
  if (e_ != cudaSuccess) return lu_cuda_fail(ctx, e_, #call, __FILE__, __LINE__); } while (0)
#define BLAS_CHECK(ctx, call) do { cublasStatus_t e_ = (call); \
  if (e_ != CUBLAS_STATUS_SUCCESS) return lu_cuda_fail_blas(ctx, e_, #call, __FILE__, __LINE__); } while (0)
#define NVRTC_CHECK(ctx, call) do { nvrtcResult e_ = (call); \
  if (e_ != NVRTC_SUCCESS) return lu_cuda_fail_nvrtc(ctx, e_, #call, __FILE__, __LINE__); } while (0)
#define DRV_CHECK(ctx, call) do { CUresult e_ = (call); \
  if (e_ != CUDA_SUCCESS) return lu_cuda_fail_drv(ctx, e_, #call, __FILE__, __LINE__); } while (0)
/* after a kernel launch (the kernels/ launchers return a cudaError_t) */
#define LAUNCH_CHECK(ctx, call) do { CU_CHECK(ctx, (cudaError_t)(call)); \
  CU_CHECK(ctx, cudaGetLastError()); } while (0)

static inline dim3 dim3_of(unsigned x) { dim3 g; g.x = x; g.y = 1; g.z = 1; return g; }

/* The state of device `dev`, created on first use, made current
** (cudaSetDevice). */
int lu_cuda_device(lu_ctx *ctx, int dev, lu_cuda_dev **out);
/* Launch planning (launch.c): scratch memory for the kernels/ launchers
** (the caching allocator), everything a launcher needs (stream, device
** facts, occupancy, scratch), the grid of a generated elementwise kernel's
** grid-stride loop over n elements (capped at 16 blocks per SM, or one
** pass of per_thread elements a thread), and the occupancy table's
** release. */
void lu_cuda_scratch(lu_cuda_dev *d, lu_k_scratch *s);
void lu_cuda_env(lu_cuda_dev *d, lu_k_env *env);
unsigned lu_cuda_grid(const lu_cuda_dev *d, int64_t n);
unsigned lu_cuda_grid_pass(int64_t n, int per_thread);
int lu_cuda_occupancy(lu_cuda_dev *d, const void *kernel, int threads);
void lu_cuda_launch_free(lu_cuda_dev *d);
/* The cuBLAS handle of d, created on the first matrix product. */
int lu_cuda_blas(lu_ctx *ctx, lu_cuda_dev *d, cublasHandle_t *h);

/* Device memory through the caching allocator (alloc.c): stream-ordered on
** d->stream; small blocks are kept for reuse, large ones go to the pool. */
cudaError_t lu_cuda_malloc(lu_cuda_dev *d, size_t n, void **p);
void lu_cuda_mfree(lu_cuda_dev *d, void *p);
size_t lu_cuda_alloc_cached(const lu_cuda_dev *d);
void lu_cuda_alloc_destroy(lu_cuda_dev *d);

/* LUNAR_TRACE=1: start-up stages on stderr, in ms since the process
** started (trace.c). lu_cuda_trace_on is read on hot paths. */
extern int lu_cuda_trace_on;
void lu_cuda_trace(const char *fmt, ...);

/* The start-up thread (prestart.c): the driver and the default device's
** context made while Lua starts; wait for the driver (full = 0) or for the
** thread to be out of CUDA (full = 1); the exit handler's wait. */
void lu_cuda_prestart(void);
void lu_cuda_prestart_wait(int full);
void lu_cuda_prestart_end(void);

/* The elementwise kernel for a signature: from the cache, the built-in
** library, the disk cache or NVRTC (kcache.c). */
int lu_cuda_kernel(lu_ctx *ctx, lu_cuda_dev *d, uint64_t key, const lu_cg_sig *sig,
                   lu_kentry *out);
/* A user's kernel from its whole source (kcache.c): text_hash is the
** FNV-1a of text (the in-memory key, so a hit reads no text); prelude puts
** lunar's kernel prelude in front; extra are NVRTC options (at most
** LU_CUDA_MAXOPTS); what names the kernel in messages. */
#define LU_CUDA_MAXOPTS 32
int lu_cuda_user_kernel(lu_ctx *ctx, lu_cuda_dev *d, const char *text, uint64_t text_hash, int prelude,
                        const char *const *extra, int nextra, const char *name,
                        const char *what, lu_kentry *out);
void lu_cuda_kcache_free(lu_cuda_dev *d);

/* linalg.c: the LAPACK entry, the small stacks' one-pass solver and the
** release of d->solver */
int lu_cuda_lapack(lu_ctx *ctx, const lu_la_call *c);
int lu_cuda_la_small(lu_ctx *ctx, const lu_la_call *c);
void lu_cuda_solver_release(lu_cuda_dev *d);

/* The families, defined beside their entries. */
extern const lu_ewise_family lu_cuda_ewise_family;     /* ewise.c */
extern const lu_reduce_family lu_cuda_reduce_family;   /* reduce.c */
extern const lu_linalg_family lu_cuda_linalg_family;   /* ops.c */
extern const lu_random_family lu_cuda_random_family;   /* ops.c */
extern const lu_index_family lu_cuda_index_family;     /* index.c */
extern const lu_sort_family lu_cuda_sort_family;       /* sort.c */
extern const lu_fft_family lu_cuda_fft_family;         /* fft.c */
/* The cuFFT plans of d (fft.c), at the device's release. */
void lu_cuda_fft_free(lu_cuda_dev *d);

/* backend entries implemented outside device.c */
int lu_cuda_ewise(lu_ctx *ctx, const lu_ewise_call *c);
int lu_cuda_reduce(lu_ctx *ctx, const lu_reduce_call *c);
int lu_cuda_matmul(lu_ctx *ctx, const lu_matmul_call *c);
void lu_cuda_reduce_plan(const lu_reduce_call *c, int sms, int occ, int has_cub,
                         lu_k_reduce_plan *p);
int lu_cuda_iota(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                 double start, double step);
int lu_cuda_random(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                   lu_randdist dist, uint64_t seed, uint64_t offset);
/* index.c: the device's record of out-of-range indices. check reports
** (and clears) one that a kernel has set; call it after waiting for the
** stream. release frees the record. */
int lu_cuda_index_check(lu_ctx *ctx, lu_cuda_dev *d);
void lu_cuda_index_release(lu_cuda_dev *d);

#endif
