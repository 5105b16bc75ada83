/* SPDX-License-Identifier: MIT */
/*
** What the file families of src/core (fileio.c, npz.c, textio.c) share:
** a reader of bytes from a file or a zip entry, the .npy header, and the
** bytes of an array made ready for writing. Private to src/core.
*/
#ifndef lu_fileio_h
#define lu_fileio_h

#include "lu_internal.h"

/* A source of bytes: read() returns the bytes it gave (fewer only at the
** end), or -1 on an error. avail: the bytes the source holds from its
** start, -1 when unknown; pos: bytes read so far. */
typedef struct lu_reader {
  int64_t (*read)(void *ud, void *dst, size_t n);
  void *ud;
  int64_t avail, pos;
} lu_reader;
/* a file opened for reading (ud is its FILE *) */
int lu_file_reader(lu_ctx *ctx, const char *name, const char *path, lu_reader *r);
void lu_file_reader_close(lu_reader *r);

/* A parsed .npy header; nbytes is checked against r->avail. */
typedef struct lu_npy_header {
  int version;
  lu_dtype dt;
  int swap;                     /* the data is in the other byte order */
  int fortran;
  int ndim;
  int64_t shape[LU_MAXDIM];
  int64_t size, nbytes, data_off;
} lu_npy_header;
int lu_npy_read_header(lu_ctx *ctx, const char *name, lu_reader *r, lu_npy_header *h);
/* the data that follows the header, into a new array on dev */
int lu_npy_read_data(lu_ctx *ctx, lu_array *out, const char *name, lu_reader *r,
                     const lu_npy_header *h, lu_device dev);

/* An array made ready for a .npy file: head (hlen bytes) then data
** (nbytes); release with lu_npy_done. */
typedef struct lu_npy_out {
  char head[LU_MAXDIM * 24 + 256];
  size_t hlen, nbytes;
  const char *data;
  char *tmp;                    /* owned copy behind data, or NULL */
  lu_array keep, conv;          /* arrays data points into */
} lu_npy_out;
int lu_npy_prepare(lu_ctx *ctx, const char *name, const lu_array *a, lu_npy_out *o);
void lu_npy_done(lu_npy_out *o);

/* An array's elements in C order on the host: *p points into a (CPU and
** contiguous) or into *tmp, a copy the caller frees. */
int lu_host_bytes(lu_ctx *ctx, const char *name, const lu_array *a, const char **p, char **tmp);

#endif
