/* SPDX-License-Identifier: MIT */
/*
** User kernels (ElementwiseKernel, ReductionKernel): what the core hands a
** backend. The core parses the parameters, binds the types, broadcasts the
** operands and writes the kernel's whole source; a backend only compiles
** that source once (cached in memory and on disk by its hash) and runs its
** entry `lu_uk_main` on one launch descriptor.
**
** This header stands beside lu_backend.h rather than in it: adding a family
** there rebuilds every CUDA kernel (lu_backend.h is included by kernels/),
** so the backends' entries are plain functions declared here until the
** interface gains a ukernel family (doc/design-notes.md).
*/
#ifndef lu_ukernel_h
#define lu_ukernel_h

#include "lu_types.h"

#define LU_UK_MAXP 32      /* parameters (inputs + outputs) of one kernel */

/* The launch descriptor, spelled once: the generated source declares the
** same struct from the same text (LU_UK_STR(LU_UK_FIELDS)).
**   nout  elements of the outer loop (the loop's size; the output's size
**         for a reduction)
**   nred  elements reduced into each output (1 for an elementwise kernel)
**   nk, nr  the outer loop's dims (shape[0..nk)) and the reduced dims
**         (shape[nk..nk+nr)), row-major each
**   ptr[k], st[k][d]  parameter k's first element and its byte stride along
**         dim d (raw parameters: the array's data, strides unused)
**   n     what _ind.size() returns
**   scalars  bit k set: parameter k is a Lua number; ptr[k] then points to
**         its value in host memory (16 bytes), which the CUDA backend
**         copies into the kernel's parameters
**   lo, hi  the outer indices [lo, hi) this call runs (the CPU backend
**         splits [0, nout) over its threads; the core sets 0, nout)
**   rngfill  the CPU backend's lu_cpu_rng_fill (it sets it): fused random
**         draws fill their values through it a chunk at a time */
#define LU_UK_FIELDS \
  int64_t nout, nred, n; int nk, nr; int64_t shape[16]; char *ptr[32]; int64_t st[32][16]; \
  unsigned int scalars; int64_t lo, hi; \
  void (*rngfill)(void *o, uint64_t seed, uint64_t b0, int64_t nb, int dist, int f64);
#define LU_UK_STR_(...) #__VA_ARGS__
#define LU_UK_STR(...) LU_UK_STR_(__VA_ARGS__)

typedef struct lu_uk_launch { LU_UK_FIELDS } lu_uk_launch;

/* cpu_ukernel.c: compile src with the host's C compiler (cached), then run
** lu_uk_main(launch). `what` names the kernel in messages
** ("ElementwiseKernel 'sqdiff'"); src_hash is lu_text_hash(src). */
int lu_cpu_ukernel_run(lu_ctx *ctx, const char *what, const char *src, uint64_t src_hash,
                       const lu_uk_launch *launch);

/* src/backend/cuda/ukernel.c: compile (cached) and launch; argv as
** cuLaunchKernel takes them. src_hash, code_hash: FNV-1a of the text
** (kept by the caller, so a launch does not read the text again). */
int lu_cuda_raw_launch(lu_ctx *ctx, const char *what, const char *code, uint64_t code_hash, int nopts,
                       const char *const *opts, const char *name, const int64_t *grid,
                       const int64_t *block, int64_t shared_mem, void **argv, lu_device dev);

/* The CUDA source of a call of k (the CUDA backend puts lunar's prelude in
** front): vt[j] is parameter j's value dtype, sd[j] its operand's storage
** dtype (-1: a Lua number, stored as vt[j]), phdt[p] placeholder p's dtype
** (-1: unbound), rdt the reduce type's dtype (reductions). Malloc'd; NULL
** on out of memory. tests/c/test_nvrtc.c compiles these without a GPU. */
struct lu_ukernel;
void lu_ukernel_set_thread_state(struct lu_ukernel *k, const char *type);
char *lu_ukernel_cuda_source(const struct lu_ukernel *k, const int *vt, const int *sd, const int *phdt,
                             int rdt);

/* A growing text that generated sources are written into (ukernel.c,
** fuse.c): s holds n bytes (NUL-terminated), oom set once an allocation
** failed (then every later write is dropped). Zero-initialise it; the
** caller frees s. */
typedef struct lu_uk_text { char *s; size_t n, cap; int oom; } lu_uk_text;
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))   /* the compiler checks every format */
#endif
void lu_uk_put(lu_uk_text *b, const char *fmt, ...);

