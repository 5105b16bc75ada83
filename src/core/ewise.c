/* SPDX-License-Identifier: MIT */
/*
** Elementwise dispatch: result dtypes (NumPy 2 / NEP 50), device checks,
** broadcasting, overlap handling, dimension merging, and the call into the
** backend. Also assignment and dtype conversion, which are the copy op.
*/
#include <string.h>
#include "lu_internal.h"

/* One operand as the dispatcher sees it. */
typedef struct opnd {
  const lu_array *arr;   /* array on the op's device, or NULL */
  lu_array tmp;          /* owned temporary (condition as bool, overlap copy) */
  int weak;              /* a Lua scalar */
  lu_scalar s;
  int host;              /* a 0-d array from another device, read to the host */
  lu_dtype dt;           /* dtype of a strong operand (array or host value) */
  lu_value hv;           /* value of a host operand, of dtype dt */
} opnd;

static char wkind_rank(char k) { return k == 'c' ? 3 : k == 'f' ? 2 : k == 'i' ? 1 : 0; }

/* Kinds in NumPy's order for casting: bool < unsigned < signed < float <
** complex. */
static int kind_rank(lu_dtype dt) {
  switch (lu_dtype_kind(dt)) {
    case 'b': return 0;
    case 'u': return 1;
    case 'i': return 2;
    case 'f': return 3;
    default: return 4;
  }
}

/* NumPy's 'same_kind' casting: any size within a kind, or to a higher kind
** (int64 -> uint8 is refused, uint64 -> int8 allowed, as NumPy). */
int lu_same_kind(lu_dtype from, lu_dtype to) {
  return kind_rank(from) <= kind_rank(to);
}

/* ldexp(x, e): x decides the float type; e must be an integer (bool and
** every integer dtype but uint64, which NumPy cannot cast safely to int64). */
static int resolve_ldexp(lu_ctx *ctx, const char *name, const opnd *o, int force,
                         lu_dtype *ct, lu_dtype *rt) {
  lu_dtype d0 = o[0].weak ? (o[0].s.kind == 'f' ? LU_FLOAT64 : o[0].s.kind == 'i' ? LU_INT64
                                                                                   : LU_BOOL)
                          : o[0].dt;
  if (o[1].weak ? o[1].s.kind == 'f'
                : (lu_dtype_kind(o[1].dt) != 'b' && lu_dtype_kind(o[1].dt) != 'i' &&
                   (lu_dtype_kind(o[1].dt) != 'u' || lu_dtype_size(o[1].dt) >= 8)))
    return lu_seterr(ctx, LU_ETYPE, "%s: the exponent must be an integer, got %s", name,
                     o[1].weak ? "a float" : lu_dtype_name(o[1].dt));
  if (force >= 0 && lu_dtype_kind(force) != 'f')
    return lu_seterr(ctx, LU_ETYPE, "%s: no loop for dtype %s", name, lu_dtype_name(force));
  if (force >= 0 && !o[0].weak && !lu_same_kind(d0, (lu_dtype)force))
    return lu_seterr(ctx, LU_ETYPE, "%s: cannot cast input 1 from %s to %s with casting rule 'same_kind'",
                     name, lu_dtype_name(d0), lu_dtype_name(force));
  *ct = *rt = force >= 0 ? (lu_dtype)force : lu_float_of(d0);
  if (*ct == LU_BFLOAT16) *ct = *rt = LU_FLOAT32;   /* ml_dtypes has no bfloat16 ldexp loop */
  return LU_OK;
}

/* dtype= (force >= 0) fixes the compute dtype of the op's loop, as NumPy's
** signature (None, ..., dtype): strong inputs must cast to it with the
** 'same_kind' rule; comparisons only accept bool, the type of their result. */
static int resolve_forced(lu_ctx *ctx, const char *name, lu_op op, int nin, const opnd *o,
                          int force, int p, lu_dtype *ct, lu_dtype *rt) {
  const lu_op_info *info = &lu_ops[op];
  int k;
  if (info->rule == LU_R_CMP) {
    if (force != LU_BOOL)
      return lu_seterr(ctx, LU_ETYPE, "%s: no loop for a %s result (comparisons give bool)",
                       name, lu_dtype_name(force));
    *ct = (lu_dtype)p;
    *rt = LU_BOOL;
    return LU_OK;
  }
  if (info->rule == LU_R_F64 && force != LU_FLOAT64 && force != LU_COMPLEX128)
    return lu_seterr(ctx, LU_ETYPE, "%s: no loop for dtype %s", name, lu_dtype_name(force));
  *ct = (lu_dtype)force;
  *rt = lu_op_result(op, *ct);
  for (k = info->rule == LU_R_WHERE ? 1 : 0; k < nin; k++) {
    if (o[k].weak) {
      if (o[k].s.kind == 'i' && !lu_int_fits(o[k].s.i, *ct))
        return lu_seterr(ctx, LU_EARG, "%s: Python integer %lld out of bounds for %s",
                         name, (long long)o[k].s.i, lu_dtype_name(*ct));
    } else if (!lu_same_kind(o[k].dt, *ct)) {
      return lu_seterr(ctx, LU_ETYPE, "%s: cannot cast input %d from %s to %s with casting rule 'same_kind'",
                       name, k + 1, lu_dtype_name(o[k].dt), lu_dtype_name(*ct));
    }
  }
  return LU_OK;
}

