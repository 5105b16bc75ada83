/* SPDX-License-Identifier: MIT */
/*
** The op and reduction tables, generated from lu_ops.def.
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
#define X(name, rule) {#name, rule},
  LU_REDUCTIONS(X)
#undef X
};
