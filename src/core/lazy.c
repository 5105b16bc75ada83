/* SPDX-License-Identifier: MIT */
/*
** Automatic fusion (doc/design-notes.md, "Automatic fusion"). An
** elementwise op whose operands check out (the unfused op's dtype rules,
** broadcasting, one device) is recorded as a node instead of run; its
** operands are arrays, Lua numbers or earlier pending nodes. When a value
** is needed the chain behind it becomes one lu_fuse program, run through
** fuse.c (a one-node chain runs the built-in kernel instead, so a lone op
** never waits for a compiler).
**
** Semantics stay those of unfused execution because a pending node holds
** views of its operands (their buffers cannot go away) and nothing can
** write an operand's buffer before the nodes that read it are computed:
** every use of an array outside the fusable ops passes lu_lazy_touch,
** which computes the readers of its buffer first. A table of buffers read
** by pending nodes (with counts) makes that check one lookup.
**
** Limits: a chain stops growing at FZ nodes or leaves (its operand is
** computed first and becomes a leaf), and at most MAXROOTS values that no
** other pending value reads stay pending (the oldest is computed), so a
** loop of independent expressions does the work of unfused execution and
** holds as much memory, while a dependent loop (x = x * 0.999 + 0.001)
** fuses up to MAXNODE of its ops into one kernel.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_ctx.h"
#include "lu_fuse.h"
#include "lu_hostmem.h"
#include "lu_lazy.h"

#define MAXNODE 48      /* nodes of one chain (lu_fuse's limit is 64) */
#define MAXLEAF 20      /* leaves of one chain (lu_fuse's is 24) */
#define MAXROOTS 8      /* pending values no pending value reads */
#define NREAD 1024      /* slots of the readers table (a power of 2) */
#define NPROG 128       /* programs kept with their lu_fused */
#define NSPARE 256      /* freed nodes kept for the next ones */

typedef struct lz_in {
  lu_lazy *node;        /* a pending (or computed) value, or NULL: */
  lu_arg arg;           /* an array (a view held) or a Lua number */
  lu_array view;
} lz_in;

struct lu_lazy {
  int refs;             /* handles of the binding + nodes reading it */
  int pending;          /* not computed yet (in the list) */
  int absorbed;         /* read by a pending node once: no longer a root even
                           when that reader is computed or gone (an
                           orphan: computed only if used) */
  lu_ctx *ctx;
  lu_device dev;
  int op, nin;
  lz_in in[3];
  lu_dtype dtype;
  int ndim;
  int64_t shape[LU_MAXDIM];
  lu_array done;        /* the value, once computed */
  int nodes, leaves;    /* bounds of the chain behind it (pending part) */
  lu_lazy *prev, *next; /* the pending list, in the order of recording */
};

typedef struct lz_prog {
  uint64_t hash;
  lu_fuse_prog p;
  lu_fused *f;
} lz_prog;

typedef struct lu_lazyst {
  lu_lazy *head, *tail;
  int npending, nroots, busy;
  lu_lazy **dead;       /* freed while busy: released when the work ends */
  int ndead, cdead;
  struct { const lu_buffer *b; int n; } read[NREAD];
  lz_prog *prog[NPROG];
  int nprog, nextprog;
  lu_lazy *spare[NSPARE];   /* a loop records and frees a node per op */
  int nspare;
} lu_lazyst;

/* {====================================================== state */
int lu_fusion_mode(const lu_ctx *ctx) { return ctx->fusion; }

int lu_set_fusion_mode(lu_ctx *ctx, int mode) {
  int st = mode == LU_FUSION_OFF ? lu_lazy_flush(ctx) : LU_OK;
  if (st == LU_OK) ctx->fusion = mode;
  return st;
}

static lu_lazyst *state(lu_ctx *ctx) {
  if (ctx->lazy == NULL) ctx->lazy = (lu_lazyst *)lu_calloc(1, sizeof(lu_lazyst));
  return ctx->lazy;
}

int lu_lazy_pending(const lu_ctx *ctx) { return ctx->lazy ? ctx->lazy->npending : 0; }

lu_device lu_lazy_device(const lu_lazy *p) { return p->dev; }

