#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bad-input suite's driver:
#   tests/bad/run.sh [lunar-binary] [--each] [--range K L]
# Runs tests/bad/run.lua in one process; when the process dies (a crash, an
# abort, a sanitizer report), names the case it was running (the progress
# file), counts it as failed, and resumes after it. --each runs every case
# in a process of its own instead (slow; for attributing a crash that only
# shows after earlier cases). --range K L runs cases K..L only (a part of
# the suite, as .ci/gpu/run.sh splits it; L past the end means the end).
# Ends with "bad: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
LUNAR=${1:-$root/build/lunar}
[ $# -gt 0 ] && shift
mode="" first=1 last=""
while [ $# -gt 0 ]; do
  case $1 in
    --each) mode=--each; shift ;;
    --range) first=${2:?--range K L}; last=${3:?--range K L}; shift 3 ;;
    *) echo "tests/bad/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
cd "$root" || exit 1
prog=$(mktemp "${TMPDIR:-/tmp}/lunar-bad-XXXXXX")
out=$(mktemp "${TMPDIR:-/tmp}/lunar-bad-out-XXXXXX")
trap 'rm -f "$prog" "$out"' EXIT
n=$("$LUNAR" tests/bad/run.lua --list) || { echo "bad: cannot list the cases"; echo "bad: 0 passed, 1 failed"; exit 1; }
[ -n "$last" ] && [ "$last" -lt "$n" ] && n=$last
pass=0 fail=0
if [ "$mode" = "--each" ]; then
  for k in $(seq "$first" "$n"); do
    if timeout 60 "$LUNAR" tests/bad/run.lua --case "$k" >"$out" 2>&1; then pass=$((pass + 1))
    else fail=$((fail + 1)); cat "$out"; fi
  done
else
  from=$first
  while [ "$from" -le "$n" ]; do
    echo 0 >"$prog"
    LUNAR_BAD_PROGRESS=$prog timeout "${LUNAR_BAD_TIMEOUT:-900}" "$LUNAR" tests/bad/run.lua --from "$from" "$n" >"$out" 2>&1
    rc=$?
    grep '^FAIL ' "$out"
    line=$(grep -E '^bad: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    if [ -n "$line" ]; then
      read -r p f <<<"$(sed -E 's/^bad: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")"
      pass=$((pass + p)); fail=$((fail + f))
      break
    fi
    # the process died in case $k: count the cases before it as the lines say
    k=$(cat "$prog")
    [ "$k" -ge "$from" ] 2>/dev/null || k=$from
    nf=$(grep -c '^FAIL ' "$out")
    pass=$((pass + k - from - nf)); fail=$((fail + nf + 1))
    if [ "$rc" -eq 124 ]; then
      # out of time (LUNAR_BAD_TIMEOUT): stop here rather than start again
      echo "TIMEOUT in case $k after ${LUNAR_BAD_TIMEOUT:-900} s: cases $((k + 1))..$n not run (resume with --range $k $n)"
      break
    fi
    echo "CRASH case $k (status $rc): $("$LUNAR" tests/bad/run.lua --case "$k" 2>/dev/null | head -n 1)"
    grep -E 'ERROR: |runtime error|Assertion|SUMMARY' "$out" | head -n 5
    from=$((k + 1))
  done
fi
echo "bad: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
