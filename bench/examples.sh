#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The field examples at full size, for the GPU machine:
#   bench/examples.sh [DEVICE]          (default cuda; cpu works too)
# Runs each example of examples/twins/checks.txt with lunar on DEVICE (twice:
# the second run is timed, after the first filled the kernel cache), its
# NumPy twin, and its CuPy twin (the same script with --cupy) when cupy
# imports, then prints one Markdown row per example: the times each prints
# (data loading and compute, not start-up) and whether lunar's figures
# agree with NumPy's within checks.txt's tolerances. Environment: LUNAR
# (default build/lunar), PYTHON (default python3), OUT (keeps the outputs).
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

t() { grep -h '^time:' "$1" 2>/dev/null | awk '{print $2}' | tail -n 1; }

echo "| example | lunar $DEV (s) | NumPy (s) | CuPy (s) | figures vs NumPy |"
echo "|---|---|---|---|---|"
while read -r line; do
  case $line in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  set -- $line
  name=$1 rtol=$2; shift 2
  tols=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do tols+=("$1"); shift; done
  dir=$work/$name; mkdir -p "$dir"
  LUNAR_DEVICE=$DEV "$LUNAR" "examples/$name.lua" full "$dir" >"$dir/lunar0.out" 2>&1
  LUNAR_DEVICE=$DEV "$LUNAR" "examples/$name.lua" full "$dir" >"$dir/lunar.out" 2>&1
  lrc=$?
  note=
  # user kernels on CUDA are being written: until then the example runs on
  # the CPU here (the harness falls back, never the example), and says so
  if [ "$lrc" -ne 0 ] && grep -q 'not available on cuda' "$dir/lunar.out"; then
    note=" (lunar on cpu: $(grep -m1 -o '[A-Za-z_]*: *not available on cuda[:0-9]*' "$dir/lunar.out"))"
    LUNAR_DEVICE=cpu "$LUNAR" "examples/$name.lua" full "$dir" >"$dir/lunar.out" 2>&1
    lrc=$?
  fi
  "$PY" "examples/twins/$name.py" full "$dir" >"$dir/numpy.out" 2>&1
  cu=-
  if [ "$have_cupy" = 1 ]; then
    "$PY" "examples/twins/$name.py" full "$dir" --cupy >"$dir/cupy.out" 2>&1 && cu=$(t "$dir/cupy.out")
  fi
  if [ "$lrc" -ne 0 ]; then
    agree="lunar failed: $(grep -m1 -iE 'error|not available' "$dir/lunar.out" | cut -c1-120)"
  elif "$PY" tests/examples/compare.py "$dir/lunar.out" "$dir/numpy.out" "$rtol" "${tols[@]}" >"$dir/cmp" 2>&1; then
    agree="agree ($(grep -c ' ok ' "$dir/cmp") figures)"
  else
    agree="DIFFER: $(grep -E 'DIFFERS|missing' "$dir/cmp" | awk '{print $1}' | tr '\n' ' ')"
  fi
  lt=$(t "$dir/lunar.out"); nt=$(t "$dir/numpy.out")
  echo "| $name | ${lt:-failed} | ${nt:-failed} | ${cu:--} | $agree$note |"
done <examples/twins/checks.txt
echo
echo "outputs (figures, pictures, comparisons) in $work"
