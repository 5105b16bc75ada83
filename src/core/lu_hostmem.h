/* SPDX-License-Identifier: MIT */
/*
** Host memory for every layer (core, backends, binding): lu_malloc,
** lu_calloc, lu_realloc and lu_strdup are the C library's, behind one failure seam.
** The seam is for the allocation-failure walk (tests/allocfail): armed,
** it makes the Nth allocation of a chosen kind fail (once, or from then
** on) so that every error path can be reached on purpose. Disarmed (always,
** unless a test armed it), it costs one relaxed atomic load per call.
** lu_free is plain free(): blocks from the C library, from lu_* and from
** third-party libraries may be freed with either.
*/
#ifndef lu_hostmem_h
#define lu_hostmem_h

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Kinds of allocation the seam counts (a mask when arming). */
#define LU_FAIL_HOST   1   /* lu_malloc/lu_calloc/lu_realloc, the CPU buffers */
#define LU_FAIL_LUA    2   /* the Lua state's allocator (lb_failalloc.c wraps it) */
#define LU_FAIL_DEVICE 4   /* device memory (a GPU backend's allocator) */

/* 1 when the allocation about to be made (of kind, one LU_FAIL_*) must
** fail: the caller then reports out of memory as it would for a real
** failure. Thread-safe; 0 whenever the seam is disarmed. */
int lu_fail_alloc(int kind);
/* Arm the seam: of the allocations of the kinds in mask counted from now,
** the nth fails, and with persist every one after it too. n <= 0
** disarms. */
void lu_fail_arm(int mask, long n, int persist);
/* Disarm; returns how many allocations of the armed kinds were counted. */
long lu_fail_disarm(void);

static inline void *lu_malloc(size_t n) {
  return lu_fail_alloc(LU_FAIL_HOST) ? NULL : malloc(n);
}
static inline void *lu_calloc(size_t n, size_t size) {
  return lu_fail_alloc(LU_FAIL_HOST) ? NULL : calloc(n, size);
}
/* On failure p is left as it was, as realloc leaves it. */
static inline void *lu_realloc(void *p, size_t n) {
  return lu_fail_alloc(LU_FAIL_HOST) ? NULL : realloc(p, n);
}
static inline char *lu_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = (char *)lu_malloc(n);
  return d ? (char *)memcpy(d, s, n) : NULL;
}
static inline void lu_free(void *p) { free(p); }

#endif
