#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The field examples (examples/*.lua) at their small size on the CPU, each
# beside its NumPy twin (examples/twins/*.py, Debian's NumPy): the figures
# both print must agree within the tolerance examples/twins/checks.txt
# states, and the pictures the example writes must exist. tests/examples/run.sh [LUNAR]
# Ends with "examples: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
LUNAR=${1:-$root/build/lunar}
PY=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lunar-examples-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# check NAME RTOL [figure=ATOL ...] -- PICTURES...
check() {
  local name=$1 rtol=$2; shift 2
  local tols=() pics=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do tols+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  pics=("$@")
  local dir=$tmp/$name; mkdir -p "$dir"
  if ! (cd "$root" && LUNAR_DEVICE=cpu "$LUNAR" "examples/$name.lua" small "$dir") >"$dir/lunar.out" 2>&1; then
    fail=$((fail + 1)); echo "FAIL $name: the example failed"; sed 's/^/     /' "$dir/lunar.out"; return
  fi
  if ! (cd "$root" && "$PY" "examples/twins/$name.py" small "$dir") >"$dir/twin.out" 2>&1; then
    fail=$((fail + 1)); echo "FAIL $name: the NumPy twin failed"; sed 's/^/     /' "$dir/twin.out"; return
  fi
  if "$PY" "$root/tests/examples/compare.py" "$dir/lunar.out" "$dir/twin.out" "$rtol" "${tols[@]}" >"$dir/cmp" 2>&1; then
    pass=$((pass + 1)); echo "ok   $name: figures agree with NumPy ($(grep -h '^time:' "$dir/lunar.out"))"
  else
    fail=$((fail + 1)); echo "FAIL $name: figures differ from NumPy"; cat "$dir/cmp"
  fi
  [ ${#pics[@]} -eq 0 ] && return
  local p missing=
  for p in "${pics[@]}"; do
    [ -s "$dir/$p" ] && [ "$(head -c 4 "$dir/$p" | od -An -c | tr -d ' ')" = '211PNG' ] || missing="$missing $p"
  done
  if [ -z "$missing" ]; then
    pass=$((pass + 1)); echo "ok   $name: wrote ${pics[*]}"
  else
    fail=$((fail + 1)); echo "FAIL $name: no PNG written:$missing"
  fi
}

# the list of examples and their tolerances
while read -r line; do
  case $line in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  check $line
done <"$root/examples/twins/checks.txt"

echo "examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
