/* SPDX-License-Identifier: MIT */
/*
** Arrays as views on buffers: creation of empty arrays, shape helpers, and
** the view-making operations (reshape, transpose, squeeze, expand_dims,
** broadcast_to, take_index, slice). An output slot must not alias an input.
*/
#include <stdio.h>
#include <string.h>
#include "lu_internal.h"

int64_t lu_contig_strides(int ndim, const int64_t *shape, int itemsize,
                          int64_t *strides) {
  int64_t n = 1, s = itemsize;
  int i;
  for (i = ndim - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] > 0 ? shape[i] : 1;
    n *= shape[i];
  }
  return n;
}

int lu_shape_check(lu_ctx *ctx, const char *fn, int ndim, const int64_t *shape,
                   int itemsize, int64_t *size) {
  int64_t nbytes = itemsize > 0 ? itemsize : 1, n = 1;
  int i, empty = 0;
  char sb[LU_MAXDIM * 24];
  if (ndim < 0 || ndim > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: number of dimensions must be within [0, %d], got %d",
                     fn, LU_MAXDIM, ndim);
  for (i = 0; i < ndim; i++) {
    if (shape[i] < 0)
      return lu_seterr(ctx, LU_EARG, "%s: negative dimensions are not allowed (shape %s)",
                       fn, lu_shape_str(ndim, shape, sb, sizeof(sb)));
    if (shape[i] == 0) { empty = 1; continue; }
    if (!lu_size_mul(nbytes, shape[i], &nbytes) || !lu_size_mul(n, shape[i], &n))
      return lu_seterr(ctx, LU_EMEM,
                       "%s: array is too big; the size of shape %s times the item size is larger than the maximum possible size",
                       fn, lu_shape_str(ndim, shape, sb, sizeof(sb)));
  }
  if (size) *size = empty ? 0 : n;
  return LU_OK;
}

/* C-contiguous as NumPy defines it: strides of length-1 axes do not matter,
** and an empty array is contiguous. */
static int compute_contig(const lu_array *a) {
  int64_t s = lu_array_itemsize(a);
  int i;
  if (a->size == 0) return 1;
  for (i = a->ndim - 1; i >= 0; i--) {
    if (a->shape[i] == 1) continue;
    if (a->strides[i] != s) return 0;
    s *= a->shape[i];
  }
  return 1;
}

/* The element count; saturates at INT64_MAX for a shape not yet checked
** (lu_shape_check reports it), instead of wrapping to a small size. */
void lu_array_update(lu_array *a) {
  int64_t n = 1;
  int i;
  for (i = 0; i < a->ndim; i++)
    if (!lu_size_mul(n, a->shape[i], &n)) n = INT64_MAX;
  for (i = 0; i < a->ndim; i++) if (a->shape[i] == 0) n = 0;
  a->size = n;
}

int lu_array_is_contig(const lu_array *a) {
  return compute_contig(a);
}

int lu_merge_run(const lu_array *a, int lo, int hi, int64_t *n, int64_t *s) {
  int64_t cnt = 1, inner_s = 0;
  int i, have = 0;
  for (i = hi - 1; i >= lo; i--) {
    if (a->shape[i] == 1) continue;
    if (!have) { inner_s = a->strides[i]; have = 1; }
    else if (a->strides[i] != inner_s * cnt) return 0;
    cnt *= a->shape[i];
  }
  *n = cnt;
  *s = have ? inner_s : 0;
  return 1;
}

const char *lu_shape_str(int ndim, const int64_t *shape, char *buf, size_t len) {
  size_t k = 0;
  int i;
  if (len == 0) return buf;
  buf[0] = '\0';
#define PUT(...) do { if (k < len) { int w_ = snprintf(buf + k, len - k, __VA_ARGS__); \
                      if (w_ > 0) k += (size_t)w_; } } while (0)
  PUT("(");
  for (i = 0; i < ndim; i++) PUT(i ? ",%lld" : "%lld", (long long)shape[i]);
  PUT(ndim == 1 ? ",)" : ")");
#undef PUT
  return buf;
}

