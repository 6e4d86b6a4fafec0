#!/usr/bin/env bash
# The CUDA build of Caffe, checked on this CPU: builds it (scripts/install_caffe.sh --gpu, from PyPI's
# CUDA wheels unless a complete toolkit is installed; cached by its build id) and runs the core tests
# with its pycaffe in CPU mode: the notebook oracle, tiles, frozen weights, pooling, OpenMP, and
# tests/test_gpu_build.py (the CPU build's bytes, a clean exit, --gpu without a GPU in one line).
# The venv keeps its own pycaffe: this one comes first on PYTHONPATH.
#
#   scripts/test_gpu_build.sh [PYTEST ARGS...]      CUDA_ARCH as install_caffe.sh takes it
#
# Not part of scripts/test.sh (CI): a cold CUDA build takes longer than CI's budget (docs/gpu.md).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${DREAM_VENV:-$REPO/.venv}
"$REPO/scripts/setup.sh" test  # the CPU build and the venv: the tests compare against it
PYDIR=$("$REPO/scripts/install_caffe.sh" --gpu --build-only | tail -1)
cd "$REPO"
PYTHONPATH=$PYDIR${PYTHONPATH:+:$PYTHONPATH} exec "$VENV/bin/python" -m pytest -q -m "not gpu" \
  tests/test_gpu_build.py tests/test_oracle.py tests/test_tiles.py tests/test_frozen.py tests/test_pooling.py \
  tests/test_openmp.py "$@"
