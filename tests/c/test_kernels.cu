/* SPDX-License-Identifier: MIT */
/*
** Test of the kernel launchers (kernels/lu_kernels.h) against CPU
** references written here from the specification, and of every row of the
** reduction table against the CPU backend on the same geometries. Built by
** ctest with the CUDA backend (it links liblunar for the planner and the
** CPU backend); run it on a GPU machine.
**
** Prints "kernels: N passed, M failed" and exits nonzero on failure; with
** no usable GPU prints "no GPU: skipped" and exits 77 (ctest's
** SKIP_RETURN_CODE: reported as skipped). `./test_kernels bench`
** also times the big reductions (GB/s) next to plain CUB and a device copy.
*/
#include <cuda_runtime.h>
#include <cub/cub.cuh>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <random>
#include <vector>
/* first, outside extern "C": in CUDA C++ its complex helpers are overloads */
#include "lu_numeric.h"
extern "C" {
#include "lu_api.h"
#include "lu_backend.h"
}
#include "lu_kernels.h"

/* the backend's planner (src/backend/cuda/reduce.c); the CPU backend
** (lu_backend.h) is the oracle of every row */
extern "C" void lu_cuda_reduce_plan(const lu_reduce_call *c, int sms, int occ, int has_cub,
                                    lu_k_reduce_plan *p);

static int g_pass = 0, g_fail = 0;
static cudaStream_t g_st;

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { \
  fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); exit(2); } } while (0)

static void check(bool ok, const char *what) {
  if (ok) g_pass++;
  else { g_fail++; printf("FAIL: %s\n", what); }
}

/* {===== scratch allocator: stream-ordered, as the backend's */
static size_t g_live = 0;
static void *s_alloc(void *ud, size_t n) {
  void *p = nullptr;
  if (cudaMallocAsync(&p, n, (cudaStream_t)ud) != cudaSuccess) return nullptr;
  g_live++;
  return p;
}
static void s_free(void *ud, void *p) { cudaFreeAsync(p, (cudaStream_t)ud); g_live--; }
static lu_k_scratch g_scr;
/* }===== */

/* {===== the launchers' environment, as the backend fills it (launch.c) */
static lu_k_env g_env;
static int occupancy(void *, const void *kernel, int threads) {
  int b = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&b, kernel, threads, 0) != cudaSuccess || b < 1) {
    cudaGetLastError();
    b = 1;
  }
  return b;
}
static void make_env(void) {
  int dev = 0, v = 0;
  CK(cudaGetDevice(&dev));
  g_env.stream = g_st;
  CK(cudaDeviceGetAttribute(&g_env.sm_count, cudaDevAttrMultiProcessorCount, dev));
  CK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxGridDimY, dev)); g_env.max_grid_y = (unsigned)v;
  CK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxGridDimZ, dev)); g_env.max_grid_z = (unsigned)v;
  g_env.occupancy = occupancy;
  g_env.ud = nullptr;
  g_env.scratch = g_scr;
}
/* }===== */

/* {===== dtypes on the host */
struct dtinfo { lu_dtype dt; const char *name; int size; char kind; };
static const dtinfo DTS[] = {
#define X(E, name, ctype, size, kind, sh) {E, #name, size, kind},
  LU_DTYPES_NATIVE(X)
#undef X
};
static const int NDT = sizeof DTS / sizeof DTS[0];

/* read element as long double-free representations: int64/uint64/double */
struct val { int64_t i; uint64_t u; double f; };
static val load(const void *p, lu_dtype dt) {
  val v = {0, 0, 0};
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) \
    case E: { ctype x; memcpy(&x, p, sizeof x); v.i = (int64_t)x; v.u = (uint64_t)x; v.f = (double)x; break; }
    LU_DTYPES_NATIVE(X)
#undef X
    default: break;
  }
  return v;
}
static void store_f(void *p, lu_dtype dt, double f) {
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) \
    case E: { ctype x = (ctype)f; memcpy(p, &x, sizeof x); break; }
    LU_DTYPES_NATIVE(X)
#undef X
    default: break;
  }
}
static void store_i(void *p, lu_dtype dt, int64_t i) {
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) \
    case E: { ctype x = (ctype)i; memcpy(p, &x, sizeof x); break; }
    LU_DTYPES_NATIVE(X)
