"""The Dockerfile: hadolint-clean, and every build step is one of the project's own scripts."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"


def instructions():
    """(INSTRUCTION, argument) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def hadolint():
    return shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))


def test_hadolint_passes():
    r = subprocess.run([hadolint(), "--failure-threshold", "info", str(DOCKERFILE)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_based_on_an_official_cuda_devel_ubuntu_image():
    base = [arg for word, arg in instructions() if word == "FROM"]
    assert len(base) == 1 and re.fullmatch(r"nvidia/cuda:[\d.]+-devel-ubuntu\d\d\.\d\d", base[0])


def test_caffe_is_built_by_the_projects_script_in_gpu_mode():
    runs = [arg for word, arg in instructions() if word == "RUN"]
    assert any(r.startswith("scripts/setup.sh --gpu") for r in runs)
    assert any(r.startswith("scripts/download_models.sh") for r in runs)
    for r in runs:  # no build of its own that could drift from the script
        assert not re.search(r"\b(cmake|make|nvcc|pip install|git clone|apt-get source)\b", r), r
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert '--gpu) caffe_args+=(--gpu)' in setup and 'install_caffe.sh" "${caffe_args[@]}"' in setup


def test_runs_dream_by_default_and_ignores_local_builds():
    entry = [arg for word, arg in instructions() if word == "ENTRYPOINT"]
    assert entry == ['["/opt/dream/.venv/bin/python", "-m", "dream"]']
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ".venv" in ignored and "models/**/*.caffemodel" in ignored
