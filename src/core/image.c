/* SPDX-License-Identifier: MIT */
/*
** Image files: lu_image_read picks the codec from the file's first bytes,
** lu_image_write from the format or the path's extension; PNG through
** libpng here, JPEG in image_jpeg.c. The whole file is read into memory
** and decoded from there; an image is encoded into memory and written in
** one go, so a failed write leaves no half file.
**
** libpng reports errors by longjmp. Everything the decoder allocates hangs
** off a malloc'd state block (not a local variable, whose value after a
** longjmp would be indeterminate) and is freed on the jump's path. No Lua
** code runs anywhere in here, so no Lua error crosses libpng either.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef LUNAR_HAVE_PNG
#include <png.h>
#endif
#include "lu_image.h"
#include "lu_hostmem.h"

void lu_image_free(lu_image *img) {
  free(img->h_data);
  img->h_data = NULL;
}

int lu_image_has(const char *format) {
  if (strcmp(format, "png") == 0) {
#ifdef LUNAR_HAVE_PNG
    return 1;
#endif
  }
  if (strcmp(format, "jpeg") == 0) {
#ifdef LUNAR_HAVE_JPEG
    return 1;
#endif
  }
  return 0;
}

/* {====================================================== PNG */
#ifdef LUNAR_HAVE_PNG
static int little_endian(void) {
  uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* The decoder's and encoder's state: the input (p, n, off) or the growing
** output (out, outlen, cap), what has been allocated, and the message. */
typedef struct pngstate {
  const unsigned char *p;
  size_t n, off;
  unsigned char *out;
  size_t outlen, cap;
  unsigned char *data;
  png_bytep *rows;
  int status;          /* LU_OK: msg is libpng's; else msg is the whole text */
  char msg[LU_IMG_MSGLEN];
} pngstate;

static void png_fail(png_structp png, png_const_charp msg) {
  pngstate *s = png_get_error_ptr(png);
  if (s->status == LU_OK) snprintf(s->msg, sizeof s->msg, "%s", msg);
  png_longjmp(png, 1);
}

static void png_quiet(png_structp png, png_const_charp msg) {
  (void)png; (void)msg;
}

static void png_from_mem(png_structp png, png_bytep dst, size_t len) {
  pngstate *s = png_get_io_ptr(png);
  if (len > s->n - s->off) png_error(png, "the file ends early (truncated)");
  memcpy(dst, s->p + s->off, len);
  s->off += len;
}

static void png_to_mem(png_structp png, png_bytep src, size_t len) {
  pngstate *s = png_get_io_ptr(png);
  if (len > s->cap - s->outlen) {
    size_t cap = s->cap ? s->cap : 4096;
    unsigned char *q;
    while (cap - s->outlen < len) {
      if (cap > SIZE_MAX / 2) png_error(png, "out of memory");
      cap *= 2;
    }
    q = lu_realloc(s->out, cap);
    if (!q) {
      s->status = LU_EMEM;
      snprintf(s->msg, sizeof s->msg, "out of memory");
      png_error(png, "out of memory");
    }
    s->out = q;
    s->cap = cap;
  }
  memcpy(s->out + s->outlen, src, len);
  s->outlen += len;
}

static void png_noflush(png_structp png) { (void)png; }

/* Refuse, before allocating, an image larger than max_pixels or larger than
** the file could hold: deflate expands at most 1032:1, so rows of more raw
** bytes than about 1032 times the file's size cannot all be there. */
static int png_limits(pngstate *s, const char *path, png_uint_32 w, png_uint_32 h, int bits,
                      int64_t max_pixels) {
  int64_t px = (int64_t)w * (int64_t)h, rowbits, raw;
  if (px > max_pixels) {
    s->status = LU_EMEM;
    snprintf(s->msg, sizeof s->msg, "'%.60s' is %lu x %lu pixels, more than max_pixels (%lld)",
             path, (unsigned long)w, (unsigned long)h, (long long)max_pixels);
    return 0;
  }
  rowbits = (int64_t)w * bits;
  raw = (rowbits + 7) / 8 * (int64_t)h;
  if ((double)raw > 1032.0 * (double)s->n + 65536.0) {
    s->status = LU_EARG;
    snprintf(s->msg, sizeof s->msg, "'%.60s' declares %lu x %lu pixels but holds only %zu bytes "
             "(truncated or corrupt)", path, (unsigned long)w, (unsigned long)h, s->n);
    return 0;
  }
  return 1;
}

static int png_decode(lu_ctx *ctx, const char *fn, const char *path, const unsigned char *buf,
                      size_t n, int64_t max_pixels, lu_image *img) {
  pngstate *s = lu_calloc(1, sizeof *s);
  png_structp png;
  png_infop info;
  png_uint_32 w, h, y;
  int bd, ct, il, ch, depth;
  size_t rowbytes;
  int64_t total;
  if (!s) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", fn);
  s->p = buf;
  s->n = n;
  png = png_create_read_struct(PNG_LIBPNG_VER_STRING, s, png_fail, png_quiet);
  info = png ? png_create_info_struct(png) : NULL;
  if (!info) {
    if (png) png_destroy_read_struct(&png, NULL, NULL);
    free(s);
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory", fn);
  }
  if (setjmp(png_jmpbuf(png))) {
    int st;
    png_destroy_read_struct(&png, &info, NULL);
    free(s->data);
    free(s->rows);
    if (s->status != LU_OK)
      st = lu_seterr(ctx, s->status, "%s: %s", fn, s->msg);
    else
      st = lu_seterr(ctx, LU_EARG, "%s: '%s' is not a valid PNG file: %s", fn, path, s->msg);
    free(s);
    return st;
  }
  png_set_read_fn(png, s, png_from_mem);
  /* PNG's own limit instead of libpng's default of a million pixels a
  ** side: max_pixels and the deflate bound (png_limits) decide */
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_read_info(png, info);
  png_get_IHDR(png, info, &w, &h, &bd, &ct, &il, NULL, NULL);
  if (!png_limits(s, path, w, h, bd * png_get_channels(png, info), max_pixels))
    png_error(png, s->msg);
  if (ct == PNG_COLOR_TYPE_PALETTE) {
    png_set_palette_to_rgb(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  } else if (ct == PNG_COLOR_TYPE_GRAY && bd < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
  }
  if (bd == 16 && little_endian()) png_set_swap(png);
  (void)png_set_interlace_handling(png);
  png_read_update_info(png, info);
  ch = png_get_channels(png, info);
  depth = png_get_bit_depth(png, info);
  rowbytes = png_get_rowbytes(png, info);
  if ((depth != 8 && depth != 16) || ch < 1 || ch > 4 ||
      rowbytes != (size_t)w * (size_t)ch * (size_t)(depth / 8) ||
      !lu_size_mul((int64_t)rowbytes, (int64_t)h, &total) || (uint64_t)total > SIZE_MAX)
    png_error(png, "unsupported layout");
  s->data = lu_malloc(total ? (size_t)total : 1);
  s->rows = lu_malloc((size_t)h * sizeof *s->rows);
  if (!s->data || !s->rows) {
    s->status = LU_EMEM;
    snprintf(s->msg, sizeof s->msg, "out of memory (%lu x %lu image)", (unsigned long)w,
             (unsigned long)h);
    png_error(png, s->msg);
  }
  for (y = 0; y < h; y++) s->rows[y] = s->data + (size_t)y * rowbytes;
  png_read_image(png, s->rows);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  img->h_data = s->data;
  img->height = h;
  img->width = w;
  img->channels = ch;
  img->depth = depth;
  free(s->rows);
  free(s);
  return LU_OK;
}

static int png_encode(lu_ctx *ctx, const char *fn, const lu_image *img, int level,
                      unsigned char **out, size_t *outlen) {
  static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                               PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  pngstate *s;
  png_structp png;
  png_infop info;
  size_t rowbytes = (size_t)img->width * (size_t)img->channels * (size_t)(img->depth / 8);
  int64_t y;
  if (img->width > 0x7fffffff || img->height > 0x7fffffff)
    return lu_seterr(ctx, LU_EARG, "%s: PNG images are at most 2147483647 pixels wide and high, "
                     "got %lld x %lld", fn, (long long)img->height, (long long)img->width);
  s = lu_calloc(1, sizeof *s);
  if (!s) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", fn);
  s->rows = lu_malloc((size_t)img->height * sizeof *s->rows);
  png = s->rows ? png_create_write_struct(PNG_LIBPNG_VER_STRING, s, png_fail, png_quiet) : NULL;
  info = png ? png_create_info_struct(png) : NULL;
  if (!info) {
    if (png) png_destroy_write_struct(&png, NULL);
    free(s->rows);
    free(s);
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory", fn);
  }
  if (setjmp(png_jmpbuf(png))) {
    int st = lu_seterr(ctx, s->status != LU_OK ? s->status : LU_EBACKEND, "%s: libpng: %s", fn,
                       s->msg);
    png_destroy_write_struct(&png, &info);
    free(s->rows);
    free(s->out);
    free(s);
    return st;
  }
  for (y = 0; y < img->height; y++)
    s->rows[y] = (unsigned char *)img->h_data + (size_t)y * rowbytes;
  png_set_write_fn(png, s, png_to_mem, png_noflush);
  if (level >= 0) png_set_compression_level(png, level);
  png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, img->depth,
               types[img->channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  if (img->depth == 16 && little_endian()) png_set_swap(png);
  png_write_image(png, s->rows);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  *out = s->out;
  *outlen = s->outlen;
  free(s->rows);
  free(s);
  return LU_OK;
}
#endif
/* }====================================================== */

/* {====================================================== files */
static int read_file(lu_ctx *ctx, const char *fn, const char *path, unsigned char **buf,
                     size_t *n) {
  FILE *f = fopen(path, "rb");
  unsigned char *p = NULL, *q;
  size_t len = 0, cap = 0, got;
  if (!f) return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s': %s", fn, path, strerror(errno));
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 65536;
      q = cap > len ? lu_realloc(p, cap) : NULL;
      if (!q) {
        free(p);
        fclose(f);
        return lu_seterr(ctx, LU_EMEM, "%s: out of memory reading '%s'", fn, path);
      }
      p = q;
    }
    got = fread(p + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    int e = errno;
    free(p);
    fclose(f);
    return lu_seterr(ctx, LU_EARG, "%s: cannot read '%s': %s", fn, path, strerror(e));
  }
  fclose(f);
  *buf = p;
  *n = len;
  return LU_OK;
}

#if !defined(LUNAR_HAVE_PNG) || !defined(LUNAR_HAVE_JPEG)
static int no_codec(lu_ctx *ctx, const char *fn, const char *lib, const char *pkg) {
  return lu_seterr(ctx, LU_EBACKEND, "%s: lunar was built without %s (apt-get install %s, "
                   "then rebuild)", fn, lib, pkg);
}
#endif

int lu_image_read(lu_ctx *ctx, const char *fn, const char *path, int64_t max_pixels,
                  lu_image *img) {
  static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  unsigned char *buf = NULL;
  size_t n = 0;
  int st;
  memset(img, 0, sizeof *img);
  if ((st = read_file(ctx, fn, path, &buf, &n)) != LU_OK) return st;
  if (n >= 8 && memcmp(buf, png_magic, 8) == 0) {
#ifdef LUNAR_HAVE_PNG
    st = png_decode(ctx, fn, path, buf, n, max_pixels, img);
#else
    st = no_codec(ctx, fn, "libpng", "libpng-dev");
#endif
  } else if (n >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff) {
#ifdef LUNAR_HAVE_JPEG
    st = lu_jpeg_decode(ctx, fn, path, buf, n, max_pixels, img);
#else
    st = no_codec(ctx, fn, "libjpeg", "libjpeg-dev");
#endif
  } else {
    st = lu_seterr(ctx, LU_EARG, "%s: '%s' is neither a PNG nor a JPEG file (its first bytes are "
                   "no known signature)", fn, path);
  }
  free(buf);
  return st;
}

/* "png", "jpeg" or NULL, from a format name or a file name's extension */
static const char *format_of(const char *s, int ext) {
  const char *dot = ext ? strrchr(s, '.') : NULL;
  if (ext) {
    if (!dot || strchr(dot, '/')) return NULL;
    s = dot + 1;
  }
  if (strcasecmp(s, "png") == 0) return "png";
  if (strcasecmp(s, "jpeg") == 0 || strcasecmp(s, "jpg") == 0 || strcasecmp(s, "jpe") == 0)
    return "jpeg";
  return NULL;
}

int lu_image_write(lu_ctx *ctx, const char *fn, const char *path, const char *format,
                   const lu_image *img, int quality, int level) {
  const char *fmt = format ? format_of(format, 0) : format_of(path, 1);
  unsigned char *out = NULL;
  size_t outlen = 0;
  int st;
  FILE *f;
  if (!fmt) {
    if (format)
      return lu_seterr(ctx, LU_EARG, "%s: unknown format '%s' (\"png\" or \"jpeg\")", fn, format);
    return lu_seterr(ctx, LU_EARG, "%s: cannot tell the format from '%s'; end the name in .png, "
                     ".jpg or .jpeg, or pass format=", fn, path);
  }
  if (img->height < 1 || img->width < 1)
    return lu_seterr(ctx, LU_EARG, "%s: cannot write an empty image (%lld x %lld)", fn,
                     (long long)img->height, (long long)img->width);
  if (fmt[0] == 'j' && img->depth != 8)
    return lu_seterr(ctx, LU_ETYPE, "%s: JPEG holds 8-bit samples, not 16-bit (write a PNG, or "
                     "convert to uint8)", fn);
  if (fmt[0] == 'j' && img->channels != 1 && img->channels != 3)
    return lu_seterr(ctx, LU_EARG, "%s: JPEG holds gray or RGB images (1 or 3 channels), got %d "
                     "channels", fn, img->channels);
  if (fmt[0] == 'p') {
#ifdef LUNAR_HAVE_PNG
    st = png_encode(ctx, fn, img, level, &out, &outlen);
#else
    (void)level;
    st = no_codec(ctx, fn, "libpng", "libpng-dev");
#endif
  } else {
#ifdef LUNAR_HAVE_JPEG
    st = lu_jpeg_encode(ctx, fn, img, quality, &out, &outlen);
#else
    (void)quality;
    st = no_codec(ctx, fn, "libjpeg", "libjpeg-dev");
#endif
  }
  if (st != LU_OK || !out) return st;
  f = fopen(path, "wb");
  if (!f) {
    int e = errno;
    free(out);
    return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s' for writing: %s", fn, path, strerror(e));
  }
  if (fwrite(out, 1, outlen, f) != outlen) st = errno ? errno : EIO;
  if (fclose(f) != 0 && st == LU_OK) st = errno ? errno : EIO;
  if (st != LU_OK) {
    int e = st;
    free(out);
    remove(path);
    return lu_seterr(ctx, LU_EARG, "%s: cannot write '%s': %s", fn, path, strerror(e));
  }
  free(out);
  return LU_OK;
}
/* }====================================================== */