#undef X
    default: break;
  }
}

/* random element: mode 0 plain, 1 with NaNs and ties, 2 mostly zero,
** 3 rarely zero, 4 close to 1 (for products), 5 small values, no NaN,
** 6 every element the lowest value (-inf for floats) */
static void fill(std::vector<char> &h, lu_dtype dt, int64_t n, int mode, std::mt19937_64 &rng) {
  const dtinfo &d = DTS[dt];
  h.resize((size_t)n * d.size);
  std::uniform_real_distribution<double> U(0, 1);
  for (int64_t i = 0; i < n; i++) {
    char *p = &h[(size_t)i * d.size];
    double u = U(rng);
    if (dt == LU_BOOL) { p[0] = mode == 2 ? (u < 0.001) : mode == 3 ? (u > 0.0005) : (u < 0.5); continue; }
    if (mode == 2 && u < 0.999) { store_i(p, dt, 0); continue; }
    if (mode == 3 && u < 0.0005) { store_i(p, dt, 0); continue; }
    if (d.kind == 'f') {
      double f = U(rng) * 2 - 1;
      if (mode == 1 || mode == 5) f = std::floor(f * 4);
      if (mode == 1 && U(rng) < 2e-5) f = NAN;
      if (mode == 4) f = 1 + (f * 1e-3);
      if (mode == 6) f = -INFINITY;
      store_f(p, dt, f);
    } else {
      uint64_t r = rng();
      if (mode == 1 || mode == 5) r %= 5;
      if (mode == 4) r = 1 + (r % 4 == 0) * (r % 3);
      if (mode == 6) r = d.kind == 'u' ? 0 : (uint64_t)1 << (8 * d.size - 1);  /* lowest */
      memcpy(p, &r, d.size);  /* little endian: the low bytes */
    }
  }
}
/* }===== */

/* {===== reduction reference */
struct geom { int64_t outer, red, inner, s_outer, s_red, s_inner, span; const char *name; };

/* Geometries in elements (scaled to bytes later); span = elements needed. */
static std::vector<geom> geoms() {
  std::vector<geom> g;
  g.push_back({1, 1000003, 1, 0, 1, 0, 1000003, "1d-cub"});
  g.push_back({1, 7, 1, 0, 1, 0, 7, "1d-small"});
  g.push_back({37, 5000, 1, 5000, 1, 0, 37 * 5000, "rows-long-split"});
  g.push_back({1000, 33, 1, 33, 1, 0, 33000, "rows-short-warp"});
  g.push_back({5, 3000, 1, 6000, 2, 0, 30000, "rows-strided"});
  g.push_back({30001, 10, 1, 10, 1, 0, 300010, "rows-tiny-thread"});
  g.push_back({1, 300001, 1, 0, 3, 0, 900003, "1d-strided-split"});
  g.push_back({3, 1000, 77, 77000, 77, 1, 231000, "cols-split"});
  g.push_back({1, 20000, 40, 0, 40, 1, 800000, "cols-tall"});
  g.push_back({400, 50, 30, 1500, 30, 1, 600000, "cols-many"});
  g.push_back({2, 500, 300, 1, 2, 1000, 300000, "inner-strided"});
  return g;
}

/* Plan c as the backend does. */
static int plan_of(const lu_reduce_call *c, lu_k_reduce_plan *p) {
  lu_k_reduce_info info;
  int e = lu_k_reduce_query(c->op, c->in_dt, &info);
  if (e) return e;
  lu_cuda_reduce_plan(c, g_env.sm_count, g_env.occupancy(g_env.ud, info.rows_fn, LU_K_RED_THREADS),
                      info.has_cub, p);
  return 0;
}

static int launch(const lu_reduce_call *c) {
  lu_k_reduce_plan p;
  int e = plan_of(c, &p);
  return e ? e : lu_k_reduce(c, &p, &g_env);
}

static bool nan_(double x) { return x != x; }