/* The float dtype of a float function (sin, arctan2): NumPy picks the
** first loop that every input casts to safely, so each strong input maps to
** its own float type before they are promoted (int16 with uint16 gives
** float32, where their promotion int32 would give float64). A weak float
** meeting only integers, or a weak int meeting only bools, counts as its
** default dtype (float64, int64); p is the promotion resolve() found, used
** when every operand is weak. */
static lu_dtype float_result(const opnd *o, int nin, int p) {
  int k, fp = -1, strong_float = 0, strong_num = 0, weak_f = 0, weak_i = 0;
  if (lu_dtype_kind(p) == 'c') return (lu_dtype)p;   /* a complex loop of p's precision */
  for (k = 0; k < nin; k++) {
    if (o[k].weak) {
      weak_f |= o[k].s.kind == 'f';
      weak_i |= o[k].s.kind == 'i';
      continue;
    }
    strong_float |= lu_dtype_kind(o[k].dt) == 'f';
    strong_num |= lu_dtype_kind(o[k].dt) != 'b';
    fp = fp < 0 ? (int)lu_float_of(o[k].dt) : (int)lu_promote((lu_dtype)fp, lu_float_of(o[k].dt));
  }
  if (fp < 0) return lu_float_of((lu_dtype)p);
  if ((weak_f && !strong_float) || (weak_i && !strong_num))
    return lu_promote((lu_dtype)fp, LU_FLOAT64);
  return (lu_dtype)fp;
}

/* The row whose loop runs op at compute type ct: float_power of complex
** numbers is complex128's power (NumPy's float_power takes complex inputs
** to complex128; the float64 row has no complex expression). */
static lu_op loop_op(lu_op op, lu_dtype ct) {
  return op == LU_OP_float_power && lu_dtype_kind(ct) == 'c' ? LU_OP_power : op;
}

/* nextafter and spacing step by one unit of the storage precision, which
** the 16-bit float loops (float32 arithmetic, rounded on store) do not
** see: at those types they run on the bits (halfstep.c) */
static int half_step(lu_op op, lu_dtype ct) {
  return (op == LU_OP_nextafter || op == LU_OP_spacing) && lu_dtype_is_half(ct);
}

