/* SPDX-License-Identifier: MIT */
/*
** The backends' two cache utilities: the open-addressing table (lu_htab.h)
** against a plain array of what should be in it, through growth and many
** removals (backward-shift deletion must keep every key reachable), and
** the block cache (blockcache.c) with a counting allocator: reuse by size
** class, newest first, the byte bounds, address lookups, trim and destroy,
** and the maximum age of kept blocks.
** Prints each failure; exits non-zero when any check failed.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lu_backend.h"
#include "lu_htab.h"
#include "lu_workbench.h"

static int failures, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* {====================================================== lu_htab */
typedef struct ent { uint64_t key; int64_t val; } ent;

static uint64_t rng_state = 0x243F6A8885A308D3ULL;
static uint64_t rnd(void) {   /* xorshift64 */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static void test_htab(void) {
  enum { N = 5000 };
  static uint64_t keys[N];
  static int in[N];
  lu_htab t;
  int i, round, bad = 0;
  lu_htab_init(&t, sizeof(ent));
  CHECK(lu_htab_get(&t, 42) == NULL, "empty table finds a key");
  /* keys that crowd a few home slots (multiples of 2^20, as aligned
  ** addresses are) and keys of packed bit fields */
  for (i = 0; i < N; i++) keys[i] = i % 2 ? (uint64_t)(i + 1) << 20 : ((uint64_t)1 << 63) | (uint64_t)i;
  for (round = 0; round < 6; round++) {
    for (i = 0; i < N; i++) {
      int want = (int)(rnd() % 3) != 0;
      if (want && !in[i]) {
        ent *e = (ent *)lu_htab_put(&t, keys[i]);
        if (e == NULL || e->key != keys[i] || e->val != 0) bad++;
        else e->val = i;
        in[i] = 1;
      } else if (!want && in[i]) {
        ent out;
        if (!lu_htab_remove(&t, keys[i], &out) || out.val != i) bad++;
        in[i] = 0;
      }
    }
    for (i = 0; i < N; i++) {
      ent *e = (ent *)lu_htab_get(&t, keys[i]);
      if (in[i] ? (e == NULL || e->val != i) : e != NULL) bad++;
    }
  }
  CHECK(bad == 0, "htab: %d lookups wrong after puts and removes", bad);
  {
    size_t n = 0;
    for (i = 0; i < N; i++) n += (size_t)in[i];
    CHECK(t.count == n, "htab: count %zu, want %zu", t.count, n);
    CHECK(t.cap >= 2 * t.count, "htab: more than half full (%zu of %zu)", t.count, t.cap);
  }
  CHECK(lu_htab_remove(&t, 7, NULL) == 0, "htab: removed a key never put");
  {
    ent *a = (ent *)lu_htab_put(&t, keys[1]), *b;
    a->val = 99;
    b = (ent *)lu_htab_put(&t, keys[1]);   /* put of a present key: the same entry */
    CHECK(b != NULL && b->val == 99, "htab: second put of a key lost its value");
  }
  lu_htab_free(&t);
  CHECK(t.count == 0 && lu_htab_get(&t, keys[1]) == NULL, "htab: not empty after free");
  CHECK(lu_htab_put(&t, 5) != NULL && lu_htab_get(&t, 5) != NULL, "htab: unusable after free");
  lu_htab_free(&t);
}
/* }====================================================== */

/* {====================================================== lu_blockcache */
static int nfresh, nrelease, refuse;
static size_t last_size;

static void *fresh(void *ud, size_t size) {
  (void)ud;
  if (refuse) { refuse--; return NULL; }
  nfresh++;
  last_size = size;
  return malloc(size);
}

static void release(void *ud, void *p, size_t size) {
  (void)ud; (void)size;
  nrelease++;
  free(p);
}

#define MiB ((size_t)1 << 20)

static void test_blockcache(void) {
  lu_blockcache *bc = lu_blockcache_new(fresh, release, NULL, 8 * MiB, 20 * MiB);
  void *a, *b, *c, *d;
  int x;
  CHECK(bc != NULL, "blockcache_new");
  /* size classes: eight per power of two */
  a = lu_blockcache_alloc(bc, 3 * MiB + 1);
  CHECK(a != NULL && nfresh == 1 && last_size == 3 * MiB + MiB / 4,
        "class of 3 MiB + 1: %zu bytes", last_size);
  CHECK(lu_blockcache_contains(bc, (char *)a + MiB, 2 * MiB), "a view inside a live block");
  CHECK(!lu_blockcache_contains(bc, (char *)a + MiB, 3 * MiB), "a range past a block's end");
  CHECK(!lu_blockcache_contains(bc, &x, 1), "an address of no block");
  CHECK(lu_blockcache_free(bc, &x) == 0, "free of a pointer not the cache's");
  /* freed, then handed out again for a request of the same class */
  CHECK(lu_blockcache_free(bc, a) == 1 && nrelease == 0, "a freed block is kept");
  CHECK(!lu_blockcache_contains(bc, a, 1), "a kept block is not live");
  b = lu_blockcache_alloc(bc, 3 * MiB + 100);
  CHECK(b == a && nfresh == 1, "a kept block of the class is reused");
  c = lu_blockcache_alloc(bc, MiB);
  CHECK(c != NULL && nfresh == 2, "another class: a fresh block");
  lu_blockcache_free(bc, b);
  lu_blockcache_free(bc, c);
  d = lu_blockcache_alloc(bc, MiB);
  CHECK(d == c, "the kept block of the requested class, not another");
  lu_blockcache_free(bc, d);
  /* keep bound (8 MiB): keeping 6 MiB more drops the oldest kept blocks */
  a = lu_blockcache_alloc(bc, 6 * MiB);
  x = nrelease;
  lu_blockcache_free(bc, a);
  CHECK(nrelease == x + 1, "the oldest kept block goes when the keep bound is passed (%d)",
        nrelease - x);
  /* a block bigger than the keep bound is released at once */
  a = lu_blockcache_alloc(bc, 9 * MiB);
  x = nrelease;
  lu_blockcache_free(bc, a);
  CHECK(nrelease == x + 1, "a block over the keep bound is not kept");
  /* total bound (20 MiB live and kept) */
  a = lu_blockcache_alloc(bc, 12 * MiB);
  b = lu_blockcache_alloc(bc, 12 * MiB);
  CHECK(a != NULL && b == NULL, "past the total bound: no block");
  /* the allocator fails once: the kept blocks go back and it is asked again */
  lu_blockcache_free(bc, a);
  lu_blockcache_free(bc, lu_blockcache_alloc(bc, MiB));
  x = nrelease;
  refuse = 1;
  a = lu_blockcache_alloc(bc, 2 * MiB);
  CHECK(a != NULL && nrelease > x, "kept blocks released before a retry");
  /* trim keeps live blocks live; destroy releases everything */
  b = lu_blockcache_alloc(bc, MiB);
  lu_blockcache_free(bc, b);
  x = nrelease;
  lu_blockcache_trim(bc);
  CHECK(nrelease == x + 1 && lu_blockcache_contains(bc, a, 1), "trim: kept released, live kept");
  x = nrelease;
  lu_blockcache_destroy(bc);
  CHECK(nrelease == x + 1 && nrelease == nfresh, "destroy releases live blocks (%d of %d)",
        nrelease, nfresh);
  CHECK(lu_blockcache_alloc(NULL, 10) == NULL && lu_blockcache_free(NULL, &x) == 0,
        "a missing cache gives and takes nothing");
}

/* A kept block older than the maximum age goes back at the next call; a
** younger one stays. The maximum age is 50 ms and the test waits 100: with
** 2 and 5 ms, a loaded machine (the sanitizer build beside other work)
** once took longer than 2 ms from a free to the next call. */
static void test_blockcache_age(void) {
  lu_blockcache *bc = lu_blockcache_new(fresh, release, NULL, 64 * MiB, SIZE_MAX);
  struct timespec ms100 = {0, 100000000};
  void *a, *b;
  int x;
  lu_blockcache_set_max_age(bc, 0.05);
  a = lu_blockcache_alloc(bc, 2 * MiB);
  x = nrelease;
  lu_blockcache_free(bc, a);
  b = lu_blockcache_alloc(bc, 2 * MiB);
  CHECK(b == a && nrelease == x, "a young kept block is reused");
  lu_blockcache_free(bc, b);
  nanosleep(&ms100, NULL);
  b = lu_blockcache_alloc(bc, 3 * MiB);
  CHECK(nrelease == x + 1, "a block kept past the maximum age goes back at the next call");
  lu_blockcache_set_max_age(bc, 0);
  lu_blockcache_free(bc, b);
  nanosleep(&ms100, NULL);
  a = lu_blockcache_alloc(bc, 3 * MiB);
  CHECK(a == b && nrelease == x + 1, "no maximum age: kept until used");
  lu_blockcache_destroy(bc);
}

/* Idle: with no call at all, the cache's reaper gives an aged block back.
** lu_blockcache_stats only looks (it ages nothing), and its lock orders the
** reaper's writes before the reads here. The wait is at most 2 s. */
static void test_blockcache_idle(void) {
  lu_blockcache *bc = lu_blockcache_new(fresh, release, NULL, 64 * MiB, SIZE_MAX);
  struct timespec ms10 = {0, 10000000};
  size_t live, kept;
  void *a, *b;
  int x, i;
  lu_blockcache_set_max_age(bc, 0.02);
  a = lu_blockcache_alloc(bc, 2 * MiB);
  b = lu_blockcache_alloc(bc, 4 * MiB);
  lu_blockcache_stats(bc, &live, &kept);
  x = nrelease;
  lu_blockcache_free(bc, a);
  lu_blockcache_stats(bc, &live, &kept);
  CHECK(kept == 2 * MiB, "a freed block is kept (%zu)", kept);
  for (i = 0; i < 200 && kept > 0; i++) {
    nanosleep(&ms10, NULL);
    lu_blockcache_stats(bc, &live, &kept);
  }
  CHECK(kept == 0 && nrelease == x + 1 && live == 4 * MiB,
        "an aged block goes back with no call to the cache (kept %zu after %d ms)", kept, 10 * i);
  /* again after the reaper has slept with nothing kept */
  lu_blockcache_free(bc, b);
  for (i = 0; i < 200; i++) {
    nanosleep(&ms10, NULL);
    lu_blockcache_stats(bc, &live, &kept);
    if (kept == 0) break;
  }
  CHECK(kept == 0 && live == 0 && nrelease == x + 2, "the reaper wakes for the next kept block");
  lu_blockcache_destroy(bc);   /* joins the reaper */
}

/* A request with no kept block of its class takes the smallest kept block
** at most 5/4 of its class, and no larger one. */
static void test_blockcache_spare(void) {
  lu_blockcache *bc = lu_blockcache_new(fresh, release, NULL, 64 * MiB, SIZE_MAX);
  void *a, *b, *c;
  int f0;
  a = lu_blockcache_alloc(bc, 5 * MiB / 2);         /* class 2.5 MiB */
  b = lu_blockcache_alloc(bc, 3 * MiB);             /* class 3 MiB */
  lu_blockcache_free(bc, b);
  lu_blockcache_free(bc, a);
  f0 = nfresh;
  c = lu_blockcache_alloc(bc, 9 * MiB / 4);         /* class 2.25 MiB: takes 2.5, not 3 */
  CHECK(c == a && nfresh == f0, "a kept block up to 5/4 of the class serves it");
  CHECK(lu_blockcache_contains(bc, (char *)c + 2 * MiB, MiB / 2), "the whole block is live");
  a = lu_blockcache_alloc(bc, 3 * MiB / 2);         /* 3 MiB is twice: a fresh block */
  CHECK(a != b && nfresh == f0 + 1, "a kept block past 5/4 of the class does not");
  lu_blockcache_free(bc, a);
  lu_blockcache_free(bc, c);
  lu_blockcache_destroy(bc);
}

/* alloc_reuse (pinned.c's, for `h = d:to("cpu")` in a loop): a kept block
** of the class whenever there is one, a fresh one only while fewer than
** max_live of the class are live, NULL past that (pageable memory then). */
static void test_blockcache_reuse(void) {
  lu_blockcache *bc = lu_blockcache_new(fresh, release, NULL, 64 * MiB, SIZE_MAX);
  void *a, *b, *c, *d;
  int f0 = nfresh;
  a = lu_blockcache_alloc_reuse(bc, 4 * MiB, 2);
  b = lu_blockcache_alloc_reuse(bc, 4 * MiB, 2);
  CHECK(a != NULL && b != NULL && nfresh == f0 + 2, "fresh blocks up to the bound");
  c = lu_blockcache_alloc_reuse(bc, 4 * MiB, 2);
  CHECK(c == NULL && nfresh == f0 + 2, "no fresh block past the bound of live ones");
  d = lu_blockcache_alloc_reuse(bc, 2 * MiB, 2);
  CHECK(d != NULL && nfresh == f0 + 3, "another class counts its own blocks");
  lu_blockcache_free(bc, a);
  c = lu_blockcache_alloc_reuse(bc, 4 * MiB, 2);
  CHECK(c == a && nfresh == f0 + 3, "a kept block of the class is handed out again");
  lu_blockcache_free(bc, c);
  lu_blockcache_free(bc, b);
  c = lu_blockcache_alloc_reuse(bc, 4 * MiB, 0);
  CHECK(c == b, "the newest kept block also when no fresh one is allowed");
  b = lu_blockcache_alloc_reuse(bc, 4 * MiB, 0);
  CHECK(b == a, "then the other kept one");
  CHECK(lu_blockcache_alloc_reuse(bc, 4 * MiB, 0) == NULL && nfresh == f0 + 3,
        "max_live 0 with nothing kept: no block");
  lu_blockcache_free(bc, b);
  lu_blockcache_free(bc, c);
  lu_blockcache_free(bc, d);
  lu_blockcache_destroy(bc);
  CHECK(lu_blockcache_alloc_reuse(NULL, 10, 1) == NULL, "a missing cache gives nothing");
}
/* }====================================================== */

int main(void) {
  test_htab();
  test_blockcache();
  test_blockcache_age();
  test_blockcache_idle();
  test_blockcache_reuse();
  test_blockcache_spare();
  printf("test_caches: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
