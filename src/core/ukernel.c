/* SPDX-License-Identifier: MIT */
/*
** User kernels, CuPy's ElementwiseKernel and ReductionKernel: the
** parameter lists ("T x, raw T y", "float32 z"), the binding of type
** placeholders to the arguments' dtypes at call time, the loop's shape
** (broadcast of the non-raw inputs, or {size = n}), the outputs, and the
** kernel's source. The source is complete C: the user's code sits in a
** block inside a loop over a flat index whose per-operand byte offsets
** an odometer advances (lu_uk_step), so broadcast, strided and reversed
** operands need no copy. A backend compiles the source (cached by its
** hash) and runs it (lu_ukernel.h).
**
** Every value the user's code sees is a local of the parameter's C type
** (loaded from, and for outputs stored back to, the operand's own dtype);
** a raw parameter is a pointer to a C-contiguous array (copied first when
** the argument is not one).
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_ukernel.h"
#include "lu_hostmem.h"

#define UK_NAMELEN 64

typedef struct uk_param {
  char name[UK_NAMELEN];
  char type[UK_NAMELEN];   /* as written */
  int dtype;               /* a fixed dtype, or -1 */
  int ph;                  /* placeholder index, or -1 */
  int raw;
} uk_param;

/* The sources made for the type bindings seen so far: a call with a
** binding seen before reuses its source and the hash of it (the backends
** find the compiled kernel by that hash without reading the text again) */
#define UK_MEMO 8
#define UK_KEYLEN (2 * LU_UK_MAXP + 3)
typedef struct uk_memo {
  int key[UK_KEYLEN];
  char *src;
  uint64_t hash;
  int per_thread;    /* the elements of the CUDA vector loop (1: none) */
  int ran;           /* a call with this binding ran: its source compiled */
} uk_memo;

struct lu_ukernel {
  int refs;                /* the kernel object's, pending fused calls', fused
                              programs' (lu_ukernel_ref) */
  uk_memo memo[UK_MEMO];
  int nmemo, next_memo;
  int reduction;
  char *name, *code, *reduce, *post, *identity, *preamble, *rtype;
  char *what;              /* "ElementwiseKernel 'name'": errors' prefix */
  int nin, nout, nph;
  uk_param p[LU_UK_MAXP];
  char ph[LU_UK_MAXP][UK_NAMELEN];
  int rt_dtype, rt_ph;     /* reduce_type: a dtype or a placeholder (-1: none) */
  char tstate[UK_NAMELEN]; /* an elementwise kernel's threads' state type, or "" */
  int fusable;             /* automatic fusion may record its calls (fusable_text) */
  uint64_t key;            /* its identity in fused programs: a hash of the
                              parameters and the operation */
};

/* An elementwise kernel whose threads keep a value of type `type` (defined
** in the preamble) across their elements: the body sees it as `_ts`, a
** reference in CUDA (the value default-initialised), a pointer in C (the
** value set up by the preamble's `type_init(&v, L)`). Fused random draws
** keep there the Philox block and Box-Muller pair (CUDA) or the chunk of
** values (C) their last element read (fuse.c). */
void lu_ukernel_set_thread_state(lu_ukernel *k, const char *type) {
  snprintf(k->tstate, sizeof k->tstate, "%s", type ? type : "");
}

static const char *kind_name(const lu_ukernel *k) {
  return k->reduction ? "ReductionKernel" : "ElementwiseKernel";
}

static char *dup(const char *s) {
  size_t n = strlen(s ? s : "") + 1;
  char *d = (char *)lu_malloc(n);
  if (d) memcpy(d, s ? s : "", n);
  return d;
}

void lu_ukernel_ref(lu_ukernel *k) { k->refs++; }

void lu_ukernel_free(lu_ukernel *k) {
  int i;
  if (k == NULL || --k->refs > 0) return;
  for (i = 0; i < k->nmemo; i++) free(k->memo[i].src);
  free(k->name); free(k->code); free(k->reduce); free(k->post);
  free(k->identity); free(k->preamble); free(k->rtype); free(k->what);
  free(k);
}

/* {====================================================== parameters */
static int is_ident(const char *s) {
  if (!(isalpha((unsigned char)*s) || *s == '_')) return 0;
  for (s++; *s; s++) if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
  return 1;
}

/* A type as written: a dtype name, or a placeholder (an identifier starting
** with a capital letter that names no dtype). Returns 0 and sets the error
** for anything else. */
static int parse_type(lu_ctx *ctx, lu_ukernel *k, const char *t, const char *pname,
                      int *dtype, int *ph) {
  int i, dt = lu_dtype_from_name(t);
  *dtype = -1; *ph = -1;
  if (dt >= 0) { *dtype = dt; return 1; }
  if (!is_ident(t) || !isupper((unsigned char)t[0])) {
    lu_seterr(ctx, LU_EARG, "%s '%s': unknown type '%s' of parameter '%s' (a dtype name such "
              "as float32, or a type placeholder such as T)", kind_name(k), k->name, t, pname);
    return 0;
  }
  for (i = 0; i < k->nph; i++)
    if (strcmp(k->ph[i], t) == 0) { *ph = i; return 1; }
  if (strlen(t) >= UK_NAMELEN || k->nph >= LU_UK_MAXP) {
    lu_seterr(ctx, LU_EARG, "%s '%s': type '%s' is too long", kind_name(k), k->name, t);
    return 0;
  }
  strcpy(k->ph[k->nph], t);
  *ph = k->nph++;
  return 1;
}

/* "T x, raw T y" -> parameters appended to k->p; `which` is "in_params" or
** "out_params" for messages */
static int parse_params(lu_ctx *ctx, lu_ukernel *k, const char *s, const char *which, int out) {
  const char *p = s;
  while (*p) {
    char piece[3 * UK_NAMELEN], tok[3][UK_NAMELEN];
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    int ntok = 0, n = k->nin + k->nout, j, raw = 0;
    char *q, *save = NULL;
    uk_param *pp;
    if (len >= sizeof piece) {
      lu_seterr(ctx, LU_EARG, "%s '%s': %s: parameter '%.*s...' is too long", kind_name(k),
                k->name, which, 20, p);
      return 0;
    }
    memcpy(piece, p, len); piece[len] = 0;
    for (q = strtok_r(piece, " \t\r\n", &save); q; q = strtok_r(NULL, " \t\r\n", &save)) {
      if (ntok == 3 || strlen(q) >= UK_NAMELEN) { ntok = 4; break; }
      strcpy(tok[ntok++], q);
    }
    if (ntok == 3 && strcmp(tok[0], "raw") == 0) raw = 1;
    if (!(ntok == 2 || (ntok == 3 && raw))) {
      lu_seterr(ctx, LU_EARG, "%s '%s': %s: cannot read parameter '%s' (expected 'TYPE NAME' "
                "or 'raw TYPE NAME', separated by commas)", kind_name(k), k->name, which,
                len ? (memcpy(piece, p, len), piece[len] = 0, piece) : "");
      return 0;
    }
    if (n >= LU_UK_MAXP) {
      lu_seterr(ctx, LU_EARG, "%s '%s': too many parameters (at most %d)", kind_name(k),
                k->name, LU_UK_MAXP);
      return 0;
    }
    pp = &k->p[n];
    memset(pp, 0, sizeof *pp);
    pp->raw = raw;
    strcpy(pp->type, tok[raw]);
    strcpy(pp->name, tok[raw + 1]);
    if (!is_ident(pp->name) || strncmp(pp->name, "lu_", 3) == 0 || strcmp(pp->name, "i") == 0 ||
        strcmp(pp->name, "_ind") == 0 || strcmp(pp->name, "_type_reduce") == 0 ||
        (k->reduction && (strcmp(pp->name, "a") == 0 || strcmp(pp->name, "b") == 0))) {
      lu_seterr(ctx, LU_EARG, "%s '%s': %s: '%s' cannot name a parameter%s", kind_name(k),
                k->name, which, pp->name, is_ident(pp->name) ? " (a reserved name)" : "");
      return 0;
    }
    for (j = 0; j < n; j++)
      if (strcmp(k->p[j].name, pp->name) == 0) {
        lu_seterr(ctx, LU_EARG, "%s '%s': parameter '%s' is declared twice", kind_name(k),
                  k->name, pp->name);
        return 0;
      }
    if (out && raw && k->reduction) {
      lu_seterr(ctx, LU_EARG, "%s '%s': output parameter '%s' cannot be raw", kind_name(k),
                k->name, pp->name);
      return 0;
    }
    if (!parse_type(ctx, k, pp->type, pp->name, &pp->dtype, &pp->ph)) return 0;
    if (out) k->nout++; else k->nin++;
    if (!e) break;
    p = e + 1;
    if (*p == 0 || strspn(p, " \t\r\n") == strlen(p)) {
      lu_seterr(ctx, LU_EARG, "%s '%s': %s: a parameter is missing after the last comma",
                kind_name(k), k->name, which);
      return 0;
    }
  }
  return 1;
}

/* Comments and literals of C text become spaces (newlines kept): what
** reads user code for its tokens (rawkernel.c's declarations, the
** identifiers below) sees no words inside them */
void lu_src_blank(char *s) {
  char *p = s;
  while (*p) {
    if (p[0] == '/' && p[1] == '/') {
      while (*p && *p != '\n') *p++ = ' ';
    } else if (p[0] == '/' && p[1] == '*') {
      *p++ = ' '; *p++ = ' ';
      while (*p && !(p[0] == '*' && p[1] == '/')) { if (*p != '\n') *p = ' '; p++; }
      if (*p) { *p++ = ' '; *p++ = ' '; }
    } else if (*p == '"' || *p == '\'') {
      char q = *p++;
      while (*p && *p != q && *p != '\n') {
        if (*p == '\\' && p[1]) *p++ = ' ';
        *p++ = ' ';
      }
      if (*p == q) p++;
    } else {
      p++;
    }
  }
}

