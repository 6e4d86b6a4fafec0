#!/usr/bin/env bash
# Sets up everything dream needs on Debian 12 / Ubuntu 22.04+: builds pycaffe into
# .venv (scripts/install_caffe.sh, cached, instant the second time) and installs
# the dream package there. Extra arguments go to pip as extras, e.g. "test".
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${DREAM_VENV:-$REPO/.venv}
"$REPO/scripts/install_caffe.sh"
extras=$(IFS=,; echo "$*")
"$VENV/bin/python" -m pip install -q -e "$REPO${extras:+[$extras]}" 2>&1 | grep -v "^WARNING: Location" >&2 || true
"$VENV/bin/python" -c "import dream" || { echo "setup: 'import dream' failed in $VENV" >&2; exit 1; }
echo "==> ready: $VENV/bin/python -m dream --help" >&2