/* NEP 50: arrays (strong) are promoted first; weak scalars then only raise
** the kind (bool array + int -> int64, int array + float -> float64, float
** array + complex -> the complex of its precision: float16, float32 ->
** complex64), and a Lua integer must fit the integer dtype it takes.
** Comparisons instead widen to a dtype that holds the integer (NumPy 2
** compares such values exactly). force >= 0 is a dtype= (resolve_forced). */
static int resolve(lu_ctx *ctx, const char *name, lu_op op, int nin,
                   const opnd *o, int hint, int force, lu_dtype *ct, lu_dtype *rt) {
  const lu_op_info *info = &lu_ops[op];
  int first = info->rule == LU_R_WHERE ? 1 : 0, k, p = hint, wk = -1, st;
  if (info->rule == LU_R_LDEXP) {
    if ((st = resolve_ldexp(ctx, name, o, force, ct, rt)) != LU_OK) return st;
    goto check;
  }
  for (k = first; k < nin; k++) {
    if (o[k].weak) {
      int r = wkind_rank(o[k].s.kind);
      if (r > wk) wk = r;
    } else {
      p = p < 0 ? (int)o[k].dt : (int)lu_promote((lu_dtype)p, o[k].dt);
    }
  }
  if (p < 0) {
    p = wk == 3 ? LU_COMPLEX128 : wk == 2 ? LU_FLOAT64 : wk == 1 ? LU_INT64 : LU_BOOL;
  } else if (wk == 3 && lu_dtype_kind(p) != 'c') {
    p = lu_dtype_kind(p) == 'f' ? lu_complex_of((lu_dtype)p) : LU_COMPLEX128;
  } else if (wk == 2 && lu_dtype_kind(p) != 'f' && lu_dtype_kind(p) != 'c') {
    p = LU_FLOAT64;
  } else if (wk == 1 && lu_dtype_kind(p) == 'b') {
    p = LU_INT64;
  }
  if (force >= 0) {
    if ((st = resolve_forced(ctx, name, op, nin, o, force, p, ct, rt)) != LU_OK) return st;
    goto check;
  }
  if (lu_dtype_kind(p) == 'i' || lu_dtype_kind(p) == 'u') {
    for (k = first; k < nin; k++) {
      if (!o[k].weak || o[k].s.kind != 'i' || lu_int_fits(o[k].s.i, (lu_dtype)p)) continue;
      if (info->rule == LU_R_CMP) {
        p = lu_promote((lu_dtype)p, LU_INT64);
        if (lu_dtype_kind(p) == 'f') break;
        continue;
      }
      return lu_seterr(ctx, LU_EARG, "%s: Python integer %lld out of bounds for %s",
                       name, (long long)o[k].s.i, lu_dtype_name(p));
    }
  }
  switch (info->rule) {
    case LU_R_FLOAT: case LU_R_FLOATI: *ct = float_result(o, nin, p); break;
    case LU_R_F64: *ct = lu_dtype_kind(p) == 'c' ? LU_COMPLEX128 : LU_FLOAT64; break;
    case LU_R_TDIV:
      *ct = lu_dtype_kind(p) == 'f' || lu_dtype_kind(p) == 'c' ? (lu_dtype)p : LU_FLOAT64;
      break;
    case LU_R_INT8B: *ct = p == LU_BOOL ? LU_INT8 : (lu_dtype)p; break;
    default: *ct = (lu_dtype)p; break;
  }
check:
  op = loop_op(op, *ct);
  if (lu_op_expr(op, *ct) == NULL)
    return lu_seterr(ctx, LU_ETYPE, "%s: no loop for dtype %s", name, lu_dtype_name(*ct));
  *rt = lu_op_result(op, *ct);
  return LU_OK;
}

/* NumPy refuses an integer to a negative integer power (its loop checks
** every exponent). A scalar exponent is checked here; an array exponent of
** a signed dtype by its minimum, which waits for the device: integer power
** of arrays is rare, and a wrong answer is worse than the wait. */
static int check_int_power(lu_ctx *ctx, const char *name, const opnd *e, lu_dtype ct) {
  int neg = 0;
  if (lu_dtype_kind(ct) != 'i') return LU_OK;
  if (e->weak) {
    neg = e->s.kind == 'i' && e->s.i < 0;
  } else if (e->host) {
    neg = lu_dtype_kind(e->dt) == 'i' && e->hv.i < 0;
  } else if (e->arr && lu_dtype_kind(e->arr->dtype) == 'i' && e->arr->size > 0) {
    lu_array m;
    unsigned char h[16];
    int st;
    m.buf = NULL;
    if ((st = lu_reduce(ctx, &m, LU_RED_min, e->arr, LU_ALLAXES, 0, 0)) != LU_OK) return st;
    st = lu_to_host(ctx, &m, h);
    lu_array_release(&m);
    if (st != LU_OK) return st;
    neg = lu_value_load(h, m.dtype).i < 0;
  }
  if (neg)
    return lu_seterr(ctx, LU_EARG, "%s: integers to negative integer powers are not allowed", name);
  return LU_OK;
}

int lu_result_dtype(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                    lu_dtype *ct, lu_dtype *rt) {
  return lu_ewise_resolve(ctx, lu_ops[op < 0 || op >= LU_NOPS ? 0 : op].name, op, nin, args,
                          -1, ct, rt);
}

int lu_ewise_resolve(lu_ctx *ctx, const char *name, lu_op op, int nin, const lu_arg *args,
                     int force, lu_dtype *ct, lu_dtype *rt) {
  opnd o[3];
  int k;
  if (op < 0 || op >= LU_NOPS || nin != lu_ops[op].nin)
    return lu_seterr(ctx, LU_EARG, "ewise: bad op or arity");
  /* the fields resolve reads, not the whole opnd (its lu_array: zeroing
  ** three was a tenth of the time of recording an op for fusion) */
  for (k = 0; k < nin; k++) {
    o[k].arr = args[k].arr;
    o[k].host = 0;
    if (args[k].arr) { o[k].weak = 0; o[k].dt = args[k].arr->dtype; }
    else { o[k].weak = 1; o[k].s = args[k].s; o[k].dt = LU_BOOL; }
  }
  return resolve(ctx, name, op, nin, o, -1, force, ct, rt);
}

