/* SPDX-License-Identifier: MIT */
/*
** CuPy's RawModule and RawKernel: the user's own CUDA source, compiled by
** NVRTC with the user's options and launched with the user's grid and
** block. What lunar adds is checking: the kernel's parameter list is read
** from the source (after comments are blanked), so that each argument is
** checked against its parameter before anything reaches the GPU: an array
** for a pointer (its dtype against the pointee's type where the type is a
** known scalar), a Lua number for a scalar (converted to the parameter's
** type, an integer checked to fit). A kernel whose parameters cannot be
** read (a macro, a template) is an error that says how to declare it.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_ukernel.h"
#include "lu_hostmem.h"
#include "lu_stream.h"
#include "lu_lazy.h"

struct lu_rawmodule {
  char *code;       /* as given */
  uint64_t hash;    /* FNV-1a of code */
  char *plain;      /* the same with comments and string literals blanked */
  int nopts;
  char **opts;
};

void lu_rawmodule_free(lu_rawmodule *m) {
  int i;
  if (m == NULL) return;
  for (i = 0; i < m->nopts; i++) free(m->opts[i]);
  free(m->opts);
  free(m->code);
  free(m->plain);
  free(m);
}

static char *dupn(const char *s, size_t n) {
  char *d = (char *)lu_malloc(n + 1);
  if (d) { memcpy(d, s, n); d[n] = 0; }
  return d;
}

int lu_rawmodule_new(lu_ctx *ctx, lu_rawmodule **out, const char *code, int nopts,
                     const char *const *opts) {
  lu_rawmodule *m = (lu_rawmodule *)lu_calloc(1, sizeof *m);
  int i;
  *out = NULL;
  if (m == NULL) return lu_seterr(ctx, LU_EMEM, "out of memory");
  if (nopts > LU_RAW_MAXOPTS) {
    lu_rawmodule_free(m);
    return lu_seterr(ctx, LU_EARG, "RawModule: at most %d options, got %d", LU_RAW_MAXOPTS, nopts);
  }
  m->code = dupn(code, strlen(code));
  m->plain = dupn(code, strlen(code));
  m->opts = (char **)lu_calloc((size_t)(nopts ? nopts : 1), sizeof *m->opts);
  if (!m->code || !m->plain || !m->opts) { lu_rawmodule_free(m); return lu_seterr(ctx, LU_EMEM, "out of memory"); }
  for (i = 0; i < nopts; i++) {
    if ((m->opts[i] = dupn(opts[i], strlen(opts[i]))) == NULL) {
      lu_rawmodule_free(m);
      return lu_seterr(ctx, LU_EMEM, "out of memory");
    }
    m->nopts = i + 1;
  }
  lu_src_blank(m->plain);
  m->hash = lu_text_hash(m->code);
  *out = m;
  return LU_OK;
}

/* {====================================================== signatures */
/* The dtype of a C scalar type as written (qualifiers already dropped),
** or -1 */
static int ctype_dtype(const char *t) {
  static const struct { const char *name; int dt; } T[] = {
    {"float", LU_FLOAT32}, {"double", LU_FLOAT64}, {"bool", LU_BOOL},
    {"__half", LU_FLOAT16}, {"half", LU_FLOAT16}, {"__nv_bfloat16", LU_BFLOAT16},
    {"char", LU_INT8}, {"signed char", LU_INT8}, {"int8_t", LU_INT8},
    {"unsigned char", LU_UINT8}, {"uint8_t", LU_UINT8},
    {"short", LU_INT16}, {"short int", LU_INT16}, {"signed short", LU_INT16}, {"int16_t", LU_INT16},
    {"unsigned short", LU_UINT16}, {"unsigned short int", LU_UINT16}, {"uint16_t", LU_UINT16},
    {"int", LU_INT32}, {"signed", LU_INT32}, {"signed int", LU_INT32}, {"int32_t", LU_INT32},
    {"unsigned", LU_UINT32}, {"unsigned int", LU_UINT32}, {"uint32_t", LU_UINT32},
    {"long", LU_INT64}, {"long int", LU_INT64}, {"long long", LU_INT64},
    {"long long int", LU_INT64}, {"signed long long", LU_INT64}, {"int64_t", LU_INT64},
    {"ptrdiff_t", LU_INT64}, {"ssize_t", LU_INT64},
    {"unsigned long", LU_UINT64}, {"unsigned long long", LU_UINT64},
    {"unsigned long long int", LU_UINT64}, {"uint64_t", LU_UINT64}, {"size_t", LU_UINT64},
    {"complex<float>", LU_COMPLEX64}, {"complex<double>", LU_COMPLEX128},
    {"cuFloatComplex", LU_COMPLEX64}, {"cuDoubleComplex", LU_COMPLEX128},
  };
  size_t i;
  for (i = 0; i < sizeof T / sizeof T[0]; i++)
    if (strcmp(T[i].name, t) == 0) return T[i].dt;
  return -1;
}

