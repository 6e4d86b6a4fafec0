#!/usr/bin/env bash
# The README's two commands, as a newcomer (a user with sudo, git and python3-venv, nothing else) in a
# fresh root filesystem of each Debian SUITE: scripts/try_in_rootfs.sh. Not for CI: a platform takes
# 10 to 15 minutes on 2 cores (the Caffe build, the browser, the whole suite).
#   scripts/try_platforms.sh [SUITE...]            (default: bookworm trixie bullseye forky)
#   scripts/try_platforms.sh --nosudo [SUITE...]   no root: a user without sudo, on a system with only
#       build-essential, cmake, git and python3-venv, runs scripts/setup.sh --prefix, a dream and the
#       core tests (no browser: Chromium needs root to install)
# The first command's download cannot reach Caffe's server from the project's machines: where it fails,
# the dream runs on seeded random weights instead (the same code path, other pictures). Logs and a
# summary line per suite go to ~/.cache/dream/tries/.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOGS=${DREAM_CACHE:-$HOME/.cache/dream}/tries
mkdir -p "$LOGS"
NEWCOMER='
set -e
start=$(date +%s)
if ! (scripts/setup.sh && scripts/download_models.sh && .venv/bin/python -m dream); then
  [ -x .venv/bin/python ] && .venv/bin/python -c "import dream, caffe" || exit 1
  echo "==> the weights are unreachable here: the dream on seeded random weights" >&2
  P=$(.venv/bin/python -c "from dream.models import named_model; print(named_model(\"bvlc_googlenet\").prototxt)")
  .venv/bin/python scripts/random_weights.py /tmp/random.caffemodel
  .venv/bin/python -m dream --prototxt "$P" --weights /tmp/random.caffemodel -o /tmp/astronaut-dream.jpg
fi
echo "==> TIME first command: $(( $(date +%s) - start )) s" >&2
start=$(date +%s)
scripts/test.sh -p no:cacheprovider && rc=0 || rc=$?
echo "==> TIME scripts/test.sh: $(( $(date +%s) - start )) s, rc $rc" >&2
exit $rc
'
NOSUDO='
set -e
start=$(date +%s)
scripts/setup.sh --prefix test
echo "==> TIME scripts/setup.sh --prefix test: $(( $(date +%s) - start )) s" >&2
! sudo true 2>/dev/null || { echo "this user has sudo: not the no-root case" >&2; exit 1; }
[ -z "${LD_LIBRARY_PATH:-}" ]
echo "==> pycaffe finds its libraries by RPATH:" >&2
.venv/bin/python -c "import caffe, os; print(os.path.realpath(os.path.join(os.path.dirname(caffe.__file__), \"_caffe.so\")))" \
  | xargs readelf -d | grep -E "RPATH|RUNPATH" >&2
P=$(.venv/bin/python -c "from dream.models import named_model; print(named_model(\"bvlc_googlenet\").prototxt)")
.venv/bin/python scripts/random_weights.py /tmp/random.caffemodel
.venv/bin/python -m dream --prototxt "$P" --weights /tmp/random.caffemodel -o /tmp/astronaut-dream.jpg
start=$(date +%s)
.venv/bin/python -m pytest -q -p no:cacheprovider tests/test_oracle.py tests/test_tiles.py tests/test_blas_kernel.py \
  tests/test_openmp.py tests/test_frozen.py tests/test_pooling.py tests/test_caffe_source.py && rc=0 || rc=$?
echo "==> TIME core tests: $(( $(date +%s) - start )) s, rc $rc" >&2
exit $rc
'
WHO=newcomer SCRIPT=$NEWCOMER INCLUDE=()
if [ "${1:-}" = --nosudo ]; then
  WHO=nosudo SCRIPT=$NOSUDO INCLUDE=(--include build-essential,cmake); shift
fi
for suite in "${@:-bookworm trixie bullseye forky}"; do
  for s in $suite; do
    log=$LOGS/$s-$WHO-$(date +%Y%m%d-%H%M).log
    echo "==> $s ($WHO): $log" >&2
    start=$(date +%s)
    "$REPO/scripts/try_in_rootfs.sh" --as "$WHO" "${INCLUDE[@]}" "$s" "$SCRIPT" >"$log" 2>&1; rc=$?
    summary=$(grep -E "^==> TIME|[0-9]+ passed|[0-9]+ failed" "$log" | tail -4 | tr '\n' ' ')
    echo "$(date -u +%F) $s $WHO rc=$rc $(( $(date +%s) - start ))s $summary" | tee -a "$LOGS/summary.txt"
  done
done
