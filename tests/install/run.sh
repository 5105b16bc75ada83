#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The install test: tests/install/run.sh BUILD
# Installs BUILD into a temporary prefix, then checks what a C user and a
# Lua user get there:
#   1. examples/embed built with the installed CMake package (find_package)
#   2. the same application built with pkg-config
#   3. the installed lunar executable runs a line
#   4. Debian's lua5.4 loads the installed lunar.so (when lua5.4 is there)
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
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