/* Two arrays are the same view of the same memory, element for element. */
static int same_view(const lu_array *a, const lu_array *b) {
  int i;
  if (a->buf != b->buf || a->offset != b->offset || a->ndim != b->ndim ||
      a->dtype != b->dtype)
    return 0;
  for (i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i] || (a->shape[i] > 1 && a->strides[i] != b->strides[i]))
      return 0;
  return 1;
}

/* Byte range [lo, hi) that a view can touch. */
static void extent(const lu_array *a, int64_t *lo, int64_t *hi) {
  int i;
  *lo = *hi = a->offset;
  for (i = 0; i < a->ndim; i++) {
    int64_t d = (a->shape[i] - 1) * a->strides[i];
    if (d < 0) *lo += d; else *hi += d;
  }
  *hi += lu_array_itemsize(a);
}

/* An input must be copied before the output is written when the two may
** share elements without being the very same view. */
static int may_overlap(const lu_array *in, const lu_array *out) {
  int64_t l1, h1, l2, h2;
  if (in->buf != out->buf || in->size == 0 || out->size == 0 || same_view(in, out)) return 0;
  extent(in, &l1, &h1);
  extent(out, &l2, &h2);
  return h1 > l2 && h2 > l1;
}

static void release_opnds(opnd *o, int nin) {
  int k;
  for (k = 0; k < nin; k++) lu_array_release(&o[k].tmp);
}

/* CuPy's _reduce_dims: drop length-1 axes, merge neighbours that are
** contiguous with each other in every operand. Strides are per operand:
** index 0 is the output, 1..nin the inputs (0 for scalars). */
static void merge_dims(lu_ewise_call *c, int nd, const int64_t *shape,
                       int64_t st[4][LU_MAXDIM]) {
  int64_t msh[LU_MAXDIM], mst[4][LU_MAXDIM];
  int m = 0, i, k, nops = c->nin + 1;
  for (i = nd - 1; i >= 0; i--) {
    int ok = m > 0;
    if (shape[i] == 1) continue;
    for (k = 0; ok && k < nops; k++)
      if (st[k][i] != mst[k][m - 1] * msh[m - 1]) ok = 0;
    if (ok) { msh[m - 1] *= shape[i]; continue; }
    msh[m] = shape[i];
    for (k = 0; k < nops; k++) mst[k][m] = st[k][i];
    m++;
  }
  if (m == 0) {   /* a single element */
    c->ndim = 1;
    c->shape[0] = 1;
    c->out_strides[0] = lu_dtype_size(c->out_dt);
    for (k = 0; k < c->nin; k++)
      c->in_strides[k][0] = c->in_scalar[k] ? 0 : lu_dtype_size(c->in_dt[k]);
  } else {
    c->ndim = m;
    for (i = 0; i < m; i++) {
      c->shape[i] = msh[m - 1 - i];
      c->out_strides[i] = mst[0][m - 1 - i];
      for (k = 0; k < c->nin; k++) c->in_strides[k][i] = mst[k + 1][m - 1 - i];
    }
  }
  c->contiguous = c->ndim == 1 && c->out_strides[0] == lu_dtype_size(c->out_dt);
  for (k = 0; k < c->nin && c->contiguous; k++)
    if (!c->in_scalar[k] && c->in_strides[k][0] != lu_dtype_size(c->in_dt[k]))
      c->contiguous = 0;
}

/* Strides of array a aligned to the right of an nd-dim result shape, with
** zeros where a is broadcast. */
static void aligned_strides(const lu_array *a, int nd, const int64_t *shape, int64_t *st) {
  int i, off = nd - a->ndim;
  for (i = 0; i < nd; i++) {
    if (i < off) st[i] = 0;
    else st[i] = (a->shape[i - off] == 1 && shape[i] != 1) ? 0 : a->strides[i - off];
    if (shape[i] == 1) st[i] = 0;
  }
}

