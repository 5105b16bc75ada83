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
#include <string.h>
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

/* The complex column: designated initialisers fill the rows that
** lu_ops_complex.def has, the others stay {NULL, 0}. */
const lu_cop_info lu_cops[LU_NOPS] = {
#define X(name, nin, res, e) [LU_OP_##name] = {#e, res == LU_CX_REAL},
  LU_OPS_COMPLEX(X)
#undef X
};

/* A complex row must have its op's arity (the CPU loops are chosen by it)
** and yield bool exactly when the op is a comparison. */
enum {
#define X(name, nin, rule, eb, ei, ef) NIN_##name = nin, RULE_##name = rule,
  LU_OPS(X)
#undef X
};
#define X(name, nin, res, e) \
  _Static_assert(NIN_##name == nin, "lu_ops_complex.def: " #name " has the wrong arity"); \
  _Static_assert(((int)RULE_##name == (int)LU_R_CMP) == (res == LU_CX_BOOL), \
                 "lu_ops_complex.def: " #name " must be LU_CX_BOOL exactly when it compares");
LU_OPS_COMPLEX(X)
#undef X

const char *lu_op_expr(lu_op op, lu_dtype ct) {
  if ((unsigned)op >= LU_NOPS || (unsigned)ct >= LU_NDTYPES) return NULL;
  if (lu_dtype_kind(ct) == 'c') return lu_cops[op].expr;
  return lu_ops[op].expr[lu_kind_slot(ct)];
}

lu_dtype lu_op_result(lu_op op, lu_dtype ct) {
  if (lu_ops[op].rule != LU_R_CMP && lu_dtype_kind(ct) == 'c' && lu_cops[op].real)
    return lu_real_of(ct);
  return (lu_dtype)LU_RULE_RT(lu_ops[op].rule, ct);
}

const lu_red_info lu_reds[LU_NREDS] = {
#define X(name, rule, flags, nonfloat, params, acc, ident, map, combine, fin) \
  {#name, rule, flags, LU_RED_##nonfloat, params},
  LU_REDUCTIONS(X)
#undef X
};

lu_dtype lu_red_result(lu_redop op, lu_dtype dt) {
  char k = lu_dtype_kind(dt);
  switch (lu_reds[op].rule) {
    case LU_RR_SUM: return k == 'f' || k == 'c' ? dt : (k == 'u' ? LU_UINT64 : LU_INT64);
    case LU_RR_INT64: return LU_INT64;
    case LU_RR_BOOL: return LU_BOOL;
    case LU_RR_FLOAT:   /* complex: mean stays complex, var and std are real */
      if (k == 'c') return strstr(lu_reds[op].params, "ddof") ? lu_real_of(dt) : dt;
      return k == 'f' ? dt : LU_FLOAT64;
    default: return dt;
  }
}
