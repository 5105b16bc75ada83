/* SPDX-License-Identifier: MIT */
/*
** Where elementwise kernels come from, cheapest first:
**   1. the in-memory table (integer key -> cudaKernel_t and CUfunction),
**      per device;
**   2. the built-in fatbins that nvcc compiled at build time;
**   3. the disk cache ($XDG_CACHE_HOME/lunar, else ~/.cache/lunar), one
**      CUBIN per (source, architecture, CUDA toolkit version);
**   4. NVRTC, whose CUBIN then goes to the disk cache (written to a
**      temporary name and renamed, so readers never see half a file).
** A cache file is trusted input only so far: it starts with a header (a
** magic word and the FNV hash of the CUBIN after it) that is checked
** before loading; a file that is truncated, damaged or foreign is deleted
** and the kernel compiled again. The directory is made owner-only (0700),
** and one that is not ours or that group or others may write is not used.
** Only step 1 runs on a cache hit: no string is built and nothing is
** allocated.
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "cuda_internal.h"
#include "lu_hostmem.h"
#include "lu_workbench.h"
#include "dynlib.h"
#include "lu_cachefs.h"


typedef struct { const void *data; size_t len; } lu_cuda_blob;
extern const lu_cuda_blob lu_cuda_builtins[LU_CG_NGROUPS];   /* builtin_fatbin.c */

/* {====================================================== the table */
void lu_cuda_kcache_free(lu_cuda_dev *d) {
  lu_htab_free(&d->ktab);
  lu_htab_free(&d->utab);
}

static int keep_lib(lu_cuda_dev *d, cudaLibrary_t lib) {
  if (d->nlibs == d->libcap) {
    size_t ncap = d->libcap ? 2 * d->libcap : 16;
    cudaLibrary_t *nl = (cudaLibrary_t *)lu_realloc(d->libs, ncap * sizeof *nl);
    if (nl == NULL) return 0;
    d->libs = nl;
    d->libcap = ncap;
  }
  d->libs[d->nlibs++] = lib;
  return 1;
}
/* }====================================================== */

/* {====================================================== driver launch */
/* cudaLaunchKernel on a cudaKernel_t resolves the kernel for the current
** context on every call before it reaches the driver; cuLaunchKernel on a
** CUfunction resolved once per device skips that. The entry points come
** through the runtime (no link against libcuda). Any failure here only
** leaves the runtime path in use; LUNAR_LAUNCH=runtime asks for it (to
** compare the two). drv_state: 0 untried, 1 ready, -1 none. */
lu_cu_launch_t lu_cu_launch;
typedef CUresult (*cu_getfn_t)(CUfunction *, CUkernel);
typedef CUresult (*cu_errstr_t)(CUresult, const char **);
static cu_getfn_t cu_getfn;
static cu_errstr_t cu_errname, cu_errstr;
static int drv_state;

static void *entry(const char *sym) {
  enum cudaDriverEntryPointQueryResult q = cudaDriverEntryPointSymbolNotFound;
  void *f = NULL;
  if (cudaGetDriverEntryPointByVersion(sym, &f, 12000, cudaEnableDefault, &q) != cudaSuccess ||
      q != cudaDriverEntryPointSuccess)
    f = NULL;
  cudaGetLastError();
  return f;
}

static void drv_init(void) {
  const char *e = getenv("LUNAR_LAUNCH");
  drv_state = -1;
  if (e && strcmp(e, "runtime") == 0) return;
  cu_getfn = (cu_getfn_t)entry("cuKernelGetFunction");
  cu_errname = (cu_errstr_t)entry("cuGetErrorName");
  cu_errstr = (cu_errstr_t)entry("cuGetErrorString");
  lu_cu_launch = (lu_cu_launch_t)entry("cuLaunchKernel");
  if (cu_getfn && lu_cu_launch) drv_state = 1;
  lu_cuda_trace("driver launch path %s", drv_state == 1 ? "ready" : "unavailable: cudaLaunchKernel");
}

/* The CUfunction of k in the current context (the device's), or NULL. */
static CUfunction drv_function(cudaKernel_t k) {
  CUfunction f = NULL;
  if (drv_state == 0) drv_init();
  if (drv_state != 1 || cu_getfn(&f, (CUkernel)k) != CUDA_SUCCESS) return NULL;
  return f;
}

