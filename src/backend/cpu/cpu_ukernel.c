/* SPDX-License-Identifier: MIT */
/*
** User kernels on the CPU: the core's C source (src/core/ukernel.c) is
** compiled by the host's C compiler ($CC, else cc, gcc or clang on PATH)
** into a shared object and loaded with dlopen. Where a kernel comes from,
** cheapest first:
**   1. the in-memory table (source hash -> entry point), process-wide;
**   2. the disk cache ($XDG_CACHE_HOME/lunar/cpu-kernels, else
**      ~/.cache/lunar/cpu-kernels): NAME.so beside NAME.sum, the FNV hash
**      of the .so's bytes, checked before dlopen; a file that does not
**      match (truncated, damaged) or that dlopen refuses is compiled again;
**   3. the compiler, writing under temporary names that are renamed into
**      place, so a reader never sees half a file.
** The directory is made owner-only (0700), and one that is not ours or that
** group or others may write is not used: the kernel is then compiled in a
** private temporary directory that is removed after loading.
*/
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lu_backend.h"
#include "lu_ukernel.h"
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "lu_workbench.h"
#include "lu_cachefs.h"
#include "lu_hostmem.h"

extern char **environ;

typedef void (*uk_main)(const lu_uk_launch *L);

typedef struct uk_entry {
  uint64_t h;
  char *src;
  const char *seen;   /* the caller's text that last matched src (its memo
                         keeps it: the same pointer and hash need no compare
                         of a fused kernel's 50 KB again) */
  uk_main fn;
  struct uk_entry *next;
} uk_entry;

static uk_entry *table;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i;
  for (i = 0; i < n; i++) { h ^= s[i]; h *= 0x100000001b3ull; }
  return h;
}
#define FNV_INIT 0xcbf29ce484222325ull

/* {====================================================== compiler */
/* path of prog on PATH (or prog itself when it holds a '/'), into buf */
static int on_path(const char *prog, char *buf, size_t len) {
  const char *path = getenv("PATH"), *p;
  if (strchr(prog, '/')) {
    if (access(prog, X_OK) != 0) return 0;
    return snprintf(buf, len, "%s", prog) < (int)len;
  }
  if (path == NULL) path = "/usr/bin:/bin";
  for (p = path; *p;) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n && (int)n < 4000 && snprintf(buf, len, "%.*s/%s", (int)n, p, prog) < (int)len &&
        access(buf, X_OK) == 0)
      return 1;
    if (!e) break;
    p = e + 1;
  }
  return 0;
}

/* $CC (its first word a program, the rest flags), else cc, gcc, clang */
static int find_cc(char *prog, size_t len, char *flags, size_t flen) {
  const char *cc = getenv("CC");
  static const char *const tries[] = {"cc", "gcc", "clang"};
  size_t i;
  flags[0] = 0;
  if (cc && *cc) {
    char first[512];
    size_t n = strcspn(cc, " \t");
    if (n >= sizeof first) return 0;
    memcpy(first, cc, n); first[n] = 0;
    snprintf(flags, flen, "%s", cc + n);
    return on_path(first, prog, len);
  }
  for (i = 0; i < sizeof tries / sizeof tries[0]; i++)
    if (on_path(tries[i], prog, len)) return 1;
  return 0;
}
/* }====================================================== */

/* {====================================================== files */
static int write_all(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  int ok;
  if (f == NULL) return 0;
  ok = fwrite(data, 1, len, f) == len;
  return (fclose(f) == 0) && ok;
}

/* the FNV hash of a file's bytes as 16 hex digits; 0 when unreadable */
static int file_sum(const char *path, char *hex) {
  size_t len;
  char *d = lu_read_file(path, &len);
  if (d == NULL || len == 0) { free(d); return 0; }
  snprintf(hex, 17, "%016llx", (unsigned long long)fnv(FNV_INIT, d, len));
  free(d);
  return 1;
}

