#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs on the lent GPU machine (see pack.sh):
#   .ci/gpu/run.sh [tests|bench|examples|interop|all|scripts|probes|dist|bad|allocfail|sanitize|beforeafter]
# Logs go to $OUT/logs.tgz (when set) and the last lines summarise each part.
# SPECS="tests/a_spec.lua tests/b_spec.lua" runs only those spec files;
# DIFF_OPS=fft.,quantile only those diff cases (tests/diff/run.lua), DIFF_SHARDS=0
# none; BENCH_ONLY=fma,copy only those bench rows.
# examples: the field examples at full size (bench/examples.sh) on cuda
# beside their NumPy and CuPy twins, stopped after EXAMPLES_TIMEOUT s
# (default 540) so that the logs still come back; EXAMPLES_ONLY=a,b only
# those; EXAMPLES_DEVICE=cpu for a dry run. Run it on its own (not in
# "all"): it takes a few minutes.
# interop (issue 11; part of "all", seconds): tests/interop/dlpack_numpy.py
# with the machine's python3 (INTEROP_PYTHON sets another) on the DLPack
# shim pack.sh packed: lunar <-> NumPy on the CPU, and lunar's cuda:0
# arrays <-> torch.cuda tensors and CuPy arrays (each library that
# imports), stopped after INTEROP_TIMEOUT s (default 300).
# scripts (issue 14; not part of "all"): bench/scripts.sh at full size three
# times: lunar on cuda beside NumPy and CuPy, lunar on the CPU beside NumPy,
# and the CPU run again with a busy loop on every core (the <= 1.2x of
# NumPy target under load). SCRIPTS_REPS runs each (default 3); the first
# two runs are stopped after SCRIPTS_TIMEOUT s (default 170), the loaded one
# when the part has run SCRIPTS_BUDGET s (default 540). Tables (rows as
# they finish) in scripts-{cuda,cpu,cpu-busy}.log and on stdout.
# probes (not part of "all"): bench/la_stages.lua with the one-pass small
# solver and both LUNAR_BATCHED_INV settings without it, bench/conv_crossover.lua and
# bench/fuse_chunks.lua at five LUNAR_FUSE_CHUNKS on cuda, bench/matmul_probe.lua
# (a product's device and host time), bench/small_ops.lua (where a small
# op's microseconds go).
# The reliability parts (issue 12), not part of "all", each sized for one
# 10-minute command:
#   bad        the bad-input suite (tests/bad/run.sh) with cuda:0 the default
#              device. BAD_CHUNK=k/n runs the k-th of n equal ranges of the
#              cases (default 1/1), BAD_RANGE="K L" cases K..L; a process
#              stops after BAD_TIMEOUT s (default 480) and says where to resume.
#   allocfail  the allocation-failure walks (tests/allocfail/run.sh) with
#              cuda:0 the default device: ALLOCFAIL_WALKS (default
#              "device devicep"), ALLOCFAIL_TIMEOUT s (default 480).
#   sanitize   compute-sanitizer --tool $SAN_TOOL (default memcheck) over each
#              spec file of SAN_SPECS (default tests/reliab_spec.lua), one
#              process each, --target-processes application-only (a spec's
#              deliberate fault in a child process stays out of the report)
#              --error-exitcode 99; a log per spec in san/ (the tool's report
#              NAME.TOOL.log, the spec's output NAME.TOOL.out). A spec is
#              stopped after SAN_TIMEOUT s (default 480), and none is started
#              after SAN_BUDGET s (default 500) of the part. SAN_BIN: the tool.
#              LUNAR_SPEC_SCALE=SAN_SCALE (default 0.02) shortens the specs'
#              long loops (reliab_spec's 200000 small ops took the 400 s a
#              spec had under memcheck, H200 2026-12-05); LUNAR_SPEC_SANITIZER=1
#              leaves out the specs' deliberate device faults.
#              SAN_JOBS specs at a time (default 1); SAN_DIFF="k/n ..." also
#              runs those shards of the differential cases on cuda:0.
# beforeafter (not part of "all"): bench/before_after.sh, the baseline
#              binary and bench/ that pack-extra.sh packed against this
#              build, lunar's rows only, alternating; BA_KEYS the rows.
# BAD_DEVICE / ALLOCFAIL_DEVICE set another device (cpu, for a dry run).
# LUNAR_BIN runs the parts with another binary (an extra of pack-extra.sh,
# e.g. /tmp/lunar-gpu/extra/lunar-debug); SPECS_SKIP=regex leaves out the
# spec files it matches.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
what=${1:-tests}
# what: tests, bench, examples, all, or a comma-separated list of them
has() { case ",$what," in *",$1,"*|*,all,*) return 0 ;; esac; return 1; }
# the parts that "all" leaves out
named() { case ",$what," in *",$1,"*) return 0 ;; esac; return 1; }
out=${OUT:-/tmp/lunar-gpu-out}
mkdir -p "$out" /tmp/lunar-gpu
# a second run.sh started beside a first (other parts in parallel) finds
# the pack unpacked and leaves the files the first is running alone
sum=$(cksum < .gpu/pack.tar.xz)
if [ "$(cat /tmp/lunar-gpu/.pack 2>/dev/null)" != "$sum" ]; then
  tar -C /tmp/lunar-gpu -xJf .gpu/pack.tar.xz && echo "$sum" > /tmp/lunar-gpu/.pack
