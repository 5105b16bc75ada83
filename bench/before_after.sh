#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/before_after.sh: lunar's own rows at two builds in one run, for a
# change that must leave speed alone (issue 6's refactor):
#
#   bench/before_after.sh BASE_LUNAR BASE_BENCH [KEYS]
#
# BASE_LUNAR is the baseline's binary and BASE_BENCH its bench/ folder (its
# bench.lua, whose rows and flags the baseline knows); the "after" side is
# $LUNAR (default build/lunar) with this tree's bench/bench.lua. KEYS are
# rows both bench.lua files have (default: the rows of the foundation).
# The two sides alternate ROUNDS times (default 2), each a separate
# process on the same GPU; a row's figure is the lower of its rounds'
# medians. Prints a Markdown table; JSON in $OUT (or a temporary folder).
# DEVICE=cpu SIZE=--tiny for a dry run without a GPU.
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -ge 2 ] || { echo "usage: bench/before_after.sh BASE_LUNAR BASE_BENCH [KEYS]" >&2; exit 2; }
BASE=$1 BASE_BENCH=$2
KEYS=${3:-copy,fma,sqrt_exp,sum,max,argmax,sum_ax1,sum_ax2,transpose,mm1000_f32,mm4096_f32,mm1000_f64,mm4096_f64,randn,rand,small_add,h2d,d2h}
AFTER=${LUNAR:-build/lunar}
DEVICE=${DEVICE:-cuda}
DIR=${OUT:-$(mktemp -d /tmp/lunar-ba.XXXXXX)}
mkdir -p "$DIR"
r=1
while [ "$r" -le "${ROUNDS:-2}" ]; do
  timeout 300 "$BASE" "$BASE_BENCH/bench.lua" --device "$DEVICE" ${SIZE:-} --only "$KEYS" \
    --json "$DIR/before.$r.json" > "$DIR/before.$r.log" 2>&1 ||
    echo "before_after.sh: the baseline's round $r exited with $?" >&2
  timeout 300 "$AFTER" bench/bench.lua --device "$DEVICE" ${SIZE:-} --only "$KEYS" --json "$DIR/after.$r.json" \
    > "$DIR/after.$r.log" 2>&1 || echo "before_after.sh: round $r exited with $?" >&2
  r=$((r + 1))
done
"${PYTHON:-python3}" - "$DIR" "$KEYS" <<'PY'
import glob, json, sys
d, keys = sys.argv[1], sys.argv[2].split(",")
def best(side):
    out, meta = {}, {}
    for f in sorted(glob.glob(f"{d}/{side}.*.json")):
        j = json.load(open(f))
        meta = j
        for k, row in j.get("rows", {}).items():
            if isinstance(row, dict) and row.get("ms") is not None:
                unit = row.get("unit", "ms")
                if k not in out or row["ms"] < out[k][0]:
                    out[k] = (row["ms"], unit)
    return out, meta
def shown(v):   # a per-op row holds ms per op; shown in us/op as compare.py shows it
    if not v:
        return "-"
    return f"{v[0] * 1000:.2f} us/op" if v[1] == "us/op" else f"{v[0]:.3f} ms"
b, bm = best("before")
a, am = best("after")
print(f"before: {bm.get('version', '?')}, after: {am.get('version', '?')}, device {am.get('device', '?')}, "
      f"timing {am.get('timing', '?')}; the lower of each side's round medians")
print()
print("| workload | before | after | after/before |")
print("|---|---|---|---|")
for k in keys:
    x, y = b.get(k), a.get(k)
    fx, fy = shown(x), shown(y)
    ratio = f"{y[0] / x[0]:.2f}" if x and y and x[0] > 0 else "-"
    print(f"| {k} | {fx} | {fy} | {ratio} |")
PY