/* Compute the reference for one output and compare with the device result.
** Integer sums/products wrap in uint64; float ones are checked with a
** tolerance scaled by the sum of magnitudes. */
static bool ref_check(lu_redop op, lu_dtype in_dt, lu_dtype acc_dt, lu_dtype out_dt,
                      const char *base, const geom &g, int isz, int64_t o, int64_t j,
                      const char *got) {
  const dtinfo &di = DTS[in_dt];
  auto el = [&](int64_t r) {
    return load(base + (o * g.s_outer + r * g.s_red + j * g.s_inner) * isz, in_dt);
  };
  switch (op) {
    case LU_RED_sum: case LU_RED_prod: {
      bool prod = op == LU_RED_prod;
      if (DTS[acc_dt].kind == 'f') {
        double a = prod ? 1 : 0, mag = prod ? 1 : 0;
        for (int64_t r = 0; r < g.red; r++) {
          double x = el(r).f;
          if (di.kind == 'u') x = (double)el(r).u;
          if (prod) { a *= x; } else { a += x; mag += std::fabs(x); }
        }
        double gv = load(got, out_dt).f;
        double tol = (DTS[out_dt].size == 4 || acc_dt == LU_FLOAT32) ? 2e-5 : 1e-11;
        if (prod) return std::fabs(gv - a) <= (tol == 2e-5 ? 1e-3 : 1e-9) * std::fabs(a) + 1e-30;
        return std::fabs(gv - a) <= tol * mag + 1e-12;
      }
      uint64_t a = prod ? 1 : 0;
      for (int64_t r = 0; r < g.red; r++) {
        uint64_t x = di.kind == 'u' || di.kind == 'b' ? el(r).u : (uint64_t)el(r).i;
        a = prod ? a * x : a + x;
      }
      char want[8];
      store_i(want, out_dt, (int64_t)a);
      return memcmp(want, got, DTS[out_dt].size) == 0;
    }
    case LU_RED_min: case LU_RED_max: {
      bool mx = op == LU_RED_max;
      val best = el(0);
      bool isnan = di.kind == 'f' && nan_(best.f);
      for (int64_t r = 1; r < g.red && !isnan; r++) {
        val v = el(r);
        if (di.kind == 'f') {
          if (nan_(v.f)) { isnan = true; best = v; }
          else if (mx ? v.f > best.f : v.f < best.f) best = v;
        } else if (di.kind == 'u' || di.kind == 'b') {
          if (mx ? v.u > best.u : v.u < best.u) best = v;
        } else if (mx ? v.i > best.i : v.i < best.i) best = v;
      }
      val gv = load(got, out_dt);
      if (di.kind == 'f') return isnan ? nan_(gv.f) : gv.f == best.f;
      return gv.u == best.u;
    }
    case LU_RED_argmin: case LU_RED_argmax: {
      bool mx = op == LU_RED_argmax;
      int64_t bi = 0;
      val best = el(0);
      for (int64_t r = 1; r < g.red; r++) {
        if (di.kind == 'f' && nan_(best.f)) break;
        val v = el(r);
        bool better;
        if (di.kind == 'f') better = nan_(v.f) || (mx ? v.f > best.f : v.f < best.f);
        else if (di.kind == 'u' || di.kind == 'b') better = mx ? v.u > best.u : v.u < best.u;
        else better = mx ? v.i > best.i : v.i < best.i;
        if (better) { best = v; bi = r; }
      }
      int64_t gi;
      memcpy(&gi, got, 8);
      return gi == bi;
    }
    case LU_RED_any: case LU_RED_all: {
      bool any = op == LU_RED_any, res = !any;
      for (int64_t r = 0; r < g.red; r++) {
        val v = el(r);
        bool nz = di.kind == 'f' ? v.f != 0 : v.u != 0;
        if (any && nz) { res = true; break; }
        if (!any && !nz) { res = false; break; }
      }
      return (uint8_t)got[0] == (uint8_t)res;
    }
    default: return false;
  }
}

