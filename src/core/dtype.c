/* SPDX-License-Identifier: MIT */
/*
** dtypes: the table, names, NumPy 2 promotion, and host scalar values.
** Everything here is generic over the rows of lu_dtypes.def (kind and size),
** so adding a row needs no change in this file.
*/
#include <string.h>
#include "lu_internal.h"
#include "lu_prelude.h"

const lu_dtype_info lu_dtypes[LU_NDTYPES] = {
#define X(E, name, ctype, size, kind, sh) {#name, #ctype, #sh, size, kind},
  LU_DTYPES(X)
#undef X
};

static const struct { const char *alias; lu_dtype dt; } aliases[] = {
  {"float", LU_FLOAT64}, {"double", LU_FLOAT64}, {"int", LU_INT64},
  {"long", LU_INT64}, {"bool_", LU_BOOL}, {"single", LU_FLOAT32},
  {"half", LU_FLOAT16}, {"complex", LU_COMPLEX128}, {"csingle", LU_COMPLEX64},
  {"cdouble", LU_COMPLEX128},
};

int lu_dtype_from_name(const char *name) {
  size_t i;
  if (name == NULL) return -1;
  for (i = 0; i < LU_NDTYPES; i++)
    if (strcmp(lu_dtypes[i].name, name) == 0) return (int)i;
  for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
    if (strcmp(aliases[i].alias, name) == 0) return (int)aliases[i].dt;
  return -1;
}

/* The smallest dtype of `kind` whose size is at least `size`; the largest of
** that kind when none is big enough; -1 when the kind has no rows. Only
** used for the integer kinds. */
static int find_kind(char kind, int size) {
  int best = -1, largest = -1, i;
  for (i = 0; i < LU_NDTYPES; i++) {
    if (lu_dtypes[i].kind != kind) continue;
    if (largest < 0 || lu_dtypes[i].size > lu_dtypes[largest].size) largest = i;
    if (lu_dtypes[i].size >= size &&
        (best < 0 || lu_dtypes[i].size < lu_dtypes[best].size))
      best = i;
  }
  return best >= 0 ? best : largest;
}

/* The size of the float part a dtype needs to be held without loss in a
** float or complex type: an integer twice its size (int16 -> 4: float32),
** a float its own, a complex the size of one part. */
static int part_size(lu_dtype d) {
  switch (lu_dtype_kind(d)) {
    case 'f': return lu_dtype_size(d);
    case 'c': return lu_dtype_size(d) / 2;
    case 'b': return 0;
    default: return 2 * lu_dtype_size(d);
  }
}

/* The float (or complex) dtype whose part is at least `need` bytes;
** bf: a 2-byte result is bfloat16 rather than float16. */
static lu_dtype float_for(int need, int complex, int bf) {
  if (complex) return need <= 4 ? LU_COMPLEX64 : LU_COMPLEX128;
  if (need <= 2) return bf ? LU_BFLOAT16 : LU_FLOAT16;
  return need <= 4 ? LU_FLOAT32 : LU_FLOAT64;
}

/* NumPy 2: an integer meets a float only in a float at least twice its size
** (int8 + float16 = float16, int16 + float16 = float32, int32 + float32 =
** float64), and a complex in a complex whose parts are that float;
** signed meets unsigned in a signed type wider than the unsigned one
** (uint64 has none: float64). bfloat16 follows ml_dtypes: it takes
** float16's place with integers, and meets float16 in float32. */
lu_dtype lu_promote(lu_dtype a, lu_dtype b) {
  char ka = lu_dtype_kind(a), kb = lu_dtype_kind(b);
  int sa = lu_dtype_size(a), sb = lu_dtype_size(b);
  if (a == b) return a;
  if (ka == 'b') return b;
  if (kb == 'b') return a;
  if (ka == 'f' || ka == 'c' || kb == 'f' || kb == 'c') {
    int pa = part_size(a), pb = part_size(b), need = pa > pb ? pa : pb;
    if (lu_dtype_is_half(a) && lu_dtype_is_half(b)) need = 4;  /* float16 + bfloat16 */
    return float_for(need, ka == 'c' || kb == 'c', a == LU_BFLOAT16 || b == LU_BFLOAT16);
  }
  if (ka == kb) return sa >= sb ? a : b;
  /* one signed, one unsigned */
  {
    int si = ka == 'i' ? sa : sb, su = ka == 'u' ? sa : sb;
    int r;
    if (si > su) return ka == 'i' ? a : b;
    r = find_kind('i', 2 * su);
    if (r < 0 || lu_dtype_size(r) < 2 * su) return LU_FLOAT64;
    return (lu_dtype)r;
  }
}

lu_dtype lu_float_of(lu_dtype a) {
  char k = lu_dtype_kind(a);
  if (k == 'f' || k == 'c') return a;
  return float_for(2 * lu_dtype_size(a), 0, 0);
}

lu_dtype lu_real_of(lu_dtype a) {
  if (a == LU_COMPLEX64) return LU_FLOAT32;
  if (a == LU_COMPLEX128) return LU_FLOAT64;
  return a;
}

lu_dtype lu_complex_of(lu_dtype a) {
  return lu_promote(a, LU_COMPLEX64);
}

int lu_kind_slot(lu_dtype ct) {
  switch (lu_dtype_kind(ct)) {
    case 'b': return 0;
    case 'f': return 2;
    case 'c': return 3;
    default: return 1;
  }
}

