/* SPDX-License-Identifier: MIT */
/*
** Tab completion for the REPL: globals and keywords, table fields after
** `expr.`, methods after `expr:`. The expression before the last `.` or `:`
** must be a chain of names (`lunar.random`, `a`); it is looked up, never
** evaluated as code, so completing has no side effects beyond __index.
** Methods of userdata (lunar arrays) come from the metatable: its __index
** table, a `methods`/`__methods` table, or, when __index is a function, the
** metatable's own function fields and the tables among its upvalues;
** after `.`, also the names listed in the metatable's `__properties`.
*/
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "lua.h"
#include "lauxlib.h"
#include "host.h"

#define MAX_DEPTH 6   /* __index chains followed at most this deep */

static lua_State *comp_L;
static char **cands;          /* the candidates of the current completion */
static int ncands;
static size_t shown_from;     /* display only what follows the last . or : */

static const char *const keywords[] = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
  "true", "until", "while", NULL
};

static int is_name(const char *s, size_t len) {
  size_t i;
  if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
  for (i = 1; i < len; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
  return 1;
}

/* {===== gathering candidates (runs under lua_pcall) */

/* add prefix..key to the result table at `out` when key starts with partial */
static void add(lua_State *L, int out, const char *prefix, const char *key,
                const char *partial) {
  if (strncmp(key, partial, strlen(partial)) != 0) return;
  lua_pushfstring(L, "%s%s", prefix, key);
  lua_pushboolean(L, 1);
  lua_rawset(L, out);
}

/*
** Add the keys of the table at `t`. With `methods_only`, only keys that hold
** functions; with `no_meta`, skip names like __index that are not methods.
*/
static void add_keys(lua_State *L, int t, int out, const char *prefix,
                     const char *partial, int methods_only, int no_meta) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    size_t len;
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *k = lua_tolstring(L, -2, &len);
      int keep = is_name(k, len) && !(no_meta && k[0] == '_' && k[1] == '_');
      if (methods_only && lua_type(L, -1) != LUA_TFUNCTION) keep = 0;
      if (keep) add(L, out, prefix, k, partial);
    }
    lua_pop(L, 1);
  }
}