/* Choose the device of the op, turn 0-d arrays of other devices into host
** values, and reject other mixes. */
static int place(lu_ctx *ctx, const char *name, int nin, const lu_arg *args,
                 const lu_array *out, opnd *o, lu_device *dev) {
  int k, found = 0;
  char b1[16], b2[16];
  for (k = 0; k < nin && !found; k++)
    if (args[k].arr && args[k].arr->ndim > 0) { *dev = lu_array_device(args[k].arr); found = 1; }
  if (!found && out->buf) { *dev = lu_array_device(out); found = 1; }
  for (k = 0; k < nin && !found; k++)
    if (args[k].arr) { *dev = lu_array_device(args[k].arr); found = 1; }
  if (!found) *dev = ctx->default_dev;
  for (k = 0; k < nin; k++) {
    const lu_array *a = args[k].arr;
    if (a == NULL) { o[k].weak = 1; o[k].s = args[k].s; continue; }
    if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
    o[k].dt = a->dtype;
    if (lu_device_eq(lu_array_device(a), *dev)) { o[k].arr = a; continue; }
    if (a->ndim == 0) {
      _Alignas(16) unsigned char tmp[16];
      int st = lu_to_host(ctx, a, tmp);
      if (st != LU_OK) return st;
      o[k].host = 1;
      o[k].hv = lu_value_load(tmp, a->dtype);
      continue;
    }
    return lu_seterr(ctx, LU_EDEVICE, "%s: arrays on different devices: %s and %s", name,
                     lu_device_str(*dev, b1), lu_device_str(lu_array_device(a), b2));
  }
  if (out->buf && !lu_device_eq(lu_array_device(out), *dev))
    return lu_seterr(ctx, LU_EDEVICE, "%s: arrays on different devices: %s and %s", name,
                     lu_device_str(*dev, b1), lu_device_str(lu_array_device(out), b2));
  return LU_OK;
}

/* where() tests its condition in the compute type; make it bool first so
** that 0.5 is true whatever that type is. */
static int where_condition(lu_ctx *ctx, opnd *c) {
  if (c->weak) {
    int t = c->s.kind == 'c' ? (c->s.f != 0 || c->s.im != 0)
          : c->s.kind == 'f' ? c->s.f != 0 : c->s.i != 0;
    c->s.kind = 'b'; c->s.i = t;
    return LU_OK;
  }
  if (c->host) {
    lu_value v = lu_value_cast(c->hv, c->dt, LU_BOOL);
    c->hv = v; c->dt = LU_BOOL;
    return LU_OK;
  }
  if (c->arr->dtype != LU_BOOL) {
    lu_arg a[2];
    int st;
    a[0] = lu_arg_array(c->arr);
    a[1] = lu_arg_int(0);
    c->tmp.buf = NULL;
    st = lu_ewise_named(ctx, LU_OP_not_equal, 2, a, &c->tmp, "where", -1);
    if (st != LU_OK) return st;
    c->arr = &c->tmp;
    c->dt = LU_BOOL;
  }
  return LU_OK;
}

/* Contiguous (C order), from shape and strides alone. */
static int contig(const lu_array *a) {
  int64_t s = lu_array_itemsize(a);
  int i;
  for (i = a->ndim - 1; i >= 0; i--) {
    if (a->shape[i] == 1) continue;
    if (a->strides[i] != s) return 0;
    s *= a->shape[i];
  }
  return 1;
}

/* The array operands of a family call, NULL for scalars (lu_check_ewise). */
#define OPND_ARRAYS(o, nin) ((const lu_array *const[3]){(o)[0].arr, \
  (nin) > 1 ? (o)[1].arr : NULL, (nin) > 2 ? (o)[2].arr : NULL})

