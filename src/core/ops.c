/* SPDX-License-Identifier: MIT */
/*
** The op and reduction tables, generated from lu_ops.def and lu_reduce.def.
**
** An expression column is either a parenthesised expression, stringified
** for the CUDA generator, or the bare token LU_NONE, which must become NULL.
** The choice is made by the preprocessor so that the tables stay constant:
** PAREN_PROBE followed by a parenthesised expression is a macro call that
** yields an extra argument; followed by LU_NONE it stays a plain token.
*/
#include <stddef.h>
#include "lu_internal.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SECOND_(a, b, ...) b
#define SECOND(...) SECOND_(__VA_ARGS__)
#define PAREN_PROBE(...) ~, 1
#define IS_PAREN(x) SECOND(PAREN_PROBE x, 0, ~)
#define EXPR_1(x) #x
#define EXPR_0(x) NULL
#define EXPR(x) CAT(EXPR_, IS_PAREN(x))(x)

const lu_op_info lu_ops[LU_NOPS] = {
#define X(name, nin, rule, eb, ei, ef) \
  {#name, nin, rule, {EXPR(eb), EXPR(ei), EXPR(ef)}},
  LU_OPS(X)
#undef X
};

const lu_red_info lu_reds[LU_NREDS] = {
#define X(name, rule, flags, nonfloat, params, acc, ident, map, combine, fin) \
  {#name, rule, flags, LU_RED_##nonfloat, params},
  LU_REDUCTIONS(X)
#undef X
};

lu_dtype lu_red_result(lu_redop op, lu_dtype dt) {
  char k = lu_dtype_kind(dt);
  switch (lu_reds[op].rule) {
    case LU_RR_SUM: return k == 'f' ? dt : (k == 'u' ? LU_UINT64 : LU_INT64);
    case LU_RR_INT64: return LU_INT64;
    case LU_RR_BOOL: return LU_BOOL;
    case LU_RR_FLOAT: return k == 'f' ? dt : LU_FLOAT64;
    default: return dt;
  }
}
