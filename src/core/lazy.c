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
#include "lu_ukernel.h"

#define MAXNODE 48      /* nodes of one chain (lu_fuse's limit is 64) */
#define MAXLEAF 20      /* leaves of one chain (lu_fuse's is 24) */
#define MAXROOTS 8      /* pending values no pending value reads */
#define NREAD 1024      /* slots of the readers table (a power of 2) */
#define NPROG 128       /* programs kept with their lu_fused */
#define NSPARE 1024     /* freed nodes kept for the next ones (a collection
                           frees many at once, and a node is 2 KB) */
#define NSEEN 16        /* hashes of the batches of roots seen lately */

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
  int op, nin;          /* an lu_op, or with redk > 0 an lu_redop */
  lu_ukernel *uk;       /* or a call of this ElementwiseKernel (a reference
                           held while pending: the Lua object may go) */
  int redk;             /* > 0: a reduction of in[0] over its last redk
                           axes, keeping them (lu_lazy_reduce_defer) */
  lz_in in[3];
  lu_dtype dtype;
  int ndim;
  int64_t shape[LU_MAXDIM];
  lu_array done;        /* the value, once computed */
  int rng;              /* > 0: a random draw (lu_lazy_random), 1 + its
                           lu_randdist; no operands */
  lu_fuse_rng rbuf;     /* its place in the stream, the stand-in buffer of */
  lu_array rview;       /* the leaf that fused programs read */
  int inlined;          /* a draw computed inside a fused program once: the
                           next chain that reads it computes it first (a
                           loop over a drawn array drew it at every step) */
  int nodes, leaves;    /* bounds of the chain behind it (pending part) */
  lu_lazy *prev, *next; /* the pending list, in the order of recording */
};

typedef struct lz_prog {
  uint64_t hash;
  lu_fuse_prog p;
  lu_fused *f;          /* made on first use: an elementwise program */
  lu_rows *rows;        /* or a row program (it has reductions) */
  int broken;           /* 1: f's kernel, 2: rows' kernel failed (fell_back):
                           later calls run unfused at once */
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
  uint64_t seen[NSEEN];     /* compute_batch's programs met once */
  int nextseen;
  int batch;                /* batches of roots: 0 none, 1 on GPUs, 2 on
                               every device (LUNAR_FUSE_BATCH=0/gpu/all;
                               "all" lets the specs run them on the CPU) */
} lu_lazyst;

/* {====================================================== state */
int lu_fusion_mode(const lu_ctx *ctx) { return ctx->fusion; }

int lu_set_fusion_mode(lu_ctx *ctx, int mode) {
  int st = mode == LU_FUSION_OFF ? lu_lazy_flush(ctx) : LU_OK;
  if (st == LU_OK) ctx->fusion = mode;
  return st;
}

