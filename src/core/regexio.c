/* SPDX-License-Identifier: MIT */
/*
** lunar.fromregex: the matches of a regular expression in a text, their
** groups read as numbers (each as loadtxt reads a field). The expressions
** are the C library's POSIX extended ones (regex.h), compiled with
** REG_NEWLINE so that '.' and [^...] stop at a line's end and '^' and '$'
** match at every line, which is what Python's patterns mean line by line.
** Python's escapes that POSIX lacks (\d, \s, \w and their negations, \t,
** \n, \r, escaped punctuation inside brackets) are translated first;
** Python's extensions with no POSIX meaning ((?...) groups, lazy
** quantifiers) are errors rather than silently different patterns.
** Matching uses glibc's REG_STARTEND, so a NUL byte in the text is text.
*/
#define _GNU_SOURCE
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_textio.h"
#include "lu_hostmem.h"

typedef struct sbuf { char *p; size_t n, cap; int oom; } sbuf;

static void put(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = (b->cap ? b->cap * 2 : 64) + n;
    char *q = realloc(b->p, cap);
    if (q == NULL) { b->oom = 1; return; }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}
static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

/* A Python escape's POSIX text outside and inside brackets, or NULL. */
static const char *escape(char c, int inside) {
  switch (c) {
  case 'd': return inside ? "0-9" : "[0-9]";
  case 'D': return inside ? NULL : "[^0-9]";
  case 's': return inside ? "[:space:]" : "[[:space:]]";
  case 'S': return inside ? NULL : "[^[:space:]]";
  case 'w': return inside ? "[:alnum:]_" : "[[:alnum:]_]";
  case 'W': return inside ? NULL : "[^[:alnum:]_]";
  case 't': return "\t";
  case 'n': return "\n";
  case 'r': return "\r";
  case 'f': return "\f";
  case 'v': return "\v";
  default: return NULL;
  }
}

/* pattern in Python's syntax -> *out in POSIX ERE (malloc'd). */
static int translate(lu_ctx *ctx, const char *name, const char *pat, char **out) {
  sbuf b = {0};
  const char *p = pat;
  *out = NULL;
  while (*p) {
    if (*p == '(' && p[1] == '?') {
      free(b.p);
      return lu_seterr(ctx, LU_EARG,
                       "%s: '(?' at position %d: Python's extension groups are not POSIX regular expressions",
                       name, (int)(p - pat) + 1);
    }
    if ((*p == '*' || *p == '+' || *p == '?' || *p == '}') && p[1] == '?' && p > pat) {
      free(b.p);
      return lu_seterr(ctx, LU_EARG,
                       "%s: '%c?' at position %d: lazy quantifiers are not POSIX regular expressions",
                       name, *p, (int)(p - pat) + 1);
    }
    if (*p == '\\' && p[1]) {
      const char *t = escape(p[1], 0);
      if (t) puts_(&b, t);
      else put(&b, p, 2);
      p += 2;
    } else if (*p == '[') {
      /* a bracket expression: its first ']' (after an optional '^') is a
      ** member, [:class:] is copied whole, \X is translated or X */
      put(&b, p++, 1);
      if (*p == '^') put(&b, p++, 1);
      if (*p == ']') put(&b, p++, 1);
      while (*p && *p != ']') {
        if (*p == '[' && p[1] == ':') {
          const char *e = strstr(p + 2, ":]");
          size_t n = e ? (size_t)(e + 2 - p) : strlen(p);
          put(&b, p, n);
          p += n;
        } else if (*p == '\\' && p[1]) {
          const char *t = escape(p[1], 1);
          if (t) puts_(&b, t);
          else if (escape(p[1], 0)) {
            free(b.p);
            return lu_seterr(ctx, LU_EARG, "%s: '\\%c' inside brackets has no POSIX equivalent", name, p[1]);
          } else put(&b, p + 1, 1);
          p += 2;
        } else {
          put(&b, p++, 1);
        }
      }
      if (*p) put(&b, p++, 1);
    } else {
      put(&b, p++, 1);
    }
  }
  if (b.p == NULL) put(&b, "", 0);
  if (b.oom) {
    free(b.p);
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  }
  *out = b.p;
  return LU_OK;
}

/* The spans (start, end) of every field of every match, grown as found. */
typedef struct spans { regoff_t *p; size_t n, cap; } spans;

