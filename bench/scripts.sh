#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/scripts.sh [--small] [--device cpu|cuda] [--reps N] [--only a,b]
# bench/scripts.sh --ci            (CI: small, lunar only, against expected)
# bench/scripts.sh --write-expected  (NumPy's small results into the file)
#
# The "scripts" section of the benchmark (issue 14): each script of
# bench/scripts/ in lunar beside its NumPy twin (and its CuPy twin when
# cupy imports), in fresh processes, one after the other. Prints one table:
# wall time (median of N runs, data loading included) and peak resident
# memory (VmHWM, the largest of the runs) for each, and whether the results
# agree (relative 1e-6 and absolute 1e-9, every value of the RESULT line).
# The last line is "scripts: P passed, F failed" (tests/run_all.sh tallies
# it); it fails a script whose results differ or that does not run, never
# on time. --small is CI's size. --ci runs only lunar's side at the small
# size and checks its results against those the NumPy twins gave, kept in
# bench/scripts/expected_small.txt (--write-expected remakes it); it costs
# about a second (tests/run_all.sh). Environment: LUNAR
# (default build/lunar), PYTHON (default python3, else /usr/bin/python3 when
# that one has NumPy), SKLEARN_DATA, SKIMAGE_DATA (the data folders).
set -u
cd "$(dirname "$0")/.."
LUNAR=${LUNAR:-build/lunar}
PY=${PYTHON:-python3}
"$PY" -c 'import numpy' 2>/dev/null || PY=/usr/bin/python3
size=full device=cpu reps= only= mode=table
expected=${SCRIPTS_EXPECTED:-bench/scripts/expected_small.txt}
while [ $# -gt 0 ]; do
  case "$1" in
    --small) size=small ;;
    --ci) size=small mode=ci ;;
    --write-expected) size=small mode=write ;;
    --device) device=$2; shift ;;
    --reps) reps=$2; shift ;;
    --only) only=$2; shift ;;
    *) echo "scripts.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$reps" ] || { [ "$size" = small ] && reps=1 || reps=3; }
scripts="digits montecarlo csvstats imagefilter"
[ -n "$only" ] && scripts=${only//,/ }
cupy=0
[ "$device" = cuda ] && "$PY" -c 'import cupy; cupy.zeros(1)' >/dev/null 2>&1 && cupy=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# once KIND NAME I: run I of KIND into $tmp/NAME.KIND.I; 1 when it failed
# (its output on stderr)
once() {
  local kind=$1 name=$2 out=$tmp/$2.$1.$3
  case "$kind" in
    lunar) LUNAR_DEVICE=$device "$LUNAR" "bench/scripts/$name.lua" "$size" >"$out" 2>&1 ;;
    numpy) "$PY" "bench/scripts/$name.py" "$size" numpy >"$out" 2>&1 ;;
    cupy) "$PY" "bench/scripts/$name.py" "$size" cupy >"$out" 2>&1 ;;
  esac || { sed 's/^/    /' "$out" >&2; return 1; }
}

# run NAME KIND...: N runs of each kind, taken in turns (lunar 1, NumPy 1,
# lunar 2, ...) so that each side meets the same machine: on the VM this
# was measured on, memory the kernel has handed back to the host (free page
# reporting) costs 1-1.6 s of system time to touch again, for any process,
# so whichever side ran after an idle spell lost. Sets T_KIND and M_KIND
# (median time, largest peak) or "fail".
run() {
  local name=$1 kind i times n
  shift
  for kind; do eval "F_$kind=0"; done
  for i in $(seq "$reps"); do
    for kind; do
      [ "$(eval echo \$F_$kind)" = 1 ] && continue
      once "$kind" "$name" "$i" || eval "F_$kind=1"
    done
  done
  for kind; do
    eval "T_$kind=fail M_$kind="
    [ "$(eval echo \$F_$kind)" = 1 ] && continue
    times=$(cat "$tmp/$name.$kind".* | awk '/^TIME /{print $2}' | sort -g)
    n=$(printf '%s\n' "$times" | grep -c .)
    [ "$n" -gt 0 ] || continue
    eval "T_$kind=$(printf '%s\n' "$times" | sed -n "$(((n + 1) / 2))p")"
    eval "M_$kind=$(cat "$tmp/$name.$kind".* | awk '/^PEAK /{if ($2 > p) p = $2} END {print p + 0}')"
  done
}

