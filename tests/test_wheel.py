"""The wheel, installed into a fresh venv outside the checkout, dreams and serves: what `pip install .`
gives a user, without the editable install that hides what the wheel lacks."""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import PIL.Image
import pytest

import caffe

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def run(*cmd, cwd, env=None, timeout=900):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd}: {r.stdout[-2000:]}{r.stderr[-2000:]}"
    return r.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel of the checkout's files (tracked and new, not ignored), built from a copy: setuptools
    writes build/ and an egg-info into the folder it builds."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    files = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, source, cwd=out)
    [path] = out.glob("dream-*.whl")
    return path


def test_the_wheel_holds_every_package_and_the_model_definitions(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {str(p.parent.relative_to(REPO)) for p in (REPO / "dream").rglob("__init__.py")}
    assert {"dream", "dream/cli", "dream/web"} <= packages
    assert {f"{p}/__init__.py" for p in packages} <= names
    assert {"dream/model_definitions/registry.json", "dream/model_definitions/bvlc_googlenet/deploy.prototxt",
            "dream/model_definitions/imagenet_labels/imagenet_labels.txt", "dream/download.py"} <= names
    assert not [n for n in names if n.endswith(".caffemodel")]  # weights are downloaded, never shipped


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh venv with the wheel and its web extra, pycaffe from this build (as setup.sh links it),
    a HOME of its own, and a working folder far from the checkout."""
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    run(getattr(sys, "_base_executable", sys.executable), "-m", "venv", venv, cwd=root)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", f"{wheel}[web]", cwd=root)
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root).strip()
    Path(site, "dream-caffe.pth").write_text(str(Path(caffe.__file__).resolve().parent.parent) + "\n")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(root / "home"), "LANG": "C.UTF-8"}
    work = root / "elsewhere"
    work.mkdir()
    return python, env, work


def test_installed_wheel_lists_layers_from_its_own_model_definition(installed):
    python, env, work = installed
    where = run(python, "-c", "import dream, dream.models as m; print(dream.__file__); "
                "print(m.named_model('bvlc_googlenet').prototxt); print(m.models_dir())", cwd=work, env=env)
    package, prototxt, models = where.split()
    assert not package.startswith(str(REPO)) and prototxt.startswith(str(Path(package).parent))
    assert models == f"{env['HOME']}/.cache/dream/models"  # not a checkout: the user's cache
    layers = run(Path(python).parent / "dream", "--list-layers", cwd=work, env=env).split()
    assert "inception_4c/output" in layers and "conv1/7x7_s2" in layers
    help_text = run(Path(python).parent / "dream", "download", "--help", cwd=work, env=env)
    assert os.path.join(env["HOME"], ".cache/dream/models") in "".join(help_text.split())  # however wrapped


def test_installed_wheel_dreams_with_random_weights(installed, photo):
    python, env, work = installed
    run(python, "-c", "import caffe; from dream.models import named_model; caffe.set_random_seed(0); "
        "caffe.Net(str(named_model('bvlc_googlenet').prototxt), caffe.TEST).save('random.caffemodel')",
        cwd=work, env=env)
    PIL.Image.fromarray(np.uint8(photo)).save(work / "cat.png")
    prototxt = run(python, "-c", "from dream.models import named_model; "
                   "print(named_model('bvlc_googlenet').prototxt)", cwd=work, env=env).strip()
    run(Path(python).parent / "dream", "cat.png", "--prototxt", prototxt, "--weights", "random.caffemodel",
        "--iters", "2", "--octaves", "2", "-o", "out.png", cwd=work, env=env)
    out = np.asarray(PIL.Image.open(work / "out.png"))
    assert out.shape == photo.shape and not np.array_equal(out, np.uint8(photo))


@pytest.mark.skipif(sys.version_info < (3, 10), reason="the web app needs gradio 5, which needs Python 3.10")
def test_installed_wheel_imports_the_web_app(installed):
    python, env, work = installed
    out = run(python, "-c", "import dream.web.app, dream.web.jobs; print(dream.web.app.__file__)", cwd=work, env=env)
    assert "site-packages/dream/web/app.py" in out
