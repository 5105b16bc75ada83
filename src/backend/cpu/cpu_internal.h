/* SPDX-License-Identifier: MIT */
/*
** Private declarations shared by the files of the CPU backend
** (src/backend/cpu). Nothing here is seen by the core or the binding: they
** reach the backend only through lu_cpu_backend.
*/
#ifndef cpu_internal_h
#define cpu_internal_h

#include <stdint.h>
#include <stddef.h>
#include "lu_backend.h"

/* Elements per chunk of the buffered (cast / strided) loops: the gathered
** operands of one chunk stay in L1. */
#define CPU_CHUNK 1024
/* Below this many elements a loop runs on one thread: starting a parallel
** region costs more than it saves. CPU_PAR_MIN is the default; each op
** class has its own (lu_cpu_par_min, cpu_pool.c: measured with
** bench/par_calibrate.lua, LUNAR_PAR_MIN overrides). */
#define CPU_PAR_MIN 32768
enum { CPU_PAR_EWISE, CPU_PAR_TRANS, CPU_PAR_REDUCE, CPU_PAR_FFT, CPU_PAR_INDEX, CPU_PAR_NCLASS };
int64_t lu_cpu_par_min(int cls);

/* {===== macro helpers
** A second expansion of LU_DTYPES inside an LU_DTYPES callback is blocked by
** the preprocessor; CPU_DEFER hides the inner name until CPU_EXPAND rescans
** the whole text, so a callback can emit a nested `switch` over dtypes. */
#define CPU_EMPTY()
#define CPU_DEFER(id) id CPU_EMPTY()
#define CPU_EXPAND(...) __VA_ARGS__
#define CPU_DTYPES_I() LU_DTYPES
#define CPU_NATIVE_I() LU_DTYPES_NATIVE
/* }===== */

/* Per-dtype facts that the loops need, from LU_DTYPES (the backend does not
** depend on the core's lu_dtypes[] table, so it can be tested alone). */
extern const int lu_cpu_dsize[LU_NDTYPES];
extern const char lu_cpu_dkind[LU_NDTYPES];

/* Convert n elements of dtype `from` (byte stride ss) to dtype `to` (byte
** stride ds), with C's conversions (to bool: != 0). Strides may be 0 for the
** source. Source and destination must not overlap unless identical. */
void lu_cpu_cast(lu_dtype from, const char *src, int64_t ss,
                 lu_dtype to, char *dst, int64_t ds, int64_t n);
/* Store a backend scalar (already of dtype dt, see lu_value) as a dt. */
void lu_cpu_store_value(lu_dtype dt, lu_value v, void *dst);

/* The reduction table's rows instantiated per dtype (cpu_reduce_rows.c),
** as cpu_reduce.c drives them; op is an lu_redop, acc points at
** accumulators of the row's type (sizes() gives its size and the result's). */
typedef struct lu_cpu_redfns {
  void (*fold)(int op, const char *p, int64_t n, int64_t s, int64_t r0, void *acc);
  void (*ident)(int op, void *acc, int64_t m);
  void (*cstep)(int op, const char *row, int64_t m, int64_t si, int64_t r, void *acc);
  void (*merge)(int op, void *dst, const void *src, int64_t m);
  void (*fin)(int op, const void *acc, int64_t m, int64_t n, double ddof, void *out);
  void (*sizes)(int op, int *accsz, int *ressz);
} lu_cpu_redfns;
extern const lu_cpu_redfns lu_cpu_redfns_of[LU_NDTYPES];

/* The families, each defined in the file of its loops. */
extern const lu_ewise_family lu_cpu_ewise_family;     /* cpu_ewise.c */
extern const lu_reduce_family lu_cpu_reduce_family;   /* cpu_reduce.c */
extern const lu_linalg_family lu_cpu_linalg_family;   /* cpu_matmul.c (+ cpu_linalg.c) */
extern const lu_random_family lu_cpu_random_family;   /* cpu_random.c */
extern const lu_index_family lu_cpu_index_family;     /* cpu_index.c */
extern const lu_sort_family lu_cpu_sort_family;       /* cpu_sort.c */
extern const lu_fft_family lu_cpu_fft_family;         /* cpu_fft.c */
extern const lu_io_family lu_cpu_io_family;           /* cpu_io.c */
/* 1 when p is a mapping made by lu_cpu_io_family (now unmapped), else 0 */
int lu_cpu_unmap(void *p);
/* Scratch of the backend's own loops: big blocks from the buffer cache
** (reused without page faults), NULL when out of memory (cpu_backend.c). */
void *lu_cpu_scratch(size_t nbytes);
void lu_cpu_scratch_free(void *p);
/* Buffers below the big-block cache's size (cpu_small.c): NULL when out of
** memory; _free returns 0 for a pointer that is not one of them; _trim
** gives the kept ones back; _kept counts their bytes. */
void *lu_cpu_small_alloc(size_t nbytes);
int lu_cpu_small_free(void *p);
void lu_cpu_small_trim(void);
size_t lu_cpu_small_kept(void);