/* The short path of the common small op (a + b, a * 2): a new output, and
** every operand either a weak scalar or a contiguous array of one shape on
** one device. Nothing to broadcast, copy or merge: the call is flat.
** Returns -1, having done nothing, when the operands need the general path. */
static int fast_ewise(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                      lu_array *out, const char *name) {
  const lu_array *first = NULL;
  const lu_backend *be;
  const lu_ewise_family *fam;
  lu_ewise_call c;
  opnd o[3];
  lu_dtype ct, rt;
  int k, i, st;
  if (lu_ops[op].rule == LU_R_WHERE) return -1;
  for (k = 0; k < nin; k++) {
    const lu_array *a = args[k].arr;
    if (a == NULL) {
      o[k].arr = NULL; o[k].weak = 1; o[k].s = args[k].s; o[k].host = 0;
      continue;
    }
    if (a->buf == NULL || !contig(a)) return -1;
    if (first == NULL) {
      first = a;
    } else {
      if (a->ndim != first->ndim || !lu_device_eq(a->buf->dev, first->buf->dev)) return -1;
      for (i = 0; i < a->ndim; i++) if (a->shape[i] != first->shape[i]) return -1;
    }
    o[k].arr = a; o[k].weak = 0; o[k].host = 0; o[k].dt = a->dtype;
  }
  if (first == NULL) return -1;
  be = lu_backend_for(ctx, first->buf->dev);
  if (be == NULL || be->version < 2 || (fam = be->ewise) == NULL || fam->ewise == NULL)
    return -1;
  if ((st = resolve(ctx, name, op, nin, o, -1, -1, &ct, &rt)) != LU_OK) return st;
  if (half_step(op, ct)) return -1;
  if (op == LU_OP_power && (st = check_int_power(ctx, name, &o[1], ct)) != LU_OK) return st;
  /* lu_empty without its checks: the shape is an existing array's */
  out->dtype = rt;
  out->ndim = first->ndim;
  out->size = first->size;
  out->offset = 0;
  for (i = 0; i < first->ndim; i++) out->shape[i] = first->shape[i];
  lu_contig_strides(first->ndim, first->shape, lu_dtype_size(rt), out->strides);
  lu_array_update(out);
  if ((st = lu_buffer_new(ctx, &out->buf, first->buf->dev,
                          (size_t)first->size * (size_t)lu_dtype_size(rt))) != LU_OK) {
    out->buf = NULL;
    return st;
  }
  out->owner = 1;
  lu_buffer_made(out->buf, out);
  if (out->size == 0) return LU_OK;
  memset(&c, 0, sizeof(c));
  c.op = loop_op(op, ct);
  c.nin = nin;
  c.ct = ct;
  c.rt = rt;
  c.out_dt = rt;
  c.out_ptr = lu_array_data(out);
  c.dev = first->buf->dev;
  c.n = out->size;
  c.ndim = 1;
  c.shape[0] = c.n;
  c.out_strides[0] = lu_dtype_size(rt);
  c.contiguous = 1;
  for (k = 0; k < nin; k++) {
    if (o[k].arr) {
      c.in_dt[k] = o[k].arr->dtype;
      c.in_ptr[k] = lu_array_data(o[k].arr);
      c.in_strides[k][0] = lu_dtype_size(c.in_dt[k]);
    } else {
      c.in_scalar[k] = 1;
      c.in_dt[k] = ct;
      c.in_val[k] = lu_value_from_scalar(o[k].s, ct);
    }
  }
  lu_check_ewise(ctx, &c, out, OPND_ARRAYS(o, nin));
  ctx->op = name;
  ctx->counters.launches++;
  if ((st = fam->ewise(ctx, &c)) != LU_OK || (st = lu_after_op(ctx, c.dev)) != LU_OK) {
    lu_array_release(out);
    return st;
  }
  return LU_OK;
}

