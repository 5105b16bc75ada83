/* SPDX-License-Identifier: MIT */
/*
** The CUDA start-up on a thread of its own (issue 14). Initialising the
** driver (the first cudaGetDeviceCount) and creating the default device's
** primary context (cudaSetDevice) cost about 260 ms on the lent machines,
** for any CUDA program. lunar_prestart(), called at the top of the host's
** main(), does both on a background thread while Lua loads and parses the
** script; the CUDA backend waits for the first half when it first counts
** devices and for the whole at a device's first use (device.c). A script
** that never asks for a GPU never waits, except at exit (below).
**
** The thread only warms the driver: it hands nothing over. The primary
** context is the process's, so the main thread's cudaSetDevice finds it
** made; the thread's own CUDA error state is its own (thread-local).
**
** Stages, under `mu`: NONE (no thread), RUN (in cudaGetDeviceCount),
** COUNTED (the driver is up; maybe creating the context), DONE (out of
** CUDA for good; the thread is detached and only returns after that).
**
** Exit: leaving the process while the thread is inside the driver would run
** CUDA's exit handlers under it. lu_cuda_prestart_end (an atexit handler,
** and called by the host before main returns) asks the thread to skip the
** context and waits for DONE: at most the driver's initialisation, which
** every run paid before this thread existed.
**
** Fork: the child has no thread; its stage becomes DONE (nothing to wait
** for) and its lock and condition are made fresh.
**
** Nothing here allocates through lu_malloc: the allocation-failure walk
** never reaches this file, and a failed pthread_create means no thread.
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cuda_internal.h"

enum { PRE_NONE, PRE_RUN, PRE_COUNTED, PRE_DONE };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage = PRE_NONE;
static int quit = 0;       /* skip the context: the process is leaving */
static int started = 0;    /* lu_cuda_prestart ran once */

static void set_stage(int s) {
  pthread_mutex_lock(&mu);
  stage = s;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static int by_rank = -1;   /* >= 0: the device is this local rank modulo the count */

static void *run(void *arg) {
  int dev = (int)(intptr_t)arg, n = 0, q;
  lu_cuda_trace("start-up thread: probing the driver");
  if (cudaGetDeviceCount(&n) != cudaSuccess) n = 0;
  cudaGetLastError();
  lu_cuda_trace("start-up thread: driver initialised, %d device%s", n, n == 1 ? "" : "s");
  if (by_rank >= 0 && n > 0) dev = by_rank % n;
  set_stage(PRE_COUNTED);
  pthread_mutex_lock(&mu);
  q = quit;
  pthread_mutex_unlock(&mu);
  if (!q && dev < n) {
    if (cudaSetDevice(dev) == cudaSuccess)
      lu_cuda_trace("start-up thread: context created (cudaSetDevice %d)", dev);
    cudaGetLastError();
  }
  set_stage(PRE_DONE);
  return NULL;
}

static void after_fork_child(void) {
  pthread_mutex_init(&mu, NULL);
  pthread_cond_init(&cv, NULL);
  if (stage != PRE_NONE) stage = PRE_DONE;
}

static void at_exit(void) { lu_cuda_prestart_end(); }

/* A rank of lunar.dist (lunar -n, mpirun) binds local rank r to GPU
** r % count (dist.c, bind_gpu): its context goes there, not to GPU 0.
** The local rank is the one dist.init's default method reads: MPI's
** under mpirun (OMPI_COMM_WORLD_SIZE or PMIX_RANK set), else lunar -n's. */
static int local_rank(void) {
  int mpi = getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
  const char *e = getenv(mpi ? "OMPI_COMM_WORLD_LOCAL_RANK" : "LUNAR_LOCAL_RANK");
  char *end;
  long r;
  if (e == NULL || *e == '\0') return -1;
  r = strtol(e, &end, 10);
  return *end == '\0' && r >= 0 && r < 1000000 ? (int)r : -1;
}

/* The device the thread prepares: LUNAR_DEVICE's cuda:N, else 0 (or by
** local rank); -1 when LUNAR_DEVICE names something else (cpu: CUDA is
** never started) or the thread is switched off (LUNAR_PRESTART=0). */
static int prestart_device(void) {
  const char *e = getenv("LUNAR_PRESTART");
  char *end;
  long k;
  if (e != NULL && strcmp(e, "0") == 0) return -1;
  e = getenv("LUNAR_DEVICE");
  if (e == NULL || *e == '\0' || strcmp(e, "cuda") == 0 || strcmp(e, "gpu") == 0) {
    by_rank = local_rank();
    return 0;
  }
  if (strncmp(e, "cuda:", 5) != 0 || e[5] < '0' || e[5] > '9') return -1;
  k = strtol(e + 5, &end, 10);
  return *end == '\0' && k < 1024 ? (int)k : -1;
}

void lu_cuda_prestart(void) {
  pthread_attr_t at;
  pthread_t t;
  int dev, ok;
  pthread_mutex_lock(&mu);
  if (started) { pthread_mutex_unlock(&mu); return; }
  started = 1;
  pthread_mutex_unlock(&mu);
  dev = prestart_device();
  if (dev < 0) return;
  if (pthread_atfork(NULL, NULL, after_fork_child) != 0) return;
  if (atexit(at_exit) != 0) return;
  if (pthread_attr_init(&at) != 0) return;
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  set_stage(PRE_RUN);
  ok = pthread_create(&t, &at, run, (void *)(intptr_t)dev) == 0;
  pthread_attr_destroy(&at);
  if (!ok) set_stage(PRE_NONE);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Wait until the driver is up (full = 0) or the thread is out of CUDA
** (full = 1); returns at once when there is no thread. */
void lu_cuda_prestart_wait(int full) {
  int need = full ? PRE_DONE : PRE_COUNTED, waited = 0;
  double t0 = 0;
  pthread_mutex_lock(&mu);
  if (stage != PRE_NONE && stage < need) {
    waited = 1;
    if (lu_cuda_trace_on) t0 = now_ms();
    while (stage < need) pthread_cond_wait(&cv, &mu);
  }
  pthread_mutex_unlock(&mu);
  if (waited && lu_cuda_trace_on)
    lu_cuda_trace("waited %.3f ms for the start-up thread (%s)", now_ms() - t0,
                  full ? "context" : "driver");
}

void lu_cuda_prestart_end(void) {
  pthread_mutex_lock(&mu);
  quit = 1;
  while (stage == PRE_RUN || stage == PRE_COUNTED) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}
