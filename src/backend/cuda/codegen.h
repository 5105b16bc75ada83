/* SPDX-License-Identifier: MIT */
/*
** The elementwise kernel generator: from an op-table row and a signature
** (compute dtype, input dtypes or scalars, output dtype, layout) it writes
** CUDA C source for one kernel. Plain C: no CUDA header, so the build-time
** generator (gen_builtin) and the NVRTC test link it without a GPU stack.
*/
#ifndef lu_cuda_codegen_h
#define lu_cuda_codegen_h

#include <stddef.h>
#include <stdint.h>
#include "lu_backend.h"

#define LU_CG_SCALAR (-1)    /* in_dt[k]: input k is a kernel parameter of type ct */

typedef struct lu_cg_sig {
  int op;            /* lu_op */
  int ct, rt;        /* compute dtype, dtype the expression yields */
  int in_dt[3];      /* dtype of array input k, or LU_CG_SCALAR */
  int out_dt;
  union {            /* one of LU_CG_STRIDED, LU_CG_FLAT, LU_CG_TILED */
    int layout;
    int contiguous;  /* the older name: 1 flat, 0 strided */
  };
} lu_cg_sig;

/* Layouts: the strided N-d loop, the flat loop over contiguous operands,
** and the 2-D tiled loop for operands whose fastest axis differs from the
** output's (transposes): those are staged through shared memory. */
#define LU_CG_STRIDED 0
#define LU_CG_FLAT 1
#define LU_CG_TILED 2
#define LU_CG_NLAYOUTS 3

/* The strided kernels take this struct by value; the generated source holds
** the same layout (int, then 8-byte aligned arrays). st[0] is the output,
** st[1 + k] input k, all in bytes. */
typedef struct lu_cg_strided {
  int32_t ndim;
  int32_t pad_;
  int64_t shape[LU_MAXDIM];
  int64_t st[4][LU_MAXDIM];
} lu_cg_strided;

/* The tiled kernels take this struct by value (same layout in the
** generated source). The 2-D index space is (y, x): x is the output's
** fastest axis, threads of a warp run along it when writing. n = {ny, nx};
** st[0] the output's strides {along y, along x}, st[1 + k] input k's, in
** bytes. Bit k of tmask: input k is read through the shared-memory tile
** (its fastest axis is y), else directly like the output. */
#define LU_CG_TILE 32         /* tile edge, elements */
#define LU_CG_TILE_ROWS 8     /* block is TILE x TILE_ROWS threads */
/* the tiles of a tiled kernel must fit static shared memory (48 KiB): a
** signature whose tiles do not (three complex128 inputs) is not valid */
#define LU_CG_TILED_SHARED (48 * 1024)
typedef struct lu_cg_tiled {
  int64_t n[2];
  int64_t st[4][2];
  int32_t tmask;
  int32_t pad_;
} lu_cg_tiled;

/* A growable string; text is NUL-terminated, NULL after an allocation
** failure (every append then does nothing and lu_sb_ok() is 0). */
typedef struct lu_sb { char *text; size_t len, cap; int failed; } lu_sb;
void lu_sb_init(lu_sb *b);
void lu_sb_puts(lu_sb *b, const char *s);
void lu_sb_printf(lu_sb *b, const char *fmt, ...);
int lu_sb_ok(const lu_sb *b);
void lu_sb_free(lu_sb *b);

/* Kernel name for a signature, e.g. "lu_add_f32_f32_f32_f32_c" (op, compute
** dtype, each input — "s" for a scalar — output, layout: c flat, s strided,
** t tiled). Returns 0 when it did not fit in len. */
int lu_cg_name(const lu_cg_sig *s, char *buf, size_t len);

/* 1 when the op has an expression for the compute kind and the signature is
** well formed (dtypes in range, the right inputs set). */
int lu_cg_valid(const lu_cg_sig *s);
/* Elements each thread of the flat layout's 16-byte vector path moves at
** once (16 / the widest operand's itemsize); 1 where there is no vector
** path (other layouts, 16-byte elements). */
int lu_cg_vector_width(const lu_cg_sig *s);

/* Definitions every generated translation unit needs once, after the
** prelude (the strided and tiled structs). */
void lu_cg_common(lu_sb *b);
/* lunar's kernel prelude (lu_numeric.h, lu_prelude.h), at the head of
** every source lunar compiles with NVRTC (kcache.c) */
void lu_cg_prelude(lu_sb *b);
/* Append the source of one extern "C" __global__ kernel. Returns 0 when
** the signature is not valid. */
int lu_cg_kernel(lu_sb *b, const lu_cg_sig *s);

/* The built-in set (compiled by nvcc at build time): the group (file) that
** holds this signature, or -1 when it is not built in. Run time and the
** build-time generator both ask this one function, so they agree.
** A group is one dtype's kernels of one class (codegen.c op_class), so
** that a first op loads its class's kernels only. */
#define LU_CG_NDTGROUPS 5
#define LU_CG_NCLASSES 3
#define LU_CG_NGROUPS (LU_CG_NDTGROUPS * LU_CG_NCLASSES)
int lu_cg_builtin_group(const lu_cg_sig *s);
/* dtype of builtin group g, and its class's name */
int lu_cg_group_dtype(int g);
const char *lu_cg_group_class(int g);

/* 64-bit FNV-1a, for disk-cache file names */
uint64_t lu_cg_hash(uint64_t h, const void *data, size_t n);
#define LU_CG_HASH_INIT 0xcbf29ce484222325ULL

#endif
