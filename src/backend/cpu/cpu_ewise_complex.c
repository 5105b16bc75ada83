/* SPDX-License-Identifier: MIT */
/*
** Elementwise kernels for the complex compute dtypes: the expressions of
** lu_ops_complex.def instantiated for complex64 and complex128, with the
** same calling convention as cpu_ewise.c's kernels (n values of the
** compute type, input stride 1 or 0, the result written contiguously).
** Complex values are structs, so C's casts are out: the loops assign the
** expression to the result type, which the row's RES column names
** (complex, the real part type, or bool).
*/
#include "lu_prelude.h"
#include "cpu_internal.h"

#define RT_LU_CX_SAME(T, P) T
#define RT_LU_CX_REAL(T, P) P
#define RT_LU_CX_BOOL(T, P) uint8_t

#define SIMD _Pragma("omp simd")

#define CLOOP1(EXPR) { \
    const T_ *restrict pa = in[0]; R_ *restrict po = out; \
    if (st[0]) { SIMD for (int64_t i = 0; i < n; i++) { T_ a = pa[i]; po[i] = EXPR; } } \
    else { T_ a = pa[0]; R_ v = EXPR; for (int64_t i = 0; i < n; i++) po[i] = v; } \
    return 0; }

/* the contiguous cases spelled out, so that the compiler vectorises them */
#define CLOOP2(EXPR) { \
    const T_ *restrict pa = in[0], *restrict pb = in[1]; R_ *restrict po = out; \
    if (st[0] && st[1]) { \
      SIMD for (int64_t i = 0; i < n; i++) { T_ a = pa[i], b = pb[i]; po[i] = EXPR; } \
    } else if (st[0]) { \
      const T_ b = pb[0]; \
      SIMD for (int64_t i = 0; i < n; i++) { T_ a = pa[i]; po[i] = EXPR; } \
    } else if (st[1]) { \
      const T_ a = pa[0]; \
      SIMD for (int64_t i = 0; i < n; i++) { T_ b = pb[i]; po[i] = EXPR; } \
    } else { \
      T_ a = pa[0], b = pb[0]; R_ v = EXPR; \
      for (int64_t i = 0; i < n; i++) po[i] = v; \
    } \
    return 0; }

#define CLOOP3(EXPR) { \
    const T_ *restrict pa = in[0], *restrict pb = in[1], *restrict pc = in[2]; \
    R_ *restrict po = out; \
    int64_t sa = st[0], sb = st[1], sc = st[2]; \
    for (int64_t i = 0; i < n; i++) { \
      T_ a = pa[i * sa], b = pb[i * sb], c = pc[i * sc]; po[i] = EXPR; } \
    return 0; }

#define COP_CASE(name, nin, res, e) \
  case LU_OP_##name: { typedef RT_##res(T_, P_) R_; CLOOP##nin(e) }

#define CKERNEL(sh, T, P) \
  CPU_CLONES int lu_cpu_kernel_##sh(int op, int64_t n, const void *const *in, \
                                    const int64_t *st, void *out) { \
    typedef T T_; \
    typedef P P_; \
    switch (op) { LU_OPS_COMPLEX(COP_CASE) default: break; } \
    return -1; \
  }

CKERNEL(c64, lu_c64, float)
CKERNEL(c128, lu_c128, double)

#define CDEF_ROW(name, nin, res, e) [LU_OP_##name] = 1 + res,
const unsigned char lu_cpu_cop[LU_NOPS] = { LU_OPS_COMPLEX(CDEF_ROW) };
