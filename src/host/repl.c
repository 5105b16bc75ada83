/* SPDX-License-Identifier: MIT */
/*
** The read-eval-print loop. On a terminal it reads with GNU readline (line
** editing, history in ~/.lunar_history, tab completion); otherwise it reads
** stdin line by line as lua.c does. Each line is first tried as
** `return <line>` so that expressions print their values; a syntax error at
** <eof> asks for another line (prompt ">> ").
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "lua.h"
#include "lauxlib.h"
#include "host.h"

#define HISTORY_FILE  ".lunar_history"
#define HISTORY_LIMIT 1000
#define EOF_MARK      "<eof>"

/* what reading a line can end in, besides a line */
enum { READ_LINE, READ_EOF, READ_INTERRUPTED };

static int use_readline = 0;
static char history_path[4096];

/* {===== history */
static void history_open(void) {
  const char *home = getenv("HOME");
  int fd;
  using_history();
  stifle_history(HISTORY_LIMIT);
  history_path[0] = '\0';
  if (home == NULL || *home == '\0') return;
  if ((size_t)snprintf(history_path, sizeof history_path, "%s/%s", home,
                       HISTORY_FILE) >= sizeof history_path) {
    history_path[0] = '\0';
    return;
  }
  /* append_history() does not create the file, so make sure it exists */
  fd = open(history_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) { history_path[0] = '\0'; return; }
  close(fd);
  history_truncate_file(history_path, HISTORY_LIMIT);
  read_history(history_path);
}

/* Every line typed is kept, on disk at once, so a crash loses nothing. */
static void history_add(const char *line) {
  HIST_ENTRY *last;
  if (line[strspn(line, " \t")] == '\0') return;
  last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
  if (last && strcmp(last->line, line) == 0) return;
  add_history(line);
  if (history_path[0]) append_history(1, history_path);
}
/* }===== */

/* {===== reading a line */
static char *cb_line;
static int cb_done;

/* readline's callback: take the line and stop readline from prompting again */
static void on_line(char *line) {
  cb_line = line;
  cb_done = 1;
  rl_callback_handler_remove();
}

/*
** Readline through its callback interface, so that Ctrl-C is ours to
** handle: SIGINT stays blocked except inside pselect(), where it only sets
** host_sigint_pending; we then drop the line and report READ_INTERRUPTED.
*/
static int tty_readline(const char *prompt, char **out) {
  sigset_t block, old;
  int fd = fileno(rl_instream ? rl_instream : stdin);
  int result = READ_LINE;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &old);
  cb_line = NULL;
  cb_done = 0;
  host_sigint_pending = 0;
  rl_callback_handler_install(prompt, on_line);
  while (!cb_done) {
    fd_set fds;
    int r;
    if (host_sigint_pending) {
      host_sigint_pending = 0;
      /* show "^C" after the abandoned text, then leave the line; removing
         the handler ends bracketed paste with a "\r", so it comes last */
      rl_callback_sigcleanup();
      rl_point = rl_end;
      rl_redisplay();
      fputs("^C\n", rl_outstream ? rl_outstream : stdout);
      fflush(rl_outstream ? rl_outstream : stdout);
      rl_replace_line("", 0);
      rl_callback_handler_remove();
      result = READ_INTERRUPTED;
      break;
    }
    FD_ZERO(&fds);
    FD_SET(fd, &fds);
    r = pselect(fd + 1, &fds, NULL, NULL, NULL, &old);
    if (r < 0) {
      if (errno == EINTR) continue;
      rl_callback_handler_remove();
      result = READ_EOF;
      break;
    }
    rl_callback_read_char();
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (result == READ_LINE && cb_line == NULL) result = READ_EOF;
  *out = result == READ_LINE ? cb_line : NULL;
  if (result == READ_LINE) history_add(cb_line);
  return result;
}

/* Without a terminal: print the prompt and read stdin, as lua.c does. */
static int plain_readline(const char *prompt, char **out) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  fputs(prompt, stdout);
  fflush(stdout);
  n = getline(&line, &cap, stdin);
  if (n < 0) {
    free(line);
    *out = NULL;
    if (ferror(stdin) && host_sigint_pending) {
      clearerr(stdin);
      host_sigint_pending = 0;
      fputc('\n', stdout);
      return READ_INTERRUPTED;
    }
    return READ_EOF;
  }
  if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
  *out = line;
  return READ_LINE;
}

/* readline's buffer lives in a box whose __gc frees it, so that nothing
** leaks when pushing the line (or evaluating _PROMPT) raises an error. */
typedef struct linebox {
  char *line;
  unsigned magic;     /* LINE_MAGIC: the size and this number tell the box from
                         another userdata given its metatable (debug library) */
} linebox;
#define LINE_MAGIC 0x6c756c6eu