int lu_cuda_fail_drv(lu_ctx *ctx, CUresult e, const char *call, const char *file, int line) {
  const char *name = NULL, *msg = NULL;
  if (cu_errname) cu_errname(e, &name);
  if (cu_errstr) cu_errstr(e, &msg);
  const char *base = strrchr(file, '/');
  if (lu_cuda_sticky((int)e))
    return lu_cuda_seterr(ctx, LU_EBACKEND, "a kernel faulted (%s: %s, reported by %s at %s:%d); "
                          "CUDA refuses every further GPU call in this process: save what is on "
                          "the CPU and restart lunar", name ? name : "CUresult",
                          msg ? msg : "unknown error", call, base ? base + 1 : file, line);
  return lu_cuda_seterr(ctx, e == CUDA_ERROR_OUT_OF_MEMORY ? LU_EMEM : LU_EBACKEND,
                        "%s failed: %s: %s (%s:%d)", call, name ? name : "CUresult",
                        msg ? msg : "unknown error", base ? base + 1 : file, line);
}
/* }====================================================== */

/* {====================================================== built-in */
/* Groups load one at a time, on the first kernel asked of each: a process
** that adds two float32 arrays maps the float32 group only, not the whole
** built-in set. The images are static data of this library, so the driver
** may use them in place instead of copying them (BinaryIsPreserved). With
** CUDA's lazy loading (the default since CUDA 12.2) each kernel then reaches
** the GPU at its first launch. A fatbin without code for this device's
** architecture is not an error: its kernels are then compiled by NVRTC like
** any other. builtin_tried has bit g set once group g was tried. */
static void load_builtin(lu_cuda_dev *d, int g) {
  enum cudaLibraryOption opt = cudaLibraryBinaryIsPreserved;
  void *val = (void *)(uintptr_t)1;
  d->builtin_tried |= 1 << g;
  if (lu_cuda_builtins[g].len == 0) return;
  if (cudaLibraryLoadData(&d->builtin[g], lu_cuda_builtins[g].data, NULL, NULL, 0,
                          &opt, &val, 1) != cudaSuccess) {
    cudaGetLastError();
    /* a driver that refuses the hint still takes a copy */
    if (cudaLibraryLoadData(&d->builtin[g], lu_cuda_builtins[g].data, NULL, NULL, 0,
                            NULL, NULL, 0) != cudaSuccess)
      d->builtin[g] = NULL;
  }
  cudaGetLastError();
  lu_cuda_trace("built-in kernel group %d (%s, %s) loaded (%zu bytes)%s", g,
                lu_dtypes[lu_cg_group_dtype(g)].name, lu_cg_group_class(g), lu_cuda_builtins[g].len,
                d->builtin[g] ? "" : ": no code for this device");
}

static int from_builtin(lu_cuda_dev *d, const lu_cg_sig *sig, const char *name, cudaKernel_t *fn) {
  int g = lu_cg_builtin_group(sig);
  if (g < 0 || g >= LU_CG_NGROUPS) return 0;
  if (!(d->builtin_tried & (1 << g))) load_builtin(d, g);
  if (d->builtin[g] == NULL) return 0;
  if (cudaLibraryGetKernel(fn, d->builtin[g], name) == cudaSuccess) return 1;
  cudaGetLastError();
  return 0;
}
/* }====================================================== */

/* {====================================================== disk cache */
/* The header in front of each cached CUBIN */
#define KC_MAGIC "lunarKC1"
#define KC_HEADER 16   /* the magic (8 bytes) and the hash (8, little-endian) */

static void put_u64(char *p, uint64_t v) {
  int i;
  for (i = 0; i < 8; i++) p[i] = (char)(v >> (8 * i));
}

static uint64_t get_u64(const char *p) {
  uint64_t v = 0;
  int i;
  for (i = 0; i < 8; i++) v |= (uint64_t)(unsigned char)p[i] << (8 * i);
  return v;
}

