/* SPDX-License-Identifier: MIT */
/*
** Small CPU buffers (below the big-block cache's BIG_MIN, cpu_backend.c):
** freed ones are kept in lists by size class and handed out again, as the
** big ones are. From the C library each call took its slow paths: a + b
** of 4000 float32 cost 2.1 us where 1000 cost 1.2, and 30000 (120 KB) 10
** us, its free shrinking the heap's top that the next malloc grew back
** (page faults); the digits script's (1797, 10) float64 arrays are 140 KB.
**
** Classes: four per power of two from 64 bytes (at most 25% unused). Each
** block has a 64-byte header in front (its class and a mark that says it
** is one of these), so free needs no size. What is kept is bounded
** (SMALL_KEEP bytes, SMALL_KEEP_CLASS a class), and trim gives it all
** back (free_all_blocks, collectgarbage(), shutdown). A class keeps what
** a collection cycle frees of it: a loop of Z - Z on (1797, 10) float64
** frees about 6.5 MB of them a cycle (the binding paces the collector by
** array bytes); with 4 MB a class the rest went back to malloc and came
** again as page faults, 8.2 us an op against 6.2 with 12 MB (2 cores).
** One mutex guards the lists: buffers may be freed by any thread or
** context.
*/
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include "cpu_internal.h"

#define HDR 64
#define SMALL_MARK 0x6c75736du            /* "lusm" */
#define SMALL_MIN_SHIFT 6                 /* 64 bytes */
#define SMALL_MAX ((size_t)256 << 10)     /* BIG_MIN: bigger ones are not cached */
#define NCLASS (4 * (18 - SMALL_MIN_SHIFT) + 1)
#define SMALL_KEEP ((size_t)32 << 20)
#define SMALL_KEEP_CLASS ((size_t)12 << 20)
#define UNCACHED 0xffffu

typedef struct hdr {
  uint32_t mark;
  uint32_t cls;                           /* UNCACHED: bigger than SMALL_MAX */
  void *next;                             /* while kept: the next kept block */
} hdr;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *kept[NCLASS];
static size_t kept_bytes, class_bytes[NCLASS];

/* The class of n bytes (n <= SMALL_MAX) and its size. */
static unsigned class_of(size_t n, size_t *size) {
  unsigned k = SMALL_MIN_SHIFT, j;
  size_t base;
  if (n < ((size_t)1 << SMALL_MIN_SHIFT)) n = (size_t)1 << SMALL_MIN_SHIFT;
  while (((size_t)1 << (k + 1)) <= n) k++;
  base = (size_t)1 << k;
  for (j = 0; j < 4 && base + j * (base >> 2) < n; j++) {}
  if (j == 4) { k++; j = 0; base <<= 1; }
  *size = base + j * (base >> 2);
  return 4 * (k - SMALL_MIN_SHIFT) + j;
}

static size_t class_size(unsigned c) {
  size_t base = (size_t)1 << (SMALL_MIN_SHIFT + c / 4);
  return base + (c % 4) * (base >> 2);
}

void *lu_cpu_small_alloc(size_t nbytes) {
  size_t size = nbytes;
  unsigned c = UNCACHED;
  void *q = NULL;
  hdr *h;
  if (nbytes <= SMALL_MAX) {
    c = class_of(nbytes, &size);
    pthread_mutex_lock(&lock);
    if ((q = kept[c]) != NULL) {
      h = (hdr *)q;
      kept[c] = h->next;
      kept_bytes -= size;
      class_bytes[c] -= size;
    }
    pthread_mutex_unlock(&lock);
    if (q != NULL) return (char *)q + HDR;
  }
  if (size > SIZE_MAX - HDR || posix_memalign(&q, 64, size + HDR) != 0 || q == NULL) return NULL;
  h = (hdr *)q;
  h->mark = SMALL_MARK;
  h->cls = c;
  h->next = NULL;
  return (char *)q + HDR;
}

int lu_cpu_small_free(void *p) {
  hdr *h;
  size_t size;
  if (p == NULL) return 1;
  h = (hdr *)(void *)((char *)p - HDR);
  if (h->mark != SMALL_MARK) return 0;
  if (h->cls != UNCACHED && h->cls < NCLASS) {
    size = class_size(h->cls);
    pthread_mutex_lock(&lock);
    if (kept_bytes + size <= SMALL_KEEP && class_bytes[h->cls] + size <= SMALL_KEEP_CLASS) {
      h->next = kept[h->cls];
      kept[h->cls] = h;
      kept_bytes += size;
      class_bytes[h->cls] += size;
      pthread_mutex_unlock(&lock);
      return 1;
    }
    pthread_mutex_unlock(&lock);
  }
  h->mark = 0;
  free(h);
  return 1;
}

void lu_cpu_small_trim(void) {
  void *lists[NCLASS];
  unsigned c;
  pthread_mutex_lock(&lock);
  for (c = 0; c < NCLASS; c++) {
    lists[c] = kept[c];
    kept[c] = NULL;
    class_bytes[c] = 0;
  }
  kept_bytes = 0;
  pthread_mutex_unlock(&lock);
  for (c = 0; c < NCLASS; c++) {
    while (lists[c] != NULL) {
      hdr *h = (hdr *)lists[c];
      lists[c] = h->next;
      h->mark = 0;
      free(h);
    }
  }
}

size_t lu_cpu_small_kept(void) {
  size_t n;
  pthread_mutex_lock(&lock);
  n = kept_bytes;
  pthread_mutex_unlock(&lock);
  return n;
}