/* Whether an elementwise kernel's operation can be a node of a fused
** program (lazy.c): the body of a function of its inputs that returns its
** one output, in a kernel whose loop is not the user's. So no raw
** parameters, no preamble (a second binding in one program would define
** it twice), and none of these in the operation: `i` and `_ind` (the
** loop's index and size), `return` (the function returns the output), a
** preprocessor line (a #define would outlive the function). Words are
** read outside comments and literals, whole: a local named `i` declines
** too, which costs only the fusion. */
static int fusable_text(const lu_ukernel *k) {
  char *t;
  const char *p;
  int j, ok = 1;
  if (k->reduction || k->nout != 1 || k->nin > 3 || k->preamble[0]) return 0;
  for (j = 0; j < k->nin + k->nout; j++) if (k->p[j].raw) return 0;
  if ((t = dup(k->code)) == NULL) return 0;
  lu_src_blank(t);
  for (p = t; *p && ok; ) {
    if (*p == '#') ok = 0;
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
      /* a number: its letters (1e5f, 0x1p3) are not words */
      for (p++; isalnum((unsigned char)*p) || *p == '_' || *p == '.' ||
                ((*p == '+' || *p == '-') && strchr("eEpP", p[-1])); p++) {}
    } else if (isalpha((unsigned char)*p) || *p == '_') {
      const char *w = p;
      size_t n;
      while (isalnum((unsigned char)*p) || *p == '_') p++;
      n = (size_t)(p - w);
      if ((n == 1 && w[0] == 'i') || (n == 4 && memcmp(w, "_ind", 4) == 0) ||
          (n == 6 && memcmp(w, "return", 6) == 0))
        ok = 0;
    } else {
      p++;
    }
  }
  free(t);
  return ok;
}

/* FNV-1a of text t continued from h (a hash of text before it);
** lu_text_hash starts it (the same function as the kernel caches') */
static uint64_t text_hash_from(uint64_t h, const char *t) {
  for (; *t; t++) { h ^= (unsigned char)*t; h *= 0x100000001b3ULL; }
  return h;
}

uint64_t lu_text_hash(const char *t) { return text_hash_from(0xcbf29ce484222325ULL, t); }

/* FNV-1a over what a fused program takes of the kernel: the parameters'
** types and names, in and out, and the operation (lazy.c keys programs by
** it: a kernel object may be collected while a program made from its
** twin is cached) */
static uint64_t fn_key(const lu_ukernel *k) {
  uint64_t h = lu_text_hash("");
  int j;
  for (j = 0; j < k->nin + k->nout; j++) {
    const char *sep = j < k->nin ? " " : ";";
    h = text_hash_from(text_hash_from(h, k->p[j].type), sep);
    h = text_hash_from(text_hash_from(h, k->p[j].name), sep);
  }
  return text_hash_from(h, k->code);
}

int lu_ukernel_new(lu_ctx *ctx, lu_ukernel **out, int reduction, const char *in_params,
                   const char *out_params, const char *code, const char *reduce,
                   const char *post, const char *identity, const char *name,
                   const char *preamble, const char *reduce_type) {
  lu_ukernel *k = (lu_ukernel *)lu_calloc(1, sizeof *k);
  *out = NULL;
  if (k == NULL) return lu_seterr(ctx, LU_EMEM, "out of memory");
  k->refs = 1;
  k->reduction = reduction;
  k->rt_dtype = k->rt_ph = -1;
  k->name = dup(name); k->code = dup(code); k->reduce = dup(reduce); k->post = dup(post);
  k->identity = identity ? dup(identity) : NULL; k->preamble = dup(preamble);
  k->rtype = reduce_type ? dup(reduce_type) : NULL;
  if (k->name) {   /* once here: a call formatted it each time (a tenth of a small call) */
    size_t n = strlen(kind_name(k)) + strlen(k->name) + 4;
    if ((k->what = (char *)lu_malloc(n)) != NULL) snprintf(k->what, n, "%s '%s'", kind_name(k), k->name);
  }
  if (!k->name || !k->code || !k->reduce || !k->post || !k->preamble || !k->what ||
      (identity && !k->identity) || (reduce_type && !k->rtype)) {
    lu_ukernel_free(k);
    return lu_seterr(ctx, LU_EMEM, "out of memory");
  }
  if (!is_ident(k->name)) {
    lu_seterr(ctx, LU_EARG, "%s: name '%s' is not a C identifier", kind_name(k), k->name);
    goto fail;
  }
  if (!parse_params(ctx, k, in_params, "in_params", 0)) goto fail;
  if (!parse_params(ctx, k, out_params, "out_params", 1)) goto fail;
  if (k->nout == 0) {
    lu_seterr(ctx, LU_EARG, "%s '%s': out_params declares no output", kind_name(k), k->name);
    goto fail;
  }
  if (reduction == 1 && k->nout != 1) {
    lu_seterr(ctx, LU_EARG, "%s '%s': out_params must declare one output, got %d",
              kind_name(k), k->name, k->nout);
    goto fail;
  }
  if (reduction && k->rtype && !parse_type(ctx, k, k->rtype, "reduce_type", &k->rt_dtype,
                                           &k->rt_ph))
    goto fail;
  k->fusable = fusable_text(k);
  k->key = fn_key(k);
  *out = k;
  return LU_OK;
fail:
  lu_ukernel_free(k);
  return LU_EARG;
}

int lu_ukernel_nin(const lu_ukernel *k) { return k->nin; }
int lu_ukernel_nout(const lu_ukernel *k) { return k->nout; }
const char *lu_ukernel_name(const lu_ukernel *k) { return k->name; }
const char *lu_ukernel_what(const lu_ukernel *k) { return k->what; }
int lu_ukernel_is_reduction(const lu_ukernel *k) { return k->reduction; }
/* }====================================================== */

/* {====================================================== source */
void lu_uk_put(lu_uk_text *b, const char *fmt, ...) {
  va_list ap;
  int n;
  if (b->oom) return;
  for (;;) {
    size_t room = b->cap - b->n;
    va_start(ap, fmt);
    n = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
    va_end(ap);
    if (n < 0) { b->oom = 1; return; }
    if (b->s && (size_t)n < room) { b->n += (size_t)n; return; }
    {
      size_t ncap = (b->cap + (size_t)n + 1) * 2;
      char *ns = (char *)lu_realloc(b->s, ncap);
      if (ns == NULL) { b->oom = 1; return; }
      b->s = ns; b->cap = ncap;
    }
  }
}

/* C type of a value of dtype dt in user code (float16 and bfloat16 are
** computed in float); storage type in memory */
static const char *vtype(int dt) {
  return dt == LU_BOOL ? "bool" : lu_dtype_is_half(dt) ? "float" : lu_dtypes[dt].ctype;
}
static const char *stype(int dt) { return lu_dtypes[dt].ctype; }

/* A load of storage dtype s at byte address P (text) as C type vt; ptr is
** "L->ptr" in the C source, "L.ptr" in the CUDA one */
static void put_load(lu_uk_text *b, int vt, int s, const char *ptr, int j, const char *off) {
  const char *cv = s == LU_FLOAT16 ? "lu_h2f" : s == LU_BFLOAT16 ? "lu_bf2f" : "";
  lu_uk_put(b, "(%s)%s(*(const %s *)(%s[%d] + %s[%d]))", vtype(vt), cv, stype(s), ptr, j, off, j);
}

/* A store of the C value `name` into storage dtype s */
void lu_uk_put_store(lu_uk_text *b, int s, const char *ptr, int j, const char *off, const char *name) {
  if (s == LU_BOOL)
    lu_uk_put(b, "      *(uint8_t *)(%s[%d] + %s[%d]) = (uint8_t)(%s != 0);\n", ptr, j, off, j, name);
  else if (lu_dtype_is_half(s))
    lu_uk_put(b, "      *(%s *)(%s[%d] + %s[%d]) = %s((double)%s);\n", stype(s), ptr, j, off, j,
        s == LU_FLOAT16 ? "lu_d2h" : "lu_d2bf", name);
  else
    lu_uk_put(b, "      *(%s *)(%s[%d] + %s[%d]) = (%s)%s;\n", stype(s), ptr, j, off, j, stype(s), name);
}

typedef struct { const char *name; const char *text; size_t len; } lu_embedded_file;
extern const lu_embedded_file lu_embedded_text[];   /* lu_numeric.h, lu_prelude.h */

/* The typedefs of the bound placeholders (at file scope in a kernel's own
** source, inside the function of a fused program's node) */
static void put_ph_typedefs(lu_uk_text *b, const lu_ukernel *k, const int *phdt, const char *indent) {
  int j;
  for (j = 0; j < k->nph; j++)
    if (phdt[j] >= 0) lu_uk_put(b, "%stypedef %s %s;\n", indent, vtype(phdt[j]), k->ph[j]);
}

/* The user's operation as a block, its lines counted from 1 in messages */
static void put_operation(lu_uk_text *b, const lu_ukernel *k, const char *indent) {
  lu_uk_put(b, "%s{\n#line 1 \"operation\"\n%s\n;\n#line 1 \"lunar\"\n%s}\n", indent, k->code, indent);
}

/* The typedefs of the placeholders and of _type_reduce, and the preamble */
static void put_types(lu_uk_text *b, const lu_ukernel *k, const int *phdt, int rdt) {
  put_ph_typedefs(b, k, phdt, "");
  if (k->reduction == 1) lu_uk_put(b, "typedef %s _type_reduce;\n", vtype(rdt));
  if (k->preamble[0]) lu_uk_put(b, "#line 1 \"preamble\"\n%s\n", k->preamble);
}

