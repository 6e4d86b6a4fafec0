"""environment.yml: it parses, and names every package that the package and the notebook import.

(The tests' own tools, pytest, nbclient and PyYAML, come from pyproject's test extra.)"""
import ast
import json
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# import name -> conda package name, where they differ
CONDA_NAME = {"PIL": "pillow", "google": "protobuf", "skimage": "scikit-image", "IPython": "ipython",
              "yaml": "pyyaml"}


def top_level_imports(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party(names):
    return {n for n in names if n not in sys.stdlib_module_names and n != "dream"}


def conda_packages():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    return env, {re.split(r"[<>=! ]", s)[0] for s in specs}


def test_environment_parses():
    env, packages = conda_packages()
    assert env["name"] == "dream" and env["channels"] == ["conda-forge"]
    assert {"python", "caffe"} <= packages
    assert any(d.startswith("python=3.") for d in env["dependencies"] if isinstance(d, str))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip  # the dream package itself


def test_environment_names_every_import():
    sources = [p.read_text() for p in (REPO / "dream").glob("*.py")]
    notebook = json.loads((REPO / "notebooks" / "dream.ipynb").read_text())
    sources += ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    imported = set().union(*(third_party(top_level_imports(s)) for s in sources))
    _, packages = conda_packages()
    missing = {CONDA_NAME.get(n, n) for n in imported} - packages
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    assert {"caffe", "numpy", "scipy", "pillow", "protobuf", "ipython"} <= packages


def test_pyproject_dependencies_are_in_the_environment():
    import tomllib
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    _, packages = conda_packages()
    assert {re.split(r"[<>=! ]", d)[0] for d in deps} <= packages
