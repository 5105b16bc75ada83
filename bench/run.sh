#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh: the side-by-side benchmark of issue 3 in one command.
#
#   bench/run.sh [--device cuda|cpu] [--quick|--tiny] [--only key,key]
#
# Runs bench/bench.lua under build/lunar, bench/peers.py (CuPy, PyTorch and the
# float64 reference; NumPy on the CPU), bench/coldstart.py, then prints
# bench/compare.py's table. JSON and the Markdown table go to $OUT when it is
# set (the GPU machine), else to a temporary directory and bench/last.md.
# Environment: LUNAR (default build/lunar), PYTHON (default python3),
# COMMIT (when there is no git), COLD_REPS (default 5), PEERS_TIMEOUT (seconds
# for peers.py, default 200; the systems that finished are kept).
set -u
cd "$(dirname "$0")/.." || exit 1

DEVICE=""
SIZE=""
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --device) DEVICE=$2; shift ;;
    --quick) SIZE=--quick ;;
    --tiny) SIZE=--tiny ;;
    --only) ONLY=$2; shift ;;
    *) echo "usage: bench/run.sh [--device cuda|cpu] [--quick|--tiny] [--only key,key]" >&2; exit 2 ;;
  esac
  shift
done

LUNAR=${LUNAR:-build/lunar}
# the binaries' own commit where they carry it (.ci/gpu/pack.sh writes
# bin/COMMIT): the tree beside them may be at another
if [ -z "${COMMIT:-}" ] && [ -f "$(dirname "$LUNAR")/COMMIT" ]; then
  COMMIT=$(cat "$(dirname "$LUNAR")/COMMIT"); export COMMIT
fi
PY=${PYTHON:-python3}
if [ -z "$DEVICE" ]; then
  if nvidia-smi -L >/dev/null 2>&1; then DEVICE=cuda; else DEVICE=cpu; fi
fi
if [ -n "${OUT:-}" ]; then
  DIR=$OUT
  MD=$OUT/bench.md
else
  DIR=$(mktemp -d /tmp/lunar-bench.XXXXXX)
  MD=bench/last.md
fi
mkdir -p "$DIR"
ONLY_ARG=""
[ -n "$ONLY" ] && ONLY_ARG="--only $ONLY"

# A step that hangs must not take the whole run with it.
TO=""
command -v timeout >/dev/null 2>&1 && TO="timeout"
step() { # seconds, command...
  limit=$1; shift
  if [ -n "$TO" ]; then "$TO" "$limit" "$@"; else "$@"; fi
  rc=$?
  [ $rc -ne 0 ] && echo "run.sh: '$*' exited with $rc" >&2
  return 0
}

echo "run.sh: device $DEVICE, lunar $LUNAR, python $PY, results in $DIR" >&2
start=$(date +%s)
rm -f "$DIR/lunar.json" "$DIR/peers.json" "$DIR/cold.json"

if [ -x "$LUNAR" ]; then
  # shellcheck disable=SC2086
  step 200 "$LUNAR" bench/bench.lua --device "$DEVICE" $SIZE $ONLY_ARG --json "$DIR/lunar.json"
else
  echo "run.sh: $LUNAR is missing: no lunar rows" >&2
fi
# shellcheck disable=SC2086
step "${PEERS_TIMEOUT:-200}" env PYTHONUNBUFFERED=1 "$PY" bench/peers.py --device "$DEVICE" $SIZE $ONLY_ARG --json "$DIR/peers.json"
if [ -z "$ONLY" ] || echo ",$ONLY," | grep -q ',cold_'; then
  step 150 "$PY" bench/coldstart.py --lunar "$LUNAR" --device "$DEVICE" --reps "${COLD_REPS:-5}" \
    --json "$DIR/cold.json"
fi

"$PY" bench/compare.py --lunar "$DIR/lunar.json" --peers "$DIR/peers.json" \
  --cold "$DIR/cold.json" --md "$MD"
echo "run.sh: $(( $(date +%s) - start )) s in all" >&2