/* Each parameter as a local of the element's body (a reduction's output
** is not one); acc is "L->" in the C source, "L." in the CUDA one, where a
** Lua number is read from the parameters' sv rows (cuda) */
static void put_locals(lu_uk_text *b, const lu_ukernel *k, const int *vt, const int *sd,
                       const char *acc, int cuda) {
  int j, np = k->nin + k->nout;
  char ptr[8];
  snprintf(ptr, sizeof ptr, acc[0] == 'L' ? "%sptr" : "%s", acc);
  for (j = 0; j < np; j++) {
    const uk_param *p = &k->p[j];
    int s = sd[j] < 0 ? vt[j] : sd[j], isout = j >= k->nin;
    if (k->reduction && isout) continue;
    if (p->raw) {
      lu_uk_put(b, "      %s *%s = (%s *)%s[%d];\n", vtype(vt[j]), p->name, vtype(vt[j]), ptr, j);
      continue;
    }
    lu_uk_put(b, "      %s%s %s = ", isout ? "" : "const ", vtype(vt[j]), p->name);
    if (cuda && sd[j] < 0)   /* a Lua number: its value travels in the parameters, stored as vt */
      lu_uk_put(b, "(%s)%s(*(const %s *)(const void *)L.sv[%d])", vtype(vt[j]),
          vt[j] == LU_FLOAT16 ? "lu_h2f" : vt[j] == LU_BFLOAT16 ? "lu_bf2f" : "", stype(vt[j]), j);
    else
      put_load(b, vt[j], s, ptr, j, "lu_ro");
    lu_uk_put(b, ";\n");
  }
}

/* The conversion written around a reduction's expressions: none for a
** struct accumulator (C has no casts to a struct type) */
static const char *cast_of(const lu_ukernel *k) {
  return k->reduction == LU_UK_REDUCE_STRUCT ? "" : "(_type_reduce)";
}

/* A reduction's map of the element, into `lv` (text: "_type_reduce lu_b",
** "lu_m[lu_u]") */
static void put_map(lu_uk_text *b, const lu_ukernel *k, const char *lv) {
  lu_uk_put(b, "        %s = %s(\n#line 1 \"map_expr\"\n%s\n#line 1 \"lunar\"\n        );\n",
            lv, cast_of(k), k->code);
}

/* A mapped value `v` folded into lu_acc */
static void put_fold_of(lu_uk_text *b, const lu_ukernel *k, const char *v) {
  lu_uk_put(b, "        if (lu_first) { lu_acc = %s; lu_first = 0; }\n"
         "        else { const _type_reduce a = lu_acc, b = %s; lu_acc = %s(\n"
         "#line 1 \"reduce_expr\"\n%s\n#line 1 \"lunar\"\n        ); }\n",
      v, v, cast_of(k), k->reduce);
}

/* A reduction's step: map the element, fold it into lu_acc */
static void put_fold(lu_uk_text *b, const lu_ukernel *k) {
  lu_uk_put(b, "      {\n");
  put_map(b, k, "_type_reduce lu_b");
  put_fold_of(b, k, "lu_b");
  lu_uk_put(b, "      }\n");
}

/* A reduction's accumulator declared (and its identity given) */
static void put_acc(lu_uk_text *b, const lu_ukernel *k) {
  const char *cast = cast_of(k);
  lu_uk_put(b, "    _type_reduce lu_acc = %s;\n    int lu_first = 1;\n",
            k->reduction == LU_UK_REDUCE_STRUCT ? "{0}" : "(_type_reduce)0");
  if (k->identity)
    lu_uk_put(b, "    lu_first = 0;\n#line 1 \"identity\"\n    lu_acc = %s(%s);\n#line 1 \"lunar\"\n",
              cast, k->identity);
}

/* A reduction's outputs from its accumulator `a` (text: "lu_acc",
** "lu_sh[0]"): each output a local holding its current value, the
** post_map_expr, the stores; ptr and off as put_load's */
static void put_post(lu_uk_text *b, const lu_ukernel *k, const int *vt, const int *sd,
                     const char *a, const char *ptr, const char *off) {
  int j, np = k->nin + k->nout;
  lu_uk_put(b, "    {\n      const _type_reduce a = %s;\n", a);
  for (j = k->nin; j < np; j++) {
    lu_uk_put(b, "      %s %s = ", vtype(vt[j]), k->p[j].name);
    put_load(b, vt[j], sd[j], ptr, j, off);
    lu_uk_put(b, ";\n");
  }
  lu_uk_put(b, "#line 1 \"post_map_expr\"\n%s\n;\n#line 1 \"lunar\"\n      (void)a;\n", k->post);
  for (j = k->nin; j < np; j++) lu_uk_put_store(b, sd[j], ptr, j, off, k->p[j].name);
  lu_uk_put(b, "    }\n");
}

/* The C sources' includes and launch descriptor */
void lu_uk_put_c_launch(lu_uk_text *b) {
  lu_uk_put(b, "#include <stdint.h>\n#include <stdbool.h>\n#include <stddef.h>\n#include <math.h>\n"
          "typedef struct { %s } lu_uk_launch;\n", LU_UK_STR(LU_UK_FIELDS));
  /* glibc's vector maths (libmvec), as the CPU backend's own loops use it
  ** (cpu_ewise.c): the compiler (-fopenmp-simd, cpu_ukernel.c) may then
  ** call exp, log, sin, cos and the float functions 4 to 16 at a time */
  lu_uk_put(b, "#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__FAST_MATH__) && "
          "(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 22))\n"
          "#pragma omp declare simd notinbranch\nfloat expf(float);\n"
          "#pragma omp declare simd notinbranch\nfloat logf(float);\n"
          "#pragma omp declare simd notinbranch\ndouble (exp)(double);\n"
          "#pragma omp declare simd notinbranch\ndouble (log)(double);\n"
          "#pragma omp declare simd notinbranch\ndouble (sin)(double);\n"
          "#pragma omp declare simd notinbranch\ndouble (cos)(double);\n"
          "#endif\n"
          "#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__FAST_MATH__) && "
          "(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))\n");
  {
    static const char *const f1[] = {"sinf", "cosf", "tanf", "asinf", "acosf", "atanf", "sinhf",
      "coshf", "tanhf", "asinhf", "acoshf", "atanhf", "exp2f", "expm1f", "log2f", "log10f",
      "log1pf", "cbrtf", "erff", "erfcf", NULL};
    int i;
    for (i = 0; f1[i]; i++)
      lu_uk_put(b, "#pragma omp declare simd notinbranch\nfloat %s(float);\n", f1[i]);
    lu_uk_put(b, "#pragma omp declare simd notinbranch\nfloat atan2f(float, float);\n"
            "#pragma omp declare simd notinbranch\nfloat hypotf(float, float);\n#endif\n");
  }
}

/* The C sources' odometer over the launch's dims (lu_uk_step) and its
** start at a flat outer index (lu_uk_seek), for np parameters */
void lu_uk_put_c_odometer(lu_uk_text *b, int np) {
  lu_uk_put(b, "#line 1 \"lunar\"\n"
          "static void lu_uk_step(int64_t *idx, int64_t *off, const lu_uk_launch *L, int lo, int hi) {\n"
          "  int d, k;\n"
          "  for (d = hi - 1; d >= lo; d--) {\n"
          "    if (++idx[d] < L->shape[d]) { for (k = 0; k < %d; k++) off[k] += L->st[k][d]; return; }\n"
          "    idx[d] = 0;\n"
          "    for (k = 0; k < %d; k++) off[k] -= L->st[k][d] * (L->shape[d] - 1);\n"
          "  }\n}\n"
          /* the odometer at flat index q of dims [0, nk): where a range starts */
          "static void lu_uk_seek(int64_t q, int64_t *idx, int64_t *off, const lu_uk_launch *L) {\n"
          "  int d, k;\n"
          "  for (d = L->nk - 1; d >= 0; d--) {\n"
          "    idx[d] = q %% L->shape[d];\n    q /= L->shape[d];\n"
          "    for (k = 0; k < %d; k++) off[k] += idx[d] * L->st[k][d];\n"
          "  }\n}\n", np, np, np);
}

