/* SPDX-License-Identifier: MIT */
/*
** What NumPy tells about dtypes: finfo, iinfo, result_type and the casting
** rules (can_cast). All of it is computed from the rows of the dtype table
** (kind and size) and, for floats, from the bit layout of the format, so a
** new row needs at most a line in float_formats.
*/
#include <math.h>
#include <string.h>
#include "lu_internal.h"

/* {====================================================== casting */
/* NumPy's casting rules from the dtype table alone: "safe" is what
** promotion allows, "same_kind" adds casts that do not go down the kind
** order bool < unsigned < signed < float < complex. */
static int kind_rank(char k) {
  switch (k) {
    case 'b': return 0;
    case 'u': return 1;
    case 'i': return 2;
    case 'f': return 3;
    case 'c': return 4;
    default: return 5;
  }
}

int lu_can_cast(lu_dtype from, lu_dtype to, lu_casting casting) {
  switch (casting) {
  case LU_CAST_NO: case LU_CAST_EQUIV:
    return from == to;
  case LU_CAST_SAFE:
    return lu_promote(from, to) == to;
  case LU_CAST_SAME_KIND:
    return lu_promote(from, to) == to ||
           kind_rank(lu_dtype_kind(from)) <= kind_rank(lu_dtype_kind(to));
  default:
    return 1;
  }
}

static const char *const casting_names[] = {"no", "equiv", "safe", "same_kind", "unsafe"};

const char *lu_casting_name(lu_casting c) {
  return (unsigned)c <= LU_CAST_UNSAFE ? casting_names[c] : "?";
}

int lu_casting_from_name(const char *s) {
  int i;
  for (i = 0; i <= LU_CAST_UNSAFE; i++)
    if (strcmp(s, casting_names[i]) == 0) return i;
  return -1;
}
/* }====================================================== */


/* {====================================================== finfo, iinfo */
/* Binary floating-point formats by storage name: explicit mantissa bits
** and exponent bits. A complex dtype uses the format of its parts. */
static const struct { const char *name; int nmant, nexp; } float_formats[] = {
  {"float16", 10, 5}, {"bfloat16", 7, 8}, {"float32", 23, 8}, {"float64", 52, 11},
};

/* x rounded to nearest (ties to even) with nmant+1 significant bits, as
** NumPy holds finfo's values in the dtype itself. */
static double round_to(double x, int nmant) {
  int e;
  double m = frexp(x, &e);
  return ldexp(nearbyint(ldexp(m, nmant + 1)), e - nmant - 1);
}

int lu_finfo_of(lu_ctx *ctx, lu_dtype dt, lu_finfo *f) {
  const char *name = lu_dtype_name(dt);
  char kind = lu_dtype_kind(dt);
  int bits = 8 * lu_dtype_size(dt), i, nmant = -1, nexp = 0;
  if (kind != 'f' && kind != 'c')
    return lu_seterr(ctx, LU_ETYPE, "finfo: data type %s is not inexact (finfo takes a float or complex dtype)",
                     name);
  if (kind == 'c') bits /= 2;
  for (i = 0; i < (int)(sizeof float_formats / sizeof float_formats[0]); i++) {
    int fb = float_formats[i].nmant + float_formats[i].nexp + 1;
    if (kind == 'f' ? strcmp(float_formats[i].name, name) == 0
                    : (fb == bits && strncmp(float_formats[i].name, "float", 5) == 0)) {
      nmant = float_formats[i].nmant;
      nexp = float_formats[i].nexp;
      break;
    }
  }
  if (nmant < 0) return lu_seterr(ctx, LU_ETYPE, "finfo: no format known for data type %s", name);
  memset(f, 0, sizeof *f);
  f->dtype = dt;
  f->bits = bits;
  f->nmant = nmant;
  f->nexp = f->iexp = nexp;
  f->machep = -nmant;
  f->negep = -nmant - 1;
  f->maxexp = 1 << (nexp - 1);
  f->minexp = 2 - f->maxexp;
  f->eps = ldexp(1.0, -nmant);
  f->epsneg = ldexp(1.0, -nmant - 1);
  f->max = ldexp(2.0 - f->eps, f->maxexp - 1);
  f->min = -f->max;
  f->tiny = f->smallest_normal = ldexp(1.0, f->minexp);
  f->smallest_subnormal = ldexp(1.0, f->minexp - nmant);
  f->precision = (int)floor(nmant * log10(2.0));
  f->resolution = round_to(pow(10.0, -f->precision), nmant);
  return LU_OK;
}

