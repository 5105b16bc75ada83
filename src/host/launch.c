/* SPDX-License-Identifier: MIT */
/*
** `lunar -n N script.lua [args]`: a launcher for lunar.dist without MPI
** (doc/api/dist.md). It starts N copies of this program with the rest of
** the command line, each told its place through the environment:
**   LUNAR_RANK, LUNAR_WORLD_SIZE, LUNAR_LOCAL_RANK, LUNAR_LOCAL_WORLD_SIZE
**   LUNAR_DIST_FILE  a fresh file name in a private directory, where rank 0
**                    leaves NCCL's id for the others (dist.init, method "env")
** One machine, so local ranks are ranks. When a rank fails (a non-zero
** status or a signal), the others are ended: SIGTERM, then SIGKILL after
** LUNAR_DIST_GRACE seconds (default 5). The launcher's status is the
** first failure's, or 0.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "host.h"

#define MAX_RANKS 1024

static volatile sig_atomic_t got_signal = 0;
static void on_signal(int sig) { got_signal = sig; }

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void setint(const char *name, int v) {
  char buf[16];
  snprintf(buf, sizeof buf, "%d", v);
  setenv(name, buf, 1);
}

static void end_all(pid_t *pid, int n, int sig) {
  int i;
  for (i = 0; i < n; i++)
    if (pid[i] > 0) kill(pid[i], sig);
}

int host_launch(int argc, char **argv) {
  static pid_t pid[MAX_RANKS];
  char exe[4096], dir[4200], file[4300];
  const char *tmp = getenv("TMPDIR");
  const char *grace_s = getenv("LUNAR_DIST_GRACE");
  double grace = grace_s && *grace_s ? atof(grace_s) : 5, deadline = 0;
  char *end;
  long n;
  int i, alive, status = 0, first = -1;
  struct sigaction sa;
  ssize_t len;
  if (argc < 4) {
    fprintf(stderr, "%s: usage: %s -n N script.lua [args]\n", host_progname, host_progname);
    return EXIT_FAILURE;
  }
  n = strtol(argv[2], &end, 10);
  if (*end != '\0' || n < 1 || n > MAX_RANKS) {
    fprintf(stderr, "%s: -n wants a number of processes from 1 to %d, got '%s'\n",
            host_progname, MAX_RANKS, argv[2]);
    return EXIT_FAILURE;
  }
  len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) exe[len] = '\0';
  else snprintf(exe, sizeof exe, "%s", argv[0]);
  snprintf(dir, sizeof dir, "%s/lunar-dist-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) {
    fprintf(stderr, "%s: -n: cannot make a directory for the rendezvous (%s): %s\n",
            host_progname, dir, strerror(errno));
    return EXIT_FAILURE;
  }
  snprintf(file, sizeof file, "%s/rendezvous", dir);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  setint("LUNAR_WORLD_SIZE", (int)n);
  setint("LUNAR_LOCAL_WORLD_SIZE", (int)n);
  setenv("LUNAR_DIST_FILE", file, 1);
  argv[2] = argv[0];            /* the children's argv: program, then the rest */
  for (i = 0; i < n; i++) {
    setint("LUNAR_RANK", i);
    setint("LUNAR_LOCAL_RANK", i);
    pid[i] = fork();
    if (pid[i] == 0) {
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      execv(exe, argv + 2);
      fprintf(stderr, "%s: -n: cannot start %s: %s\n", host_progname, exe, strerror(errno));
      _exit(127);
    }
    if (pid[i] < 0) {
      fprintf(stderr, "%s: -n: cannot start rank %d: %s\n", host_progname, i, strerror(errno));
      end_all(pid, i, SIGKILL);
      n = i;
      status = EXIT_FAILURE;
      break;
    }
  }
  alive = (int)n;
  while (alive > 0) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p > 0) {
      for (i = 0; i < n && pid[i] != p; i++) {}
      if (i == n) continue;
      pid[i] = 0;
      alive--;
      if ((WIFEXITED(st) && WEXITSTATUS(st) != 0) || WIFSIGNALED(st)) {
        if (first < 0) {
          first = i;
          status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
          if (alive > 0) {
            if (WIFEXITED(st))
              fprintf(stderr, "%s: rank %d exited with status %d; ending the other ranks\n",
                      host_progname, i, WEXITSTATUS(st));
            else
              fprintf(stderr, "%s: rank %d was killed by signal %d; ending the other ranks\n",
                      host_progname, i, WTERMSIG(st));
            end_all(pid, (int)n, SIGTERM);
            deadline = now_s() + grace;
          }
        }
      }
      continue;
    }
    if (p < 0 && errno != EINTR) break;
    if (got_signal && deadline == 0) {
      end_all(pid, (int)n, got_signal);
      deadline = now_s() + grace;
      if (status == 0) status = 128 + got_signal;
    }
    if (deadline > 0 && now_s() > deadline) {
      end_all(pid, (int)n, SIGKILL);
      deadline = now_s() + 3600;
    }
    {
      struct timespec t = {0, 5000000};
      nanosleep(&t, NULL);
    }
  }
  unlink(file);
  rmdir(dir);
  return status;
}
