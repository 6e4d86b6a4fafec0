#!/bin/bash
# A CUDA 12.4 toolkit without root, for --gpu where the driver is older than 580 (CUDA 13's minimum)
# or the GPU is a Volta (sm_70, which CUDA 13 no longer compiles for):
#   scripts/cuda12_toolkit.sh BUILD_PY DEST       (prints DEST once it holds bin/nvcc)
#
# PyPI's CUDA 12 wheels are not a compiler: nvidia-cuda-nvcc-cu12 (12.4 and 12.9 alike) holds ptxas,
# NVVM and the crt headers, but no nvcc, cicc, cudafe++, fatbinary nor nvlink (CUDA 13's wheels do).
# Those come from Debian's own package of the same release, trixie's nvidia-cuda-toolkit
# 12.4.131~12.4.1-2 (non-free: NVIDIA's licence, as the wheels'), fetched from Debian's archive by
# its sha256 and unpacked without dpkg's database; the headers, the runtime, cuBLAS and cuRAND are
# PyPI's 12.4 wheels, installed into BUILD_PY's environment. DEST is laid out as a toolkit (bin, nvvm,
# include, lib) with hard links, and an nvcc.profile of its own. No static runtime nor cudadevrt
# (the wheels have none): Caffe links the shared runtime, and the device kernels link with g++.
# CUDA 12.4 takes GCC 6 to 13 (Debian 11 and 12; Debian 13's GCC 14 is refused by nvcc).
set -euo pipefail
BUILD_PY=$1 DEST=$2
REPO=$(cd "$(dirname "$0")/.." && pwd)
DEB=nvidia-cuda-toolkit_12.4.131~12.4.1-2_amd64.deb
DEB_SHA256=cd5fe85aee38d108b315f408a688641478f2402622a10c677478eb7a6c4e5319
WHEELS="nvidia-cuda-nvcc-cu12==12.4.131 nvidia-cuda-runtime-cu12==12.4.127 nvidia-cuda-cccl-cu12==12.4.127.post1
  nvidia-cublas-cu12==12.4.5.8 nvidia-curand-cu12==10.3.5.147"
STAMP="$DEB_SHA256 $WHEELS"
if [ -x "$DEST/bin/nvcc" ] && [ "$(cat "$DEST/.dream-toolkit" 2>/dev/null)" = "$STAMP" ]; then echo "$DEST"; exit 0; fi
say() { echo "==> $*" >&2; }

"$BUILD_PY" -m pip install -q $WHEELS 2>&1 | { grep -v '^WARNING: Location' || true; } >&2
SITE=$("$BUILD_PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/nvidia
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp/deb" "$DEST.tmp/bin" "$DEST.tmp/nvvm/bin"
say "fetching Debian's nvidia-cuda-toolkit 12.4 (nvcc and its tools, 87 MB)"
"$BUILD_PY" - "$DEST.tmp/$DEB" <<PY
import sys
sys.path.insert(0, "$REPO/scripts")
from fetch_caffe_source import FetchError, fetch
try:
    data = fetch("$DEB", "$DEB_SHA256", pool="pool/non-free/n/nvidia-cuda-toolkit",
                 fallbacks=["https://snapshot.debian.org/archive/debian/20251001T000000Z"])
except FetchError as e:
    sys.exit(f"cuda12_toolkit: {e}")
open(sys.argv[1], "wb").write(data)
PY
dpkg-deb -x "$DEST.tmp/$DEB" "$DEST.tmp/deb"
for package in cuda_nvcc cuda_runtime cuda_cccl cublas curand; do  # hard links, or copies across filesystems
  cp -rlf "$SITE/$package/." "$DEST.tmp/" 2>/dev/null || cp -rf "$SITE/$package/." "$DEST.tmp/"
done
D=$DEST.tmp/deb/usr
cp "$D"/lib/nvidia-cuda-toolkit/bin/nvcc "$D"/bin/{cudafe++,fatbinary,nvlink,ptxas,bin2c,nvprune,cuobjdump} "$DEST.tmp/bin/"
cp -r "$D"/lib/nvidia-cuda-toolkit/bin/crt "$DEST.tmp/bin/"
cp "$D"/lib/nvidia-cuda-toolkit/bin/cicc "$DEST.tmp/nvvm/bin/"
rm -rf "$DEST.tmp/deb" "$DEST.tmp/$DEB"
# the wheels' own layout: headers and libraries at the top, not under targets/x86_64-linux
cat > "$DEST.tmp/bin/nvcc.profile" <<'PROFILE'
TOP              = $(_HERE_)/..
CICC_PATH        = $(TOP)/nvvm/bin
NVVMIR_LIBRARY_DIR = $(TOP)/nvvm/libdevice
LD_LIBRARY_PATH += $(TOP)/lib:
PATH            += $(CICC_PATH):$(_HERE_):
INCLUDES        +=  "-I$(TOP)/include" $(_SPACE_)
LIBRARIES        =+ $(_SPACE_) "-L$(TOP)/lib"
PROFILE
for lib in cudart cublas cublasLt curand; do  # FindCUDA looks for the unversioned names
  ln -sfn "$(basename "$(ls "$DEST.tmp"/lib/lib$lib.so.* | head -1)")" "$DEST.tmp/lib/lib$lib.so"
done
"$DEST.tmp/bin/nvcc" --version | grep -q "release 12.4" || { echo "cuda12_toolkit: the assembled nvcc does not run" >&2; exit 1; }
echo "$STAMP" > "$DEST.tmp/.dream-toolkit"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "$DEST"