static void test_reduce_one(lu_redop op, lu_dtype in_dt, lu_dtype acc_dt, lu_dtype out_dt,
                            const geom &g0, int mode, int misalign, std::mt19937_64 &rng) {
  int isz = DTS[in_dt].size, osz = DTS[out_dt].size;
  geom g = g0;
  int64_t span = g.span + misalign;
  std::vector<char> h;
  fill(h, in_dt, span, mode, rng);
  char *d_in, *d_out;
  int64_t K = g.outer * g.inner;
  CK(cudaMalloc(&d_in, h.size()));
  CK(cudaMalloc(&d_out, K * osz));
  CK(cudaMemcpy(d_in, h.data(), h.size(), cudaMemcpyHostToDevice));
  CK(cudaDeviceSynchronize());
  lu_reduce_call c;
  memset(&c, 0, sizeof c);
  c.op = op; c.in_dt = in_dt; c.acc_dt = acc_dt; c.out_dt = out_dt;
  c.in_ptr = d_in + misalign * isz;
  c.outer = g.outer; c.red = g.red; c.inner = g.inner;
  c.s_outer = g.s_outer * isz; c.s_red = g.s_red * isz; c.s_inner = g.s_inner * isz;
  c.out_ptr = d_out;
  int e = launch(&c);
  cudaError_t se = cudaStreamSynchronize(g_st);
  char what[256];
  snprintf(what, sizeof what, "reduce %s in=%s acc=%s out=%s geom=%s mode=%d mis=%d (rc %d, %s)",
           op == LU_RED_sum ? "sum" : op == LU_RED_prod ? "prod" : op == LU_RED_min ? "min" :
           op == LU_RED_max ? "max" : op == LU_RED_argmin ? "argmin" : op == LU_RED_argmax ?
           "argmax" : op == LU_RED_any ? "any" : "all",
           DTS[in_dt].name, DTS[acc_dt].name, DTS[out_dt].name, g.name, mode, misalign, e,
           cudaGetErrorString(se));
  if (e || se) { check(false, what); cudaFree(d_in); cudaFree(d_out); return; }
  std::vector<char> got(K * osz);
  CK(cudaMemcpy(got.data(), d_out, got.size(), cudaMemcpyDeviceToHost));
  CK(cudaDeviceSynchronize());
  int64_t bad = 0, first = -1;
  for (int64_t o = 0; o < g.outer; o++)
    for (int64_t j = 0; j < g.inner; j++)
      if (!ref_check(op, in_dt, acc_dt, out_dt, h.data() + misalign * isz, g, isz, o, j,
                     &got[(o * g.inner + j) * osz])) { if (first < 0) first = o * g.inner + j; bad++; }
  if (bad) {
    size_t L = strlen(what);
    val gv = load(&got[first * osz], out_dt);
    snprintf(what + L, sizeof what - L, ": %lld wrong, first at %lld (got %.17g / %lld)",
             (long long)bad, (long long)first, gv.f, (long long)gv.i);
  }
  check(bad == 0, what);
  CK(cudaFree(d_in));
  CK(cudaFree(d_out));
}

static void test_reduce(std::mt19937_64 &rng) {
  std::vector<geom> G = geoms();
  for (int di = 0; di < NDT; di++) {
    lu_dtype dt = DTS[di].dt;
    char k = DTS[di].kind;
    lu_dtype sacc = k == 'f' ? dt : (k == 'u' ? LU_UINT64 : LU_INT64);
    for (size_t gi = 0; gi < G.size(); gi++) {
      const geom &g = G[gi];
      test_reduce_one(LU_RED_sum, dt, sacc, sacc, g, 0, 0, rng);
      test_reduce_one(LU_RED_prod, dt, sacc, sacc, g, 4, 0, rng);
      for (int mode = 0; mode < (k == 'f' ? 2 : 1) + (k != 'b'); mode++) {
        test_reduce_one(LU_RED_min, dt, dt, dt, g, mode, 0, rng);
        test_reduce_one(LU_RED_max, dt, dt, dt, g, mode, 0, rng);
        test_reduce_one(LU_RED_argmin, dt, dt, LU_INT64, g, mode, 0, rng);
        test_reduce_one(LU_RED_argmax, dt, dt, LU_INT64, g, mode, 0, rng);
      }
      if (k != 'b') test_reduce_one(LU_RED_argmax, dt, dt, LU_INT64, g, 6, 0, rng);
      test_reduce_one(LU_RED_any, dt, LU_BOOL, LU_BOOL, g, 2, 0, rng);
      test_reduce_one(LU_RED_all, dt, LU_BOOL, LU_BOOL, g, 3, 0, rng);
      if (gi == 0 || gi == 2 || gi == 6) {
        /* misaligned start */
        test_reduce_one(LU_RED_sum, dt, sacc, sacc, g, 0, 1, rng);
        test_reduce_one(LU_RED_max, dt, dt, dt, g, 0, 1, rng);
        test_reduce_one(LU_RED_argmax, dt, dt, LU_INT64, g, 1, 1, rng);
      }
    }
  }
}
/* }===== */

