#!/usr/bin/env bash
# Copies what pycaffe loads at run time into DEST, each file by its own path (DEST/opt/...), for the
# Docker image's runtime stage: the caffe package that install_caffe.sh made, libcaffe and _caffe.so, and
# the libraries they load from outside the system (PyPI's CUDA runtime, cuBLAS, cuRAND), where their
# RUNPATH looks. Not the toolkit: nvcc, headers and static libraries stay in the build stage.
#   scripts/docker_runtime_files.sh VENV DEST
set -euo pipefail
VENV=$1 DEST=$2
die() { echo "docker_runtime_files: $*" >&2; exit 1; }
copy() { mkdir -p "$DEST$(dirname "$1")" && cp -a "$1" "$DEST$1"; }

pycaffe=$("$VENV/bin/python" -c 'import os, caffe; print(os.path.dirname(os.path.dirname(caffe.__file__)))') \
  || die "'import caffe' fails in $VENV"
build=$(dirname "$pycaffe")  # install_caffe.sh's build folder: python/ and lib/ beside each other
copy "$pycaffe"
for f in "$build"/lib/*.so*; do copy "$f"; done
found=$(ldd "$build/lib/libcaffe.so" "$build/lib/_caffe.so")
if grep -q "not found" <<<"$found"; then die "unresolved libraries: $(grep 'not found' <<<"$found" | sort -u)"; fi
# outside /lib and /usr/lib: the CUDA wheels' libraries (cuBLASLt too, which cuBLAS loads), by their real files
for lib in $(awk -v build="$build/" '$2 == "=>" && $3 !~ "^/(usr/)?lib" && index($3, build) != 1 {print $3}' <<<"$found" | sort -u); do
  mkdir -p "$DEST$(dirname "$lib")" && cp -L "$lib" "$DEST$lib"
  echo "==> $lib" >&2
done
