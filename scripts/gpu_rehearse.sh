#!/usr/bin/env bash
# The GPU check's rehearsal on this CPU: packs the bundle (scripts/gpu_bundle.sh), copies what the
# device tool would carry (the files git tracks or does not ignore, and .gpu-carry) into an empty
# folder, checks its size against the 64 MiB a call carries, and runs scripts/gpu_check.sh
# --rehearse there: everything up to the first GPU call, and the benchmark in CPU mode.
#
#   PYTHON=/path/to/python3.12 scripts/gpu_rehearse.sh
#
# PYTHON: the interpreter standing in for the GPU machine's (it has Python 3.12 with numpy, scipy,
# pillow, scikit-image, protobuf, six, tqdm, pytest, opencv and nvidia-ml-py, and the headers).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIMIT=$((64 * 1024 * 1024))
"$REPO/scripts/gpu_bundle.sh"
CLEAN=$(mktemp -d /tmp/gpu-rehearsal.XXXXXX)
trap 'rm -rf "$CLEAN"' EXIT
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$CLEAN" -- 2>/dev/null || true)
cp -r "$REPO/.gpu-carry" "$CLEAN/"
size=$(du -sb "$CLEAN" | cut -f1)
echo "==> carried: $((size / 1048576)) MiB of 64 ($CLEAN)" >&2
[ "$size" -le "$LIMIT" ] || { echo "gpu_rehearse: over the 64 MiB a call carries" >&2; exit 1; }
# CUDA's libraries stand in for the GPU machine's (they load without a GPU); the CPU build's Python
# makes the bytes to compare with.
CUDA_LIBS=${CUDA_LIBS:-$(dirname "$(readlink -f "$(find "${DREAM_CACHE:-$HOME/.cache/dream}"/build-venv-py*/lib -name libcublas.so.13 | head -1)")")} \
  COMPARE_PYTHON=${DREAM_VENV:-$REPO/.venv}/bin/python WORK=$CLEAN/work "$CLEAN/scripts/gpu_check.sh" --rehearse "$CLEAN/.gpu-carry"
