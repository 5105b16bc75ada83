/* SPDX-License-Identifier: MIT */
/*
** lunar.image: read and write PNG and JPEG files (the codecs are
** src/core/image.c and image_jpeg.c). Images are (H, W) or (H, W, C)
** arrays of uint8 or uint16 samples.
*/
#include <string.h>
#include "lb.h"

/* Default for max_pixels: 2^28 pixels (16384 x 16384), a bound on what a
** damaged or hostile header can make lunar allocate; PIL refuses images
** above about 179 million pixels by default for the same reason. */
#define DEFAULT_MAX_PIXELS ((lua_Integer)1 << 28)

static const char *checkpath(lua_State *L, int idx) {
  size_t n;
  const char *s;
  if (lua_type(L, idx) != LUA_TSTRING)
    lb_argerror(L, idx, "path must be a string, got %s", luaL_typename(L, idx));
  s = lua_tolstring(L, idx, &n);
  if (n == 0) lb_argerror(L, idx, "path is empty");
  if (strlen(s) != n) lb_argerror(L, idx, "path contains a zero byte");
  return s;
}

/* lunar.image.read(path [, {device=, max_pixels=}]) */
static int l_read(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const char *path = checkpath(L, 1), *ds;
  lu_device dev = lu_ctx_default_device(ctx);
  lua_Integer maxpx;
  lu_image img;
  lu_array *r;
  int64_t shape[3];
  int st;
  lb_getparams(L, 2, "", "device,max_pixels", &p);
  ds = lb_pstr(L, &p, 0, "device", NULL);
  if (ds && lu_device_parse(ctx, ds, &dev)) return lb_fail(L, ctx);
  maxpx = lb_pint(L, &p, 1, "max_pixels", DEFAULT_MAX_PIXELS);
  if (maxpx < 1) lb_argerror(L, lb_pargn(&p, 1), "max_pixels must be positive, got %lld",
                             (long long)maxpx);
  r = lb_new(L);   /* first: nothing below raises until img is freed */
  if (lu_image_read(ctx, lb_fname(L), path, (int64_t)maxpx, &img)) return lb_fail(L, ctx);
  shape[0] = img.height;
  shape[1] = img.width;
  shape[2] = img.channels;
  st = lu_from_host(ctx, r, img.depth == 16 ? LU_UINT16 : LU_UINT8, img.channels == 1 ? 2 : 3,
                    shape, dev, img.h_data);
  lu_image_free(&img);
  if (st) return lb_fail(L, ctx);
  return 1;
}

/* lunar.image.write(path, a [, {format=, quality=, compress_level=}]) */
static int l_write(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const char *path = checkpath(L, 1), *format;
  lu_array *a = lb_check(L, 2);
  lua_Integer quality, level;
  lu_image img;
  size_t nbytes;
  char sb[LU_MAXDIM * 24];
  lb_getparams(L, 3, "", "format,quality,compress_level", &p);
  format = lb_pstr(L, &p, 0, "format", NULL);
  quality = lb_pint(L, &p, 1, "quality", 75);
  level = lb_pint(L, &p, 2, "compress_level", -1);
  if (quality < 1 || quality > 100)
    lb_argerror(L, lb_pargn(&p, 1), "quality must be within [1, 100], got %lld", (long long)quality);
  if (p.idx[2] && (level < 0 || level > 9))
    lb_argerror(L, lb_pargn(&p, 2), "compress_level must be within [0, 9], got %lld",
                (long long)level);
  if (a->dtype != LU_UINT8 && a->dtype != LU_UINT16 && a->dtype != LU_BOOL) {
    const char *how = lu_dtype_kind(a->dtype) == 'f' || lu_dtype_kind(a->dtype) == 'c'
                        ? "scale and convert first, e.g. (a * 255):astype('uint8')"
                        : "convert first, e.g. a:astype('uint8')";
    return luaL_error(L, "%s: cannot write %s pixels; images hold uint8, uint16 or bool samples (%s)",
                      lb_fname(L), lu_dtype_name(a->dtype), how);
  }
  if (!(a->ndim == 2 || (a->ndim == 3 && a->shape[2] >= 1 && a->shape[2] <= 4)))
    return luaL_error(L, "%s: expected an (H, W) or (H, W, C) array with C = 1, 2, 3 or 4, got "
                      "shape %s", lb_fname(L), lu_shape_str(a->ndim, a->shape, sb, sizeof sb));
  img.height = a->shape[0];
  img.width = a->shape[1];
  img.channels = a->ndim == 3 ? (int)a->shape[2] : 1;
  img.depth = a->dtype == LU_UINT16 ? 16 : 8;
  /* the samples in a userdata, so that an error anywhere leaves no leak */
  nbytes = (size_t)a->size * (size_t)lu_dtype_size(a->dtype);
  img.h_data = lua_newuserdatauv(L, nbytes ? nbytes : 1, 0);
  if (lu_to_host(ctx, a, img.h_data)) return lb_fail(L, ctx);
  if (a->dtype == LU_BOOL) {   /* scikit-image's convention: 0 and 255 */
    unsigned char *q = img.h_data;
    size_t i;
    for (i = 0; i < nbytes; i++) q[i] = q[i] ? 255 : 0;
  }
  if (lu_image_write(ctx, lb_fname(L), path, format, &img, (int)quality, (int)level))
    return lb_fail(L, ctx);
  return 0;
}

void lb_open_image(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {{"read", l_read}, {"write", l_write}, {NULL, NULL}};
  mod = lua_absindex(L, mod);
  lua_newtable(L);
  lb_register(L, -1, fns, "lunar.image.", 0);
  lua_newtable(L);
  lua_pushboolean(L, lu_image_has("png"));
  lua_setfield(L, -2, "png");
  lua_pushboolean(L, lu_image_has("jpeg"));
  lua_setfield(L, -2, "jpeg");
  lua_setfield(L, -2, "formats");
  lua_setfield(L, mod, "image");
}