/* One parameter's text (a, a+n) -> p. Returns 0 when it has no name. */
static int read_param(const char *a, size_t n, lu_raw_param *p) {
  char buf[256], *tok, *save = NULL, words[8][64];
  int nw = 0, i, ptr = 0;
  size_t k;
  memset(p, 0, sizeof *p);
  if (n >= sizeof buf) n = sizeof buf - 1;
  for (k = 0; k < n; k++) {
    char c = a[k];
    if (c == '*' || c == '&') { ptr += c == '*'; c = ' '; }
    if (c == '[') { ptr++; c = ' '; }     /* T x[] */
    if (c == ']') c = ' ';
    buf[k] = isspace((unsigned char)c) ? ' ' : c;
  }
  buf[n] = 0;
  for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    if (!strcmp(tok, "const") || !strcmp(tok, "volatile") || !strcmp(tok, "__restrict__") ||
        !strcmp(tok, "restrict") || !strcmp(tok, "__restrict") || !strcmp(tok, "struct"))
      continue;
    if (nw == 8 || strlen(tok) >= 64) return 0;
    strcpy(words[nw++], tok);
  }
  if (nw < 2) return 0;
  /* the last word is the name; the others the type */
  snprintf(p->name, sizeof p->name, "%s", words[nw - 1]);
  p->type[0] = 0;
  for (i = 0, k = 0; i < nw - 1; i++) {
    int w = snprintf(p->type + k, sizeof p->type - k, "%s%s", i ? " " : "", words[i]);
    if (w < 0 || (size_t)w >= sizeof p->type - k) return 0;
    k += (size_t)w;
  }
  p->pointer = ptr > 0;
  p->dtype = (ptr > 1) ? -1 : ctype_dtype(p->type);
  if (p->pointer && ptr == 1 && strcmp(p->type, "void") == 0) p->dtype = -1;
  return 1;
}

static int is_identc(int c) { return isalnum(c) || c == '_'; }

int lu_rawkernel_params(lu_ctx *ctx, const lu_rawmodule *m, const char *name,
                        lu_raw_param *params, int *np) {
  const char *s = m->plain, *p = s;
  size_t nl = strlen(name);
  *np = 0;
  while ((p = strstr(p, name)) != NULL) {
    const char *q = p + nl, *b, *e;
    int depth = 0;
    if ((p > s && is_identc((unsigned char)p[-1])) || is_identc((unsigned char)*q)) { p = q; continue; }
    while (isspace((unsigned char)*q)) q++;
    if (*q != '(') { p = q; continue; }
    /* the declaration's start: back to the previous ';', '{' or '}' */
    for (b = p; b > s && b[-1] != ';' && b[-1] != '{' && b[-1] != '}'; b--) {}
    {
      char *head = dupn(b, (size_t)(p - b));
      int global = head && strstr(head, "__global__") != NULL;
      free(head);
      if (!global) { p = q; continue; }
    }
    /* the parameter list: split at top-level commas */
    b = q + 1;
    for (e = b; *e; e++) {
      if (*e == '(' || *e == '<') depth++;
      else if ((*e == ')' || *e == '>') && depth > 0) depth--;
      else if (*e == ')' || (*e == ',' && depth == 0)) {
        const char *t = b;
        while (t < e && isspace((unsigned char)*t)) t++;
        if (*e == ')' && t == e && *np == 0) return LU_OK;          /* () */
        if (e - t == 4 && strncmp(t, "void", 4) == 0 && *np == 0 && *e == ')') return LU_OK;
        if (*np == LU_RAW_MAXP)
          return lu_seterr(ctx, LU_EARG, "RawKernel '%s': more than %d parameters", name,
                           LU_RAW_MAXP);
        if (!read_param(b, (size_t)(e - b), &params[*np]))
          return lu_seterr(ctx, LU_EARG, "RawKernel '%s': cannot read parameter %d of its "
                           "declaration ('%.*s')", name, *np + 1, (int)(e - b), b);
        (*np)++;
        if (*e == ')') return LU_OK;
        b = e + 1;
      }
    }
    break;
  }
  return lu_seterr(ctx, LU_EARG, "RawKernel '%s': no __global__ function of that name in the "
                   "code (declare it as extern \"C\" __global__ void %s(...))", name, name);
}
/* }====================================================== */

