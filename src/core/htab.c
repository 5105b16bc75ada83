/* SPDX-License-Identifier: MIT */
/*
** The open-addressing table of lu_htab.h: growth and deletion.
*/
#include <stdlib.h>
#include "lu_htab.h"
#include "lu_hostmem.h"

#define MIN_CAP 16

static size_t home(const lu_htab *t, uint64_t key) {
  return (size_t)((key * LU_HTAB_MUL) >> t->shift);
}

void lu_htab_init(lu_htab *t, size_t esize) {
  memset(t, 0, sizeof *t);
  t->esize = esize;
}

void lu_htab_free(lu_htab *t) {
  free(t->slots);
  lu_htab_init(t, t->esize);
}

/* Rehash into twice the room (MIN_CAP to start). */
static int grow(lu_htab *t) {
  size_t ncap = t->cap ? 2 * t->cap : MIN_CAP, j;
  int nshift = 64;
  unsigned char *old = t->slots;
  size_t ocap = t->cap;
  unsigned char *ns = (unsigned char *)lu_calloc(ncap, t->esize);
  if (ns == NULL) return 0;
  for (j = ncap; j > 1; j >>= 1) nshift--;
  t->slots = ns;
  t->cap = ncap;
  t->shift = nshift;
  for (j = 0; j < ocap; j++) {
    const unsigned char *e = old + j * t->esize;
    uint64_t k = lu_htab_key_at(e);
    size_t i;
    if (k == 0) continue;
    i = home(t, k);
    while (lu_htab_key_at(ns + i * t->esize) != 0) i = (i + 1) & (ncap - 1);
    memcpy(ns + i * t->esize, e, t->esize);
  }
  free(old);
  return 1;
}

void *lu_htab_put(lu_htab *t, uint64_t key) {
  unsigned char *e = (unsigned char *)lu_htab_get(t, key);
  size_t i;
  if (e != NULL) return e;
  if (2 * (t->count + 1) > t->cap && !grow(t)) return NULL;
  i = home(t, key);
  while (lu_htab_key_at(t->slots + i * t->esize) != 0) i = (i + 1) & (t->cap - 1);
  e = t->slots + i * t->esize;
  memset(e, 0, t->esize);
  memcpy(e, &key, sizeof key);
  t->count++;
  return e;
}

/* Backward shift: after emptying slot i, each later entry of the same run
** moves into the gap when its home is not between the gap and itself
** (cyclically), which keeps every entry reachable from its home. */
int lu_htab_remove(lu_htab *t, uint64_t key, void *out) {
  unsigned char *e = (unsigned char *)lu_htab_get(t, key);
  size_t i, j, mask = t->cap - 1;
  if (e == NULL) return 0;
  if (out != NULL) memcpy(out, e, t->esize);
  i = (size_t)(e - t->slots) / t->esize;
  for (j = (i + 1) & mask;; j = (j + 1) & mask) {
    unsigned char *ej = t->slots + j * t->esize;
    uint64_t k = lu_htab_key_at(ej);
    size_t h;
    if (k == 0) break;
    h = home(t, k);
    if (((j - h) & mask) >= ((j - i) & mask)) {
      memcpy(t->slots + i * t->esize, ej, t->esize);
      i = j;
    }
  }
  memset(t->slots + i * t->esize, 0, t->esize);
  t->count--;
  return 1;
}
