"""The Dockerfile as written: hadolint-clean, Debian 12 with CUDA from PyPI, multi-stage, layers in the order
that keeps Caffe and the weights cached across code changes, a non-root user, the GPU variables; and the
scripts the image runs (its entrypoint, its runtime files, the dependency list), run here for real.
scripts/docker_check.sh builds the image with buildah and runs it (not in CI: a cold build is ~9 min)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
ENTRYPOINT = REPO / "scripts" / "docker-entrypoint.sh"


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


def stages():
    """{stage name: its instructions}; the last, unnamed stage is 'final'."""
    found, name = {}, None
    for word, arg in instructions():
        if word == "FROM":
            name = arg.split(" AS ")[1] if " AS " in arg else "final"
            found[name] = []
        found[name].append((word, arg))
    return found


def index(pairs, word, pattern):
    return next(i for i, (w, a) in enumerate(pairs) if w == word and re.search(pattern, a))


def test_hadolint_passes():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    r = subprocess.run([hadolint, "--failure-threshold", "info", str(DOCKERFILE)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_debian_12_base_and_the_toolkit_in_the_build_stage_only():
    found = stages()
    assert list(found) == ["base", "build", "weights", "final"]
    assert found["base"][0] == ("FROM", "debian:bookworm-slim AS base")
    assert all(arg.split()[0] == "base" for name, pairs in found.items() if name != "base"
               for word, arg in pairs if word == "FROM")
    assert not any(re.search(r"nvidia/cuda|nvcc|cuda-toolkit", arg) for word, arg in instructions())
    final = found["final"]
    from_build = [arg for word, arg in final if word == "COPY" and "--from=build" in arg]
    assert from_build == ["--from=build /runtime/ /", "--from=build /opt/dream/.venv/ /opt/dream/.venv/"]
    assert not any(re.search(r"\b(g\+\+|cmake|-dev\b|install_caffe)", arg) for word, arg in final if word == "RUN")


def test_caffe_is_built_by_the_projects_script_from_its_own_files():
    build = stages()["build"]
    caffe = index(build, "RUN", r"scripts/install_caffe.sh --gpu")
    assert 'CUDA_ARCH="$CUDA_ARCH"' in build[caffe][1]
    assert ("ARG", 'CUDA_ARCH="75 80 86 89 90"') in build[:caffe]
    copied = [arg.split()[:-1] for word, arg in build[:caffe] if word == "COPY"]
    assert sorted(sum(copied, [])) == ["scripts/fetch_caffe_source.py", "scripts/install_caffe.sh",
                                       "scripts/make_venv.sh", "scripts/patches/"]
    for word, arg in build:  # no build of its own that could drift from the script
        assert word != "RUN" or not re.search(r"\b(cmake|make|nvcc|git clone|apt-get source)\b", arg), arg


def test_a_code_change_rebuilds_neither_caffe_nor_the_weights():
    found = stages()
    copied = lambda pairs: [a for w, a in pairs if w == "COPY" and "--from" not in a]  # noqa: E731
    assert not any("dream/" in a for a in copied(found["build"]))  # the venv: pyproject.toml only
    assert copied(found["weights"]) == ["dream/download.py /opt/download/",
                                        "dream/model_definitions/ /opt/download/model_definitions/",
                                        "models/ /models/"]
    final = found["final"]
    code = index(final, "COPY", r"^dream/ ")
    assert all(w not in ("RUN", "ADD") and "--from" not in a for w, a in final[code:])  # nothing heavy after it
    assert index(final, "COPY", "--from=weights") < code and index(final, "COPY", "--from=build /opt") < code


def test_not_root_gpu_variables_and_entrypoint():
    final = stages()["final"]
    assert any(w == "RUN" and "useradd --create-home --uid 1000 dream" in a for w, a in final)
    assert ("USER", "1000:1000") in final
    env = " ".join(a for w, a in final if w == "ENV")
    assert "NVIDIA_VISIBLE_DEVICES=all" in env and "NVIDIA_DRIVER_CAPABILITIES=compute,utility" in env
    assert ("ENTRYPOINT", '["dream-entrypoint"]') in final and ("EXPOSE", "7860 8888") in final
    assert "driver 580 or newer" in DOCKERFILE.read_text()


def test_the_dependency_list_is_pyprojects():
    run = lambda *a: subprocess.run([sys.executable, "scripts/dependencies.py", *a], cwd=REPO,  # noqa: E731
                                    capture_output=True, text=True)
    r = run("web")
    assert r.returncode == 0 and "numpy" in r.stdout.split("\n") and any(x.startswith("gradio") for x in
                                                                          r.stdout.split("\n"))
    r = run("nonsense")
    assert r.returncode == 1 and r.stderr.strip() == f"dependencies.py: no extra 'nonsense' in {REPO / 'pyproject.toml'}"


def test_the_runtime_files_are_pycaffe_and_libcaffe_by_their_own_paths(tmp_path):
    venv = Path(sys.prefix)
    r = subprocess.run(["bash", "scripts/docker_runtime_files.sh", str(venv), str(tmp_path)], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    import caffe
    pycaffe = Path(caffe.__file__).resolve().parent.parent
    build = pycaffe.parent
    assert (tmp_path / str(pycaffe)[1:] / "caffe" / "pycaffe.py").is_file()
    assert (tmp_path / str(build)[1:] / "lib" / "libcaffe.so").exists()
    assert os.readlink(tmp_path / str(pycaffe)[1:] / "caffe" / "_caffe.so") == str(build / "lib" / "_caffe.so")
    assert not list(tmp_path.rglob("*.h")) and not list(tmp_path.rglob("*.o"))


def entrypoint(*args, env=None):
    """The image's entrypoint, run here on the checkout's venv (as the image's PATH finds its venv)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", **(env or {}))
    env.pop("DREAM_GPU", None)
    return subprocess.run(["sh", str(ENTRYPOINT), *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="serve needs Gradio 5, which needs Python 3.10 (the image's "
                    "Python is newer; on Debian 11's 3.9 serve refuses before any password)")
def test_the_entrypoints_serve_generates_a_password_unless_one_is_given(tmp_path):
    missing = ["--prototxt", str(tmp_path / "none.prototxt"), "--weights", str(tmp_path / "none.caffemodel")]
    r = entrypoint("serve", *missing)  # the password comes before the model is looked at
    assert r.returncode == 1 and re.search(r"log in as user 'dream' with password \S{20,}", r.stderr), r.stderr
    for given in (["--auth", "ada:pw"], ["--auth-file", str(tmp_path / "secret")]):
        r = entrypoint("serve", *given, *missing)
        assert r.returncode == 1 and "password" not in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_the_entrypoint_passes_anything_else_to_dream_on_the_cpu_without_a_gpu():
    r = entrypoint("--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: python -m dream")
    r = entrypoint("--gpu", "-1")  # one line from dream's own parser: the arguments arrived as they were
    assert r.returncode == 2 and r.stderr.startswith("dream: error: argument --gpu:"), r.stderr