/* The C source of kernel k with parameter k's value dtype vt[k] and its
** operand's storage dtype sd[k] (-1 for a scalar: its storage is vt). */
static char *make_source(const lu_ukernel *k, const int *vt, const int *sd, const int *phdt,
                         int rdt) {
  lu_uk_text b = {0};
  int j, np = k->nin + k->nout;
  int half = rdt >= 0 && lu_dtype_is_half(rdt);
  for (j = 0; j < np; j++) half |= lu_dtype_is_half(vt[j]) || (sd[j] >= 0 && lu_dtype_is_half(sd[j]));
  lu_uk_put_c_launch(&b);
  if (half) {     /* lu_half, lu_bf16 and their conversions */
    const lu_embedded_file *f;
    for (f = lu_embedded_text; f->name; f++)
      if (strcmp(f->name, "lu_numeric.h") == 0) lu_uk_put(&b, "%.*s\n", (int)f->len, f->text);
  }
  lu_uk_put(&b, "static _Thread_local int64_t lu_uk_n;\nstatic int64_t lu_uk_size(void) { return lu_uk_n; }\n"
          "static const struct { int64_t (*size)(void); } _ind = { lu_uk_size };\n");
  put_types(&b, k, phdt, rdt);
  lu_uk_put_c_odometer(&b, np);
  if (!k->reduction) {
    /* elementwise: the element's body is a function of the operands'
    ** offsets, called from two loops: contiguous operands (one dim, each
    ** stride its itemsize, 0 for numbers and raw arrays) with strides the
    ** compiler sees as constants, and any other layout by the odometer */
    const char *ts = k->tstate[0] ? ", &lu_ts" : "";
    if (k->tstate[0])   /* the threads' state (lu_ukernel_set_thread_state): a pointer in C */
      lu_uk_put(&b, "static inline void lu_uk_el(char *const *lu_p, const int64_t *lu_ro, const ptrdiff_t i, "
              "%s *_ts) {\n      (void)i;\n", k->tstate);
    else
      lu_uk_put(&b, "static inline void lu_uk_el(char *const *lu_p, const int64_t *lu_ro, const ptrdiff_t i) {\n"
              "      (void)i;\n");
    put_locals(&b, k, vt, sd, "lu_p", 0);
    put_operation(&b, k, "      ");
    for (j = k->nin; j < np; j++)
      if (!k->p[j].raw) lu_uk_put_store(&b, sd[j], "lu_p", j, "lu_ro", k->p[j].name);
    lu_uk_put(&b, "}\n");
    lu_uk_put(&b, "void lu_uk_main(const lu_uk_launch *L) {\n"
            "  int64_t lu_ki[16] = {0}, lu_ro[%d] = {0}, lu_o;\n"
            "  char *lu_p[%d];\n  int lu_k, lu_contig = L->nk == 1;\n"
            "  static const int64_t lu_sz[%d] = {", np, np, np);
    for (j = 0; j < np; j++)
      lu_uk_put(&b, "%s%d", j ? ", " : "", (k->p[j].raw || sd[j] < 0) ? 0 : (int)lu_dtype_size(sd[j]));
    lu_uk_put(&b, "};\n  lu_uk_n = L->n;\n");
    if (k->tstate[0]) lu_uk_put(&b, "  %s lu_ts;\n  %s_init(&lu_ts, L);\n", k->tstate, k->tstate);
    lu_uk_put(&b, "  for (lu_k = 0; lu_k < %d; lu_k++) {\n"
            "    lu_p[lu_k] = L->ptr[lu_k];\n"
            "    if (L->nk >= 1 && L->st[lu_k][0] != lu_sz[lu_k]) lu_contig = 0;\n  }\n"
            "  if (lu_contig) {\n"
            "    for (lu_o = L->lo; lu_o < L->hi; lu_o++) {\n"
            "      int64_t lu_co[%d];\n"
            "      for (lu_k = 0; lu_k < %d; lu_k++) lu_co[lu_k] = lu_o * lu_sz[lu_k];\n"
            "      lu_uk_el(lu_p, lu_co, (ptrdiff_t)lu_o%s);\n    }\n    return;\n  }\n"
            "  if (L->nk != 1) lu_uk_seek(L->lo, lu_ki, lu_ro, L);\n"
            "  for (lu_o = L->lo; lu_o < L->hi; lu_o++) {\n"
            "    if (L->nk == 1) for (lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] = lu_o * L->st[lu_k][0];\n"
            "    lu_uk_el(lu_p, lu_ro, (ptrdiff_t)lu_o%s);\n"
            "    if (L->nk != 1) lu_uk_step(lu_ki, lu_ro, L, 0, L->nk);\n  }\n}\n", np, np, np, ts, np, ts);
    if (b.oom) { free(b.s); return NULL; }
    return b.s;
  }
  /* a reduction: the element's fold as a function of the operands'
  ** offsets and an accumulator; lanes merged with reduce_expr */
  lu_uk_put(&b, "static inline __attribute__((always_inline)) void lu_uk_fold(const lu_uk_launch *L, "
          "const int64_t *lu_ro, const ptrdiff_t i, _type_reduce *lu_accp, int *lu_firstp) {\n"
          "      (void)i;\n");
  put_locals(&b, k, vt, sd, "L->", 0);
  lu_uk_put(&b, "      _type_reduce lu_acc = *lu_accp;\n      int lu_first = *lu_firstp;\n");
  put_fold(&b, k);
  lu_uk_put(&b, "      *lu_accp = lu_acc;\n      *lu_firstp = lu_first;\n}\n"
          "static inline __attribute__((always_inline)) void lu_uk_merge(_type_reduce *lu_accp, "
          "int *lu_firstp, _type_reduce lu_b, int lu_fb) {\n"
          "  if (lu_fb) return;\n  if (*lu_firstp) { *lu_accp = lu_b; *lu_firstp = 0; return; }\n"
          "  { const _type_reduce a = *lu_accp, b = lu_b; *lu_accp = %s(\n"
          "#line 1 \"reduce_expr\"\n%s\n#line 1 \"lunar\"\n  ); }\n}\n", cast_of(k), k->reduce);
  /* One reduced dim (after merging, the common case) runs UK_LANES
  ** independent accumulators over interleaved elements, merged at the end:
  ** a fold's latency (a floating add: 4 cycles) no longer bounds the loop.
  ** Others walk the odometer with one. */
  lu_uk_put(&b, "void lu_uk_main(const lu_uk_launch *L) {\n"
          "  int64_t lu_ki[16] = {0}, lu_ri[16] = {0}, lu_ko[%d] = {0}, lu_ro[%d], lu_o, lu_r;\n"
          "  int lu_k;\n  lu_uk_n = L->n;\n"
          "  lu_uk_seek(L->lo, lu_ki, lu_ko, L);\n"
          "  for (lu_o = L->lo; lu_o < L->hi; lu_o++) {\n"
          "    const ptrdiff_t i = (ptrdiff_t)lu_o;\n", np, np);
  put_acc(&b, k);
  lu_uk_put(&b, "    for (lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] = lu_ko[lu_k];\n"
          "    if (L->nr == 1) {\n"
          "      int64_t lu_s[%d], lu_r1[%d], lu_r2[%d], lu_r3[%d];\n"
          "      _type_reduce lu_a1 = lu_acc, lu_a2 = lu_acc, lu_a3 = lu_acc;\n"
          "      int lu_f1 = lu_first, lu_f2 = lu_first, lu_f3 = lu_first;\n"
          "      for (lu_k = 0; lu_k < %d; lu_k++) lu_s[lu_k] = L->st[lu_k][L->nk];\n"
          "      for (lu_r = 0; lu_r + 4 <= L->nred; lu_r += 4) {\n"
          "        for (lu_k = 0; lu_k < %d; lu_k++) {\n"
          "          lu_r1[lu_k] = lu_ro[lu_k] + lu_s[lu_k];\n"
          "          lu_r2[lu_k] = lu_r1[lu_k] + lu_s[lu_k];\n"
          "          lu_r3[lu_k] = lu_r2[lu_k] + lu_s[lu_k];\n        }\n"
          "        lu_uk_fold(L, lu_ro, i, &lu_acc, &lu_first);\n"
          "        lu_uk_fold(L, lu_r1, i, &lu_a1, &lu_f1);\n"
          "        lu_uk_fold(L, lu_r2, i, &lu_a2, &lu_f2);\n"
          "        lu_uk_fold(L, lu_r3, i, &lu_a3, &lu_f3);\n"
          "        for (lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] = lu_r3[lu_k] + lu_s[lu_k];\n      }\n"
          "      for (; lu_r < L->nred; lu_r++) {\n"
          "        lu_uk_fold(L, lu_ro, i, &lu_acc, &lu_first);\n"
          "        for (lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] += lu_s[lu_k];\n      }\n"
          "      lu_uk_merge(&lu_a1, &lu_f1, lu_a3, lu_f3);\n"
          "      lu_uk_merge(&lu_acc, &lu_first, lu_a2, lu_f2);\n"
          "      lu_uk_merge(&lu_acc, &lu_first, lu_a1, lu_f1);\n"
          "    } else {\n"
          "      for (lu_r = 0; lu_r < L->nred; lu_r++) {\n"
          "        lu_uk_fold(L, lu_ro, i, &lu_acc, &lu_first);\n"
          "        lu_uk_step(lu_ri, lu_ro, L, L->nk, L->nk + L->nr);\n      }\n    }\n",
          np, np, np, np, np, np, np, np, np);
  put_post(&b, k, vt, sd, "lu_acc", "L->ptr", "lu_ko");
  lu_uk_put(&b, "    lu_uk_step(lu_ki, lu_ko, L, 0, L->nk);\n  }\n}\n");
  if (b.oom) { free(b.s); return NULL; }
  return b.s;
}

/* {------------------------------------------------------ CUDA elementwise */
/* A value of storage dtype s read from the lvalue `lv` (text), as C type vt */
static void put_val(lu_uk_text *b, int vt, int s, const char *lv) {
  const char *cv = s == LU_FLOAT16 ? "lu_h2f" : s == LU_BFLOAT16 ? "lu_bf2f" : "";
  lu_uk_put(b, "(%s)%s(%s)", vtype(vt), cv, lv);
}

/* The C value `name` converted to storage dtype s, as the stores do */
static void put_stval(lu_uk_text *b, int s, const char *name) {
  if (s == LU_BOOL) lu_uk_put(b, "(uint8_t)(%s != 0)", name);
  else if (lu_dtype_is_half(s))
    lu_uk_put(b, "%s((double)%s)", s == LU_FLOAT16 ? "lu_d2h" : "lu_d2bf", name);
  else lu_uk_put(b, "(%s)%s", stype(s), name);
}

/* The CUDA sources' launch descriptor for np parameters (the layout the
** backend packs) and _ind's type */
void lu_uk_put_cuda_launch(lu_uk_text *b, int np) {
  lu_uk_put(b, "struct lu_uk_launch { int64_t nout, nred, n; int nk, nr; int64_t shape[16]; "
          "char *ptr[%d]; int64_t st[%d][16]; unsigned long long sv[%d][2]; };\n"
          "struct lu_uk_ind { int64_t n; __device__ int64_t size() const { return n; } };\n",
      np, np, np);
}

/* The CUDA sources' lu_uk_offsets: offsets of flat index q over dims
** [lo, hi), added to off. q is below the product of those dims, so what
** is left for the outermost dim is its index: a 2-dim loop (a row
** broadcast, a transposed operand) divides once per element; and 32-bit
** division, several times cheaper on the GPU than 64-bit, wherever the
** values fit */
void lu_uk_put_cuda_offsets(lu_uk_text *b, int np) {
  lu_uk_put(b, "#line 1 \"lunar\"\n"
          "__device__ __forceinline__ void lu_uk_offsets(int64_t q, int64_t *off, "
          "const lu_uk_launch &L, int lo, int hi) {\n"
          "  for (int d = hi - 1; d > lo; d--) {\n"
          "    const int64_t n = L.shape[d];\n"
          "    int64_t x;\n"
          "    if (((unsigned long long)q | (unsigned long long)n) <= 0xffffffffull) {\n"
          "      const unsigned int q32 = (unsigned int)q, n32 = (unsigned int)n, h = q32 / n32;\n"
          "      x = (int64_t)(q32 - h * n32);\n"
          "      q = (int64_t)h;\n"
          "    } else {\n"
          "      const int64_t h = q / n;\n"
          "      x = q - h * n;\n"
          "      q = h;\n"
          "    }\n"
          "    for (int k = 0; k < %d; k++) off[k] += x * L.st[k][d];\n"
          "  }\n"
          "  if (hi > lo)\n"
          "    for (int k = 0; k < %d; k++) off[k] += q * L.st[k][lo];\n"
          "}\n", np, np);
}

