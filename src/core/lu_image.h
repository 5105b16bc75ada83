/* SPDX-License-Identifier: MIT */
/*
** Private to the image codecs (image.c, image_jpeg.c): the JPEG half's
** entry points, which work on memory; image.c reads and writes the files.
*/
#ifndef lu_image_h
#define lu_image_h

#include <stddef.h>
#include "lu_internal.h"

/* A message slot for a codec's error callback, filled before it jumps. */
#define LU_IMG_MSGLEN 200

/* Decode the n bytes at p (a JPEG stream) into img; the caller checked
** the magic bytes. */
int lu_jpeg_decode(lu_ctx *ctx, const char *fn, const char *path, const unsigned char *p,
                   size_t n, int64_t max_pixels, lu_image *img);
/* Encode img (8-bit, 1 or 3 channels) into *out (malloc'd, *outlen bytes). */
int lu_jpeg_encode(lu_ctx *ctx, const char *fn, const lu_image *img, int quality,
                   unsigned char **out, size_t *outlen);

#endif
