#!/usr/bin/env bash
# dream on a lent GPU machine (an H100 or H200 that starts bare, without network), in one call:
# unpacks what scripts/gpu_bundle.sh packed here, compiles pycaffe for the machine's Python, runs
# `pytest -m gpu`, bench_dream.py, bench_device_loop.py (the device loop against the host loop: bytes
# and time), bench_layers.py (a step's time per layer) and bench_live.py, then benchmarks/bench_gpu.py,
# which prints the table last.
#
#   scripts/gpu_check.sh [--rehearse | --quick] [CARRY]      (CARRY: default <repo>/.gpu-carry)
#
# On the device tool (its run takes the folder in `carry`):
#   scripts/gpu_bundle.sh                                    # here, once
#   run  command: scripts/gpu_check.sh   carry: [.gpu-carry]   timeout_s: 540
#
# --rehearse: here, on a CPU, from a clean folder: everything up to the first GPU call, then the
# same benchmark in CPU mode at small sizes, and the bundle's pycaffe against the CPU build's bytes.
# --quick: on the GPU, pytest -m gpu and bench_dream.py --gpu only (a minute, not three).
#
# Environment: PYTHON (default python3), WORK (default /tmp/dream-gpu), CUDA_LIBS (a folder with
# libcublas.so.13; default: searched), CHECK_BUDGET_S (seconds after which the benchmark
# starts no more measurements, default 180).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REHEARSE="" QUICK=""
if [ "${1:-}" = --rehearse ]; then REHEARSE=1; shift; fi
if [ "${1:-}" = --quick ]; then QUICK=1; shift; fi
PY=${PYTHON:-python3}
WORK=${WORK:-/tmp/dream-gpu}
JOBS=$(nproc)
START=$(date +%s)
die() { echo "gpu_check: $*" >&2; exit 1; }
say() { echo "==> [$(( $(date +%s) - START ))s] $*" >&2; }
[ -d "${1:-$REPO/.gpu-carry}" ] || die "no ${1:-$REPO/.gpu-carry}: run scripts/gpu_bundle.sh here first"
CARRY=$(cd "${1:-$REPO/.gpu-carry}" && pwd)

# --- unpack ----------------------------------------------------------------------------------
[ -f "$CARRY/gpu-caffe.tar.xz" ] || die "no $CARRY/gpu-caffe.tar.xz: run scripts/gpu_bundle.sh here first"
rm -rf "$WORK" && mkdir -p "$WORK"
tar -C "$WORK" -xJf "$CARRY/gpu-caffe.tar.xz"
B=$WORK/gpu-caffe
say "unpacked $(du -sm "$B" | cut -f1) MiB into $B"

# --- what this machine has ---------------------------------------------------------------------
"$PY" - <<'EOF' || die "the Python above lacks what dream needs"
import importlib.util, os, sys, sysconfig
print(f"python {sys.version.split()[0]} at {sys.executable}")
missing = [m for m in ("numpy", "scipy", "PIL", "skimage", "google.protobuf", "six", "tqdm", "pytest", "cv2")
           if importlib.util.find_spec(m) is None]
if not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")):
    missing.append("Python.h (the Python headers)")
if missing:
    sys.exit("missing: " + ", ".join(missing))
EOF
cuda_libs() {  # a folder holding libcublas.so.13 (with cudart and curand beside it or elsewhere)
  local d
  for d in ${CUDA_LIBS:-} $("$PY" -c 'import site; print(" ".join(p + "/nvidia/cu13/lib" for p in site.getsitepackages()))') \
           /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
    if [ -e "$d/libcublas.so.13" ]; then echo "$d"; return; fi
  done
}
CUDA_DIR=$(cuda_libs) || true
[ -n "$CUDA_DIR" ] || die "no libcublas.so.13 found (set CUDA_LIBS to its folder)"
LIBS=$B/lib:$CUDA_DIR
for name in libcudart.so.13 libcurand.so.10; do
  if [ ! -e "$CUDA_DIR/$name" ]; then
    d=$(dirname "$(find / -xdev -name "$name" -not -path '/proc/*' 2>/dev/null | head -1)")
    [ "$d" != . ] || die "no $name found"
    LIBS=$LIBS:$d
  fi
done
export LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if LD_LIBRARY_PATH=$LIBS ldd "$B/lib/libcaffe.so.1.0.0" | grep "not found"; then die "libcaffe lacks the libraries above"; fi
say "CUDA libraries from $CUDA_DIR"