/* Parameter j is an array walked by the loop (not raw, not a Lua number) */
static int el_array(const lu_ukernel *k, const int *sd, int j) { return !k->p[j].raw && sd[j] >= 0; }

/* The CUDA vector loop's elements a thread: V = 16 / the widest array
** parameter's itemsize, 0 when there is no vector loop (no array
** parameter, or 16-byte elements). */
static int vector_width(const lu_ukernel *k, const int *sd) {
  int j, maxsz = 0;
  for (j = 0; j < k->nin + k->nout; j++)
    if (el_array(k, sd, j) && (int)lu_dtype_size(sd[j]) > maxsz) maxsz = (int)lu_dtype_size(sd[j]);
  return maxsz > 0 && maxsz <= 8 ? 16 / maxsz : 0;
}

/* An unsigned type of n bytes (2, 4, 8 or 16): one load or store */
static const char *vec_word(int n) {
  return n == 16 ? "uint4" : n == 8 ? "uint2" : n == 4 ? "unsigned int" : "unsigned short";
}

/* The call of the element's body for flat index `idx` (text); in[j] the
** text of input j's value */
static void put_el_call(lu_uk_text *b, const lu_ukernel *k, const char *idx, char in[][160]) {
  int j, np = k->nin + k->nout;
  lu_uk_put(b, "        lu_uk_el(_ind, (ptrdiff_t)(%s)", idx);
  for (j = 0; j < np; j++) lu_uk_put(b, ", %s", in[j]);
  lu_uk_put(b, "%s);\n", k->tstate[0] ? ", lu_ts" : "");
}

/* An elementwise kernel's CUDA source after the common part. The user's
** operation is the body of a function (inputs by value, outputs by
** reference, raw parameters as pointers), called from two loops:
**   the vector loop, when the loop is one dim (after merge_dims) and every
**     array parameter is contiguous (stride = itemsize) with its base
**     aligned to its share of a vector, or an input broadcast (stride 0):
**     each thread takes V consecutive elements, V = 16 / the largest
**     itemsize, so the widest operand moves in one 16-byte load or store
**     and the others in one narrower access; the elements past the last
**     whole vector are left to
**   the general loop (one element a thread, any layout, the odometer).
** The check reads only the launch, so it is the same in every thread and
** the host picks nothing. A thread reads all its inputs' elements before
** it writes its outputs' (an output that is an input, element for
** element, reads the old values as in the general loop); an output's
** local starts as the output's element (CuPy's outputs are references),
** a load the compiler drops when the operation overwrites it. */
static void put_cuda_elementwise(lu_uk_text *b, const lu_ukernel *k, const int *vt, const int *sd) {
  int j, np = k->nin + k->nout, V = vector_width(k, sd);
  char in[LU_UK_MAXP][160], lv[160];
  /* the element's body */
  lu_uk_put(b, "static __device__ __forceinline__ void lu_uk_el(const lu_uk_ind _ind, const ptrdiff_t i");
  for (j = 0; j < np; j++) {
    const uk_param *p = &k->p[j];
    if (p->raw) lu_uk_put(b, ", %s *%s", vtype(vt[j]), p->name);
    else if (j < k->nin) lu_uk_put(b, ", const %s %s", vtype(vt[j]), p->name);
    else lu_uk_put(b, ", %s &%s", vtype(vt[j]), p->name);
  }
  if (k->tstate[0]) lu_uk_put(b, ", %s &_ts", k->tstate);
  lu_uk_put(b, ") {\n  (void)_ind; (void)i;\n");
  put_operation(b, k, "  ");
  lu_uk_put(b, "}\n");
  lu_uk_put(b, "extern \"C\" __global__ void lu_uk_main(const lu_uk_launch L) {\n"
          "  const lu_uk_ind _ind = {L.n};\n"
          "  const int64_t lu_t = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;\n"
          "  const int64_t lu_nt = (int64_t)gridDim.x * blockDim.x;\n"
          "  int64_t lu_start = 0;\n");
  if (k->tstate[0]) lu_uk_put(b, "  %s lu_ts;\n", k->tstate);
  /* Lua numbers and raw pointers: the same for every element */
  for (j = 0; j < np; j++) {
    snprintf(in[j], sizeof in[j], "lu_a%d", j);
    if (k->p[j].raw) {
      lu_uk_put(b, "  %s *const lu_a%d = (%s *)L.ptr[%d];\n", vtype(vt[j]), j, vtype(vt[j]), j);
    } else if (sd[j] < 0) {
      snprintf(lv, sizeof lv, "*(const %s *)(const void *)L.sv[%d]", stype(vt[j]), j);
      lu_uk_put(b, "  const %s lu_a%d = ", vtype(vt[j]), j);
      put_val(b, vt[j], vt[j], lv);
      lu_uk_put(b, ";\n");
    }
  }
  if (V > 0) {
    /* the vector loop's condition */
    lu_uk_put(b, "  if (L.nk == 1");
    for (j = 0; j < np; j++) {
      int s;
      if (!el_array(k, sd, j)) continue;
      s = (int)lu_dtype_size(sd[j]);
      if (j < k->nin) lu_uk_put(b, "\n      && (L.st[%d][0] == 0 ||", j);
      else lu_uk_put(b, "\n      && (");
      lu_uk_put(b, " (L.st[%d][0] == %d && ((unsigned long long)L.ptr[%d] & %d) == 0))", j, s, j,
                V * s - 1);
    }
    lu_uk_put(b, ") {\n    const int64_t lu_nv = L.nout / %d;\n", V);
    /* broadcast inputs: their one element */
    for (j = 0; j < k->nin; j++) {
      if (!el_array(k, sd, j)) continue;
      lu_uk_put(b, "    const bool lu_z%d = L.st[%d][0] == 0;\n"
              "    const %s lu_c%d = lu_z%d ? *(const %s *)L.ptr[%d] : %s();\n",
              j, j, stype(sd[j]), j, j, stype(sd[j]), j, stype(sd[j]));
    }
    lu_uk_put(b, "    for (int64_t lu_v = lu_t; lu_v < lu_nv; lu_v += lu_nt) {\n"
            "      const int64_t lu_o = lu_v * %d;\n", V);
    for (j = 0; j < np; j++) {
      int s;
      if (!el_array(k, sd, j)) continue;
      s = (int)lu_dtype_size(sd[j]);
      lu_uk_put(b, "      union { %s w; %s e[%d]; } lu_b%d;\n", vec_word(V * s), stype(sd[j]), V, j);
      if (j < k->nin)
        lu_uk_put(b, "      if (lu_z%d) { for (int lu_e = 0; lu_e < %d; lu_e++) lu_b%d.e[lu_e] = lu_c%d; }\n"
                "      else lu_b%d.w = *(const %s *)(L.ptr[%d] + lu_o * %d);\n",
                j, V, j, j, j, vec_word(V * s), j, s);
    }
    lu_uk_put(b, "#pragma unroll\n      for (int lu_e = 0; lu_e < %d; lu_e++) {\n", V);
    for (j = 0; j < np; j++) {
      if (!el_array(k, sd, j)) continue;
      snprintf(lv, sizeof lv, "lu_b%d.e[lu_e]", j);
      if (j < k->nin) {   /* the value, as an argument */
        lu_uk_text t = {0};
        put_val(&t, vt[j], sd[j], lv);
        snprintf(in[j], sizeof in[j], "%s", t.oom ? "0" : t.s);
        if (t.oom) b->oom = 1;
        free(t.s);
      } else {            /* the output's element, into its local */
        char ld[160];
        snprintf(ld, sizeof ld, "*(const %s *)(L.ptr[%d] + (lu_o + lu_e) * %d)", stype(sd[j]), j,
                 (int)lu_dtype_size(sd[j]));
        lu_uk_put(b, "        %s lu_a%d = ", vtype(vt[j]), j);
        put_val(b, vt[j], sd[j], ld);
        lu_uk_put(b, ";\n");
      }
    }
    put_el_call(b, k, "lu_o + lu_e", in);
    for (j = k->nin; j < np; j++) {
      char nm[16];
      if (!el_array(k, sd, j)) continue;
      snprintf(nm, sizeof nm, "lu_a%d", j);
      lu_uk_put(b, "        lu_b%d.e[lu_e] = ", j);
      put_stval(b, sd[j], nm);
      lu_uk_put(b, ";\n");
    }
    lu_uk_put(b, "      }\n");
    for (j = k->nin; j < np; j++) {
      int s;
      if (!el_array(k, sd, j)) continue;
      s = (int)lu_dtype_size(sd[j]);
      lu_uk_put(b, "      *(%s *)(L.ptr[%d] + lu_o * %d) = lu_b%d.w;\n", vec_word(V * s), j, s, j);
    }
    lu_uk_put(b, "    }\n    lu_start = lu_nv * %d;\n  }\n", V);
  }
  /* the general loop */
  lu_uk_put(b, "  for (int64_t lu_o = lu_start + lu_t; lu_o < L.nout; lu_o += lu_nt) {\n"
          "    int64_t lu_ro[%d] = {0};\n"
          "    lu_uk_offsets(lu_o, lu_ro, L, 0, L.nk);\n", np);
  for (j = 0; j < np; j++) {
    if (!el_array(k, sd, j)) { snprintf(in[j], sizeof in[j], "lu_a%d", j); continue; }
    snprintf(lv, sizeof lv, "*(const %s *)(L.ptr[%d] + lu_ro[%d])", stype(sd[j]), j, j);
    if (j < k->nin) {
      lu_uk_text t = {0};
      put_val(&t, vt[j], sd[j], lv);
      snprintf(in[j], sizeof in[j], "%s", t.oom ? "0" : t.s);
      if (t.oom) b->oom = 1;
      free(t.s);
    } else {
      snprintf(in[j], sizeof in[j], "lu_a%d", j);
      lu_uk_put(b, "        %s lu_a%d = ", vtype(vt[j]), j);
      put_val(b, vt[j], sd[j], lv);
      lu_uk_put(b, ";\n");
    }
  }
  put_el_call(b, k, "lu_o", in);
  for (j = k->nin; j < np; j++)
    if (el_array(k, sd, j)) {
      char nm[16];
      snprintf(nm, sizeof nm, "lu_a%d", j);
      lu_uk_put_store(b, sd[j], "L.ptr", j, "lu_ro", nm);
    }
  lu_uk_put(b, "  }\n}\n");
}
/* }------------------------------------------------------ */