/* The readers table: open addressing, deleted by shifting back. */
static unsigned rslot(const lu_buffer *b) {
  uintptr_t x = (uintptr_t)b;
  x ^= x >> 17; x *= 0x9e3779b97f4a7c15ull; x ^= x >> 29;
  return (unsigned)x & (NREAD - 1);
}

static int rfind(const lu_lazyst *s, const lu_buffer *b) {
  unsigned i = rslot(b), n;
  for (n = 0; n < NREAD; n++, i = (i + 1) & (NREAD - 1)) {
    if (s->read[i].b == b) return (int)i;
    if (s->read[i].b == NULL) return -1;
  }
  return -1;
}

/* Count one more reader of b; 0 when the table is full (the caller then
** does not record). */
static int radd(lu_lazyst *s, const lu_buffer *b) {
  unsigned i = rslot(b), n;
  for (n = 0; n < NREAD / 2; n++, i = (i + 1) & (NREAD - 1)) {
    if (s->read[i].b == b) { s->read[i].n++; return 1; }
    if (s->read[i].b == NULL) { s->read[i].b = b; s->read[i].n = 1; return 1; }
  }
  return 0;
}

static void rdel(lu_lazyst *s, const lu_buffer *b) {
  int at = rfind(s, b);
  unsigned i, j;
  if (at < 0 || --s->read[at].n > 0) return;
  i = (unsigned)at;
  s->read[i].b = NULL;
  for (j = (i + 1) & (NREAD - 1); s->read[j].b != NULL; j = (j + 1) & (NREAD - 1)) {
    unsigned h = rslot(s->read[j].b);
    /* move j back to i unless its home lies cyclically in (i, j] */
    if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
      s->read[i] = s->read[j];
      s->read[j].b = NULL;
      i = j;
    }
  }
}
/* }====================================================== */

/* {====================================================== nodes */
static void unlink_pending(lu_lazyst *s, lu_lazy *p) {
  int k;
  if (!p->pending) return;
  p->pending = 0;
  if (p->prev) p->prev->next = p->next; else s->head = p->next;
  if (p->next) p->next->prev = p->prev; else s->tail = p->prev;
  p->prev = p->next = NULL;
  s->npending--;
  if (!p->absorbed) s->nroots--;
  for (k = 0; k < p->nin; k++)
    if (p->in[k].node == NULL && p->in[k].arg.arr) rdel(s, p->in[k].view.buf);
}

static void node_free(lu_lazy *p);

/* Let go of p's operands (p is computed or going). */
static void drop_inputs(lu_lazy *p) {
  int k;
  for (k = 0; k < p->nin; k++) {
    lu_lazy *c = p->in[k].node;
    if (c != NULL) {
      p->in[k].node = NULL;
      lu_lazy_unref(c);
    } else if (p->in[k].arg.arr) {
      lu_array_release(&p->in[k].view);
      p->in[k].arg.arr = NULL;
    }
  }
  p->nin = 0;
}

static void node_free(lu_lazy *p) {
  lu_lazyst *s = p->ctx->lazy;
  unlink_pending(s, p);
  drop_inputs(p);
  lu_array_release(&p->done);
  if (s->nspare < NSPARE) s->spare[s->nspare++] = p;
  else free(p);
}

static lu_lazy *node_new(lu_lazyst *s) {
  lu_lazy *p;
  if (s->nspare == 0) return (lu_lazy *)lu_calloc(1, sizeof(lu_lazy));
  p = s->spare[--s->nspare];
  memset(p, 0, sizeof *p);
  return p;
}

void lu_lazy_unref(lu_lazy *p) {
  lu_lazyst *s;
  if (p == NULL || --p->refs > 0) return;
  s = p->ctx->lazy;
  if (s->busy) {   /* a finalizer inside our own work: later */
    if (s->ndead == s->cdead) {
      int c = s->cdead ? 2 * s->cdead : 16;
      lu_lazy **d = (lu_lazy **)lu_realloc(s->dead, (size_t)c * sizeof *d);
      if (d == NULL) { p->refs = 1; return; }   /* kept: freed with the context */
      s->dead = d;
      s->cdead = c;
    }
    s->dead[s->ndead++] = p;
    return;
  }
  node_free(p);
}

static void enter(lu_lazyst *s) { s->busy++; }

static void leave(lu_lazyst *s) {
  if (--s->busy > 0) return;
  while (s->ndead > 0) node_free(s->dead[--s->ndead]);
}
/* }====================================================== */