int lu_empty(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim,
             const int64_t *shape, lu_device dev) {
  lu_array a;
  int64_t n = 1;
  int i, st;
  out->buf = NULL;
  if (ndim < 0 || ndim > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "empty: number of dimensions must be within [0, %d], got %d",
                     LU_MAXDIM, ndim);
  st = lu_shape_check(ctx, "empty", ndim, shape, lu_dtype_size(dt), &n);
  if (st != LU_OK) return st;
  memset(&a, 0, sizeof(a));
  a.dtype = dt;
  a.ndim = ndim;
  for (i = 0; i < ndim; i++) a.shape[i] = shape[i];
  lu_contig_strides(ndim, shape, lu_dtype_size(dt), a.strides);
  lu_array_update(&a);
  st = lu_buffer_new(ctx, &a.buf, dev, (size_t)n * (size_t)lu_dtype_size(dt));
  if (st != LU_OK) return st;
  a.owner = 1;
  lu_buffer_made(a.buf, &a);
  lu_check_made(&a);
  *out = a;
  return LU_OK;
}

/* The buffer spans from the lowest to the highest byte any index reaches
** (negative strides reach below ptr); every product and sum is checked. */
int lu_array_wrap(lu_ctx *ctx, lu_array *out, lu_dtype dt, int ndim, const int64_t *shape,
                  const int64_t *strides, void *ptr, lu_device dev,
                  void (*release)(void *ud), void *ud) {
  const char *fn = "wrap";
  lu_array a;
  int64_t n, lo = 0, hi = 0, ext;
  int i, st, item = lu_dtype_size(dt);
  out->buf = NULL;
  if ((int)dt < 0 || dt >= LU_NDTYPES) return lu_seterr(ctx, LU_EARG, "%s: bad dtype %d", fn, (int)dt);
  if (ndim < 0 || ndim > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: number of dimensions must be within [0, %d], got %d", fn,
                     LU_MAXDIM, ndim);
  if ((st = lu_shape_check(ctx, fn, ndim, shape, item, &n)) != LU_OK) return st;
  memset(&a, 0, sizeof(a));
  a.dtype = dt;
  a.ndim = ndim;
  for (i = 0; i < ndim; i++) a.shape[i] = shape[i];
  if (strides == NULL) lu_contig_strides(ndim, shape, item, a.strides);
  else for (i = 0; i < ndim; i++) a.strides[i] = strides[i];
  lu_array_update(&a);
  if (n > 0) {
    if (ptr == NULL) return lu_seterr(ctx, LU_EARG, "%s: NULL data for %lld elements", fn, (long long)n);
    for (i = 0; i < ndim; i++) {
      if (!lu_size_mul(shape[i] - 1, a.strides[i], &ext))
        return lu_seterr(ctx, LU_EARG, "%s: stride %lld of axis %d overflows", fn,
                         (long long)a.strides[i], i + 1);
      if (ext < 0 ? !lu_size_add(lo, ext, &lo) : !lu_size_add(hi, ext, &hi))
        return lu_seterr(ctx, LU_EARG, "%s: the strides overflow", fn);
    }
    if (!lu_size_add(hi, item, &hi) || !lu_size_add(hi, -lo, &ext))
      return lu_seterr(ctx, LU_EARG, "%s: the strides overflow", fn);
  } else {
    ext = 0;
  }
  st = lu_buffer_wrap(ctx, &a.buf, dev, (char *)ptr + lo, (size_t)ext, release, ud);
  if (st != LU_OK) return st;
  a.offset = -lo;
  lu_check_made(&a);
  *out = a;
  return LU_OK;
}