/* The CUDA source of kernel k (NVRTC, C++; the CUDA backend puts lunar's
** kernel prelude in front). The same element body as the C source, in a
** kernel `lu_uk_main` that takes the launch by value, laid out with
** exactly np pointers and stride rows (lu_uk_cuda_pack):
**   elementwise: a grid-stride loop over the elements, each thread finding
**     its operands' offsets from its flat index;
**   reduction: a block per output (grid-stride over outputs), its threads
**     striding over the reduced elements and combining their partial
**     results in shared memory with reduce_expr, in a tree. A thread that
**     saw no element holds no value (without an identity there is none to
**     give it), so the tree only combines valid partials. */
char *lu_ukernel_cuda_source(const lu_ukernel *k, const int *vt, const int *sd, const int *phdt,
                             int rdt) {
  lu_uk_text b = {0};
  int np = k->nin + k->nout;
  lu_uk_put_cuda_launch(&b, np);
  put_types(&b, k, phdt, rdt);
  lu_uk_put_cuda_offsets(&b, np);
  if (!k->reduction) {
    put_cuda_elementwise(&b, k, vt, sd);
    if (b.oom) { free(b.s); return NULL; }
    return b.s;
  }
  /* at most 64 registers (four blocks of 256 on an SM): the fused sum,
  ** sum of squares and max of 10^8 float32 took 70, which held the H100 to
  ** 37.5% occupancy and 59% of its memory bandwidth (ncu, session 14) */
  lu_uk_put(&b, "extern \"C\" __global__ void __launch_bounds__(%d, 4) lu_uk_main(const lu_uk_launch L) {\n"
          "  const lu_uk_ind _ind = {L.n};\n  (void)_ind;\n", LU_UK_CUDA_RBLOCK);
  lu_uk_put(&b, "  __shared__ _type_reduce lu_sh[%d];\n  __shared__ int lu_sv[%d];\n"
            "  const int lu_t = (int)threadIdx.x;\n"
            "  for (int64_t lu_o = blockIdx.x; lu_o < L.nout; lu_o += gridDim.x) {\n"
            "    int64_t lu_ko[%d] = {0};\n"
            "    lu_uk_offsets(lu_o, lu_ko, L, 0, L.nk);\n",
        LU_UK_CUDA_RBLOCK, LU_UK_CUDA_RBLOCK, np);
  put_acc(&b, k);
  /* one reduced dim (after merge_dims): each element's offsets are one
  ** product, and a thread maps four elements (their loads in flight
  ** together) before it folds them in order; the loop over the dims, its
  ** divisions and a fold between loads would keep one load in flight. The
  ** loop for any layout takes the elements left, in the same order */
  lu_uk_put(&b, "    int64_t lu_r0 = lu_t;   /* where the loop over any layout goes on */\n"
          "    if (L.nr == 1) {\n"
          "    const int64_t lu_bd = blockDim.x;\n    int64_t lu_r = lu_t;\n"
          "    for (; lu_r + 3 * lu_bd < L.nred; lu_r += 4 * lu_bd) {\n"
          "      _type_reduce lu_m[4];\n"
          "#pragma unroll\n"
          "      for (int lu_u = 0; lu_u < 4; lu_u++) {\n"
          "      int64_t lu_ro[%d];\n"
          "      for (int lu_k = 0; lu_k < %d; lu_k++)\n"
          "        lu_ro[lu_k] = lu_ko[lu_k] + (lu_r + lu_u * lu_bd) * L.st[lu_k][L.nk];\n"
          "      const ptrdiff_t i = (ptrdiff_t)lu_o;\n      (void)i;\n", np, np);
  put_locals(&b, k, vt, sd, "L.", 1);
  put_map(&b, k, "lu_m[lu_u]");
  lu_uk_put(&b, "      }\n#pragma unroll\n      for (int lu_u = 0; lu_u < 4; lu_u++) {\n");
  put_fold_of(&b, k, "lu_m[lu_u]");
  lu_uk_put(&b, "      }\n    }\n    lu_r0 = lu_r;\n    }\n");
  lu_uk_put(&b, "    for (int64_t lu_r = lu_r0; lu_r < L.nred; lu_r += blockDim.x) {\n"
          "      int64_t lu_ro[%d];\n"
          "      for (int lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] = lu_ko[lu_k];\n"
          "      lu_uk_offsets(lu_r, lu_ro, L, L.nk, L.nk + L.nr);\n", np, np);
  lu_uk_put(&b, "      const ptrdiff_t i = (ptrdiff_t)lu_o;\n      (void)i;\n");
  put_locals(&b, k, vt, sd, "L.", 1);
  {
    put_fold(&b, k);
    lu_uk_put(&b, "    }\n");
    lu_uk_put(&b, "    lu_sh[lu_t] = lu_acc;\n    lu_sv[lu_t] = !lu_first;\n    __syncthreads();\n"
            "    for (int lu_s = blockDim.x / 2; lu_s > 0; lu_s >>= 1) {\n"
            "      if (lu_t < lu_s && lu_sv[lu_t + lu_s]) {\n"
            "        if (!lu_sv[lu_t]) { lu_sh[lu_t] = lu_sh[lu_t + lu_s]; lu_sv[lu_t] = 1; }\n"
            "        else { const _type_reduce a = lu_sh[lu_t], b = lu_sh[lu_t + lu_s];\n"
            "          lu_sh[lu_t] = %s(\n#line 1 \"reduce_expr\"\n%s\n"
            "#line 1 \"lunar\"\n          ); }\n      }\n      __syncthreads();\n    }\n",
        cast_of(k), k->reduce);
    lu_uk_put(&b, "    if (lu_t == 0)\n");
    put_post(&b, k, vt, sd, "lu_sh[0]", "L.ptr", "lu_ko");
    lu_uk_put(&b, "    __syncthreads();\n  }\n}\n");
  }
  if (b.oom) { free(b.s); return NULL; }
  return b.s;
}
/* }====================================================== */

/* {====================================================== the call */
static int supported(int dt) {
  return lu_dtype_kind(dt) != 'c';
}

/* Bind placeholder ph to dt, or check it; `pname` for messages. */
static int bind(lu_ctx *ctx, const lu_ukernel *k, int *phdt, int *phfrom, int j, int dt) {
  const uk_param *p = &k->p[j];
  if (phdt[p->ph] < 0) { phdt[p->ph] = dt; phfrom[p->ph] = j; return 1; }
  if (phdt[p->ph] == dt) return 1;
  lu_seterr(ctx, LU_ETYPE, "%s '%s': parameter '%s' has dtype %s, but type %s is already %s "
            "(from parameter '%s')", kind_name(k), k->name, p->name, lu_dtype_name(dt),
            k->ph[p->ph], lu_dtype_name(phdt[p->ph]), k->p[phfrom[p->ph]].name);
  return 0;
}

/* Merge the launch's dims where every parameter walks two neighbours as
** one (st[d] == st[d+1] * shape[d+1]), within the outer dims and within the
** reduced dims, and drop dims of length 1: a contiguous or broadcast-free
** loop becomes one dim, which the CUDA source walks without a division.
** Only the element order inside each group matters to the kernels, and it
** is kept (the flat index i and the outputs' offsets stay the same). */
void lu_uk_merge_dims(lu_uk_launch *L, int np) {
  int g, d, k, out = 0, lo = 0, nk = L->nk;
  int64_t shape[16], st[LU_UK_MAXP][16];
  for (g = 0; g < 2; g++) {
    int hi = g == 0 ? L->nk : L->nk + L->nr, start = out;
    for (d = lo; d < hi; d++) {
      int merge = out > start;
      if (L->shape[d] == 1) continue;
      for (k = 0; merge && k < np; k++)
        if (st[k][out - 1] != L->st[k][d] * L->shape[d]) merge = 0;
      if (merge) {
        shape[out - 1] *= L->shape[d];
        for (k = 0; k < np; k++) st[k][out - 1] = L->st[k][d];
      } else {
        shape[out] = L->shape[d];
        for (k = 0; k < np; k++) st[k][out] = L->st[k][d];
        out++;
      }
    }
    if (g == 0) nk = out;
    lo = hi;
  }
  L->nr = out - nk;
  L->nk = nk;
  for (d = 0; d < 16; d++) {
    L->shape[d] = d < out ? shape[d] : 0;
    for (k = 0; k < np; k++) L->st[k][d] = d < out ? st[k][d] : 0;
  }
}

