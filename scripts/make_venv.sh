#!/usr/bin/env bash
# Creates the virtual environment VENV with PYTHON, or repairs it: a venv without a working
# pip (left by a run on a machine without python3-venv) is rebuilt, and a failed creation
# leaves nothing behind, so that the next run starts clean.
#   scripts/make_venv.sh VENV PYTHON
set -euo pipefail
VENV=$1 PYTHON=$2
die() { echo "make_venv: $*" >&2; exit 1; }
works() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; }

# A pip older than 21.3 (Debian 11's 20.3) cannot install a pyproject-only project in editable mode
# (PEP 660): the venv's own pip is upgraded, the system's is left alone.
modern_pip() {
  "$VENV/bin/python" -c 'import sys, pip; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (21, 3))'
}
upgrade_pip() {
  modern_pip && return 0
  echo "==> upgrading the venv's pip $("$VENV/bin/python" -m pip --version | cut -d' ' -f2) (too old for an editable install)" >&2
  "$VENV/bin/python" -m pip install -q -U pip || die "could not upgrade pip in $VENV"
}

if works; then upgrade_pip; exit 0; fi
if [ -e "$VENV" ]; then
  [ -f "$VENV/pyvenv.cfg" ] || die "$VENV exists and is not a virtual environment: move it away, or set DREAM_VENV"
  echo "==> $VENV is broken (no working python or pip): rebuilding it" >&2
  rm -rf "$VENV"
fi
echo "==> creating virtual environment $VENV" >&2
if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1 || ! works; then
  rm -rf "$VENV"
  die "could not create a virtual environment with $PYTHON (on Debian and Ubuntu: apt-get install python3-venv)"
fi
upgrade_pip
