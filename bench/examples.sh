#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The field examples at full size, for the GPU machine:
#   bench/examples.sh [DEVICE]          (default cuda; cpu works too)
# Runs each example of examples/twins/checks.txt with lunar on DEVICE (twice:
# the second run is timed, after the first filled the kernel cache), its
# NumPy twin, and its CuPy twin (the same script with --cupy) when cupy
# imports, then prints one Markdown row per example: the times each prints
# (data loading and compute, not start-up) and whether lunar's figures
# agree with NumPy's within checks.txt's tolerances and whether it wrote
# its pictures. A failure is a failure: nothing falls back to another
# device. Ends with "examples: P passed, F failed" (an example passes when
# it ran, agreed and wrote its PNGs) and exits 1 when one failed.
# Environment: LUNAR (default build/lunar), PYTHON (default python3), OUT
# (keeps the outputs), EXAMPLES_ONLY=a,b (only those examples),
# EXAMPLE_TIMEOUT (seconds for one process, default 150: a process past it
# is stopped and counts as failed, so that the table still comes out).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DEV=${1:-cuda}
LUNAR=${LUNAR:-build/lunar}
PY=${PYTHON:-python3}
"$PY" -c "import numpy" 2>/dev/null || PY=/usr/bin/python3
work=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/lunar-bench-examples-XXXXXX")}
mkdir -p "$work"
have_cupy=0
"$PY" -c 'import cupy; cupy.zeros(1)' >/dev/null 2>&1 && have_cupy=1

tmo=${EXAMPLE_TIMEOUT:-150}
only=${EXAMPLES_ONLY:-}
pass=0 fail=0

t() { grep -h '^time:' "$1" 2>/dev/null | awk '{print $2}' | tail -n 1; }
# why a run failed: timeout's status, or the first error line
why() {
  if [ "$1" -eq 124 ]; then echo "stopped after $tmo s"
  else echo "rc=$1: $(grep -m1 -iE 'error|not available' "$2" | cut -c1-120)"; fi
}

echo "| example | lunar $DEV (s) | NumPy (s) | CuPy (s) | figures vs NumPy |"
echo "|---|---|---|---|---|"
while read -r line; do
  case $line in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  set -- $line
  name=$1 rtol=$2; shift 2
  case ",${only:-$name}," in *",$name,"*) ;; *) continue ;; esac
  tols=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do tols+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  pics=("$@")
  dir=$work/$name; mkdir -p "$dir"
  # the first run fills the kernel cache; a failure there shows in the second
  LUNAR_DEVICE=$DEV timeout "$tmo" "$LUNAR" "examples/$name.lua" full "$dir" >"$dir/lunar0.out" 2>&1
  rm -f "${pics[@]/#/$dir/}"
  LUNAR_DEVICE=$DEV timeout "$tmo" "$LUNAR" "examples/$name.lua" full "$dir" >"$dir/lunar.out" 2>&1
  lrc=$?
  # the twins read the draws lunar wrote into $dir, so they run after it
  timeout "$tmo" "$PY" "examples/twins/$name.py" full "$dir" >"$dir/numpy.out" 2>&1
  nrc=$?
  cu=-
  if [ "$have_cupy" = 1 ]; then
    timeout "$tmo" "$PY" "examples/twins/$name.py" full "$dir" --cupy >"$dir/cupy.out" 2>&1
    crc=$?
    if [ $crc -eq 0 ]; then cu=$(t "$dir/cupy.out"); else cu="failed ($(why $crc "$dir/cupy.out"))"; fi
  fi
  ok=0
  if [ "$lrc" -ne 0 ]; then
    agree="lunar failed ($(why $lrc "$dir/lunar.out"))"
  elif [ "$nrc" -ne 0 ]; then
    agree="NumPy twin failed ($(why $nrc "$dir/numpy.out"))"
  elif "$PY" tests/examples/compare.py "$dir/lunar.out" "$dir/numpy.out" "$rtol" "${tols[@]}" >"$dir/cmp" 2>&1; then
    agree="agree ($(grep -c ' ok ' "$dir/cmp") figures)" ok=1
  else
    agree="DIFFER: $(grep -E 'DIFFERS|missing' "$dir/cmp" | awk '{print $1}' | tr '\n' ' ')"
  fi
  missing=
  if [ "$lrc" -eq 0 ]; then
    for p in "${pics[@]}"; do
      [ -s "$dir/$p" ] && [ "$(head -c 4 "$dir/$p" | od -An -c | tr -d ' ')" = '211PNG' ] || missing="$missing $p"
    done
    [ -n "$missing" ] && { agree="$agree; no PNG:$missing"; ok=0; }
  fi
  if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
  lt=$(t "$dir/lunar.out"); nt=$(t "$dir/numpy.out")
  echo "| $name | ${lt:-failed} | ${nt:-failed} | ${cu:--} | $agree |"
done <examples/twins/checks.txt
echo
echo "outputs (figures, pictures, comparisons) in $work"
echo "examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