/* Pieces of the generated sources that fused row kernels share
** (fuse_rows.c): the C includes and launch typedef, the C odometer
** (lu_uk_step, lu_uk_seek), the CUDA launch struct for np parameters and
** its lu_uk_offsets; a store of C value `name` into storage dtype s at
** ptr[j] + off[j] (texts: "L->ptr", "lu_ro"). */
void lu_uk_put_c_launch(lu_uk_text *b);
void lu_uk_put_c_odometer(lu_uk_text *b, int np);
void lu_uk_put_cuda_launch(lu_uk_text *b, int np);
void lu_uk_put_cuda_offsets(lu_uk_text *b, int np);
void lu_uk_put_store(lu_uk_text *b, int s, const char *ptr, int j, const char *off, const char *name);
/* Merge a launch's dims that every parameter walks as one, within the
** outer dims and within the reduced dims; drop dims of length 1 */
void lu_uk_merge_dims(lu_uk_launch *L, int np);

/* FNV-1a of a text: the key user kernels' sources are cached by (ukernel.c) */
uint64_t lu_text_hash(const char *t);
/* Comments and string and character literals of C text blanked to spaces
** (newlines kept), so that a scan for words sees code only */
void lu_src_blank(char *s);

/* {------------------------------------------------------ automatic fusion
** An ElementwiseKernel call on its inputs alone may be recorded as a node of
** a fused program (lazy.c) and its operation written into the program's
** source (fuse.c). A pending node or a program holds a reference to the
** kernel (lu_ukernel_ref; lu_ukernel_free drops one), so the Lua object's
** collection frees nothing they use. */
struct lu_arg;
void lu_ukernel_ref(struct lu_ukernel *k);
/* Whether k(args) (nargs inputs: arrays, of which only dtype, ndim and shape
** are read, or Lua numbers) can be recorded for a device of type devtype,
** and what it gives: vt[0..nin] each parameter's dtype (vt[nin]: the
** output's), the loop's shape nd, shape. LU_OK only for a kernel whose
** operation a program can carry (one output, at most 3 inputs, no raw
** parameter, no preamble, no `i`, `_ind`, `return` or `#` in the
** operation), with the binding and shape that lu_ukernel_call would find,
** and a binding that ran before on that device type (so it compiles: a
** kernel's compile errors are raised by a call, never later). Any other
** status declines, with an error left in ctx for the caller to drop. */
int lu_ukernel_fusion(lu_ctx *ctx, const struct lu_ukernel *k, int nargs,
                      const struct lu_arg *args, int devtype, int *vt, int *nd, int64_t *shape);
/* The binding of k's inputs args[0..nin) (arrays read for their dtype
** only): vt[0..nin] as above, with a call's errors */
int lu_ukernel_bind_inputs(lu_ctx *ctx, const struct lu_ukernel *k, int nin,
                           const struct lu_arg *args, int *vt);
/* The identity of k's operation in fused programs: a hash of its
** parameters' types and names and its operation */
uint64_t lu_ukernel_key(const struct lu_ukernel *k);
/* k's operation as a function `fname` of its inputs (const, by value, in
** the C types of binding vt) returning its output (a local that starts
** at 0), the placeholders typedef'd inside it: CUDA device code or C */
void lu_ukernel_put_fn(lu_uk_text *b, const struct lu_ukernel *k, const char *fname, const int *vt,
                       int cuda);
/* }------------------------------------------------------ */

/* The threads of a block of a CUDA reduction kernel (one block per output) */
#define LU_UK_CUDA_RBLOCK 256

/* src/backend/cuda/ukernel.c: compile src with NVRTC (cached in memory and
** on disk like lunar's own kernels) and launch lu_uk_main on the device's
** stream: np parameters; a reduction gets one block of LU_UK_CUDA_RBLOCK
** threads per output, an elementwise kernel one pass of per_thread
** elements a thread (its vector loop's width, 1 where it has none). */
int lu_cuda_ukernel_run(lu_ctx *ctx, const char *what, const char *src, uint64_t src_hash,
                        const lu_uk_launch *launch, int np, int reduction, int per_thread,
                        lu_device dev);

#endif
