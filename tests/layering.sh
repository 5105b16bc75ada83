#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layering rules of doc/architecture.md, checked with grep in a second
# (tests/run_all.sh runs it first):
# 1. no file of src/lua or src/host includes lu_backend.h, lu_ctx.h or
#    lu_internal.h, directly or through the project's headers it includes;
# 2. no file of kernels/ calls a CUDA runtime or driver function other than
#    cudaGetLastError and cudaPeekAtLastError: kernels/ holds device code
#    and the stubs that launch it (<<<...>>> and CUB), nothing else.
# Prints each breach, then "layering: N passed, N failed".
#   tests/layering.sh [root]        (default: the repository of this script)
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 1

pass=0 fail=0
FORBIDDEN='lu_backend.h lu_ctx.h lu_internal.h'
SEARCH='src/core src src/lua src/host src/backend/cpu src/backend/cuda kernels'

# the project headers a file includes with "...", as paths
direct() {
  local f=$1 h d
  for h in $(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$f"); do
    for d in "$(dirname "$f")" $SEARCH; do
      if [ -f "$d/$h" ]; then echo "$d/$h"; break; fi
    done
  done
}

# rule 1: the closure of each file's includes, walked breadth first (each
# header's own includes read once)
declare -A seen incs
for f in src/lua/*.[ch] src/host/*.[ch]; do
  [ -f "$f" ] || continue
  seen=()
  queue=("$f") bad=""
  while [ ${#queue[@]} -gt 0 ]; do
    cur=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${incs[$cur]+x}" ] || incs[$cur]=$(direct "$cur")
    for h in ${incs[$cur]}; do
      [ -n "${seen[$h]:-}" ] && continue
      seen[$h]=$cur
      for x in $FORBIDDEN; do
        [ "$(basename "$h")" = "$x" ] && bad="$bad $x (through $cur)"
      done
      queue+=("$h")
    done
  done
  if [ -n "$bad" ]; then
    echo "layering: $f includes$bad"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
done

# rule 2: calls of cuda*/cu* functions in kernels/, comments left out
for f in kernels/*.cu kernels/*.cuh kernels/*.h; do
  [ -f "$f" ] || continue
  calls=$(perl -0pe 's{/\*.*?\*/}{$& =~ s/[^\n]//gr}gse; s{//[^\n]*}{}g' "$f" |
          grep -noE '\b(cuda|cu)[A-Z][A-Za-z0-9_]*[[:space:]]*\(' |
          grep -vE ':(cudaGetLastError|cudaPeekAtLastError)[[:space:]]*\($')
  if [ -n "$calls" ]; then
    echo "layering: $f calls the CUDA API (only launches belong in kernels/):"
    sed 's/^/  /' <<<"$calls"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
done

echo "layering: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
