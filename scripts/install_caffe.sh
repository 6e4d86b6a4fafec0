#!/usr/bin/env bash
# Builds BVLC Caffe (Debian's bullseye source: commit 99bd997 plus Debian's
# patches) against this machine's libraries and installs pycaffe into the
# project's virtual environment.
#
#   scripts/install_caffe.sh          CPU-only build (what CI uses)
#   scripts/install_caffe.sh --gpu    CUDA build: a system CUDA toolkit with cuBLAS and cuRAND, else
#                                     PyPI's CUDA 13.0 wheels (a newer compiler for glibc 2.43, GCC 16) in the
#                                     build's own venv (no root needed for CUDA); CUDA 12.4 for drivers
#                                     older than 580 and Volta (CUDA_MAJOR); it also runs on the CPU
#   scripts/install_caffe.sh --stock  upstream Caffe for comparison (benchmarks/bench_stock.py):
#                                     only the patches below that stock needs, no OpenMP,
#                                     BLIS's pthread variant; built beside the others and
#                                     not installed into the venv (prints its pycaffe folder)
#
# Environment:
#   DREAM_VENV    virtual environment to install into   (default: <repo>/.venv)
#   DREAM_PYTHON  instead, an interpreter to install into as it is, with no virtual environment: a
#                 notebook's own Python (notebooks/colab.ipynb). Its pip must be free to install, as
#                 Colab's is (Debian's own python3 refuses: PEP 668's EXTERNALLY-MANAGED)
#   DREAM_CACHE   build cache, kept outside the repo     (default: ~/.cache/dream)
#   PYTHON        interpreter the venv is created from   (default: python3)
#   JOBS          parallel compile jobs                  (default: nproc)
#   CUDA_ARCH     --gpu: GPU architectures to compile for (default: "75 80 86 89 90", Turing to
#                 Hopper, plus PTX for the last one, which newer GPUs compile when loading; with
#                 CUDA 12, "70 75 80 86 89 90", Volta first)
#   CUDA_FROM     --gpu: "system" or "pypi" toolkit      (default: system if complete, else pypi)
#   CUDNN         --gpu: 1 for cuDNN 9's convolutions (patches/cudnn; PyPI's nvidia-cudnn-cu13, CUDA 13
#                 only), in a build folder of its own; not the default until a GPU has measured it
#   CUDA_MAJOR    --gpu from PyPI: 13, or 12 (CUDA 12.4: scripts/cuda12_toolkit.sh) for a driver
#                 older than 580 or a Volta GPU (default: 12 where nvidia-smi reports a driver older
#                 than 580 or CUDA_ARCH names an architecture older than 75, else 13)
#
#   --build-only  build (or find) it and print its pycaffe folder, leaving the venv's pycaffe alone
#                 (as --stock always does): for PYTHONPATH, as scripts/test_gpu_build.sh uses it
#   --prefix [DIR]  no root, no apt-get install: the build dependencies' Debian packages are fetched
#                 with apt-get download and unpacked with dpkg -x into DIR (default ~/.cache/dream/prefix);
#                 the system needs only a compiler, make, cmake and python3-venv. DIR may instead be a
#                 conda environment ($CONDA_PREFIX, environment.yml): its libraries are used as they are.
#                 pycaffe finds the libraries through the RPATH it is linked with, not LD_LIBRARY_PATH.
#
# Idempotent: a second run finds the stamp and the importable module and exits.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${DREAM_VENV:-$REPO/.venv}  # in a conda environment: DREAM_VENV=$CONDA_PREFIX
CACHE=${DREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dream}
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
SRC_VERSION=1.0.0+git20180821.99bd997
VARIANT=cpu
BUILD_ONLY=""
PREFIX=""