/* The general path; force >= 0 is a dtype= (see resolve). */
static int ewise(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                 lu_array *out, const char *name, int hint, int force) {
  opnd o[3];
  const lu_array *arrs[4];
  lu_ewise_call c;
  int64_t shape[LU_MAXDIM], st[4][LU_MAXDIM];
  int nd = 0, k, na = 0, st_ = LU_OK, given = out->buf != NULL;
  lu_device dev;
  lu_dtype ct, rt;
  const lu_ewise_family *fam;

  if (op < 0 || op >= LU_NOPS || nin != lu_ops[op].nin || nin > 3)
    return lu_seterr(ctx, LU_EARG, "%s: bad op or number of arguments", name);
  for (k = 0; k < nin; k++) if (args[k].arr) lu_check_in(args[k].arr);
  if (given) lu_check_in(out);
  if (!given && hint < 0 && force < 0 && (st_ = fast_ewise(ctx, op, nin, args, out, name)) >= 0)
    return st_;
  memset(o, 0, sizeof(o));
  if ((st_ = place(ctx, name, nin, args, out, o, &dev)) != LU_OK) goto fail;
  if (lu_ops[op].rule == LU_R_WHERE && (st_ = where_condition(ctx, &o[0])) != LU_OK) goto fail;
  if ((st_ = resolve(ctx, name, op, nin, o, hint, force, &ct, &rt)) != LU_OK) goto fail;
  if (half_step(op, ct)) {
    release_opnds(o, nin);
    return lu_half_step(ctx, op, ct, nin, args, out, name, dev);
  }
  if (op == LU_OP_power && (st_ = check_int_power(ctx, name, &o[1], ct)) != LU_OK) goto fail;
  fam = lu_family(ctx, name, dev, ewise);
  if (fam == NULL) { st_ = ctx->err; goto fail; }
  if (fam->ewise == NULL) { st_ = lu_unavailable(ctx, name, dev); goto fail; }

  /* broadcast shape; an output given by the caller must have it */
  for (k = 0; k < nin; k++) if (o[k].arr) arrs[na++] = o[k].arr;
  if (given) arrs[na++] = out;
  if ((st_ = lu_broadcast_named(ctx, name, na, arrs, &nd, shape)) != LU_OK) goto fail;
  if (given) {
    int same = nd == out->ndim;
    for (k = 0; same && k < nd; k++) same = shape[k] == out->shape[k];
    if (!same) {
      char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
      st_ = lu_seterr(ctx, LU_ESHAPE, "%s: output array of shape %s does not match the broadcast shape %s",
                      name, lu_shape_str(out->ndim, out->shape, s1, sizeof(s1)),
                      lu_shape_str(nd, shape, s2, sizeof(s2)));
      goto fail;
    }
    /* NumPy reads every input before it writes: copy inputs that share
    ** memory with the output unless they are the very same view */
    for (k = 0; k < nin; k++) {
      if (o[k].arr && may_overlap(o[k].arr, out)) {
        lu_array cp;
        if ((st_ = lu_copy(ctx, &cp, o[k].arr)) != LU_OK) goto fail;
        lu_array_release(&o[k].tmp);
        o[k].tmp = cp;
        o[k].arr = &o[k].tmp;
      }
    }
  } else if ((st_ = lu_empty(ctx, out, rt, nd, shape, dev)) != LU_OK) {
    goto fail;
  }

  memset(&c, 0, sizeof(c));
  c.op = loop_op(op, ct);
  c.nin = nin;
  c.ct = ct;
  c.rt = rt;
  c.out_dt = out->dtype;
  c.out_ptr = lu_array_data(out);
  c.dev = dev;
  c.n = 1;
  for (k = 0; k < nd; k++) c.n *= shape[k];
  aligned_strides(out, nd, shape, st[0]);
  for (k = 0; k < nin; k++) {
    if (o[k].arr) {
      c.in_dt[k] = o[k].arr->dtype;
      c.in_ptr[k] = lu_array_data(o[k].arr);
      aligned_strides(o[k].arr, nd, shape, st[k + 1]);
    } else {
      c.in_scalar[k] = 1;
      c.in_dt[k] = ct;
      c.in_val[k] = o[k].weak ? lu_value_from_scalar(o[k].s, ct)
                              : lu_value_cast(o[k].hv, o[k].dt, ct);
      memset(st[k + 1], 0, sizeof(st[k + 1]));
    }
  }
  if (c.n == 0) goto done;
  merge_dims(&c, nd, shape, st);
  lu_check_ewise(ctx, &c, out, OPND_ARRAYS(o, nin));
  if ((st_ = fam->ewise(ctx, &c)) != LU_OK) goto fail;
  if ((st_ = lu_after_op(ctx, dev)) != LU_OK) goto fail;
done:
  release_opnds(o, nin);
  return LU_OK;
fail:
  release_opnds(o, nin);
  if (!given) lu_array_release(out);
  return st_;
}

/* An elementwise op is often nested in another (the copy a reduction makes
** of a strided input, after it looked up its own family): the caller's op
** name is put back for the backend's messages. */
int lu_ewise_named(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                   lu_array *out, const char *name, int hint) {
  const char *caller = ctx->op;
  int st = ewise(ctx, op, nin, args, out, name, hint, -1);
  ctx->op = caller;
  return st;
}

int lu_ewise_forced(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args,
                    lu_array *out, const char *name, int force) {
  const char *caller = ctx->op;
  int st = ewise(ctx, op, nin, args, out, name, -1, force);
  ctx->op = caller;
  return st;
}

int lu_ewise(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_array *out) {
  const char *name = (op >= 0 && op < LU_NOPS) ? lu_ops[op].name : "ewise";
  return lu_ewise_named(ctx, op, nin, args, out, name, -1);
}

/* A scalar source takes the destination's dtype as its partner, so that
** `a[...] = 1000` on int8 fails like NumPy and `a[...] = 1.5` on int32
** truncates on store. */
/* src broadcasts to dst's shape (assigning never grows dst) */
static int assign_shape(lu_ctx *ctx, const lu_array *dst, const lu_array *s) {
  int i, off = dst->ndim - s->ndim, ok = off >= 0;
  for (i = 0; ok && i < s->ndim; i++)
    ok = s->shape[i] == 1 || s->shape[i] == dst->shape[i + off];
  if (!ok) {
    char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
    return lu_seterr(ctx, LU_ESHAPE, "assign: could not broadcast input array from shape %s into shape %s",
                     lu_shape_str(s->ndim, s->shape, s1, sizeof(s1)),
                     lu_shape_str(dst->ndim, dst->shape, s2, sizeof(s2)));
  }
  return LU_OK;
}

