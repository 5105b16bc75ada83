#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pack what a run on the lent GPU machine needs into .gpu/ (ignored by git):
# the lunar binary, the GPU test binaries and busted staged for a machine
# without Lua. Build first with -DLUNAR_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90.
#   .ci/gpu/pack.sh [build-dir]
# then run .ci/gpu/run.sh there with carry [".gpu"]. The parts bad,
# allocfail and sanitize need nothing more than the tests part: the tracked
# tests/ (tests/bad, tests/allocfail, the specs) travels with the working
# tree, busted is staged here, and compute-sanitizer is the machine's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${1:-build}
rm -rf .gpu && mkdir -p .gpu/bin
cp "$build/lunar" .gpu/bin/
for t in tests/test_kernels tests/test_dlpack src/backend/cuda/lunar_test_cuda_smoke bench/nccl_allreduce; do
  [ -x "$build/$t" ] && cp "$build/$t" .gpu/bin/
done
# the shared libraries lunar links that the GPU machine may lack (libzip,
# libpng, libjpeg, OpenBLAS ...); glibc's own stay the machine's
mkdir -p .gpu/bin/lib
ldd "$build/lunar" "$build/tests/test_dlpack" 2>/dev/null | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
  case $(basename "$lib") in
    libc.so*|libm.so*|libmvec.so*|ld-linux*|libpthread.so*|libdl.so*|librt.so*) ;;
    *) cp -L "$lib" .gpu/bin/lib/ ;;
  esac
done
# lunar keeps its symbols (about 200 KB in the archive), so that the host
# frames of a compute-sanitizer report (run.sh sanitize) name functions
strip .gpu/bin/test_kernels .gpu/bin/test_dlpack .gpu/bin/lunar_test_cuda_smoke 2>/dev/null || true
# the shared tools sit beside the main checkout (../shared), also when this
# is a git worktree elsewhere
main=$(dirname "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$root/.git")")
for d in "$root/../shared" "$main/../shared"; do
  if [ -f "$d/device/stage-lua-tools.sh" ]; then stage_tools=$d/device/stage-lua-tools.sh; break; fi
done
bash "${stage_tools:?no ../shared/device/stage-lua-tools.sh beside $root or $main}" .gpu/stage >/dev/null
# the differential cases, written here by Debian's NumPy as CI writes them
# (the GPU machine's NumPy is another version)
/usr/bin/python3 tests/diff/gen.py --ops src/core/lu_ops.def --out .gpu/bin/diff-cases.lua
# the data sets the examples and bench/scripts read (Debian's python3-sklearn,
# python3-skimage; camera.npy for a twin without PIL): the GPU machine has no
# Debian sklearn/skimage, so run.sh points SKLEARN_DATA and SKIMAGE_DATA here
mkdir -p .gpu/bin/data
cp /usr/lib/python3/dist-packages/sklearn/datasets/data/{digits.csv.gz,wine_data.csv,iris.csv} \
   /usr/lib/python3/dist-packages/skimage/data/camera.png .gpu/bin/data/
/usr/bin/python3 -c 'import numpy, PIL.Image as I, sys; numpy.save(sys.argv[2], numpy.asarray(I.open(sys.argv[1])))' \
  .gpu/bin/data/camera.png .gpu/bin/data/camera.npy
tar -C .gpu -cJf .gpu/pack.tar.xz bin stage
rm -rf .gpu/bin .gpu/stage
du -sh .gpu/pack.tar.xz