static lu_lazyst *state(lu_ctx *ctx) {
  if (ctx->lazy == NULL && (ctx->lazy = (lu_lazyst *)lu_calloc(1, sizeof(lu_lazyst))) != NULL) {
    const char *e = getenv("LUNAR_FUSE_BATCH");
    ctx->lazy->batch = e == NULL ? 1 : strcmp(e, "all") == 0 ? 2 : strcmp(e, "0") == 0 ? 0 : 1;
  }
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
  lu_ukernel_free(p->uk);   /* computed: only programs may still want it */
  p->uk = NULL;
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
  int nred;             /* reduction nodes in it */
  lu_arg leaf[LU_FUSE_MAXLEAF];
  lu_lazy *rleaf[LU_FUSE_MAXLEAF];   /* the pending random draw behind a leaf */
  const lu_lazy *node[LU_FUSE_MAXNODE];
  lu_ukernel *uk[LU_FUSE_MAXUK];     /* the user kernels of p.ukey, borrowed from
                                        the nodes (pending while b is used) */
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

/* The program's index of user kernel k (its key), added if new; -1 when
** the program has its fill of kernels */
static int add_uk(lz_build *b, lu_ukernel *k, int nin) {
  uint64_t key = lu_ukernel_key(k);
  int j;
  for (j = 0; j < b->p.nuk; j++)
    if (b->p.ukey[j] == key && b->p.uknin[j] == nin) return j;
  if (b->p.nuk == LU_FUSE_MAXUK) return -1;
  b->p.ukey[j] = key;
  b->p.uknin[j] = nin;
  b->uk[j] = k;
  return b->p.nuk++;
}

/* An operand: a pending value (its chain), a computed one or an array or
** number (a leaf); its reference, or < -LU_FUSE_MAXNODE when too large */
static int add_operand(lz_build *b, const lu_lazy *c, const lu_arg *arg) {
  lu_arg a;
  if (c != NULL && c->pending && c->rng) {   /* a random draw: a leaf the kernel computes */
    int r;
    a = lu_arg_array(&c->rview);
    if ((r = add_leaf(b, &a)) >= 0) b->rleaf[r] = (lu_lazy *)c;
    return r;
  }
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
  if (p->uk != NULL) {   /* a user kernel's call: op names the program's kernel */
    int j = add_uk(b, p->uk, p->nin);
    if (j < 0) return -100000;
    i = b->p.nnode++;
    b->p.node[i].op = LU_FUSE_UK + j;
  } else {
    i = b->p.nnode++;
    b->p.node[i].op = p->op;
  }
  b->node[i] = p;
  b->p.node[i].redk = p->redk;
  if (p->redk > 0) b->nred++;
  for (k = 0; k < 3; k++) b->p.node[i].in[k] = k < p->nin ? r[k] : 0;
  return -1 - i;
}

/* FNV-1a over the program's 8-byte words (programs are built zeroed, so
** their padding and unused nodes are zeros; a byte at a time took 2 us) */
static uint64_t prog_hash(const lu_fuse_prog *p) {
  const unsigned char *c = (const unsigned char *)p;
  uint64_t h = 1469598103934665603ull, w;
  size_t i;
  for (i = 0; i + 8 <= sizeof *p; i += 8) {
    memcpy(&w, c + i, 8);
    h ^= w;
    h *= 1099511628211ull;
  }
  for (; i < sizeof *p; i++) { h ^= c[i]; h *= 1099511628211ull; }
  return h;
}

static void prog_free(lz_prog *e) {
  lu_fuse_free(e->f);
  lu_fuse_rows_free(e->rows);
  free(e);
}

/* A fused call of e's program (rows: its row kernel) gave st instead of a
** result, and the ops run unfused: counted (lunar.stats's unfused) unless
** the program declined the operands. A kernel that failed to build (a
** compile error, a compiler or library that failed) is not tried again:
** building it is the slow part, and it would fail the same way; memory
** that ran out may be there next time */
static void fell_back(lu_ctx *ctx, lz_prog *e, int rows, int st) {
  if (st == LU_EDECLINE || st == LU_OK) return;
  ctx->counters.unfused++;
  if (e != NULL && st != LU_EMEM) e->broken |= rows ? 2 : 1;
}

/* The entry of b's program p, kept by the context (NPROG of them, the
** oldest replaced); its lu_fused (rows 0) or lu_rows (rows 1) made on first
** use, with references to b's user kernels (a program of calls of a kernel
** found by its key may have been made from a twin, equal in all it takes) */
static lz_prog *prog_get(lu_ctx *ctx, lu_lazyst *s, const lz_build *b, int rows) {
  const lu_fuse_prog *p = &b->p;
  uint64_t h = prog_hash(p);
  lz_prog *e = NULL;
  int i;
  for (i = 0; i < s->nprog && e == NULL; i++)
    if (s->prog[i]->hash == h && memcmp(&s->prog[i]->p, p, sizeof *p) == 0) e = s->prog[i];
  if (e == NULL) {
    if ((e = (lz_prog *)lu_calloc(1, sizeof *e)) == NULL) return NULL;
    e->hash = h;
    e->p = *p;
    if (s->nprog < NPROG) {
      s->prog[s->nprog++] = e;
    } else {
      prog_free(s->prog[s->nextprog]);
      s->prog[s->nextprog] = e;
      s->nextprog = (s->nextprog + 1) % NPROG;
    }
  }
  if (e->broken & (rows ? 2 : 1)) return NULL;
  if (!rows && e->f == NULL && lu_fuse_new_uk(ctx, &e->f, p, b->uk) != LU_OK) return NULL;
  if (rows && e->rows == NULL && lu_fuse_rows_new(ctx, &e->rows, p) != LU_OK) return NULL;
  return e;
}

static int compute(lu_ctx *ctx, lu_lazyst *s, lu_lazy *p);

/* The random draws among b's leaves computed (those whose shape is not
** nd, shape, when nd >= 0, and those a fused program computed before),
** their values the leaves: the unfused ops read arrays, fused elementwise
** programs take a draw only at the loop's whole shape (fuse.c), and a
** draw read by a second chain is cheaper read than drawn again */
static int settle_draws(lu_ctx *ctx, lz_build *b, int nd, const int64_t *shape) {
  int i, d, st;
  for (i = 0; i < b->p.nleaf; i++) {
    lu_lazy *r = b->rleaf[i];
    if (r == NULL) continue;
    if (nd >= 0 && r->ndim == nd && !r->inlined) {
      for (d = 0; d < nd && r->shape[d] == shape[d]; d++) {}
      if (d == nd) { r->inlined = 1; continue; }
    }
    if ((st = compute(ctx, ctx->lazy, r)) != LU_OK) return st;
    b->leaf[i] = lu_arg_array(&r->done);
    b->rleaf[i] = NULL;
  }
  return LU_OK;
}

/* Run b's nodes one by one with the unfused op (a fused call that
** failed): the value of node `last` into out. */
static int run_unfused(lu_ctx *ctx, lz_build *b, int last, lu_array *out) {
  lu_array tmp[LU_FUSE_MAXNODE];
  int i, k, st = settle_draws(ctx, b, -1, NULL);
  if (st != LU_OK) return st;
  memset(tmp, 0, sizeof tmp);
  for (i = 0; i <= last && st == LU_OK; i++) {
    const lu_fuse_node *n = &b->p.node[i];
    lu_array *o = i == last ? out : &tmp[i];
    lu_arg a[3];
    int nin = lu_fuse_node_nin(&b->p, i);
    memset(a, 0, sizeof a);
    for (k = 0; k < nin; k++)
      a[k] = n->in[k] >= 0 ? b->leaf[n->in[k]] : lu_arg_array(&tmp[-1 - n->in[k]]);
    if (n->op >= LU_FUSE_UK)   /* a user kernel's call, as it runs alone */
      st = lu_ukernel_call(ctx, b->uk[n->op - LU_FUSE_UK], nin, a, &o, -1, -1, NULL, 0);
    else
      st = lu_ewise(ctx, (lu_op)n->op, nin, a, o);
  }
  for (i = 0; i < last; i++) lu_array_release(&tmp[i]);
  return st;
}

/* The unfused options of reduction node p: its last redk axes, kept */
static void trailing_opts(const lu_lazy *p, lu_reduce_opts *o) {
  int i;
  lu_reduce_opts_init(o);
  o->keepdims = 1;
  o->naxes = p->redk;
  for (i = 0; i < p->redk; i++) o->axes[i] = p->ndim - p->redk + i;
}

/* A node whose operands are all arrays, numbers or computed values runs
** the built-in kernel or reduction, without building a program (the
** common lone op) */
static int compute_alone(lu_ctx *ctx, lu_lazy *p, int *st) {
  lu_arg a[3];
  int k;
  if (p->rng) {   /* the draw at the place it took when recorded */
    lu_rngpos pos;
    pos.seed = p->rbuf.seed;
    pos.offset = p->rbuf.offset;
    *st = lu_random_at(ctx, &p->done, (lu_randdist)(p->rng - 1), p->ndim, p->shape, p->dtype,
                       p->dev, &pos);
    return 1;
  }
  for (k = 0; k < p->nin; k++) {
    const lu_lazy *c = p->in[k].node;
    if (c != NULL && c->pending) return 0;
    a[k] = c != NULL ? lu_arg_array(&c->done) : p->in[k].arg;
  }
  if (p->uk != NULL) {   /* the kernel's own call: the same values as unfused */
    lu_array *o = &p->done;
    *st = lu_ukernel_call(ctx, p->uk, p->nin, a, &o, -1, -1, NULL, 0);
  } else if (p->redk > 0) {
    lu_reduce_opts o;
    trailing_opts(p, &o);
    *st = lu_reduce_ex(ctx, &p->done, (lu_redop)p->op, a[0].arr, &o);
  } else {
    *st = lu_ewise(ctx, (lu_op)p->op, p->nin, a, &p->done);
  }
  return 1;
}

/* b: the program of pending p's chain, p its result; LU_EDECLINE when it
** does not fit a program. record()'s bounds keep a chain within the
** limits when it is recorded, but operands computed since (a value the
** user read) each become a leaf of their own where one array was shared */
static int build(lz_build *b, const lu_lazy *p) {
  int r;
  memset(b, 0, sizeof *b);
  if ((r = add_node(b, p)) < -LU_FUSE_MAXNODE) return LU_EDECLINE;
  b->p.nres = 1;
  b->p.res[0] = r;
  b->p.red = -1;
  b->p.naxes = -1;
  return LU_OK;
}

/* Reduction node p (the last of b) whose operand is a chain: the chain
** fused with the reduction as a trailing one (fuse.c), else unfused */
static int reduce_chain(lu_ctx *ctx, lu_lazyst *s, lu_lazy *p, lz_build *b) {
  int last = b->p.nnode - 1, r = b->p.node[last].in[0], i, st = LU_EMEM;
  lu_reduce_opts o;
  lu_array tmp;
  lz_prog *e;
  trailing_opts(p, &o);
  if (r >= 0) {
    if ((st = settle_draws(ctx, b, -1, NULL)) != LU_OK) return st;
    return lu_reduce_ex(ctx, &p->done, (lu_redop)p->op, b->leaf[r].arr, &o);
  }
  {   /* the elementwise part has the shape of the reduction's operand */
    const lu_lazy *q = b->node[-1 - r];
    if ((st = settle_draws(ctx, b, q->ndim, q->shape)) != LU_OK) return st;
  }
  memset(&b->p.node[last], 0, sizeof b->p.node[last]);
  b->p.nnode = last;
  b->p.res[0] = r;
  b->p.red = p->op;
  b->p.naxes = p->redk;
  for (i = 0; i < p->redk; i++) b->p.axes[i] = p->ndim - p->redk + i + 1;
  b->p.keepdims = 1;
  /* user kernels' calls are in elementwise programs only: the chain into
  ** a temporary, then lunar's reduction */
  if (b->p.nuk == 0 && (e = prog_get(ctx, s, b, 0)) != NULL) {
    lu_array *out = &p->done;
    if ((st = lu_fuse_call(ctx, e->f, b->p.nleaf, b->leaf, &out)) == LU_OK) return LU_OK;
    fell_back(ctx, e, 0, st);
  }
  lu_array_release(&p->done);
  ctx->err = LU_OK;
  memset(&tmp, 0, sizeof tmp);
  if ((st = run_unfused(ctx, b, -1 - r, &tmp)) == LU_OK)
    st = lu_reduce_ex(ctx, &p->done, (lu_redop)p->op, &tmp, &o);
  lu_array_release(&tmp);
  return st;
}

/* Pending p's chain (two nodes or more) into p->done. With reductions in
** it: one row kernel (fuse_rows.c) where the chain has that form, else
** each reduction first, with its own chain, then the rest. */
static int compute_chain(lu_ctx *ctx, lu_lazyst *s, lu_lazy *p, lz_build *b) {
  lz_prog *e;
  int i, st;
  if (build(b, p) != LU_OK) {   /* too large now: its operands first, then p alone */
    for (i = 0; i < p->nin; i++)
      if (p->in[i].node != NULL && p->in[i].node->pending &&
          (st = compute(ctx, s, p->in[i].node)) != LU_OK)
        return st;
    if (compute_alone(ctx, p, &st)) return st;
    return lu_seterr(ctx, LU_EARG, "fusion: a chain outgrew its program");   /* a draw: unreachable */
  }
  if (b->nred > 0) {
    /* a row kernel takes its draws computed by the draw's own kernel. On
    ** CUDA a row's threads stride over it, so each would compute a whole
    ** Philox block and Box-Muller pair for one value (the Monte Carlo bench
    ** row took 1.37 ms on an H200 so, 0.59-0.80 with the draw's own
    ** kernel); on the CPU the draw keeps a row's loop from vectorising (the
    ** Monte Carlo chain of 10^7 took 291 ms so, 76 unfused) */
    if ((st = settle_draws(ctx, b, -1, NULL)) != LU_OK) return st;
    e = b->p.nuk == 0 ? prog_get(ctx, s, b, 1) : NULL;   /* user kernels: not in row programs */
    st = e ? lu_fuse_rows_call(ctx, e->rows, b->p.nleaf, b->leaf, &p->done) : LU_EDECLINE;
    if (st == LU_OK) return LU_OK;
    fell_back(ctx, e, 1, st);
    ctx->err = LU_OK;
    for (i = 0; i < b->p.nnode; i++)
      if (b->p.node[i].redk > 0 && b->node[i] != p &&
          (st = compute(ctx, s, (lu_lazy *)b->node[i])) != LU_OK)
        return st;
    if (p->redk > 0 && compute_alone(ctx, p, &st)) return st;
    if (build(b, p) != LU_OK) return compute_chain(ctx, s, p, b);   /* the path above */
  }
  if (p->redk > 0) return reduce_chain(ctx, s, p, b);
  if ((st = settle_draws(ctx, b, p->ndim, p->shape)) != LU_OK) return st;
  if (b->p.nnode == 1) {   /* one op whose draws are values now: the built-in kernel */
    for (i = 0; i < b->p.nleaf && b->rleaf[i] == NULL; i++) {}
    if (i == b->p.nleaf) return run_unfused(ctx, b, 0, &p->done);
  }
  e = prog_get(ctx, s, b, 0);
  if (e != NULL) {
    lu_array *out = &p->done;
    if ((st = lu_fuse_call(ctx, e->f, b->p.nleaf, b->leaf, &out)) == LU_OK) return LU_OK;
    fell_back(ctx, e, 0, st);
  }
  /* a kernel that did not build (no host compiler, say): the same ops
  ** unfused, whose errors are the ops' own */
  lu_array_release(&p->done);
  ctx->err = LU_OK;
  return run_unfused(ctx, b, b->p.nnode - 1, &p->done);
}

/* Compute pending p into p->done: a lone op by the built-in kernel, a
** chain as one program. */
static int compute(lu_ctx *ctx, lu_lazyst *s, lu_lazy *p) {
  lz_build *b;
  int st;
  if (!p->pending) return LU_OK;
  memset(&p->done, 0, sizeof p->done);
  enter(s);
  if (!compute_alone(ctx, p, &st)) {
    if ((b = (lz_build *)lu_malloc(sizeof *b)) == NULL) st = lu_seterr(ctx, LU_EMEM, "out of memory");
    else st = compute_chain(ctx, s, p, b);
    free(b);
  }
  if (st == LU_OK) {
    unlink_pending(s, p);
    drop_inputs(p);
  }
  leave(s);
  return st;
}

/* A root that can join a batch with first: a small elementwise value (no
** reduction, not a draw) on a GPU, of first's device and shape. (A CPU
** call costs no launch, and its built-in loops beat a fused program's:
** 1.5 against 2.2 us for 1000 float32 adds on the 2-core machine; a large
** value's launch is a small part of its time) */
#define BATCH_MAXSIZE 65536
static int batchable(const lu_lazyst *s, const lu_lazy *q, const lu_lazy *first) {
  int64_t size = 1;
  int d;
  if (q->redk > 0 || q->rng || !q->pending || q->absorbed || q->refs <= 0) return 0;
  if (s->batch == 0 || (q->dev.type == LU_DEV_CPU && s->batch < 2)) return 0;
  for (d = 0; d < q->ndim; d++) size *= q->shape[d];
  if (size > BATCH_MAXSIZE) return 0;
  if (q->dev.type != first->dev.type || q->dev.index != first->dev.index || q->ndim != first->ndim)
    return 0;
  for (d = 0; d < q->ndim; d++) if (q->shape[d] != first->shape[d]) return 0;
  return 1;
}

/* Roots over the limit, oldest first: the oldest and the later roots of
** its shape and device as one program with a result each (independent
** values, one launch for all: a loop of small independent ops paid a
** launch per op). Only for a batch seen before (its program's hash in
** s->seen), so that a batch that does not repeat never waits for a
** compiler. 1 when it took the batch (*st its status), 0 to compute the
** oldest alone. */
static int compute_batch(lu_ctx *ctx, lu_lazyst *s, lu_lazy *first, const lu_lazy *keep,
                         int *st) {
  lz_build *b;
  lu_lazy *q, *root[LU_FUSE_MAXOUT];
  lu_array *outs[LU_FUSE_MAXOUT];
  lz_prog *e;
  uint64_t h;
  int i, k = 0, seen = 0;
  if (!batchable(s, first, first)) return 0;
  if ((b = (lz_build *)lu_malloc(sizeof *b)) == NULL) return 0;
  memset(b, 0, sizeof *b);
  for (q = first; q && k < LU_FUSE_MAXOUT; q = q->next) {
    if (q == keep || !batchable(s, q, first)) continue;
    /* q's bounds (shared parts counted twice) keep add_node within the
    ** program's limits */
    int nn = b->p.nnode, nl = b->p.nleaf, nr = b->nred, nu = b->p.nuk, r;
    if (b->p.nnode + q->nodes > LU_FUSE_MAXNODE || b->p.nleaf + q->leaves > LU_FUSE_MAXLEAF) break;
    if ((r = add_node(b, q)) < -LU_FUSE_MAXNODE) {
      /* the leaves bound is the count when q was recorded: operands
      ** computed since are leaves of their own. What q added is undone */
      memset(&b->p.node[nn], 0, (size_t)(b->p.nnode - nn) * sizeof b->p.node[0]);
      memset(&b->node[nn], 0, (size_t)(b->p.nnode - nn) * sizeof b->node[0]);
      memset(&b->leaf[nl], 0, (size_t)(b->p.nleaf - nl) * sizeof b->leaf[0]);
      memset(&b->rleaf[nl], 0, (size_t)(b->p.nleaf - nl) * sizeof b->rleaf[0]);
      memset(&b->p.ukey[nu], 0, (size_t)(b->p.nuk - nu) * sizeof b->p.ukey[0]);
      memset(&b->p.uknin[nu], 0, (size_t)(b->p.nuk - nu) * sizeof b->p.uknin[0]);
      memset(&b->uk[nu], 0, (size_t)(b->p.nuk - nu) * sizeof b->uk[0]);
      b->p.nnode = nn;
      b->p.nleaf = nl;
      b->p.nuk = nu;
      b->nred = nr;
      break;
    }
    b->p.res[k] = r;
    root[k++] = q;
  }
  if (b->nred > 0) k = 0;   /* a pending reduction inside: alone */
  for (i = 0; i < b->p.nleaf; i++) if (b->rleaf[i] != NULL) k = 0;   /* draws: alone */
  if (k < 2) { free(b); return 0; }
  b->p.nres = k;
  b->p.red = -1;
  b->p.naxes = -1;
  h = prog_hash(&b->p);
  for (i = 0; i < NSEEN && !seen; i++) seen = s->seen[i] == h;
  if (!seen) {
    s->seen[s->nextseen] = h;
    s->nextseen = (s->nextseen + 1) % NSEEN;
    free(b);
    return 0;
  }
  if ((e = prog_get(ctx, s, b, 0)) == NULL) { ctx->err = LU_OK; free(b); return 0; }
  for (i = 0; i < k; i++) {
    memset(&root[i]->done, 0, sizeof root[i]->done);
    outs[i] = &root[i]->done;
  }
  if ((*st = lu_fuse_call(ctx, e->f, b->p.nleaf, b->leaf, outs)) != LU_OK) {
    fell_back(ctx, e, 0, *st);
    ctx->err = LU_OK;
    for (i = 0; i < k; i++) lu_array_release(&root[i]->done);
    free(b);
    return 0;
  }
  for (i = 0; i < k; i++) {
    unlink_pending(s, root[i]);
    drop_inputs(root[i]);
  }
  free(b);
  return 1;
}

/* Compute the oldest root other than `keep`, if any: in a batch with the
** roots like it (compute_batch), else alone */
static int compute_oldest_root(lu_ctx *ctx, lu_lazyst *s, const lu_lazy *keep) {
  lu_lazy *q;
  int st = LU_OK;
  for (q = s->head; q; q = q->next) {
    if (q == keep || q->absorbed || q->refs <= 0) continue;
    enter(s);
    if (!compute_batch(ctx, s, q, keep, &st)) st = compute(ctx, s, q);
    leave(s);
    return st;
  }
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

/* The operands' arrays (pending values' placeholders among them) into
** arrs, their number the result; 0 when there is none, when they are not
** on one device (n->dev), or when fusion does not apply there */
static int operand_arrays(const lu_ctx *ctx, int nin, const lu_arg *args, lu_lazy *const *pend,
                          lu_lazy *n, const lu_array **arrs) {
  int k, na = 0;
  for (k = 0; k < nin; k++) {
    lu_device d;
    if (pend && pend[k]) d = pend[k]->dev;
    else if (args[k].arr) {
      if (args[k].arr->buf == NULL) return 0;
      d = lu_array_device(args[k].arr);
    } else {
      continue;
    }
    if (na > 0 && !lu_device_eq(d, n->dev)) return 0;
    n->dev = d;
    arrs[na++] = args[k].arr;
  }
  if (ctx->fusion == LU_FUSION_OFF || (ctx->fusion == LU_FUSION_GPU && n->dev.type == LU_DEV_CPU))
    return 0;
  return na;
}

/* Whether the op on these operands records; fills the node's dtype, shape
** and device. */
static int check(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_lazy *const *pend,
                 lu_lazy *n) {
  const lu_array *arrs[3];
  lu_dtype ct, rt;
  int k, na;
  if (op < 0 || op >= LU_NOPS || lu_ops[op].name[0] == '_' || nin != lu_ops[op].nin) return 0;
  if ((na = operand_arrays(ctx, nin, args, pend, n, arrs)) == 0) return 0;
  if (lu_fuse_node_check(ctx, op, args, &ct, &rt) != LU_OK) return 0;
  if (lu_broadcast_shapes(ctx, na, arrs, &n->ndim, n->shape) != LU_OK) return 0;
  n->dtype = rt;
  for (k = 0; k < n->ndim; k++) if (n->shape[k] == 0) return 0;   /* nothing to fuse */
  return 1;
}

/* Record checked node n (op, redk, dtype, shape and device set) on its
** operands; 1 when it does not fit (nothing recorded) */
static int record(lu_ctx *ctx, lu_lazyst *s, lu_lazy *n, int nin, const lu_arg *args,
                  lu_lazy *const *pend, lu_lazy **out, lu_array *res) {
  int k;
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
    if (big < 0 || compute(ctx, s, pend[big]) != LU_OK) return 1;
  }
  /* the readers table first: when it is full nothing is recorded */
  for (k = 0; k < nin; k++) {
    if ((pend && pend[k]) || args[k].arr == NULL) continue;
    if (!radd(s, args[k].arr->buf)) {
      while (--k >= 0)
        if (!(pend && pend[k]) && args[k].arr) rdel(s, args[k].arr->buf);
      return 1;
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
  ctx->err = LU_OK;
  return LU_OK;
}

/* A new node, or NULL when fusion is off or no memory */
static lu_lazy *begin(lu_ctx *ctx, lu_lazyst **sp) {
  lu_lazy *n;
  if (ctx->fusion == LU_FUSION_OFF || (*sp = state(ctx)) == NULL) return NULL;
  if ((n = node_new(*sp)) == NULL) return NULL;
  n->ctx = ctx;
  enter(*sp);
  return n;
}

/* The end of a recording: n recorded (st LU_OK) or given back */
static int end(lu_ctx *ctx, lu_lazyst *s, lu_lazy *n, int st) {
  if (st != LU_OK) {
    ctx->err = LU_OK;
    ctx->errmsg[0] = '\0';
    if (s->nspare < NSPARE) s->spare[s->nspare++] = n;
    else free(n);
    st = 1;
  }
  leave(s);
  return st;
}

int lu_lazy_wants(const lu_ctx *ctx, int nin, const lu_arg *args, lu_lazy *const *pend) {
  int k;
  if (ctx->fusion == LU_FUSION_OFF) return 0;
  if (ctx->fusion == LU_FUSION_ALL) return 1;
  for (k = 0; k < nin; k++) {
    if (pend && pend[k]) {
      if (pend[k]->dev.type != LU_DEV_CPU) return 1;
    } else if (args[k].arr && args[k].arr->buf && lu_array_device(args[k].arr).type != LU_DEV_CPU) {
      return 1;
    }
  }
  return 0;
}

int lu_lazy_ewise(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_lazy *const *pend,
                  lu_lazy **out, lu_array *res) {
  lu_lazyst *s;
  lu_lazy *n = begin(ctx, &s);
  *out = NULL;
  if (n == NULL) return 1;
  n->op = op;
  return end(ctx, s, n, check(ctx, op, nin, args, pend, n) ?
                        record(ctx, s, n, nin, args, pend, out, res) : 1);
}

/* Whether the call of user kernel k on these operands records (the
** kernel's own binding and broadcast, lu_ukernel_fusion); fills the node's
** dtype, shape and device */
static int check_uk(lu_ctx *ctx, const lu_ukernel *k, int nin, const lu_arg *args,
                    lu_lazy *const *pend, lu_lazy *n) {
  const lu_array *arrs[3];
  int vt[4], d;
  if (nin < 1 || nin > 3 || operand_arrays(ctx, nin, args, pend, n, arrs) == 0) return 0;
  if (lu_ukernel_fusion(ctx, k, nin, args, n->dev.type, vt, &n->ndim, n->shape) != LU_OK) return 0;
  n->dtype = (lu_dtype)vt[nin];
  for (d = 0; d < n->ndim; d++) if (n->shape[d] == 0) return 0;   /* nothing to fuse */
  return 1;
}

int lu_lazy_ukernel(lu_ctx *ctx, lu_ukernel *k, int nin, const lu_arg *args, lu_lazy *const *pend,
                    lu_lazy **out, lu_array *res) {
  lu_lazyst *s;
  lu_lazy *n = begin(ctx, &s);
  int st = 1;
  *out = NULL;
  if (n == NULL) return 1;
  n->op = -1;
  if (check_uk(ctx, k, nin, args, pend, n)) {
    /* the reference first: record() may compute other roots */
    n->uk = k;
    lu_ukernel_ref(k);
    if ((st = record(ctx, s, n, nin, args, pend, out, res)) != LU_OK) {
      n->uk = NULL;
      lu_ukernel_free(k);
    }
  }
  return end(ctx, s, n, st);
}

/* A random draw of the stream at pos, recorded as a pending value: the
** stream moves on now by what the draw takes, as unfused; the value is
** computed by the draw's own kernel when read alone, or inside the fused
** kernels of the chains that read it (lu_fuse_rng), the same numbers. */
int lu_lazy_random(lu_ctx *ctx, lu_randdist dist, int ndim, const int64_t *shape, lu_dtype dt,
                   lu_device dev, lu_rngpos *pos, lu_lazy **out, lu_array *res) {
  lu_lazyst *s;
  lu_lazy *n;
  const lu_backend *be;
  int64_t size = 1;
  int k, st;
  *out = NULL;
  if ((dt != LU_FLOAT32 && dt != LU_FLOAT64) || (dist != LU_RAND_UNIFORM && dist != LU_RAND_NORMAL) ||
      ndim < 0 || ndim > LU_MAXDIM || ctx->fusion == LU_FUSION_OFF ||
      (ctx->fusion == LU_FUSION_GPU && dev.type == LU_DEV_CPU))
    return 1;
  /* a fused draw reads whole Philox blocks from a block's start (fuse.c);
  ** a position set by hand (Generator.set_state) between blocks runs the
  ** draw unfused */
  if (pos->offset % 4u != 0) return 1;
  for (k = 0; k < ndim; k++)   /* nothing to fuse in an empty draw */
    if (shape[k] <= 0 || !lu_size_mul(size, shape[k], &size)) return 1;
  /* a draw the allocator would refuse (too big for any memory: its size
  ** in bytes past 2^40) runs unfused, which raises the error at the call */
  if (size > ((int64_t)1 << 40) / (int64_t)lu_dtype_size(dt)) return 1;
  if ((n = begin(ctx, &s)) == NULL) return 1;
  /* a device that cannot draw declines: the draw raises its own error */
  be = lu_backend_checked(ctx, dist == LU_RAND_NORMAL ? "randn" : "rand", dev);
  if (be == NULL || be->version < 2 || be->random == NULL || be->random->fill == NULL)
    return end(ctx, s, n, 1);
  n->rng = 1 + (int)dist;
  n->dtype = dt;
  n->dev = dev;
  n->ndim = ndim;
  for (k = 0; k < ndim; k++) n->shape[k] = shape[k];
  n->rbuf.buf.refcount = 1;
  n->rbuf.buf.dev = dev;
  n->rbuf.buf.release = lu_fuse_rng_tag;
  n->rbuf.seed = pos->seed;
  n->rbuf.offset = pos->offset;
  n->rbuf.dist = (int)dist;
  shape_of(&n->rview, n);
  n->rview.buf = &n->rbuf.buf;
  st = record(ctx, s, n, 0, NULL, NULL, out, res);
  if (st == LU_OK) {
    n->nodes = 0;    /* a leaf of the chains that read it */
    n->leaves = 1;
    pos->offset += (uint64_t)((size + 3) / 4 * 4);
  }
  return end(ctx, s, n, st);
}

/* Whether reduction red of the operand records: its last axes, kept; fills
** the node's dtype, shape, device and redk */
static int check_red(lu_ctx *ctx, lu_redop red, const lu_arg *arg, const lu_lazy *pend, int naxes,
                     const int *axes, int keepdims, lu_lazy *n) {
  const lu_array *a = arg->arr;
  int d, k, seen[LU_MAXDIM] = {0};
  lu_dtype dt;
  if (!lu_fuse_is_red(red) || !keepdims || a == NULL || (pend == NULL && a->buf == NULL)) return 0;
  n->dev = pend ? pend->dev : lu_array_device(a);
  if (ctx->fusion == LU_FUSION_GPU && n->dev.type == LU_DEV_CPU) return 0;
  dt = pend ? pend->dtype : a->dtype;
  n->ndim = pend ? pend->ndim : a->ndim;
  if (lu_dtype_kind(dt) == 'c' || n->ndim < 1) return 0;
  k = naxes < 0 ? n->ndim : naxes;
  if (k < 1 || k > n->ndim) return 0;
  for (d = 0; d < k && naxes >= 0; d++) {
    if (axes[d] < n->ndim - k || axes[d] >= n->ndim || seen[axes[d]]) return 0;
    seen[axes[d]] = 1;
  }
  for (d = 0; d < n->ndim; d++) {
    n->shape[d] = pend ? pend->shape[d] : a->shape[d];
    if (n->shape[d] == 0) return 0;   /* the unfused reduction says what that means */
    if (d >= n->ndim - k) n->shape[d] = 1;
  }
  n->dtype = lu_red_result(red, dt);
  n->redk = k;
  return 1;
}

int lu_lazy_reduce_defer(lu_ctx *ctx, lu_redop red, const lu_arg *arg, lu_lazy *pend, int naxes,
                         const int *axes, int keepdims, lu_lazy **out, lu_array *res) {
  lu_lazyst *s;
  lu_lazy *n = begin(ctx, &s);
  *out = NULL;
  if (n == NULL) return 1;
  n->op = (int)red;
  return end(ctx, s, n, check_red(ctx, red, arg, pend, naxes, axes, keepdims, n) ?
                        record(ctx, s, n, 1, arg, &pend, out, res) : 1);
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
  if (st == LU_OK) {
    lu_array_share(out, &p->done);
    out->owner = p->done.owner;   /* the value made its buffer: an owner */
  }
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
  lz_prog *e;
  int r, i, st = 1;
  memset(out, 0, sizeof *out);
  if (s == NULL || !p->pending || p->nodes < 1) return 1;
  b = (lz_build *)lu_calloc(1, sizeof *b);
  if (b == NULL) return 1;
  enter(s);
  r = add_node(b, p);
  if (b->nred > 0 || b->p.nuk > 0) {
    /* reductions or user kernels' calls in the chain: computed as they are
    ** (a user kernel is written into elementwise programs only); the
    ** unfused reduction then reads the value */
    (void)compute(ctx, s, p);
  } else if (r >= -LU_FUSE_MAXNODE && settle_draws(ctx, b, -1, NULL) == LU_OK) {
    /* the draws computed by their own kernel first, as for a row program
    ** (compute_chain): a reduction's threads would each compute a draw's
    ** whole block for one value */
    b->p.nres = 1;
    b->p.res[0] = r;
    b->p.red = (int)red;
    b->p.naxes = naxes;
    for (i = 0; i < naxes && i < LU_MAXDIM; i++) b->p.axes[i] = axes[i] + 1;
    b->p.keepdims = keepdims;
    e = prog_get(ctx, s, b, 0);
    if (e != NULL) {
      lu_array *o = out;
      st = lu_fuse_call(ctx, e->f, b->p.nleaf, b->leaf, &o);
      if (st != LU_OK) { fell_back(ctx, e, 0, st); lu_array_release(out); st = 1; }
    }
  }
  free(b);
  ctx->err = LU_OK;
  leave(s);
  return st;
}

int lu_lazy_map_reduce(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, lu_redop red,
                       int naxes, const int *axes, int keepdims, lu_array *out) {
  lu_lazy *const pend[3] = {NULL, NULL, NULL};
  lu_lazy *m;
  lu_array ph;
  int st;
  memset(out, 0, sizeof *out);
  if (nin < 1 || nin > 3 || !lu_lazy_wants(ctx, nin, args, pend)) return 1;
  if (lu_lazy_ewise(ctx, op, nin, args, pend, &m, &ph) != LU_OK) return 1;
  st = lu_lazy_reduce(ctx, m, red, naxes, axes, keepdims, out);
  lu_lazy_unref(m);   /* its last reference: nothing was computed where it declined */
  return st;
}

void lu_lazy_shutdown(lu_ctx *ctx) {
  lu_lazyst *s = ctx->lazy;
  int i;
  if (s == NULL) return;
  for (i = 0; i < s->nprog; i++) prog_free(s->prog[i]);
  while (s->nspare > 0) free(s->spare[--s->nspare]);
  free(s->dead);
  free(s);
  ctx->lazy = NULL;
}
/* }====================================================== */