# --- pycaffe for this Python: Boost.Python's sources and _caffe.cpp, compiled together ----------
PYINC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
NPINC=$("$PY" -c 'import numpy; print(numpy.get_include())')
INCLUDES=$(sed "s|@ROOT@|$B/root|g" "$B/includes.txt")
OBJ=$WORK/obj && mkdir -p "$OBJ"
compile() {  # $1: a source file; its object goes to $OBJ
  local out=$OBJ/$(echo "${1#$B/src/}" | tr / _).o
  # shellcheck disable=SC2046,SC2086
  # (BOOST_BIND_GLOBAL_PLACEHOLDERS: Boost 1.74's behaviour, without its notice on every file)
  g++ -O3 -DNDEBUG -fPIC -fopenmp -w $(cat "$B/defines.txt") -DBOOST_PYTHON_SOURCE -DBOOST_PYTHON_DYNAMIC_LIB \
      -DBOOST_BIND_GLOBAL_PLACEHOLDERS $INCLUDES -I"$PYINC" -I"$NPINC" -c "$1" -o "$out" 2>"$out.log" \
    || { tail -20 "$out.log" >&2; return 1; }
}
export -f compile; export B OBJ INCLUDES PYINC NPINC
find "$B/src" -name '*.cpp' | xargs -P "$JOBS" -I{} bash -c 'compile {}' || die "compiling pycaffe failed"
# every boost, glog, protobuf and hdf5 header came from the bundle, none from this machine
# shellcheck disable=SC2046,SC2086
if g++ $(cat "$B/defines.txt") $INCLUDES -I"$PYINC" -I"$NPINC" -M "$B/src/_caffe.cpp" | tr ' ' '\n' \
   | grep -E '^/usr/include/(boost|glog|gflags|google|hdf5)/'; then
  die "the headers above came from this machine, not the bundle"
