#!/bin/bash
# SPDX-License-Identifier: MIT
# lunar.dist on CPU ranks through Open MPI (tests/dist/collectives.lua,
# tests/dist/fatal.lua): one mpirun per configuration, many checks inside.
# usage: tests/dist/run.sh [LUNAR]; ends with "dist: P passed, F failed[, S skipped]".
LUNAR=${1:-build/lunar}
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
log=$(mktemp "${TMPDIR:-/tmp}/lunar-dist-XXXXXX")
trap 'rm -f "$log"' EXIT

# expect NAME COND: count one check
expect() {
  if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}

# {===== the launcher, lunar -n (no MPI needed)
t0=$SECONDS
timeout 60 "$LUNAR" -n 3 "$here/launch.lua" env >"$log" 2>&1
rc=$?
for r in 0 1 2; do
  expect "lunar -n 3: rank $r's environment" \
    "grep -qx 'launch rank=$r size=3 local=$r/3 file=true' '$log'"
done
# without a GPU, init says that CPU arrays between these processes need MPI
expect "lunar -n 3: init" "[ \$(grep -cE 'launch init (nccl|.*dist.init: CPU arrays between processes need MPI: start the script with .mpirun -n 3 lunar script.lua.)' '$log') = 3 ]"
expect "lunar -n 3: status 0 (got $rc)" "[ $rc = 0 ]"
LUNAR_DIST_GRACE=2 timeout 60 "$LUNAR" -n 2 "$here/launch.lua" fail >"$log" 2>&1
rc=$?
expect "lunar -n 2 fail: status 1 (got $rc)" "[ $rc = 1 ]"
expect "lunar -n 2 fail: the rank's message" "grep -qF 'lunar (rank 1): ' '$log' && grep -qF 'rank one fails on purpose' '$log'"
expect "lunar -n 2 fail: the launcher's message" "grep -qF 'rank 1 exited with status 1; ending the other ranks' '$log'"
expect "lunar -n 2 fail: rank 0 ended" "! grep -q 'should not get here' '$log'"
[ "$fail" -eq 0 ] || cat "$log"
echo "lunar -n: $((SECONDS - t0)) s"
# }=====

if ! command -v mpirun >/dev/null 2>&1; then
  echo "dist: mpirun is missing (Debian: apt-get install openmpi-bin libopenmpi-dev): the MPI part is skipped"
  echo "dist: $pass passed, $fail failed, 1 skipped"
  [ "$fail" -eq 0 ]
  exit
fi
# Open MPI in a container: no root refusal, shared memory without CMA
# (ptrace is often forbidden), no core binding, more ranks than cores
flags=()
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
# (Open MPI 4 calls its shared-memory transport vader, 5 calls it sm)
if ompi_info --parsable 2>/dev/null | grep -q "mca:btl:vader"; then
  export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
else
  export OMPI_MCA_btl=self,sm OMPI_MCA_btl_sm_single_copy_mechanism=none
fi
export OMPI_MCA_hwloc_base_binding_policy=none
export OMPI_MCA_rmaps_base_oversubscribe=1
export PMIX_MCA_gds=hash
# run N ARGS...: the collectives on N ranks; every rank's line counts
run() {
  local n=$1; shift
  local t0=$SECONDS rc p f line
  timeout 120 mpirun "${flags[@]}" -n "$n" "$LUNAR" "$here/collectives.lua" "$@" >"$log" 2>&1
  rc=$?
  grep -E "FAIL|rror" "$log" | head -n 20
  local got=0
  while read -r line; do
    p=$(sed -E 's/^distrank [0-9]+: ([0-9]+) passed, ([0-9]+) failed$/\1/' <<<"$line")
    f=$(sed -E 's/^distrank [0-9]+: ([0-9]+) passed, ([0-9]+) failed$/\2/' <<<"$line")
    pass=$((pass + p)); fail=$((fail + f)); got=$((got + 1))
  done < <(grep -E '^distrank [0-9]+: [0-9]+ passed, [0-9]+ failed$' "$log")
  echo "mpirun -n $n collectives $*: $got ranks reported, status $rc, $((SECONDS - t0)) s"
  if [ "$got" -ne "$n" ] || [ "$rc" -ne 0 ]; then
    tail -n 30 "$log"; fail=$((fail + 1))
  fi
}