/* Fields reachable from the value at `v`: its own, then its metatable's. */
static void add_fields(lua_State *L, int v, int out, const char *prefix,
                       const char *partial, int methods_only, int depth) {
  v = lua_absindex(L, v);
  if (lua_type(L, v) == LUA_TTABLE)
    add_keys(L, v, out, prefix, partial, methods_only, 0);
  if (depth >= MAX_DEPTH || !lua_getmetatable(L, v)) return;
  if (lua_getfield(L, -1, "__index") == LUA_TTABLE) {
    add_fields(L, -1, out, prefix, partial, methods_only, depth + 1);
  } else if (lua_type(L, -1) == LUA_TFUNCTION && lua_type(L, v) == LUA_TUSERDATA) {
    /* a C __index: methods are the metatable's functions or sit in a table
       the function keeps as an upvalue (where lunar's binding keeps them) */
    int i;
    add_keys(L, -2, out, prefix, partial, 1, 1);
    for (i = 1; lua_getupvalue(L, -1, i) != NULL; i++) {
      if (lua_type(L, -1) == LUA_TTABLE)
        add_keys(L, -1, out, prefix, partial, 1, 1);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  if (lua_getfield(L, -1, "methods") == LUA_TTABLE)
    add_keys(L, -1, out, prefix, partial, methods_only, 1);
  lua_pop(L, 1);
  if (lua_getfield(L, -1, "__methods") == LUA_TTABLE)
    add_keys(L, -1, out, prefix, partial, methods_only, 1);
  lua_pop(L, 1);
  /* property names (a list of strings) complete after `.` only */
  if (lua_getfield(L, -1, "__properties") == LUA_TTABLE && !methods_only) {
    lua_Integer i, n = luaL_len(L, -1);
    for (i = 1; i <= n; i++) {
      size_t len;
      const char *k;
      if (lua_rawgeti(L, -1, i) == LUA_TSTRING && is_name(k = lua_tolstring(L, -1, &len), len))
        add(L, out, prefix, k, partial);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 2);
}

/*
** gather(text) -> set of candidate strings (as table keys), plus the length
** of the part of `text` before the completed name.
*/
static int gather(lua_State *L) {
  const char *text = luaL_checkstring(L, 1);
  const char *dot = strrchr(text, '.'), *colon = strrchr(text, ':');
  const char *sep = (dot > colon) ? dot : colon;
  int out;
  lua_newtable(L);
  out = lua_gettop(L);
  if (sep == NULL) {                 /* a global name or a keyword */
    int i;
    lua_pushglobaltable(L);
    add_fields(L, -1, out, "", text, 0, 0);
    lua_pop(L, 1);
    for (i = 0; keywords[i]; i++) add(L, out, "", keywords[i], text);
    lua_pushinteger(L, 0);
    return 2;
  }
  /* walk the chain of names before the separator */
  lua_pushglobaltable(L);
  {
    const char *p = text;
    while (p < sep) {
      size_t n = strcspn(p, ".:");
      if (p + n > sep) n = (size_t)(sep - p);
      if (!is_name(p, n) || (p[n] == ':' && p + n != sep)) return 0;
      if (lua_type(L, -1) != LUA_TTABLE && lua_type(L, -1) != LUA_TUSERDATA)
        return 0;
      lua_pushlstring(L, p, n);
      lua_gettable(L, -2);
      lua_remove(L, -2);
      p += n + 1;
    }
  }
  if (lua_type(L, -1) != LUA_TTABLE && lua_type(L, -1) != LUA_TUSERDATA &&
      lua_type(L, -1) != LUA_TSTRING)
    return 0;
  lua_pushlstring(L, text, (size_t)(sep - text) + 1);
  add_fields(L, -2, out, lua_tostring(L, -1), sep + 1, *sep == ':', 0);
  lua_pop(L, 2);
  lua_pushinteger(L, (lua_Integer)(sep - text) + 1);
  return 2;
}
/* }===== */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void clear_cands(void) {
  int i;
  for (i = 0; i < ncands; i++) free(cands[i]);
  free(cands);
  cands = NULL;
  ncands = 0;
}

/* Collect the sorted candidates for `text` into `cands`. */
static void collect(const char *text) {
  lua_State *L = comp_L;
  int top = lua_gettop(L), n = 0;
  clear_cands();
  shown_from = 0;
  lua_pushcfunction(L, gather);
  lua_pushstring(L, text);
  if (lua_pcall(L, 1, 2, 0) != LUA_OK || !lua_istable(L, -2)) {
    lua_settop(L, top);
    return;
  }
  shown_from = (size_t)lua_tointeger(L, -1);
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, -2)) n++, lua_pop(L, 1);
  cands = calloc((size_t)n + 1, sizeof *cands);
  if (cands == NULL) { lua_settop(L, top); return; }
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    const char *s = lua_tostring(L, -2);
    char *copy = s ? strdup(s) : NULL;
    if (copy) cands[ncands++] = copy;
    lua_pop(L, 1);
  }
  qsort(cands, (size_t)ncands, sizeof *cands, cmp_str);
  lua_settop(L, top);
}

static char *generator(const char *text, int state) {
  static int next;
  (void)text;
  if (state == 0) next = 0;
  if (next < ncands) return strdup(cands[next++]);
  return NULL;
}

static char **attempt(const char *text, int start, int end) {
  (void)start; (void)end;
  rl_attempted_completion_over = 1;   /* never fall back to file names */
  rl_completion_append_character = '\0';
  collect(text);
  if (ncands == 0) return NULL;
  return rl_completion_matches(text, generator);
}

/* List `sum  sub` rather than `a:sum  a:sub`. */
static void display(char **matches, int num, int max_length) {
  char **shown = malloc(((size_t)num + 2) * sizeof *shown);
  int i;
  if (shown == NULL) return;
  for (i = 0; i <= num; i++) {
    size_t len = strlen(matches[i]);
    shown[i] = matches[i] + (shown_from <= len ? shown_from : len);
  }
  shown[num + 1] = NULL;
  rl_display_match_list(shown, num, max_length - (int)shown_from);
  rl_forced_update_display();
  free(shown);
}

void host_completion_init(lua_State *L) {
  static char breaks[] = " \t\n\"\\'`@$><=;|&{}()[],+-*/%^#~";
  comp_L = L;
  rl_attempted_completion_function = attempt;
  rl_completion_display_matches_hook = display;
  rl_completer_word_break_characters = breaks;
}
