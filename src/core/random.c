/* SPDX-License-Identifier: MIT */
/*
** The random family's per-element samplers (lu_samplers.def) in the core:
** each parameter is a scalar or an array broadcast to the output's shape
** (copied to contiguous float64 on the output's device), then one backend
** call writes the output. The Generator (lua/random.lua) checks the
** parameters' ranges and composes the other methods from these.
*/
#include <string.h>
#include "lu_internal.h"
#include "lu_philox.h"

static const struct { const char *name; int np; char kind; } rows[] = {
#define LU_SAMPLER(name, np, kind) { #name, np, #kind[0] },
#include "lu_samplers.def"
#undef LU_SAMPLER
};

int lu_sampler_nparams(lu_sampler row) {
  return (int)row >= 0 && (int)row < LU_NSAMPLERS ? rows[row].np : -1;
}

int lu_sampler_is_int(lu_sampler row) {
  return (int)row >= 0 && (int)row < LU_NSAMPLERS && rows[row].kind == 'i';
}

int lu_sampler_find(const char *name) {
  int i;
  for (i = 0; i < LU_NSAMPLERS; i++)
    if (strcmp(rows[i].name, name) == 0) return i;
  return -1;
}

void lu_philox_words(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  memcpy(out, ctr, 4 * sizeof out[0]);
  lu_philox4x32_10(out, key[0], key[1]);
}

static double scalar_value(const lu_scalar *s) {
  return s->kind == 'f' || s->kind == 'c' ? s->f : (double)s->i;
}

int lu_random_sample(lu_ctx *ctx, lu_array *out, const char *name, lu_sampler row, int ndim,
                     const int64_t *shape, lu_dtype dt, lu_device dev, const lu_arg *par,
                     int64_t ilow, uint64_t irange, lu_rngpos *pos) {
  const lu_random_family *fam;
  lu_array tmp[3];
  lu_sample_call c;
  int st = LU_OK, k, np;
  out->buf = NULL;
  if ((int)row < 0 || (int)row >= LU_NSAMPLERS)
    return lu_seterr(ctx, LU_EARG, "%s: unknown sampler %d", name, (int)row);
  np = rows[row].np;
  if (rows[row].kind == 'i') dt = LU_INT64;
  else if (dt != LU_FLOAT32 && dt != LU_FLOAT64)
    return lu_seterr(ctx, LU_ETYPE, "%s: dtype must be float32 or float64, got %s", name,
                     lu_dtype_name(dt));
  for (k = 0; k < np; k++)
    if (par[k].arr != NULL && !lu_device_eq(par[k].arr->buf->dev, dev)) {
      char a[32], b[32];
      return lu_seterr(ctx, LU_EDEVICE, "%s: parameter %d is on %s, the generator draws on %s",
                       name, k + 1, lu_device_str(par[k].arr->buf->dev, a),
                       lu_device_str(dev, b));
    }
  if ((st = lu_empty(ctx, out, dt, ndim, shape, dev)) != LU_OK) return st;
  memset(&c, 0, sizeof c);
  for (k = 0; k < 3; k++) tmp[k].buf = NULL;
  for (k = 0; k < np && st == LU_OK; k++) {
    if (par[k].arr == NULL) { c.par[k] = scalar_value(&par[k].s); continue; }
    if ((st = lu_empty(ctx, &tmp[k], LU_FLOAT64, ndim, shape, dev)) != LU_OK) break;
    if ((st = lu_assign(ctx, &tmp[k], &par[k])) != LU_OK) break;
    if (out->size > 0) c.d_par[k] = (const double *)lu_array_data(&tmp[k]);
  }
  if (st == LU_OK && out->size > 0) {
    fam = lu_family(ctx, name, dev, random);
    lu_check_contig(out, out->size, (int)dt, dev);
    c.dev = dev;
    c.row = (int)row;
    c.dt = dt;
    c.out = lu_array_data(out);
    c.n = out->size;
    c.seed = pos->seed;
    c.offset = pos->offset;
    c.ilow = ilow;
    c.irange = irange;
    st = fam == NULL ? (int)ctx->err
         : fam->sample == NULL ? lu_unavailable(ctx, name, dev)
         : fam->sample(ctx, &c);
    if (st == LU_OK) {
      pos->offset += (uint64_t)((out->size + 3) / 4 * 4);
      st = lu_after_op(ctx, dev);
    }
  }
  for (k = 0; k < 3; k++) if (tmp[k].buf) lu_array_release(&tmp[k]);
  if (st != LU_OK) lu_array_release(out);
  return st;
}
