#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The install test: tests/install/run.sh BUILD
# Installs BUILD into a temporary prefix, then checks what a C user and a
# Lua user get there:
#   1. examples/embed built with the installed CMake package (find_package)
#   2. the same application built with pkg-config
#   3. the installed lunar executable runs a line
#   4. Debian's lua5.4 loads the installed lunar.so (when lua5.4 is there)
#   5. `luarocks make` of lunar-scm-1.rockspec into a temporary tree, and
#      lua5.4 requires the rock's lunar.so and computes with it (skipped,
#      with a line, without luarocks or lua5.4, or with LUNAR_TEST_ROCK=0).
#      The rock builds in build.luarocks/ of the checkout, which stays, so a
#      later run only rebuilds what changed; ccache is used when installed
#      (a first build with a warm cache takes about a minute on 2 cores).
#      The rock is built for the CPU backend only (LUNAR_CUDA=OFF in the
#      environment; LUNAR_TEST_ROCK_CUDA=AUTO builds CUDA too)
# The application's output is checked against figures written by hand: the
# signal of examples/embed/app.c has mean 3, standard deviation 2/sqrt(2)
# and its peak at 50 Hz. Ends with "install: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$root/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lunar-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$tmp/out" ] && sed 's/^/     /' "$tmp/out"; }
expect='analyse returned 3 values: 3 1.41421 50'

if ! cmake --install "$BUILD" --prefix "$tmp/prefix" >"$tmp/out" 2>&1; then
  bad "cmake --install"
  echo "install: $pass passed, $((fail + 4)) failed"
  exit 1
fi
ok "cmake --install"
libdir=$(dirname "$(find "$tmp/prefix" -name liblunar.a | head -n 1)")

# 1. find_package(lunar)
if cmake -S "$root/examples/embed" -B "$tmp/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
     -DCMAKE_BUILD_TYPE=Release >"$tmp/out" 2>&1 &&
   cmake --build "$tmp/b" >>"$tmp/out" 2>&1 &&
   "$tmp/b/embed" "$root/examples/embed/script.lua" >"$tmp/run" 2>>"$tmp/out" &&
   grep -qxF "$expect" "$tmp/run"; then
  ok "examples/embed with find_package(lunar)"
else
  cat "$tmp/run" >>"$tmp/out" 2>/dev/null; bad "examples/embed with find_package(lunar)"
fi

# 2. pkg-config
if flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs lunar 2>"$tmp/out") &&
   ${CXX:-g++} -x c -std=c11 "$root/examples/embed/app.c" -x none $flags -lm -o "$tmp/app" \
     >>"$tmp/out" 2>&1 &&
   "$tmp/app" "$root/examples/embed/script.lua" >"$tmp/run" 2>>"$tmp/out" &&
   grep -qxF "$expect" "$tmp/run"; then
  ok "examples/embed with pkg-config"
else
  cat "$tmp/run" >>"$tmp/out" 2>/dev/null; bad "examples/embed with pkg-config ($flags)"
fi

# 3. the installed executable
if "$tmp/prefix/bin/lunar" -e 'print((lunar.arange(4) * 2):sum():item())' >"$tmp/out" 2>&1 &&
   grep -qx '12' "$tmp/out"; then
  ok "installed lunar runs"
else
  bad "installed lunar runs"
fi

# 4. the Lua module from Debian's interpreter
if command -v lua5.4 >/dev/null 2>&1; then
  if LUA_CPATH="$libdir/lua/5.4/?.so;;" lua5.4 -e \
       'local l = require "lunar"; print(l.ones(3):sum():item())' >"$tmp/out" 2>&1 &&
     grep -qx '3.0' "$tmp/out"; then
    ok "lua5.4 requires the installed lunar.so"
  else
    bad "lua5.4 requires the installed lunar.so"
  fi
fi

# 5. luarocks make
skipped=0
if [ "${LUNAR_TEST_ROCK:-1}" = 0 ]; then
  echo "skip luarocks make (LUNAR_TEST_ROCK=0)"; skipped=1
elif ! command -v luarocks >/dev/null 2>&1 || ! command -v lua5.4 >/dev/null 2>&1; then
  echo "skip luarocks make: no luarocks or lua5.4 (apt-get install -y luarocks lua5.4)"; skipped=1
else
  if command -v ccache >/dev/null 2>&1; then
    export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
    export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
    export CMAKE_CUDA_COMPILER_LAUNCHER=${CMAKE_CUDA_COMPILER_LAUNCHER:-ccache}
  fi
  start=$SECONDS
  # the CPU backend only, unless LUNAR_TEST_ROCK_CUDA=AUTO: the rock's build
  # is the main build's CMake, and a second CUDA build on a CI machine
  # without a warm ccache would take most of its time limit
  if (cd "$root" && LUNAR_CUDA=${LUNAR_TEST_ROCK_CUDA:-OFF} \
        CMAKE_BUILD_PARALLEL_LEVEL=${JOBS:-$(nproc 2>/dev/null || echo 2)} \
        luarocks --lua-version 5.4 make --tree "$tmp/rocks" lunar-scm-1.rockspec) >"$tmp/out" 2>&1 &&
     LUA_CPATH="$tmp/rocks/lib/lua/5.4/?.so;;" lua5.4 -e \
       'local l = require "lunar"; local a = l.arange(10):reshape(2, 5) * 2
        local s = a:sum(1); assert(s:totable()[5] == 26, tostring(s)); print(a:sum():item())' \
       >"$tmp/run" 2>>"$tmp/out" &&
     grep -qx '90' "$tmp/run"; then
    ok "luarocks make lunar-scm-1.rockspec, then lua5.4 requires the rock ($((SECONDS - start)) s)"
  else
    cat "$tmp/run" >>"$tmp/out" 2>/dev/null; tail -n 30 "$tmp/out" >"$tmp/out.tail"; mv "$tmp/out.tail" "$tmp/out"
    bad "luarocks make lunar-scm-1.rockspec, then lua5.4 requires the rock"
  fi
fi
echo "install: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