fi
g++ -shared -fopenmp -o "$B/python/caffe/_caffe.so" "$OBJ"/*.o -L"$B/lib" -l:libcaffe.so.1.0.0 \
    -l:libglog.so.1 -l:libgflags.so.2.2 -l:libprotobuf.so.32 -l:libboost_system.so.1.74.0 \
    -l:libboost_thread.so.1.74.0 -l:libboost_filesystem.so.1.74.0 || die "linking pycaffe failed"
export PYTHONPATH=$B/python:$REPO${PYTHONPATH:+:$PYTHONPATH}
export GLOG_minloglevel=2
"$PY" -c 'import caffe, dream, sys; print("import caffe:", caffe.__file__)' || die "import caffe failed"
say "pycaffe compiled for $("$PY" -c 'import sys; print(sys.version.split()[0])') with $JOBS jobs"

# --- the random-weight GoogLeNet the tests use (the real weights cannot be downloaded here) -------
WEIGHTS=$WORK/random_googlenet.caffemodel
"$PY" - "$REPO/dream/model_definitions/bvlc_googlenet/deploy.prototxt" "$WEIGHTS" <<'EOF'
import sys, caffe
caffe.set_mode_cpu(); caffe.set_random_seed(0)
caffe.Net(sys.argv[1], caffe.TEST).save(sys.argv[2])
EOF
IMAGE=()
if [ -f "$CARRY/sky1024px.jpg" ]; then IMAGE=(--image "$CARRY/sky1024px.jpg"); fi
BENCH=("$PY" "$REPO/benchmarks/bench_gpu.py" --weights "$WEIGHTS" "${IMAGE[@]}" --work "$WORK/bench")

if [ -n "$REHEARSE" ]; then
  # The bundle's pycaffe, compiled for this Python, gives the CPU build's bytes.
  "$PY" -m pytest -q -p no:cacheprovider "$REPO/tests/test_gpu.py" --collect-only -m gpu >/dev/null \
    || die "pytest -m gpu does not collect"
  "${BENCH[@]}" --device cpu --small --compare-with "${COMPARE_PYTHON:-$REPO/.venv/bin/python}"
  [ -f "$B/python/caffe/libdream_device.so" ] || die "the bundle lacks the device loop's kernels (libdream_device.so)"
  "$PY" "$REPO/benchmarks/bench_device_loop.py" --weights "$WEIGHTS" --device cpu --small || die "device loop != host loop"
  "$PY" -m dream.device.self_check --cpu || die "the device loop's check failed on the stand-in"
  "$PY" "$REPO/benchmarks/bench_layers.py" --weights "$WEIGHTS" --size 256x144 --steps 1 --top 3 || die "bench_layers.py failed"
  say "rehearsal done: everything up to the first GPU call ran (nothing above used a GPU)"
  exit 0
fi

# --- on the GPU ------------------------------------------------------------------------------
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
say "pytest -m gpu"
TESTS=0
(cd "$REPO" && timeout 150 "$PY" -m pytest -q -s -p no:cacheprovider -m gpu tests/test_gpu.py >"$WORK/pytest.log" 2>&1) || TESTS=$?
{ grep -v '^[.FEs]*$' "$WORK/pytest.log" || true; } | tail -25
say "the device loop's check (dream/device/self_check.py): where it passes, the device loop is the GPU's default"
timeout 200 "$PY" -c 'from dream.device.self_check import proven, cache_file
print("device loop check:", proven(0) or "passed: the device loop dreams by default on this GPU")
print(open(cache_file()).read())' || true
say "the default run per octave (benchmarks/bench_dream.py --gpu)"
"$PY" "$REPO/benchmarks/bench_dream.py" "${IMAGE[@]}" --gpu 0 2>&1 | tail -12 || true
if [ -f "$B/lib-cudnn/libcaffe.so.1.0.0" ]; then
  CUDNN_DIR=$(dirname "$(timeout 60 find / -xdev -name 'libcudnn.so.9' -not -path '/proc/*' 2>/dev/null | head -1)")
  if [ "$CUDNN_DIR" != . ]; then
    say "the default run with cuDNN 9's convolutions (the cuDNN build's libcaffe; cuDNN from $CUDNN_DIR)"
    WITH_CUDNN=(env LD_LIBRARY_PATH="$B/lib-cudnn:$CUDNN_DIR:$LD_LIBRARY_PATH")
    "${WITH_CUDNN[@]}" "$PY" "$REPO/benchmarks/bench_dream.py" "${IMAGE[@]}" --gpu 0 2>&1 | tail -12 || true
    "$PY" -c "import sys, numpy as np, PIL.Image, skimage.data, skimage.transform
PIL.Image.fromarray(np.uint8(skimage.transform.resize(skimage.data.astronaut(), (575, 1024)) * 255)).save(sys.argv[1])" "$WORK/pair.png"
    pair=(--gpu 0 --seed 0 --prototxt "$REPO/dream/model_definitions/bvlc_googlenet/deploy.prototxt" --weights "$WEIGHTS")
    "$PY" -m dream "$WORK/pair.png" -o "$WORK/pair-plain.png" "${pair[@]}" 2>/dev/null \
      && "${WITH_CUDNN[@]}" "$PY" -m dream "$WORK/pair.png" -o "$WORK/pair-cudnn.png" "${pair[@]}" 2>/dev/null \
      && "${WITH_CUDNN[@]}" "$PY" -m dream "$WORK/pair.png" -o "$WORK/pair-cudnn2.png" "${pair[@]}" 2>/dev/null \
      && "$PY" -c "import sys, numpy as np, PIL.Image
a, b, c = (np.float32(PIL.Image.open(p)) for p in sys.argv[1:])
print(f'cuDNN against no cuDNN, the default dream: mean |diff| {np.abs(a - b).mean():.3f} grey levels, max {np.abs(a - b).max():.0f}; '
      f'cuDNN twice: {\"the same bytes\" if np.array_equal(b, c) else \"DIFFERENT\"}')" "$WORK/pair-plain.png" "$WORK/pair-cudnn.png" "$WORK/pair-cudnn2.png" \
      || echo "the cuDNN pair failed"
  else
    echo "no libcudnn.so.9 on this machine: the cuDNN build is not measured" >&2
  fi
fi
say "the device loop against the host loop (benchmarks/bench_device_loop.py)"
timeout 150 "$PY" "$REPO/benchmarks/bench_device_loop.py" --weights "$WEIGHTS" "${IMAGE[@]}" --device gpu 2>&1 | tail -12 || true
if [ -n "$QUICK" ]; then say "done (--quick: no benchmark)"; exit "$TESTS"; fi
say "a step's time layer by layer, synchronised (benchmarks/bench_layers.py --gpu)"
timeout 60 "$PY" "$REPO/benchmarks/bench_layers.py" --gpu 0 --weights "$WEIGHTS" --top 12 2>&1 | tail -16 || true
say "live dreaming at 640, 960 and 1280 px (benchmarks/bench_live.py --gpu)"
if "$PY" -c 'import av, cv2, skimage' 2>/dev/null; then
  timeout 100 "$PY" "$REPO/benchmarks/bench_live.py" --gpu 0 --seconds 4 2>&1 | tail -8 || true
else
  echo "no PyAV, OpenCV or scikit-image for $PY here: live dreaming not measured" >&2
fi
say "benchmark"
"${BENCH[@]}" --device gpu --budget "${CHECK_BUDGET_S:-180}" --note "pytest -m gpu: $(tail -1 "$WORK/pytest.log")"
say "a 48 MP photo with no --max-memory: the GPU's free memory is the budget, so it tiles rather than aborting"
"$PY" -c "import sys, PIL.Image; PIL.Image.new('RGB', (8000, 6000), (90, 140, 200)).save(sys.argv[1], quality=90)" "$WORK/48mp.jpg"
started=$(date +%s)
if timeout 150 "$PY" -m dream "$WORK/48mp.jpg" -o "$WORK/48mp-dream.png" --gpu 0 --octaves 1 --iters 1 \
     --prototxt "$REPO/dream/model_definitions/bvlc_googlenet/deploy.prototxt" --weights "$WEIGHTS" 2>"$WORK/48mp.log"; then
  echo "48 MP, no --max-memory: finished in $(( $(date +%s) - started )) s; $(grep -m1 -o 'needs about.*' "$WORK/48mp.log" || echo 'whole (no tiles)')"
else
  echo "48 MP, no --max-memory: FAILED (exit $?) after $(( $(date +%s) - started )) s: $(tail -2 "$WORK/48mp.log")"
fi
say "done"
exit "$TESTS"  # the table comes either way; a failed pytest -m gpu makes the check fail