/* The type binding of a call on args[0..nargs) (the inputs, then perhaps
** every output), with a call's errors: each parameter's dtype vt[j],
** phdt[p] placeholder p's (-1: unbound), the reduce type *rdt (-1: none).
** With arr non-NULL, arr[j] is parameter j's array or NULL (a number, an
** output not given), and the arrays must share one device, *dev (left as
** it is when there is no array). Fused programs bind data-less arrays
** (only their dtypes are read): arr NULL. */
static int bind_params(lu_ctx *ctx, const lu_ukernel *k, int nargs, const lu_arg *args,
                       const lu_array **arr, lu_device *dev, int *phdt, int *vt, int *rdt) {
  int np = k->nin + k->nout, j, have_dev = 0, devfrom = 0, phfrom[LU_UK_MAXP];
  const char *what = k->what;
  for (j = 0; j < LU_UK_MAXP; j++) { phdt[j] = -1; phfrom[j] = 0; }
  *rdt = -1;
  if (nargs != k->nin && nargs != np)
    return lu_seterr(ctx, LU_EARG, "%s: takes %d argument%s (the inputs) or %d (inputs and "
                     "outputs), got %d", what, k->nin, k->nin == 1 ? "" : "s", np, nargs);
  /* devices, dtypes of the arrays, placeholders bound by arrays */
  for (j = 0; j < np; j++) {
    const lu_array *a = j < nargs ? args[j].arr : NULL;
    if (arr) arr[j] = a;
    vt[j] = -1;
    if (j >= k->nin && j < nargs && a == NULL)
      return lu_seterr(ctx, LU_EARG, "%s: output parameter '%s' must be an array, got a number",
                       what, k->p[j].name);
    if (a == NULL) continue;
    if (arr == NULL) {
      /* dtypes only */
    } else if (!have_dev) {
      *dev = lu_array_device(a); have_dev = 1; devfrom = j;
    } else if (lu_array_device(a).type != dev->type || lu_array_device(a).index != dev->index) {
      char b1[16], b2[16];
      return lu_seterr(ctx, LU_EDEVICE, "%s: parameter '%s' is on %s but parameter '%s' is on %s",
                       what, k->p[j].name, lu_device_str(lu_array_device(a), b1),
                       k->p[devfrom].name, lu_device_str(*dev, b2));
    }
    if (!supported(a->dtype))
      return lu_seterr(ctx, LU_ETYPE, "%s: parameter '%s' has dtype %s, which user kernels do not "
                       "support yet (real and bool dtypes only)", what,
                       k->p[j].name, lu_dtype_name(a->dtype));
    if (k->p[j].ph >= 0 && !bind(ctx, k, phdt, phfrom, j, a->dtype)) return LU_ETYPE;
  }
  /* scalars bind what arrays left open, with their own default dtype */
  for (j = 0; j < nargs && j < k->nin; j++)
    if (args[j].arr == NULL && k->p[j].ph >= 0 && phdt[k->p[j].ph] < 0)
      bind(ctx, k, phdt, phfrom, j, lu_scalar_dtype(args[j].s));
  for (j = 0; j < np; j++) {
    const uk_param *p = &k->p[j];
    int dt = p->dtype >= 0 ? p->dtype : phdt[p->ph];
    if (dt < 0)
      return lu_seterr(ctx, LU_ETYPE, "%s: cannot decide the dtype of output parameter '%s' "
                       "(type %s is bound by no input; pass the output)", what, p->name, p->type);
    if (!supported(dt))
      return lu_seterr(ctx, LU_ETYPE, "%s: parameter '%s' has type %s, which user kernels do not "
                       "support yet (real and bool dtypes only)", what, p->name,
                       lu_dtype_name(dt));
    vt[j] = dt;
  }
  if (k->reduction) {
    *rdt = k->rt_dtype >= 0 ? k->rt_dtype : k->rt_ph >= 0 ? phdt[k->rt_ph] : vt[k->nin];
    if (*rdt < 0)
      return lu_seterr(ctx, LU_ETYPE, "%s: cannot decide reduce_type %s (bound by no parameter)",
                       what, k->rtype);
    if (!supported(*rdt))
      return lu_seterr(ctx, LU_ETYPE, "%s: reduce_type %s is not supported", what,
                       lu_dtype_name(*rdt));
  }
  return LU_OK;
}

/* The loop's shape: the broadcast of the non-raw arrays among arr[0..np)
** (outputs given too, as CuPy), which must have `size` elements when
** size >= 0; without such arrays {size = n}'s one dim, or for a reduction
** no dim */
static int loop_shape(lu_ctx *ctx, const lu_ukernel *k, const lu_array *const *arr, int64_t size,
                      int *nd, int64_t *shape) {
  const lu_array *barr[LU_UK_MAXP];
  int j, d, nb = 0, st;
  *nd = 0;
  for (j = 0; j < (k->reduction ? k->nin : k->nin + k->nout); j++)
    if (arr[j] && !k->p[j].raw) barr[nb++] = arr[j];
  if (nb) {
    if ((st = lu_broadcast_named(ctx, k->what, nb, barr, nd, shape)) != LU_OK) return st;
    if (size >= 0) {
      int64_t n = 1;
      for (d = 0; d < *nd; d++) if (!lu_size_mul(n, shape[d], &n)) n = -1;
      if (n != size)
        return lu_seterr(ctx, LU_EARG, "%s: size=%lld does not match the inputs' broadcast size "
                         "%lld", k->what, (long long)size, (long long)n);
    }
  } else if (size >= 0) {
    *nd = 1; shape[0] = size;
  } else if (!k->reduction) {
    return lu_seterr(ctx, LU_EARG, "%s: cannot decide the loop size (no non-raw array "
                     "argument): pass {size = n}", k->what);
  }
  return LU_OK;
}

/* A Lua integer given to parameter j must fit its integer or bool dtype */
static int scalar_fits(lu_ctx *ctx, const lu_ukernel *k, int j, const lu_scalar *s, int vt) {
  if (s->kind == 'i' && strchr("iub", lu_dtype_kind(vt)) && !lu_int_fits(s->i, (lu_dtype)vt))
    return lu_seterr(ctx, LU_EARG, "%s: Lua integer %lld is out of bounds for %s (parameter "
                     "'%s')", k->what, (long long)s->i, lu_dtype_name(vt), k->p[j].name);
  return LU_OK;
}

/* The key of a binding in the memo: device type, reduce type, each
** parameter's value and storage dtypes (the placeholders' follow) */
static void binding_key(int *key, int devtype, int rdt, int np, const int *vt, const int *sd) {
  int j;
  memset(key, 0xff, UK_KEYLEN * sizeof *key);
  key[0] = devtype; key[1] = rdt; key[2] = np;
  for (j = 0; j < np; j++) { key[3 + 2 * j] = vt[j]; key[4 + 2 * j] = sd[j]; }
}

static uk_memo *memo_find(const lu_ukernel *k, const int *key) {
  int m;
  for (m = 0; m < k->nmemo; m++)
    if (memcmp(k->memo[m].key, key, UK_KEYLEN * sizeof *key) == 0) return (uk_memo *)&k->memo[m];
  return NULL;
}

