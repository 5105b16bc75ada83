/* SPDX-License-Identifier: MIT */
/*
** lunar.memmap: a file's bytes as a CPU array, through the CPU backend's
** io family (the mappings that lunar.load's mmap_mode makes, plus shared
** ones). Modes 'r' and 'c' map the file private and copy-on-write: lunar
** arrays have no read-only flag, so 'r' cannot refuse a write, and a
** write into a read-only mapping would be a segfault; a write changes this
** process's copy only. 'r+' and 'w+' map it shared, so writes reach the
** file (msync on flush, and the kernel's own write-back in any case). The
** buffer owns the mapping: the backend's free unmaps it when the last view
** goes.
*/
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lu_internal.h"

static const char *mode_name(int mode) {
  switch (mode) {
  case LU_MEMMAP_R: return "r";
  case LU_MEMMAP_C: return "c";
  case LU_MEMMAP_RPLUS: return "r+";
  default: return "w+";
  }
}

/* The backend's io family with the version-4 entries, or NULL (error set). */
static const lu_io_family *io_family(lu_ctx *ctx, const char *name, lu_device cpu) {
  const lu_backend *be = lu_backend_checked(ctx, name, cpu);
  const lu_io_family *io;
  if (be == NULL) return NULL;
  io = lu_family(ctx, name, cpu, io);
  if (io == NULL) return NULL;
  if (be->version < 4 || io->map_shared == NULL || io->sync == NULL || io->map_file == NULL) {
    lu_unavailable(ctx, name, cpu);
    return NULL;
  }
  return io;
}

int lu_memmap(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_dtype dt,
              int mode, int64_t offset, int ndim, const int64_t *shape, int fortran) {
  lu_device cpu = {LU_DEV_CPU, 0};
  const lu_io_family *io = io_family(ctx, name, cpu);
  int itemsize = lu_dtype_size(dt), fd, flags, st, i;
  int64_t fshape[LU_MAXDIM], nbytes, need, size;
  struct stat sb;
  lu_array a;
  void *p;
  char sbuf[LU_MAXDIM * 24 + 8];
  out->buf = NULL;
  if (io == NULL) return ctx->err;
  if (offset < 0)
    return lu_seterr(ctx, LU_EARG, "%s: offset must be >= 0, got %lld", name, (long long)offset);
  if (offset % itemsize != 0)
    return lu_seterr(ctx, LU_EARG,
                     "%s: offset %lld is not a multiple of %s's %d bytes (lunar maps aligned data only)",
                     name, (long long)offset, lu_dtype_name(dt), itemsize);
  if (ndim < 0 && mode == LU_MEMMAP_WPLUS)
    return lu_seterr(ctx, LU_EARG, "%s: shape must be given in mode 'w+'", name);
  flags = mode == LU_MEMMAP_WPLUS ? O_RDWR | O_CREAT | O_TRUNC
        : mode == LU_MEMMAP_RPLUS ? O_RDWR : O_RDONLY;
  fd = open(path, flags | O_CLOEXEC, 0666);
  if (fd < 0)
    return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s' (mode '%s'): %s", name, path,
                     mode_name(mode), strerror(errno));
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(fd);
    return lu_seterr(ctx, LU_EARG, "%s: '%s' is not a regular file", name, path);
  }
  if (ndim < 0) {
    /* the whole file after offset, as a 1-d array */
    int64_t rest = (int64_t)sb.st_size - offset;
    if (rest < 0 || (rest == 0 && offset == 0)) {
      close(fd);
      if (rest == 0) return lu_seterr(ctx, LU_EARG, "%s: cannot map the empty file '%s'", name, path);
      return lu_seterr(ctx, LU_EARG, "%s: offset %lld is past the end of '%s' (%lld bytes)", name,
                       (long long)offset, path, (long long)sb.st_size);
    }
    if (rest % itemsize != 0) {
      close(fd);
      return lu_seterr(ctx, LU_EARG,
                       "%s: the %lld bytes of '%s' after offset %lld are not a whole number of %s items (%d bytes)",
                       name, (long long)rest, path, (long long)offset, lu_dtype_name(dt), itemsize);
    }
    ndim = 1;
    fshape[0] = rest / itemsize;
  } else {
    for (i = 0; i < ndim; i++) fshape[i] = fortran ? shape[ndim - 1 - i] : shape[i];
  }
  if ((st = lu_shape_check(ctx, name, ndim, fshape, itemsize, &size)) != LU_OK) {
    close(fd);
    return st;
  }
  nbytes = size * itemsize;
  if (__builtin_add_overflow(offset, nbytes, &need) || need == 0) {
    close(fd);
    if (need == 0) return lu_seterr(ctx, LU_EARG, "%s: cannot map 0 bytes of '%s'", name, path);
    return lu_seterr(ctx, LU_EARG, "%s: offset %lld plus the data's size overflows", name,
                     (long long)offset);
  }
  if ((int64_t)sb.st_size < need) {
    /* NumPy grows the file for 'r+' and 'w+'; a read-only file must hold it */
    if (mode == LU_MEMMAP_RPLUS || mode == LU_MEMMAP_WPLUS) {
      if (ftruncate(fd, (off_t)need) != 0) {
        int e = errno;
        close(fd);
        return lu_seterr(ctx, LU_EARG, "%s: cannot extend '%s' to %lld bytes: %s", name, path,
                         (long long)need, strerror(e));
      }
    } else {
      close(fd);
      lu_shape_str(ndim, shape, sbuf, sizeof sbuf);
      return lu_seterr(ctx, LU_EARG,
                       "%s: '%s' holds %lld bytes; shape %s of %s from offset %lld needs %lld",
                       name, path, (long long)sb.st_size, sbuf, lu_dtype_name(dt),
                       (long long)offset, (long long)need);
    }
  }
  ctx->op = name;
  st = (mode == LU_MEMMAP_RPLUS || mode == LU_MEMMAP_WPLUS)
     ? io->map_shared(ctx, fd, (size_t)need, &p) : io->map_file(ctx, fd, (size_t)need, &p);
  close(fd);   /* the mapping keeps the file */
  if (st != LU_OK) return st;
  memset(&a, 0, sizeof a);
  a.dtype = dt;
  a.ndim = ndim;
  for (i = 0; i < ndim; i++) a.shape[i] = fshape[i];
  lu_contig_strides(a.ndim, a.shape, itemsize, a.strides);
  lu_array_update(&a);
  a.offset = offset;
  if ((st = lu_buffer_adopt(ctx, &a.buf, cpu, p, (size_t)need)) != LU_OK) return st;
  if (fortran && ndim >= 2) {
    st = lu_transpose(ctx, out, &a, NULL);
    lu_array_release(&a);
    return st;
  }
  *out = a;
  return LU_OK;
}

int lu_memmap_flush(lu_ctx *ctx, const char *name, const lu_array *a) {
  lu_device cpu = {LU_DEV_CPU, 0};
  const lu_io_family *io;
  int mapped = 0, st;
  if (a->buf == NULL || a->buf->dev.type != LU_DEV_CPU || a->buf->release != NULL)
    return lu_seterr(ctx, LU_EARG, "%s: the array is not a memory map (lunar.memmap)", name);
  if ((io = io_family(ctx, name, cpu)) == NULL) return ctx->err;
  ctx->op = name;
  if ((st = io->sync(ctx, a->buf->ptr, &mapped)) != LU_OK) return st;
  if (mapped == 0)
    return lu_seterr(ctx, LU_EARG, "%s: the array is not a memory map (lunar.memmap)", name);
  return LU_OK;
}