/* Every row of the reduction table on every dtype it is instantiated for
** and every geometry, against the CPU backend on the same input. Integer
** and bool results must be equal; floats agree to a tolerance (float32
** work stays in float on the GPU, in double on the CPU; the data are small
** integers, so float32 sums are exact). */
static void test_rows_vs_cpu(std::mt19937_64 &rng) {
  std::vector<geom> G = geoms();
  lu_ctx *ctx = lu_ctx_new();
  for (int op = 0; op < LU_NREDS; op++)
    for (int di = 0; di < NDT; di++) {
      lu_dtype dt = DTS[di].dt;
      lu_k_reduce_info info;
      if (lu_k_reduce_query((lu_redop)op, dt, &info)) continue;   /* nansum of ints: sum's */
      lu_dtype odt = lu_red_result((lu_redop)op, dt);
      bool prod = strstr(lu_reds[op].name, "prod") != nullptr;
      int mode = prod ? 4 : strstr(lu_reds[op].name, "any") || strstr(lu_reds[op].name, "all") ||
                 strstr(lu_reds[op].name, "count") ? 2 : (DTS[di].kind == 'f' ? 1 : 5);
      for (size_t gi = 0; gi < G.size(); gi++) {
        const geom &g = G[gi];
        int isz = DTS[dt].size, osz = DTS[odt].size;
        int64_t K = g.outer * g.inner;
        std::vector<char> h, got(K * osz), want(K * osz);
        fill(h, dt, g.span, mode, rng);
        char *d_in, *d_out;
        CK(cudaMalloc(&d_in, h.size()));
        CK(cudaMalloc(&d_out, K * osz));
        CK(cudaMemcpy(d_in, h.data(), h.size(), cudaMemcpyHostToDevice));
        lu_reduce_call c;
        memset(&c, 0, sizeof c);
        c.op = (lu_redop)op; c.in_dt = dt; c.acc_dt = c.out_dt = odt;
        c.outer = g.outer; c.red = g.red; c.inner = g.inner;
        c.s_outer = g.s_outer * isz; c.s_red = g.s_red * isz; c.s_inner = g.s_inner * isz;
        c.ddof = 1;
        c.in_ptr = d_in; c.out_ptr = d_out;
        int e = launch(&c);
        cudaError_t se = cudaStreamSynchronize(g_st);
        CK(cudaMemcpy(got.data(), d_out, got.size(), cudaMemcpyDeviceToHost));
        c.in_ptr = h.data(); c.out_ptr = want.data();
        int ce = lu_cpu_backend.reduce->reduce(ctx, &c);
        int64_t bad = 0, first = -1;
        double tol = DTS[odt].size == 4 ? (prod ? 1e-2 : 1e-4) : (prod ? 1e-9 : 1e-10);
        for (int64_t k = 0; k < K && !e && !se && !ce; k++) {
          bool ok;
          if (DTS[odt].kind == 'f') {
            double a = load(&got[k * osz], odt).f, b = load(&want[k * osz], odt).f;
            ok = (a != a && b != b) || a == b || std::fabs(a - b) <= tol * (std::fabs(b) + 1);
          } else {
            ok = memcmp(&got[k * osz], &want[k * osz], osz) == 0;
          }
          if (!ok) { if (first < 0) first = k; bad++; }
        }
        char what[256];
        snprintf(what, sizeof what, "row %s on %s, geom %s: rc %d/%s/cpu %d, %lld wrong (first %lld)",
                 lu_reds[op].name, DTS[di].name, g.name, e, cudaGetErrorString(se), ce,
                 (long long)bad, (long long)first);
        check(!e && !se && !ce && !bad, what);
        cudaFree(d_in); cudaFree(d_out);
      }
    }
  lu_ctx_unref(ctx);
}
/* }===== */