die() { echo "install_caffe: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) VARIANT=gpu ;;
    --stock) VARIANT=stock BUILD_ONLY=1 ;;
    --build-only) BUILD_ONLY=1 ;;
    --prefix=*) PREFIX=$(realpath -m "${1#--prefix=}") ;;
    --prefix) PREFIX=${DREAM_PREFIX:-$CACHE/prefix}
              if [ $# -gt 1 ] && [[ "$2" != -* ]]; then PREFIX=$(realpath -m "$2"); shift; fi ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  shift
done

BUILD=$CACHE/caffe-build-$VARIANT
STAMP=$BUILD/.dream-built

# Every change to Caffe's source is a patch file here, applied in name order; what each one
# does and why is written at its top.
PATCHES=("$REPO"/scripts/patches/*.patch)
SRC=$CACHE/caffe-src/caffe-$SRC_VERSION
if [ "$VARIANT" = stock ]; then
  # Stock: what upstream needs to compile here (protobuf), and the elementwise axpy, which
  # belongs to the BLAS configuration since tiling (BLIS's vector axpy rounds by position): it
  # changes numbers, not speed, and without it no build could match this one bit for bit.
  # Boost's two are what upstream needs to configure and import with Boost 1.92 (Debian 14).
  PATCHES=("$REPO"/scripts/patches/01-protobuf-3.20.patch "$REPO"/scripts/patches/02-elementwise-axpy.patch
           "$REPO"/scripts/patches/12-boost-system-header-only.patch
           "$REPO"/scripts/patches/13-pycaffe-numpy-api-first.patch)
  SRC=$SRC-stock
fi
if [ "$VARIANT" = gpu ]; then
  # The CUDA build's own fixes (patches/cuda/: CUDA 13, and a build without the Python layer), on
  # a source copy of its own: the CPU build's source stays as its patches make it.
  PATCHES+=("$REPO"/scripts/patches/cuda/*.patch)
  SRC=$SRC-cuda
  case "${CUDNN:-0}" in
    1) PATCHES+=("$REPO"/scripts/patches/cudnn/*.patch); SRC=$SRC-cudnn ;;
    0) ;;
    *) die "CUDNN must be 0 or 1 (got '$CUDNN')" ;;
  esac
fi
PATCH_NAMES=$(for p in "${PATCHES[@]}"; do basename "$p" .patch; done | tr '\n' ' ' | sed 's/ $//')
PATCHES_ID=$(cat "${PATCHES[@]}" | sha1sum | cut -c1-12)

# BLAS: BLIS, not OpenBLAS. BLIS computes every element of a matrix product the same
# way wherever it sits in the matrix and however wide the matrix is (edge blocks go
# through the same micro-kernel), so a tile's gradient equals the whole image's bit for
# bit (dream/engine/tiles.py). OpenBLAS's Haswell, Zen and generic kernels, and its threads'
# split of the columns, round columns differently with the matrix's width.
# Caffe finds it through its OpenBLAS module: BLIS provides the same cblas.h interface.
# The OpenMP variant: the layers' OpenMP loops (scripts/patches/05-openmp-layers.patch) and
# the BLAS then share one thread pool. Linked by its folder (RUNPATH), whatever the alternatives say.
# Stock has no OpenMP, so it gets the pthread variant (Debian's usual threading).
MULTIARCH=$(uname -m)-linux-gnu
BLIS_DIR=$MULTIARCH/blis-openmp
LINK_FLAGS=-fopenmp
if [ "$VARIANT" = stock ]; then BLIS_DIR=$MULTIARCH/blis-pthread LINK_FLAGS=""; fi

# Where the libraries are: the system's (/usr), Debian packages unpacked into a prefix (PREFIX/usr,
# the same layout), or a conda environment (PREFIX/lib, PREFIX/include, BLIS's headers in include/blis).
LAYOUT=system USR=/usr
if [ -n "$PREFIX" ] && [ -d "$PREFIX/conda-meta" ]; then LAYOUT=conda USR=$PREFIX
elif [ -n "$PREFIX" ]; then LAYOUT=prefix USR=$PREFIX/usr; fi
if [ "$LAYOUT" = conda ]; then
  LIBDIR=$USR/lib BLIS_INCLUDE=$USR/include/blis BLIS_LIB=$USR/lib/libblis.so
else
  LIBDIR=$USR/lib/$MULTIARCH BLIS_INCLUDE=$USR/include/$BLIS_DIR BLIS_LIB=$USR/lib/$BLIS_DIR/libblis.so
fi
if [ "$LAYOUT" != system ]; then
  # Every library folder of the prefix, as RPATH (--disable-new-dtags: DT_RPATH, which also serves the
  # libraries' own dependencies, e.g. HDF5's libsz; DT_RUNPATH would serve only pycaffe's direct ones).
  RPATH=$LIBDIR:$(dirname "$BLIS_LIB")
  if [ "$LAYOUT" = prefix ]; then RPATH=$RPATH:$LIBDIR/hdf5/serial:$PREFIX/lib/$MULTIARCH; fi
  LINK_FLAGS="$LINK_FLAGS -Wl,--disable-new-dtags -Wl,-rpath,$RPATH"
fi
OPENMP_FLAGS=(-DCMAKE_SHARED_LINKER_FLAGS="$LINK_FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LINK_FLAGS")

# The CMake configuration; the stamp records it, and another one rebuilds.
configure_args() {  # needs PY, BUILD_PY, PYVER
  cmake_args=(
    -DCMAKE_BUILD_TYPE=Release -DBLAS=Open -Dpython_version=3
    -DOpenBLAS_INCLUDE_DIR="$BLIS_INCLUDE" -DOpenBLAS_LIB="$BLIS_LIB"
    -DUSE_OPENCV=OFF -DUSE_LEVELDB=OFF -DUSE_LMDB=OFF -DBUILD_docs=OFF
    "${OPENMP_FLAGS[@]}"
    -DPYTHON_EXECUTABLE="$BUILD_PY"
    -DPYTHON_INCLUDE_DIR="$(python_include)"
  )
  if [ "$LAYOUT" != system ]; then
    # The prefix first for every find_package, protoc from it, and HDF5 by its files: its h5cc wrapper
    # would answer with the system paths it was built for.
    cmake_args+=(-DCMAKE_PREFIX_PATH="$USR" -DProtobuf_PROTOC_EXECUTABLE="$USR/bin/protoc"
                 -DPROTOBUF_PROTOC_EXECUTABLE="$USR/bin/protoc" -DHDF5_C_COMPILER_EXECUTABLE=/bin/false
                 -DBoost_NO_SYSTEM_PATHS=ON -DBOOST_ROOT="$USR")
  fi
  if [ "$LAYOUT" = prefix ]; then
    # HDF5 2's CMake package file (Debian 14) includes its targets file by the absolute path it was
    # packaged for, /usr/lib/...: in a prefix, a file that is not there. FindHDF5 then finds the
    # libraries by their files, as it did with the HDF5 1.x packages, which had no such file.
    cmake_args+=(-DHDF5_NO_FIND_PACKAGE_CONFIG_FILE=ON)
  fi
  if [ "$VARIANT" = gpu ]; then
    # No cuDNN: Caffe's cuDNN code predates cuDNN 8's API.
    # Manual: Caffe's other modes compare CUDA versions as text ("13.0" < "9.0") and know no GPU
    # newer than Pascal.
    CUDA_ROOT=$SYSTEM_CUDA
    if [ "$CUDA_FROM" = pypi ] && [ "$CUDA_MAJOR" = 12 ]; then
      CUDA_ROOT=${BUILD_VENV:-$CACHE}/cuda-12.4
    elif [ "$CUDA_FROM" = pypi ]; then
      CUDA_ROOT=$("$BUILD_PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || echo "$BUILD_PY-site")/nvidia/cu13
    fi
    # No Python layer (dream defines none): libcaffe then needs no libpython nor Boost.Python, so
    # one libcaffe serves any Python; only _caffe.so is built for each (scripts/gpu_check.sh).
    local cudnn=(-DUSE_CUDNN=OFF)
    if [ "${CUDNN:-0}" = 1 ]; then
      # PyPI's cuDNN 9 (nvidia-cudnn-cu13) beside the CUDA wheels; its library by its versioned name
      local cudnn_dir
      cudnn_dir=$("$BUILD_PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || echo "$BUILD_PY-site")/nvidia/cudnn
      cudnn=(-DUSE_CUDNN=ON -DCUDNN_INCLUDE="$cudnn_dir/include" -DCUDNN_LIBRARY="$cudnn_dir/lib/libcudnn.so.9")
    fi
    cmake_args+=(-DCPU_ONLY=OFF "${cudnn[@]}" -DCUDA_TOOLKIT_ROOT_DIR="$CUDA_ROOT"
                 -DCUDA_ARCH_NAME=Manual -DCUDA_ARCH_BIN="$CUDA_ARCH" -DCUDA_ARCH_PTX="$CUDA_PTX"
                 -DCUDA_NVCC_FLAGS=-std=c++17 -DCMAKE_CXX_FLAGS=-fopenmp -DBUILD_python_layer=OFF)
  elif [ "$VARIANT" = stock ]; then
    cmake_args+=(-DCPU_ONLY=ON)
  else
    cmake_args+=(-DCPU_ONLY=ON -DCMAKE_CXX_FLAGS=-fopenmp)
  fi
  # CMake 4 refuses a project that asks for policies older than 3.5, as Caffe's cmake_minimum_required
  # (2.8.7) does; this is CMake's own way to build such a project. Older CMakes get nothing: their
  # configuration stays as it was.
  if [ "$(cmake --version | awk 'NR==1{split($3, v, "."); print v[1]}')" -ge 4 ]; then
    cmake_args+=(-DCMAKE_POLICY_VERSION_MINIMUM=3.5)
  fi
  BUILD_ID="$SRC_VERSION $PATCH_NAMES $PATCHES_ID ${cmake_args[*]}"
}

# --- CUDA (--gpu) -------------------------------------------------------------
# The toolkit is the system's (CUDA_HOME, else the nvcc on PATH) when it has nvcc, the runtime,
# cuBLAS and cuRAND, as CUDA's devel images do. Otherwise it is PyPI's CUDA 13.0 wheels, installed
# into the build venv (nothing system-wide): one folder, nvidia/cu13, laid out as a toolkit.
# 13.0 is pinned: it is what a driver >= 580 runs, and what the lent GPU machines have.
CUDA_WHEELS="nvidia-cuda-nvcc==13.0.88 nvidia-nvvm==13.0.88 nvidia-cuda-crt==13.0.88
  nvidia-cuda-runtime==13.0.96 nvidia-cuda-cccl==13.0.85 nvidia-cublas==13.0.2.14 nvidia-curand==10.4.0.35"
# A newer system needs a newer compiler: nvcc, NVVM, their headers (crt, cccl) and the runtime, whose
# headers CCCL requires to be the compiler's own. cuBLAS and cuRAND stay 13.0's, whose numbers the
# GPU runs were checked with. A newer 13.x runtime needs no newer driver (>= 580: CUDA's minor
# version compatibility), not tried on a GPU.
# - glibc 2.43 (Debian 14, Ubuntu 26.04) declares rsqrt in math.h, which CUDA 13.0's and 13.1's own
#   declarations contradict: 13.2's headers agree with it;
# - GCC 16 (Debian 14's g++) is refused by nvcc before 13.4 ("gcc versions later than 15 are not
#   supported"): 13.4 takes it.
# Chosen when the wheels are installed, after apt has installed g++ on a fresh system.
at_least() { [ -n "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }
choose_cuda_wheels() {
  local glibc gcc_major
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)
  gcc_major=$(g++ -dumpversion 2>/dev/null | cut -d. -f1 || true)
  if at_least 16 "$gcc_major"; then
    CUDA_WHEELS="nvidia-cuda-nvcc==13.4.92 nvidia-nvvm==13.4.92 nvidia-cuda-crt==13.4.92
      nvidia-cuda-runtime==13.4.92 nvidia-cuda-cccl==13.3.5.0.6 nvidia-cublas==13.0.2.14 nvidia-curand==10.4.0.35"
  elif at_least 2.43 "$glibc"; then
    CUDA_WHEELS="nvidia-cuda-nvcc==13.2.86 nvidia-nvvm==13.2.86 nvidia-cuda-crt==13.2.86
      nvidia-cuda-runtime==13.2.86 nvidia-cuda-cccl==13.2.86 nvidia-cublas==13.0.2.14 nvidia-curand==10.4.0.35"
  fi
}
cuda_complete() {  # $1: a toolkit root; true if it has all the build needs
  [ -n "$1" ] && [ -x "$1/bin/nvcc" ] && [ -f "$1/include/cuda_runtime.h" ] || return 1
  local lib
  for lib in cudart cublas curand; do
    [ -e "$1/lib64/lib$lib.so" ] || [ -e "$1/lib/lib$lib.so" ] || return 1
  done
}
# PyPI's CUDA: 13 for a driver >= 580 (and where no driver answers: a machine that builds for
# another); 12 where the driver is older, whose CUDA 13 runtime would refuse to start, and for Volta
# (sm_70), which CUDA 13 no longer compiles for. A system toolkit is used as it is, whatever its version.
pypi_cuda_major() {
  local driver arch
  if [ "${CUDA_MAJOR:-auto}" != auto ]; then echo "$CUDA_MAJOR"; return; fi
  for arch in ${CUDA_ARCH:-}; do
    if [ "$arch" -lt 75 ]; then echo 12; return; fi
  done
  driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1 || true)
  if [ -n "$driver" ] && ! at_least 580 "${driver%%.*}"; then echo 12; else echo 13; fi
}
if [ "$VARIANT" = gpu ]; then
  case "${CUDA_MAJOR:-auto}" in 12|13|auto) ;; *) die "CUDA_MAJOR must be 12 or 13 (got '$CUDA_MAJOR')" ;; esac
  [ -z "${CUDA_ARCH:-}" ] || [[ "$CUDA_ARCH" =~ ^[0-9]+( [0-9]+)*$ ]] \
    || die "CUDA_ARCH must be numbers separated by spaces, such as '80 90' (got '$CUDA_ARCH')"
  SYSTEM_CUDA=${CUDA_HOME:-}
  if [ -z "$SYSTEM_CUDA" ] && command -v nvcc >/dev/null; then
    SYSTEM_CUDA=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
    [ -f "$SYSTEM_CUDA/include/cuda_runtime.h" ] || SYSTEM_CUDA=/usr/local/cuda  # nvcc may be a wrapper
  fi
  case "${CUDA_FROM:-auto}" in
    system) cuda_complete "$SYSTEM_CUDA" || die "CUDA_FROM=system, but '$SYSTEM_CUDA' lacks nvcc, the CUDA runtime, cuBLAS or cuRAND"
            CUDA_FROM=system ;;
    pypi) ;;
    auto) if cuda_complete "$SYSTEM_CUDA"; then CUDA_FROM=system; else CUDA_FROM=pypi; fi ;;
    *) die "CUDA_FROM must be system or pypi (got '$CUDA_FROM')" ;;
  esac
  if [ "$CUDA_FROM" = system ]; then
    CUDA_MAJOR=$("$SYSTEM_CUDA/bin/nvcc" --version 2>/dev/null | sed -n 's/.*release \([0-9]*\)\..*/\1/p' | head -1)
  else
    CUDA_MAJOR=$(pypi_cuda_major)
  fi
  # Turing to Hopper, and Volta with PyPI's CUDA 12 (a system toolkit keeps the default it had). PTX for
  # the last, which a newer GPU (Blackwell) compiles when loading.
  if [ "$CUDA_FROM" = pypi ] && [ "$CUDA_MAJOR" = 12 ]; then
    CUDA_ARCH=${CUDA_ARCH:-70 75 80 86 89 90}
    BUILD=$CACHE/caffe-build-gpu-cu12-${CUDA_ARCH// /-}
  else
    CUDA_ARCH=${CUDA_ARCH:-75 80 86 89 90}
    BUILD=$CACHE/caffe-build-gpu-${CUDA_ARCH// /-}
  fi
  CUDA_PTX=${CUDA_ARCH##* }
  if [ "${CUDNN:-0}" = 1 ]; then
    [ "$CUDA_MAJOR" = 13 ] || die "CUDNN=1 is for CUDA 13 (PyPI's nvidia-cudnn-cu13); this toolkit is CUDA ${CUDA_MAJOR:-of an unknown version}"
    BUILD=$BUILD-cudnn
  fi
  STAMP=$BUILD/.dream-built
fi
# a build against a prefix or a conda environment gets a folder of its own, beside the system's
if [ "$LAYOUT" != system ]; then BUILD=$BUILD-$LAYOUT; STAMP=$BUILD/.dream-built; fi

# PyPI's toolkit, in the build venv. FindCUDA looks for unversioned libraries (libcudart.so), which
# the wheels do not ship: they get links beside the versioned ones.
CUDNN_WHEEL="nvidia-cudnn-cu13==9.13.0.50"  # 349 MB; cuDNN 9.13, as PyTorch's CUDA 13 wheels have it
cuda_from_pypi() {
  if [ "$CUDA_MAJOR" = 12 ]; then
    "$REPO/scripts/cuda12_toolkit.sh" "$BUILD_PY" "$CUDA_ROOT" >/dev/null || die "could not assemble the CUDA 12.4 toolkit"
    return
  fi
  choose_cuda_wheels
  pipq "$BUILD_PY" $CUDA_WHEELS
  [ -x "$CUDA_ROOT/bin/nvcc" ] || die "PyPI's CUDA wheels did not give $CUDA_ROOT/bin/nvcc"
  local lib
  for lib in cudart cublas cublasLt curand; do
    ln -sfn "$(basename "$(ls "$CUDA_ROOT"/lib/lib$lib.so.* | head -1)")" "$CUDA_ROOT/lib/lib$lib.so"
  done
}

# Python's headers: the interpreter's own, else (a prefix without root) libpython3.X-dev's in the prefix
python_include() {
  local inc
  inc=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  if [ ! -f "$inc/Python.h" ] && [ "$LAYOUT" = prefix ]; then inc=$USR/include/$(basename "$inc"); fi
  echo "$inc"
}

# protoc_at_least 3.19 "libprotoc 3.12.4": true if the version is at least the first
protoc_at_least() {
  [ "$(printf '%s\n%s\n' "$1" "${2##* }" | sort -V | head -1)" = "$1" ]
}

# Where the venv's 'import caffe' comes from (the folder holding the caffe package).
caffe_home() {
  "$PY" -c 'import os, caffe; print(os.path.dirname(os.path.dirname(os.path.abspath(caffe.__file__))))'
}

# The device loop's kernels beside a GPU build's pycaffe (seconds; a stamp skips them after). A build
# whose nvcc has gone since (the build venv removed) still serves; the device loop then says so. So does
# one made where only this script and its patches are (the Dockerfile's build stage copies no more, so
# that a code change does not rebuild Caffe): the kernels' source is dream/device/kernels.cu.
device_kernels() {
  [ "$VARIANT" = gpu ] || return 0
  if [ ! -f "$REPO/scripts/build_device_kernels.sh" ] || [ ! -f "$REPO/dream/device/kernels.cu" ]; then
    say "no dream/device/kernels.cu here: the device loop's kernels are not built"
  elif [ -x "$CUDA_ROOT/bin/nvcc" ]; then
    "$REPO/scripts/build_device_kernels.sh" "$CUDA_ROOT/bin/nvcc" "$1" "$CUDA_ARCH" || die "the device loop's kernels failed to compile"
  else
    say "no nvcc in $CUDA_ROOT: the device loop's kernels are not built"
  fi
}

# --- fast path: already built with this configuration and importable ---------
PY=${DREAM_PYTHON:-$VENV/bin/python}
# The build's Python: a venv of its own in the cache, so that its CMake configuration (which records
# the interpreter) is the same for every clone and venv: no rebuilds. An interpreter installed into
# as it is (DREAM_PYTHON) builds with itself: a notebook's Python may have no venv module.
set_build_python() {
  BUILD_VENV=$CACHE/build-venv-py$PYVER BUILD_PY=$CACHE/build-venv-py$PYVER/bin/python
  if [ -n "${DREAM_PYTHON:-}" ]; then BUILD_VENV="" BUILD_PY=$DREAM_PYTHON; fi
}
if [ -x "$PY" ]; then
  PYVER=$("$PY" -c 'import sys; print("%d%d" % sys.version_info[:2])')
  set_build_python
  configure_args
  if [ -n "$BUILD_ONLY" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$BUILD_ID" ] \
     && [ "$(cat "$BUILD/python/caffe/dream_build.txt" 2>/dev/null)" = "$BUILD_ID" ]; then
    device_kernels "$BUILD/python"
    say "$VARIANT pycaffe already built: PYTHONPATH=$BUILD/python"
    echo "$BUILD/python"
    exit 0
  fi
  if [ "$(cat "$STAMP" 2>/dev/null)" = "$BUILD_ID" ] && [ "$(caffe_home 2>/dev/null)" = "$BUILD/python" ]; then
    device_kernels "$BUILD/python"
    say "pycaffe ($VARIANT) already installed for $PY"
    exit 0
  fi
fi

# --- supported systems ------------------------------------------------------
. /etc/os-release 2>/dev/null || true
if [ "$LAYOUT" != conda ]; then
  case "${ID:-}:${ID_LIKE:-}" in
    debian:*|ubuntu:*|*:*debian*) ;;
    *) die "this script builds on Debian 11 to 14 and Ubuntu 22.04 to 26.04 (found '${PRETTY_NAME:-unknown}').
Elsewhere use conda: conda env create -f environment.yml, then scripts/setup.sh --prefix \"\$CONDA_PREFIX\"" ;;
  esac
  command -v apt-get >/dev/null || die "apt-get not found; use conda instead: conda env create -f environment.yml"
fi

# --- build dependencies -----------------------------------------------------
# (no libboost-system-dev: Boost.System is header-only, scripts/patches/12-boost-system-header-only.patch)
LIB_PKGS="libboost-thread-dev libboost-filesystem-dev libboost-python-dev
  libprotobuf-dev protobuf-compiler libgoogle-glog-dev libgflags-dev
  libhdf5-dev libblis-openmp-dev"
if [ "$VARIANT" = stock ]; then LIB_PKGS="$LIB_PKGS libblis-pthread-dev"; fi
if [ "$LAYOUT" = system ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install build dependencies with apt-get; without: scripts/setup.sh --prefix"
    SUDO=sudo
  fi
  PKGS="patch cmake g++ make $LIB_PKGS"
  # (dpkg-query exits non-zero when a package is unknown: exactly the case we look for)
  missing=$({ dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null || true; } \
            | awk '$NF=="installed"{print $1}' | sort | comm -13 - <(tr -s ' \n' '\n' <<<"$PKGS" | sed '/^$/d' | sort))
  if [ -n "$missing" ]; then
    say "installing build dependencies: $(echo $missing)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
else
  for tool in g++ make cmake; do
    command -v $tool >/dev/null || die "--prefix needs $tool on the system (Debian: build-essential and cmake; ask an administrator, or use conda's compilers: environment.yml)"
  done
fi
if [ "$LAYOUT" = prefix ]; then "$REPO/scripts/unpack_debs.sh" "$PREFIX" $LIB_PKGS; fi
PROTOC=$(command -v protoc || true) BUILD_ENV=()
if [ "$LAYOUT" != system ]; then
  # The prefix's protoc finds its libprotoc this way, for the build's tools only: pycaffe has its RPATH,
  # and the import check below runs without it.
  PROTOC=$USR/bin/protoc BUILD_ENV=(env LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
fi

# --- the Python environment --------------------------------------------------
if [ -z "${DREAM_PYTHON:-}" ]; then "$REPO/scripts/make_venv.sh" "$VENV" "$PYTHON"; fi
[ -x "$PY" ] || die "DREAM_PYTHON=$PY is not an interpreter"
PYVER=$("$PY" -c 'import sys; print("%d%d" % sys.version_info[:2])')
ls "$LIBDIR"/libboost_python"$PYVER".so >/dev/null 2>&1 \
  || die "Boost.Python for Python ${PYVER:0:1}.${PYVER:1} not found in $LIBDIR: the venv's Python must match the system's libboost-python (set PYTHON=/usr/bin/python3), or use conda: conda env create -f environment.yml"
# import caffe needs numpy, protobuf, six and scikit-image (caffe.io)
pipq() { "$1" -m pip install -q "${@:2}" 2>&1 | { grep -v '^WARNING: Location' || true; } >&2; }
pipq "$PY" numpy "protobuf>=3.20" six scikit-image

set_build_python
if [ -n "$BUILD_VENV" ] && [ ! -x "$BUILD_PY" ]; then
  "$("$PY" -c 'import sys; print(sys._base_executable)')" -m venv "$BUILD_VENV"
fi
pipq "$BUILD_PY" numpy

# --- source: Debian's bullseye package --------------------------------------
# Fetched once (scripts/fetch_caffe_source.py: Debian's main mirror, else its archive, else its
# snapshots, every file checked by sha256), kept pristine in $ORIG. $SRC is a copy with
# scripts/patches applied, remade whenever the patches change (they are part of BUILD_ID, so that
# also rebuilds).
ORIG=$CACHE/caffe-src/pristine/caffe-$SRC_VERSION
if [ ! -d "$ORIG" ]; then
  say "fetching caffe $SRC_VERSION source from Debian (bullseye)"
  "$PY" "$REPO/scripts/fetch_caffe_source.py" "$ORIG" || die "could not fetch Caffe's source"
fi
apply_patch() {  # patch(1) where there is one (apt installs it), else git apply (a system without root)
  if command -v patch >/dev/null; then patch -d "$1" -p1 --forward -s < "$2"
  else (cd "$1" && GIT_CEILING_DIRECTORIES=$(dirname "$1") git apply -p1 "$2"); fi
}
if [ "$(cat "$SRC/.dream-patches" 2>/dev/null)" != "$PATCHES_ID" ]; then
  say "applying scripts/patches to the caffe source: $PATCH_NAMES"
  rm -rf "$SRC" "$SRC.tmp"
  cp -r "$ORIG" "$SRC.tmp"
  for p in "${PATCHES[@]}"; do
    apply_patch "$SRC.tmp" "$p" || die "$(basename "$p") did not apply to the caffe source"
  done
  echo "$PATCHES_ID" > "$SRC.tmp/.dream-patches"
  mv "$SRC.tmp" "$SRC"
fi

# --- build --------------------------------------------------------------------
configure_args
if [ "$VARIANT" = gpu ] && [ "$CUDA_FROM" = pypi ]; then cuda_from_pypi; fi
if [ "$VARIANT" = gpu ] && [ "${CUDNN:-0}" = 1 ]; then pipq "$BUILD_PY" --no-deps "$CUDNN_WHEEL"; fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$BUILD_ID" ]; then
  say "building caffe ($VARIANT) in $BUILD with $JOBS jobs (several minutes)"
  # a build folder made from another source folder (an older layout of this cache): CMake refuses it
  if [ -f "$BUILD/CMakeCache.txt" ] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$SRC" "$BUILD/CMakeCache.txt"; then
    rm -rf "$BUILD"
  fi
  mkdir -p "$BUILD"
  rm -f "$STAMP"
  "${BUILD_ENV[@]}" cmake -S "$SRC" -B "$BUILD" "${cmake_args[@]}" >"$BUILD/cmake.log" 2>&1 \
    || { tail -30 "$BUILD/cmake.log" >&2; die "cmake failed; full log: $BUILD/cmake.log"; }
  # The whole log to make.log; its progress to stderr at every tenth, so that minutes of building
  # show they are moving (a notebook cell prints nothing else meanwhile)
  "${BUILD_ENV[@]}" make -C "$BUILD" -j"$JOBS" caffe pycaffe 2>&1 | tee "$BUILD/make.log" \
    | awk 'match($0, /^\[ *[0-9]+%\]/) { p = int(substr($0, 2, RLENGTH - 3) / 10) * 10
             if (p > shown) { shown = p; printf "==> caffe build: %d%%\n", p > "/dev/stderr"; fflush("/dev/stderr") } }' \
    || { tail -30 "$BUILD/make.log" >&2; die "build failed; full log: $BUILD/make.log"; }
  echo "$BUILD_ID" > "$STAMP"
else
  say "caffe ($VARIANT) already built in $BUILD"
fi

# --- install pycaffe into the venv -------------------------------------------
# Caffe's build links python/caffe/_caffe.so inside the shared source tree, so each
# variant (cpu, gpu) gets its own copy of the package beside its build, and a .pth
# file points the venv there.
PYDIR=$BUILD/python
rm -rf "$PYDIR.tmp"
mkdir -p "$PYDIR.tmp"
cp -r "$SRC/python/caffe" "$PYDIR.tmp/caffe"
# caffe_pb2.py from this build: CMake copies it into the source tree only when it builds, and a
# source folder made anew beside a finished build (its stamp found) has none
mkdir -p "$PYDIR.tmp/caffe/proto"
cp "$BUILD/include/caffe/proto/caffe_pb2.py" "$PYDIR.tmp/caffe/proto/"
# A protoc older than 3.19 (Debian 11, Ubuntu 22.04: 3.12) writes a caffe_pb2.py that today's protobuf
# refuses ("Descriptors cannot be created directly"). The C++ side keeps the system's protoc (it must
# match libprotobuf); the Python side is generated again by protoc 3.21.12, the one in grpcio-tools
# 1.53.2 (in the build venv only), whose output Debian 12's own protoc gives too and which protobuf
# 4.21 to 7.x load. (Pinning protobuf <= 3.20.3 in the venv instead would hold back every other package.)
PROTOC_VERSION=$("${BUILD_ENV[@]}" "$PROTOC" --version)
if ! protoc_at_least 3.19 "$PROTOC_VERSION"; then
  say "protoc ${PROTOC_VERSION##* } is older than 3.19: caffe_pb2.py from grpcio-tools' protoc 3.21.12"
  pipq "$BUILD_PY" grpcio-tools==1.53.2
  rm -rf "$BUILD/pb2-3.21" && mkdir -p "$BUILD/pb2-3.21"
  "$BUILD_PY" -m grpc_tools.protoc -I "$SRC/src" --python_out="$BUILD/pb2-3.21" \
    "$SRC/src/caffe/proto/caffe.proto" || die "grpcio-tools' protoc could not compile caffe.proto"
  cp "$BUILD/pb2-3.21/caffe/proto/caffe_pb2.py" "$PYDIR.tmp/caffe/proto/"
fi
touch "$PYDIR.tmp/caffe/proto/__init__.py"
ln -sf "$BUILD/lib/_caffe.so" "$PYDIR.tmp/caffe/_caffe.so"
echo "$BUILD_ID" > "$PYDIR.tmp/caffe/dream_build.txt"  # what dream/network/memory.py reads
rm -rf "$PYDIR"
mv "$PYDIR.tmp" "$PYDIR"
device_kernels "$PYDIR"
if [ -n "$BUILD_ONLY" ]; then  # for comparison or a test: the venv keeps its build
  say "$VARIANT pycaffe built: PYTHONPATH=$PYDIR"
  echo "$PYDIR"
  exit 0
fi
SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$PYDIR" > "$SITE/dream-caffe.pth"
if [ "$(caffe_home 2>/dev/null)" != "$PYDIR" ]; then
  # The first error, not Caffe's retry of it (caffe/io.py catches a failed caffe_pb2 and tries again)
  # (a crash ends the import with a signal and no message: said as such)
  first=$(cd / && "$PY" -c "import sys; sys.path.insert(0, '$PYDIR'); import caffe.proto.caffe_pb2; import caffe" 2>&1 | tail -1) \
    || { rc=$?; if [ $rc -gt 128 ]; then first="it crashed (signal $((rc - 128))): ${first:-no message}"; fi; }
  die "pycaffe built but 'import caffe' failed or comes from elsewhere: ${first:-it comes from $(caffe_home 2>&1 | tail -1)}"
fi
say "pycaffe ($VARIANT) installed: $PY -c 'import caffe'"
