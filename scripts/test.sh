#!/usr/bin/env bash
# Sets up (scripts/setup.sh, with the test extras) and runs the test suite on the real pycaffe.
# Extra arguments go to pytest, e.g. scripts/test.sh -k oracle
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${DREAM_VENV:-$REPO/.venv}
"$REPO/scripts/setup.sh" test
cd "$REPO"
exec "$VENV/bin/python" -m pytest -q "$@"