# same A B: whether the RESULT lines of two outputs agree
same() {
  awk 'FNR == 1 {f++} /^RESULT /{for (i = 2; i <= NF; i++) v[f, i] = $i; n[f] = NF}
    END {if (n[1] == 0 || n[1] != n[2]) exit 1
         for (i = 2; i <= n[1]; i++) {a = v[1, i]; b = v[2, i]; d = a - b; if (d < 0) d = -d
           m = (a < 0 ? -a : a); if (d > 1e-9 && d > 1e-6 * m) exit 1}}' "$1" "$2"
}

pass=0 fail=0
if [ $mode = write ]; then
  for s in $scripts; do
    "$PY" "bench/scripts/$s.py" small numpy | grep '^RESULT' | sed "s/^/$s /"
  done >"$expected"
  cat "$expected"
  exit 0
fi
if [ $mode = ci ]; then
  for s in $scripts; do
    if LUNAR_DEVICE=$device "$LUNAR" "bench/scripts/$s.lua" small >"$tmp/$s.lunar.1" 2>&1 &&
       grep "^$s " "$expected" | cut -d' ' -f2- >"$tmp/$s.expected" &&
       same "$tmp/$s.lunar.1" "$tmp/$s.expected"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "scripts: $s differs from NumPy's results (or failed):" >&2
      cat "$tmp/$s.lunar.1" "$tmp/$s.expected" | sed 's/^/    /' >&2
    fi
  done
  echo "scripts: $pass passed, $fail failed"
  [ $fail -eq 0 ]
  exit
fi
hdr="| script ($size, $device) | lunar s | NumPy s | lunar/NumPy | lunar MB | NumPy MB | MB ratio |"
sep="|---|---|---|---|---|---|---|"
[ $cupy = 1 ] && { hdr="$hdr CuPy s | lunar/CuPy | CuPy MB |"; sep="$sep---|---|---|"; }
# the header first and each row as soon as it is known, so that a run
# stopped part way (a time limit) still leaves the rows it finished
echo "$hdr"
echo "$sep"
for s in $scripts; do
  if [ $cupy = 1 ]; then run "$s" lunar numpy cupy; else run "$s" lunar numpy; fi
  lt=$T_lunar lm=$M_lunar nt=$T_numpy nm=$M_numpy
  ok=yes
  if [ "$lt" = fail ] || [ "$nt" = fail ] || ! same "$tmp/$s.lunar.1" "$tmp/$s.numpy.1"; then
    ok=no
    grep -h '^RESULT' "$tmp/$s.lunar.1" "$tmp/$s.numpy.1" 2>/dev/null | sed "s/^/    $s: /" >&2
  fi
  row=$(awk -v s="$s" -v lt="$lt" -v nt="$nt" -v lm="${lm:-0}" -v nm="${nm:-0}" 'BEGIN {
    if (lt == "fail" || nt == "fail") {printf "| %s | %s | %s | | | | |", s, lt, nt; exit}
    printf "| %s | %.3f | %.3f | %.2f | %.0f | %.0f | %.2f |", s, lt, nt, lt / nt, lm, nm, lm / nm}')
  if [ $cupy = 1 ]; then
    ct=$T_cupy cm=$M_cupy
    if [ "$ct" = fail ] || ! same "$tmp/$s.lunar.1" "$tmp/$s.cupy.1"; then ok=no; fi
    row=$row$(awk -v lt="$lt" -v ct="$ct" -v cm="${cm:-0}" 'BEGIN {
      if (ct == "fail" || lt == "fail") {printf " %s | | |", ct; exit}
      printf " %.3f | %.2f | %.0f |", ct, lt / ct, cm}')
  fi
  if [ $ok = yes ]; then pass=$((pass + 1)); else fail=$((fail + 1)); row="$row results DIFFER"; fi
  echo "$row"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "scripts: $pass passed, $fail failed"
[ $fail -eq 0 ]