/* {====================================================== programs */
typedef struct lz_build {
  lu_fuse_prog p;
  lu_arg leaf[LU_FUSE_MAXLEAF];
  const lu_lazy *node[LU_FUSE_MAXNODE];
} lz_build;

static int same_arg(const lu_arg *a, const lu_arg *b) {
  int i;
  if ((a->arr == NULL) != (b->arr == NULL)) return 0;
  if (a->arr == NULL)
    return a->s.kind == b->s.kind && a->s.i == b->s.i &&
           memcmp(&a->s.f, &b->s.f, sizeof a->s.f) == 0;
  if (a->arr->buf != b->arr->buf || a->arr->offset != b->arr->offset ||
      a->arr->dtype != b->arr->dtype || a->arr->ndim != b->arr->ndim)
    return 0;
  for (i = 0; i < a->arr->ndim; i++)
    if (a->arr->shape[i] != b->arr->shape[i] || a->arr->strides[i] != b->arr->strides[i])
      return 0;
  return 1;
}

static int add_leaf(lz_build *b, const lu_arg *a) {
  int i;
  for (i = 0; i < b->p.nleaf; i++)
    if (same_arg(&b->leaf[i], a)) return i;
  if (b->p.nleaf == LU_FUSE_MAXLEAF) return -100000;
  b->leaf[b->p.nleaf] = *a;
  return b->p.nleaf++;
}

static int add_node(lz_build *b, const lu_lazy *p);

/* An operand: a pending value (its chain), a computed one or an array or
** number (a leaf); its reference, or < -LU_FUSE_MAXNODE when too large */
static int add_operand(lz_build *b, const lu_lazy *c, const lu_arg *arg) {
  lu_arg a;
  if (c != NULL && c->pending) return add_node(b, c);
  if (c == NULL) return add_leaf(b, arg);
  a = lu_arg_array(&c->done);
  return add_leaf(b, &a);
}

/* Node p (pending) and the pending chain behind it, operands first;
** returns its reference (-1 - index) or a value < -LU_FUSE_MAXNODE when
** the program is too large. */
static int add_node(lz_build *b, const lu_lazy *p) {
  int i, k, r[3] = {0, 0, 0};
  for (i = 0; i < b->p.nnode; i++)
    if (b->node[i] == p) return -1 - i;
  for (k = 0; k < p->nin; k++)
    if ((r[k] = add_operand(b, p->in[k].node, &p->in[k].arg)) < -LU_FUSE_MAXNODE) return r[k];
  if (b->p.nnode == LU_FUSE_MAXNODE) return -100000;
  i = b->p.nnode++;
  b->node[i] = p;
  b->p.node[i].op = p->op;
  for (k = 0; k < 3; k++) b->p.node[i].in[k] = k < p->nin ? r[k] : 0;
  return -1 - i;
}

static uint64_t prog_hash(const lu_fuse_prog *p) {
  const unsigned char *c = (const unsigned char *)p;
  uint64_t h = 1469598103934665603ull;
  size_t i;
  for (i = 0; i < sizeof *p; i++) { h ^= c[i]; h *= 1099511628211ull; }
  return h;
}

/* The lu_fused of program p, kept by the context (NPROG of them, the
** oldest replaced). */
static lu_fused *prog_get(lu_ctx *ctx, lu_lazyst *s, const lu_fuse_prog *p) {
  uint64_t h = prog_hash(p);
  lz_prog *e;
  int i;
  for (i = 0; i < s->nprog; i++)
    if (s->prog[i]->hash == h && memcmp(&s->prog[i]->p, p, sizeof *p) == 0) return s->prog[i]->f;
  e = (lz_prog *)lu_calloc(1, sizeof *e);
  if (e == NULL) return NULL;
  if (lu_fuse_new(ctx, &e->f, p) != LU_OK) { free(e); return NULL; }
  e->hash = h;
  e->p = *p;
  if (s->nprog < NPROG) {
    s->prog[s->nprog++] = e;
  } else {
    lz_prog *old = s->prog[s->nextprog];
    lu_fuse_free(old->f);
    free(old);
    s->prog[s->nextprog] = e;
    s->nextprog = (s->nextprog + 1) % NPROG;
  }
  return e->f;
}

