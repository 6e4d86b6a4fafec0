#!/bin/bash
# The device loop's kernels (dream/device/kernels.cu) compiled into libdream_device.so, beside a GPU
# build's pycaffe, with the nvcc and the CUDA runtime that built Caffe (so one runtime serves both).
#   scripts/build_device_kernels.sh NVCC PYCAFFE_DIR "ARCHS"
# NVCC: the toolkit's nvcc; PYCAFFE_DIR: the folder holding the build's caffe package; ARCHS: the
# compute capabilities, such as "75 80 86 89 90" (PTX for the last). -fmad=false: no multiply-add
# fused, so each kernel keeps its numpy reference's rounding (dream/device/reference.py).
# A stamp (the source's hash, nvcc, the architectures) makes a second run return at once.
set -euo pipefail
NVCC=$1 PYDIR=$2 ARCHS=$3
REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC=$REPO/dream/device/kernels.cu
OUT=$PYDIR/caffe/libdream_device.so
ROOT=$(dirname "$(dirname "$NVCC")")
STAMP="$(sha256sum "$SRC" | cut -c1-16) $NVCC $ARCHS"
if [ -f "$OUT" ] && [ "$(cat "$OUT.stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "==> device kernels already built: $OUT" >&2
  exit 0
fi
gencode=()
for arch in $ARCHS; do gencode+=(-gencode "arch=compute_$arch,code=sm_$arch"); done
last=${ARCHS##* }
gencode+=(-gencode "arch=compute_$last,code=compute_$last")
LIBDIR=$ROOT/lib64; [ -d "$LIBDIR" ] || LIBDIR=$ROOT/lib
started=$(date +%s)
# compiled by nvcc, linked by g++ against the shared runtime: nvcc's own link step asks for the static
# runtime and cudadevrt, which PyPI's CUDA 12 wheels do not have (scripts/cuda12_toolkit.sh)
"$NVCC" -O3 -fmad=false -std=c++17 -c -Xcompiler -fPIC "${gencode[@]}" -I"$ROOT/include" -o "$OUT.o" "$SRC"
g++ -shared -o "$OUT.tmp" "$OUT.o" -L"$LIBDIR" -lcudart -Wl,-rpath,"$LIBDIR"
rm -f "$OUT.o"
mv "$OUT.tmp" "$OUT"
echo "$STAMP" > "$OUT.stamp"
echo "==> device kernels built in $(( $(date +%s) - started )) s: $OUT" >&2
