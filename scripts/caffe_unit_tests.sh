#!/usr/bin/env bash
# Caffe's own C++ unit tests (gtest, shipped in the source) for the code dream's patches
# touch, built against the patched source and run against the built libcaffe.
#
#   scripts/caffe_unit_tests.sh            after scripts/install_caffe.sh (CPU build)
#
# Only the test files named below are compiled (the whole of test.testbin takes far longer).
# Not part of CI: it takes several minutes. Environment: DREAM_CACHE, JOBS as install_caffe.sh.
set -euo pipefail

CACHE=${DREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dream}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
BUILD=$CACHE/caffe-build-cpu
SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)  # the source it was built from
[ -d "$SRC" ] && [ -f "$BUILD/lib/libcaffe.so" ] || { echo "caffe_unit_tests: run scripts/install_caffe.sh first" >&2; exit 1; }

# the patched code: im2col/col2im, convolution (its shared buffer), pooling, ReLU (neuron
# layers), LRN, axpy/axpby and the elementwise vector functions (math functions, BLAS
# utilities), force_backward (net), host memory (syncedmem), and the layers GoogLeNet chains them with
TESTS="test_im2col_layer test_convolution_layer test_deconvolution_layer test_pooling_layer
  test_maxpool_dropout_layers test_neuron_layer test_lrn_layer test_math_functions test_util_blas
  test_net test_split_layer test_concat_layer test_syncedmem"

OUT=$CACHE/caffe-unit-tests
mkdir -p "$OUT"
flags=(-O2 -fopenmp -DCPU_ONLY -I"$SRC/include" -I"$BUILD/include" -I"$SRC/src"
       -I/usr/include/hdf5/serial -I/usr/include/$(uname -m)-linux-gnu/blis-openmp)
sources=("$SRC/src/gtest/gtest-all.cpp" "$SRC/src/caffe/test/test_caffe_main.cpp")
for t in $TESTS; do sources+=("$SRC/src/caffe/test/$t.cpp"); done

echo "==> compiling ${#sources[@]} files with $JOBS jobs" >&2
printf '%s\n' "${sources[@]}" | xargs -P "$JOBS" -I{} sh -c \
  'f="{}"; o="'"$OUT"'/$(basename "$f").o"; [ "$o" -nt "$f" ] && [ "$o" -nt "'"$BUILD/lib/libcaffe.so"'" ] || g++ '"${flags[*]}"' -c "$f" -o "$o"'
g++ -fopenmp "$OUT"/*.o -o "$OUT/test.testbin" -L"$BUILD/lib" -Wl,-rpath,"$BUILD/lib" \
  -lcaffe -lglog -lgflags -lprotobuf -lboost_system -lboost_filesystem -lpthread

echo "==> running (from the source folder, where the tests find their data)" >&2
cd "$SRC" && "$OUT/test.testbin" --gtest_filter='-*GPU*' "$@"