/* dlopen path when its checksum file agrees; the entry point or NULL */
static uk_main load_checked(const char *so, const char *sum) {
  char hex[17], want[32];
  size_t len;
  char *s = lu_read_file(sum, &len);
  void *h;
  uk_main fn;
  if (s == NULL) return NULL;
  snprintf(want, sizeof want, "%.16s", s);
  free(s);
  if (!file_sum(so, hex) || strcmp(hex, want) != 0) return NULL;
  h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) return NULL;
  *(void **)&fn = dlsym(h, "lu_uk_main");
  if (fn == NULL) { dlclose(h); return NULL; }
  return fn;   /* the handle stays open for the process's life */
}
/* }====================================================== */

/* {====================================================== compiling */
/* The flags lunar adds after $CC's: optimised and vectorised, with glibc's
** vector maths where the source declares it (-fopenmp-simd: lu_uk_put_c_launch's
** `declare simd` lines; -fno-math-errno: sqrt as one instruction), and no
** a*b+c contracted into an FMA where the target has one, so that a fused
** random draw (lu_philox.h) gives the unfused draw's bits. */
#define OWN_FLAGS "-O3 -ffp-contract=off -fno-math-errno -fopenmp-simd"

/* For this machine's vector units (-march=native) a kernel's disk name must
** name the machine too: the cache may sit in a home directory that other
** machines share. Linux's /proc/cpuinfo gives the CPU's features (x86
** "flags", ARM "Features"); without them no -march=native. Returns the
** features' hash, 0 for none. */
static uint64_t machine_tag(void) {
  static uint64_t tag;
  static int done;
  if (!done) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[8192];
    done = 1;
    while (f && fgets(line, sizeof line, f)) {
      if (strncmp(line, "flags", 5) == 0 || strncmp(line, "Features", 8) == 0 ||
          strncmp(line, "model name", 10) == 0 || strncmp(line, "CPU part", 8) == 0) {
        tag = fnv(tag ? tag : 0xcbf29ce484222325ull, line, strlen(line));
        if (line[0] == 'f' || line[0] == 'F') break;   /* the first CPU's are enough */
      }
    }
    if (f) fclose(f);
  }
  return tag;
}

/* Run the compiler: cc [flags] OWN_FLAGS [-march=native] -shared -fPIC -o
** out src -lm, its messages into log. Returns the exit status (-1: it did
** not run). */
static int run_cc(const char *prog, const char *flags, const char *out, const char *src,
                  const char *log) {
  char fl[512], own[] = OWN_FLAGS, *argv[48], *save = NULL, *t;
  char **envp = NULL;
  int argc = 0, status = -1, n = 0, i;
  pid_t pid;
  posix_spawn_file_actions_t fa;
  snprintf(fl, sizeof fl, "%s", flags);
  argv[argc++] = (char *)prog;
  for (t = strtok_r(fl, " \t", &save); t && argc < 32; t = strtok_r(NULL, " \t", &save))
    argv[argc++] = t;
  for (t = strtok_r(own, " ", &save); t; t = strtok_r(NULL, " ", &save)) argv[argc++] = t;
  if (machine_tag() != 0) argv[argc++] = (char *)"-march=native";
  argv[argc++] = (char *)"-shared"; argv[argc++] = (char *)"-fPIC";
  argv[argc++] = (char *)"-o"; argv[argc++] = (char *)out; argv[argc++] = (char *)src;
  argv[argc++] = (char *)"-lm"; argv[argc] = NULL;
  /* the compiler's messages in plain ASCII quotes */
  while (environ && environ[n]) n++;
  envp = (char **)lu_malloc(sizeof(char *) * (size_t)(n + 2));
  if (envp == NULL) return -1;
  envp[0] = (char *)"LC_ALL=C";
  for (i = 0; i < n; i++) envp[i + 1] = environ[i];
  envp[n + 1] = NULL;
  if (posix_spawn_file_actions_init(&fa) != 0) { free(envp); return -1; }
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (posix_spawn(&pid, prog, &fa, NULL, argv, envp) == 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&fa);
  free(envp);
  return status;
}

