/* SPDX-License-Identifier: MIT */
/*
** lunar: the stand-alone interpreter. It behaves like Lua 5.4's `lua`
** (same flags, same `arg` table, LUA_INIT, tracebacks, Ctrl-C), so tools
** written for `lua` -- busted among them -- run under it unchanged, and it
** opens lunar as the global `lunar` before any user code runs.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "lunar.h"
#include "host.h"

#define HOST_NAME "lunar"

/* lua.c's names, which Lua's public headers do not export */
#define INIT_VAR         "LUA_INIT"
#define INIT_VAR_VERSION "LUA_INIT_" LUA_VERSION_MAJOR "_" LUA_VERSION_MINOR
#define IGNORE_MARK      "-"   /* "-l a-b" stores module a-b in global a */

const char *host_progname = HOST_NAME;
volatile int host_sigint_pending = 0;

/* {===== Ctrl-C
** A signal handler may do almost nothing, but lua_sethook is safe to call
** from one: the hook then raises "interrupted!" at the next Lua instruction.
** While no Lua code runs (the REPL waiting for input) the handler only
** records the signal, and the REPL discards the line being typed.
*/
static lua_State *globalL = NULL;
static volatile sig_atomic_t lua_running = 0;
static int repl_mode = 0;   /* keep our handler between calls (REPL) */

static void set_sigint(void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;   /* no SA_RESTART: a blocking read must see EINTR */
  sigaction(SIGINT, &sa, NULL);
}

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

/*
** While Lua runs, a first Ctrl-C asks the hook to stop it; the handler then
** reverts to the default so that a second Ctrl-C kills a process stuck in C
** code (as lua.c does).
*/
static void on_sigint(int sig) {
  if (lua_running) {
    int mask = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    signal(sig, SIG_DFL);
    lua_sethook(globalL, lstop, mask, 1);
  } else {
    host_sigint_pending = 1;
  }
}

void host_sigint_idle(void) {
  repl_mode = 1;
  host_sigint_pending = 0;
  set_sigint(on_sigint);
}
/* }===== */

/* {===== messages */
void host_message(const char *pname, const char *msg) {
  if (pname) fprintf(stderr, "%s: ", pname);
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
}

int host_report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL) msg = "(error object is not a string)";
    host_message(host_progname, msg);
    lua_pop(L, 1);
  }
  return status;
}

/*
** The message handler of every protected call: add a traceback, and turn a
** non-string error object into text through its __tostring when it has one.
*/
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int host_docall(lua_State *L, int narg, int nres) {
  int status;
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  globalL = L;
  lua_running = 1;
  set_sigint(on_sigint);
  status = lua_pcall(L, narg, nres, base);
  lua_running = 0;
  /* a Ctrl-C that came too late to stop the chunk must not hit the next one */
  lua_sethook(L, NULL, 0, 0);
  if (repl_mode) set_sigint(on_sigint);
  else set_sigint(SIG_DFL);
  lua_remove(L, base);
  return status;
}

void host_workbench(lua_State *L, const char *event) {
  int top = lua_gettop(L);
  if (lua_getfield(L, LUA_REGISTRYINDEX, "lunar.lua") == LUA_TTABLE &&
      lua_getfield(L, -1, "workbench") == LUA_TFUNCTION) {
    lua_pushstring(L, event);
    (void)lua_pcall(L, 1, 0, 0);
  }
  lua_settop(L, top);
}

