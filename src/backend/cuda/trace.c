/* SPDX-License-Identifier: MIT */
/*
** LUNAR_TRACE=1: where a cold start spends its time. Each stage of the CUDA
** backend's start-up (driver, context, stream and pool, kernel libraries,
** the first launch, cuBLAS) prints one line to stderr:
**
**   lunar-trace:   183.402 ms  (+97.113)  context created (cudaSetDevice 0)
**
** The first figure is the time since the process started, the second the
** time since the previous line. The process start comes from the kernel
** (/proc/self/stat, in clock ticks: 10 ms steps), so the first figures
** share an offset of up to 10 ms; the differences are exact. The line
** "image loaded" is printed by a constructor, that is once the dynamic
** loader has mapped every shared library and run their constructors, just
** before main: the time until then is process start-up, not lunar's.
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cuda_internal.h"

int lu_cuda_trace_on = 0;
static double t_start = -1;   /* CLOCK_BOOTTIME seconds at process start */
static double t_prev = -1;

static double now_boot(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Field 22 of /proc/self/stat: start time in clock ticks since boot. The
** command name (field 2) may hold spaces, so parse after its ')'. */
static double process_start(void) {
  char buf[1024], *p;
  size_t n;
  unsigned long long ticks = 0;
  int field;
  FILE *f = fopen("/proc/self/stat", "r");
  if (f == NULL) return now_boot();
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  p = strrchr(buf, ')');
  if (p == NULL) return now_boot();
  for (field = 2; field < 22 && p; field++) p = strchr(p + 1, ' ');
  if (p == NULL || sscanf(p + 1, "%llu", &ticks) != 1) return now_boot();
  return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

/* The start-up thread (prestart.c) traces too: one line at a time. */
static pthread_mutex_t trace_mu = PTHREAD_MUTEX_INITIALIZER;

void lu_cuda_trace(const char *fmt, ...) {
  char msg[256];
  double t;
  va_list ap;
  if (!lu_cuda_trace_on) return;
  pthread_mutex_lock(&trace_mu);
  t = now_boot();
  if (t_start < 0) t_start = process_start();
  if (t_prev < 0) t_prev = t_start;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "lunar-trace: %9.3f ms  (+%.3f)  %s\n", (t - t_start) * 1e3,
          (t - t_prev) * 1e3, msg);
  fflush(stderr);
  t_prev = t;
  pthread_mutex_unlock(&trace_mu);
}

__attribute__((constructor)) static void trace_init(void) {
  const char *e = getenv("LUNAR_TRACE");
  lu_cuda_trace_on = e != NULL && strcmp(e, "1") == 0;
  if (lu_cuda_trace_on) lu_cuda_trace("image loaded (shared libraries and their constructors)");
}