fi
# pack-extra.sh's files (another build of lunar, a baseline's bench/)
if [ -f .gpu/extra.tar.xz ]; then
  xsum=$(cksum < .gpu/extra.tar.xz)
  if [ "$(cat /tmp/lunar-gpu/.extra 2>/dev/null)" != "$xsum" ]; then
    rm -rf /tmp/lunar-gpu/extra && mkdir -p /tmp/lunar-gpu/extra &&
      tar -C /tmp/lunar-gpu/extra -xJf .gpu/extra.tar.xz && echo "$xsum" > /tmp/lunar-gpu/.extra
  fi
fi
source /tmp/lunar-gpu/stage/env.sh
export LD_LIBRARY_PATH=/tmp/lunar-gpu/bin/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# LUNAR_BIN: another lunar binary for this run (an extra of pack-extra.sh,
# e.g. /tmp/lunar-gpu/extra/lunar-debug); build/lunar stays the pack's
export LUNAR=${LUNAR_BIN:-/tmp/lunar-gpu/bin/lunar}
# the binaries' commit (pack.sh) for the bench's header
[ -f /tmp/lunar-gpu/bin/COMMIT ] && export COMMIT="${COMMIT:-$(cat /tmp/lunar-gpu/bin/COMMIT)}"
# lunar.plot's gnuplot (the examples' pictures, plot_spec): the machine's,
# else the one pack.sh packed (with its own libraries and font)
if ! command -v gnuplot >/dev/null 2>&1 && [ -x /tmp/lunar-gpu/bin/gnuplot/gnuplot ]; then
  export PATH=/tmp/lunar-gpu/bin/gnuplot:$PATH
fi
echo "gnuplot: $(command -v gnuplot || echo none)"
mkdir -p build && { cmp -s /tmp/lunar-gpu/bin/lunar build/lunar || cp /tmp/lunar-gpu/bin/lunar build/lunar; }
echo "lunar: $LUNAR"

nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
summary=()
if has tests; then
  for t in test_kernels lunar_test_cuda_smoke test_dlpack; do
    if [ -x /tmp/lunar-gpu/bin/$t ]; then
      /tmp/lunar-gpu/bin/$t > "$out/$t.log" 2>&1; rc=$?
      summary+=("$t: rc=$rc $(tail -n 1 "$out/$t.log")")
    fi
  done
  # the specs and the differential suite side by side (one GPU, many cores)
  # one busted per spec file, six at a time (the suite in one process took
  # 400 s on an H200 machine); a spec file past SPEC_TIMEOUT seconds is
  # stopped and named, so that one slow file cannot take the whole command
  mkdir -p "$out/specs"
  ls ${SPECS:-tests/*_spec.lua} | grep -vE "${SPECS_SKIP:-^$}" | xargs -P 6 -I{} sh -c \
    'PYTHON=python3 BUSTED_LUA=$0 timeout $2 busted -o plainTerminal {} > "$1/specs/$(basename {} .lua).log" 2>&1 || [ $? -ne 124 ] || echo "TIMEOUT after $2 s: {}" >> "$1/specs/$(basename {} .lua).log"' \
    "$LUNAR" "$out" "${SPEC_TIMEOUT:-480}" &
  # the diff suite on the GPU only (CI runs it on the CPU), in shards
  nshard=${DIFF_SHARDS:-8}
  for k in $(seq 0 $((nshard - 1))); do
    DIFF_DEVICES=cuda:0 DIFF_SHARD=$k/$nshard $LUNAR tests/diff/run.lua \
      /tmp/lunar-gpu/bin/diff-cases.lua > "$out/diff.$k.log" 2>&1 &
  done
  wait
  cat "$out"/diff.*.log | grep -v '^diff:' > "$out/diff.log"
  cat "$out"/diff.*.log | awk '/^diff:/ {p += $2; f += $4} END {printf "diff: %d passed, %d failed\n", p, f}' >> "$out/diff.log"
  cat "$out"/specs/*.log > "$out/specs.log"
  summary+=("specs: $(grep -hE '^[0-9]+ success' "$out"/specs/*.log | awk '{s += $1; f += $4; e += $7; p += $10} END {printf "%d successes / %d failures / %d errors / %d pending", s, f, e, p}')")
  for f in "$out"/specs/*.log; do grep -qE '^[0-9]+ success' "$f" || echo "no summary line: $f"; done
  grep -E "^(Failure|Error) ->" -A3 "$out/specs.log" | head -80
  summary+=("diff: $(grep -E '^diff:' "$out/diff.log" | tail -n 1)")
  grep -E "FAIL|failures by op|Error|rror:" "$out/diff.log" | head -30
  "$LUNAR" examples/quickstart.lua > "$out/quickstart.log" 2>&1
  summary+=("quickstart: rc=$?")
  cat "$out/quickstart.log"
fi
if has bench; then
  bash bench/run.sh --device cuda ${BENCH_ONLY:+--only "$BENCH_ONLY"} > "$out/bench.log" 2>&1
  summary+=("bench: rc=$?")
  tail -n 40 "$out/bench.log"
fi
if has examples; then
  SKLEARN_DATA=/tmp/lunar-gpu/bin/data SKIMAGE_DATA=/tmp/lunar-gpu/bin/data OUT="$out/examples" \
    PYTHON=python3 timeout "${EXAMPLES_TIMEOUT:-540}" bash bench/examples.sh "${EXAMPLES_DEVICE:-cuda}" > "$out/examples.log" 2>&1
  rc=$?
  [ $rc -eq 124 ] && echo "examples: stopped after ${EXAMPLES_TIMEOUT:-540} s" >> "$out/examples.log"
  summary+=("examples: rc=$rc $(grep -E '^examples: [0-9]+ passed' "$out/examples.log" | tail -n 1)")
  cat "$out/examples.log"
fi
# DLPack with NumPy, PyTorch and CuPy in one process (issue 11)
if has interop; then
  if [ -f /tmp/lunar-gpu/bin/liblunar_dlpack_shim.so ]; then
    # the packed libraries but Debian's C++ runtime where the machine has
    # its own: PyTorch and CuPy may need a newer libstdc++ than bookworm's
    ilib=/tmp/lunar-gpu/interop-lib
    mkdir -p "$ilib"
    for f in /tmp/lunar-gpu/bin/lib/*; do
      case $(basename "$f") in
        libstdc++.so*|libgcc_s.so*) ldconfig -p 2>/dev/null | grep -q "$(basename "$f")" && continue ;;
      esac
      ln -sf "$f" "$ilib/"
    done
    LD_LIBRARY_PATH=$ilib timeout "${INTEROP_TIMEOUT:-300}" "${INTEROP_PYTHON:-python3}" \
      tests/interop/dlpack_numpy.py /tmp/lunar-gpu/bin/liblunar_dlpack_shim.so > "$out/interop.log" 2>&1
    rc=$?
    summary+=("interop: rc=$rc $(grep -E '^interop: [0-9]+ passed' "$out/interop.log" | tail -n 1)")
    grep -E '^(FAIL|skip|interop:|==)|Error' "$out/interop.log" | head -n 60
  else
    summary+=("interop: no liblunar_dlpack_shim.so in the pack (build with liblua5.4-dev, then pack.sh)")
  fi
fi
# one-off measurements the cost models and defaults wait for (not part of
# "all", about a minute): batched small inverses and solves stage by stage,
# with the one-pass kernel (the default), and without it (LUNAR_SMALL_SOLVE=0)
# through cuBLAS's getrf+getri (CuPy's path) or matinvBatched
# (LUNAR_BATCHED_INV=matinv); convolve's direct/FFT crossover
if named probes; then
  for mode in small getri matinv; do
    small=0; [ $mode = small ] && small=1
    LUNAR_SMALL_SOLVE=$small LUNAR_BATCHED_INV=$mode timeout 240 "$LUNAR" bench/la_stages.lua cuda \
      > "$out/la_stages.$mode.log" 2>&1
    summary+=("probes la_stages ($mode): rc=$?")
    echo "== la_stages, $mode"; cat "$out/la_stages.$mode.log"
  done
  timeout 240 "$LUNAR" bench/conv_crossover.lua cuda float64 > "$out/conv_crossover.log" 2>&1
  summary+=("probes conv_crossover: rc=$?")
  echo "== conv_crossover cuda float64"; cat "$out/conv_crossover.log"
  for c in 1024 2000 4000 8000 16000; do
    LUNAR_FUSE_CHUNKS=$c timeout 120 "$LUNAR" bench/fuse_chunks.lua cuda >> "$out/fuse_chunks.log" 2>&1
    summary+=("probes fuse_chunks ($c): rc=$?")
  done
  echo "== fuse_chunks cuda"; cat "$out/fuse_chunks.log"
  for dt in float32 float64; do
    timeout 60 "$LUNAR" bench/matmul_probe.lua cuda $dt >> "$out/matmul_probe.log" 2>&1
    summary+=("probes matmul_probe ($dt): rc=$?")
  done
  echo "== matmul_probe cuda"; cat "$out/matmul_probe.log"
  timeout 120 "$LUNAR" bench/small_ops.lua cuda > "$out/small_ops.log" 2>&1
  summary+=("probes small_ops: rc=$?")
  echo "== small_ops cuda"; cat "$out/small_ops.log"
fi
# lunar's own rows at the baseline of pack-extra.sh (lunar-base, base-bench)
# and at this pack's build, alternating (bench/before_after.sh); BA_KEYS sets
# the rows
if named beforeafter; then
  x=/tmp/lunar-gpu/extra
  if [ -x "$x/lunar-base" ] && [ -f "$x/base-bench/bench.lua" ]; then
    OUT=$out/before-after bash bench/before_after.sh "$x/lunar-base" "$x/base-bench" ${BA_KEYS:+"$BA_KEYS"} \
      > "$out/before_after.log" 2>&1
    summary+=("beforeafter: rc=$?")
    cat "$out/before_after.log"
  else
    summary+=("beforeafter: no lunar-base and base-bench in .gpu/extra.tar.xz (pack-extra.sh)")
  fi
fi
# the scripts section of the benchmark (issue 14): the data where pack.sh put it
if named scripts; then
  sstart=$SECONDS
  scripts_run() {   # NAME DEVICE SECONDS: one bench/scripts.sh run into scripts-NAME.log
    SKLEARN_DATA=/tmp/lunar-gpu/bin/data SKIMAGE_DATA=/tmp/lunar-gpu/bin/data PYTHON=python3 \
      timeout "$3" bash bench/scripts.sh --device "$2" --reps "${SCRIPTS_REPS:-3}" \
      > "$out/scripts-$1.log" 2>&1
    local rc=$?
    [ $rc -eq 124 ] && echo "scripts: stopped after $3 s (the rows above are complete)" >> "$out/scripts-$1.log"
    summary+=("scripts $1: rc=$rc $(grep -E '^scripts: [0-9]+ passed' "$out/scripts-$1.log" | tail -n 1)")
    echo "== scripts on $1"
    cat "$out/scripts-$1.log"
  }
  scripts_run cuda cuda "${SCRIPTS_TIMEOUT:-170}"
  scripts_run cpu cpu "${SCRIPTS_TIMEOUT:-170}"
  # the loaded run takes what is left of SCRIPTS_BUDGET s (default 540: the
  # logs must be packed within the 10-minute command), a busy loop on every
  # core for all of it (each also stops by itself, should this shell die)
  left=$(( ${SCRIPTS_BUDGET:-540} - (SECONDS - sstart) ))
  [ "$left" -lt 30 ] && left=30
  busy=()
  for _ in $(seq "$(nproc)"); do
    timeout "$left" sh -c 'while :; do :; done' &
    busy+=($!)
  done
  scripts_run cpu-busy cpu "$left"
  for p in "${busy[@]}"; do kill "$p" 2>/dev/null; done
  wait "${busy[@]}" 2>/dev/null
fi
# lunar.dist on a machine with 2 or more GPUs (issues 13, 16): the
# collectives through NCCL (lunar -n, then mpirun when there is one), the
# C reference loop beside the Lua one, and the training example on 1 and
# N GPUs. DIST_N sets N (default: every GPU). Not part of "all".
if named dist; then
  ngpu=$(nvidia-smi -L | wc -l)
  dn=${DIST_N:-$ngpu}
  nvidia-smi topo -m > "$out/topo.log" 2>&1; cat "$out/topo.log"
  timeout 300 $LUNAR -n "$dn" tests/dist/collectives.lua gpu > "$out/dist-gpu.log" 2>&1
  summary+=("lunar -n $dn collectives gpu: rc=$? $(grep -h '^distrank' "$out/dist-gpu.log" | tr '\n' ' ')")
  grep -E "FAIL|rror" "$out/dist-gpu.log" | head -30
  if command -v mpirun >/dev/null; then
    r=(); [ "$(id -u)" = 0 ] && r=(--allow-run-as-root)
    timeout 300 mpirun "${r[@]}" -n "$dn" $LUNAR tests/dist/collectives.lua gpu > "$out/dist-gpu-mpi.log" 2>&1
    summary+=("mpirun -n $dn collectives gpu: rc=$? $(grep -h '^distrank' "$out/dist-gpu-mpi.log" | tr '\n' ' ')")
    grep -E "FAIL|rror" "$out/dist-gpu-mpi.log" | head -30
  fi
  [ -x /tmp/lunar-gpu/bin/nccl_allreduce ] &&
    timeout 300 /tmp/lunar-gpu/bin/nccl_allreduce -g "$dn" -b 1K -e 1G -p > "$out/nccl_allreduce.log" 2>&1
  cat "$out/nccl_allreduce.log"
  timeout 300 $LUNAR -n "$dn" examples/dist_allreduce.lua 1K 1G > "$out/dist_allreduce.log" 2>&1
  cat "$out/dist_allreduce.log"
  for k in 1 "$dn"; do
    timeout 300 $LUNAR -n "$k" examples/dist_train.lua data=synthetic dtype=float32 hidden=4096 batch=8192 steps=60 \
      > "$out/dist_train.$k.log" 2>&1
    cat "$out/dist_train.$k.log"
  done
  summary+=("dist_train step time 1 vs $dn GPUs: $(grep -h 'step time' "$out"/dist_train.*.log | tr '\n' ' ')")
  # PyTorch DDP on the same model, data shape and global batch
  if python3 -c "import torch" 2>/dev/null; then
    for k in 1 "$dn"; do
      timeout 300 torchrun --standalone --nproc_per_node="$k" bench/ddp_train.py hidden=4096 \
        batch=8192 steps=60 > "$out/ddp_train.$k.log" 2>&1
      cat "$out/ddp_train.$k.log"
    done
    summary+=("ddp_train step time 1 vs $dn GPUs: $(grep -h 'step time' "$out"/ddp_train.*.log | tr '\n' ' ')")
  fi
  # the digits' loss curve on 1 and N GPUs (the same global batch)
  for k in 1 "$dn"; do
    SKLEARN_DATA=/tmp/lunar-gpu/bin/data timeout 300 $LUNAR -n "$k" examples/dist_train.lua steps=100 \
      > "$out/dist_digits.$k.log" 2>&1
  done
  paste "$out/dist_digits.1.log" "$out/dist_digits.$dn.log"
fi
# {===== the reliability parts (issue 12)
if named bad; then
  dev=${BAD_DEVICE:-cuda:0}
  nbad=$(LUNAR_DEVICE=$dev $LUNAR tests/bad/run.lua --list)
  if [ -n "${BAD_RANGE:-}" ]; then
    read -r bfirst blast <<<"$BAD_RANGE"
    blog=$out/bad.$bfirst-$blast.log
  else
    chunk=${BAD_CHUNK:-1/1}
    bk=${chunk%/*} bn=${chunk#*/}
    per=$(((nbad + bn - 1) / bn))
    bfirst=$(((bk - 1) * per + 1)) blast=$((bk * per))
    [ "$blast" -gt "$nbad" ] && blast=$nbad
    blog=$out/bad.$bk-of-$bn.log
  fi
  LUNAR_DEVICE=$dev LUNAR_BAD_TIMEOUT=${BAD_TIMEOUT:-480} \
    bash tests/bad/run.sh "$LUNAR" --range "$bfirst" "$blast" > "$blog" 2>&1
  rc=$?
  summary+=("bad on $dev, cases $bfirst..$blast of $nbad: rc=$rc $(grep -E '^bad: ' "$blog" | tail -n 1)")
  grep -E '^(FAIL|CRASH|TIMEOUT) ' "$blog" | head -n 60