static int linebox_gc(lua_State *L) {
  linebox *b = (linebox *)luaL_testudata(L, 1, "lunar.host.line");
  if (b == NULL || lua_rawlen(L, 1) != sizeof(linebox) || b->magic != LINE_MAGIC) return 0;
  free(b->line);
  b->line = NULL;
  return 0;
}

/*
** Read a line and push it as a Lua string (READ_LINE); push nothing on
** READ_EOF or READ_INTERRUPTED. The prompt: _PROMPT / _PROMPT2 when the user
** set them, as in lua.c.
*/
static int read_line(lua_State *L, int first) {
  const char *prompt;
  int r, t, base = lua_gettop(L) + 1;
  linebox *lb = (linebox *)lua_newuserdatauv(L, sizeof(linebox), 0);
  char **box = &lb->line;
  lb->line = NULL;
  lb->magic = LINE_MAGIC;
  if (luaL_newmetatable(L, "lunar.host.line")) {
    lua_pushcfunction(L, linebox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  t = lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2");
  if (t == LUA_TNIL) prompt = first ? "> " : ">> ";
  else prompt = luaL_tolstring(L, -1, NULL);
  r = use_readline ? tty_readline(prompt, box) : plain_readline(prompt, box);
  lua_settop(L, base);                 /* the box */
  if (r == READ_LINE) {
    lua_pushstring(L, *box);
    free(*box);
    *box = NULL;
  }
  lua_remove(L, base);
  return r;
}
/* }===== */

/* {===== compiling what was typed */
static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    size_t ml = sizeof(EOF_MARK) - 1;
    if (len >= ml && strcmp(msg + len - ml, EOF_MARK) == 0) return 1;
  }
  return 0;
}

/*
** Read and compile one chunk. Returns READ_EOF, READ_INTERRUPTED, or a Lua
** status with the compiled function (LUA_OK) or the error message on top.
*/
static int read_chunk(lua_State *L) {
  int status, r = read_line(L, 1);
  if (r != READ_LINE) return -r;
  /* an expression? then its values print */
  lua_pushfstring(L, "return %s;", lua_tostring(L, -1));
  status = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), "=stdin");
  if (status == LUA_OK) {
    lua_remove(L, -2);                 /* the "return" text */
    lua_remove(L, -2);                 /* the line */
    return LUA_OK;
  }
  lua_pop(L, 2);                       /* the message and the "return" text */
  for (;;) {   /* a statement, perhaps spread over several lines */
    size_t len;
    const char *code = lua_tolstring(L, -1, &len);
    status = luaL_loadbuffer(L, code, len, "=stdin");
    if (!incomplete(L, status)) break;
    r = read_line(L, 0);
    if (r == READ_INTERRUPTED) { lua_pop(L, 2); return -READ_INTERRUPTED; }
    if (r == READ_EOF) break;          /* report the syntax error */
    lua_remove(L, -2);                 /* the error message */
    lua_pushliteral(L, "\n");
    lua_insert(L, -2);
    lua_concat(L, 3);
  }
  lua_remove(L, -2);                   /* the source text */
  return status;
}
/* }===== */

/* Print whatever is on the stack with the global `print`. */
static void print_results(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 0) return;
  luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
  lua_getglobal(L, "print");
  lua_insert(L, 1);
  if (host_docall(L, n, 0) != LUA_OK)
    host_message(host_progname, lua_pushfstring(L, "error calling 'print' (%s)",
                                                lua_tostring(L, -1)));
}

void host_repl(lua_State *L) {
  const char *saved = host_progname;
  host_progname = NULL;              /* no program name on REPL errors */
  host_sigint_idle();
  use_readline = isatty(STDIN_FILENO);
  if (use_readline) {
    rl_readline_name = "lunar";
    rl_catch_signals = 0;            /* SIGINT is handled in tty_readline */
    history_open();
    host_completion_init(L);
  }
  for (;;) {
    int status;
    lua_settop(L, 0);
    status = read_chunk(L);
    if (status == -READ_EOF) break;
    if (status == -READ_INTERRUPTED) continue;
    if (status == LUA_OK) {
      host_workbench(L, "begin");
      status = host_docall(L, 0, LUA_MULTRET);
      if (status == LUA_OK) print_results(L);   /* printing is part of the command */
      host_workbench(L, "end");
    }
    if (status != LUA_OK) host_report(L, status);
  }
  lua_settop(L, 0);
  fputc('\n', stdout);
  fflush(stdout);
  host_progname = saved;
}
