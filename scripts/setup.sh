#!/usr/bin/env bash
# Sets up everything dream needs on Debian 11 to 14 and Ubuntu 22.04 to 26.04: builds pycaffe into
# .venv (scripts/install_caffe.sh, cached, instant the second time) and installs the dream package there.
#   scripts/setup.sh [--gpu] [--prefix[=DIR]] [EXTRA...]   EXTRA: pip extras of dream, e.g. test, notebook
#   --prefix: no root (see scripts/install_caffe.sh --help); DIR=$CONDA_PREFIX builds in a conda environment
#   DREAM_PYTHON=/path/to/python: into that interpreter as it is, no venv (a notebook's: notebooks/colab.ipynb)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${DREAM_VENV:-$REPO/.venv}
caffe_args=() extras=()
for arg in "$@"; do
  case "$arg" in
    --gpu) caffe_args+=(--gpu) ;;
    --prefix) caffe_args+=(--prefix) ;;
    --prefix=*) caffe_args+=(--prefix "${arg#--prefix=}")
                # in a conda environment, dream goes into the environment itself, not a venv beside it
                if [ -d "${arg#--prefix=}/conda-meta" ] && [ -z "${DREAM_VENV:-}" ]; then
                  VENV=${arg#--prefix=}; export DREAM_VENV=$VENV
                fi ;;
    -*) echo "setup: unknown option '$arg'" >&2; exit 2 ;;
    *) extras+=("$arg") ;;
  esac
done
"$REPO/scripts/install_caffe.sh" "${caffe_args[@]}"
# The browser tests (tests/test_web.py) drive Debian's Chromium through Playwright, whose own browser
# download is not needed (and not reachable on a closed network).
if [[ " ${extras[*]-} " == *" test "* ]] && ! command -v chromium >/dev/null && [[ " ${caffe_args[*]-} " != *" --prefix "* ]]; then
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  echo "==> installing Debian's chromium for the browser tests" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
PY=${DREAM_PYTHON:-$VENV/bin/python}
if [ -z "${DREAM_PYTHON:-}" ]; then
  "$REPO/scripts/make_venv.sh" "$VENV" "${PYTHON:-python3}"  # its pip new enough for an editable install
fi
spec=$REPO
if [ ${#extras[@]} -gt 0 ]; then spec="$REPO[$(IFS=,; echo "${extras[*]}")]"; fi
"$PY" -m pip install -q -e "$spec" 2>&1 | { grep -v '^WARNING: Location' || true; } >&2
"$PY" -c "import dream" || { echo "setup: 'import dream' failed for $PY" >&2; exit 1; }
echo "==> ready: $PY -m dream --help" >&2
