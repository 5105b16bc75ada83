#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole suite, as `make test` and CI run it:
#   tests/run_all.sh [build-dir]        (default: build)
# 0. the layering rules, by grep (tests/layering.sh: src/lua and src/host
#    include no backend or private core header, kernels/ calls no CUDA API
#    but launches; LUNAR_TEST_LAYERING=0 leaves it out, as the debug and
#    sanitizer runs do)
# 1. ctest: the C tests (core, backends, NVRTC, embedding)
# 2. busted: tests/*_spec.lua inside the lunar host (the specs walk every
#    device that works here: the CPU always, CUDA where there is a GPU),
#    then again with automatic fusion on every device (LUNAR_FUSION=all;
#    LUNAR_TEST_FUSED=0 leaves it out)
# 3. the differential suite against NumPy (tests/diff/run.sh)
# 3b. the benchmark's scripts at their small size, results only
#    (bench/scripts.sh --ci; LUNAR_TEST_SCRIPTS=0 leaves it out)
# 4. the REPL through a pseudo-terminal (tests/repl/run.sh)
# 4b. the install test (tests/install/run.sh: cmake --install, then the
#    embedding example built with find_package and with pkg-config, and
#    `luarocks make` of lunar-scm-1.rockspec required from lua5.4, in
#    build.luarocks/; LUNAR_TEST_ROCK=0 leaves that step out)
# 4c. the fuzzers (tests/fuzz/run.sh: libFuzzer over the index parser,
#    shapes, lunar.array, names and the file loaders, seconds per target)
# 4d. the field examples (tests/examples/run.sh: examples/*.lua at their
#    small size on the CPU against their NumPy twins)
# 5. the bad-input suite (tests/bad/run.sh: >= 3,000 hostile calls, never a
#    crash, lunar usable after each)
# 5b. lunar.dist on CPU ranks (tests/dist/run.sh: lunar -n, mpirun -n 2/3/4/8)
# 5c. the allocation-failure walk (tests/allocfail/run.sh: the Nth host,
#    Lua or device allocation fails, every N; a clean "out of memory", no
#    leak, lunar usable after each)
# 6. all of it again against a CPU-only debug build in build-debug/
#    (LUNAR_DEBUG=ON: internal checks on; LUNAR_TEST_DEBUG=0 leaves it out)
# 7. the sanitizer job: a CPU-only build in build-asan/ with AddressSanitizer
#    and UndefinedBehaviorSanitizer (float-cast-overflow, no -fwrapv), running
#    the C tests, the specs, the diff suite, the bad-input suite and the
#    allocation-failure walk (LUNAR_TEST_ASAN=0 leaves it out)
# Ends with one line "N passed, N failed" summing all parts; exits non-zero
# when anything failed or could not run.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
LUNAR=$BUILD/lunar
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

total_pass=0 total_fail=0 total_skip=0
report=()
log=$(mktemp "${TMPDIR:-/tmp}/lunar-test-XXXXXX")
trap 'rm -f "$log"' EXIT

# add NAME PASSED FAILED [SKIPPED]
add() {
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  total_skip=$((total_skip + ${4:-0}))
  report+=("$(printf '%-8s %5d passed, %3d failed, %3d skipped' "$1" "$2" "$3" "${4:-0}")")
}

section() { printf '\n==== %s ====\n' "$1"; }

# run a part with its output shown and kept in $log; sets $rc
run_part() { "$@" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}; }

# tally NAME WHAT: the last "NAME: P passed, F failed[, S skipped]" line of
# the part just run counts; a part that ends without one, or fails with no
# failure counted, counts one failure
tally() {
  local line p f s
  line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "$2 ended (status $rc) without a summary line"
    add "$1" 0 1
    return
  fi
  read -r p f s <<<"$(sed -E "s/^$1: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\\1 \\2 \\4/" <<<"$line")"
  add "$1" "$p" "$f" "${s:-0}"
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && add "$1" 0 1
}

