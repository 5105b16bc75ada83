/* SPDX-License-Identifier: MIT */
/*
** The allocation-failure seam of lu_hostmem.h. One set of counters for the
** process (allocations happen on the CPU pool's threads too), so a walk
** arms it from one thread and runs one script at a time.
*/
#include <stdatomic.h>
#include "lu_hostmem.h"

static atomic_int armed;        /* the mask of kinds counted; 0: disarmed */
static atomic_long seen;        /* allocations of those kinds since arming */
static long fail_at;            /* the one that fails */
static int fail_persist;        /* and all after it */

int lu_fail_alloc(int kind) {
  long k;
  if ((atomic_load_explicit(&armed, memory_order_relaxed) & kind) == 0) return 0;
  k = atomic_fetch_add(&seen, 1) + 1;
  return fail_persist ? k >= fail_at : k == fail_at;
}

void lu_fail_arm(int mask, long n, int persist) {
  atomic_store(&armed, 0);
  atomic_store(&seen, 0);
  fail_at = n;
  fail_persist = persist;
  if (n > 0) atomic_store(&armed, mask);
}

long lu_fail_disarm(void) {
  atomic_store(&armed, 0);
  return atomic_load(&seen);
}
