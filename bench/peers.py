# SPDX-License-Identifier: MIT
"""The peers' half of the side-by-side benchmark (issue 3).

    python3 bench/peers.py [--device cuda|cpu] [--quick|--tiny] [--json out.json]
                           [--systems cupy,torch,numpy] [--only key,key] [--reps N]

Runs bench/bench.lua's workloads in CuPy, PyTorch and NumPy, on the same
deterministic inputs, with the same timing (CUDA events on the GPU after three
warm-up calls, the wall clock on the CPU; median of the repeats) and the same
checksums, and writes one JSON object per system plus "ref": the checksums of
each workload computed in float64 from the same (float32) inputs, which
compare.py checks every system against. Systems that cannot be imported, or
that find no GPU, are left out with a note; with neither CuPy nor PyTorch
only NumPy rows are made. Keep in step with bench.lua: keys, sizes, data.
"""
import argparse
import json
import os
import sys
import time

P = 2147483647
SEEDS = [(48271, 1000003), (69621, 1008001), (16807, 1020001),
         (40692, 1030001), (39373, 1040003), (45991, 1050011)]
WARM = 3
LOOP_STEPS = 100   # steps of x = x * 0.999 + 0.001 per captured graph (bench.lua too)


# The Monte Carlo option of issue 10 (bench.lua has the same numbers): a
# European call, S0 100, strike 100, rate 5%, volatility 20%, one year;
# the price is exp(-rT) mean(max(S0 exp((r - s^2/2)T + s sqrt(T) z) - K, 0))
MC_S0, MC_K, MC_R, MC_SIG, MC_T = 100.0, 100.0, 0.05, 0.2, 1.0
MC_A = MC_SIG * MC_T ** 0.5
MC_B = (MC_R - 0.5 * MC_SIG * MC_SIG) * MC_T
MC_DISC = 2.718281828459045 ** (-MC_R * MC_T)


