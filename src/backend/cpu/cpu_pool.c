/* SPDX-License-Identifier: MIT */
/*
** A small pool of helper threads for the CPU backend's big loops.
**
** Why not `omp parallel`: the end of an OpenMP region waits for every thread
** of the team, and libgomp's threads spin between regions. On a machine
** whose cores are shared (this project's 2-core build machine, a laptop
** compiling), a helper that has lost its core holds every op until the
** scheduler gives it back: a 1 ms max over 10^7 floats took 16 ms, 10x
** NumPy's single thread (measured; OMP_WAIT_POLICY=passive brought it back
** to 1.5 ms, but that is read once at start-up and cannot be set here).
**
** Here the caller publishes a job of numbered chunks, wakes the helpers and
** starts claiming chunks itself (an atomic counter). A helper that wakes
** late finds nothing left and goes back to sleep: the caller waits only for
** chunks already claimed, never for a thread to show up. Helpers sleep on a
** condition variable between jobs (no spinning). One job at a time: a
** second caller (another thread, or a body that itself calls
** lu_cpu_parallel) runs its chunks alone.
**
** A helper can still lose its core in the middle of a chunk, and then the
** caller waits for the scheduler (4 ms ticks here: a 1 ms sum took 8-16 ms
** with a compiler on the other core). So the caller times that wait: when
** it is long next to the work, the following jobs run on the caller alone
** (4, then 8, ... up to 256 jobs) before the helpers are tried again. On a
** quiet machine no wait is long and every job uses every thread.
**
** This pool is the CPU backend's only source of threads (OpenMP is used
** for `omp simd` alone, built with -fopenmp-simd: no libgomp). Its size,
** the caller included: LUNAR_NUM_THREADS, else OMP_NUM_THREADS (as when
** OpenMP ran these loops), else the cores this process may really use:
** those of its affinity mask, fewer when a cgroup CPU quota (a container's
** --cpus) allows less. doc/design-notes.md has the policy, OpenBLAS's
** threads included.
*/
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include "cpu_pool.h"
#include "cpu_internal.h"

#define MAXHELP 63

static struct {
  pthread_mutex_t mu;
  pthread_cond_t wake;          /* helpers: a new job, or quit */
  pthread_cond_t idle;          /* caller: the last helper left the job */
  pthread_t th[MAXHELP];
  int nhelp, quit;
  unsigned gen;                 /* job number */
  int open;                     /* helpers may still join the job */
  int active;                   /* helpers inside the job */
  lu_cpu_body body;
  void *arg;
  int64_t nchunks;
  atomic_llong next;            /* next chunk to claim */
} P = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_flag busy = ATOMIC_FLAG_INIT;
/* jobs still to run alone, and the length of the last such run; only the
** holder of `busy` touches them */
static int skip, backoff;

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

static void run_chunks(lu_cpu_body body, void *arg, int64_t n) {
  for (;;) {
    int64_t k = atomic_fetch_add_explicit(&P.next, 1, memory_order_relaxed);
    if (k >= n) return;
    body(arg, k);
  }
}

static void *helper(void *unused) {
  unsigned seen = 0;
  (void)unused;
  pthread_mutex_lock(&P.mu);
  for (;;) {
    while (!P.quit && (P.gen == seen || !P.open)) {
      seen = P.gen;
      pthread_cond_wait(&P.wake, &P.mu);
    }
    if (P.quit) break;
    seen = P.gen;
    lu_cpu_body body = P.body;
    void *arg = P.arg;
    int64_t n = P.nchunks;
    P.active++;
    pthread_mutex_unlock(&P.mu);
    run_chunks(body, arg, n);
    pthread_mutex_lock(&P.mu);
    if (--P.active == 0) pthread_cond_signal(&P.idle);
  }
  pthread_mutex_unlock(&P.mu);
  return NULL;
}

/* {===== how many threads */
/* A positive count from the environment, or 0. */
static int env_count(const char *name) {
  const char *v = getenv(name);
  char *end;
  long n;
  if (v == NULL || *v == '\0') return 0;
  n = strtol(v, &end, 10);
  while (*end == ' ') end++;
  if ((*end != '\0' && *end != ',') || n < 1) return 0;   /* OMP's "4,2": the first */
  return n > MAXHELP + 1 ? MAXHELP + 1 : (int)n;
}

/* One or two numbers from a cgroup file: v2's cpu.max ("QUOTA PERIOD",
** QUOTA "max" for none: -1) or v1's single number. */
static int read_cg(const char *path, long long *a, long long *b, int v2) {
  FILE *f = fopen(path, "r");
  char word[32];
  int ok = 0;
  if (f == NULL) return 0;
  if (v2) {
    if (fscanf(f, "%31s %lld", word, b) == 2) {
      ok = 1;
      *a = strcmp(word, "max") == 0 ? -1 : atoll(word);
    }
  } else {
    ok = fscanf(f, "%lld", a) == 1;
  }
  fclose(f);
  return ok;
}

