"""environment.yml: it parses, and names every package that the package and the notebook import.

(The tests' own tools, pytest, nbclient and PyYAML, come from pyproject's test extra.)"""
import ast
import importlib.util
import json
import re
import sys
import sysconfig
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # the test extra installs tomli there
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
# import name -> conda package name, where they differ
CONDA_NAME = {"PIL": "pillow", "google": "protobuf", "skimage": "scikit-image", "IPython": "ipython",
              "yaml": "pyyaml", "cv2": "opencv"}


def top_level_imports(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def is_stdlib(name):
    """sys.stdlib_module_names where Python has it (3.10), else where the module lives (3.9)."""
    if hasattr(sys, "stdlib_module_names"):
        return name in sys.stdlib_module_names
    if name in sys.builtin_module_names:
        return True
    spec = importlib.util.find_spec(name)
    origin = (spec.origin or "") if spec else ""
    return origin.startswith(sysconfig.get_paths()["stdlib"]) and "-packages" not in origin


def third_party(names):
    return {n for n in names if not is_stdlib(n) and n != "dream"}


def conda_packages():
    """(environment, conda package names, pip package names)."""
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next((d["pip"] for d in env["dependencies"] if isinstance(d, dict)), [])
    name = lambda spec: re.split(r"[<>=! ]", spec)[0]  # noqa: E731
    return env, {name(s) for s in specs}, {name(s) for s in pip}


# What setup.sh --prefix="$CONDA_PREFIX" builds from source in the environment: Caffe's libraries
CAFFE_BUILD = {"c-compiler", "cxx-compiler", "make", "cmake", "libboost-devel", "libboost-python-devel",
               "libprotobuf", "glog", "gflags", "hdf5", "blis"}


def test_environment_parses_and_has_no_caffe_package():
    """No conda Caffe runs on Python 3.9+: the environment holds Caffe's libraries, and setup builds it."""
    env, packages, _ = conda_packages()
    assert env["name"] == "dream" and env["channels"] == ["conda-forge"]
    assert "python" in packages and "caffe" not in packages
    assert CAFFE_BUILD <= packages
    assert 'scripts/setup.sh --prefix="$CONDA_PREFIX"' in (REPO / "environment.yml").read_text()


def test_environment_names_every_import():
    sources = [p.read_text() for p in (REPO / "dream").rglob("*.py")]
    notebook = json.loads((REPO / "notebooks" / "dream.ipynb").read_text())
    sources += ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    imported = set().union(*(third_party(top_level_imports(s)) for s in sources)) - {"caffe"}  # built by setup
    _, packages, pip = conda_packages()
    pip_names = {"cv2": "opencv-python-headless", "av": "av"}
    missing = {pip_names.get(n) or CONDA_NAME.get(n, n) for n in imported} - packages - pip
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    assert {"numpy", "scipy", "pillow", "protobuf", "ipython"} <= packages


def test_pyproject_dependencies_are_in_the_environment():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    _, packages, pip = conda_packages()
    assert {re.split(r"[<>=! ;]", d)[0] for d in deps} <= packages | pip


def python_version(spec):
    """'>=3.9', 'python>=3.9' or 'python=3.11' -> (3, 9) or (3, 11)."""
    match = re.search(r"=\s*(\d+)\.(\d+)", spec)
    assert match, f"no Python version in {spec!r}"
    return int(match.group(1)), int(match.group(2))


def test_code_pyproject_and_environment_agree_on_the_minimum_python():
    """vermin reads the code's real minimum (ast.unparse: 3.9); pyproject says the same, and environment.yml's
    Python is at least that and has Gradio 5 (3.10)."""
    import subprocess
    files = [str(p) for p in (REPO / "dream").rglob("*.py")]
    r = subprocess.run([str(Path(sys.executable).parent / "vermin"), "--no-tips", "--no-parse-comments", *files],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    found = re.search(r"Minimum required versions: (\d+)\.(\d+)", r.stdout)
    code = int(found.group(1)), int(found.group(2))
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    env, _, _ = conda_packages()
    conda = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python_version(pyproject) == code and python_version(conda) >= max(code, (3, 10)), (pyproject, code, conda)