/* {===== iota, masks, matmul */
static void test_iota(void) {
  const int64_t n = 100001;
  const double starts[2] = {-3.5, 2.0}, steps[2] = {0.25, 0.75};
  for (int di = 0; di < NDT; di++)
    for (int v = 0; v < 2; v++) {
      const dtinfo &d = DTS[di];
      char *d_out;
      CK(cudaMalloc(&d_out, n * d.size));
      int e = lu_k_iota(d.dt, d_out, n, starts[v], steps[v], &g_env);
      CK(cudaStreamSynchronize(g_st));
      std::vector<char> got(n * d.size);
      CK(cudaMemcpy(got.data(), d_out, got.size(), cudaMemcpyDeviceToHost));
      int64_t bad = 0;
      for (int64_t i = 0; i < n && !e; i++) {
        double x = starts[v] + (double)i * steps[v];
        char want[8];
        if (d.kind == 'b') want[0] = x != 0;
        else if (d.kind == 'f') store_f(want, d.dt, x);
        else if (d.size == 8 && d.kind == 'u' && x >= 0) { uint64_t u = (uint64_t)x; memcpy(want, &u, 8); }
        else store_i(want, d.dt, (int64_t)x);
        if (d.kind == 'i' && d.size < 8) {
          /* out-of-range for small ints is undefined in C: skip those */
          double lim = std::ldexp(1.0, 8 * d.size - 1);
          if (x >= lim || x < -lim) continue;
        }
        if (d.kind == 'u' && d.size < 8 && (x < 0 || x >= std::ldexp(1.0, 8 * d.size))) continue;
        if (memcmp(want, &got[i * d.size], d.size)) bad++;
      }
      char what[128];
      snprintf(what, sizeof what, "iota %s start=%g (rc %d, %lld wrong)", d.name, starts[v], e, (long long)bad);
      check(!e && !bad, what);
      CK(cudaFree(d_out));
    }
}

static void test_masks(std::mt19937_64 &rng) {
  const lu_dtype dts[] = {LU_BOOL, LU_INT16, LU_FLOAT32, LU_FLOAT64};
  const int64_t ns[] = {1, 1000, 1000003};
  std::uniform_real_distribution<double> U(0, 1);
  for (lu_dtype dt : dts)
    for (int64_t n : ns) {
      int sz = DTS[dt].size;
      std::vector<char> in, vals;
      fill(in, dt, n, 0, rng);
      fill(vals, dt, n, 0, rng);
      std::vector<uint8_t> mask(n);
      for (auto &m : mask) m = U(rng) < 0.3;
      char *d_in, *d_out, *d_vals;
      uint8_t *d_mask;
      CK(cudaMalloc(&d_in, n * sz)); CK(cudaMalloc(&d_out, n * sz));
      CK(cudaMalloc(&d_vals, n * sz)); CK(cudaMalloc(&d_mask, n));
      CK(cudaMemcpy(d_in, in.data(), n * sz, cudaMemcpyHostToDevice));
      CK(cudaMemcpy(d_vals, vals.data(), n * sz, cudaMemcpyHostToDevice));
      CK(cudaMemcpy(d_mask, mask.data(), n, cudaMemcpyHostToDevice));
      /* select */
      int e = lu_k_mask_select(dt, d_in, d_mask, n, d_out, &g_env);
      CK(cudaStreamSynchronize(g_st));
      std::vector<char> got(n * sz), want;
      CK(cudaMemcpy(got.data(), d_out, n * sz, cudaMemcpyDeviceToHost));
      for (int64_t i = 0; i < n; i++)
        if (mask[i]) want.insert(want.end(), &in[i * sz], &in[i * sz] + sz);
      char what[128];
      snprintf(what, sizeof what, "mask_select %s n=%lld (rc %d)", DTS[dt].name, (long long)n, e);
      check(!e && memcmp(want.data(), got.data(), want.size()) == 0, what);
      /* scatter: arr = in, arr[mask] = vals[0..count) */
      e = lu_k_mask_scatter(dt, d_in, d_mask, n, d_vals, &g_env);
      CK(cudaStreamSynchronize(g_st));
      CK(cudaMemcpy(got.data(), d_in, n * sz, cudaMemcpyDeviceToHost));
      std::vector<char> w2 = in;
      int64_t j = 0;
      for (int64_t i = 0; i < n; i++)
        if (mask[i]) { memcpy(&w2[i * sz], &vals[j * sz], sz); j++; }
      snprintf(what, sizeof what, "mask_scatter %s n=%lld (rc %d)", DTS[dt].name, (long long)n, e);
      check(!e && memcmp(w2.data(), got.data(), n * sz) == 0, what);
      cudaFree(d_in); cudaFree(d_out); cudaFree(d_vals); cudaFree(d_mask);
    }
}

