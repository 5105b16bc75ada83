#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pack what a run on the lent GPU machine needs into .gpu/ (ignored by git):
# the lunar binary, the GPU test binaries and busted staged for a machine
# without Lua. Build first with -DLUNAR_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90.
#   .ci/gpu/pack.sh [build-dir]
# then run .ci/gpu/run.sh there with carry [".gpu"]. PACK_LEAN=1 leaves out
# gnuplot and the interop binaries (plot_spec then stays pending, the
# interop part says there is no shim), so that the extra binaries of
# pack-extra.sh fit beside the pack in the 64 MiB a call carries. The parts bad,
# allocfail and sanitize need nothing more than the tests part: the tracked
# tests/ (tests/bad, tests/allocfail, the specs) travels with the working
# tree, busted is staged here, and compute-sanitizer is the machine's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${1:-build}
rm -rf .gpu && mkdir -p .gpu/bin
cp "$build/lunar" .gpu/bin/
# the commit the binaries were built from (the tree pack.sh runs in; "+"
# when it has changes), which run.sh gives the bench's header: the
# working tree sent to the machine may be at another commit
c=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD 2>/dev/null || c=$c+
echo "$c" > .gpu/bin/COMMIT
lean=${PACK_LEAN:-0}
tbins="tests/test_kernels src/backend/cuda/lunar_test_cuda_smoke bench/nccl_allreduce"
[ "$lean" = 1 ] || tbins="$tbins tests/test_dlpack"
for t in $tbins; do
  [ -x "$build/$t" ] && cp "$build/$t" .gpu/bin/
done
# the DLPack shim that run.sh's interop part loads into the machine's
# Python (tests/interop: lunar with NumPy, PyTorch and CuPy); built when
# Debian's shared Lua is there (liblua5.4-dev)
shim=()
if [ "$lean" != 1 ] && [ -f "$build/tests/liblunar_dlpack_shim.so" ]; then
  shim=("$build/tests/liblunar_dlpack_shim.so")
  cp "${shim[@]}" .gpu/bin/
fi
# the shared libraries lunar links that the GPU machine may lack (libzip,
# libpng, libjpeg, OpenBLAS ...); glibc's own stay the machine's
mkdir -p .gpu/bin/lib
# OpenBLAS and LAPACKE are opened on first use (cpu_blaslib.c), not linked:
# they and what they link come by name
dl=()
for so in libopenblas.so.0 liblapacke.so.3; do
  p=$(/sbin/ldconfig -p | awk -v n="$so" '$1 == n && /x86-64/ && !p {print $NF; p = 1}')
  [ -n "$p" ] && { cp -L "$p" .gpu/bin/lib/; dl+=("$p"); }
done
ldd "$build/lunar" "$build/tests/test_dlpack" ${shim[@]+"${shim[@]}"} ${dl[@]+"${dl[@]}"} 2>/dev/null | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
  case $(basename "$lib") in
    libc.so*|libm.so*|libmvec.so*|ld-linux*|libpthread.so*|libdl.so*|librt.so*) ;;
    *) cp -L "$lib" .gpu/bin/lib/ ;;
  esac
done
# lunar keeps its symbols (about 200 KB in the archive), so that the host
# frames of a compute-sanitizer report (run.sh sanitize) name functions
strip .gpu/bin/test_kernels .gpu/bin/test_dlpack .gpu/bin/lunar_test_cuda_smoke 2>/dev/null || true
# the shim keeps its dynamic symbols (ctypes finds shim_* there)
strip --strip-unneeded .gpu/bin/liblunar_dlpack_shim.so 2>/dev/null || true
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
# gnuplot for lunar.plot (the examples' pictures, plot_spec): the GPU machine
# has none. Debian's gnuplot-nox with every shared library it needs, glibc
# and its loader included (Debian's libstdc++ and libexpat need glibc 2.36,
# which the machine's image may predate; gnuplot is a process of its own,
# so its glibc need not be lunar's), DejaVu Sans and a fontconfig file that
# names only it (pango finds no fonts and says "Fontconfig error"
# otherwise), in .gpu/bin/gnuplot. Its `gnuplot` wrapper starts it through
# the packed loader on the packed libraries (lunar and Python keep their
# own). run.sh puts it on PATH when the machine has no gnuplot.
if [ "$lean" != 1 ]; then
  gp=$(readlink -f "$(command -v gnuplot-nox || command -v gnuplot || true)")
  [ -x "$gp" ] || { echo "pack.sh: no gnuplot here; apt-get install gnuplot-nox" >&2; exit 1; }
  font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
  [ -f "$font" ] || { echo "pack.sh: no $font here; apt-get install fonts-dejavu-core" >&2; exit 1; }
  g=.gpu/bin/gnuplot
  mkdir -p "$g/lib" "$g/fonts"
  cp "$gp" "$g/gnuplot-nox"
  ldd "$gp" | awk '$3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | while read -r lib; do
    cp -L "$lib" "$g/lib/"
  done
  [ -f "$g/lib/ld-linux-x86-64.so.2" ] || { echo "pack.sh: gnuplot's loader not found by ldd" >&2; exit 1; }
  strip --strip-unneeded "$g/gnuplot-nox" "$g"/lib/*.so* 2>/dev/null || true
  cp "$font" "$g/fonts/"
  cat > "$g/fonts.conf" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir prefix="relative">fonts</dir>
  <cachedir prefix="xdg">fontcache</cachedir>
</fontconfig>
XML
  cat > "$g/gnuplot" <<'SH'
#!/bin/sh
# lunar's packed gnuplot (.ci/gpu/pack.sh): Debian's gnuplot-nox with its
# own glibc, libraries and font (its font cache goes to $d/fontcache)
case $0 in */*) d=${0%/*} ;; *) d=. ;; esac
d=$(cd "$d" && pwd) || exit 1
FONTCONFIG_FILE=$d/fonts.conf XDG_CACHE_HOME=$d exec "$d/lib/ld-linux-x86-64.so.2" \
  --library-path "$d/lib" "$d/gnuplot-nox" "$@"
SH
  chmod +x "$g/gnuplot"
fi
# -9: a 64 MB window, so that the four CUDA binaries (about 55 MB each, much
# of it the same device code) compress as one: 49 MB instead of 65 at -6
tar -C .gpu -cf - bin stage | xz -9 -T2 > .gpu/pack.tar.xz
rm -rf .gpu/bin .gpu/stage
du -sh .gpu/pack.tar.xz
