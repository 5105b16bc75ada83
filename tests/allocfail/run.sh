#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The allocation-failure walk's driver:
#   tests/allocfail/run.sh [lunar-binary] [walk ...]
# Runs tests/allocfail/run.lua (the walks named, every walk by default) in
# one process. In a sanitizer
# build LeakSanitizer is switched on for this part (the state is closed at
# the end), so a buffer leaked on an error path is a failure. A process that
# dies (a crash, an abort, a sanitizer report) counts as one failure. Ends
# with "allocfail: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
LUNAR=${1:-$root/build/lunar}
[ $# -gt 0 ] && shift
cd "$root" || exit 1
out=$(mktemp "${TMPDIR:-/tmp}/lunar-allocfail-XXXXXX")
trap 'rm -f "$out"' EXIT
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
  timeout "${LUNAR_ALLOCFAIL_TIMEOUT:-300}" "$LUNAR" tests/allocfail/run.lua "$@" >"$out" 2>&1
rc=$?
grep -E '^(FAIL |[a-z]+: [0-9]+ allocations)' "$out" | head -n 60
line=$(grep -E '^allocfail: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
if [ -z "$line" ]; then
  tail -n 40 "$out"
  echo "allocfail: the walk ended (status $rc) without a summary: it crashed or aborted"
  echo "allocfail: 0 passed, 1 failed"
  exit 1
fi
if [ "$rc" -ne 0 ] && grep -qE 'Sanitizer|runtime error' "$out"; then
  grep -E 'ERROR: |SUMMARY|runtime error|^    #[0-9] ' "$out" | head -n 40
  read -r p f <<<"$(sed -E 's/^allocfail: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")"
  echo "allocfail: $p passed, $((f + 1)) failed"
  exit 1
fi
echo "$line"
[ "$rc" -eq 0 ]
