/* SPDX-License-Identifier: MIT */
/* The compile caches' files (lu_cachefs.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "lu_cachefs.h"
#include "lu_hostmem.h"

int lu_cache_dir(char *buf, size_t len, const char *sub) {
  const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  const char *sep = sub ? "/" : "", *s = sub ? sub : "";
  int n;
  if (x && *x) n = snprintf(buf, len, "%s/lunar%s%s", x, sep, s);
  else if (home && *home) n = snprintf(buf, len, "%s/.cache/lunar%s%s", home, sep, s);
  else return 0;
  return n > 0 && (size_t)n < len;
}

int lu_make_dirs(char *path) {
  char *p;
  for (p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(path, 0700) != 0 && errno != EEXIST) { *p = '/'; return 0; }
    *p = '/';
  }
  return mkdir(path, 0700) == 0 || errno == EEXIST;
}

int lu_dir_trusted(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
         (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

char *lu_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  long n;
  *len = 0;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    data = (char *)lu_malloc((size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) { free(data); data = NULL; }
    if (data) { data[n] = 0; *len = (size_t)n; }
  }
  fclose(f);
  return data;
}
