#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fuzzers (issue 12): tests/fuzz/run.sh [SECONDS-PER-TARGET] [BUILD]
# Builds lunar with clang, ASan + UBSan and libFuzzer coverage in BUILD
# (default build-fuzz, CPU only), then runs each target of targets.lua for
# SECONDS (default 10) on a copy of its seed corpus (tests/fuzz/corpus/T;
# the copy grows, the repository's seeds do not). A crash, a sanitizer
# report, a leak of memory past the limits or a timeout is a failure; its
# input is kept in the copy's folder and named in the output.
# Ends with "fuzz: N passed, N failed". Without clang: "fuzz: 0 passed, 0
# failed, 1 skipped" (the Makefile installs clang and libclang-rt-14-dev).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-10}
BUILD=${2:-$root/build-fuzz}
cd "$root"
CC_FUZZ=$(command -v clang || command -v clang-14 || true)
if [ -z "$CC_FUZZ" ]; then
  echo "fuzz: clang not found (apt-get install clang libclang-rt-14-dev)"
  echo "fuzz: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
log=$(mktemp "${TMPDIR:-/tmp}/lunar-fuzz-log-XXXXXX")
work=$(mktemp -d "${TMPDIR:-/tmp}/lunar-fuzz-XXXXXX")
trap 'rm -f "$log"' EXIT
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache)
if ! { CC=$CC_FUZZ cmake -S "$root" -B "$BUILD" -DLUNAR_CUDA=OFF -DLUNAR_FUZZ=ON \
         -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >"$log" 2>&1 &&
       cmake --build "$BUILD" -j "${JOBS:-2}" --target lunar_fuzz >>"$log" 2>&1; }; then
  tail -n 30 "$log"
  echo "fuzz: the fuzz build failed"
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi
pass=0 fail=0
for t in index shape array names files; do
  mkdir -p "$work/$t"
  cp "$root/tests/fuzz/corpus/$t"/* "$work/$t/" 2>/dev/null
  if ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=0 \
     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     LUNAR_FUZZ_TARGET=$t LUNAR_FUZZ_DIR="$root/tests/fuzz" LUNAR_DEVICE=cpu \
     "$BUILD/tests/lunar_fuzz" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
       -malloc_limit_mb=1024 -max_len=4096 -print_final_stats=1 \
       -artifact_prefix="$work/$t-" "$work/$t" >"$log" 2>&1; then
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "ok   $t: ${runs:-?} inputs in ${secs}s"
    pass=$((pass + 1))
  else
    echo "FAIL $t: (inputs kept in $work)"
    grep -E 'ERROR|runtime error|fuzz:|SUMMARY|Test unit written' "$log" | head -n 20
    fail=$((fail + 1))
  fi
done
[ "$fail" -eq 0 ] && rm -rf "$work"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