/* The compiler's log, without the lines that name our temporary file */
static void log_message(lu_ctx *ctx, const char *what, const char *prog, const char *log) {
  size_t len, o = 0;
  char *d = lu_read_file(log, &len), msg[LU_ERRLEN - 200];
  const char *p = d ? d : "";
  msg[0] = 0;
  while (*p && o + 2 < sizeof msg) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (!strstr(p, "In function") || (e && strstr(p, "In function") > e)) {
      if (o + n + 2 >= sizeof msg) n = sizeof msg - o - 2;
      memcpy(msg + o, p, n); o += n;
      msg[o++] = '\n'; msg[o] = 0;
    }
    if (!e) break;
    p = e + 1;
  }
  while (o > 0 && msg[o - 1] == '\n') msg[--o] = 0;
  lu_seterr(ctx, LU_EARG, "%s: compile error (%s):\n%s", what, prog, msg);
  free(d);
}

/* Compile src into dir/base.so (+ .sum); the entry point or NULL with the
** error set. */
static uk_main compile(lu_ctx *ctx, const char *what, const char *prog, const char *flags,
                       const char *dir, const char *base, const char *src, int keep) {
  char c[4200], so[4200], tso[4200], log[4200], sum[4200], tsum[4200], hex[17];
  uk_main fn = NULL;
  int rc;
  long pid = (long)getpid();
  snprintf(c, sizeof c, "%s/%s.%ld.c", dir, base, pid);
  snprintf(tso, sizeof tso, "%s/%s.%ld.so", dir, base, pid);
  snprintf(log, sizeof log, "%s/%s.%ld.log", dir, base, pid);
  snprintf(tsum, sizeof tsum, "%s/%s.%ld.sum", dir, base, pid);
  snprintf(so, sizeof so, "%s/%s.so", dir, base);
  snprintf(sum, sizeof sum, "%s/%s.sum", dir, base);
  if (!write_all(c, src, strlen(src))) {
    lu_seterr(ctx, LU_EBACKEND, "%s: cannot write %s: %s", what, c, strerror(errno));
    remove(c);
    return NULL;
  }
  rc = run_cc(prog, flags, tso, c, log);
  remove(c);
  if (rc == 0) lu_count_compiled(ctx);   /* lunar.stats */
  if (rc != 0) {
    if (rc < 0) lu_seterr(ctx, LU_EBACKEND, "%s: could not run the C compiler %s", what, prog);
    else log_message(ctx, what, prog, log);
    remove(log); remove(tso);
    return NULL;
  }
  remove(log);
  if (!keep) {
    void *h = dlopen(tso, RTLD_NOW | RTLD_LOCAL);
    remove(tso);
    if (h && (*(void **)&fn = dlsym(h, "lu_uk_main")) != NULL) return fn;
    lu_seterr(ctx, LU_EBACKEND, "%s: cannot load the compiled kernel: %s", what,
              h ? "no entry point" : dlerror());
    return NULL;
  }
  if (!file_sum(tso, hex) || !write_all(tsum, hex, 16)) {
    remove(tso); remove(tsum);
    lu_seterr(ctx, LU_EBACKEND, "%s: cannot write the kernel cache in %s", what, dir);
    return NULL;
  }
  /* loaded under its own name before it is renamed into place: another
  ** process compiling the same kernel at the same time (the specs run six
  ** at once) may replace the entry between the rename and a load by name */
  fn = load_checked(tso, tsum);
  if (fn == NULL) {
    lu_seterr(ctx, LU_EBACKEND, "%s: cannot load the compiled kernel %s: %s", what, tso,
              dlerror() ? dlerror() : "checksum mismatch");
    remove(tso); remove(tsum);
    return NULL;
  }
  if (rename(tso, so) != 0 || rename(tsum, sum) != 0) { remove(tso); remove(tsum); }
  return fn;
}