static void test_matmul(std::mt19937_64 &rng) {
  const int64_t B = 3, M = 37, N = 45, K = 29;
  for (int di = 0; di < NDT; di++)
    for (int tr = 0; tr < 4; tr++) {
      const dtinfo &d = DTS[di];
      int ta = tr & 1, tb = tr >> 1;
      bool bcast_b = tr == 3;
      std::vector<char> a, b;
      fill(a, d.dt, B * M * K, 5, rng);
      fill(b, d.dt, (bcast_b ? 1 : B) * K * N, 5, rng);
      char *d_a, *d_b, *d_c;
      CK(cudaMalloc(&d_a, a.size())); CK(cudaMalloc(&d_b, b.size()));
      CK(cudaMalloc(&d_c, B * M * N * d.size));
      CK(cudaMemcpy(d_a, a.data(), a.size(), cudaMemcpyHostToDevice));
      CK(cudaMemcpy(d_b, b.data(), b.size(), cudaMemcpyHostToDevice));
      lu_matmul_call c;
      memset(&c, 0, sizeof c);
      c.dt = d.dt; c.batch = B; c.M = M; c.N = N; c.K = K;
      c.a_ptr = d_a; c.b_ptr = d_b; c.c_ptr = d_c; c.trans_a = ta; c.trans_b = tb;
      c.lda = ta ? M : K; c.ldb = tb ? K : N; c.ldc = N;
      c.bstride_a = M * K; c.bstride_b = bcast_b ? 0 : K * N; c.bstride_c = M * N;
      int e = lu_k_matmul_generic(&c, &g_env);
      CK(cudaStreamSynchronize(g_st));
      std::vector<char> got(B * M * N * d.size);
      CK(cudaMemcpy(got.data(), d_c, got.size(), cudaMemcpyDeviceToHost));
      int64_t bad = 0;
      for (int64_t bt = 0; bt < B; bt++)
        for (int64_t m = 0; m < M; m++)
          for (int64_t n = 0; n < N; n++) {
            uint64_t ui = 0; double f = 0; bool any = false;
            for (int64_t k = 0; k < K; k++) {
              int64_t ia = bt * M * K + (ta ? k * M + m : m * K + k);
              int64_t ib = (bcast_b ? 0 : bt * K * N) + (tb ? n * K + k : k * N + n);
              val va = load(&a[ia * d.size], d.dt), vb = load(&b[ib * d.size], d.dt);
              if (d.kind == 'f') f += va.f * vb.f;
              else if (d.kind == 'b') any = any || (va.u && vb.u);
              else ui += (d.kind == 'u' ? va.u : (uint64_t)va.i) * (d.kind == 'u' ? vb.u : (uint64_t)vb.i);
            }
            const char *g = &got[((bt * M + m) * N + n) * d.size];
            if (d.kind == 'f') { if (std::fabs(load(g, d.dt).f - f) > 1e-4 * (1 + std::fabs(f))) bad++; }
            else {
              char want[8];
              if (d.kind == 'b') want[0] = any; else store_i(want, d.dt, (int64_t)ui);
              if (memcmp(want, g, d.size)) bad++;
            }
          }
      char what[128];
      snprintf(what, sizeof what, "matmul_generic %s ta=%d tb=%d (rc %d, %lld wrong)", d.name, ta, tb, e, (long long)bad);
      check(!e && !bad, what);
      cudaFree(d_a); cudaFree(d_b); cudaFree(d_c);
    }
}
/* }===== */

/* {===== timings */
template <class F> static float time_ms(F f, int reps = 20) {
  cudaEvent_t a, b;
  cudaEventCreate(&a); cudaEventCreate(&b);
  f(); f();
  cudaEventRecord(a, g_st);
  for (int i = 0; i < reps; i++) f();
  cudaEventRecord(b, g_st);
  cudaEventSynchronize(b);
  float ms; cudaEventElapsedTime(&ms, a, b);
  cudaEventDestroy(a); cudaEventDestroy(b);
  return ms / reps;
}