int lu_ukernel_call(lu_ctx *ctx, const lu_ukernel *k, int nargs, const lu_arg *args,
                    lu_array *const *outs, int64_t size, int naxes, const int64_t *axes_in,
                    int keepdims) {
  int np = k->nin + k->nout, j, d, st = LU_OK, nd = 0, phdt[LU_UK_MAXP], vt[LU_UK_MAXP],
      sd[LU_UK_MAXP], rdt = -1, red[LU_MAXDIM] = {0}, ond = 0;
  int64_t shape[LU_MAXDIM], oshape[LU_MAXDIM];
  lu_array tmp[LU_UK_MAXP];            /* contiguous copies of raw arguments */
  const lu_array *arr[LU_UK_MAXP];     /* each parameter's array, NULL for a scalar */
  union { lu_value v; char pad[16]; } sval[LU_UK_MAXP];
  lu_device dev = lu_ctx_default_device(ctx);
  lu_uk_launch launch, *L = NULL;
  const char *what = k->what;
  /* only .buf says whether tmp[j] holds a copy: 32 whole arrays were a
  ** 10 KB memset on every call */
  for (j = 0; j < LU_UK_MAXP; j++) tmp[j].buf = NULL;
  if ((st = bind_params(ctx, k, nargs, args, arr, &dev, phdt, vt, &rdt)) != LU_OK) return st;
  for (j = 0; j < np; j++) sd[j] = -1;
  if ((st = loop_shape(ctx, k, arr, size, &nd, shape)) != LU_OK) return st;
  /* reduced axes */
  if (k->reduction) {
    if (naxes < 0) for (d = 0; d < nd; d++) red[d] = 1;
    for (j = 0; j < naxes; j++) {
      int64_t ax = axes_in[j];
      if (ax < -nd || ax > nd || ax == 0)
        return lu_seterr(ctx, LU_EINDEX, "%s: axis %lld is out of bounds for the inputs' %d "
                         "dimension%s", what, (long long)ax, nd, nd == 1 ? "" : "s");
      ax = ax < 0 ? ax + nd : ax - 1;
      if (red[ax]) return lu_seterr(ctx, LU_EARG, "%s: axis %lld is repeated", what,
                                    (long long)axes_in[j]);
      red[ax] = 1;
    }
    for (d = 0; d < nd; d++) {
      if (!red[d]) oshape[ond++] = shape[d];
      else if (keepdims) oshape[ond++] = 1;
      if (red[d] && shape[d] == 0 && !k->identity)
        return lu_seterr(ctx, LU_EARG, "%s: zero-size reduction without an identity", what);
    }
  } else {
    ond = nd;
    memcpy(oshape, shape, sizeof(int64_t) * (size_t)nd);
  }
  /* outputs: given ones checked, the others allocated */
  for (j = k->nin; j < np; j++) {
    lu_array *o = outs[j - k->nin];
    if (arr[j]) {
      if (!k->p[j].raw) {
        int same = arr[j]->ndim == ond;
        char b1[128], b2[128];
        for (d = 0; same && d < ond; d++) same = arr[j]->shape[d] == oshape[d];
        if (!same) {
          st = lu_seterr(ctx, LU_ESHAPE, "%s: output parameter '%s' has shape %s, but the "
                         "result's shape is %s", what, k->p[j].name,
                         lu_shape_str(arr[j]->ndim, arr[j]->shape, b1, sizeof b1),
                         lu_shape_str(ond, oshape, b2, sizeof b2));
          goto done;
        }
      }
      continue;
    }
    if ((st = lu_empty(ctx, o, (lu_dtype)vt[j], ond, oshape, dev)) != LU_OK) goto done;
    arr[j] = o;
  }
  /* raw parameters: C-contiguous arrays of the parameter's dtype */
  for (j = 0; j < np; j++) {
    if (!k->p[j].raw) continue;
    if (arr[j] == NULL) {
      st = lu_seterr(ctx, LU_EARG, "%s: raw parameter '%s' must be an array, got a number",
                     what, k->p[j].name);
      goto done;
    }
    if (lu_dtype_is_half(vt[j])) {
      st = lu_seterr(ctx, LU_ETYPE, "%s: raw parameter '%s' cannot be %s (a raw array's elements "
                     "must be a C type)", what, k->p[j].name, lu_dtype_name(vt[j]));
      goto done;
    }
    if (arr[j]->dtype == vt[j] && lu_array_is_contig(arr[j])) continue;
    if (j >= k->nin) {
      st = lu_seterr(ctx, LU_EARG, "%s: raw output parameter '%s' must be C-contiguous and of "
                     "dtype %s", what, k->p[j].name, lu_dtype_name(vt[j]));
      goto done;
    }
    if ((st = lu_astype(ctx, &tmp[j], arr[j], (lu_dtype)vt[j])) != LU_OK) goto done;
    if (!lu_array_is_contig(&tmp[j])) {
      lu_array c;
      memset(&c, 0, sizeof c);
      if ((st = lu_ascontig(ctx, &c, &tmp[j])) != LU_OK) goto done;
      lu_array_release(&tmp[j]);
      tmp[j] = c;
    }
    arr[j] = &tmp[j];
  }
  /* the launch: outer dims (kept), then reduced dims */
  L = &launch;   /* on the stack: a heap block per call was a tenth of a small call */
  /* zeroed where read: the stride rows of the np parameters only (the
  ** whole descriptor is 4.5 KB) */
  memset(L->shape, 0, sizeof L->shape);
  memset(L->ptr, 0, sizeof L->ptr);
  memset(L->st, 0, (size_t)np * sizeof L->st[0]);
  L->scalars = 0;
  L->lo = L->hi = 0;
  L->rngfill = NULL;
  {
    int order[LU_MAXDIM], no = 0;
    for (d = 0; d < nd; d++) if (!red[d]) order[no++] = d;
    L->nk = no;
    for (d = 0; d < nd; d++) if (red[d]) order[no++] = d;
    L->nr = no - L->nk;
    L->nout = 1; L->nred = 1;
    for (d = 0; d < nd; d++) {
      int64_t *n = d < L->nk ? &L->nout : &L->nred;
      L->shape[d] = shape[order[d]];
      if (!lu_size_mul(*n, L->shape[d], n)) {
        st = lu_seterr(ctx, LU_EMEM, "%s: the loop is too large", what);
        goto done;
      }
    }
    L->n = L->nout;
    for (j = 0; j < np; j++) {
      const lu_array *a = arr[j];
      if (a == NULL) {                  /* a scalar: its value, stride 0 */
        if ((st = scalar_fits(ctx, k, j, &args[j].s, vt[j])) != LU_OK) goto done;
        memset(&sval[j], 0, sizeof sval[j]);
        lu_value_store(&sval[j], (lu_dtype)vt[j], lu_value_from_scalar(args[j].s, (lu_dtype)vt[j]));
        L->ptr[j] = (char *)&sval[j];
        L->scalars |= 1u << j;
        continue;
      }
      L->ptr[j] = lu_array_data(a);
      if (!k->p[j].raw) sd[j] = a->dtype;
      if (k->p[j].raw) continue;
      if (k->reduction && j >= k->nin) {   /* the output: kept dims only */
        int od = 0;
        for (d = 0; d < nd; d++) {
          if (red[d] && !keepdims) continue;
          if (!red[d]) {
            int pos = 0;
            while (order[pos] != d) pos++;
            L->st[j][pos] = a->shape[od] == 1 ? 0 : a->strides[od];
          }
          od++;
        }
        continue;
      }
      for (d = 0; d < nd; d++) {
        int ad = a->ndim - nd + order[d];
        L->st[j][d] = (ad < 0 || a->shape[ad] == 1) ? 0 : a->strides[ad];
      }
    }
  }
  if (L->nout == 0 || (L->nred == 0 && !k->reduction)) goto done;
  lu_uk_merge_dims(L, np);
  L->lo = 0;
  L->hi = L->nout;
  {
    /* the binding: device type, reduce type, each parameter's value and
    ** storage dtypes (the placeholders' dtypes follow from them) */
    int key[UK_KEYLEN];
    uk_memo *hit;
    lu_ukernel *mk = (lu_ukernel *)k;   /* the memo is a cache, not state */
    binding_key(key, dev.type, rdt, np, vt, sd);
    if ((hit = memo_find(k, key)) == NULL) {
      char *text = dev.type == LU_DEV_CPU ? make_source(k, vt, sd, phdt, rdt)
                                          : lu_ukernel_cuda_source(k, vt, sd, phdt, rdt);
      if (text == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", what); goto done; }
      if (mk->nmemo < UK_MEMO) hit = &mk->memo[mk->nmemo++];
      else { hit = &mk->memo[mk->next_memo]; mk->next_memo = (mk->next_memo + 1) % UK_MEMO; free(hit->src); }
      memcpy(hit->key, key, sizeof key);
      hit->src = text;
      hit->hash = lu_text_hash(text);
      hit->per_thread = k->reduction ? 1 : vector_width(k, sd);
      if (hit->per_thread < 1) hit->per_thread = 1;
      hit->ran = 0;
    }
    if (dev.type == LU_DEV_CPU) st = lu_cpu_ukernel_run(ctx, what, hit->src, hit->hash, L);
#ifdef LUNAR_HAVE_CUDA
    else if (dev.type == LU_DEV_CUDA)
      st = lu_cuda_ukernel_run(ctx, what, hit->src, hit->hash, L, np, k->reduction,
                               hit->per_thread, dev);
#endif
    else st = lu_unavailable(ctx, what, dev);
    if (st == LU_OK) hit->ran = 1;   /* it compiled: lu_ukernel_fusion may record */
  }
  if (st == LU_OK) st = lu_after_op(ctx, dev);
done:
  for (j = 0; j < LU_UK_MAXP; j++) if (tmp[j].buf) lu_array_release(&tmp[j]);
  if (st != LU_OK)
    for (j = 0; j < k->nout; j++) if (outs[j] && outs[j]->buf) lu_array_release(outs[j]);
  return st;
}
/* {------------------------------------------------------ automatic fusion */
uint64_t lu_ukernel_key(const lu_ukernel *k) { return k->key; }

int lu_ukernel_bind_inputs(lu_ctx *ctx, const lu_ukernel *k, int nin, const lu_arg *args, int *vt) {
  int phdt[LU_UK_MAXP], rdt, j, st;
  if ((st = bind_params(ctx, k, nin, args, NULL, NULL, phdt, vt, &rdt)) != LU_OK) return st;
  for (j = 0; j < nin; j++)
    if (args[j].arr == NULL && (st = scalar_fits(ctx, k, j, &args[j].s, vt[j])) != LU_OK) return st;
  return LU_OK;
}

int lu_ukernel_fusion(lu_ctx *ctx, const lu_ukernel *k, int nargs, const lu_arg *args, int devtype,
                      int *vt, int *nd, int64_t *shape) {
  const lu_array *arr[LU_UK_MAXP];
  int sd[LU_UK_MAXP], key[UK_KEYLEN], j, np = k->nin + k->nout;
  const uk_memo *hit;
  if (!k->fusable || nargs != k->nin) return LU_EARG;
  if (lu_ukernel_bind_inputs(ctx, k, nargs, args, vt) != LU_OK) return LU_ETYPE;
  for (j = 0; j < np; j++) {
    const lu_arg *a = j < nargs ? &args[j] : NULL;
    arr[j] = a ? a->arr : NULL;
    sd[j] = a == NULL ? vt[j] : a->arr ? (int)a->arr->dtype : -1;
    /* a fused program converts a Lua number as the user kernel does (through
    ** lu_value_from_scalar's steps), except a float into an integer
    ** parameter, which lunar's defined cast (lu_d2int) makes */
    if (a && a->arr == NULL && (a->s.kind == 'c' || (a->s.kind == 'f' && lu_dtype_kind(vt[j]) != 'f')))
      return LU_ETYPE;
  }
  if (loop_shape(ctx, k, arr, -1, nd, shape) != LU_OK) return LU_ESHAPE;
  binding_key(key, devtype, -1, np, vt, sd);
  hit = memo_find(k, key);
  return hit != NULL && hit->ran ? LU_OK : LU_EARG;
}

void lu_ukernel_put_fn(lu_uk_text *b, const lu_ukernel *k, const char *fname, const int *vt,
                       int cuda) {
  int phdt[LU_UK_MAXP], j, o = k->nin;
  for (j = 0; j < LU_UK_MAXP; j++) phdt[j] = -1;
  for (j = 0; j <= o; j++) if (k->p[j].ph >= 0) phdt[k->p[j].ph] = vt[j];
  lu_uk_put(b, "%s %s %s(", cuda ? "static __device__ __forceinline__" : "static inline",
            vtype(vt[o]), fname);
  for (j = 0; j < o; j++) lu_uk_put(b, "%sconst %s %s", j ? ", " : "", vtype(vt[j]), k->p[j].name);
  lu_uk_put(b, "%s) {\n  %s %s = 0;\n", o ? "" : "void", vtype(vt[o]), k->p[o].name);
  put_ph_typedefs(b, k, phdt, "  ");
  put_operation(b, k, "  ");
  lu_uk_put(b, "  return %s;\n}\n", k->p[o].name);
}
/* }------------------------------------------------------ */
/* }====================================================== */