/* The entries implemented in the other files. */
int lu_cpu_ewise(lu_ctx *ctx, const lu_ewise_call *c);
int lu_cpu_reduce(lu_ctx *ctx, const lu_reduce_call *c);
int lu_cpu_matmul(lu_ctx *ctx, const lu_matmul_call *c);
/* A float32/float64 product whose B has at most 16 columns, by lunar's own
** kernel (cpu_matmul_narrow.c): 1 when it took the call (*st its status),
** 0 when the call is not one it takes. */
int lu_cpu_mm_narrow(lu_ctx *ctx, const lu_matmul_call *c, int sz, int *st);
int lu_cpu_lapack(lu_ctx *ctx, const lu_la_call *c);
/* OpenBLAS and LAPACKE opened (cpu_blaslib.c) and OpenBLAS held to the
** threads lunar may use, once (cpu_matmul.c); NULL when ready, else why
** not (for the caller's message). */
const char *lu_cpu_blas_ready(void);
/* Before a call of about `macs` multiply-adds that may use OpenBLAS's
** threads: its count follows the cores no other process is running on
** (set only when that changes; cpu_matmul.c). */
void lu_cpu_blas_follow(double macs);
int lu_cpu_iota(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                double start, double step);
int lu_cpu_random(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                  lu_randdist dist, uint64_t seed, uint64_t offset);
/* Blocks [b0, b0 + nb) of the stream (dist 0 uniform, 1 normal; f64: the
** float64 blocks of two) into o, on the calling thread, as lu_cpu_random
** writes them: the fused kernels' draws fill their values through it (the
** launch's rngfill, src/core/fuse.c) */
void lu_cpu_rng_fill(void *o, uint64_t seed, uint64_t b0, int64_t nb, int dist, int f64);
int lu_cpu_mask_select(lu_ctx *ctx, lu_device dev, lu_dtype dt, const void *in,
                       const void *mask, int64_t n, void *out);
int lu_cpu_mask_scatter(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                        const void *mask, int64_t n, const void *vals);
int lu_cpu_fft(lu_ctx *ctx, const lu_fft_call *c);

/* The sort family's entries in cpu_scan.c. */
int lu_cpu_scan(lu_ctx *ctx, const lu_scan_call *c);
int lu_cpu_search(lu_ctx *ctx, const lu_search_call *c);
int lu_cpu_bincount(lu_ctx *ctx, const lu_hist_call *c);
int lu_cpu_histogram(lu_ctx *ctx, const lu_hist_call *c);

/* The complex kernels (cpu_ewise_complex.c): out[i] = EXPR(in0[i*st0], ...)
** for n values; -1 when op has no complex expression. lu_cpu_cop[op] is 0
** for those, else 1 + the row's RES (LU_CX_SAME, _REAL, _BOOL). */
int lu_cpu_kernel_c64(int op, int64_t n, const void *const *in, const int64_t *st, void *out);
int lu_cpu_kernel_c128(int op, int64_t n, const void *const *in, const int64_t *st, void *out);
extern const unsigned char lu_cpu_cop[LU_NOPS];

/* One Philox4x32-10 block (exposed for the known-answer test); the stream
** that lu_cpu_random reads is defined in src/core/lu_philox.h. */
void lu_cpu_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Hot loops built for several instruction sets, the best chosen once at
** load time (GCC's target_clones: needs x86-64, ELF and glibc's ifuncs). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__) && \
    defined(__GLIBC__)
#define CPU_CLONES_TO(...) __attribute__((target_clones(__VA_ARGS__)))
#else
#define CPU_CLONES_TO(...)
#endif
/* AVX-512, AVX2 and the baseline. Not FMA: contracting a*b+c would change
** results, and GCC's AVX-512 clone may contract, so the files built in
** clones are compiled with -ffp-contract=off (CMakeLists.txt). The AVX-512
** clone calls libmvec's 8- and 16-wide functions: on the 2-core machine
** (AMD EPYC) exp, log and sin of 10^6 float32 took 0.75x-0.8x the AVX2
** clone's time, tanh 0.6x, float64 exp, log and sin 0.8x (one thread,
** 2026-12-06). */
#define CPU_CLONES CPU_CLONES_TO("avx512f", "avx2", "default")

#endif
