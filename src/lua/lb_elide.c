/* SPDX-License-Identifier: MIT */
/*
** Temporary elision for operator chains (doc/design-notes.md, "Temporary
** elision"): in `a * b + c` the sum may be written into the product's
** buffer, because nothing but the expression can see the product.
**
** NumPy knows this from a reference count of 1. Lua has none, so the
** binding proves it another way. An operator metamethod that the VM
** called (lua_getinfo's namewhat "metamethod") and that made a big array
** offers it as a candidate: it sets a count hook that fires at every
** instruction fetch. The candidate may be overwritten by the next operator
** metamethod when that one
**   - gets it as an operand after exactly the fetches of one operator
**     instruction: two for a binary operator (the arithmetic opcode, whose
**     fast path fails, then its OP_MMBIN, which is entered only by falling
**     through from it) or one for a unary one (OP_UNM, OP_BNOT);
**   - was itself called by the VM as a metamethod; and
**   - finds the candidate in no named local of the calling frame (lua_
**     getlocal: `local t = a * b` puts the product straight into t's
**     register, and the next statement's `t + c` also sees two fetches).
** Between the candidate's making and its use nothing ran but that one
** operator instruction, so no store (table, upvalue, global, argument)
** can have copied it: the only references are the VM's temporary
** registers, which the code generator reads once. The count hook is set
** only where no hook is (a debugger, a profiler, the REPL's interrupt
** keep theirs and get no elision) and is removed at the third fetch or at
** the next operator, whichever comes first. Debug hooks do not run inside
** finalizers, and a finalizer cannot reach the candidate.
**
** What can still see the candidate is the debug library (debug.getlocal
** on another frame's temporaries, from a finalizer or a hook of another
** thread): outside what a program may rely on, as in NumPy's rule.
*/
#include <string.h>
#include "lb.h"

/* NumPy's NPY_MIN_ELIDE_BYTES: below it the hook costs more than the
** allocation it saves. */
#define ELIDE_MIN ((size_t)256 << 10)

/* One candidate per OS thread (a count hook fires in its own lua_State). */
static _Thread_local struct {
  lua_State *L;
  const void *ud;     /* the candidate's userdata */
  int fetches;        /* instructions fetched in L since it was offered */
} el;

static void el_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  if (el.L != L || ++el.fetches > 2) {
    lua_sethook(L, NULL, 0, 0);
    el.L = NULL;
    el.ud = NULL;
  }
}

static void el_clear(lua_State *L) {
  if (el.L == L && lua_gethook(L) == el_hook) lua_sethook(L, NULL, 0, 0);
  el.L = NULL;
  el.ud = NULL;
}

static int called_as_metamethod(lua_State *L) {
  lua_Debug ar;
  return lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat != NULL &&
         strcmp(ar.namewhat, "metamethod") == 0;
}

/* Whether the value at idx is in a named local of the calling frame
** (anything but "(temporary)" registers, for-loop state included). */
static int in_named_local(lua_State *L, int idx) {
  lua_Debug ar;
  const void *ud = lua_touserdata(L, idx);
  const char *name;
  int n;
  if (!lua_getstack(L, 1, &ar)) return 1;
  for (n = 1; (name = lua_getlocal(L, &ar, n)) != NULL; n++) {
    int same = lua_touserdata(L, -1) == ud;
    lua_pop(L, 1);
    if (same && strcmp(name, "(temporary)") != 0 && strcmp(name, "(C temporary)") != 0) return 1;
  }
  return 0;
}

int lb_elide_take(lua_State *L, int nin) {
  int k = 0, i;
  if (el.ud == NULL) return 0;
  if (el.L == L && el.fetches == nin)
    for (i = 1; i <= nin && k == 0; i++)
      if (lua_touserdata(L, i) == el.ud) k = i;
  el_clear(L);
  if (k == 0 || !called_as_metamethod(L) || in_named_local(L, k)) return 0;
  return k;
}

void lb_elide_offer(lua_State *L, int idx, const lu_array *a) {
  if (a->buf == NULL || a->buf->nbytes < ELIDE_MIN || lua_gethook(L) != NULL ||
      !called_as_metamethod(L))
    return;
  el.L = L;
  el.ud = lua_touserdata(L, idx);
  el.fetches = 0;
  lua_sethook(L, el_hook, LUA_MASKCOUNT, 1);
}
