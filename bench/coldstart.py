# SPDX-License-Identifier: MIT
"""Cold start: a new process to the printed result of a 1000-element add.

    python3 bench/coldstart.py [--lunar build/lunar] [--device cuda|cpu]
                               [--reps 5] [--systems lunar,cupy,torch] [--json out.json]

Each run starts a fresh process and takes the wall time (time.perf_counter)
from the start to the moment the printed result arrives on its stdout (the
child writes unbuffered, so the time of arrival is the time of printing).
"cold_empty" gives each run an empty kernel cache (XDG_CACHE_HOME for lunar,
CUPY_CACHE_DIR for CuPy, each a fresh temporary directory); "cold_warm" runs
once to fill one cache directory and then times runs that reuse it (not for
PyTorch, which keeps no kernel cache for this op). The
median of the repeats is reported; the output must show the sum (2.).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

LUNAR_SNIPPET = ('io.stdout:setvbuf("no") local a = lunar.ones(1000, "float32") '
                 'print(a + a)')
PY_SNIPPETS = {
    "cupy": "import cupy; a = cupy.ones(1000, dtype=cupy.float32); print(a + a)",
    "torch": "import torch; a = torch.ones(1000, dtype=torch.float32, device='cuda'); print(a + a)",
    "numpy": "import numpy; a = numpy.ones(1000, dtype=numpy.float32); print(a + a)",
}


# "bare": the floor for any CUDA program, a C program that only starts the
# driver and makes device 0's primary context (as lunar's start-up thread
# does), then prints a result; compiled by nvcc on first use. Issue 14's
# target: lunar within 20 ms of it. "lunar0": lunar without the start-up
# thread (LUNAR_PRESTART=0). Neither is in the default list:
#   python3 bench/coldstart.py --systems lunar,lunar0,bare --reps 10
BARE_SOURCE = r"""
#include <stdio.h>
#include <cuda_runtime.h>
int main(void) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n < 1 || cudaSetDevice(0) != cudaSuccess ||
      cudaFree(0) != cudaSuccess) { fprintf(stderr, "bare: no CUDA device\n"); return 1; }
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("[2. 2.]\n");
  return 0;
}
"""
_bare_exe = []


def bare_exe():
    if not _bare_exe:
        d = tempfile.mkdtemp(prefix="lunar-bare-")
        src, exe = os.path.join(d, "bare.cu"), os.path.join(d, "bare")
        with open(src, "w") as f:
            f.write(BARE_SOURCE)
        nvcc = shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc"
        subprocess.run([nvcc, "-o", exe, src], check=True, capture_output=True)
        _bare_exe.append(exe)
    return _bare_exe[0]


def command(system, lunar):
    if system in ("lunar", "lunar0"):
        return [lunar, "-e", LUNAR_SNIPPET]
    if system == "bare":
        return [bare_exe()]
    return [sys.executable, "-u", "-c", PY_SNIPPETS[system]]


# The printed sum: "2." then a separator, as NumPy, CuPy, PyTorch and lunar
# print a float array of twos ("[2. 2. ...", "array([2., 2., ...").
RESULT = re.compile(r"2\.[\s,\]]")


def one_run(cmd, env, timeout=120):
    """Seconds from spawning cmd to the first output line that shows the
    result, then waits for the exit; returns (seconds, ok, output)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    t_print, seen = None, []
    for line in iter(p.stdout.readline, b""):
        seen.append(line.decode(errors="replace"))
        if t_print is None and RESULT.search(line.decode(errors="replace")):
            t_print = time.perf_counter() - t0
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    t_exit = time.perf_counter() - t0
    ok = p.returncode == 0 and t_print is not None
    out = "".join(seen)
    if not ok:
        out += err.decode(errors="replace")
    return (t_print if t_print is not None else t_exit), t_exit, ok, out


def measure(system, lunar, device, reps):
    base = dict(os.environ)
    if system in ("lunar", "lunar0"):
        base["LUNAR_DEVICE"] = device
    if system == "lunar0":
        base["LUNAR_PRESTART"] = "0"
    res = {}
    # empty cache: a fresh directory for every run
    ts, exits, oks, outs = [], [], [], []
    for _ in range(reps):
        d = tempfile.mkdtemp(prefix="lunar-cold-")
        env = dict(base, XDG_CACHE_HOME=d, CUPY_CACHE_DIR=os.path.join(d, "cupy"))
        t, te, ok, out = one_run(command(system, lunar), env)
        shutil.rmtree(d, ignore_errors=True)
        ts.append(t); exits.append(te); oks.append(ok); outs.append(out)
    res["cold_empty"] = summary(ts, exits, oks, outs)
    if system in ("torch", "bare"):  # no kernel cache for this op: warm = empty; saves ~30 s
        return res
    # warm cache: fill one directory, then reuse it
    d = tempfile.mkdtemp(prefix="lunar-warm-")
    env = dict(base, XDG_CACHE_HOME=d, CUPY_CACHE_DIR=os.path.join(d, "cupy"))
    one_run(command(system, lunar), env)
    ts, exits, oks, outs = [], [], [], []
    for _ in range(reps):
        t, te, ok, out = one_run(command(system, lunar), env)
        ts.append(t); exits.append(te); oks.append(ok); outs.append(out)
    shutil.rmtree(d, ignore_errors=True)
    res["cold_warm"] = summary(ts, exits, oks, outs)
    return res


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def summary(ts, exits, oks, outs):
    r = dict(ms=median(ts) * 1000, min=min(ts) * 1000, max=max(ts) * 1000, reps=len(ts),
             exit_ms=median(exits) * 1000, unit="s", check_ok=all(oks))
    if not all(oks):
        r["output"] = next(o for o, ok in zip(outs, oks) if not ok)[-2000:]
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lunar", default="build/lunar")
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--systems", default=None)
    ap.add_argument("--json")
    args = ap.parse_args()
    default = "lunar,cupy,torch" if args.device == "cuda" else "lunar,numpy"
    result = dict(device=args.device, reps=args.reps, systems={}, notes=[])
    for system in (args.systems or default).split(","):
        if system in ("lunar", "lunar0") and not os.access(args.lunar, os.X_OK):
            result["notes"].append("lunar left out: %s is not an executable" % args.lunar)
            continue
        t0 = time.perf_counter()
        try:
            rows = measure(system, args.lunar, args.device, args.reps)
        except Exception as e:
            result["notes"].append("%s left out: %s: %s" % (system, type(e).__name__, e))
            continue
        result["systems"][system] = dict(rows=rows)
        print("coldstart: %-6s %s%s  (%.1f s)" % (
            system, ", ".join("%s %.3f s" % (k, r["ms"] / 1000) for k, r in rows.items()),
            "" if all(r["check_ok"] for r in rows.values()) else "  OUTPUT WRONG",
            time.perf_counter() - t0), file=sys.stderr, flush=True)
    text = json.dumps(result)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
