/* SPDX-License-Identifier: MIT */
/*
** JPEG through libjpeg-turbo, in memory (image.c does the files). Like
** libpng, libjpeg reports errors by longjmp: the decompressor, the jump
** buffer and every allocation live in one calloc'd state block, freed on
** the jump's path. A warning that the data ended early is an error here
** (PIL's default too): a truncated file is not silently padded with gray.
*/
#ifdef LUNAR_HAVE_JPEG
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include "lu_image.h"
#include "lu_hostmem.h"

typedef struct jstate {
  struct jpeg_error_mgr err;
  struct jpeg_decompress_struct d;
  struct jpeg_compress_struct c;
  struct jpeg_destination_mgr dst;
  jmp_buf jb;
  int status;          /* LU_OK: msg is libjpeg's; else msg is the whole text */
  char msg[LU_IMG_MSGLEN];
  unsigned char *data;  /* decoded samples */
  unsigned char *out;   /* encoded bytes */
  size_t cap;           /* bytes at data (decoding) or out (encoding) */
} jstate;

static void jfail(j_common_ptr cinfo) {
  jstate *s = (jstate *)cinfo->err;   /* err is the block's first member */
  if (s->status == LU_OK) {
    char buf[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buf);
    snprintf(s->msg, sizeof s->msg, "%s", buf);
  }
  longjmp(s->jb, 1);
}

/* Warnings are dropped, except those saying that the data ends early:
** the file's end (truncated) or a marker inside the entropy-coded data
** (which libjpeg would pad with gray to the declared size). */
static void jemit(j_common_ptr cinfo, int level) {
  if (level == -1 && (cinfo->err->msg_code == JWRN_JPEG_EOF ||
                      cinfo->err->msg_code == JWRN_HIT_MARKER))
    jfail(cinfo);
  if (level == -1) cinfo->err->num_warnings++;
}

static jstate *jnew(void) {
  jstate *s = lu_calloc(1, sizeof *s);
  if (!s) return NULL;
  jpeg_std_error(&s->err);
  s->err.error_exit = jfail;
  s->err.emit_message = jemit;
  s->d.err = &s->err;
  s->c.err = &s->err;
  return s;
}

int lu_jpeg_decode(lu_ctx *ctx, const char *fn, const char *path, const unsigned char *p,
                   size_t n, int64_t max_pixels, lu_image *img) {
  jstate *s = jnew();
  int64_t px, total;
  size_t rowbytes;
  if (!s) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", fn);
  if (setjmp(s->jb)) {
    int st;
    jpeg_destroy_decompress(&s->d);
    free(s->data);
    if (s->status != LU_OK) st = lu_seterr(ctx, s->status, "%s: %s", fn, s->msg);
    else st = lu_seterr(ctx, LU_EARG, "%s: '%s' is not a valid JPEG file: %s", fn, path, s->msg);
    free(s);
    return st;
  }
  jpeg_create_decompress(&s->d);
  jpeg_mem_src(&s->d, p, (unsigned long)n);
  (void)jpeg_read_header(&s->d, TRUE);
  px = (int64_t)s->d.image_width * (int64_t)s->d.image_height;
  if (px > max_pixels) {
    s->status = LU_EMEM;
    snprintf(s->msg, sizeof s->msg, "'%.60s' is %u x %u pixels, more than max_pixels (%lld)",
             path, (unsigned)s->d.image_width, (unsigned)s->d.image_height,
             (long long)max_pixels);
    longjmp(s->jb, 1);
  }
  switch (s->d.jpeg_color_space) {
    case JCS_GRAYSCALE: s->d.out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK: case JCS_YCCK: s->d.out_color_space = JCS_CMYK; break;
    case JCS_YCbCr: case JCS_RGB: s->d.out_color_space = JCS_RGB; break;
    default: break;   /* libjpeg's choice, or its error */
  }
  /* libjpeg's own buffers (a progressive file's coefficients: about 2
  ** bytes per sample) stay within a bound set by the declared size */
  s->d.mem->max_memory_to_use = (long)(64 * 1024 * 1024 + 4 * px * s->d.num_components);
  jpeg_start_decompress(&s->d);
  rowbytes = (size_t)s->d.output_width * (size_t)s->d.output_components;
  if (!lu_size_mul((int64_t)rowbytes, (int64_t)s->d.output_height, &total) || total < 1 ||
      s->d.output_components < 1 || s->d.output_components > 4)
    ERREXIT(&s->d, JERR_EMPTY_IMAGE);
  /* the rows grow with the scanlines decoded, so that a truncated file
  ** declaring a large image fails before its full size is allocated */
  while (s->d.output_scanline < s->d.output_height) {
    size_t need = ((size_t)s->d.output_scanline + 1) * rowbytes;
    JSAMPROW row;
    if (need > s->cap) {
      size_t cap = s->cap ? s->cap * 2 : (size_t)1 << 20;
      unsigned char *q;
      if (cap < need) cap = need;
      if (cap > (size_t)total) cap = (size_t)total;
      q = lu_realloc(s->data, cap);
      if (!q) {
        s->status = LU_EMEM;
        snprintf(s->msg, sizeof s->msg, "out of memory (%u x %u image)",
                 (unsigned)s->d.output_width, (unsigned)s->d.output_height);
        longjmp(s->jb, 1);
      }
      s->data = q;
      s->cap = cap;
    }
    row = s->data + (size_t)s->d.output_scanline * rowbytes;
    if (jpeg_read_scanlines(&s->d, &row, 1) != 1) ERREXIT(&s->d, JERR_INPUT_EOF);
  }
  /* Adobe's CMYK files store inverted samples; PIL un-inverts them too */
  if (s->d.out_color_space == JCS_CMYK && s->d.saw_Adobe_marker) {
    size_t i;
    for (i = 0; i < (size_t)total; i++) s->data[i] = (unsigned char)(255 - s->data[i]);
  }
  jpeg_finish_decompress(&s->d);
  img->h_data = s->data;
  img->height = s->d.output_height;
  img->width = s->d.output_width;
  img->channels = s->d.output_components;
  img->depth = 8;
  jpeg_destroy_decompress(&s->d);
  free(s);
  return LU_OK;
}

