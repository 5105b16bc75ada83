/* SPDX-License-Identifier: MIT */
/*
** Files: lunar.load, save, savez, savez_compressed (NumPy's .npy and
** .npz), loadtxt, savetxt, genfromtxt (text), fromfile and a:tofile (raw
** bytes), memmap and a:flush (a file's bytes as an array), fromregex. Parameters in NumPy's order, by position or in a trailing
** options table. The work is in src/core (fileio.c, npz.c, textio.c).
*/
#include <stdlib.h>
#include <string.h>
#include "lb.h"

/* A path: a string without zero bytes (the C library would cut it). */
static const char *checkpath(lua_State *L, int idx) {
  size_t n;
  const char *s;
  if (lua_type(L, idx) != LUA_TSTRING)
    lb_argerror(L, idx, "a file name (string) expected, got %s", luaL_typename(L, idx));
  s = lua_tolstring(L, idx, &n);
  if (n == 0) lb_argerror(L, idx, "the file name is empty");
  if (strlen(s) != n) lb_argerror(L, idx, "the file name contains a zero byte");
  return s;
}

/* path, with `ext` added when it does not end with it (NumPy's save and
** savez do this); the result is pushed */
static const char *with_ext(lua_State *L, const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  if (n >= e && strcmp(path + n - e, ext) == 0) lua_pushstring(L, path);
  else lua_pushfstring(L, "%s%s", path, ext);
  return lua_tostring(L, -1);
}

static lu_device pdevice(lua_State *L, const lb_params *p, int i) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = lu_ctx_default_device(ctx);
  if (!p->idx[i]) return dev;
  if (lua_type(L, p->idx[i]) != LUA_TSTRING)
    lb_argerror(L, lb_pargn(p, i), "device must be a string, got %s", luaL_typename(L, p->idx[i]));
  if (lu_device_parse(ctx, lua_tostring(L, p->idx[i]), &dev))
    lb_argerror(L, lb_pargn(p, i), "%s", lu_ctx_errmsg(ctx));
  return dev;
}

/* {===== .npy and .npz */
/* What push_npz holds while it calls Lua, which may raise (out of memory):
** the archive and an entry's bytes, freed by __gc if it does. */
typedef struct npzbox { lu_npz *z; char *buf; unsigned magic; } npzbox;
#define NPZ_MAGIC 0x6c756e7au

static int npzbox_gc(lua_State *L) {
  /* the size and the magic number: the metatable can be given to any
  ** userdata through the debug library */
  npzbox *b = (npzbox *)lb_testudata(L, 1, "lunar.npzbox", sizeof(npzbox));
  if (b == NULL || b->magic != NPZ_MAGIC) return 0;
  lu_npz_close(b->z);
  free(b->buf);
  b->z = NULL;
  b->buf = NULL;
  return 0;
}