/* hs: the source's FNV-1a (lu_text_hash, kept by the caller's memo, so a
** call does not hash a fused kernel's 50 KB again) */
static uk_main get_kernel(lu_ctx *ctx, const char *what, const char *src, uint64_t hs) {
  char prog[4200], flags[512], dir[4000], base[64], so[4200], sum[4200];
  uint64_t h;
  uk_entry *e;
  uk_main fn;
  for (e = table; e; e = e->next) {
    if (e->h != hs) continue;
    if (e->seen == src) return e->fn;
    if (strcmp(e->src, src) == 0) { e->seen = src; return e->fn; }
  }
  if (!find_cc(prog, sizeof prog, flags, sizeof flags)) {
    lu_seterr(ctx, LU_EBACKEND, "%s: no C compiler found (set CC or install gcc)", what);
    return NULL;
  }
  /* the disk name also depends on the compiler, the flags and the machine */
  h = fnv(FNV_INIT, prog, strlen(prog));
  h = fnv(h, flags, strlen(flags));
  h = fnv(h, OWN_FLAGS, sizeof OWN_FLAGS - 1);
  {
    uint64_t tag = machine_tag();
    h = fnv(h, &tag, sizeof tag);
  }
  h = fnv(h, src, strlen(src));
  snprintf(base, sizeof base, "uk-%016llx", (unsigned long long)h);
  fn = NULL;
  if (lu_cache_dir(dir, sizeof dir, "cpu-kernels") && lu_make_dirs(dir) && lu_dir_trusted(dir)) {
    snprintf(so, sizeof so, "%s/%s.so", dir, base);
    snprintf(sum, sizeof sum, "%s/%s.sum", dir, base);
    fn = load_checked(so, sum);
    /* missing or damaged: compiled again, and the new files renamed over
    ** the old (not removed first: a process that compiles the same kernel
    ** may be between its two renames) */
    if (fn == NULL) fn = compile(ctx, what, prog, flags, dir, base, src, 1);
  } else {
    const char *tmp = getenv("TMPDIR");
    char tdir[4000];
    snprintf(tdir, sizeof tdir, "%s/lunar-uk-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(tdir) == NULL) {
      lu_seterr(ctx, LU_EBACKEND, "%s: cannot make a directory to compile in: %s", what,
                strerror(errno));
      return NULL;
    }
    fn = compile(ctx, what, prog, flags, tdir, base, src, 0);
    rmdir(tdir);
  }
  if (fn == NULL) return NULL;
  e = (uk_entry *)lu_malloc(sizeof *e);
  if (e && (e->src = lu_strdup(src)) != NULL) {
    e->h = hs; e->fn = fn; e->seen = src; e->next = table; table = e;
  } else {
    free(e);
  }
  return fn;
}
/* }====================================================== */

/* Large launches are split over the pool's threads by outer index (each
** output, or each element, belongs to one chunk), at least UK_PAR_MIN
** element visits a chunk; the launch is copied per chunk with its range. */
#define UK_PAR_MIN ((int64_t)1 << 15)

typedef struct uk_job {
  uk_main fn;
  const lu_uk_launch *L;
  int64_t per;
} uk_job;

static void uk_chunk(void *arg, int64_t k) {
  const uk_job *j = (const uk_job *)arg;
  lu_uk_launch part = *j->L;
  part.lo = j->L->lo + k * j->per;
  part.hi = part.lo + j->per < j->L->hi ? part.lo + j->per : j->L->hi;
  j->fn(&part);
}

int lu_cpu_ukernel_run(lu_ctx *ctx, const char *what, const char *src, uint64_t src_hash,
                       const lu_uk_launch *launch) {
  uk_main fn;
  int64_t n = launch->hi - launch->lo, visits, per, red;
  int threads = lu_cpu_pool_threads();
  lu_uk_launch L = *launch;
  L.rngfill = lu_cpu_rng_fill;
  launch = &L;
  pthread_mutex_lock(&table_lock);
  fn = get_kernel(ctx, what, src, src_hash);
  pthread_mutex_unlock(&table_lock);
  if (fn == NULL) return LU_EBACKEND;
  /* element visits: outer indices times the reduced elements of each (an
  ** empty reduction still visits each output once) */
  red = launch->nred > 0 ? launch->nred : 1;
  visits = n <= INT64_MAX / red ? n * red : INT64_MAX;
  if (threads < 2 || n < 2 || visits < 2 * UK_PAR_MIN) {
    fn(launch);
    return LU_OK;
  }
  /* a few chunks a thread, each of at least UK_PAR_MIN visits */
  per = (n + 4 * (int64_t)threads - 1) / (4 * (int64_t)threads);
  if (per < (UK_PAR_MIN + red - 1) / red) per = (UK_PAR_MIN + red - 1) / red;
  {
    uk_job j = {fn, launch, per};
    lu_cpu_parallel((n + per - 1) / per, uk_chunk, &j);
  }
  return LU_OK;
}