/* The cgroup's CPU quota in cores, rounded up; 0 when there is none.
** cgroup v2 at the process's own cgroup, then at the root of the mount (a
** container's view), then v1 (cpu.cfs_quota_us, -1 for none, over
** cpu.cfs_period_us). */
static int quota_cores(void) {
  char path[512], line[512];
  long long q = -1, per = 0, unused;
  int found = 0;
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (f != NULL) {
    while (fgets(line, sizeof line, f) != NULL) {
      if (strncmp(line, "0::", 3) != 0) continue;
      line[strcspn(line, "\n")] = '\0';
      if (snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", line + 3) < (int)sizeof path)
        found = read_cg(path, &q, &per, 1);
      break;
    }
    fclose(f);
  }
  if (!found) found = read_cg("/sys/fs/cgroup/cpu.max", &q, &per, 1);
  if (!found) {
    static const char *const dirs[] = { "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct" };
    for (int i = 0; i < 2 && !found; i++) {
      snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dirs[i]);
      if (!read_cg(path, &q, &unused, 0)) continue;
      snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dirs[i]);
      found = read_cg(path, &per, &unused, 0);
    }
  }
  if (!found || q <= 0 || per <= 0) return 0;
  return (int)((q + per - 1) / per);
}

static int cores_available(void) {
  cpu_set_t set;
  int n = 0, q;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n < 1) n = 1;
  q = quota_cores();
  if (q > 0 && q < n) n = q;
  return n;
}

static int wanted_threads(void) {
  int n = env_count("LUNAR_NUM_THREADS");
  if (n == 0) n = env_count("OMP_NUM_THREADS");
  if (n == 0) n = cores_available();
  return n > MAXHELP + 1 ? MAXHELP + 1 : n;
}
/* }===== */

/* {===== when threads pay off, per op class
** Elements (for FFT: elements of the whole transform; for reductions: of
** the input) below which an op of the class runs on the calling thread.
** Measured with bench/par_calibrate.lua (doc/design-notes.md §4 has the
** table). LUNAR_PAR_MIN overrides: one number for every class, or
** "ewise=N,trans=N,reduce=N,fft=N,index=N" (any of them). */
static int64_t par_min[CPU_PAR_NCLASS] = {
  [CPU_PAR_EWISE] = 131072, [CPU_PAR_TRANS] = 131072, [CPU_PAR_REDUCE] = 524288,
  [CPU_PAR_FFT] = 131072, [CPU_PAR_INDEX] = 65536,
};
static const char *const par_names[CPU_PAR_NCLASS] = { "ewise", "trans", "reduce", "fft", "index" };

static void read_par_min(void) {
  const char *v = getenv("LUNAR_PAR_MIN");
  if (v == NULL || *v == '\0') return;
  while (*v != '\0') {
    int cls = -1;
    for (int k = 0; k < CPU_PAR_NCLASS; k++) {
      size_t len = strlen(par_names[k]);
      if (strncmp(v, par_names[k], len) == 0 && v[len] == '=') { cls = k; v += len + 1; break; }
    }
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || x < 0) return;            /* malformed: the rest is ignored */
    for (int k = 0; k < CPU_PAR_NCLASS; k++)
      if (cls < 0 || k == cls) par_min[k] = x;
    v = end;
    if (*v == ',') v++;
    else if (*v != '\0') return;
  }
}
/* }===== */

static void start(void) {
  int n = wanted_threads() - 1;
  read_par_min();
  for (int i = 0; i < n; i++) {
    if (pthread_create(&P.th[P.nhelp], NULL, helper, NULL) != 0) break;
    P.nhelp++;
  }
}

/* At exit, or when lunar.so is unloaded: the helpers must not outlive the
** code they run. */
__attribute__((destructor)) static void stop(void) {
  int n;
  pthread_mutex_lock(&P.mu);
  P.quit = 1;
  n = P.nhelp;
  pthread_cond_broadcast(&P.wake);
  pthread_mutex_unlock(&P.mu);
  for (int i = 0; i < n; i++) pthread_join(P.th[i], NULL);
  P.nhelp = 0;
}

int64_t lu_cpu_par_min(int cls) {
  pthread_once(&once, start);
  return cls >= 0 && cls < CPU_PAR_NCLASS ? par_min[cls] : CPU_PAR_MIN;
}

int lu_cpu_pool_threads(void) {
  pthread_once(&once, start);
  return P.nhelp + 1;
}

void lu_cpu_parallel(int64_t nchunks, lu_cpu_body body, void *arg) {
  if (nchunks <= 0) return;
  pthread_once(&once, start);
  if (nchunks == 1 || P.nhelp == 0 || atomic_flag_test_and_set(&busy)) {
    for (int64_t k = 0; k < nchunks; k++) body(arg, k);
    return;
  }
  if (skip > 0) {
    skip--;
    for (int64_t k = 0; k < nchunks; k++) body(arg, k);
    atomic_flag_clear(&busy);
    return;
  }
  double t0 = now_us(), t1, t2;
  pthread_mutex_lock(&P.mu);
  P.body = body; P.arg = arg; P.nchunks = nchunks;
  atomic_store_explicit(&P.next, 0, memory_order_relaxed);
  P.open = 1;
  P.gen++;
  pthread_cond_broadcast(&P.wake);
  pthread_mutex_unlock(&P.mu);
  run_chunks(body, arg, nchunks);
  t1 = now_us();
  /* every chunk is claimed: close the job, wait for those being run */
  pthread_mutex_lock(&P.mu);
  P.open = 0;
  while (P.active > 0) pthread_cond_wait(&P.idle, &P.mu);
  pthread_mutex_unlock(&P.mu);
  t2 = now_us();
  if (t2 - t1 > 200 && t2 - t1 > (t1 - t0) / 4) {
    backoff = backoff ? (backoff < 256 ? backoff * 2 : 256) : 4;
    skip = backoff;
  } else {
    backoff = 0;
  }
  atomic_flag_clear(&busy);
}