/* {====================================================== values */
void lu_value_store(void *h_dst, lu_dtype dt, lu_value v) {
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) \
    case E: \
      if (kind == 'f') *(ctype *)h_dst = (ctype)v.f; \
      else if (kind == 'u') *(ctype *)h_dst = (ctype)v.u; \
      else if (kind == 'b') *(ctype *)h_dst = (ctype)(v.i != 0); \
      else *(ctype *)h_dst = (ctype)v.i; \
      break;
    LU_DTYPES_NATIVE(X)
#undef X
    case LU_FLOAT16: *(lu_half *)h_dst = lu_d2h(v.f); break;
    case LU_BFLOAT16: *(lu_bf16 *)h_dst = lu_d2bf(v.f); break;
    case LU_COMPLEX64: *(lu_c64 *)h_dst = lu_cmake_c64((float)v.c.re, (float)v.c.im); break;
    case LU_COMPLEX128: *(lu_c128 *)h_dst = lu_cmake_c128(v.c.re, v.c.im); break;
    default: break;
  }
}

lu_value lu_value_load(const void *h_src, lu_dtype dt) {
  lu_value v;
  v.c.re = v.c.im = 0;
  v.i = 0;
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) \
    case E: \
      if (kind == 'f') v.f = (double)*(const ctype *)h_src; \
      else if (kind == 'u') v.u = (uint64_t)*(const ctype *)h_src; \
      else if (kind == 'b') v.i = *(const ctype *)h_src != 0; \
      else v.i = (int64_t)*(const ctype *)h_src; \
      break;
    LU_DTYPES_NATIVE(X)
#undef X
    case LU_FLOAT16: v.f = lu_h2f(*(const lu_half *)h_src); break;
    case LU_BFLOAT16: v.f = lu_bf2f(*(const lu_bf16 *)h_src); break;
    case LU_COMPLEX64:
      v.c.re = ((const lu_c64 *)h_src)->re;
      v.c.im = ((const lu_c64 *)h_src)->im;
      break;
    case LU_COMPLEX128:
      v.c.re = ((const lu_c128 *)h_src)->re;
      v.c.im = ((const lu_c128 *)h_src)->im;
      break;
    default: break;
  }
  return v;
}

/* Normalise v (already in dt's field) to what dt can hold: wraps integers,
** rounds float32, maps bool to 0/1. */
static lu_value normalise(lu_value v, lu_dtype dt) {
  _Alignas(16) unsigned char tmp[16];
  lu_value_store(tmp, dt, v);
  return lu_value_load(tmp, dt);
}

/* Complex -> real keeps the real part (NumPy's astype); real -> complex
** has a zero imaginary part. */
lu_value lu_value_cast(lu_value v, lu_dtype from, lu_dtype to) {
  char kf = lu_dtype_kind(from), kt = lu_dtype_kind(to);
  lu_value r;
  r.c.re = r.c.im = 0;
  r.i = 0;
  if (kt == 'b') {
    r.i = kf == 'c' ? (v.c.re != 0 || v.c.im != 0) : kf == 'f' ? (v.f != 0) : (v.i != 0);
    return r;
  }
  if (kt == 'c') {
    if (kf == 'c') r.c = v.c;
    else r.c.re = kf == 'f' ? v.f : kf == 'u' ? (double)v.u : (double)v.i;
    return normalise(r, to);
  }
  if (kf == 'c') {           /* the real part, as a float */
    kf = 'f';
    v.f = v.c.re;
  }
  if (kf == 'f') {
    if (kt == 'f') r.f = v.f;
    else r.i = lu_d2int(v.f, lu_dtype_size(to), kt);   /* lu_prelude.h */
  } else if (kf == 'u') {
    if (kt == 'f') r.f = (double)v.u;
    else r.u = v.u;   /* same bits in .i and .u */
  } else {
    if (kt == 'f') r.f = (double)v.i;
    else r.i = v.i;
  }
  return normalise(r, to);
}

lu_dtype lu_scalar_dtype(lu_scalar s) {
  return s.kind == 'b' ? LU_BOOL : s.kind == 'i' ? LU_INT64 : s.kind == 'c' ? LU_COMPLEX128 : LU_FLOAT64;
}

lu_value lu_value_from_scalar(lu_scalar s, lu_dtype dt) {
  lu_value v;
  if (s.kind == 'c') {
    v.c.re = s.f;
    v.c.im = s.im;
    return lu_value_cast(v, LU_COMPLEX128, dt);
  }
  if (s.kind == 'f') {
    v.f = s.f;
    return lu_value_cast(v, LU_FLOAT64, dt);
  }
  v.i = s.kind == 'b' ? (s.i != 0) : s.i;
  return lu_value_cast(v, LU_INT64, dt);
}

int lu_int_fits(int64_t v, lu_dtype dt) {
  int bits = 8 * lu_dtype_size(dt);
  switch (lu_dtype_kind(dt)) {
    case 'b': return v == 0 || v == 1;
    case 'i':
      if (bits >= 64) return 1;
      return v >= -((int64_t)1 << (bits - 1)) && v < ((int64_t)1 << (bits - 1));
    case 'u':
      if (v < 0) return 0;
      if (bits >= 64) return 1;
      return v < ((int64_t)1 << bits);
    default: return 1;
  }
}
/* }====================================================== */
