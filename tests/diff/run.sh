#!/bin/sh
# SPDX-License-Identifier: MIT
# The differential suite: NumPy (Debian's, /usr/bin/python3) writes the cases,
# lunar runs them on every device. Prints "diff: N passed, N failed"; exits
# non-zero on a failure. LUNAR=path/to/lunar picks the binary (default:
# build/lunar); PYTHON overrides the interpreter that has NumPy.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
LUNAR=${LUNAR:-$root/build/lunar}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ ! -x "$LUNAR" ]; then
  echo "diff: no lunar binary at $LUNAR (build first, or set LUNAR=...)" >&2
  exit 2
fi
if ! "$PYTHON" -c "import numpy" 2>/dev/null; then
  echo "diff: $PYTHON has no numpy: apt-get install python3-numpy" >&2
  exit 2
fi
cases=$(mktemp "${TMPDIR:-/tmp}/lunar-diff-XXXXXX.lua")
trap 'rm -f "$cases"' EXIT INT TERM
"$PYTHON" "$here/gen.py" --ops "$root/src/core/lu_ops.def" --out "$cases"
"$LUNAR" "$here/run.lua" "$cases"