int lu_assign(lu_ctx *ctx, lu_array *dst, const lu_arg *src) {
  const lu_array *s = src->arr;
  int st;
  if (dst->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  /* NumPy: a Python complex does not go into a real array (an array of
  ** complex values does, keeping the real parts, as astype) */
  if (s == NULL && src->s.kind == 'c' && lu_dtype_kind(dst->dtype) != 'c')
    return lu_seterr(ctx, LU_ETYPE, "assign: cannot convert a complex value to %s",
                     lu_dtype_name(dst->dtype));
  if (s && (st = assign_shape(ctx, dst, s)) != LU_OK) return st;
  return lu_ewise_named(ctx, LU_OP_copy, 1, src, dst, "assign", s ? -1 : (int)dst->dtype);
}

/* The direct case is what `h = lunar.empty(n, {device = "cpu"})` then
** `lunar.copyto(h, d)` in a loop asks for: no new array, and (h being a
** large CPU array on a GPU machine, page-locked, pinned.c) one DMA into h.
** The shape is checked before anything moves. */
int lu_copyto_device(lu_ctx *ctx, lu_array *dst, const lu_array *src, const lu_array *mask) {
  lu_device dd, sd;
  lu_array c;
  lu_arg g[3];
  int i, st, direct;
  if (dst->buf == NULL || src->buf == NULL || (mask && mask->buf == NULL))
    return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  lu_check_in(dst);
  lu_check_in(src);
  if ((st = assign_shape(ctx, dst, src)) != LU_OK) return st;
  dd = lu_array_device(dst);
  sd = lu_array_device(src);
  if (lu_device_eq(dd, sd)) {   /* not across: the ordinary copy */
    g[0] = lu_arg_array(src);
    if (mask == NULL) return lu_assign(ctx, dst, &g[0]);
    g[0] = lu_arg_array(mask); g[1] = lu_arg_array(src); g[2] = lu_arg_array(dst);
    return lu_ewise_named(ctx, LU_OP_where, 3, g, dst, "where", -1);
  }
  direct = mask == NULL && src->dtype == dst->dtype && src->ndim == dst->ndim && contig(dst) &&
           (dd.type == LU_DEV_CPU || sd.type == LU_DEV_CPU);
  for (i = 0; direct && i < dst->ndim; i++) direct = src->shape[i] == dst->shape[i];
  if (direct) {
    const lu_backend *be;
    size_t n = (size_t)dst->size * (size_t)lu_array_itemsize(dst);
    if (n == 0) return LU_OK;
    if (dd.type == LU_DEV_CPU) return lu_to_host(ctx, src, lu_array_data(dst));
    /* CPU to a device: the source made contiguous (a view when it is),
    ** then one upload into dst's memory, in order with dst's queued work */
    if ((be = lu_backend_checked(ctx, "copyto", dd)) == NULL) return ctx->err;
    if ((st = lu_ascontig(ctx, &c, src)) != LU_OK) return st;
    ctx->op = "copyto";
    st = be->dev->upload(ctx, dd.index, lu_array_data(dst), lu_array_data(&c), n);
    if (st == LU_OK) ctx->counters.h2d_bytes += n;
    lu_array_release(&c);
    return st;
  }
  /* anything else: src over to dst's device, then the copy there */
  if ((st = lu_to_device(ctx, &c, src, dd)) != LU_OK) return st;
  if (mask == NULL) {
    g[0] = lu_arg_array(&c);
    st = lu_assign(ctx, dst, &g[0]);
  } else {
    g[0] = lu_arg_array(mask); g[1] = lu_arg_array(&c); g[2] = lu_arg_array(dst);
    st = lu_ewise_named(ctx, LU_OP_where, 3, g, dst, "where", -1);
  }
  lu_array_release(&c);
  return st;
}

int lu_astype(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_dtype dt) {
  lu_arg g = lu_arg_array(a);
  int st;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  st = lu_empty(ctx, out, dt, a->ndim, a->shape, lu_array_device(a));
  if (st != LU_OK) return st;
  st = lu_ewise_named(ctx, LU_OP_copy, 1, &g, out, "astype", -1);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_copy(lu_ctx *ctx, lu_array *out, const lu_array *a) {
  return lu_astype(ctx, out, a, a->dtype);
}

int lu_ascontig(lu_ctx *ctx, lu_array *out, const lu_array *a) {
  lu_check_in(a);
  if (a->buf == NULL) {
    out->buf = NULL;
    return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  }
  if (lu_array_is_contig(a)) {
    lu_array_share(out, a);
    return LU_OK;
  }
  return lu_copy(ctx, out, a);
}
