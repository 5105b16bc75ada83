#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extra files for one run on the lent GPU machine, beside pack.sh's pack:
#   .ci/gpu/pack-extra.sh NAME=PATH ...
# puts each PATH (a file or a folder) under the name NAME into
# .gpu/extra.tar.xz; run.sh unpacks it into /tmp/lunar-gpu/extra. Run it
# after pack.sh (which starts .gpu afresh), and with PACK_LEAN=1 there when
# the extras are CUDA binaries: a call carries 64 MiB in all. Used for
#   lunar-debug=build-dbg/lunar   a -DLUNAR_DEBUG=ON build (LUNAR_BIN=...)
#   lunar-base=../base/build/lunar base-bench=../base/bench
#                                 the baseline of bench/before_after.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || { echo "usage: pack-extra.sh NAME=PATH ..." >&2; exit 2; }
[ -d "$root/.gpu" ] || { echo "pack-extra.sh: no .gpu/ here: run pack.sh first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for a in "$@"; do
  name=${a%%=*} path=${a#*=}
  case $name in ''|*/*|.*) echo "pack-extra.sh: bad name '$name' in '$a'" >&2; exit 2 ;; esac
  [ -e "$path" ] || { echo "pack-extra.sh: $path does not exist" >&2; exit 1; }
  cp -rL "$path" "$tmp/$name"
done
tar -C "$tmp" -cf - . | xz -9 -T2 > "$root/.gpu/extra.tar.xz"
du -ch "$root"/.gpu/*.tar.xz | tail -n 1