/* The CUBIN inside a cache file's data, or NULL when the header is missing
** or the hash does not match what follows */
static const char *checked_image(const char *data, size_t len) {
  if (len <= KC_HEADER || memcmp(data, KC_MAGIC, 8) != 0) return NULL;
  if (get_u64(data + 8) != lu_cg_hash(LU_CG_HASH_INIT, data + KC_HEADER, len - KC_HEADER))
    return NULL;
  return data + KC_HEADER;
}

static void write_file(const char *path, const char *data, size_t len) {
  char tmp[4200], head[KC_HEADER];
  FILE *f;
  int ok;
  if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) return;
  f = fopen(tmp, "wb");
  if (f == NULL) return;
  memcpy(head, KC_MAGIC, 8);
  put_u64(head + 8, lu_cg_hash(LU_CG_HASH_INIT, data, len));
  ok = fwrite(head, 1, KC_HEADER, f) == KC_HEADER;
  ok = fwrite(data, 1, len, f) == len && ok;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) remove(tmp);
}
/* }====================================================== */

/* {====================================================== NVRTC */
/* what: the kernel as messages name it; extra, nextra: options of the
** user's (RawModule's `options`) after lunar's own */
static int compile(lu_ctx *ctx, const char *src, const char *what, const char *arch,
                   const char *const *extra, int nextra, char **cubin, size_t *cubin_len) {
  nvrtcProgram prog;
  nvrtcResult r;
  const char *opts[3 + LU_CUDA_MAXOPTS];
  char archopt[32];
  size_t n = 0;
  int i;
  const lu_nvrtc_fns *N = lu_cuda_nvrtc(ctx);   /* loads NVRTC on first use */
  if (N == NULL) return LU_EBACKEND;
  if (nextra > LU_CUDA_MAXOPTS)
    return lu_cuda_seterr(ctx, LU_EARG, "%s: at most %d compiler options", what, LU_CUDA_MAXOPTS);
  snprintf(archopt, sizeof archopt, "-arch=%s", arch);
  opts[0] = archopt; opts[1] = "-default-device"; opts[2] = "--std=c++17";
  for (i = 0; i < nextra; i++) opts[3 + i] = extra[i];
  NVRTC_CHECK(ctx, N->CreateProgram(&prog, src, "lunar", 0, NULL, NULL));
  r = N->CompileProgram(prog, 3 + nextra, opts);
  if (r != NVRTC_SUCCESS) {
    char *log = NULL;
    if (N->GetProgramLogSize(prog, &n) == NVRTC_SUCCESS && (log = (char *)lu_malloc(n + 1)) != NULL) {
      if (N->GetProgramLog(prog, log) != NVRTC_SUCCESS) n = 0;
      log[n] = 0;
    }
    lu_cuda_seterr(ctx, LU_EBACKEND, "%s: compile error (NVRTC for %s: %s)\n%s", what, arch,
                   N->GetErrorString(r), log ? log : "");
    free(log);
    N->DestroyProgram(&prog);
    return LU_EBACKEND;
  }
  r = N->GetCUBINSize(prog, &n);
  if (r == NVRTC_SUCCESS) {
    *cubin = (char *)lu_malloc(n);
    if (*cubin == NULL) { N->DestroyProgram(&prog); return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory"); }
    r = N->GetCUBIN(prog, *cubin);
    *cubin_len = n;
  }
  N->DestroyProgram(&prog);
  if (r != NVRTC_SUCCESS) {
    free(*cubin); *cubin = NULL;
    return lu_cuda_fail_nvrtc(ctx, r, "nvrtcGetCUBIN(prog, cubin)", __FILE__, __LINE__);
  }
  lu_count_compiled(ctx);   /* lunar.stats */
  return LU_OK;
}

static int load(lu_ctx *ctx, lu_cuda_dev *d, const char *image, const char *name, cudaKernel_t *fn) {
  cudaLibrary_t lib;
  CU_CHECK(ctx, cudaLibraryLoadData(&lib, image, NULL, NULL, 0, NULL, NULL, 0));
  if (!keep_lib(d, lib)) { cudaLibraryUnload(lib); return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory"); }
  CU_CHECK(ctx, cudaLibraryGetKernel(fn, lib, name));
  return LU_OK;
}

/* The disk cache's key of a source: its text, the user's options, the
** architecture and the toolkit lunar was built with (a CUBIN stays valid
** for its architecture whatever NVRTC made it, so a cache hit does not
** load NVRTC, tens of ms at start-up). */
static uint64_t source_key(const lu_cuda_dev *d, const char *text, size_t len,
                           const char *const *extra, int nextra, char *arch, size_t archlen) {
  char ver[32];
  uint64_t h;
  int i;
  snprintf(arch, archlen, "sm_%d%d", d->cc_major, d->cc_minor);
  snprintf(ver, sizeof ver, "cuda %d.%d", CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
  h = lu_cg_hash(LU_CG_HASH_INIT, text, len);
  for (i = 0; i < nextra; i++) h = lu_cg_hash(h, extra[i], strlen(extra[i]) + 1);
  h = lu_cg_hash(h, arch, strlen(arch));
  return lu_cg_hash(h, ver, strlen(ver));
}

/* Kernel `name` of a complete source: from the disk cache, else NVRTC. */
static int from_text(lu_ctx *ctx, lu_cuda_dev *d, const char *text, size_t tlen,
                     const char *const *extra, int nextra, const char *name, const char *what,
                     cudaKernel_t *fn) {
  char arch[16], dir[4096], path[4200];
  char *image = NULL;
  size_t len = 0;
  int have_dir, rc;
  uint64_t h = source_key(d, text, tlen, extra, nextra, arch, sizeof arch);
  have_dir = lu_cache_dir(dir, sizeof dir, NULL);
  if (have_dir) {
    snprintf(path, sizeof path, "%s/%016llx.cubin", dir, (unsigned long long)h);
    image = lu_dir_trusted(dir) ? lu_read_file(path, &len) : NULL;
    if (image && checked_image(image, len) == NULL) {
      free(image);           /* truncated, damaged or foreign: drop it */
      image = NULL;
      remove(path);
      lu_cuda_trace("kernel %s: damaged cache file removed", name);
    }
    if (image) {
      cudaLibrary_t lib = NULL;
      int got = cudaLibraryLoadData(&lib, image + KC_HEADER, NULL, NULL, 0, NULL, NULL, 0) == cudaSuccess;
      free(image);
      image = NULL;
      if (got && cudaLibraryGetKernel(fn, lib, name) == cudaSuccess) {
        if (!keep_lib(d, lib)) {
          cudaLibraryUnload(lib);
          return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
        }
        lu_cuda_trace("kernel %s from the disk cache", name);
        return LU_OK;
      }
      /* a file that does not load (or lacks this kernel): delete, compile again */
      if (got) cudaLibraryUnload(lib);
      cudaGetLastError();
      remove(path);
    }
  }
  rc = compile(ctx, text, what, arch, extra, nextra, &image, &len);
  if (rc != LU_OK) return rc;
  if (have_dir && lu_make_dirs(dir) && lu_dir_trusted(dir)) write_file(path, image, len);
  rc = load(ctx, d, image, name, fn);
  free(image);
  lu_cuda_trace("kernel %s compiled by NVRTC", name);
  return rc;
}

/* A built-in op's kernel that is not in the fatbins */
/* The prelude's own warnings (186: an unsigned compared with zero, in the
** integer helpers one macro makes for every type) are silenced, so that a
** user kernel's compile error shows the user's lines, not pages of the
** prelude; the code after it gets NVRTC's warnings back. */
typedef struct { const char *name; const char *text; size_t len; } lu_embedded_file;
extern const lu_embedded_file lu_embedded_text[];   /* lu_numeric.h, lu_prelude.h, lu_philox.h */

/* lu_numeric.h and lu_prelude.h; lu_philox.h only where a fused kernel
** with random draws pastes it (src/core/fuse.c) */
void lu_cg_prelude(lu_sb *b) {
  lu_sb_puts(b, "#pragma nv_diag_suppress 186\n");
  for (const lu_embedded_file *f = lu_embedded_text; f->name; f++)
    if (strcmp(f->name, "lu_philox.h") != 0) lu_sb_puts(b, f->text);
  lu_sb_puts(b, "\n#pragma nv_diag_default 186\n");
}

static int from_source(lu_ctx *ctx, lu_cuda_dev *d, const lu_cg_sig *sig, const char *name,
                       cudaKernel_t *fn) {
  lu_sb src;
  int rc;
  lu_sb_init(&src);
  lu_cg_prelude(&src);
  lu_cg_common(&src);
  if (!lu_cg_kernel(&src, sig)) {
    lu_sb_free(&src);
    return lu_cuda_seterr(ctx, LU_ETYPE, "%s: no kernel for this signature", name);
  }
  if (!lu_sb_ok(&src)) return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  rc = from_text(ctx, d, src.text, src.len, NULL, 0, name, name, fn);
  lu_sb_free(&src);
  return rc;
}
/* }====================================================== */

int lu_cuda_kernel(lu_ctx *ctx, lu_cuda_dev *d, uint64_t key, const lu_cg_sig *sig,
                   lu_kentry *out) {
  char name[128];
  cudaKernel_t kfn, *fn = &kfn;
  int rc;
  const lu_kentry *hit = (const lu_kentry *)lu_htab_get(&d->ktab, key);
  lu_kentry *e;
  if (hit != NULL) { *out = *hit; return LU_OK; }
  if (!lu_cg_valid(sig) || !lu_cg_name(sig, name, sizeof name))
    return lu_seterr(ctx, LU_ETYPE, "%s: no loop for compute dtype %s",
                     sig->op >= 0 && sig->op < LU_NOPS ? lu_ops[sig->op].name : "?",
                     sig->ct >= 0 && sig->ct < LU_NDTYPES ? lu_dtypes[sig->ct].name : "?");
  if (!from_builtin(d, sig, name, fn)) {
    if ((rc = from_source(ctx, d, sig, name, fn)) != LU_OK) return rc;
  }
  if ((e = (lu_kentry *)lu_htab_put(&d->ktab, key)) == NULL)
    return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  e->fn = kfn;
  e->cf = drv_function(kfn);
  *out = *e;
  return LU_OK;
}

/* A user's kernel (ElementwiseKernel, ReductionKernel, RawKernel): entry
** `name` of `text`, which is compiled as it is (prelude: lunar's kernel
** prelude goes in front, for the kernels lunar writes). The in-memory
** table is the device's user table, keyed by the text's hash (the
** caller's), the options and the entry's name, so a repeated call reads
** no text, compiles and loads nothing. */
int lu_cuda_user_kernel(lu_ctx *ctx, lu_cuda_dev *d, const char *text, uint64_t text_hash,
                        int prelude, const char *const *extra, int nextra, const char *name,
                        const char *what, lu_kentry *out) {
  lu_sb src;
  const char *t = text;
  size_t tlen;             /* measured on a miss only: a fused program's text is tens of KB */
  uint64_t key = text_hash;
  const lu_kentry *hit;
  lu_kentry *e;
  cudaKernel_t kfn;
  int rc, i;
  /* the in-memory key: the text's hash, the options, the entry's name */
  key = lu_cg_hash(key, prelude ? "p" : "r", 1);
  for (i = 0; i < nextra; i++) key = lu_cg_hash(key, extra[i], strlen(extra[i]) + 1);
  key = lu_cg_hash(key, name, strlen(name));
  if ((hit = (const lu_kentry *)lu_htab_get(&d->utab, key)) != NULL) {
    *out = *hit;
    return LU_OK;
  }
  tlen = strlen(text);
  lu_sb_init(&src);
  if (prelude) {
    lu_cg_prelude(&src);
    lu_sb_puts(&src, text);
    if (!lu_sb_ok(&src)) { lu_sb_free(&src); return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory"); }
    t = src.text;
    tlen = src.len;
  }
  rc = from_text(ctx, d, t, tlen, extra, nextra, name, what, &kfn);
  lu_sb_free(&src);
  if (rc != LU_OK) return rc;
  if ((e = (lu_kentry *)lu_htab_put(&d->utab, key)) == NULL)
    return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  e->fn = kfn;
  e->cf = drv_function(kfn);
  *out = *e;
  return LU_OK;
}