/* Run b's nodes one by one with the unfused op (a fused call that
** failed): the value of node `last` into out. */
static int run_unfused(lu_ctx *ctx, const lz_build *b, int last, lu_array *out) {
  lu_array tmp[LU_FUSE_MAXNODE];
  int i, k, st = LU_OK;
  memset(tmp, 0, sizeof tmp);
  for (i = 0; i <= last && st == LU_OK; i++) {
    const lu_fuse_node *n = &b->p.node[i];
    lu_arg a[3];
    memset(a, 0, sizeof a);
    for (k = 0; k < lu_ops[n->op].nin; k++)
      a[k] = n->in[k] >= 0 ? b->leaf[n->in[k]] : lu_arg_array(&tmp[-1 - n->in[k]]);
    st = lu_ewise(ctx, (lu_op)n->op, lu_ops[n->op].nin, a, i == last ? out : &tmp[i]);
  }
  for (i = 0; i < last; i++) lu_array_release(&tmp[i]);
  return st;
}

/* A node whose operands are all arrays, numbers or computed values runs
** the built-in kernel, without building a program (the common lone op) */
static int compute_alone(lu_ctx *ctx, lu_lazy *p, int *st) {
  lu_arg a[3];
  int k;
  for (k = 0; k < p->nin; k++) {
    const lu_lazy *c = p->in[k].node;
    if (c != NULL && c->pending) return 0;
    a[k] = c != NULL ? lu_arg_array(&c->done) : p->in[k].arg;
  }
  *st = lu_ewise(ctx, (lu_op)p->op, p->nin, a, &p->done);
  return 1;
}

/* Compute pending p into p->done: a lone op by the built-in kernel, a
** chain (two nodes or more) as one program. */
static int compute(lu_ctx *ctx, lu_lazyst *s, lu_lazy *p) {
  lz_build *b = NULL;
  int r, st;
  if (!p->pending) return LU_OK;
  memset(&p->done, 0, sizeof p->done);
  enter(s);
  if (!compute_alone(ctx, p, &st)) {
    if ((b = (lz_build *)lu_calloc(1, sizeof *b)) == NULL) {
      st = lu_seterr(ctx, LU_EMEM, "out of memory");
    } else if ((r = add_node(b, p)) < -LU_FUSE_MAXNODE) {   /* the limits keep this from happening */
      st = lu_seterr(ctx, LU_EARG, "fusion: a chain outgrew its program");
    } else {
      lu_fused *f;
      lu_array *out = &p->done;
      b->p.nres = 1;
      b->p.res[0] = r;
      b->p.red = -1;
      b->p.naxes = -1;
      f = prog_get(ctx, s, &b->p);
      st = f ? lu_fuse_call(ctx, f, b->p.nleaf, b->leaf, &out) : LU_EMEM;
      if (st != LU_OK) {
        /* a kernel that did not build (no host compiler, say): the same
        ** ops unfused, whose errors are the ops' own */
        lu_array_release(&p->done);
        ctx->err = LU_OK;
        st = run_unfused(ctx, b, b->p.nnode - 1, &p->done);
      }
    }
    free(b);
  }
  if (st == LU_OK) {
    unlink_pending(s, p);
    drop_inputs(p);
  }
  leave(s);
  return st;
}