fi
if named allocfail; then
  dev=${ALLOCFAIL_DEVICE:-cuda:0}
  # shellcheck disable=SC2086  # the walks are words
  LUNAR_DEVICE=$dev LUNAR_ALLOCFAIL_TIMEOUT=${ALLOCFAIL_TIMEOUT:-480} \
    bash tests/allocfail/run.sh "$LUNAR" ${ALLOCFAIL_WALKS:-device devicep} > "$out/allocfail.log" 2>&1
  rc=$?
  summary+=("allocfail on $dev (${ALLOCFAIL_WALKS:-device devicep}): rc=$rc $(grep -E '^allocfail: [0-9]+ passed' "$out/allocfail.log" | tail -n 1)")
  cat "$out/allocfail.log"
fi
if named sanitize; then
  san=${SAN_BIN:-$(command -v compute-sanitizer)}
  if [ -z "$san" ]; then
    for c in /usr/local/cuda*/bin/compute-sanitizer; do [ -x "$c" ] && san=$c && break; done
  fi
  tool=${SAN_TOOL:-memcheck}
  stage=/tmp/lunar-gpu/stage
  mkdir -p "$out/san"
  start=$SECONDS
  # one spec file (or "diff:k/n", that shard of the differential cases on
  # cuda:0) under the tool: its report NAME.TOOL.log, its output
  # NAME.TOOL.out, the summary line NAME.TOOL.sum
  san_one() {
    local s=$1 b cmd
    case $s in
      # the shard in the environment, not through env(1): a program that
      # execs another is not the application the tool watched start ("CUDA
      # initialized before the Sanitizer", H100 2026-12-06)
      diff:*) b=diff-${s#diff:}; b=${b//\//-of-}
              export DIFF_DEVICES=cuda:0 DIFF_SHARD="${s#diff:}"
              cmd=("$LUNAR" tests/diff/run.lua /tmp/lunar-gpu/bin/diff-cases.lua) ;;
      *) b=$(basename "$s" .lua)
         # busted run by lunar itself (as the staged busted script does), so
         # that lunar is the application compute-sanitizer watches
         cmd=("$LUNAR" -e "package.path='$stage/lua/share/?.lua;$stage/lua/share/?/init.lua;'..package.path; package.cpath='$stage/lua/lib/?.so;'..package.cpath"
              -e "require 'busted.runner'({ standalone = false })" /dev/null -o plainTerminal "$s") ;;
    esac
    LUNAR_SPEC_SANITIZER=1 LUNAR_SPEC_SCALE=${SAN_SCALE:-0.02} PYTHON=python3 timeout "${SAN_TIMEOUT:-480}" "$san" --tool "$tool" \
      --target-processes application-only --error-exitcode 99 --log-file "$out/san/$b.$tool.log" \
      "${cmd[@]}" > "$out/san/$b.$tool.out" 2>&1
    local rc=$?
    echo "sanitize $tool $b: rc=$rc $(grep -hE 'SUMMARY' "$out/san/$b.$tool.log" 2>/dev/null | tail -n 1 | sed 's/^=* *//') | $(grep -hE '^[0-9]+ success|^diff:' "$out/san/$b.$tool.out" | tail -n 1)" \
      > "$out/san/$b.$tool.sum"
  }
  if [ -z "$san" ]; then
    summary+=("sanitize: no compute-sanitizer on this machine")
  else
    "$san" --version | tail -n 1
    # SAN_JOBS processes at a time (default 1): the tool slows the device
    # code, not the host's, so several specs share the GPU well
    for s in ${SAN_SPECS:-tests/reliab_spec.lua} ${SAN_DIFF:+$(for d in $SAN_DIFF; do echo "diff:$d"; done)}; do
      if [ $((SECONDS - start)) -ge "${SAN_BUDGET:-500}" ]; then
        summary+=("sanitize $tool $s: not run (SAN_BUDGET ${SAN_BUDGET:-500} s spent)")
        continue
      fi
      while [ "$(jobs -rp | wc -l)" -ge "${SAN_JOBS:-1}" ]; do wait -n; done
      san_one "$s" &
    done
    wait
    for f in "$out"/san/*."$tool".sum; do [ -f "$f" ] && summary+=("$(cat "$f")"); done
    # the first findings of each, and whether the device was refused
    for f in "$out"/san/*."$tool".log; do
      [ -f "$f" ] || continue
      grep -hE 'Device not supported|^========= (Invalid|Race|Error|Uninitialized|Barrier)' "$f" |
        head -n 10 | sed "s|^|$(basename "$f"): |"
    done
  fi
fi
# }=====
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
# one archive of every log (the device tool brings back a few files only)
tar -C "$out" -czf /tmp/lunar-gpu-logs.tgz --exclude='*.tgz' . && rm -rf "${out:?}"/* &&
  mv /tmp/lunar-gpu-logs.tgz "$out/logs.tgz"