if [ ! -x "$LUNAR" ]; then
  echo "run_all: no lunar binary at $LUNAR: build first (make)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# {===== 0. the layering rules (a few seconds, no build needed)
if [ "${LUNAR_TEST_LAYERING:-1}" != 0 ]; then
  section "layering (tests/layering.sh)"
  run_part bash tests/layering.sh "$root"
  tally layering "the layering check"
fi
# }=====

# {===== 1. ctest
section "C tests (ctest)"
run_part ctest --test-dir "$BUILD" --output-on-failure --timeout 900 -j "$JOBS"
line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
if [ -n "$line" ]; then
  nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  nall=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  # tests that exited with their SKIP_RETURN_CODE (no GPU, not a debug
  # build) count as passed in that line; ctest lists them "(Skipped)"
  nskip=$(grep -cE '^[[:space:]]*[0-9]+ - .* \(Skipped\)$' "$log")
  add ctest $((nall - nfail - nskip)) "$nfail" "$nskip"
elif grep -q 'No tests were found' "$log"; then
  add ctest 0 0
else
  add ctest 0 1
fi
# }=====

# {===== 2. busted specs inside lunar; then the same specs with automatic
# fusion on every device (LUNAR_FUSION=all: the CPU's elementwise chains
# run as fused kernels too, and batches of independent values as on a GPU:
# LUNAR_FUSE_BATCH=all), which must not change a result (part "fused";
# LUNAR_TEST_FUSED=0 leaves it out)
busted_bin=$(command -v busted || true)
# run_busted PART [VAR=VALUE...]: the spec suite, counted as PART
run_busted() {
  local part=$1 line s f e p
  shift
  if [ -z "$busted_bin" ]; then
    echo "busted is not installed: apt-get install -y lua-busted"
    add "$part" 0 1
    return
  fi
  # Debian's /usr/bin/busted is a Lua script: run it with lunar itself. A
  # staged shell wrapper (see ../shared/device) takes the host in BUSTED_LUA.
  if head -n 1 "$busted_bin" | grep -q lua; then
    run_part env "$@" "$LUNAR" "$busted_bin" -o plainTerminal tests
  else
    run_part env "$@" BUSTED_LUA="$LUNAR" "$busted_bin" -o plainTerminal tests
  fi
  line=$(grep -E '^[0-9]+ success(es)? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    read -r s f e p <<<"$(sed -E 's#^([0-9]+) [a-z]+ / ([0-9]+) [a-z]+ / ([0-9]+) [a-z]+ / ([0-9]+) pending.*#\1 \2 \3 \4#' <<<"$line")"
    add "$part" "$s" $((f + e)) "$p"
    [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ] && add "$part" 0 1
  else
    echo "busted ended (status $rc) without a summary line"
    add "$part" 0 1
  fi
}
section "specs (busted inside $LUNAR)"
run_busted busted
if [ "${LUNAR_TEST_FUSED:-1}" != 0 ]; then
  section "specs with automatic fusion on every device (LUNAR_FUSION=all, LUNAR_FUSE_BATCH=all)"
  run_busted fused LUNAR_FUSION=all LUNAR_FUSE_BATCH=all
fi
# }=====

# {===== 3. the differential suite against NumPy
if [ -x tests/diff/run.sh ] || [ -f tests/diff/run.sh ]; then
  section "differential suite against NumPy"
  run_part env LUNAR="$LUNAR" sh tests/diff/run.sh
  tally diff "the differential suite"
fi
# }=====

# {===== 3b. the scripts of bench/scripts: lunar's results at the small size
# against those of their NumPy twins (kept in bench/scripts/
# expected_small.txt); about a second, no timing checked
if [ "${LUNAR_TEST_SCRIPTS:-1}" != 0 ]; then
  section "bench scripts, small (bench/scripts.sh --ci)"
  run_part env LUNAR="$LUNAR" bash bench/scripts.sh --ci
  tally scripts "the bench scripts"
fi
# }=====

# {===== 4. the REPL through tmux (LUNAR_TEST_REPL=0 leaves it out)
if [ "${LUNAR_TEST_REPL:-1}" != 0 ]; then
section "REPL (through tmux)"
run_part bash tests/repl/run.sh "$LUNAR"
tally repl "the REPL test"
fi
# }=====

# {===== 4b. the install test (cmake --install, find_package, pkg-config;
# LUNAR_TEST_INSTALL=0 leaves it out; the debug and sanitizer runs do)
if [ "${LUNAR_TEST_INSTALL:-1}" != 0 ]; then
  section "install (cmake --install, examples/embed)"
  run_part bash tests/install/run.sh "$BUILD"
  tally install "the install test"
fi
# }=====

# {===== 4c. the fuzzers (tests/fuzz/run.sh: a clang ASan+UBSan build with
# libFuzzer in build-fuzz/, each target for LUNAR_FUZZ_SECONDS, default 10;
# LUNAR_TEST_FUZZ=0 leaves it out; the debug and sanitizer runs do)
if [ "${LUNAR_TEST_FUZZ:-1}" != 0 ]; then
  section "fuzzers (libFuzzer, tests/fuzz)"
  run_part bash tests/fuzz/run.sh "${LUNAR_FUZZ_SECONDS:-10}" "$root/build-fuzz"
  tally fuzz "the fuzzers"
fi
# }=====

# {===== 4d. the field examples beside their NumPy twins (small sizes, CPU;
# LUNAR_TEST_EXAMPLES=0 leaves them out; the debug and sanitizer runs do)
if [ "${LUNAR_TEST_EXAMPLES:-1}" != 0 ]; then
  section "examples (examples/*.lua against examples/twins/*.py)"
  run_part bash tests/examples/run.sh "$LUNAR"
  tally examples "the examples"
fi
# }=====

# {===== 5. the bad-input suite
if [ "${LUNAR_TEST_BAD:-1}" != 0 ]; then
  section "bad-input suite (tests/bad)"
  run_part bash tests/bad/run.sh "$LUNAR"
  tally bad "the bad-input suite"
fi
# }=====

# {===== 5b. lunar.dist on CPU ranks (tests/dist/run.sh: lunar -n, then
# mpirun -n 2, 3, 4 and 8 with many checks in each; the MPI part is skipped
# with a line when mpirun is missing; LUNAR_TEST_DIST=0 leaves it out, and
# the sanitizer run does)
if [ "${LUNAR_TEST_DIST:-1}" != 0 ]; then
  section "lunar.dist (tests/dist: lunar -n and mpirun, CPU ranks)"
  run_part bash tests/dist/run.sh "$LUNAR"
  tally dist "the dist suite"
fi
# }=====

# {===== 5c. the allocation-failure walk (tests/allocfail/run.sh: a
# representative script with the Nth allocation failing, every N; leaks
# checked in the sanitizer build; LUNAR_TEST_ALLOCFAIL=0 leaves it out)
if [ "${LUNAR_TEST_ALLOCFAIL:-1}" != 0 ]; then
  section "allocation-failure walk (tests/allocfail)"
  run_part bash tests/allocfail/run.sh "$LUNAR"
  tally allocfail "the allocation-failure walk"
fi
# }=====

# {===== 6. the debug build: the same suite against build-debug/, configured
# CPU only with LUNAR_DEBUG=ON, whose internal checks (src/core/lu_check.h)
# abort on a broken invariant. Its parts count as NAME/d. Not run when the
# build under test is itself a debug build, or with LUNAR_TEST_DEBUG=0.
if [ "${LUNAR_TEST_DEBUG:-1}" != 0 ] &&
   ! grep -q '^LUNAR_DEBUG:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  section "debug build (LUNAR_DEBUG=ON, CPU only) in build-debug"
  DBG=$root/build-debug
  launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  if cmake -S "$root" -B "$DBG" -DLUNAR_CUDA=OFF -DLUNAR_DEBUG=ON "${launcher[@]}" >"$log" 2>&1 &&
     cmake --build "$DBG" -j "$JOBS" >>"$log" 2>&1; then
    dlog=$(mktemp "${TMPDIR:-/tmp}/lunar-test-debug-XXXXXX")
    LUNAR_TEST_LAYERING=0 LUNAR_TEST_DEBUG=0 LUNAR_TEST_ASAN=0 LUNAR_TEST_INSTALL=0 LUNAR_TEST_FUZZ=0 LUNAR_TEST_EXAMPLES=0 LUNAR_TEST_FUSED=0 bash "$root/tests/run_all.sh" "$DBG" 2>&1 | tee "$dlog"
    # its summary has one line per part: "NAME  N passed,  N failed,  N skipped"
    parsed=0
    while read -r name p _ f _ s _; do
      add "$name/d" "$p" "$f" "$s"
      parsed=1
    done < <(sed -n '/^==== summary ====$/,$p' "$dlog" |
             grep -E '^[a-z]+ +[0-9]+ passed, +[0-9]+ failed, +[0-9]+ skipped$')
    rm -f "$dlog"
    [ "$parsed" = 1 ] || { echo "the debug run ended without a summary"; add debug 0 1; }
  else
    tail -n 40 "$log"
    echo "the debug build (build-debug) failed to configure or build"
    add debug 0 1
  fi
fi
# }=====

# {===== 7. the sanitizer build: build-asan/, CPU only, LUNAR_SANITIZE=ON.
# Its parts count as NAME/s; a sanitizer report aborts the process, which
# its part counts as a failure. The REPL is left out there (a terminal
# driven through tmux adds minutes and no code the specs do not reach).
if [ "${LUNAR_TEST_ASAN:-1}" != 0 ] &&
   ! grep -q '^LUNAR_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null &&
   ! grep -q '^LUNAR_DEBUG:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  section "sanitizer build (ASan + UBSan, CPU only) in build-asan"
  SAN=$root/build-asan
  launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  if cmake -S "$root" -B "$SAN" -DLUNAR_CUDA=OFF -DLUNAR_SANITIZE=ON "${launcher[@]}" >"$log" 2>&1 &&
     cmake --build "$SAN" -j "$JOBS" >>"$log" 2>&1; then
    slog=$(mktemp "${TMPDIR:-/tmp}/lunar-test-asan-XXXXXX")
    # huge requests fail as lunar's "out of memory" instead of an ASan abort
    ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    LUNAR_TEST_LAYERING=0 LUNAR_TEST_DEBUG=0 LUNAR_TEST_ASAN=0 LUNAR_TEST_REPL=0 LUNAR_TEST_INSTALL=0 LUNAR_TEST_FUZZ=0 LUNAR_TEST_EXAMPLES=0 LUNAR_TEST_DIST=0 \
      bash "$root/tests/run_all.sh" "$SAN" 2>&1 | tee "$slog"
    parsed=0
    while read -r name p _ f _ s _; do
      add "$name/s" "$p" "$f" "$s"
      parsed=1
    done < <(sed -n '/^==== summary ====$/,$p' "$slog" |
             grep -E '^[a-z]+ +[0-9]+ passed, +[0-9]+ failed, +[0-9]+ skipped$')
    grep -E '^(SUMMARY: (Address|UndefinedBehavior)Sanitizer|.*runtime error:)' "$slog" | head -n 20
    rm -f "$slog"
    [ "$parsed" = 1 ] || { echo "the sanitizer run ended without a summary"; add asan 0 1; }
  else
    tail -n 40 "$log"
    echo "the sanitizer build (build-asan) failed to configure or build"
    add asan 0 1
  fi
fi
# }=====

section "summary"
printf '%s\n' "${report[@]}"
[ "$total_skip" -gt 0 ] && echo "($total_skip skipped)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
