/* SPDX-License-Identifier: MIT */
/*
** A small hash table on nonzero 64-bit keys, for the backends' caches (the
** core itself uses none). The CUDA backend keeps its elementwise kernels by
** signature in one (kcache.c), its small device blocks by address in
** another (alloc.c), and its kernels' occupancy in a third (launch.c).
**
** Open addressing with linear probing, a power-of-two capacity kept at most
** half full, Fibonacci hashing (the top bits of key * 2^64/phi, good for
** addresses aligned to large powers of two as well as for packed bit
** fields), and deletion by backward shift, so that no tombstones build up.
** An entry is `esize` bytes (a multiple of 8) that begin with its key; key
** 0 marks an empty slot. Pointers to entries are valid until the next put
** or remove. Lookup is inline: it is on the path of every small op.
*/
#ifndef lu_htab_h
#define lu_htab_h

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct lu_htab {
  unsigned char *slots;
  size_t cap, count;            /* cap: 0 or a power of two */
  size_t esize;                 /* bytes per entry, key included */
  int shift;                    /* 64 - log2(cap) */
} lu_htab;

#define LU_HTAB_MUL 0x9E3779B97F4A7C15ULL

static inline uint64_t lu_htab_key_at(const unsigned char *e) {
  uint64_t k;
  memcpy(&k, e, sizeof k);
  return k;
}

/* The entry of key (nonzero), or NULL. */
static inline void *lu_htab_get(const lu_htab *t, uint64_t key) {
  size_t i, mask = t->cap - 1;
  if (t->count == 0) return NULL;
  i = (size_t)((key * LU_HTAB_MUL) >> t->shift);
  for (;;) {
    unsigned char *e = t->slots + i * t->esize;
    uint64_t k = lu_htab_key_at(e);
    if (k == key) return e;
    if (k == 0) return NULL;
    i = (i + 1) & mask;
  }
}

/* An empty table of entries of esize bytes. */
void lu_htab_init(lu_htab *t, size_t esize);
/* The entry of key (nonzero), added with its other bytes zeroed when it
** was not there; NULL when the table could not grow (out of memory). */
void *lu_htab_put(lu_htab *t, uint64_t key);
/* Take key out; its entry is copied to out (when not NULL) first. Returns
** 1 when key was there, 0 when not. */
int lu_htab_remove(lu_htab *t, uint64_t key, void *out);
/* Free the slots; the table is empty and usable again. */
void lu_htab_free(lu_htab *t);

#endif
