/* SPDX-License-Identifier: MIT */
/*
** NumPy's .npz archives: a zip of .npy files (savez stores them, savez_
** compressed deflates them), through Debian's libzip. An entry "x.npy" is
** the array named "x"; other entries are kept as raw bytes, as NumPy's
** NpzFile gives them.
**
** An archive is not trusted more than a .npy file: libzip checks the
** directory's offsets and each entry's CRC; before an entry is read, its
** declared size must be one that its stored bytes can give (equal for a
** stored entry, at most deflate's greatest ratio for a deflated one), so
** a zip bomb declaring terabytes is refused before any allocation, and
** the .npy header inside is checked against that size like a file's.
*/
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include "lu_fileio.h"
#include "lu_hostmem.h"

/* deflate expands at most 1032:1 (zlib's technical notes); a margin for
** the headers of tiny streams */
#define DEFLATE_MAX_RATIO 1032
#define DEFLATE_SLACK 4096

struct lu_npz {
  zip_t *z;
  int64_t n;
};

static int zerr(lu_ctx *ctx, const char *name, const char *path, int code) {
  zip_error_t e;
  int st;
  zip_error_init_with_code(&e, code);
  st = lu_seterr(ctx, LU_EARG, "%s: '%s' is not a readable zip archive: %s", name, path,
                 zip_error_strerror(&e));
  zip_error_fini(&e);
  return st;
}

int lu_npz_open(lu_ctx *ctx, const char *name, const char *path, lu_npz **out) {
  int code = 0;
  zip_t *z;
  lu_npz *a;
  zip_int64_t n;
  *out = NULL;
  z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (z == NULL) return zerr(ctx, name, path, code);
  n = zip_get_num_entries(z, 0);
  if (n < 0) {
    zip_discard(z);
    return lu_seterr(ctx, LU_EARG, "%s: cannot read the archive '%s'", name, path);
  }
  if ((a = lu_malloc(sizeof *a)) == NULL) {
    zip_discard(z);
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory: requested %zu bytes on the host", name,
                     sizeof *a);
  }
  a->z = z;
  a->n = n;
  *out = a;
  return LU_OK;
}

int64_t lu_npz_count(const lu_npz *z) { return z->n; }

void lu_npz_close(lu_npz *z) {
  if (z == NULL) return;
  zip_discard(z->z);
  free(z);
}

/* The entry's name, and whether it is an array (a name ending in .npy). */
const char *lu_npz_entry(const lu_npz *z, int64_t i, int *isarray) {
  const char *s = zip_get_name(z->z, (zip_uint64_t)i, 0);
  size_t n = s ? strlen(s) : 0;
  *isarray = n > 4 && strcmp(s + n - 4, ".npy") == 0;
  return s;
}

static int64_t entry_read(void *ud, void *dst, size_t n) {
  zip_file_t *f = (zip_file_t *)ud;
  size_t got = 0;
  while (got < n) {
    zip_int64_t k = zip_fread(f, (char *)dst + got, n - got);
    if (k < 0) return -1;
    if (k == 0) break;
    got += (size_t)k;
  }
  return (int64_t)got;
}

/* Open entry i after checking its declared size. */
static int open_entry(lu_ctx *ctx, const char *name, lu_npz *z, int64_t i, zip_file_t **f,
                      int64_t *size) {
  zip_stat_t st;
  const char *ename;
  *f = NULL;
  zip_stat_init(&st);
  if (zip_stat_index(z->z, (zip_uint64_t)i, 0, &st) != 0)
    return lu_seterr(ctx, LU_EARG, "%s: entry %lld of the archive: %s", name, (long long)i + 1,
                     zip_strerror(z->z));
  ename = (st.valid & ZIP_STAT_NAME) ? st.name : "?";
  if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE) ||
      !(st.valid & ZIP_STAT_COMP_METHOD))
    return lu_seterr(ctx, LU_EARG, "%s: entry '%s': its size is not known", name, ename);
  if (st.comp_method == ZIP_CM_STORE) {
    if (st.size != st.comp_size)
      return lu_seterr(ctx, LU_EARG,
                       "%s: entry '%s' is stored but declares %llu bytes for %llu stored ones",
                       name, ename, (unsigned long long)st.size, (unsigned long long)st.comp_size);
  } else if (st.comp_method == ZIP_CM_DEFLATE) {
    if (st.comp_size > (zip_uint64_t)INT64_MAX / DEFLATE_MAX_RATIO ||
        st.size > st.comp_size * DEFLATE_MAX_RATIO + DEFLATE_SLACK)
      return lu_seterr(ctx, LU_EARG,
                       "%s: entry '%s' declares %llu bytes from %llu deflated ones, more than deflate can give: refused (a zip bomb?)",
                       name, ename, (unsigned long long)st.size, (unsigned long long)st.comp_size);
  } else {
    return lu_seterr(ctx, LU_EARG,
                     "%s: entry '%s' uses compression method %d (lunar reads stored and deflated entries)",
                     name, ename, (int)st.comp_method);
  }
  if (st.size > (zip_uint64_t)INT64_MAX)
    return lu_seterr(ctx, LU_EARG, "%s: entry '%s' is too big", name, ename);
  *f = zip_fopen_index(z->z, (zip_uint64_t)i, 0);
  if (*f == NULL)
    return lu_seterr(ctx, LU_EARG, "%s: entry '%s': %s", name, ename, zip_strerror(z->z));
  *size = (int64_t)st.size;
  return LU_OK;
}