/* Compute the oldest root other than `keep`, if any */
static int compute_oldest_root(lu_ctx *ctx, lu_lazyst *s, const lu_lazy *keep) {
  lu_lazy *q;
  for (q = s->head; q; q = q->next)
    if (q != keep && !q->absorbed && q->refs > 0) return compute(ctx, s, q);
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== recording */
static void shape_of(lu_array *a, const lu_lazy *p) {
  int i;
  memset(a, 0, sizeof *a);
  a->dtype = p->dtype;
  a->ndim = p->ndim;
  for (i = 0; i < p->ndim; i++) a->shape[i] = p->shape[i];
  lu_contig_strides(p->ndim, p->shape, lu_dtype_size(p->dtype), a->strides);
  lu_array_update(a);
}

/* The nodes and distinct leaves of the chain a new node on these operands
** would have (the recorded bounds add up shared operands and repeated
** numbers); left as they are when no memory */
static void exact_size(lu_lazy *const *pend, const lu_arg *args, int nin, int *nodes,
                       int *leaves) {
  lz_build *b = (lz_build *)lu_calloc(1, sizeof *b);
  int k, r = 0;
  if (b == NULL) return;
  for (k = 0; k < nin && r >= -LU_FUSE_MAXNODE; k++) r = add_operand(b, pend[k], &args[k]);
  if (r >= -LU_FUSE_MAXNODE) { *nodes = b->p.nnode + 1; *leaves = b->p.nleaf; }
  free(b);
}

/* Whether the op on these operands records; fills the node's dtype, shape
** and device. */
static int check(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_lazy *const *pend,
                 lu_lazy *n) {
  const lu_array *arrs[3];
  lu_dtype ct, rt;
  int k, na = 0, have = 0;
  if (op < 0 || op >= LU_NOPS || lu_ops[op].name[0] == '_' || nin != lu_ops[op].nin) return 0;
  for (k = 0; k < nin; k++) {
    lu_device d;
    if (pend && pend[k]) d = pend[k]->dev;
    else if (args[k].arr) {
      if (args[k].arr->buf == NULL) return 0;
      d = lu_array_device(args[k].arr);
    } else {
      continue;
    }
    if (have && !lu_device_eq(d, n->dev)) return 0;
    n->dev = d;
    have = 1;
    arrs[na++] = args[k].arr;
  }
  if (!have) return 0;
  if (ctx->fusion == LU_FUSION_OFF || (ctx->fusion == LU_FUSION_GPU && n->dev.type == LU_DEV_CPU))
    return 0;
  if (lu_fuse_node_check(ctx, op, args, &ct, &rt) != LU_OK) return 0;
  if (lu_broadcast_shapes(ctx, na, arrs, &n->ndim, n->shape) != LU_OK) return 0;
  n->dtype = rt;
  for (k = 0; k < n->ndim; k++) if (n->shape[k] == 0) return 0;   /* nothing to fuse */
  return 1;
}

int lu_lazy_ewise(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_lazy *const *pend,
                  lu_lazy **out, lu_array *res) {
  lu_lazyst *s;
  lu_lazy *n;
  int k, st = 1;
  *out = NULL;
  if (ctx->fusion == LU_FUSION_OFF || (s = state(ctx)) == NULL) return 1;
  if ((n = node_new(s)) == NULL) return 1;
  n->ctx = ctx;
  enter(s);
  if (!check(ctx, op, nin, args, pend, n)) goto decline;
  /* a chain at its limits: its largest pending operand is computed first */
  for (;;) {
    int nodes = 1, leaves = 0, big = -1;
    for (k = 0; k < nin; k++) {
      lu_lazy *c = pend ? pend[k] : NULL;
      if (c && c->pending) {
        nodes += c->nodes;
        leaves += c->leaves;
        if (big < 0 || c->nodes > pend[big]->nodes) big = k;
      } else {
        leaves++;
      }
    }
    if ((nodes > MAXNODE || leaves > MAXLEAF) && big >= 0)
      exact_size(pend, args, nin, &nodes, &leaves);   /* the bounds count shared parts twice */
    if (nodes <= MAXNODE && leaves <= MAXLEAF) { n->nodes = nodes; n->leaves = leaves; break; }
    if (big < 0 || compute(ctx, s, pend[big]) != LU_OK) goto decline;
  }
  /* the readers table first: when it is full nothing is recorded */
  for (k = 0; k < nin; k++) {
    if ((pend && pend[k]) || args[k].arr == NULL) continue;
    if (!radd(s, args[k].arr->buf)) {
      while (--k >= 0)
        if (!(pend && pend[k]) && args[k].arr) rdel(s, args[k].arr->buf);
      goto decline;
    }
  }
  for (k = 0; k < nin; k++) {
    if (pend && pend[k]) {
      n->in[k].node = pend[k];
      pend[k]->refs++;
      if (pend[k]->pending) {
        if (!pend[k]->absorbed) s->nroots--;
        pend[k]->absorbed = 1;
      }
    } else if (args[k].arr) {
      lu_array_share(&n->in[k].view, args[k].arr);
      n->in[k].arg = lu_arg_array(&n->in[k].view);
    } else {
      n->in[k].arg = args[k];
    }
  }
  n->op = op;
  n->nin = nin;
  n->refs = 1;
  n->pending = 1;
  n->prev = s->tail;
  if (s->tail) s->tail->next = n; else s->head = n;
  s->tail = n;
  s->npending++;
  s->nroots++;
  ctx->counters.deferred++;
  /* if the oldest value fails (out of memory) it stays pending and reports
  ** when it is used; this one is recorded all the same */
  if (s->nroots > MAXROOTS) (void)compute_oldest_root(ctx, s, n);
  shape_of(res, n);
  *out = n;
  st = LU_OK;
  ctx->err = LU_OK;
  leave(s);
  return st;
decline:
  ctx->err = LU_OK;
  ctx->errmsg[0] = '\0';
  if (s->nspare < NSPARE) s->spare[s->nspare++] = n;
  else free(n);
  leave(s);
  return 1;
}
/* }====================================================== */

/* {====================================================== values */
int lu_lazy_get(lu_ctx *ctx, lu_lazy *p, lu_array *out) {
  int st = LU_OK;
  memset(out, 0, sizeof *out);
  if (p->pending) {
    lu_lazyst *s = state(ctx);
    enter(s);
    st = compute(ctx, s, p);
    leave(s);
  }
  if (st == LU_OK) lu_array_share(out, &p->done);
  return st;
}

int lu_lazy_touch(lu_ctx *ctx, const lu_buffer *b) {
  lu_lazyst *s = ctx->lazy;
  lu_lazy *q, *next;
  int st = LU_OK;
  if (s == NULL || s->npending == 0 || b == NULL || rfind(s, b) < 0) return LU_OK;
  enter(s);
  /* the list is in the order of recording: operands before their readers */
  for (q = s->head; q && st == LU_OK; q = next) {
    int k, reads = 0;
    next = q->next;
    for (k = 0; k < q->nin; k++)
      if (q->in[k].node == NULL && q->in[k].arg.arr && q->in[k].view.buf == b) reads = 1;
    if (reads) {
      st = compute(ctx, s, q);
      next = s->head;   /* computing may have changed the list */
    }
  }
  leave(s);
  return st;
}

static int flush(lu_ctx *ctx, int all) {
  lu_lazyst *s = ctx->lazy;
  lu_lazy *q;
  int st = LU_OK;
  if (s == NULL || s->npending == 0) return LU_OK;
  enter(s);
  for (q = s->head; q && st == LU_OK;) {
    if ((all || !q->absorbed) && q->refs > 0) {
      st = compute(ctx, s, q);
      q = s->head;
    } else {
      q = q->next;
    }
  }
  leave(s);
  return st;
}

int lu_lazy_flush(lu_ctx *ctx) { return flush(ctx, 0); }

int lu_lazy_flush_all(lu_ctx *ctx) { return flush(ctx, 1); }

int lu_lazy_reduce(lu_ctx *ctx, lu_lazy *p, lu_redop red, int naxes, const int *axes,
                   int keepdims, lu_array *out) {
  lu_lazyst *s = state(ctx);
  lz_build *b;
  lu_fused *f;
  int r, i, st = 1;
  memset(out, 0, sizeof *out);
  if (s == NULL || !p->pending || p->nodes < 1) return 1;
  b = (lz_build *)lu_calloc(1, sizeof *b);
  if (b == NULL) return 1;
  enter(s);
  r = add_node(b, p);
  if (r >= -LU_FUSE_MAXNODE) {
    b->p.nres = 1;
    b->p.res[0] = r;
    b->p.red = (int)red;
    b->p.naxes = naxes;
    for (i = 0; i < naxes && i < LU_MAXDIM; i++) b->p.axes[i] = axes[i] + 1;
    b->p.keepdims = keepdims;
    f = prog_get(ctx, s, &b->p);
    if (f != NULL) {
      lu_array *o = out;
      st = lu_fuse_call(ctx, f, b->p.nleaf, b->leaf, &o);
      if (st != LU_OK) { lu_array_release(out); st = 1; }
    }
  }
  free(b);
  ctx->err = LU_OK;
  leave(s);
  return st;
}

void lu_lazy_shutdown(lu_ctx *ctx) {
  lu_lazyst *s = ctx->lazy;
  int i;
  if (s == NULL) return;
  for (i = 0; i < s->nprog; i++) { lu_fuse_free(s->prog[i]->f); free(s->prog[i]); }
  while (s->nspare > 0) free(s->spare[--s->nspare]);
  free(s->dead);
  free(s);
  ctx->lazy = NULL;
}
/* }====================================================== */
