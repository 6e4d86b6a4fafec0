#!/usr/bin/env bash
# Sets up everything dream needs on Debian 12 / Ubuntu 22.04+: builds pycaffe into
# .venv (scripts/install_caffe.sh, cached, instant the second time) and installs
# the dream package there.
#   scripts/setup.sh [--gpu] [EXTRA...]   EXTRA: pip extras of dream, e.g. test, notebook
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${DREAM_VENV:-$REPO/.venv}
caffe_args=() extras=()
for arg in "$@"; do
  case "$arg" in
    --gpu) caffe_args+=(--gpu) ;;
    -*) echo "setup: unknown option '$arg'" >&2; exit 2 ;;
    *) extras+=("$arg") ;;
  esac
done
"$REPO/scripts/install_caffe.sh" "${caffe_args[@]}"
spec=$REPO
if [ ${#extras[@]} -gt 0 ]; then spec="$REPO[$(IFS=,; echo "${extras[*]}")]"; fi
"$VENV/bin/python" -m pip install -q -e "$spec" 2>&1 | { grep -v '^WARNING: Location' || true; } >&2
"$VENV/bin/python" -c "import dream" || { echo "setup: 'import dream' failed in $VENV" >&2; exit 1; }
echo "==> ready: $VENV/bin/python -m dream --help" >&2