/* A read failure inside an entry: libzip's reason (a CRC error, a broken
** stream) when it has one. */
static int entry_fail(lu_ctx *ctx, const char *name, zip_file_t *f, int st) {
  zip_error_t *e = zip_file_get_error(f);
  if (e != NULL && zip_error_code_zip(e) != ZIP_ER_OK)
    return lu_seterr(ctx, LU_EARG, "%s: %s (%s)", name, zip_error_strerror(e), lu_ctx_errmsg(ctx));
  return st;
}

int lu_npz_read(lu_ctx *ctx, lu_array *out, const char *name, lu_npz *z, int64_t i,
                lu_device dev) {
  zip_file_t *f;
  lu_reader r;
  lu_npy_header h;
  int64_t size;
  int st;
  char ename[256];
  const char *en = zip_get_name(z->z, (zip_uint64_t)i, 0);
  out->buf = NULL;
  snprintf(ename, sizeof ename, "%s: entry '%s'", name, en ? en : "?");
  if ((st = open_entry(ctx, name, z, i, &f, &size)) != LU_OK) return st;
  r.read = entry_read;
  r.ud = f;
  r.avail = size;
  r.pos = 0;
  st = lu_npy_read_header(ctx, ename, &r, &h);
  if (st == LU_OK) st = lu_npy_read_data(ctx, out, ename, &r, &h, dev);
  if (st == LU_OK) {
    /* read to the entry's end, where libzip checks its CRC */
    char rest[4096];
    int64_t k;
    while ((k = entry_read(f, rest, sizeof rest)) > 0) {}
    if (k < 0) {
      lu_array_release(out);
      st = lu_seterr(ctx, LU_EARG, "%s: entry '%s' is damaged: %s", name, en ? en : "?",
                     zip_error_strerror(zip_file_get_error(f)));
    }
  }
  if (st != LU_OK) st = entry_fail(ctx, name, f, st);
  zip_fclose(f);
  return st;
}

int lu_npz_read_raw(lu_ctx *ctx, const char *name, lu_npz *z, int64_t i, char **buf,
                    size_t *n) {
  zip_file_t *f;
  int64_t size, got;
  int st;
  *buf = NULL;
  *n = 0;
  if ((st = open_entry(ctx, name, z, i, &f, &size)) != LU_OK) return st;
  if ((uint64_t)size > SIZE_MAX - 1 || (*buf = lu_malloc((size_t)size + 1)) == NULL) {
    zip_fclose(f);
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory: requested %lld bytes on the host", name,
                     (long long)size);
  }
  got = entry_read(f, *buf, (size_t)size);
  if (got != size) {
    zip_error_t *e = zip_file_get_error(f);
    st = lu_seterr(ctx, LU_EARG, "%s: entry '%s' is damaged: %s", name,
                   zip_get_name(z->z, (zip_uint64_t)i, 0),
                   e ? zip_error_strerror(e) : "it ends early");
    free(*buf);
    *buf = NULL;
  } else {
    *n = (size_t)size;
  }
  zip_fclose(f);
  return st;
}

int lu_npz_save(lu_ctx *ctx, const char *name, const char *path, int n, const char *const *keys,
                const lu_array *const *arrs, int compress) {
  int code = 0, i, st = LU_OK;
  zip_t *z;
  if (n == 0) {
    /* libzip removes an archive left empty: write the 22 bytes of an
    ** empty zip (its end record) as NumPy's zipfile does */
    static const char eocd[22] = {'P', 'K', 5, 6};
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(eocd, 1, sizeof eocd, f) != sizeof eocd) {
      if (f) fclose(f);
      return lu_seterr(ctx, LU_EARG, "%s: cannot write '%s'", name, path);
    }
    if (fclose(f) != 0) return lu_seterr(ctx, LU_EARG, "%s: cannot write '%s'", name, path);
    return LU_OK;
  }
  z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (z == NULL) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    st = lu_seterr(ctx, LU_EARG, "%s: cannot write '%s': %s", name, path, zip_error_strerror(&e));
    zip_error_fini(&e);
    return st;
  }
  for (i = 0; i < n && st == LU_OK; i++) {
    lu_npy_out o;
    char *blob, ename[1024];
    zip_source_t *src;
    zip_int64_t idx;
    size_t len;
    if ((st = lu_npy_prepare(ctx, name, arrs[i], &o)) != LU_OK) break;
    len = o.hlen + o.nbytes;
    blob = lu_malloc(len);
    if (blob == NULL) {
      lu_npy_done(&o);
      st = lu_seterr(ctx, LU_EMEM, "%s: out of memory: requested %zu bytes on the host", name, len);
      break;
    }
    memcpy(blob, o.head, o.hlen);
    if (o.nbytes) memcpy(blob + o.hlen, o.data, o.nbytes);
    lu_npy_done(&o);
    snprintf(ename, sizeof ename, "%s.npy", keys[i]);
    src = zip_source_buffer(z, blob, len, 1);
    if (src == NULL) {
      free(blob);
      st = lu_seterr(ctx, LU_EMEM, "%s: %s", name, zip_strerror(z));
      break;
    }
    idx = zip_file_add(z, ename, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(src);
      st = lu_seterr(ctx, LU_EARG, "%s: cannot add '%s': %s", name, ename, zip_strerror(z));
      break;
    }
    if (zip_set_file_compression(z, (zip_uint64_t)idx, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 0) != 0) {
      st = lu_seterr(ctx, LU_EARG, "%s: %s", name, zip_strerror(z));
      break;
    }
  }
  if (st != LU_OK) {
    zip_discard(z);
    return st;
  }
  if (zip_close(z) != 0) {
    st = lu_seterr(ctx, LU_EARG, "%s: cannot write '%s': %s", name, path, zip_strerror(z));
    zip_discard(z);
  }
  return st;
}