/* The entries of an archive into a table: arrays under their names less
** ".npy", other entries as strings of their bytes (NumPy's NpzFile). */
static int push_npz(lua_State *L, lu_ctx *ctx, const char *path, lu_device dev) {
  npzbox *box = (npzbox *)lua_newuserdatauv(L, sizeof *box, 0);
  int64_t i, n;
  box->z = NULL;
  box->buf = NULL;
  box->magic = NPZ_MAGIC;
  if (luaL_newmetatable(L, "lunar.npzbox")) {
    lua_pushcfunction(L, npzbox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  if (lu_npz_open(ctx, lb_fname(L), path, &box->z)) return lb_fail(L, ctx);
  n = lu_npz_count(box->z);
  lua_newtable(L);
  for (i = 0; i < n; i++) {
    int isarr;
    const char *en = lu_npz_entry(box->z, i, &isarr);
    if (en == NULL) continue;
    if (isarr) {
      lu_array *a;
      lua_pushlstring(L, en, strlen(en) - 4);
      a = lb_new(L);
      if (lu_npz_read(ctx, a, lb_fname(L), box->z, i, dev)) return lb_fail(L, ctx);
    } else {
      size_t len;
      lua_pushstring(L, en);
      if (lu_npz_read_raw(ctx, lb_fname(L), box->z, i, &box->buf, &len)) return lb_fail(L, ctx);
      lua_pushlstring(L, box->buf, len);
      free(box->buf);
      box->buf = NULL;
    }
    lua_settable(L, -3);
  }
  lu_npz_close(box->z);
  box->z = NULL;
  return 1;
}

/* load(path [, mmap_mode [, allow_pickle]] [, {device = }]) */
static int l_load(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const char *path = checkpath(L, 1), *mm;
  lu_device dev;
  int kind, mmap = 0;
  lu_array *a;
  lb_getparams(L, 2, "mmap_mode,allow_pickle", "device", &p);
  mm = lb_pstr(L, &p, 0, "mmap_mode", NULL);
  if (mm != NULL) {
    if (strcmp(mm, "r") == 0 || strcmp(mm, "c") == 0) mmap = 1;
    else if (strcmp(mm, "r+") == 0 || strcmp(mm, "w+") == 0)
      lb_argerror(L, lb_pargn(&p, 0),
                  "mmap_mode '%s' would write to the file; lunar maps files copy-on-write only ('r' or 'c')", mm);
    else lb_argerror(L, lb_pargn(&p, 0), "mmap_mode must be 'r', 'c', 'r+' or 'w+', got '%s'", mm);
  }
  if (lb_pbool(L, &p, 1, "allow_pickle", 0))
    lb_argerror(L, lb_pargn(&p, 1), "allow_pickle: lunar never unpickles (object arrays cannot be loaded)");
  dev = pdevice(L, &p, 2);
  if (mmap && !p.idx[2]) dev.type = LU_DEV_CPU, dev.index = 0;
  if (lu_file_kind(ctx, lb_fname(L), path, &kind)) return lb_fail(L, ctx);
  if (kind == LU_FILE_NPZ) return push_npz(L, ctx, path, dev);
  a = lb_new(L);
  if (lu_npy_load(ctx, a, lb_fname(L), path, dev, mmap)) return lb_fail(L, ctx);
  return 1;
}

/* save(path, arr [, allow_pickle]): ".npy" is added to a path without it */
static int l_save(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const char *path = checkpath(L, 1);
  lu_array *a;
  lb_getparams(L, 2, "arr,allow_pickle", NULL, &p);
  a = lb_parray(L, &p, 0, "arr", NULL);
  lb_pbool(L, &p, 1, "allow_pickle", 1);
  path = with_ext(L, path, ".npy");
  if (lu_npy_save(ctx, lb_fname(L), path, a)) return lb_fail(L, ctx);
  return 0;
}

static int cmpstr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* savez(path, a, b, ... [, {name = c, ...}]) and savez_compressed (upvalue
** 3 = 1): positional arrays are arr_0, arr_1, ... (NumPy's names), a last
** table that is not an array names the others (in sorted order of name) */
static int l_savez(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int compress = (int)lua_tointeger(L, lua_upvalueindex(3));
  const char *path = checkpath(L, 1);
  int top = lua_gettop(L), npos = top - 1, n = 0, i, named = 0, k;
  const char **keys;
  const lu_array **arrs;
  if (top >= 2 && lua_type(L, top) == LUA_TTABLE && !lb_test(L, top)) {
    /* a table of named arrays, unless it is a nested list (an array-like) */
    lua_pushnil(L);
    named = 1;
    while (lua_next(L, top)) {
      if (lua_type(L, -2) != LUA_TSTRING) named = 0;
      lua_pop(L, 1);
    }
    if (named) npos--;
  }
  luaL_checkstack(L, 2 * top + 64, NULL);
  lua_newtable(L);   /* anchor: the names and arrays made below */
  k = lua_gettop(L);
  for (i = 0; i < npos; i++) {
    lb_toarray(L, 2 + i, NULL);
    lua_pushfstring(L, "arr_%d", i);
    lua_rawseti(L, k, ++n);
  }
  if (named) {
    int first = n;
    lua_pushnil(L);
    while (lua_next(L, top)) {
      size_t len;
      const char *s = lua_tolstring(L, -2, &len);
      lua_pop(L, 1);
      if (len == 0 || strlen(s) != len)
        lb_argerror(L, top, "array names must be non-empty strings without zero bytes");
      if (len > 900) lb_argerror(L, top, "the array name '%.40s...' is too long", s);
      lua_pushvalue(L, -1);
      lua_rawseti(L, k, ++n);
    }
    /* sorted for a stable order in the archive */
    keys = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1), 0);
    for (i = first; i < n; i++) {
      lua_rawgeti(L, k, i + 1);
      keys[i - first] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    qsort(keys, (size_t)(n - first), sizeof(char *), cmpstr);
    for (i = first; i < n; i++) {
      lua_pushstring(L, keys[i - first]);
      lua_rawseti(L, k, i + 1);
    }
    lua_pop(L, 1);
    for (i = 0; i < first; i++) {
      lua_rawgeti(L, k, i + 1);
      lua_pushvalue(L, -1);
      if (lua_rawget(L, top) != LUA_TNIL)
        luaL_error(L, "%s: cannot use un-named variables and keyword %s", lb_fname(L),
                   lua_tostring(L, -2));
      lua_pop(L, 2);
    }
  }
  keys = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1), 0);
  arrs = lua_newuserdatauv(L, sizeof(lu_array *) * (size_t)(n + 1), 0);
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, k, i + 1);
    keys[i] = lua_tostring(L, -1);
    if (i < npos) {
      arrs[i] = lb_check(L, 2 + i);
    } else {
      lua_pushvalue(L, -1);
      lua_gettable(L, top);
      arrs[i] = lb_toarray(L, -1, NULL);
      lua_rawseti(L, k, n + 1 + i);   /* kept alive by the anchor */
      lua_rawgeti(L, k, n + 1 + i);
      arrs[i] = lb_check(L, -1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  path = with_ext(L, path, ".npz");
  if (lu_npz_save(ctx, lb_fname(L), path, n, keys, arrs, compress)) return lb_fail(L, ctx);
  return 0;
}
/* }===== */

/* {===== raw bytes */
/* a:tofile(path [, sep [, format]]): raw bytes without sep, else text */
static int l_tofile(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_check(L, 1);
  const char *path, *sep, *fmt;
  lb_getparams(L, 2, "fid,sep,format", NULL, &p);
  if (!p.idx[0]) return luaL_error(L, "%s: a file name expected", lb_fname(L));
  path = checkpath(L, p.idx[0]);
  sep = lb_pstr(L, &p, 1, "sep", "");
  fmt = lb_pstr(L, &p, 2, "format", "");
  if (*sep == '\0') {
    if (lu_tofile(ctx, lb_fname(L), path, a)) return lb_fail(L, ctx);
  } else {
    if (lu_tofile_text(ctx, lb_fname(L), path, a, sep, fmt)) return lb_fail(L, ctx);
  }
  return 0;
}

/* memmap(filename [, dtype [, mode [, offset [, shape [, order]]]]] [, {device = }]) */
static int l_memmap(lua_State *L) {
  static const struct { const char *name; int mode; } modes[] = {
    {"r", LU_MEMMAP_R}, {"readonly", LU_MEMMAP_R}, {"c", LU_MEMMAP_C},
    {"copyonwrite", LU_MEMMAP_C}, {"r+", LU_MEMMAP_RPLUS}, {"readwrite", LU_MEMMAP_RPLUS},
    {"w+", LU_MEMMAP_WPLUS}, {"write", LU_MEMMAP_WPLUS},
  };
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const char *path = checkpath(L, 1), *ms, *order;
  int dt, mode = -1, ndim = -1, i;
  int64_t shape[LU_MAXDIM];
  lua_Integer offset;
  lu_device dev;
  lu_array *out;
  lb_getparams(L, 2, "dtype,mode,offset,shape,order", "device", &p);
  dt = lb_pdtype(L, &p, 0);
  if (dt < 0) dt = LU_UINT8;   /* NumPy's default */
  ms = lb_pstr(L, &p, 1, "mode", "r+");
  for (i = 0; i < (int)(sizeof modes / sizeof modes[0]); i++)
    if (strcmp(ms, modes[i].name) == 0) mode = modes[i].mode;
  if (mode < 0)
    lb_argerror(L, lb_pargn(&p, 1), "mode must be one of 'r', 'c', 'r+' or 'w+', got '%s'", ms);
  offset = lb_pint(L, &p, 2, "offset", 0);
  if (offset < 0) lb_argerror(L, lb_pargn(&p, 2), "offset must be non-negative, got %lld", (long long)offset);
  if (p.idx[3]) {
    int k = p.idx[3];
    if (lua_isinteger(L, k)) {
      ndim = 1;
      shape[0] = (int64_t)lua_tointeger(L, k);
      if (shape[0] < 0)
        lb_argerror(L, lb_pargn(&p, 3), "shape must be non-negative integers, got %lld", (long long)shape[0]);
    } else if (lua_type(L, k) == LUA_TTABLE) {
      lb_shape(L, k, 0, &ndim, shape);
    } else {
      lb_argerror(L, lb_pargn(&p, 3), "shape must be an integer or a table of integers, got %s",
                  luaL_typename(L, k));
    }
  }
  order = lb_pstr(L, &p, 4, "order", "C");
  if (strcmp(order, "C") != 0 && strcmp(order, "F") != 0)
    lb_argerror(L, lb_pargn(&p, 4), "order must be 'C' or 'F', got '%s'", order);
  dev = pdevice(L, &p, 5);
  if (p.idx[5] && dev.type != LU_DEV_CPU) {
    char ds[16];
    lb_argerror(L, lb_pargn(&p, 5), "a memory map is a CPU array: device must be 'cpu', got '%s'",
                lu_device_str(dev, ds));
  }
  out = lb_new(L);
  if (lu_memmap(ctx, out, lb_fname(L), path, (lu_dtype)dt, mode, (int64_t)offset, ndim, shape,
                order[0] == 'F'))
    return lb_fail(L, ctx);
  return 1;
}

static void pencoding(lua_State *L, const lb_params *p, int i);

/* fromregex(file, regexp, dtype [, encoding] [, {device = }]): file is a
** path or an open Lua file (read from where it stands to its end); dtype
** a dtype, or a list of one dtype per group (then one array each). */
static int l_fromregex(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const char *pat;
  lu_dtype dts[LU_REGEX_MAXGROUPS];
  lu_array *outs[LU_REGEX_MAXGROUPS], tmp[LU_REGEX_MAXGROUPS];
  int ndt = 0, per_group = 0, nout = 0, i, st, ntext;
  size_t len;
  const char *text;
  lu_device dev;
  lb_getparams(L, 2, "regexp,dtype,encoding", "device", &p);
  if (!p.idx[0]) lb_argerror(L, 2, "regexp (a string) expected");
  if (lua_type(L, p.idx[0]) != LUA_TSTRING)
    lb_argerror(L, lb_pargn(&p, 0), "regexp must be a string, got %s", luaL_typename(L, p.idx[0]));
  pat = lua_tostring(L, p.idx[0]);
  if (!p.idx[1]) lb_argerror(L, 3, "dtype expected (NumPy's fromregex needs one too)");
  if (lua_type(L, p.idx[1]) == LUA_TTABLE && !lb_test(L, p.idx[1])) {
    lua_Integer k, n = luaL_len(L, p.idx[1]);
    if (n < 1 || n > LU_REGEX_MAXGROUPS)
      lb_argerror(L, lb_pargn(&p, 1), "dtype list must hold 1 to %d dtypes, got %lld", LU_REGEX_MAXGROUPS,
                  (long long)n);
    for (k = 1; k <= n; k++) {
      lua_geti(L, p.idx[1], k);
      if (lua_type(L, -1) != LUA_TSTRING)
        lb_argerror(L, lb_pargn(&p, 1), "dtype list entry %lld must be a dtype name, got %s",
                    (long long)k, luaL_typename(L, -1));
      dts[ndt++] = (lu_dtype)lb_checkdtypeat(L, lb_pargn(&p, 1), lua_gettop(L));
      lua_pop(L, 1);
    }
    per_group = 1;
  } else {
    dts[ndt++] = (lu_dtype)lb_pdtype(L, &p, 1);
  }
  pencoding(L, &p, 2);
  dev = pdevice(L, &p, 3);
  /* the text, as a Lua string on the stack (a path is read by the core) */
  if (lua_type(L, 1) == LUA_TSTRING) {
    const char *path = checkpath(L, 1);
    char *buf;
    int mapped;
    if (lu_text_read(ctx, lb_fname(L), path, &buf, &len, &mapped)) return lb_fail(L, ctx);
    lua_pushlstring(L, buf, len);   /* may raise (memory): then buf leaks, as a file's text */
    lu_text_free(buf, len, mapped);
  } else if (luaL_testudata(L, 1, LUA_FILEHANDLE)) {
    luaL_Stream *fs = (luaL_Stream *)lua_touserdata(L, 1);
    if (fs->closef == NULL) lb_argerror(L, 1, "the file is closed");
    lua_getfield(L, 1, "read");
    lua_pushvalue(L, 1);
    lua_pushliteral(L, "a");
    lua_call(L, 2, 1);
    if (lua_type(L, -1) != LUA_TSTRING) lb_argerror(L, 1, "cannot read the file");
  } else {
    return lb_argerror(L, 1, "a file name or an open file expected, got %s", luaL_typename(L, 1));
  }
  ntext = lua_gettop(L);
  text = lua_tolstring(L, ntext, &len);
  for (i = 0; i < (per_group ? ndt : 1); i++) outs[i] = lb_new(L);
  memset(tmp, 0, sizeof tmp);
  st = lu_fromregex(ctx, tmp, lb_fname(L), text, len, pat, dts, ndt, per_group, dev, &nout);
  if (st != LU_OK) return lb_fail(L, ctx);
  for (i = 0; i < nout; i++) *outs[i] = tmp[i];
  if (!per_group) return 1;
  lua_createtable(L, nout, 0);
  for (i = 0; i < nout; i++) {
    lua_pushvalue(L, ntext + 1 + i);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* a:flush(): a memmap's changes written to its file now */
static int l_flush(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  if (lu_memmap_flush(ctx, lb_fname(L), a)) return lb_fail(L, ctx);
  return 0;
}

/* fromfile(path [, dtype [, count [, sep [, offset]]]] [, {device = }]) */
static int l_fromfile(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const char *path = checkpath(L, 1), *sep;
  int dt;
  lua_Integer count, offset;
  lu_device dev;
  lu_array *out;
  lb_getparams(L, 2, "dtype,count,sep,offset", "device,like", &p);
  dt = lb_pdtype(L, &p, 0);
  if (dt < 0) dt = LU_FLOAT64;
  count = lb_pint(L, &p, 1, "count", -1);
  sep = lb_pstr(L, &p, 2, "sep", "");
  offset = lb_pint(L, &p, 3, "offset", 0);
  dev = pdevice(L, &p, 4);
  if (p.idx[5]) {
    lu_array *like = lb_test(L, p.idx[5]);
    if (like == NULL) lb_argerror(L, lb_pargn(&p, 5), "like must be an array");
    if (!p.idx[4]) dev = lu_array_device(like);
  }
  if (offset < 0) lb_argerror(L, lb_pargn(&p, 3), "offset must be non-negative, got %lld", (long long)offset);
  out = lb_new(L);
  if (*sep == '\0') {
    if (lu_fromfile(ctx, out, lb_fname(L), path, (lu_dtype)dt, count, offset, dev))
      return lb_fail(L, ctx);
  } else {
    if (lu_fromfile_text(ctx, out, lb_fname(L), path, (lu_dtype)dt, count, sep, offset, dev))
      return lb_fail(L, ctx);
  }
  return 1;
}
/* }===== */

/* {===== text */
static void pencoding(lua_State *L, const lb_params *p, int i) {
  static const char *const ok[] = {"bytes", "latin1", "latin-1", "utf-8", "utf8", "ascii", NULL};
  const char *e = lb_pstr(L, p, i, "encoding", NULL);
  int k;
  if (e == NULL) return;
  for (k = 0; ok[k]; k++)
    if (strcmp(e, ok[k]) == 0) return;
  lb_argerror(L, lb_pargn(p, i), "encoding must be 'utf-8', 'latin1', 'ascii' or 'bytes', got '%s'", e);
}

static lua_Integer pcount(lua_State *L, const lb_params *p, int i, const char *what,
                          lua_Integer dflt) {
  lua_Integer v = lb_pint(L, p, i, what, dflt);
  if (v < 0) lb_argerror(L, lb_pargn(p, i), "%s must be non-negative, got %lld", what, (long long)v);
  return v;
}

/* loadtxt(fname [, dtype [, comments [, delimiter [, converters [, skiprows
** [, usecols [, unpack [, ndmin [, encoding [, max_rows]]]]]]]]]]
** [, {quotechar, like, device}]) and genfromtxt (upvalue 3 = 1):
** genfromtxt(fname [, dtype [, comments [, delimiter [, skip_header
** [, skip_footer [, converters [, missing_values [, filling_values
** [, usecols [, names]]]]]]]]]] [, {unpack, max_rows, encoding, ndmin,
** invalid_raise, device}]). usecols are 1-based positions. */
static int l_loadtxt(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int gen = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_text_opts o;
  const char *path = checkpath(L, 1);
  int P_DT = 0, P_COM = 1, P_DELIM = 2, P_CONV, P_SKIP, P_USE, P_UNPACK, P_NDMIN, P_ENC, P_MAX,
      P_DEV, P_FILL = -1, P_NAMES = -1, P_FOOT = -1, P_MISS = -1, P_QUOTE = -1, P_LIKE = -1,
      P_INV = -1;
  int64_t use[LU_TEXT_MAXUSE];
  int ndmin, unpack, top, nres, i;
  lu_array *a, *cur;
  lu_device dev;
  if (!gen) {
    lb_getparams(L, 2, "dtype,comments,delimiter,converters,skiprows,usecols,unpack,ndmin,encoding,max_rows",
                 "quotechar,like,device", &p);
    P_CONV = 3; P_SKIP = 4; P_USE = 5; P_UNPACK = 6; P_NDMIN = 7; P_ENC = 8; P_MAX = 9;
    P_QUOTE = 10; P_LIKE = 11; P_DEV = 12;
  } else {
    lb_getparams(L, 2, "dtype,comments,delimiter,skip_header,skip_footer,converters,missing_values,filling_values,usecols,names",
                 "unpack,max_rows,encoding,ndmin,invalid_raise,device", &p);
    P_SKIP = 3; P_FOOT = 4; P_CONV = 5; P_MISS = 6; P_FILL = 7; P_USE = 8; P_NAMES = 9;
    P_UNPACK = 10; P_MAX = 11; P_ENC = 12; P_NDMIN = 13; P_INV = 14; P_DEV = 15;
  }
  memset(&o, 0, sizeof o);
  o.gen = gen;
  o.dt = LU_FLOAT64;
  o.max_rows = -1;
  o.ncomments = 1;
  o.comments[0] = "#";
  if (p.idx[P_DT]) o.dt = (lu_dtype)lb_pdtype(L, &p, P_DT);
  if (p.idx[P_COM]) {
    int ci = p.idx[P_COM];
    if (lua_type(L, ci) == LUA_TBOOLEAN && !lua_toboolean(L, ci)) o.ncomments = 0;
    else if (lua_type(L, ci) == LUA_TSTRING) o.comments[0] = lua_tostring(L, ci);
    else if (lua_type(L, ci) == LUA_TTABLE) {
      lua_Integer n = luaL_len(L, ci), k;
      if (n > LU_TEXT_MAXCOMMENTS)
        lb_argerror(L, lb_pargn(&p, P_COM), "at most %d comment markers", LU_TEXT_MAXCOMMENTS);
      o.ncomments = 0;
      for (k = 1; k <= n; k++) {
        lua_geti(L, ci, k);
        if (lua_type(L, -1) != LUA_TSTRING)
          lb_argerror(L, lb_pargn(&p, P_COM), "comments must be strings");
        o.comments[o.ncomments++] = lua_tostring(L, -1);
        lua_pop(L, 1);   /* the table on the stack keeps the string */
      }
    } else {
      lb_argerror(L, lb_pargn(&p, P_COM), "comments must be a string, a list of strings or false, got %s",
                  luaL_typename(L, ci));
    }
  }
  if (p.idx[P_DELIM] && !(lua_type(L, p.idx[P_DELIM]) == LUA_TBOOLEAN && !lua_toboolean(L, p.idx[P_DELIM]))) {
    size_t n;
    const char *d;
    if (lua_type(L, p.idx[P_DELIM]) != LUA_TSTRING)
      lb_argerror(L, lb_pargn(&p, P_DELIM), "delimiter must be a one-character string, got %s",
                  luaL_typename(L, p.idx[P_DELIM]));
    d = lua_tolstring(L, p.idx[P_DELIM], &n);
    if (n != 1 || d[0] == '\n' || d[0] == '\r' || d[0] == '\0')
      lb_argerror(L, lb_pargn(&p, P_DELIM), "delimiter must be one character (not a newline), got '%s'", d);
    o.delim = d[0];
  }
  if (p.idx[P_CONV]) lb_argerror(L, lb_pargn(&p, P_CONV), "converters are not supported");
  if (P_MISS >= 0 && p.idx[P_MISS])
    lb_argerror(L, lb_pargn(&p, P_MISS), "missing_values is not supported (empty and invalid fields are missing)");
  if (P_QUOTE >= 0 && p.idx[P_QUOTE]) lb_argerror(L, lb_pargn(&p, P_QUOTE), "quotechar is not supported");
  if (P_LIKE >= 0 && p.idx[P_LIKE] && !lb_test(L, p.idx[P_LIKE]))
    lb_argerror(L, lb_pargn(&p, P_LIKE), "like must be an array");
  if (P_FOOT >= 0 && pcount(L, &p, P_FOOT, "skip_footer", 0) != 0)
    lb_argerror(L, lb_pargn(&p, P_FOOT), "skip_footer is not supported");
  if (P_INV >= 0) lb_pbool(L, &p, P_INV, "invalid_raise", 1);
  o.skip = pcount(L, &p, P_SKIP, gen ? "skip_header" : "skiprows", 0);
  if (p.idx[P_MAX]) o.max_rows = pcount(L, &p, P_MAX, "max_rows", 0);
  if (P_FILL >= 0 && p.idx[P_FILL]) {
    o.has_fill = 1;
    o.filling = lb_pnum(L, &p, P_FILL, "filling_values", 0);
  }
  if (p.idx[P_USE]) {
    int ui = p.idx[P_USE];
    lua_Integer n = 1, k;
    if (lua_type(L, ui) == LUA_TTABLE) {
      n = luaL_len(L, ui);
      if (n < 1 || n > LU_TEXT_MAXUSE)
        lb_argerror(L, lb_pargn(&p, P_USE), "usecols must list 1 to %d columns", LU_TEXT_MAXUSE);
    } else if (!lua_isinteger(L, ui)) {
      lb_argerror(L, lb_pargn(&p, P_USE), "usecols must be an integer or a list of integers, got %s",
                  luaL_typename(L, ui));
    }
    for (k = 1; k <= n; k++) {
      int isint;
      lua_Integer u;
      if (lua_type(L, ui) == LUA_TTABLE) lua_geti(L, ui, k);
      else lua_pushvalue(L, ui);
      u = lua_tointegerx(L, -1, &isint);
      lua_pop(L, 1);
      if (!isint || u == 0 || u > INT32_MAX || u < -INT32_MAX)
        lb_argerror(L, lb_pargn(&p, P_USE), "usecols must be 1-based column positions (negative from the end)");
      use[k - 1] = u > 0 ? u - 1 : u;
    }
    o.nuse = (int)n;
    o.use = use;
  }
  unpack = lb_pbool(L, &p, P_UNPACK, "unpack", 0);
  ndmin = (int)lb_pint(L, &p, P_NDMIN, "ndmin", 0);
  if (ndmin < 0 || ndmin > 2) lb_argerror(L, lb_pargn(&p, P_NDMIN), "Illegal value of ndmin keyword: %d", ndmin);
  pencoding(L, &p, P_ENC);
  if (P_NAMES >= 0 && p.idx[P_NAMES]) {
    if (lua_type(L, p.idx[P_NAMES]) != LUA_TBOOLEAN)
      lb_argerror(L, lb_pargn(&p, P_NAMES), "names must be a boolean (true: read from the first line)");
    o.names = lua_toboolean(L, p.idx[P_NAMES]);
  }
  dev = pdevice(L, &p, P_DEV);
  if (P_LIKE >= 0 && p.idx[P_LIKE] && !p.idx[P_DEV]) dev = lu_array_device(lb_test(L, p.idx[P_LIKE]));
  a = lb_new(L);
  if (lu_loadtxt(ctx, a, lb_fname(L), path, &o, dev)) return lb_fail(L, ctx);
  top = lua_gettop(L);
  /* NumPy's shape rules: squeezed above ndmin, then raised to it */
  cur = a;
  if (cur->ndim > ndmin) {
    lu_array *b = lb_new(L);
    if (lu_squeeze(ctx, b, cur, LU_ALLAXES)) { free(o.header); return lb_fail(L, ctx); }
    cur = b;
  }
  if (cur->ndim < ndmin) {
    lu_array *b = lb_new(L);
    if (lu_atleast(ctx, b, cur, ndmin)) { free(o.header); return lb_fail(L, ctx); }
    cur = b;
    if (ndmin == 2 && a->shape[0] != 1) {   /* NumPy's atleast_2d(a).T */
      b = lb_new(L);
      if (lu_transpose(ctx, b, cur, NULL)) { free(o.header); return lb_fail(L, ctx); }
      cur = b;
    }
  }
  nres = 1;
  if (unpack && cur->ndim >= 2) {
    /* one result per column (arr.T's rows) */
    lu_array *t = lb_new(L);
    int64_t r;
    if (lu_transpose(ctx, t, cur, NULL)) { free(o.header); return lb_fail(L, ctx); }
    if (t->shape[0] > 200) { free(o.header); return luaL_error(L, "%s: unpack gives one result per column: %lld columns are too many", lb_fname(L), (long long)t->shape[0]); }
    luaL_checkstack(L, (int)t->shape[0] + 4, NULL);
    top = lua_gettop(L);
    for (r = 0; r < t->shape[0]; r++) {
      lu_array *row = lb_new(L);
      if (lu_take_index(ctx, row, t, 0, r)) { free(o.header); return lb_fail(L, ctx); }
    }
    nres = (int)t->shape[0];
  } else {
    lua_pushvalue(L, lua_gettop(L));
  }
  if (o.header != NULL) {
    /* genfromtxt's names: the header split like a row, usecols applied */
    const char *h = o.header, *e = o.header + strlen(o.header);
    int n = 0;
    lua_newtable(L);
    while (h < e) {
      const char *fs, *fe;
      if (o.delim) {
        fs = h;
        fe = memchr(h, o.delim, (size_t)(e - h));
        if (fe == NULL) fe = e;
        h = fe + 1;
      } else {
        while (h < e && (*h == ' ' || *h == '\t' || *h == '\r')) h++;
        if (h == e) break;
        fs = h;
        while (h < e && !(*h == ' ' || *h == '\t' || *h == '\r')) h++;
        fe = h;
      }
      while (fs < fe && (*fs == ' ' || *fs == '\t')) fs++;
      while (fe > fs && (fe[-1] == ' ' || fe[-1] == '\t' || fe[-1] == '\r')) fe--;
      lua_pushlstring(L, fs, (size_t)(fe - fs));
      lua_rawseti(L, -2, ++n);
    }
    free(o.header);
    if (o.nuse > 0) {
      lua_newtable(L);
      for (i = 0; i < o.nuse; i++) {
        int64_t u = use[i] < 0 ? use[i] + n : use[i];
        lua_rawgeti(L, -2, (lua_Integer)u + 1);
        lua_rawseti(L, -2, i + 1);
      }
      lua_remove(L, -2);
    }
    nres++;
  } else if (o.names) {
    lua_newtable(L);
    nres++;
  }
  (void)top;
  return nres;
}

/* savetxt(fname, X [, fmt [, delimiter [, newline [, header [, footer
** [, comments [, encoding]]]]]]]) */
static int l_savetxt(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_savetxt_opts o;
  const char *path = checkpath(L, 1);
  const char *one[1];
  const char **fmts = one;
  lu_array *a;
  lb_getparams(L, 2, "X,fmt,delimiter,newline,header,footer,comments,encoding", NULL, &p);
  a = lb_parray(L, &p, 0, "X", NULL);
  memset(&o, 0, sizeof o);
  o.nfmt = 1;
  one[0] = "%.18e";
  if (p.idx[1]) {
    int fi = p.idx[1];
    if (lua_type(L, fi) == LUA_TSTRING) one[0] = lua_tostring(L, fi);
    else if (lua_type(L, fi) == LUA_TTABLE && !lb_test(L, fi)) {
      lua_Integer n = luaL_len(L, fi), k;
      if (n < 1 || n > 100000) lb_argerror(L, lb_pargn(&p, 1), "fmt must list one format per column");
      fmts = lua_newuserdatauv(L, sizeof(char *) * (size_t)n, 0);
      lua_newtable(L);   /* anchors the strings */
      for (k = 1; k <= n; k++) {
        lua_geti(L, fi, k);
        if (lua_type(L, -1) != LUA_TSTRING) lb_argerror(L, lb_pargn(&p, 1), "fmt must be a string or a list of strings");
        fmts[k - 1] = lua_tostring(L, -1);
        lua_rawseti(L, -2, k);
      }
      o.nfmt = (int)n;
    } else {
      lb_argerror(L, lb_pargn(&p, 1), "fmt must be a string or a list of strings, got %s", luaL_typename(L, fi));
    }
  }
  o.fmt = fmts;
  o.delimiter = lb_pstr(L, &p, 2, "delimiter", " ");
  o.newline = lb_pstr(L, &p, 3, "newline", "\n");
  o.header = lb_pstr(L, &p, 4, "header", "");
  o.footer = lb_pstr(L, &p, 5, "footer", "");
  o.comments = lb_pstr(L, &p, 6, "comments", "# ");
  pencoding(L, &p, 7);
  if (lu_savetxt(ctx, lb_fname(L), path, a, &o)) return lb_fail(L, ctx);
  return 0;
}
/* }===== */

void lb_open_io(lua_State *L, int mod, int methods) {
  static const struct { const char *name; lua_CFunction f; int up; } fns[] = {
    {"load", l_load, 0}, {"save", l_save, 0}, {"savez", l_savez, 0},
    {"savez_compressed", l_savez, 1}, {"fromfile", l_fromfile, 0},
    {"loadtxt", l_loadtxt, 0}, {"genfromtxt", l_loadtxt, 1}, {"savetxt", l_savetxt, 0},
    {"memmap", l_memmap, 0}, {"fromregex", l_fromregex, 0},
  };
  int i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  for (i = 0; i < (int)(sizeof fns / sizeof fns[0]); i++) {
    lua_pushfstring(L, "lunar.%s", fns[i].name);
    lb_pushfn(L, fns[i].f, lua_tostring(L, -1), 0, fns[i].up);
    lua_setfield(L, mod, fns[i].name);
    lua_pop(L, 1);
  }
  lb_pushfn(L, l_tofile, "array:tofile", 1, -1);
  lua_setfield(L, methods, "tofile");
  lb_pushfn(L, l_flush, "array:flush", 1, -1);
  lua_setfield(L, methods, "flush");
}