void lu_buffer_made(lu_buffer *b, const lu_array *a) {
  b->made_dt = a->dtype;
  b->made_ndim = a->ndim;
  memcpy(b->made_shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
}

/* a's elements are its buffer's from offset 0, each once: contiguous in
** some order of its axes (a moved axis of a C-ordered temporary) */
static int dense(const lu_array *a) {
  int64_t st[LU_MAXDIM], sh[LU_MAXDIM], next = lu_array_itemsize(a);
  int n = 0, i, j;
  if (a->offset != 0) return 0;
  for (i = 0; i < a->ndim; i++) {
    if (a->shape[i] == 1) continue;
    for (j = n; j > 0 && st[j - 1] > a->strides[i]; j--) { st[j] = st[j - 1]; sh[j] = sh[j - 1]; }
    st[j] = a->strides[i];
    sh[j] = a->shape[i];
    n++;
  }
  for (i = 0; i < n; i++) {
    if (st[i] != next) return 0;
    next *= sh[i];
  }
  return 1;
}

int lu_array_owns(const lu_array *a) {
  const lu_buffer *b = a->buf;
  if (a->owner) return 1;
  /* a function's result that is a view of its own temporary (sort along
  ** an axis, fft, ...): alone on a buffer lunar laid out, all of it */
  return b != NULL && b->refcount == 1 && b->made_ndim >= 0 && a->size > 0 &&
         (size_t)a->size * (size_t)lu_array_itemsize(a) == b->nbytes && dense(a);
}

void lu_array_share(lu_array *out, const lu_array *src) {
  lu_check_in(src);
  *out = *src;
  out->owner = 0;
  if (out->buf != NULL) out->buf->refcount++;
}

void lu_array_release(lu_array *a) {
  lu_assert(a->buf == NULL || a->buf->refcount > 0, "a released array's buffer has a positive refcount");
  if (a->buf != NULL) lu_buffer_unref(a->buf);
  a->buf = NULL;
}

/* Finish a view v built from a: take a buffer reference, store it. */
static int finish_view(lu_array *out, lu_array *v) {
  lu_array_update(v);
  lu_check_made(v);
  if (v->buf != NULL) v->buf->refcount++;
  v->owner = 0;
  *out = *v;
  return LU_OK;
}

/* {====================================================== broadcasting */
int lu_broadcast_named(lu_ctx *ctx, const char *name, int n,
                       const lu_array *const *arrs, int *ndim, int64_t *shape) {
  int nd = 0, i, k;
  for (k = 0; k < n; k++) if (arrs[k] && arrs[k]->ndim > nd) nd = arrs[k]->ndim;
  for (i = 0; i < nd; i++) shape[i] = 1;
  for (k = 0; k < n; k++) {
    const lu_array *a = arrs[k];
    if (a == NULL) continue;
    for (i = 0; i < a->ndim; i++) {
      int64_t d = a->shape[i], *r = &shape[nd - a->ndim + i];
      if (d == *r || d == 1) continue;
      if (*r == 1) { *r = d; continue; }
      {
        char msg[LU_ERRLEN], sb[LU_MAXDIM * 24];
        size_t len = 0;
        int j;
        msg[0] = '\0';
        for (j = 0; j < n; j++) {
          if (arrs[j] == NULL) continue;
          lu_shape_str(arrs[j]->ndim, arrs[j]->shape, sb, sizeof(sb));
          len += (size_t)snprintf(msg + len, len < sizeof(msg) ? sizeof(msg) - len : 0,
                                  " %s", sb);
          if (len >= sizeof(msg)) break;
        }
        return lu_seterr(ctx, LU_ESHAPE,
                         "%s: operands could not be broadcast together with shapes%s",
                         name, msg);
      }
    }
  }
  *ndim = nd;
  return lu_shape_check(ctx, name, nd, shape, 1, NULL);
}

int lu_broadcast_shapes(lu_ctx *ctx, int n, const lu_array *const *arrs,
                        int *ndim, int64_t *shape) {
  return lu_broadcast_named(ctx, "broadcast", n, arrs, ndim, shape);
}

int lu_broadcast_to(lu_ctx *ctx, lu_array *out, const lu_array *a, int ndim,
                    const int64_t *shape) {
  lu_array v = *a;
  int i, off = ndim - a->ndim;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (ndim > LU_MAXDIM || off < 0) goto bad;
  v.ndim = ndim;
  for (i = 0; i < ndim; i++) {
    if (shape[i] < 0) goto bad;
    if (i < off) { v.shape[i] = shape[i]; v.strides[i] = 0; continue; }
    if (a->shape[i - off] == shape[i]) {
      v.shape[i] = shape[i];
      v.strides[i] = a->strides[i - off];
    } else if (a->shape[i - off] == 1) {
      v.shape[i] = shape[i];
      v.strides[i] = 0;
    } else {
      goto bad;
    }
  }
  if (lu_shape_check(ctx, "broadcast_to", ndim, shape, lu_array_itemsize(a), NULL) != LU_OK)
    return LU_EMEM;
  return finish_view(out, &v);
bad:
  out->buf = NULL;
  return lu_seterr(ctx, LU_ESHAPE, "broadcast_to: array of shape %s cannot be broadcast to shape %s",
                   lu_shape_str(a->ndim, a->shape, s1, sizeof(s1)),
                   lu_shape_str(ndim > LU_MAXDIM ? LU_MAXDIM : ndim, shape, s2, sizeof(s2)));
}
/* }====================================================== */

/* {====================================================== reshape */
/* NumPy's no-copy reshape: group old and new axes into runs with equal
** products; a run of old axes must be contiguous among itself, and the new
** axes of the run get strides from its innermost stride. Length-1 old axes
** are ignored. Returns 0 when a copy is needed. */
static int nocopy_reshape(const lu_array *a, int nnd, const int64_t *nd, int64_t *ns) {
  int64_t od[LU_MAXDIM], os[LU_MAXDIM];
  int ond = 0, i, oi, oj, ni, nj, item = lu_array_itemsize(a);
  for (i = 0; i < a->ndim; i++)
    if (a->shape[i] != 1) { od[ond] = a->shape[i]; os[ond] = a->strides[i]; ond++; }
  oi = 0; oj = 1; ni = 0; nj = 1;
  while (ni < nnd && oi < ond) {
    int64_t np = nd[ni], op = od[oi];
    int k;
    while (np != op) {
      if (np < op) { if (nj >= nnd) return 0; np *= nd[nj++]; }
      else { if (oj >= ond) return 0; op *= od[oj++]; }
    }
    for (k = oi; k < oj - 1; k++)
      if (os[k] != os[k + 1] * od[k + 1]) return 0;
    ns[nj - 1] = os[oj - 1];
    for (k = nj - 1; k > ni; k--) ns[k - 1] = ns[k] * nd[k];
    ni = nj++;
    oi = oj++;
  }
  for (; ni < nnd; ni++) ns[ni] = item;   /* trailing length-1 axes */
  return 1;
}

int lu_reshape(lu_ctx *ctx, lu_array *out, const lu_array *a, int ndim,
               const int64_t *shape) {
  int64_t ns[LU_MAXDIM], nsh[LU_MAXDIM], known = 1;
  int i, unknown = -1;
  char s1[LU_MAXDIM * 24];
  lu_array v;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (ndim < 0 || ndim > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "reshape: number of dimensions must be within [0, %d], got %d",
                     LU_MAXDIM, ndim);
  for (i = 0; i < ndim; i++) {
    nsh[i] = shape[i];
    if (shape[i] == -1) {
      if (unknown >= 0)
        return lu_seterr(ctx, LU_EARG, "reshape: can only specify one unknown dimension");
      unknown = i;
    } else if (shape[i] < 0) {
      return lu_seterr(ctx, LU_EARG, "reshape: negative dimensions not allowed");
    } else if (shape[i] > 0 && !lu_size_mul(known, shape[i], &known)) {
      goto bad;
    } else if (shape[i] == 0) {
      known = 0;
    }
  }
  if (unknown >= 0) {
    if (known == 0 || a->size % known != 0) goto bad;
    nsh[unknown] = a->size / known;
  } else if (known != a->size) {
    goto bad;
  }
  if (lu_shape_check(ctx, "reshape", ndim, nsh, lu_array_itemsize(a), NULL) != LU_OK)
    return LU_EMEM;
  v = *a;
  v.ndim = ndim;
  memcpy(v.shape, nsh, sizeof(int64_t) * (size_t)ndim);
  if (a->size == 0 || lu_array_is_contig(a)) {
    lu_contig_strides(ndim, nsh, lu_array_itemsize(a), v.strides);
    /* keep the offset: a contiguous view starts where a starts */
    return finish_view(out, &v);
  }
  if (nocopy_reshape(a, ndim, nsh, ns)) {
    memcpy(v.strides, ns, sizeof(int64_t) * (size_t)ndim);
    return finish_view(out, &v);
  }
  {
    lu_array c;
    int st = lu_copy(ctx, &c, a);
    if (st != LU_OK) return st;
    v = c;
    v.ndim = ndim;
    memcpy(v.shape, nsh, sizeof(int64_t) * (size_t)ndim);
    lu_contig_strides(ndim, nsh, lu_array_itemsize(a), v.strides);
    lu_array_update(&v);
    *out = v;   /* takes over c's reference */
    return LU_OK;
  }
bad:
  return lu_seterr(ctx, LU_ESHAPE, "reshape: cannot reshape array of size %lld into shape %s",
                   (long long)a->size, lu_shape_str(ndim, shape, s1, sizeof(s1)));
}
/* }====================================================== */

/* {====================================================== axis views */
int lu_transpose(lu_ctx *ctx, lu_array *out, const lu_array *a, const int *perm) {
  lu_array v = *a;
  int seen[LU_MAXDIM] = {0}, i;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  for (i = 0; i < a->ndim; i++) {
    int p = perm ? perm[i] : a->ndim - 1 - i;
    if (p < 0 || p >= a->ndim || seen[p])
      return lu_seterr(ctx, LU_EARG, "transpose: axes don't match array");
    seen[p] = 1;
    v.shape[i] = a->shape[p];
    v.strides[i] = a->strides[p];
  }
  return finish_view(out, &v);
}

int lu_squeeze(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis) {
  lu_array v = *a;
  int i, k = 0;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (axis != LU_ALLAXES) {
    if (axis < 0 || axis >= a->ndim)
      return lu_seterr(ctx, LU_EARG, "squeeze: axis %d is out of bounds for array of dimension %d",
                       axis + 1, a->ndim);
    if (a->shape[axis] != 1)
      return lu_seterr(ctx, LU_EARG,
                       "squeeze: cannot select an axis to squeeze out which has size not equal to one (axis %d has size %lld)",
                       axis + 1, (long long)a->shape[axis]);
  }
  for (i = 0; i < a->ndim; i++) {
    if (a->shape[i] == 1 && (axis == LU_ALLAXES || axis == i)) continue;
    v.shape[k] = a->shape[i];
    v.strides[k] = a->strides[i];
    k++;
  }
  v.ndim = k;
  return finish_view(out, &v);
}

int lu_expand_dims(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis) {
  lu_array v = *a;
  int i;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (axis < 0 || axis > a->ndim || a->ndim + 1 > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "expand_dims: axis %d is out of bounds for array of dimension %d",
                     axis + 1, a->ndim + 1);
  v.ndim = a->ndim + 1;
  for (i = 0; i < v.ndim; i++) {
    if (i < axis) { v.shape[i] = a->shape[i]; v.strides[i] = a->strides[i]; }
    else if (i > axis) { v.shape[i] = a->shape[i - 1]; v.strides[i] = a->strides[i - 1]; }
  }
  v.shape[axis] = 1;
  v.strides[axis] = axis < a->ndim ? a->strides[axis] * a->shape[axis]
                                   : lu_array_itemsize(a);
  return finish_view(out, &v);
}

int lu_take_index(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, int64_t idx) {
  lu_array v = *a;
  int i;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (axis < 0 || axis >= a->ndim)
    return lu_seterr(ctx, LU_EARG, "index: axis %d is out of bounds for array of dimension %d",
                     axis + 1, a->ndim);
  if (idx < 0 || idx >= a->shape[axis])
    return lu_seterr(ctx, LU_EINDEX, "index %lld is out of bounds for axis %d with size %lld",
                     (long long)idx + 1, axis + 1, (long long)a->shape[axis]);
  v.offset += idx * a->strides[axis];
  for (i = axis; i < a->ndim - 1; i++) {
    v.shape[i] = a->shape[i + 1];
    v.strides[i] = a->strides[i + 1];
  }
  v.ndim = a->ndim - 1;
  return finish_view(out, &v);
}

int lu_slice(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis,
             int64_t start, int64_t stop, int64_t step) {
  lu_array v = *a;
  int64_t n = 0;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (axis < 0 || axis >= a->ndim)
    return lu_seterr(ctx, LU_EARG, "slice: axis %d is out of bounds for array of dimension %d",
                     axis + 1, a->ndim);
  if (step == 0) return lu_seterr(ctx, LU_EARG, "slice: step must not be zero");
  /* the count without overflow for any int64 bounds and step: (stop -
  ** start - 1) / step + 1 in unsigned arithmetic */
  if (step > 0 && stop > start)
    n = (int64_t)(((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1);
  if (step < 0 && start > stop)
    n = (int64_t)(((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1);
  if (n < 0 || n > a->shape[axis])
    return lu_seterr(ctx, LU_EINDEX, "slice: range out of bounds for axis %d with size %lld",
                     axis + 1, (long long)a->shape[axis]);
  if (n > 0) {
    int64_t last;
    if (!lu_size_mul(n - 1, step, &last) || !lu_size_add(start, last, &last))
      last = -1;
    if (start < 0 || start >= a->shape[axis] || last < 0 || last >= a->shape[axis])
      return lu_seterr(ctx, LU_EINDEX, "slice: range out of bounds for axis %d with size %lld",
                       axis + 1, (long long)a->shape[axis]);
    v.offset += start * a->strides[axis];
  }
  v.shape[axis] = n;
  /* a stride only matters along an axis of two or more */
  if (n > 1 && !lu_size_mul(a->strides[axis], step, &v.strides[axis]))
    return lu_seterr(ctx, LU_EINDEX, "slice: step %lld is too large", (long long)step);
  if (n <= 1) v.strides[axis] = a->strides[axis];
  return finish_view(out, &v);
}
/* }====================================================== */

/* {====================================================== more views */
/* A reversed axis is a negative stride and an offset at its last element,
** so flips compose with every other view and cost nothing. */
int lu_flip(lu_ctx *ctx, lu_array *out, const lu_array *a, unsigned axes) {
  lu_array v = *a;
  int i;
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  for (i = 0; i < a->ndim; i++) {
    if (!(axes >> i & 1u)) continue;
    if (a->shape[i] > 0) v.offset += (a->shape[i] - 1) * a->strides[i];
    v.strides[i] = -a->strides[i];
  }
  return finish_view(out, &v);
}

/* NumPy's atleast_1d/2d/3d: a 0-d array becomes (1), (1,1), (1,1,1); a 1-d
** array of n becomes (1,n) or (1,n,1); a 2-d one (m,n,1) for 3-d. */
int lu_atleast(lu_ctx *ctx, lu_array *out, const lu_array *a, int nd) {
  lu_array v = *a;
  int item = lu_array_itemsize(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (nd < 1 || nd > 3)
    return lu_seterr(ctx, LU_EARG, "atleast: number of dimensions must be 1, 2 or 3, got %d", nd);
  if (a->ndim >= nd) return finish_view(out, &v);
  switch (a->ndim * 4 + nd) {
  case 1: case 2: case 3:              /* 0-d */
    v.ndim = nd;
    v.shape[0] = v.shape[1] = v.shape[2] = 1;
    v.strides[0] = v.strides[1] = v.strides[2] = item;
    break;
  case 6: case 7:                      /* (n) -> (1,n) or (1,n,1) */
    v.ndim = nd;
    v.shape[1] = a->shape[0];
    v.strides[1] = a->strides[0];
    v.shape[0] = 1;
    v.strides[0] = a->shape[0] * a->strides[0];
    v.shape[2] = 1;
    v.strides[2] = item;
    break;
  default:                             /* (m,n) -> (m,n,1) */
    v.ndim = 3;
    v.shape[2] = 1;
    v.strides[2] = item;
    break;
  }
  return finish_view(out, &v);
}
/* }====================================================== */