def loop_iters(S):
    """Steps of the dependent loop rows: 10^4, fewer in the quick sizes."""
    return max(LOOP_STEPS, min(S["small_iters"], 10000) // LOOP_STEPS * LOOP_STEPS)


def sizes(mode, quick, tiny):
    if tiny:
        return dict(n=20000, rows=100, cols=200, mm=[48, 64], rand=20000, small=1000,
                    small_iters=200, small_loops=3, xfer=20000, reps=10,
                    la=dict(solve=32, chol=32, svd=16, eigh=32, batch=100, bn=8), queries=20000,
                    ein=dict(b=2, n=32), fft=dict(c=1 << 10, r=1 << 12, n2=64),
                    conv=dict(n=4096, m=512))
    if quick:
        return dict(n=1000000, rows=1000, cols=1000, mm=[256, 512], rand=1000000, small=1000,
                    small_iters=2000, small_loops=3, xfer=1000000, reps=10,
                    la=dict(solve=256, chol=256, svd=128, eigh=256, batch=1000, bn=8), queries=1000000,
                    ein=dict(b=4, n=256), fft=dict(c=1 << 16, r=1 << 18, n2=512),
                    conv=dict(n=1 << 16, m=1 << 12))
    if mode == "cuda":
        return dict(n=100000000, rows=10000, cols=10000, mm=[1000, 4096], rand=100000000,
                    small=1000, small_iters=20000, small_loops=10, xfer=100000000, reps=15,
                    la=dict(solve=4096, chol=8192, svd=2048, eigh=4096, batch=100000, bn=8), queries=10000000,
                    ein=dict(b=64, n=512), fft=dict(c=1 << 24, r=1 << 26, n2=4096),
                    conv=dict(n=1 << 22, m=1 << 20))
    return dict(n=10000000, rows=3162, cols=3162, mm=[2000], rand=10000000, small=1000,
                small_iters=20000, small_loops=10, xfer=0, reps=10,
                la=dict(solve=2000, chol=2000, svd=500, eigh=1000, batch=10000, bn=8), queries=10000000,
                ein=dict(b=38, n=512), fft=dict(c=1 << 20, r=1 << 22, n2=1024),
                conv=dict(n=200000, m=20000))


def fast_len(n):
    """the smallest 2^a 3^b 5^c >= n"""
    best, p2 = None, 1
    while True:
        p3 = p2
        while True:
            p5 = p3
            while p5 < n:
                p5 *= 5
            best = p5 if best is None else min(best, p5)
            if p3 >= n:
                break
            p3 *= 3
        if p2 >= n:
            break
        p2 *= 2
    return best


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def positions(n):
    if n <= 1:
        return [0]
    return [0, n // 7, n // 3, (2 * n) // 3, n - 1]


def median(ts):
    s = sorted(ts)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def summarize(ts):
    return dict(ms=median(ts), min=min(ts), max=max(ts), reps=len(ts), times=list(ts))


# {===== backends: one small adapter per library, the workloads are shared
class NumpyBackend:
    name, gpu = "numpy", False

    def __init__(self):
        import numpy
        self.np = self.xp = numpy

    def arange(self, a, b):
        return self.np.arange(a, b, dtype=self.np.int64)

    def cast(self, x, dt):
        if dt == "bfloat16":   # NumPy has none: float32 holding bfloat16 values (RNE)
            u = x.astype(self.np.float32).view(self.np.uint32)
            u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
            return u.astype(self.np.uint32).view(self.np.float32)
        return x.astype(getattr(self.np, dt))

    def complex(self, re, im):
        z = re.astype(self.xp.complex64 if re.dtype == self.xp.float32 else self.xp.complex128)
        z.imag = im
        return z

    def reshape(self, x, *shape):
        return x.reshape(*shape)

    def copy(self, x):
        return x.copy()

    def assign(self, x, v):
        x[...] = v

    def graph_steps(self, x, steps):
        raise NotImplementedError("NumPy has no CUDA graphs")

    def concat(self, xs):
        return self.xp.concatenate(xs)

    def zeros(self, n, like):
        return self.xp.zeros(n, dtype=like.dtype)

    def gather(self, a, i):
        return a[i]

    def add_at(self, acc, i, v):
        self.np.add.at(acc, i, v)

    def mask_set(self, x, m):
        x[m] = 0

    def sum(self, x, axis=None):
        return x.sum(axis=axis)

    def tcopy(self, m):
        return self.xp.ascontiguousarray(m.T)

    def sqrt(self, x):
        return self.xp.sqrt(x)

    def exp(self, x):
        return self.xp.exp(x)

    def randn(self, n):
        return self.np.random.default_rng(7).standard_normal(n, dtype=self.np.float32)

    def rand(self, n):
        return self.np.random.default_rng(8).random(n, dtype=self.np.float32)

    # the Generator rows (issue 9): one Generator per backend, made once
    def rng(self):
        if getattr(self, "_rng", None) is None:
            self._rng = self.xp.random.default_rng(7)
        return self._rng

    def rng_normal(self, n):
        return self.rng().standard_normal(n, dtype=self.xp.float32)

    def rng_integers(self, n):
        return self.rng().integers(0, 1000, n, dtype=self.xp.int64)

    def rng_poisson(self, n):
        return self.rng().poisson(5.0, n)

    def rng_binomial(self, n):
        return self.rng().binomial(20, 0.4, n)

    def scalar(self, x):
        return float(x)

    def size(self, x):
        return int(x.size)

    def sync(self):
        pass

    def timed(self, fn):
        t0 = time.perf_counter()
        out = fn()
        self.sync()
        return (time.perf_counter() - t0) * 1000, out

    def free(self):
        pass

    # linalg: the module, an identity, the transpose of the last two axes
    def sqdiff_kernel(self):
        return lambda x, y: (x - y) * (x - y)

    # explicit fusion (issue 10): NumPy has none, the function itself
    def fuse(self, fn):
        return fn

    # the Monte Carlo option price over n paths, as the expression
    def mc_option(self, n):
        xp = self.xp
        s = MC_S0 * xp.exp(self.randn(n) * MC_A + MC_B)
        return xp.maximum(s - MC_K, 0).mean() * MC_DISC

    # softmax over the rows of a matrix, as the expression (issue 10)
    def softmax_rows(self, x):
        e = self.xp.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    # the full convolution as each system's users call it: NumPy's and
    # CuPy's convolve (CuPy picks direct or FFT by its own model)
    def convolve(self, a, v):
        return self.xp.convolve(a, v)

    def la(self):
        return self.xp.linalg

    def eye(self, n, dt):
        return self.xp.eye(n, dtype=getattr(self.xp, dt))

    def mT(self, x):
        return self.xp.swapaxes(x, -1, -2)


class CupyBackend(NumpyBackend):
    name, gpu = "cupy", True

    def __init__(self):
        import numpy
        import cupy
        self.np, self.xp = numpy, cupy
        cupy.cuda.runtime.getDeviceCount()
        cupy.zeros(1).sum().item()  # fails here, not later, without a GPU

    def arange(self, a, b):
        return self.xp.arange(a, b, dtype=self.xp.int64)

    def cast(self, x, dt):
        return x.astype(getattr(self.xp, dt))

    def tcopy(self, m):
        return m.T.copy()

    def randn(self, n):
        return self.xp.random.standard_normal(n, dtype=self.xp.float32)

    def rand(self, n):
        return self.xp.random.random_sample(n, dtype=self.xp.float32)

    def sync(self):
        self.xp.cuda.Device().synchronize()

    def timed(self, fn):
        e0, e1 = self.xp.cuda.Event(), self.xp.cuda.Event()
        e0.record()
        out = fn()
        e1.record()
        e1.synchronize()
        return self.xp.cuda.get_elapsed_time(e0, e1), out

    def to_host(self, x):
        return self.xp.asnumpy(x)

    def to_device(self, h):
        return self.xp.asarray(h)

    def host_pinned(self, n):   # a float32 NumPy array in page-locked memory
        import cupyx
        return cupyx.empty_pinned((n,), dtype=self.np.float32)

    def to_host_into(self, x, h):
        x.get(out=h)
        return h

    def add_at(self, acc, i, v):
        import cupyx
        cupyx.scatter_add(acc, i, v)

    # loop_graph: a function that runs `steps` in-place steps of
    # x = x * 0.999 + 0.001 on x as one captured CUDA graph (warmed up first,
    # on a side stream, since the capture must not compile or allocate)
    def graph_steps(self, x, steps):
        cp = self.xp

        def body():
            for _ in range(steps):
                cp.multiply(x, 0.999, out=x)
                cp.add(x, 0.001, out=x)
        s = cp.cuda.Stream(non_blocking=True)
        with s:
            body()
            s.synchronize()
            s.begin_capture()
            body()
            g = s.end_capture()
        return lambda: g.launch()

    def sqdiff_kernel(self):
        return self.xp.ElementwiseKernel("T x, T y", "T z", "z = (x - y) * (x - y)", "squared_diff")

    def fuse(self, fn):
        return self.xp.fuse(fn)

    def free(self):
        self.sync()
        self.xp.get_default_memory_pool().free_all_blocks()
        self.xp.get_default_pinned_memory_pool().free_all_blocks()


class TorchBackend:
    name, gpu = "torch", True

    def __init__(self, device="cuda"):
        import torch
        self.torch = self.xp = torch
        self.dev = device
        if device == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("torch.cuda.is_available() is False")
        # CuPy's float32 matmul is plain FP32; keep PyTorch's default (no TF32) explicit.
        torch.backends.cuda.matmul.allow_tf32 = False

    def arange(self, a, b):
        return self.torch.arange(a, b, dtype=self.torch.int64, device=self.dev)

    def cast(self, x, dt):
        return x.to(getattr(self.torch, dt))

    def complex(self, re, im):
        return self.torch.complex(re, im)

    def reshape(self, x, *shape):
        return x.reshape(*shape)

    def copy(self, x):
        return x.clone()

    def concat(self, xs):
        return self.torch.cat(xs)

    def zeros(self, n, like):
        return self.torch.zeros(n, dtype=like.dtype, device=self.dev)

    def gather(self, a, i):
        return a[i]

    def add_at(self, acc, i, v):
        acc.index_add_(0, i, v)   # atomics on the GPU (index_put_ accumulate sorts)

    def mask_set(self, x, m):
        x[m] = 0

    def sum(self, x, axis=None):
        return x.sum() if axis is None else x.sum(dim=axis)

    def tcopy(self, m):
        return m.t().contiguous()

    def sqrt(self, x):
        return self.torch.sqrt(x)

    def exp(self, x):
        return self.torch.exp(x)

    def randn(self, n):
        return self.torch.randn(n, device=self.dev, dtype=self.torch.float32)

    def rand(self, n):
        return self.torch.rand(n, device=self.dev, dtype=self.torch.float32)

    def rng_normal(self, n):
        return self.torch.randn(n, device=self.dev, dtype=self.torch.float32)

    def rng_integers(self, n):
        return self.torch.randint(0, 1000, (n,), device=self.dev, dtype=self.torch.int64)

    def _full(self, n, v):
        key = (n, v)
        if getattr(self, "_fulls", None) is None:
            self._fulls = {}
        if key not in self._fulls:   # the rates/counts tensors, made once
            self._fulls[key] = self.torch.full((n,), v, device=self.dev, dtype=self.torch.float32)
        return self._fulls[key]

    def rng_poisson(self, n):
        return self.torch.poisson(self._full(n, 5.0))

    def rng_binomial(self, n):
        return self.torch.binomial(self._full(n, 20.0), self._full(n, 0.4))

    def scalar(self, x):
        return float(x.item())

    def size(self, x):
        return int(x.numel())

    def sync(self):
        if self.dev == "cuda":
            self.torch.cuda.synchronize()

    def timed(self, fn):
        if self.dev != "cuda":
            t0 = time.perf_counter()
            out = fn()
            return (time.perf_counter() - t0) * 1000, out
        e0 = self.torch.cuda.Event(enable_timing=True)
        e1 = self.torch.cuda.Event(enable_timing=True)
        e0.record()
        out = fn()
        e1.record()
        e1.synchronize()
        return e0.elapsed_time(e1), out

    def to_host(self, x):
        return x.cpu()

    def to_device(self, h):
        return h.to(self.dev)

    def host_pinned(self, n):
        return self.torch.empty(n, dtype=self.torch.float32, pin_memory=True)

    def to_host_into(self, x, h):
        h.copy_(x)
        return h

    # torch.cuda.graphs, as PyTorch's documentation writes them: warm-up on a
    # side stream, then capture; replay() runs the steps in place on x
    def graph_steps(self, x, steps):
        torch = self.torch
        if self.dev != "cuda":
            raise NotImplementedError("CUDA graphs need the GPU")

        def body():
            for _ in range(steps):
                x.mul_(0.999).add_(0.001)
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            body()
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            body()
        return g.replay

    def assign(self, x, v):
        x.copy_(v)

    def free(self):
        self.sync()
        if self.dev == "cuda":
            self.torch.cuda.empty_cache()

    # the Monte Carlo option through torch.compile on a GPU (random numbers
    # generated inside the compiled kernel), eager elsewhere
    def mc_option(self, n):
        if getattr(self, "_mc", None) is None:
            torch = self.torch

            def mc_price(n):
                z = torch.randn(n, device=self.dev, dtype=torch.float32)
                s = MC_S0 * torch.exp(z * MC_A + MC_B)
                return torch.clamp(s - MC_K, min=0).mean() * MC_DISC
            compile_ = getattr(torch, "compile", None)
            self._mc = compile_(mc_price) if compile_ is not None and self.dev == "cuda" else mc_price
        return self._mc(n)

    # PyTorch's fused softmax kernel
    def softmax_rows(self, x):
        return self.torch.softmax(x, dim=1)

    # torch.compile (Inductor, which needs Triton on a GPU); where it is
    # missing or fails, the row reports the error and the others run on
    def fuse(self, fn):
        compile_ = getattr(self.torch, "compile", None)
        if compile_ is None:
            raise RuntimeError("torch.compile is not available")
        return compile_(fn)

    # PyTorch has no convolve (conv1d is a direct correlation, meant for
    # short kernels): the rfft product its users write, at a 5-smooth length
    def convolve(self, a, v):
        F, L = self.torch.fft, a.shape[0] + v.shape[0] - 1
        nf = fast_len(L)
        return F.irfft(F.rfft(a, n=nf) * F.rfft(v, n=nf), n=nf)[:L]

    def la(self):
        return self.torch.linalg

    def eye(self, n, dt):
        return self.torch.eye(n, dtype=getattr(self.torch, dt), device=self.dev)

    def mT(self, x):
        return x.transpose(-1, -2)
# }=====


def gen(X, n, seed, dtype="float32", centered=False, ref=False):
    """The deterministic inputs of bench.lua (see there). With ref the
    float32 data is returned upcast to float64, for the reference sums."""
    A, B = SEEDS[seed - 1]
    j = X.arange(seed * 100000007, seed * 100000007 + n)
    h = ((j * j) % P * A + j * B) % P
    del j
    u = X.cast(h, "float64") / P
    del h
    if centered:
        u = u - 0.5
    if dtype != "float64":
        u = X.cast(u, dtype)
        if ref:
            u = X.cast(u, "float64")
    return u


def checksum(X, x, shift=0):
    n = X.size(x)
    if n == 1:
        v = X.scalar(x.reshape(1)[0]) + shift
        return dict(n=1, sum=v, sumsq=v * v, at=[0], samples=[v])
    f = X.cast(x.reshape(n), "float64")
    at = positions(n)
    return dict(n=n, sum=X.scalar(f.sum()) + shift * n, sumsq=X.scalar((f * f).sum()),
                at=at, samples=[X.scalar(f[p]) + shift for p in at])


class Runner:
    """Runs the workloads on one backend; ref=True computes the float64
    reference checksums only, no timing."""

    def __init__(self, X, S, only, ref=False):
        self.X, self.S, self.only, self.ref = X, S, only, ref
        self.rows, self.order = {}, []

    def want(self, key):
        return not self.only or key in self.only

    def bench(self, fn, reps=None):
        X = self.X
        for _ in range(WARM):
            t0 = time.perf_counter()
            fn()
            X.sync()
            if time.perf_counter() - t0 > 0.25:  # a slow op (CPU matmul) needs one
                break
        ts = []
        for _ in range(reps or self.S["reps"]):
            ms, out = X.timed(fn)
            del out
            ts.append(ms)
        return summarize(ts)

    def run(self, key, fn, bytes=None, flops=None, minmax=False, result=None):
        if not self.want(key):
            return
        t0 = time.perf_counter()
        try:
            r = {} if self.ref else self.bench(fn)
            out = result() if result else fn()
            r["check"] = checksum(self.X, out)
            if minmax:
                r["check"]["min"] = self.X.scalar(out.min())
                r["check"]["max"] = self.X.scalar(out.max())
            del out
            r.update(bytes=bytes, flops=flops, unit="ms")
        except Exception as e:  # a failing workload is a row, not the end of the run
            r = dict(error="%s: %s" % (type(e).__name__, e))
        self.rows[key] = r
        self.order.append(key)
        if not self.ref:
            log("%-7s %-12s %s  (%.1f s)" % (self.X.name, key, r.get("error") or "%.4f ms" % r["ms"],
                                            time.perf_counter() - t0))

    def all(self):
        X, S, ref = self.X, self.S, self.ref
        N, R, C = S["n"], S["rows"], S["cols"]
        a = gen(X, N, 1, ref=ref)
        b = gen(X, N, 2, ref=ref)
        c = gen(X, N, 3, ref=ref)
        self.run("copy", lambda: X.copy(a), bytes=8 * N)
        self.run("fma", lambda: a * b + c, bytes=16 * N)
        self.run("sqrt_exp", lambda: X.sqrt(a * a + b * b) * X.exp(-c), bytes=16 * N)
        self.run("sum", lambda: a.sum(), bytes=4 * N)
        self.run("max", lambda: a.max(), bytes=4 * N)
        self.run("argmax", lambda: a.argmax(), bytes=4 * N)
        # explicit fusion (issue 10): cupy.fuse, torch.compile, NumPy unfused
        if self.want("fuse_fma") or self.want("fuse_sqrt_exp"):
            # named functions: cupy.fuse names its kernel after the function,
            # and "<lambda>" is not a CUDA identifier
            def fused_fma(a, b, c):
                return a * b + c

            def fused_sqrt_exp(a, b, c):
                return X.sqrt(a * a + b * b) * X.exp(-c)

            try:
                ffma = X.fuse(fused_fma)
                fse = X.fuse(fused_sqrt_exp)
            except Exception as e:   # torch.compile missing: both rows say why
                ffma = fse = None
                err = e

                def failing(*args):
                    raise err
            self.run("fuse_fma", lambda: (ffma or failing)(a, b, c), bytes=16 * N)
            self.run("fuse_sqrt_exp", lambda: (fse or failing)(a, b, c), bytes=16 * N)
        # sum, sum of squares and max of a (issue 10): three calls, then
        # cupy.fuse / torch.compile of the function (NumPy: the function)
        if self.want("stats") or self.want("fuse_stats"):
            def stats3(x):
                return x.sum(), (x * x).sum(), x.max()

            def three(r):
                return X.concat([X.reshape(v, 1) for v in r])

            self.run("stats", lambda: stats3(a)[0], bytes=4 * N, result=lambda: three(stats3(a)))
            try:
                fstats = X.fuse(stats3)
                fstats(a)
            except Exception as e:
                fstats = None
                serr = e

                def fstats_failing(*args):
                    raise serr
            f3 = fstats or fstats_failing
            self.run("fuse_stats", lambda: f3(a)[0], bytes=4 * N, result=lambda: three(f3(a)))
        # softmax over the rows of the first R*C values of a (issue 10):
        # the expression in CuPy, torch.softmax in PyTorch
        self.run("softmax", lambda: X.softmax_rows(X.reshape(a[:R * C], R, C)), bytes=8 * R * C)
        Q = N // 4   # issue 7: concatenate of 4 x N/4, the quarters bench.lua takes
        qs = [a[:Q], b[Q:2 * Q], c[2 * Q:3 * Q], a[3 * Q:4 * Q]]
        self.run("concat", lambda: X.concat(qs), bytes=8 * 4 * Q)
        del b, c
        X.free()

        self.indexing(a)
        # 16-bit floats and complex64 (issue 7): inputs rounded from the
        # float32 ones; the reference computes in float64 on those values
        for key, dt in (("fma_f16", "float16"), ("fma_bf16", "bfloat16")):
            if not self.want(key):
                continue
            try:
                h1, h2, h3 = (X.cast(gen(X, N, s), dt) for s in (1, 2, 3))
                if ref:
                    h1, h2, h3 = (X.cast(v, "float64") for v in (h1, h2, h3))
            except Exception as e:
                self.rows[key] = dict(error="%s: %s" % (type(e).__name__, e))
                self.order.append(key)
                continue
            self.run(key, lambda: h1 * h2 + h3, bytes=8 * N)
            del h1, h2, h3
            X.free()
        if self.want("cmul_c64"):
            p = [gen(X, N, s, ref=ref) for s in (1, 2, 3, 4)]
            za, zb = X.complex(p[0], p[1]), X.complex(p[2], p[3])
            del p
            self.run("cmul_c64", lambda: za * zb, bytes=24 * N)
            del za, zb
            X.free()

        m = X.reshape(gen(X, R * C, 4, ref=ref), R, C)
        self.run("sum_ax1", lambda: X.sum(m, 0), bytes=4 * R * C)
        self.run("sum_ax2", lambda: X.sum(m, 1), bytes=4 * R * C)
        self.run("transpose", lambda: X.tcopy(m), bytes=8 * R * C)
        del m
        X.free()

        for dt in ("float32", "float64"):
            for n in S["mm"]:
                key = "mm%d_%s" % (n, "f32" if dt == "float32" else "f64")
                if not self.want(key):
                    continue
                x = X.reshape(gen(X, n * n, 5, dt, True, ref=ref), n, n)
                y = X.reshape(gen(X, n * n, 6, dt, True, ref=ref), n, n)
                self.run(key, lambda: x @ y, flops=2 * n ** 3,
                         bytes=3 * n * n * (4 if dt == "float32" else 8))
                del x, y
        X.free()

        self.linalg()
        X.free()
        self.sort_family()
        X.free()
        self.contractions()
        X.free()
        self.convolution()
        X.free()
        self.fft_family()
        X.free()

        if not ref:  # random numbers are checked by their moments, not against a reference
            self.run("randn", lambda: X.randn(S["rand"]), bytes=4 * S["rand"], minmax=True)
            self.run("rand", lambda: X.rand(S["rand"]), bytes=4 * S["rand"], minmax=True)
            m = S["rand"] // 10
            self.run("rng_normal", lambda: X.rng_normal(S["rand"]), bytes=4 * S["rand"], minmax=True)
            self.run("rng_integers", lambda: X.rng_integers(S["rand"]), bytes=8 * S["rand"], minmax=True)
            self.run("rng_poisson", lambda: X.rng_poisson(m), bytes=8 * m, minmax=True)
            self.run("rng_binomial", lambda: X.rng_binomial(m), bytes=8 * m, minmax=True)
            # issue 10: checked against the Black-Scholes price (compare.py)
            self.run("mc_option", lambda: X.mc_option(S["rand"]), bytes=8 * S["rand"])
            X.free()

        # user kernels (issue 10): CuPy's ElementwiseKernel; NumPy and the
        # float64 reference compute the same expression, PyTorch has none
        if X.name != "torch":
            sq = X.sqdiff_kernel()
            if self.want("ekernel"):
                b = gen(X, N, 2, ref=ref)
                self.run("ekernel", lambda: sq(a, b), bytes=12 * N)
                del b
                X.free()
            if self.want("small_add"):
                self.small("small_add", lambda x, y: x + y)
            if self.want("small_ekernel"):
                self.small("small_ekernel", sq)
        elif self.want("small_add"):
            self.small("small_add", lambda x, y: x + y)
        # the dependent loop (issue 10): eager, and as CUDA graphs
        if self.want("loop"):
            self.loop("loop", False)
        if self.want("loop_graph") and (X.gpu or ref):
            self.loop("loop_graph", True)

        if X.gpu and S["xfer"] > 0:
            self.transfers(a)
        del a
        X.free()
        return self.rows, self.order

    # bench.lua's linalg section: same inputs (X + n I, (X + X^T)/2), the
    # vectors of svd and eigh timed but only the values checked
    def linalg(self):
        X, LA, ref = self.X, self.S["la"], self.ref
        la = X.la()

        def tag(dt):
            return "f32" if dt == "float32" else "f64"

        def mat(n, seed, dt):
            return X.reshape(gen(X, n * n, seed, dt, True, ref=ref), n, n)

        def shifted(x, n, dt):
            return x + X.eye(n, "float64" if ref else dt) * n

        def sym(x):
            return (x + X.mT(x)) / 2

        try:
            for dt in ("float64", "float32"):
                n = LA["solve"]
                ks, ki = "solve%d_%s" % (n, tag(dt)), "inv%d_%s" % (n, tag(dt))
                if self.want(ks) or self.want(ki):
                    a = shifted(mat(n, 1, dt), n, dt)
                    b = gen(X, n, 2, dt, True, ref=ref)
                    self.run(ks, lambda: la.solve(a, b))
                    self.run(ki, lambda: la.inv(a))
                    del a, b
                    X.free()
            n = LA["chol"]
            key = "chol%d_f64" % n
            if self.want(key):
                a = shifted(sym(mat(n, 3, "float64")), n, "float64")
                self.run(key, lambda: la.cholesky(a))
                del a
                X.free()
            n = LA["svd"]
            key = "svd%d_f32" % n
            if self.want(key):
                a = mat(n, 4, "float32")
                self.run(key, lambda: la.svd(a)[1])
                del a
                X.free()
            n = LA["eigh"]
            key = "eigh%d_f64" % n
            if self.want(key):
                a = sym(mat(n, 5, "float64"))
                self.run(key, lambda: la.eigh(a)[0])
                del a
                X.free()
            nb, n = LA["batch"], LA["bn"]
            suffix = "%dx%d_f32" % (nb, n)
            keys = ["bsolve" + suffix, "binv" + suffix, "beigh" + suffix]
            if any(self.want(k) for k in keys):
                x = X.reshape(gen(X, nb * n * n, 1, "float32", True, ref=ref), nb, n, n)
                a = shifted(x, n, "float32")
                b = X.reshape(gen(X, nb * n, 2, "float32", True, ref=ref), nb, n, 1)
                s = sym(x)
                self.run(keys[0], lambda: la.solve(a, b))
                self.run(keys[1], lambda: la.inv(a))
                self.run(keys[2], lambda: la.eigh(s)[0])
                del x, a, b, s
        except Exception as e:  # making the inputs failed: the section's rows say so
            log("%-7s linalg section: %s: %s" % (X.name, type(e).__name__, e))

    # The sort family (issue 8). The reference (float64 upcast) sorts
    # stably, so every system's argsort is asked for a stable one; PyTorch's
    # median is the lower of the middle two (equal here: ties), its quantile
    # stops at 16M elements, and its histogram is histc.
    def sort_family(self):
        X, S, ref = self.X, self.S, self.ref
        N, R, C = S["n"], S["rows"], S["cols"]
        keys = ("sort", "argsort", "cumsum", "unique", "histogram", "median", "percentile",
                "sort_rows", "searchsorted")
        if not any(self.want(k) for k in keys):
            return
        a = gen(X, N, 1, ref=ref)
        torch = X.name == "torch"
        xp = X.xp
        if torch:
            self.run("sort", lambda: xp.sort(a).values, bytes=8 * N)
            self.run("argsort", lambda: xp.argsort(a, stable=True), bytes=12 * N)
            self.run("cumsum", lambda: xp.cumsum(a, 0), bytes=8 * N)
        else:
            self.run("sort", lambda: xp.sort(a), bytes=8 * N)
            self.run("argsort", lambda: xp.argsort(a, kind="stable"), bytes=12 * N)
            self.run("cumsum", lambda: xp.cumsum(a), bytes=8 * N)
        # the float32 product, as lunar's: NumPy 1.x makes float32 * 1000000
        # float64 (the int does not fit float32 by value), and its ints then
        # differ from the others'; the float64 product of a float32 and 10^6
        # is exact, so rounding it to float32 is the float32 product
        ints = X.cast(X.cast(gen(X, N, 1) * 1000000, "float32"), "int32")
        if torch:
            self.run("unique", lambda: xp.unique(ints, return_counts=True)[1], bytes=8 * N)
            self.run("histogram", lambda: xp.histc(a, 256), bytes=4 * N)
            self.run("median", lambda: xp.median(a), bytes=4 * N)
            if ref:   # NumPy's linear percentile from a sort: torch.quantile stops at 16M
                def pct():
                    v = xp.sort(a).values
                    p = 0.9 * (N - 1)
                    i = int(p)
                    j = min(i + 1, N - 1)
                    return v[i] + (v[j] - v[i]) * (p - i)
                self.run("percentile", pct, bytes=4 * N)
            else:
                self.run("percentile", lambda: xp.quantile(a, 0.9), bytes=4 * N)
        else:
            self.run("unique", lambda: xp.unique(ints, return_counts=True)[1], bytes=8 * N)
            self.run("histogram", lambda: xp.histogram(a, 256)[0], bytes=4 * N)
            self.run("median", lambda: xp.median(a), bytes=4 * N)
            self.run("percentile", lambda: xp.percentile(a, 90), bytes=4 * N)
        del a, ints
        X.free()
        m = X.reshape(gen(X, R * C, 4, ref=ref), R, C)
        if torch:
            self.run("sort_rows", lambda: xp.sort(m, dim=-1).values, bytes=8 * R * C)
        else:
            self.run("sort_rows", lambda: xp.sort(m, axis=-1), bytes=8 * R * C)
        del m
        X.free()
        Q = S["queries"]
        q = gen(X, Q, 2, ref=ref)
        srt = gen(X, Q // 10, 3, ref=ref)
        srt = xp.sort(srt).values if torch else xp.sort(srt)
        self.run("searchsorted", lambda: xp.searchsorted(srt, q), bytes=12 * Q)
        del q, srt
        X.free()

    # Contractions (issue 8): einsum as each system's users call it
    # (NumPy's default, optimize=False; CuPy's and PyTorch's einsum).
    def contractions(self):
        X, S, ref = self.X, self.S, self.ref
        R, C = S["rows"], S["cols"]
        xp = X.xp
        if self.want("einsum_bmm"):
            b, n = S["ein"]["b"], S["ein"]["n"]
            x = X.reshape(gen(X, b * n * n, 5, "float32", True, ref=ref), b, n, n)
            y = X.reshape(gen(X, b * n * n, 6, "float32", True, ref=ref), b, n, n)
            f = (lambda: xp.matmul(x, y)) if ref else (lambda: xp.einsum("bij,bjk->bik", x, y))
            self.run("einsum_bmm", f, flops=2 * b * n ** 3,
                     bytes=12 * b * n * n)
            del x, y
            X.free()
        if self.want("einsum_rowdot"):
            x = X.reshape(gen(X, R * C, 5, "float32", True, ref=ref), R, C)
            y = X.reshape(gen(X, R * C, 6, "float32", True, ref=ref), R, C)
            f = (lambda: (x * y).sum(1)) if ref else (lambda: xp.einsum("ij,ij->i", x, y))
            self.run("einsum_rowdot", f, bytes=8 * R * C)
            del x, y
            X.free()

    # convolve (issue 8): full convolution of n and m centred float64 values
    # (bench.lua's row says what each system runs); the reference is the
    # same call in float64 (NumPy: the direct sums)
    def convolution(self):
        X, C, ref = self.X, self.S["conv"], self.ref
        if not self.want("convolve_f64"):
            return
        a = gen(X, C["n"], 1, "float64", True, ref=ref)
        v = gen(X, C["m"], 2, "float64", True, ref=ref)
        self.run("convolve_f64", lambda: X.convolve(a, v), bytes=8 * (2 * C["n"] + 2 * C["m"] - 1))
        del a, v
        X.free()

    # FFTs (issue 9): complex64 fft, float32 rfft, complex64 fft2, each
    # library's own fft module (all three call cuFFT on a GPU), of centred
    # inputs (a small zero-frequency term). Checked through the magnitudes
    # of the result.
    def fft_family(self):
        X, F, ref = self.X, self.S["fft"], self.ref
        if not any(self.want(k) for k in ("fft_c64", "rfft_f32", "fft2_c64")):
            return
        fm = X.xp.fft
        try:
            if self.want("fft_c64"):
                n = F["c"]
                z = X.complex(gen(X, n, 1, "float32", True, ref=ref), gen(X, n, 2, "float32", True, ref=ref))
                self.run("fft_c64", lambda: fm.fft(z), bytes=16 * n,
                         result=lambda: abs(fm.fft(z)))
                del z
                X.free()
            if self.want("rfft_f32"):
                n = F["r"]
                x = gen(X, n, 3, "float32", True, ref=ref)
                self.run("rfft_f32", lambda: fm.rfft(x), bytes=12 * n,
                         result=lambda: abs(fm.rfft(x)))
                del x
                X.free()
            if self.want("fft2_c64"):
                n = F["n2"]
                z = X.reshape(X.complex(gen(X, n * n, 4, "float32", True, ref=ref),
                                        gen(X, n * n, 5, "float32", True, ref=ref)), n, n)
                self.run("fft2_c64", lambda: fm.fft2(z), bytes=16 * n * n,
                         result=lambda: abs(fm.fft2(z)))
                del z
        except Exception as e:  # making the inputs failed: the section's rows say so
            log("%-7s fft section: %s: %s" % (X.name, type(e).__name__, e))

    # a[idx], add_at, a[mask] = 0 (see bench.lua); positions 0-based here
    def indexing(self, a):
        X, S = self.X, self.S
        if not any(self.want(k) for k in ("gather", "add_at", "mask_set")):
            return
        N = S["n"]
        M = N // 10
        A, B = SEEDS[3]
        j = X.arange(4 * 100000007, 4 * 100000007 + M)
        idx = ((j * j) % P * A + j * B) % P % N
        del j
        v = gen(X, M, 2, ref=self.ref)
        self.run("gather", lambda: X.gather(a, idx), bytes=16 * M)
        acc = X.zeros(N, a)

        def fresh_add():
            z = X.zeros(N, a)
            X.add_at(z, idx, v)
            return z
        self.run("add_at", lambda: X.add_at(acc, idx, v), bytes=20 * M, result=fresh_add)
        del acc
        m = a > 0.5
        x = X.copy(a)

        def fresh_mask():
            y = X.copy(a)
            X.mask_set(y, m)
            return y
        self.run("mask_set", lambda: X.mask_set(x, m), bytes=5 * N, result=fresh_mask)
        del m, x, idx, v
        X.free()

    def small(self, key, op):
        X, S = self.X, self.S
        try:
            sa = gen(X, S["small"], 5, ref=self.ref)
            sb = gen(X, S["small"], 6, ref=self.ref)
            if self.ref:
                r = {}
            else:
                iters = S["small_iters"]
                for _ in range(200):
                    op(sa, sb)
                X.sync()
                ts = []
                for _ in range(S["small_loops"]):
                    t0 = time.perf_counter()
                    for _ in range(iters):
                        op(sa, sb)
                    X.sync()
                    ts.append((time.perf_counter() - t0) * 1000 / iters)
                r = summarize(ts)
                r.update(unit="us/op", iters=iters)
            r["check"] = checksum(X, op(sa, sb))
        except Exception as e:
            r = dict(error="%s: %s" % (type(e).__name__, e))
        self.finish_us_row(X, key, r)

    def finish_us_row(self, X, key, r):
        """The end of a per-op row (small ops, loops): stored, ordered, logged."""
        self.rows[key] = r
        self.order.append(key)
        if not self.ref:
            log("%-7s %-12s %s" % (X.name, key, r.get("error") or "%.2f us/op" % (r["ms"] * 1000)))

    # The dependent loop x = x * 0.999 + 0.001 on S["small"] float32 elements,
    # loop_iters(S) steps, wall time per step. loop_graph replays a graph of
    # LOOP_STEPS in-place steps. Both are checked on x after all the steps
    # (the reference: the same loop in float64).
    def loop(self, key, graph):
        X, S = self.X, self.S
        iters = loop_iters(S)
        try:
            x0 = gen(X, S["small"], 5, ref=self.ref)
            if self.ref or not graph:
                def run_all():
                    x = x0
                    for _ in range(iters):
                        x = x * 0.999 + 0.001
                    return x
                reset = None
            else:
                x = X.copy(x0)
                replay = X.graph_steps(x, LOOP_STEPS)

                def reset():
                    X.assign(x, x0)

                def run_all():
                    for _ in range(iters // LOOP_STEPS):
                        replay()
                    return x
            if self.ref:
                r = {}
            else:
                run_all()
                X.sync()
                ts = []
                for _ in range(S["small_loops"]):
                    if reset:
                        reset()
                    X.sync()
                    t0 = time.perf_counter()
                    run_all()
                    X.sync()
                    ts.append((time.perf_counter() - t0) * 1000 / iters)
                r = summarize(ts)
                r.update(unit="us/op", iters=iters)
            if reset:
                reset()
            r["check"] = checksum(X, run_all())
        except Exception as e:
            r = dict(error="%s: %s" % (type(e).__name__, e))
        self.finish_us_row(X, key, r)

    # Wall time of asarray/asnumpy (cupy) and .to/.cpu (torch) of pageable
    # host memory, as a user writes them; bench.lua times a:to() the same way.
    # h2d, d2h: each result dropped before the next call; d2h_new: the same
    # d2h with each result kept until the next one replaces it (bench.lua's
    # `h = d:to("cpu")` in a loop); d2h_into: into one pinned host buffer
    # made once (CuPy: d.get(out=h) into cupyx.empty_pinned; PyTorch:
    # h.copy_(t) into a pin_memory tensor; lunar: lunar.copyto(h, d)).
    def transfers(self, a):
        X, S = self.X, self.S
        n = S["xfer"]
        for key in ("h2d", "d2h", "d2h_new", "d2h_into"):
            if not self.want(key):
                continue
            try:
                d = a if n == S["n"] else gen(X, n, 1, ref=self.ref)
                if self.ref:
                    r = dict(check=checksum(X, d))
                else:
                    h = X.to_host(d)
                    if key == "h2d":
                        fn = lambda: X.to_device(h)
                    elif key == "d2h_into":
                        into = X.host_pinned(n)
                        fn = lambda: X.to_host_into(d, into)
                    else:
                        fn = lambda: X.to_host(d)
                    for _ in range(2):
                        fn()
                    X.sync()
                    ts = []
                    out = None
                    for _ in range(10):
                        t0 = time.perf_counter()
                        out = fn()
                        X.sync()
                        ts.append((time.perf_counter() - t0) * 1000)
                        if key in ("h2d", "d2h"):
                            del out
                    r = summarize(ts)
                    out = fn()
                    r["check"] = checksum(X, out if key == "h2d" else X.to_device(out))
                    del out, h, fn
                    r.update(bytes=4 * n, unit="ms")
            except Exception as e:
                r = dict(error="%s: %s" % (type(e).__name__, e))
            self.rows[key] = r
            self.order.append(key)
            if not self.ref:
                log("%-7s %-12s %s" % (X.name, key, r.get("error") or "%.3f ms" % r["ms"]))


def clean(v):
    """NaN and infinities become null: strict JSON for every reader."""
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


def device_name():
    try:
        import torch
        if torch.cuda.is_available():
            return torch.cuda.get_device_name()
    except Exception:
        pass
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    except Exception:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", choices=["cuda", "cpu"], default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--systems", default=None, help="default: cupy,torch on cuda, numpy on cpu")
    ap.add_argument("--only", default=None)
    ap.add_argument("--reps", type=int, default=None)
    args = ap.parse_args()

    mode = args.device or ("cuda" if device_name() else "cpu")
    S = sizes(mode, args.quick, args.tiny)
    if args.reps:
        S["reps"] = max(args.reps, 1)
    only = set(args.only.split(",")) if args.only else None
    wanted = (args.systems or ("cupy,torch" if mode == "cuda" else "numpy")).split(",")
    makers = {"numpy": NumpyBackend, "cupy": CupyBackend,
              "torch": lambda: TorchBackend("cuda" if mode == "cuda" else "cpu")}

    result = dict(mode=mode, device=device_name() if mode == "cuda" else "cpu", sizes=S,
                  quick=args.quick, tiny=args.tiny, systems={}, notes=[])
    backends = {}
    for name in wanted:
        try:
            X = makers[name]()
            if mode == "cuda" and not X.gpu:
                result["notes"].append("%s runs on the CPU" % name)
            backends[name] = X
            ver = getattr(X.xp, "__version__", "?")
            result["systems"][name] = dict(version=str(ver))
        except Exception as e:
            result["notes"].append("%s left out: %s: %s" % (name, type(e).__name__, e))
            log("peers: %s left out (%s: %s)" % (name, type(e).__name__, e))
    if mode == "cuda" and not any(X.gpu for X in backends.values()):
        result["notes"].append("no GPU peer could run; NumPy rows on the CPU only")
        log("peers: no GPU peer; falling back to NumPy on the CPU")
        try:
            backends["numpy"] = NumpyBackend()
            result["systems"]["numpy"] = dict(version=backends["numpy"].np.__version__)
        except Exception as e:
            result["notes"].append("numpy left out: %s" % e)

    # The float64 reference: on the GPU through torch or cupy when there, else NumPy.
    ref_X = None
    for name in (["torch", "cupy"] if mode == "cuda" else []) + ["numpy"]:
        if name in backends and (backends[name].gpu or name == "numpy"):
            ref_X = backends[name]
            break
    if ref_X is None:
        try:
            ref_X = NumpyBackend()
        except Exception as e:
            result["notes"].append("no reference: %s" % e)
    if ref_X is not None:
        t0 = time.perf_counter()
        rows, order = Runner(ref_X, S, only, ref=True).all()
        result["ref"] = dict(by=ref_X.name, rows=rows, order=order)
        log("peers: float64 reference by %s (%.1f s)" % (ref_X.name, time.perf_counter() - t0))

    # with --json the file is written after each system too, so that a run
    # stopped by bench/run.sh's time limit keeps the systems that finished
    def write(final):
        text = json.dumps(clean(result), allow_nan=False, default=str)
        if args.json:
            with open(args.json + ".tmp", "w") as f:
                f.write(text + "\n")
            os.replace(args.json + ".tmp", args.json)
            if final:
                log("peers: wrote %s" % args.json)
        elif final:
            print(text)

    for name, X in backends.items():
        write(False)
        rows, order = Runner(X, S, only).all()
        result["systems"][name].update(rows=rows, order=order)
    write(True)


if __name__ == "__main__":
    main()
