"""scripts/make_venv.sh, which install_caffe.sh uses: a failed first run can be run again; and
install_caffe.sh's CUDA settings checked before any work."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAKE_VENV = REPO / "scripts" / "make_venv.sh"


def test_failed_venv_creation_leaves_nothing(tmp_path):
    """As on Debian without python3-venv: the venv module makes the folder, then fails on ensurepip."""
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\nmkdir -p "$3/bin"; touch "$3/pyvenv.cfg"; '
                    'echo "The virtual environment was not created successfully because ensurepip is not available" >&2; '
                    'exit 1\n')
    fake.chmod(0o755)
    venv = tmp_path / "venv"
    r = subprocess.run([MAKE_VENV, venv, fake], capture_output=True, text=True)
    assert r.returncode == 1
    assert "python3-venv" in r.stderr.strip().splitlines()[-1]
    assert not venv.exists()


def test_broken_venv_is_rebuilt(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    r = subprocess.run([MAKE_VENV, venv, sys.executable], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "rebuilding" in r.stderr
    assert subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"], capture_output=True).returncode == 0
    again = subprocess.run([MAKE_VENV, venv, sys.executable], capture_output=True, text=True)
    assert again.returncode == 0 and again.stderr == ""  # a working venv is left alone


def test_a_folder_that_is_no_venv_is_not_deleted(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    r = subprocess.run([MAKE_VENV, precious, sys.executable], capture_output=True, text=True)
    assert r.returncode == 1 and "not a virtual environment" in r.stderr
    assert (precious / "thesis.txt").read_text() == "keep me"


@pytest.mark.parametrize("env, message", [({"CUDA_MAJOR": "11"}, "CUDA_MAJOR must be 12 or 13 (got '11')"),
                                          ({"CUDA_ARCH": "sm_90"}, "CUDA_ARCH must be numbers separated by spaces")])
def test_bad_cuda_settings_are_one_line_before_any_work(env, message):
    r = subprocess.run([str(REPO / "scripts" / "install_caffe.sh"), "--gpu", "--build-only"], capture_output=True,
                       text=True, env=dict(os.environ, **env), timeout=60)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 1 and lines[0].startswith(f"install_caffe: {message}"), r.stderr