# fatal MODE WANT...: mpirun -n 2 fatal.lua MODE must fail within 60 s
# and its output must hold every WANT
fatal() {
  local mode=$1; shift
  local t0=$SECONDS rc w ok=1
  timeout 60 mpirun "${flags[@]}" -n 2 "$LUNAR" "$here/fatal.lua" "$mode" >"$log" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
    echo "FAIL fatal $mode: status $rc (want a failure, not success or the 60 s timeout)"; ok=0
  fi
  for w in "$@"; do
    if ! grep -qF -- "$w" "$log"; then echo "FAIL fatal $mode: no '$w' in the output"; ok=0; fi
  done
  if grep -q "should not get here" "$log"; then echo "FAIL fatal $mode: a rank went on"; ok=0; fi
  echo "mpirun -n 2 fatal $mode: status $rc, $((SECONDS - t0)) s"
  if [ "$ok" = 1 ]; then pass=$((pass + 1)); else tail -n 20 "$log"; fail=$((fail + 1)); fi
}

run 2
run 3
run 4 quick
run 8 quick

# examples/dist_train.lua: the same global batch on 1 and 2 ranks gives the
# same loss curve (to 1e-9: only the order of some sums differs)
t0=$SECONDS
timeout 60 mpirun "${flags[@]}" -n 1 "$LUNAR" "$here/../../examples/dist_train.lua" steps=12 every=4 > "$log.1" 2>&1
rc1=$?
timeout 60 mpirun "${flags[@]}" -n 2 "$LUNAR" "$here/../../examples/dist_train.lua" steps=12 every=4 > "$log.2" 2>&1
rc2=$?
if [ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ "$(grep -c '^step' "$log.1")" -ge 4 ] &&
   paste <(grep '^step' "$log.1") <(grep '^step' "$log.2") |
   awk '{ d = $4 - $8; if ($1 != "step" || $2 != $6 || d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad }'; then
  pass=$((pass + 1))
else
  echo "FAIL dist_train: the loss curves of 1 and 2 ranks differ (status $rc1, $rc2)"
  paste "$log.1" "$log.2" | head -20
  fail=$((fail + 1))
fi
rm -f "$log.1" "$log.2"
echo "dist_train on 1 and 2 ranks: $((SECONDS - t0)) s"

# examples/dist_allreduce.lua (init{check = false}: the collectives without
# the agreement check): every size's out-of-place and in-place results right
t0=$SECONDS
LUNAR_BENCH_ITERS=2 timeout 60 mpirun "${flags[@]}" -n 3 "$LUNAR" \
  "$here/../../examples/dist_allreduce.lua" 1K 64K > "$log" 2>&1
rc=$?
rows=$(grep -cE '^ +[0-9]+ +[0-9]+ +float32 +sum' "$log")
if [ "$rc" = 0 ] && [ "$rows" = 7 ] &&
   awk '/^ +[0-9]+ +[0-9]+ +float32 +sum/ { if ($9 != 0 || $13 != 0) bad = 1 } END { exit bad }' "$log"; then
  pass=$((pass + 1))
else
  echo "FAIL dist_allreduce: status $rc, $rows rows"; cat "$log"; fail=$((fail + 1))
fi
echo "dist_allreduce on 3 ranks: $((SECONDS - t0)) s"
fatal raise "lunar (rank 1): " "rank one fails on purpose"
fatal timeout "dist.all_reduce: rank 0 timed out after 0.5 s waiting for the other ranks"
echo "dist: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