/* {===== a destination in a growing malloc'd buffer (jpeg_mem_dest's
** buffer is lost when an error jumps out of the compressor) */
static void dst_init(j_compress_ptr c) {
  jstate *s = (jstate *)c->err;
  s->cap = 65536;
  s->out = lu_malloc(s->cap);
  if (!s->out) ERREXIT(c, JERR_OUT_OF_MEMORY);
  s->dst.next_output_byte = s->out;
  s->dst.free_in_buffer = s->cap;
}

static boolean dst_grow(j_compress_ptr c) {
  jstate *s = (jstate *)c->err;
  size_t used = s->cap;   /* the buffer is full when libjpeg calls this */
  unsigned char *q = s->cap < SIZE_MAX / 2 ? lu_realloc(s->out, s->cap * 2) : NULL;
  if (!q) ERREXIT(c, JERR_OUT_OF_MEMORY);
  s->out = q;
  s->cap *= 2;
  s->dst.next_output_byte = s->out + used;
  s->dst.free_in_buffer = s->cap - used;
  return TRUE;
}

static void dst_term(j_compress_ptr c) { (void)c; }
/* }===== */

int lu_jpeg_encode(lu_ctx *ctx, const char *fn, const lu_image *img, int quality,
                   unsigned char **out, size_t *outlen) {
  jstate *s;
  size_t rowbytes = (size_t)img->width * (size_t)img->channels;
  if (img->width > JPEG_MAX_DIMENSION || img->height > JPEG_MAX_DIMENSION)
    return lu_seterr(ctx, LU_EARG, "%s: JPEG images are at most %d pixels wide and high, got "
                     "%lld x %lld", fn, JPEG_MAX_DIMENSION, (long long)img->height,
                     (long long)img->width);
  s = jnew();
  if (!s) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", fn);
  if (setjmp(s->jb)) {
    int st = lu_seterr(ctx, LU_EBACKEND, "%s: libjpeg: %s", fn, s->msg);
    jpeg_destroy_compress(&s->c);
    free(s->out);
    free(s);
    return st;
  }
  jpeg_create_compress(&s->c);
  s->dst.init_destination = dst_init;
  s->dst.empty_output_buffer = dst_grow;
  s->dst.term_destination = dst_term;
  s->c.dest = &s->dst;
  s->c.image_width = (JDIMENSION)img->width;
  s->c.image_height = (JDIMENSION)img->height;
  s->c.input_components = img->channels;
  s->c.in_color_space = img->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&s->c);
  jpeg_set_quality(&s->c, quality, TRUE);
  jpeg_start_compress(&s->c, TRUE);
  while (s->c.next_scanline < s->c.image_height) {
    JSAMPROW row = (JSAMPROW)img->h_data + (size_t)s->c.next_scanline * rowbytes;
    (void)jpeg_write_scanlines(&s->c, &row, 1);
  }
  jpeg_finish_compress(&s->c);
  *out = s->out;
  *outlen = s->cap - s->dst.free_in_buffer;
  jpeg_destroy_compress(&s->c);
  free(s);
  return LU_OK;
}
#else
typedef int lu_image_jpeg_absent;   /* ISO C: no empty translation unit */
#endif
