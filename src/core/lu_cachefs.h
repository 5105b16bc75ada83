/* SPDX-License-Identifier: MIT */
/*
** Files of the compile caches (the CUDA backend's CUBINs, the CPU
** backend's user kernels): where they live, and the checks that make them
** trusted input. A cache that cannot be written is only slower, so these
** report failure quietly (0 / NULL) and the callers compile again.
*/
#ifndef lu_cachefs_h
#define lu_cachefs_h

#include <stddef.h>

/* $XDG_CACHE_HOME/lunar[/sub], else $HOME/.cache/lunar[/sub]; 0 when
** neither is set or buf is too small */
int lu_cache_dir(char *buf, size_t len, const char *sub);
/* mkdir -p with mode 0700 */
int lu_make_dirs(char *path);
/* a directory of this user's that neither group nor others can write
** (another user could plant code there) */
int lu_dir_trusted(const char *path);
/* a whole file, malloc'd and NUL-terminated; NULL when unreadable */
char *lu_read_file(const char *path, size_t *len);

#endif
