/* SPDX-License-Identifier: MIT */
/*
** The rows of the reduction table (src/core/lu_reduce.def) as CUDA
** reducers: one struct template Row_NAME<T> per row, whose members paste
** the row's expressions, and the group functions that instantiate the
** kernels of reduce.cuh for them. Included by the group files
** (reduce_g*.cu) only, each of which defines LU_K_RGROUP.
**
** Specialisations kept from the hand-written reducers:
**   - argmin/argmax fold with a cheaper step (one compare per element);
**   - the CUB path exists for sum, prod, min, max, any and all, the rows
**     whose full reductions it served before the table (each CUB
**     instantiation costs build time; the other rows reduce everything
**     through the ROWS path with a split).
** Rows computed by another row for non-float input (nansum ...) are not
** instantiated for integer storage types: the core never asks for them.
*/
#ifndef lu_reduce_rows_cuh
#define lu_reduce_rows_cuh

#include "reduce.cuh"

namespace lu_k {

#define LU_K_ROW(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
  template <class T_> struct Row_##NAME { \
    using T = T_; \
    using F = fwork_t<T>; \
    using S = sum_t<T>; \
    using A = ACC; \
    using R = typename res<RULE, T>::type; \
    static constexpr lu_redop op = LU_RED_##NAME; \
    static constexpr bool absent = !is_float<T>::value && LU_RED_##NONFLOAT != LU_RED_##NAME; \
    double ddof; \
    LU_HD A init() const { return IDENT; } \
    LU_D A load(T x, int64_t i) const { (void)i; return MAP; } \
    LU_D A combine(A a, A b) const { return COMBINE; } \
    LU_D R fin(A a, int64_t n) const { (void)n; return (R)(FIN); } \
  };
LU_REDUCTIONS(LU_K_ROW)
#undef LU_K_ROW

/* {===== specialisations */
/* argmin/argmax: a thread folds increasing positions, so a later equal value
** never wins and one compare decides (two with NaN). An element equal to
** the identity is never taken; if nothing beats it anywhere, every element
** equals it and the row's FIN (lu_vi_pos) answers the first position. */
template <class T>
LU_D typename Row_argmax<T>::A step(const Row_argmax<T> &r, typename Row_argmax<T>::A a, T x,
                                    int64_t i) {
  bool take = x > a.v;
  if constexpr (is_float<T>::value) take = take || (x != x && a.v == a.v);
  if (take) { a.v = x; a.i = i; }
  return a;
}
template <class T>
LU_D typename Row_argmin<T>::A step(const Row_argmin<T> &r, typename Row_argmin<T>::A a, T x,
                                    int64_t i) {
  bool take = x < a.v;
  if constexpr (is_float<T>::value) take = take || (x != x && a.v == a.v);
  if (take) { a.v = x; a.i = i; }
  return a;
}

template <class Row> struct has_cub {
  static constexpr bool value = Row::op == LU_RED_sum || Row::op == LU_RED_prod ||
      Row::op == LU_RED_min || Row::op == LU_RED_max || Row::op == LU_RED_any ||
      Row::op == LU_RED_all;
};
/* }===== */

/* {===== one row, every storage type */
template <template <class> class RowT>
static int run_row(const lu_reduce_call *c, const lu_k_reduce_plan *p, cudaStream_t st,
                   const lu_k_scratch *sc) {
  return dispatch(c->in_dt, [&](auto tg, bool) -> int {
    using Row = RowT<typename decltype(tg)::type>;
    if constexpr (Row::absent) {
      return (int)cudaErrorInvalidValue;
    } else {
      Row r;
      r.ddof = c->ddof;
      return run_reduce<Row, has_cub<Row>::value>(r, c, p, st, sc);
    }
  });
}

template <template <class> class RowT>
static int info_row(lu_dtype dt, lu_k_reduce_info *info) {
  return dispatch(dt, [&](auto tg, bool) -> int {
    using Row = RowT<typename decltype(tg)::type>;
    if constexpr (Row::absent) {
      return (int)cudaErrorInvalidValue;
    } else {
      info->rows_fn = (const void *)rows_kernel<Row>;
      info->has_cub = has_cub<Row>::value;
      info->acc_size = sizeof(typename Row::A);
      return 0;
    }
  });
}
/* }===== */

/* {===== the group of this file: rows whose index % LU_K_RGROUPS == GR */
template <int GR>
int reduce_group(const lu_reduce_call *c, const lu_k_reduce_plan *p, cudaStream_t st,
                 const lu_k_scratch *sc) {
  switch (c->op) {
#define LU_K_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
    case LU_RED_##NAME: \
      if constexpr (LU_RED_##NAME % LU_K_RGROUPS == GR) return run_row<Row_##NAME>(c, p, st, sc); \
      break;
    LU_REDUCTIONS(LU_K_CASE)
#undef LU_K_CASE
    default: break;
  }
  return (int)cudaErrorInvalidValue;
}

template <int GR>
int reduce_group_info(lu_redop op, lu_dtype dt, lu_k_reduce_info *info) {
  switch (op) {
#define LU_K_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
    case LU_RED_##NAME: \
      if constexpr (LU_RED_##NAME % LU_K_RGROUPS == GR) return info_row<Row_##NAME>(dt, info); \
      break;
    LU_REDUCTIONS(LU_K_CASE)
#undef LU_K_CASE
    default: break;
  }
  return (int)cudaErrorInvalidValue;
}

template int reduce_group<LU_K_RGROUP>(const lu_reduce_call *, const lu_k_reduce_plan *,
                                       cudaStream_t, const lu_k_scratch *);
template int reduce_group_info<LU_K_RGROUP>(lu_redop, lu_dtype, lu_k_reduce_info *);
/* }===== */

}  // namespace lu_k

#endif
