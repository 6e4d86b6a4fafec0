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
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    return env, {re.split(r"[<>=! ]", s)[0] for s in specs}


def test_environment_parses():
    env, packages = conda_packages()
    assert env["name"] == "dream" and env["channels"] == ["conda-forge"]
    assert {"python", "caffe"} <= packages
    assert any(d.startswith("python") for d in env["dependencies"] if isinstance(d, str))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip  # the dream package itself


def test_environment_names_every_import():
    sources = [p.read_text() for p in (REPO / "dream").rglob("*.py")]
    notebook = json.loads((REPO / "notebooks" / "dream.ipynb").read_text())
    sources += ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    imported = set().union(*(third_party(top_level_imports(s)) for s in sources))
    _, packages = conda_packages()
    missing = {CONDA_NAME.get(n, n) for n in imported} - packages
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    assert {"caffe", "numpy", "scipy", "pillow", "protobuf", "ipython"} <= packages


def test_pyproject_dependencies_are_in_the_environment():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    _, packages = conda_packages()
    assert {re.split(r"[<>=! ]", d)[0] for d in deps} <= packages


def minimum_python(spec):
    """'>=3.9' or 'python>=3.9' -> (3, 9)."""
    match = re.search(r">=\s*(\d+)\.(\d+)", spec)
    assert match, f"no minimum Python in {spec!r}"
    return int(match.group(1)), int(match.group(2))


def test_code_pyproject_and_environment_agree_on_the_minimum_python():
    """vermin reads the code's real minimum (ast.unparse: 3.9); pyproject and environment.yml must say the same."""
    import subprocess
    files = [str(p) for p in (REPO / "dream").glob("*.py")] + [str(REPO / "dream" / "download.py")]
    r = subprocess.run([str(Path(sys.executable).parent / "vermin"), "--no-tips", "--no-parse-comments", *files],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    found = re.search(r"Minimum required versions: (\d+)\.(\d+)", r.stdout)
    code = int(found.group(1)), int(found.group(2))
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    env, _ = conda_packages()
    conda = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert minimum_python(pyproject) == code == minimum_python(conda), (pyproject, code, conda)
