/* SPDX-License-Identifier: MIT */
/*
** The lunar executable's internal interface: the script runner (main.c),
** the REPL (repl.c) and tab completion (complete.c) share these.
*/
#ifndef lunar_host_h
#define lunar_host_h

#include "lua.h"

/* the program name used in messages ("lunar"), NULL in the REPL */
extern const char *host_progname;

/* print `msg` on stderr, prefixed with the program name when there is one */
void host_message(const char *pname, const char *msg);

/* report a non-OK status: print the error object on top of the stack, pop it */
int host_report(lua_State *L, int status);

/*
** Call the function below `narg` arguments on the stack, in protected mode
** with a traceback handler, with Ctrl-C turned into an "interrupted!" error.
*/
int host_docall(lua_State *L, int narg, int nres);
/* The workbench's hook (lua/workbench.lua, lunar.stats): event "begin" and
** "end" around each REPL command, "exit" before the state closes. Keeps
** the stack as it is; errors in the hook are ignored. */
void host_workbench(lua_State *L, const char *event);

/* the banner: "lunar 0.1.0 (Lua 5.4) — device cuda:0" */
void host_print_version(lua_State *L);

/*
** Ctrl-C while the REPL waits for input: set by the SIGINT handler when no
** Lua code runs; the REPL clears it after discarding the pending input.
*/
extern volatile int host_sigint_pending;

/* install the SIGINT handler used while waiting for input */
void host_sigint_idle(void);

/* the read-eval-print loop; returns when input ends */
void host_repl(lua_State *L);

/* `lunar -n N script [args]`: start N ranks of the script (launch.c);
** returns the exit status */
int host_launch(int argc, char **argv);

/* readline completion bound to state L (complete.c) */
void host_completion_init(lua_State *L);

#endif