static int add_span(spans *s, regoff_t a, regoff_t e) {
  if (s->n + 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    regoff_t *q = realloc(s->p, cap * sizeof *q);
    if (q == NULL) return 0;
    s->p = q;
    s->cap = cap;
  }
  s->p[s->n++] = a;
  s->p[s->n++] = e;
  return 1;
}

int lu_fromregex(lu_ctx *ctx, lu_array *outs, const char *name, const char *text, size_t len,
                 const char *pattern, const lu_dtype *dts, int ndt, int per_group,
                 lu_device dev, int *nout) {
  regex_t re;
  regmatch_t m[LU_REGEX_MAXGROUPS + 1];
  spans sp = {0};
  char *posix, msg[256];
  int rc, st = LU_OK, nf, f, i;
  size_t pos = 0, nmatch;
  *nout = 0;
  if ((st = translate(ctx, name, pattern, &posix)) != LU_OK) return st;
  rc = regcomp(&re, posix, REG_EXTENDED | REG_NEWLINE);
  free(posix);
  if (rc != 0) {
    regerror(rc, &re, msg, sizeof msg);
    return lu_seterr(ctx, LU_EARG, "%s: bad regular expression '%s': %s", name, pattern, msg);
  }
  if (re.re_nsub > LU_REGEX_MAXGROUPS) {
    int ng = (int)re.re_nsub;
    regfree(&re);
    return lu_seterr(ctx, LU_EARG, "%s: the expression has %d groups (at most %d)", name, ng,
                     LU_REGEX_MAXGROUPS);
  }
  /* no group: the whole match is the one field */
  nf = re.re_nsub == 0 ? 1 : (int)re.re_nsub;
  if (per_group && ndt != nf) {
    regfree(&re);
    return lu_seterr(ctx, LU_EARG, "%s: dtype lists %d dtype%s for the expression's %d group%s",
                     name, ndt, ndt == 1 ? "" : "s", nf, nf == 1 ? "" : "s");
  }
  while (pos <= len) {
    m[0].rm_so = (regoff_t)pos;
    m[0].rm_eo = (regoff_t)len;
    if (regexec(&re, text, (size_t)re.re_nsub + 1, m, REG_STARTEND) != 0) break;
    for (f = 0; f < nf; f++) {
      int g = re.re_nsub == 0 ? 0 : f + 1;
      if (!add_span(&sp, m[g].rm_so, m[g].rm_eo)) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); break; }
    }
    if (st != LU_OK) break;
    /* after an empty match the next search starts one byte on (Python's
    ** findall) */
    pos = m[0].rm_eo > m[0].rm_so ? (size_t)m[0].rm_eo : (size_t)m[0].rm_eo + 1;
  }
  regfree(&re);
  nmatch = sp.n / 2 / (size_t)nf;
  for (i = 0; st == LU_OK && i < (per_group ? nf : 1); i++) {
    lu_dtype dt = dts[per_group ? i : 0];
    int item = lu_dtype_size(dt), f0 = per_group ? i : 0, f1 = per_group ? i + 1 : nf;
    int64_t shape[2] = {(int64_t)nmatch, (int64_t)(f1 - f0)};
    size_t k, cells = nmatch * (size_t)(f1 - f0);
    char *host = lu_malloc(cells * (size_t)item + 1), *dst = host;
    if (host == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); break; }
    for (k = 0; k < nmatch && st == LU_OK; k++)
      for (f = f0; f < f1; f++, dst += item) {
        regoff_t a = sp.p[2 * (k * (size_t)nf + (size_t)f)], e = sp.p[2 * (k * (size_t)nf + (size_t)f) + 1];
        if (a < 0) {
          st = lu_seterr(ctx, LU_EARG, "%s: match %lld: group %d took no part in the match", name,
                         (long long)k + 1, f + 1);
          break;
        }
        if (!lu_text_convert(text + a, text + e, dt, dst)) {
          st = lu_seterr(ctx, LU_EARG, "%s: could not convert string '%.*s' to %s (match %lld, group %d)",
                         name, (int)(e - a > 60 ? 60 : e - a), text + a, lu_dtype_name(dt),
                         (long long)k + 1, f + 1);
          break;
        }
      }
    if (st == LU_OK)
      st = lu_from_host(ctx, &outs[i], dt, (nf == 1 || per_group) ? 1 : 2, shape, dev, host);
    free(host);
    if (st == LU_OK) (*nout)++;
  }
  free(sp.p);
  if (st != LU_OK)
    for (i = 0; i < *nout; i++) lu_array_release(&outs[i]);
  if (st != LU_OK) *nout = 0;
  return st;
}