/* {====================================================== launching */
static int check_dims(lu_ctx *ctx, const char *what, const char *which, const int64_t *v,
                      const int64_t *lim) {
  int i;
  for (i = 0; i < 3; i++)
    if (v[i] < 1 || v[i] > lim[i])
      return lu_seterr(ctx, LU_EARG, "%s: %s (%lld, %lld, %lld): each size must be in 1..%lld "
                       "(the %s limit of %c)", what, which, (long long)v[0], (long long)v[1],
                       (long long)v[2], (long long)lim[i], which, "xyz"[i]);
  return LU_OK;
}

int lu_rawkernel_launch(lu_ctx *ctx, const lu_rawmodule *m, const char *name,
                        const lu_raw_param *params, int np, const int64_t *grid,
                        const int64_t *block, int64_t shared_mem, int nargs, const lu_arg *args,
                        lu_stream *stream) {
  static const int64_t glim[3] = {2147483647, 65535, 65535}, blim[3] = {1024, 1024, 64};
  union { lu_value v; char pad[16]; } slot[LU_RAW_MAXP];
  void *argv[LU_RAW_MAXP];
  lu_device dev = lu_ctx_default_device(ctx);
  int have_dev = 0, j, st;
  char what[160];
  snprintf(what, sizeof what, "RawKernel '%s'", name);
  if (nargs != np)
    return lu_seterr(ctx, LU_EARG, "%s: takes %d argument%s, got %d", what, np,
                     np == 1 ? "" : "s", nargs);
  if ((st = check_dims(ctx, what, "grid", grid, glim)) != LU_OK) return st;
  if ((st = check_dims(ctx, what, "block", block, blim)) != LU_OK) return st;
  if (block[0] * block[1] * block[2] > 1024)
    return lu_seterr(ctx, LU_EARG, "%s: block (%lld, %lld, %lld) has %lld threads (at most 1024)",
                     what, (long long)block[0], (long long)block[1], (long long)block[2],
                     (long long)(block[0] * block[1] * block[2]));
  if (shared_mem < 0)
    return lu_seterr(ctx, LU_EARG, "%s: shared_mem must be non-negative, got %lld", what,
                     (long long)shared_mem);
  for (j = 0; j < np; j++) {
    const lu_raw_param *p = &params[j];
    const lu_array *a = args[j].arr;
    memset(&slot[j], 0, sizeof slot[j]);
    argv[j] = &slot[j];
    if (p->pointer) {
      if (a == NULL)
        return lu_seterr(ctx, LU_ETYPE, "%s: argument %d ('%s', a %s pointer) must be an array, "
                         "got a number", what, j + 1, p->name, p->type);
      if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
      if (!have_dev) { dev = lu_array_device(a); have_dev = 1; }
      else if (lu_array_device(a).type != dev.type || lu_array_device(a).index != dev.index) {
        char b1[16], b2[16];
        return lu_seterr(ctx, LU_EDEVICE, "%s: argument %d is on %s, the ones before on %s",
                         what, j + 1, lu_device_str(lu_array_device(a), b1), lu_device_str(dev, b2));
      }
      if (p->dtype >= 0 && (int)a->dtype != p->dtype &&
          !(lu_dtype_size(a->dtype) == lu_dtype_size((lu_dtype)p->dtype) &&
            ((p->dtype == LU_UINT8 && a->dtype == LU_BOOL) || (p->dtype == LU_INT8 && a->dtype == LU_BOOL))))
        return lu_seterr(ctx, LU_ETYPE, "%s: argument %d ('%s', %s *) is a %s array", what, j + 1,
                         p->name, p->type, lu_dtype_name(a->dtype));
      {
        void *ptr = lu_array_data(a);
        memcpy(&slot[j], &ptr, sizeof ptr);
      }
      continue;
    }
    if (a != NULL)
      return lu_seterr(ctx, LU_ETYPE, "%s: argument %d ('%s', %s) must be a number, got an array",
                       what, j + 1, p->name, p->type);
    if (p->dtype < 0 || lu_dtype_kind(p->dtype) == 'c' || lu_dtype_is_half(p->dtype))
      return lu_seterr(ctx, LU_ETYPE, "%s: argument %d ('%s'): lunar cannot pass a Lua number as "
                       "type %s (pass a pointer to an array instead)", what, j + 1, p->name, p->type);
    if (strchr("iub", lu_dtype_kind(p->dtype))) {
      if (args[j].s.kind == 'f')
        return lu_seterr(ctx, LU_ETYPE, "%s: argument %d ('%s', %s) must be an integer, got %g",
                         what, j + 1, p->name, p->type, args[j].s.f);
      if (args[j].s.kind == 'i' && !lu_int_fits(args[j].s.i, (lu_dtype)p->dtype))
        return lu_seterr(ctx, LU_EARG, "%s: argument %d ('%s'): %lld is out of bounds for %s",
                         what, j + 1, p->name, (long long)args[j].s.i, p->type);
    }
    lu_value_store(&slot[j], (lu_dtype)p->dtype, lu_value_from_scalar(args[j].s, (lu_dtype)p->dtype));
  }
  if (stream != NULL && !have_dev) dev = lu_stream_device(stream);   /* no arrays: the stream's */
  if (dev.type == LU_DEV_CPU) {
    char b[16];
    return lu_seterr(ctx, LU_EDEVICE, "%s: CUDA kernels run on a CUDA device, and %s on %s",
                     what, have_dev ? "its arrays are" : "the default device is",
                     lu_device_str(dev, b));
  }
#ifdef LUNAR_HAVE_CUDA
  if (stream != NULL) {
    /* on the given stream: what is pending goes first, on the stream in
    ** use, as it was asked for there; then the stream is current for the
    ** launch alone (cuda.stream's enter and leave) */
    void *prev = NULL;
    lu_device sdev = lu_stream_device(stream);
    int st2;
    if (sdev.type != dev.type || sdev.index != dev.index) {
      char b1[16], b2[16];
      return lu_seterr(ctx, LU_EDEVICE, "%s: the stream is on %s, its arrays on %s", what,
                       lu_device_str(sdev, b1), lu_device_str(dev, b2));
    }
    if ((st = lu_lazy_flush(ctx)) != LU_OK) return st;
    if ((st = lu_stream_enter(ctx, stream, &prev)) != LU_OK) return st;
    st = lu_cuda_raw_launch(ctx, what, m->code, m->hash, m->nopts, (const char *const *)m->opts,
                            name, grid, block, shared_mem, argv, dev);
    if (st == LU_OK) st = lu_after_op(ctx, dev);
    st2 = lu_stream_leave(ctx, stream, prev);
    return st != LU_OK ? st : st2;
  }
  st = lu_cuda_raw_launch(ctx, what, m->code, m->hash, m->nopts, (const char *const *)m->opts, name, grid,
                          block, shared_mem, argv, dev);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  return st;
#else
  (void)m; (void)argv; (void)stream;
  return lu_unavailable(ctx, what, dev);
#endif
}
/* }====================================================== */