static void bench(void) {
  const int64_t n = 100000000;
  float *d_x, *d_y, *d_o; int64_t *d_i;
  CK(cudaMalloc(&d_x, n * 4)); CK(cudaMalloc(&d_y, n * 4));
  CK(cudaMalloc(&d_o, 100000 * 4)); CK(cudaMalloc(&d_i, 100000 * 8));
  lu_k_iota(LU_FLOAT32, d_x, n, 0, 1e-7, &g_env);
  double gb = n * 4 / 1e9;
  float ms = time_ms([&] { cudaMemcpyAsync(d_y, d_x, n * 4, cudaMemcpyDeviceToDevice, g_st); });
  printf("bench copy 4e8 B: %.3f ms (%.0f GB/s read+write)\n", ms, 2 * gb / ms * 1e3);
  void *tmp = nullptr; size_t tb = 0;
  cub::DeviceReduce::Sum(nullptr, tb, d_x, d_o, (int)n, g_st);
  cudaMalloc(&tmp, tb);
  ms = time_ms([&] { size_t t = tb; cub::DeviceReduce::Sum(tmp, t, d_x, d_o, (int)n, g_st); });
  printf("bench plain cub Sum 1e8 f32: %.3f ms (%.0f GB/s)\n", ms, gb / ms * 1e3);
  cudaFree(tmp);
  struct { lu_redop op; const char *name; int64_t outer, red, inner; } cs[] = {
    {LU_RED_sum, "sum 1e8", 1, n, 1}, {LU_RED_max, "max 1e8", 1, n, 1},
    {LU_RED_argmax, "argmax 1e8", 1, n, 1},
    {LU_RED_sum, "sum axis0 (col sums) 1e4x1e4", 1, 10000, 10000},
    {LU_RED_sum, "sum axis1 (row sums) 1e4x1e4", 10000, 10000, 1},
    {LU_RED_max, "max axis0 1e4x1e4", 1, 10000, 10000},
    {LU_RED_argmax, "argmax axis1 1e4x1e4", 10000, 10000, 1},
    {LU_RED_sum, "sum axis0 1e6x100", 1, 1000000, 100},
    {LU_RED_sum, "sum axis1 1e7x10", 10000000, 10, 1},
  };
  for (auto &cc : cs) {
    lu_reduce_call c;
    memset(&c, 0, sizeof c);
    c.op = cc.op; c.in_dt = LU_FLOAT32; c.acc_dt = LU_FLOAT32;
    c.out_dt = cc.op == LU_RED_argmax ? LU_INT64 : LU_FLOAT32;
    c.in_ptr = (const char *)d_x; c.outer = cc.outer; c.red = cc.red; c.inner = cc.inner;
    c.s_red = cc.inner * 4; c.s_inner = 4; c.s_outer = cc.red * cc.inner * 4;
    c.out_ptr = cc.op == LU_RED_argmax ? (char *)d_i : (char *)d_o;
    lu_k_reduce_plan p;
    int e = plan_of(&c, &p);
    ms = time_ms([&] { e |= lu_k_reduce(&c, &p, &g_env); });
    printf("bench %s f32: %.3f ms (%.0f GB/s)%s\n", cc.name, ms, gb / ms * 1e3, e ? " ERROR" : "");
  }
  cudaFree(d_x); cudaFree(d_y); cudaFree(d_o); cudaFree(d_i);
}
/* }===== */

int main(int argc, char **argv) {
  int ndev = 0;
  if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0) {
    printf("no GPU: skipped\n");
    return 77;
  }
  CK(cudaStreamCreate(&g_st));  /* blocking: orders after cudaMemcpy */
  g_scr.alloc = s_alloc; g_scr.free = s_free; g_scr.ud = g_st;
  make_env();
  std::mt19937_64 rng(12345);
  test_reduce(rng);
  test_rows_vs_cpu(rng);
  test_iota();
  test_masks(rng);
  test_matmul(rng);
  check(g_live == 0, "scratch: every allocation freed");
  printf("kernels: %d passed, %d failed\n", g_pass, g_fail);
  if (argc > 1 && strcmp(argv[1], "bench") == 0) bench();
  return g_fail != 0;
}