/* The banner names the device that arrays go to by default. */
void host_print_version(lua_State *L) {
  const char *dev = "unknown";
  int top = lua_gettop(L);
  if (lua_getglobal(L, "lunar") == LUA_TTABLE &&
      lua_getfield(L, -1, "get_device") == LUA_TFUNCTION &&
      lua_pcall(L, 0, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
    dev = lua_tostring(L, -1);
  printf("%s (%s) \xe2\x80\x94 device %s\n", LUNAR_VERSION, LUA_VERSION, dev);
  fflush(stdout);
  lua_settop(L, top);
}

static void print_usage(const char *badoption) {
  if (badoption[1] == 'e' || badoption[1] == 'l')
    fprintf(stderr, "%s: '%s' needs argument\n", host_progname, badoption);
  else
    fprintf(stderr, "%s: unrecognized option '%s'\n", host_progname, badoption);
  fprintf(stderr,
    "usage: %s [options] [script [args]]\n"
    "Available options are:\n"
    "  -e stat   execute string 'stat'\n"
    "  -i        enter interactive mode after executing 'script'\n"
    "  -l mod    require library 'mod' into global 'mod'\n"
    "  -l g=mod  require library 'mod' into global 'g'\n"
    "  -v        show version information\n"
    "  -E        ignore environment variables\n"
    "  -W        turn warnings on\n"
    "  -n N      (first) run the rest of the command line as N ranks (lunar.dist)\n"
    "  --        stop handling options\n"
    "  -         stop handling options and execute stdin\n",
    host_progname);
  fflush(stderr);
}
/* }===== */

/* {===== running chunks */
static int dochunk(lua_State *L, int status) {
  if (status == LUA_OK) status = host_docall(L, 0, 0);
  return host_report(L, status);
}

static int dofile(lua_State *L, const char *name) {
  return dochunk(L, luaL_loadfile(L, name));
}

static int dostring(lua_State *L, const char *s, const char *name) {
  return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

/*
** -l [g=]mod: require `mod` and store the result in global `g` (by default
** the module name up to a '-', Lua's "ignore mark").
*/
static int dolibrary(lua_State *L, const char *spec) {
  char glob[256];
  const char *eq = strchr(spec, '=');
  const char *mod = eq ? eq + 1 : spec;
  size_t glen = eq ? (size_t)(eq - spec) : strcspn(spec, IGNORE_MARK);
  int status;
  if (glen >= sizeof glob) glen = sizeof glob - 1;
  memcpy(glob, spec, glen);
  glob[glen] = '\0';
  lua_getglobal(L, "require");
  lua_pushstring(L, mod);
  status = host_docall(L, 1, 1);
  if (status == LUA_OK) lua_setglobal(L, glob);
  return host_report(L, status);
}

/* Push arg[1..n] of the global `arg` table; returns n. */
static int pushargs(lua_State *L) {
  int i, n;
  if (lua_getglobal(L, "arg") != LUA_TTABLE)
    luaL_error(L, "'arg' is not a table");
  n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  for (i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -i);
  return n;
}

static int handle_script(lua_State *L, char **argv) {
  const char *fname = argv[0];
  int status;
  /* "-" is stdin, unless it came after "--" (then it is a file named "-") */
  if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0) fname = NULL;
  status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    int n = pushargs(L);
    status = host_docall(L, n, LUA_MULTRET);
  }
  return host_report(L, status);
}

static int handle_luainit(lua_State *L) {
  const char *name = "=" INIT_VAR_VERSION;
  const char *init = getenv(name + 1);
  if (init == NULL) {
    name = "=" INIT_VAR;
    init = getenv(name + 1);
  }
  if (init == NULL) return LUA_OK;
  if (init[0] == '@') return dofile(L, init + 1);
  return dostring(L, init, name);
}
/* }===== */

/* {===== the command line */
enum { HAS_ERROR = 1, HAS_I = 2, HAS_V = 4, HAS_E = 8, HAS_BIGE = 16, HAS_W = 32 };

/*
** Scan the options. Sets *script to the index of the script name (0 when
** there is none) or, on a bad option, to the index of that option.
*/
static int collectargs(char **argv, int *script) {
  int flags = 0, i;
  *script = 0;
  for (i = 1; argv[i] != NULL; i++) {
    const char *a = argv[i];
    if (a[0] != '-') { *script = i; return flags; }
    switch (a[1]) {
      case '\0':                       /* "-": stdin as the script */
        *script = i;
        return flags;
      case '-':                        /* "--": the next one is the script */
        if (a[2] != '\0') { *script = i; return HAS_ERROR; }
        *script = argv[i + 1] ? i + 1 : 0;
        return flags;
      case 'E': case 'W': case 'i': case 'v':
        if (a[2] != '\0') { *script = i; return HAS_ERROR; }
        if (a[1] == 'E') flags |= HAS_BIGE;
        if (a[1] == 'i') flags |= HAS_I | HAS_V;
        if (a[1] == 'v') flags |= HAS_V;
        if (a[1] == 'W') flags |= HAS_W;
        break;
      case 'e': case 'l':
        if (a[1] == 'e') flags |= HAS_E;
        if (a[2] == '\0') {            /* the argument is the next word */
          if (argv[i + 1] == NULL || argv[i + 1][0] == '-') {
            *script = i;
            return HAS_ERROR;
          }
          i++;
        }
        break;
      default:
        *script = i;
        return HAS_ERROR;
    }
  }
  return flags;
}

/* -e and -l, in order. Returns 0 on an error. */
static int runargs(lua_State *L, char **argv, int n) {
  int i;
  for (i = 1; i < n; i++) {
    char opt = argv[i][1];
    if (argv[i][0] != '-') continue;
    if (opt == 'e' || opt == 'l') {
      const char *extra = argv[i][2] ? argv[i] + 2 : argv[++i];
      int status = (opt == 'e') ? dostring(L, extra, "=(command line)")
                                : dolibrary(L, extra);
      if (status != LUA_OK) return 0;
    }
  }
  return 1;
}

/*
** `arg`: the script name at 0, its arguments at 1..n, the interpreter and
** its options at negative indices. With no script, arg[0] is the program.
*/
static void createargtable(lua_State *L, char **argv, int argc, int script) {
  int i;
  lua_createtable(L, argc - script, script + 1);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

/* The global `help` (lunar.help), as Python's interpreter has one; a help
** the user's LUA_INIT defines later wins. */
static void set_help(lua_State *L) {
  if (lua_getglobal(L, "lunar") == LUA_TTABLE &&
      lua_getfield(L, -1, "help") == LUA_TFUNCTION)
    lua_setglobal(L, "help");
  else
    lua_pop(L, 1);
  lua_pop(L, 1);
}

static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  int script;
  int flags = collectargs(argv, &script);
  int optlim = script > 0 ? script : argc;
  luaL_checkversion(L);
  if (flags == HAS_ERROR) {
    print_usage(argv[script]);
    return 0;
  }
  if (flags & HAS_BIGE) {              /* tell package to ignore LUA_PATH */
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  }
  luaL_openlibs(L);
  if (lunar_openlibs(L) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "%s: cannot open lunar: %s\n", host_progname, msg ? msg : "?");
    return 0;
  }
  set_help(L);
  createargtable(L, argv, argc, script);
  lua_gc(L, LUA_GCRESTART);
  /* Incremental mode (Lua's default) is kept on purpose: device memory is
     reclaimed by finalizers, and the binding steps the collector itself. */
  if (flags & HAS_V) host_print_version(L);
  if (flags & HAS_W) lua_warning(L, "@on", 0);
  if (!(flags & HAS_BIGE) && handle_luainit(L) != LUA_OK) return 0;
  if (!runargs(L, argv, optlim)) return 0;
  if (script > 0 && handle_script(L, argv + script) != LUA_OK) return 0;
  if (flags & HAS_I) {
    host_repl(L);
  } else if (script == 0 && !(flags & (HAS_E | HAS_V))) {
    if (isatty(STDIN_FILENO)) {
      host_print_version(L);
      host_repl(L);
    } else if (dofile(L, NULL) != LUA_OK) {
      return 0;
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}
/* }===== */

/* A rank of several processes (mpirun, lunar -n) names itself in its
** messages: "lunar (rank 1): script.lua:3: ..." */
static void name_rank(void) {
  static char name[300];
  const char *r = getenv("LUNAR_RANK");
  if (r == NULL || *r == '\0') r = getenv("OMPI_COMM_WORLD_RANK");
  if (r == NULL || *r == '\0') r = getenv("PMIX_RANK");
  if (r == NULL || *r == '\0' || strlen(r) > 10) return;
  snprintf(name, sizeof name, "%s (rank %s)", host_progname, r);
  host_progname = name;
}

int main(int argc, char **argv) {
  int status, ok;
  lua_State *L;
  if (argv[0] && argv[0][0]) host_progname = argv[0];
  if (argc > 1 && strcmp(argv[1], "-n") == 0) return host_launch(argc, argv);
  name_rank();
  /* the CUDA context is made while Lua starts and reads the script */
  lunar_prestart();
  L = luaL_newstate();
  if (L == NULL) {
    host_message(host_progname, "cannot create state: not enough memory");
    return EXIT_FAILURE;
  }
  lua_gc(L, LUA_GCSTOP);   /* no collections while the libraries open */
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  status = lua_pcall(L, 2, 1, 0);
  ok = lua_toboolean(L, -1);
  host_report(L, status);
  host_workbench(L, "exit");   /* LUNAR_STATS: the summary */
  lua_close(L);
  lunar_prestart_end();
  return (ok && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