int lu_iinfo_of(lu_ctx *ctx, lu_dtype dt, lu_iinfo *r) {
  char kind = lu_dtype_kind(dt);
  int bits = 8 * lu_dtype_size(dt);
  if (kind != 'i' && kind != 'u')
    return lu_seterr(ctx, LU_ETYPE, "iinfo: invalid integer data type %s (iinfo takes an integer dtype)",
                     lu_dtype_name(dt));
  r->dtype = dt;
  r->bits = bits;
  if (kind == 'u') {
    r->min = 0;
    r->max = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
  } else {
    r->min = bits >= 64 ? INT64_MIN : -((int64_t)1 << (bits - 1));
    r->max = bits >= 64 ? (uint64_t)INT64_MAX : ((uint64_t)1 << (bits - 1)) - 1;
  }
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== result_type */
/* NEP 50, as the elementwise ops resolve it: the strong dtypes promote;
** weak scalars (Lua numbers: kinds 'b', 'i', 'f'; complex values 'c') only
** raise the kind, to the default dtype of their kind (a complex value meets
** a float in the complex of its precision). Values are not looked at. */
int lu_result_type(lu_ctx *ctx, int nstrong, const lu_dtype *strong, int nweak,
                   const char *weak, lu_dtype *rt) {
  int p = -1, wk = -1, k;
  if (nstrong + nweak == 0)
    return lu_seterr(ctx, LU_EARG, "result_type: at least one array or dtype is required");
  for (k = 0; k < nstrong; k++) p = p < 0 ? (int)strong[k] : (int)lu_promote((lu_dtype)p, strong[k]);
  for (k = 0; k < nweak; k++) {
    int r = weak[k] == 'c' ? 3 : weak[k] == 'f' ? 2 : weak[k] == 'i' ? 1 : 0;
    if (r > wk) wk = r;
  }
  if (p < 0) p = wk == 3 ? LU_COMPLEX128 : wk == 2 ? LU_FLOAT64 : wk == 1 ? LU_INT64 : LU_BOOL;
  else if (wk == 3 && lu_dtype_kind(p) != 'c')
    p = lu_dtype_kind(p) == 'f' ? lu_complex_of((lu_dtype)p) : LU_COMPLEX128;
  else if (wk == 2 && lu_dtype_kind(p) != 'f' && lu_dtype_kind(p) != 'c') p = LU_FLOAT64;
  else if (wk == 1 && lu_dtype_kind(p) == 'b') p = LU_INT64;
  *rt = (lu_dtype)p;
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== min_scalar_type, common_type */
/* The smallest dtype of `kind` for which fits(dt) holds, searched over the
** table's rows by size; -1 when none. bfloat16 is not NumPy's: left out. */
static int smallest(char kind, int (*fits)(lu_dtype, const void *), const void *ud) {
  int best = -1, i;
  for (i = 0; i < LU_NDTYPES; i++) {
    if (lu_dtypes[i].kind != kind || strcmp(lu_dtypes[i].name, "bfloat16") == 0) continue;
    if (!fits((lu_dtype)i, ud)) continue;
    if (best < 0 || lu_dtypes[i].size < lu_dtypes[best].size) best = i;
  }
  return best;
}

static int int_fits(lu_dtype dt, const void *ud) {
  return lu_int_fits(*(const int64_t *)ud, dt);
}

/* A float dtype's range holds |v| (NaN and infinities fit any); a row
** without a known format never fits. */
static int float_fits(lu_dtype dt, const void *ud) {
  double v = *(const double *)ud, max;
  int i, n = (int)(sizeof float_formats / sizeof float_formats[0]);
  if (v != v || v == HUGE_VAL || v == -HUGE_VAL) return 1;
  for (i = 0; i < n; i++)
    if (strcmp(float_formats[i].name, lu_dtype_name(dt)) == 0) break;
  if (i == n) return 0;
  max = ldexp(2.0 - ldexp(1.0, -float_formats[i].nmant), (1 << (float_formats[i].nexp - 1)) - 1);
  return fabs(v) <= max;
}

/* NumPy's min_scalar_type of a value: the smallest unsigned (for v >= 0)
** or signed integer dtype that holds an integer, the smallest float dtype
** whose range holds a float. */
int lu_min_scalar_type(lu_scalar s, lu_dtype *rt) {
  int r;
  if (s.kind == 'b') { *rt = LU_BOOL; return LU_OK; }
  if (s.kind == 'i') {
    r = smallest(s.i >= 0 ? 'u' : 'i', int_fits, &s.i);
    if (r < 0) r = LU_INT64;
  } else {
    r = smallest('f', float_fits, &s.f);
    if (r < 0) r = LU_FLOAT64;
  }
  *rt = (lu_dtype)r;
  return LU_OK;
}

/* NumPy's common_type: the float (complex if any input is) of the largest
** precision among the inputs, integers counting as float64's; bool is an
** error. */
int lu_common_type(lu_ctx *ctx, int n, const lu_dtype *dts, lu_dtype *rt) {
  int size = 2, cplx = 0, k, i, best = -1;
  for (k = 0; k < n; k++) {
    char kind = lu_dtype_kind(dts[k]);
    int s = lu_dtype_size(dts[k]);
    if (kind == 'b')
      return lu_seterr(ctx, LU_ETYPE, "common_type: can't get common type for non-numeric array (%s)",
                       lu_dtype_name(dts[k]));
    if (kind == 'i' || kind == 'u') s = 8;
    if (kind == 'c') { cplx = 1; s /= 2; }
    if (s > size) size = s;
  }
  for (i = 0; i < LU_NDTYPES; i++) {
    char kind = lu_dtypes[i].kind;
    if (kind != (cplx ? 'c' : 'f') || strcmp(lu_dtypes[i].name, "bfloat16") == 0) continue;
    if (lu_dtypes[i].size == (cplx ? 2 * size : size)) best = i;
  }
  if (best < 0)
    return lu_seterr(ctx, LU_ETYPE, "common_type: no %s dtype of %d bytes", cplx ? "complex" : "float",
                     cplx ? 2 * size : size);
  *rt = (lu_dtype)best;
  return LU_OK;
}
/* }====================================================== */
