#!/usr/bin/env bash
# Packs, here, what a bare GPU machine needs to run dream on GPU Caffe: a CUDA build (by default the
# sm_90 one, for the H100 and H200; CUDA_ARCH=... scripts/test_gpu_build.sh checks any on this CPU),
# every library it needs beyond the C/C++ runtime and CUDA's own, and the sources and headers to
# compile pycaffe there for whatever Python it has.
# scripts/gpu_check.sh unpacks and runs it.
#
#   scripts/gpu_bundle.sh [FOLDER]     (default: <repo>/.gpu-carry, which git ignores)
#   CUDA_ARCH="75 80 86 89 90" scripts/gpu_bundle.sh     another build (default CUDA_ARCH=90)
#
# FOLDER then holds gpu-caffe.tar.xz (and the notebook's sky photo when models/samples or
# ../shared/reference has it). The lent machine takes at most 64 MiB a call: the script checks.
#
# Why pycaffe is compiled there: the lent machine's Python is 3.12 and Debian 12's Boost.Python is
# for 3.11. Boost.Python's sources (Debian's 1.74, with Debian's Python patches) are compiled into
# _caffe.so there, with the headers this build used, in a few seconds on its 16 cores.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(mkdir -p "${1:-$REPO/.gpu-carry}" && cd "${1:-$REPO/.gpu-carry}" && pwd)
CACHE=${DREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dream}
LIMIT=$((64 * 1024 * 1024))
BOOST_DEB=1.74.0+ds1-21  # Debian 12's Boost, the one libcaffe is built against
die() { echo "gpu_bundle: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

# sm_90 alone by default: the lent machines are Hopper, and the bundle stays small
PYDIR=$(CUDA_ARCH=${CUDA_ARCH:-90} "$REPO/scripts/install_caffe.sh" --gpu --build-only | tail -1)
BUILD=$(dirname "$PYDIR")
SRC=$(sed -n 's/^Caffe_SOURCE_DIR:STATIC=//p' "$BUILD/CMakeCache.txt")
[ -f "$BUILD/lib/libcaffe.so.1.0.0" ] && [ -d "$SRC" ] || die "no GPU build in $BUILD"

# Boost.Python's sources, from Debian's boost1.74 source package (fetched once, through a private apt
# configuration, as install_caffe.sh fetches Caffe's).
BOOST=$CACHE/boost-python-src-$BOOST_DEB
if [ ! -d "$BOOST" ]; then
  say "fetching Boost.Python's sources (Debian's boost1.74 $BOOST_DEB)"
  APT=$CACHE/apt-bookworm
  mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" > "$APT/sources.list"
  aptopts=(-o Dir::Etc::SourceList="$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" -o APT::Sandbox::User="$(id -un)")
  apt-get "${aptopts[@]}" update -qq
  rm -rf "$BOOST.tmp" && mkdir -p "$BOOST.tmp"
  (cd "$BOOST.tmp" && apt-get "${aptopts[@]}" source --download-only -qq "boost1.74=$BOOST_DEB" >/dev/null 2>&1 \
     && tar -xJf boost1.74_*.orig.tar.xz boost/libs/python/src && tar -xJf boost1.74_*.debian.tar.xz \
     && cd boost && for p in python3.10-file python3.10-pep-620 fix-enum python-enum; do
          # their hunks on boost/python's headers are already in Debian's installed headers
          patch -p1 --forward -s -f < ../debian/patches/$p.patch >/dev/null || true; done) \
    || die "could not fetch Boost.Python's sources from Debian bookworm"
  [ -f "$BOOST.tmp/boost/libs/python/src/object/class.cpp" ] || die "Boost.Python's sources look wrong"
  mv "$BOOST.tmp/boost/libs/python/src" "$BOOST" && rm -rf "$BOOST.tmp"
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
B=$STAGE/gpu-caffe
mkdir -p "$B/lib" "$B/root" "$B/src/boost-python" "$B/python"

# Libraries: libcaffe and what it loads, but glibc's, the GCC runtime's (the GPU machine's are newer)
# and CUDA's (the GPU machine has its own, matching its driver).
say "collecting libraries"
cp -L "$BUILD/lib/libcaffe.so.1.0.0" "$B/lib/"
SKIP='^(linux-vdso|ld-linux|libc|libm|libpthread|libdl|librt|libresolv|libutil|libstdc\+\+|libgcc_s|libgomp|libcudart|libcublas|libcublasLt|libcurand)\.'
EXTRA=(/usr/lib/x86_64-linux-gnu/libboost_system.so.1.74.0 /usr/lib/x86_64-linux-gnu/libboost_atomic.so.1.74.0)
for lib in $(ldd "$BUILD/lib/libcaffe.so.1.0.0" | awk '$3 ~ /^\// {print $1 "=" $3}') "${EXTRA[@]/#/=}"; do
  name=${lib%%=*} path=${lib#*=}
  [ -n "$name" ] || name=$(basename "$path")
  if ! [[ "$name" =~ $SKIP ]]; then cp -L "$path" "$B/lib/$name"; fi
done
strip --strip-unneeded "$B"/lib/*.so* 2>/dev/null || true
# The cuDNN build's libcaffe too, where one is built (CUDNN=1 CUDA_ARCH=90 install_caffe.sh --gpu
# --build-only): the same pycaffe runs on either (Net and Blob are the same classes), and gpu_check.sh
# times the default run on both; cuDNN itself is the GPU machine's (PyTorch's cuDNN 9)
if [ -f "$BUILD-cudnn/lib/libcaffe.so.1.0.0" ]; then
  mkdir -p "$B/lib-cudnn"
  cp -L "$BUILD-cudnn/lib/libcaffe.so.1.0.0" "$B/lib-cudnn/"
  strip --strip-unneeded "$B/lib-cudnn/libcaffe.so.1.0.0"
  say "with the cuDNN build's libcaffe ($BUILD-cudnn)"
fi

# Headers: those that compiling _caffe.cpp and Boost.Python read here, less Python's, NumPy's and
# the C/C++ runtime's, kept at their paths under root/ (the include flags name them the same way).
say "collecting headers"
# (libcaffe's flags: install_caffe.sh puts the pycaffe package where CMake kept its python/ folder)
flag() { sed -n "s/^$1 = //p" "$BUILD/src/caffe/CMakeFiles/caffe.dir/flags.make"; }
DEFINES=$(flag CXX_DEFINES) INCLUDES=$(flag CXX_INCLUDES) CXXFLAGS=$(flag CXX_FLAGS)
HERE_PY=${DREAM_VENV:-$REPO/.venv}/bin/python  # made by install_caffe.sh, with numpy
PYINC=$("$HERE_PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
NPINC=$("$HERE_PY" -c 'import numpy; print(numpy.get_include())')
deps=$STAGE/deps.txt
# shellcheck disable=SC2086
{ g++ $DEFINES $INCLUDES -I"$PYINC" -I"$NPINC" $CXXFLAGS -M "$SRC/python/caffe/_caffe.cpp"
  for f in $(cd "$BOOST" && find . -name '*.cpp' -not -path './numpy/*'); do
    g++ -DBOOST_PYTHON_SOURCE -I"$PYINC" -M "$BOOST/$f"; done; } > "$deps"
# (every file the compiler read: a header may have no extension, such as CUDA's <nv/target>)
tr ' \\' '\n\n' < "$deps" | grep -v -e ':$' -e '\.cpp$' -e '^$' | sort -u | while read -r h; do
  case "$h" in
    /usr/include/boost/*|/usr/include/glog/*|/usr/include/gflags/*|/usr/include/google/*|/usr/include/hdf5/*|/usr/include/x86_64-linux-gnu/blis-openmp/*) ;;
    */numpy/*|*/include/python3*|/usr/*) continue ;;
  esac
  mkdir -p "$B/root$(dirname "$h")" && cp "$h" "$B/root$h"
done
# Boost.Python's own headers all, whichever Python version's branches they take there
cp -r /usr/include/boost/python /usr/include/boost/python.hpp "$B/root/usr/include/boost/"
# the flags, with every folder moved under root/ (and the system's /usr/include first)
echo "$DEFINES" > "$B/defines.txt"
echo "-I@ROOT@/usr/include $INCLUDES" | tr ' ' '\n' | grep -v -e "$PYINC" -e '/numpy/' \
  | sed -e 's|^-I/|-I@ROOT@/|' -e 's|^/|@ROOT@/|' | tr '\n' ' ' > "$B/includes.txt"

# Sources and pycaffe's Python files (the same caffe_pb2.py; _caffe.so is made there)
cp "$SRC/python/caffe/_caffe.cpp" "$B/src/"
(cd "$BOOST" && find . -name '*.cpp' -not -path './numpy/*' -exec cp --parents {} "$B/src/boost-python/" \;)
cp -rL "$PYDIR/caffe" "$B/python/caffe"
rm -f "$B/python/caffe/_caffe.so"
find "$B" -name __pycache__ -prune -exec rm -rf {} +

say "compressing"
rm -f "$OUT/gpu-caffe.tar.xz"
tar -C "$STAGE" -cf - gpu-caffe | xz -T0 -6 > "$OUT/gpu-caffe.tar.xz.part"
mv "$OUT/gpu-caffe.tar.xz.part" "$OUT/gpu-caffe.tar.xz"
for sky in "$REPO/models/samples/sky1024px.jpg" "$REPO/../shared/reference/sky1024px.jpg"; do
  if [ -f "$sky" ]; then cp "$sky" "$OUT/sky1024px.jpg"; break; fi
done
size=$(du -cb "$OUT" | tail -1 | cut -f1)
[ "$size" -le "$LIMIT" ] || die "$OUT is $((size / 1048576)) MiB, over the 64 MiB a call carries"
say "$OUT: $(ls "$OUT" | tr '\n' ' ')($((size / 1048576)) MiB of 64; unpacked $(du -sm "$B" | cut -f1) MiB)"
