"""The architecture, checked: which package may import which, functions in the front ends short enough to
read, the old module paths still working (with a warning), and objectives and flow methods added in one
place each. docs/architecture.md draws what this checks."""
import ast
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dream"
LIBRARY = ["network", "engine", "device", "objectives", "video", "cluster"]  # what dream does, front ends aside
# package -> the packages of dream it may not import (dream.runs is what the front ends share)
FORBIDDEN = {**{name: {"cli", "web", "runs"} for name in LIBRARY}, "network": {"cli", "web", "runs", "engine",
             "objectives", "video", "cluster"}, "runs": {"cli"}, "cli": {"web"}, "web": {"cli"}}
# the one arrow from one front end into the other: `python -m dream serve` starts the web app where it lives
ALLOWED = {"cli": "dream.web.serve"}
MAX_LINES = 60


def modules(package):
    return sorted((PACKAGE / package).rglob("*.py"))


def imported(path):
    """The dream modules a file imports (at any depth: lazy imports inside functions count too)."""
    parts = ["dream", *path.relative_to(PACKAGE).with_suffix("").parts]
    here = parts if parts[-1] == "__init__" else parts[:-1]
    here = [p for p in here if p != "__init__"]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {module} | {f"{module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.startswith("dream.")}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_arrow_runs_the_wrong_way(package):
    wrong = [(str(path.relative_to(PACKAGE)), module) for path in modules(package) for module in imported(path)
             if module.split(".")[1] in FORBIDDEN[package]
             and not (package in ALLOWED and (module + ".").startswith(ALLOWED[package] + "."))]
    assert wrong == [], f"dream.{package} may not import dream.{{{', '.join(sorted(FORBIDDEN[package]))}}}"


def test_the_library_imports_without_the_front_ends():
    names = ["dream", *(f"dream.{p}.{m.stem}" for p in LIBRARY for m in modules(p) if m.stem != "__init__")]
    code = (f"import importlib, sys\nfor name in {names!r}: importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[:2] in (['dream', 'cli'], ['dream', 'web'])))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("package", ["cli", "web"])
def test_front_end_functions_are_short(package):
    long = [f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)" for path in modules(package)
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= MAX_LINES]
    assert long == []


def test_old_module_paths_warn_and_give_the_new_modules():
    from dream._moved import PATHS
    for old, new in PATHS.items():
        code = (f"import warnings, importlib\nwarnings.simplefilter('error', DeprecationWarning)\nimport dream\n"
                f"try:\n    importlib.import_module('dream.{old}')\nexcept DeprecationWarning as w:\n    print(w)\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert f"dream.{old} is now dream.{new}" in out.stdout, out.stdout + out.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import dream.octaves
        import dream.engine.octaves
        from dream.enhance import enhance_loss
    assert dream.octaves is dream.engine.octaves and dream.octaves.deepdream is dream.deepdream
    assert enhance_loss is dream.enhance_loss and callable(dream.enhance)  # dream.enhance: still the function


def test_a_new_objective_is_one_decorated_factory():
    from dream.cli.image import build_parser
    from dream.objectives import OBJECTIVES, Objective, objective
    from dream.objectives.expression import parse_objective

    @objective
    def brightest(layer):
        """Every unit of `layer` at once (a stand-in for a new objective)."""
        return Objective([(layer, 1.0, lambda dst: dst.data)], f"brightest({layer!r})")
    try:
        assert parse_objective("2*brightest('inception_3b/output')").layers == ["inception_3b/output"]
        assert "brightest(layer)" in " ".join(build_parser().format_help().split())
    finally:
        del OBJECTIVES["brightest"]


def test_a_new_flow_method_is_one_decorated_estimate():
    import numpy as np
    from dream.cli.video import build_parser
    from dream.video.flow import FLOWS, flow_method
    from dream.video.frames import start_image

    @flow_method("still", "a stand-in for a new method: no motion at all")
    def still(a, b):
        return np.zeros((*a.shape[:2], 2), np.float32)
    try:
        parser = build_parser()
        assert parser.parse_args(["in.mp4", "--flow", "still"]).flow == "still"
        assert "still: a stand-in" in " ".join(parser.format_help().split())
        frame = np.full((8, 8, 3), 100, np.float32)
        residual = np.float32(np.arange(8 * 8 * 3).reshape(8, 8, 3) % 7)
        carried = start_image(frame, frame, frame + residual, "still", decay=0.5)  # nothing moved: all of it stays
        assert np.allclose(carried, frame + 0.5 * (residual - residual.mean(axis=(0, 1))))
    finally:
        del FLOWS["still"]


def calls(path):
    """The names a file calls, as written (f(...) and x.f(...) both give f)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            f = node.func
            found.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None))
    return found


def every_module():
    return sorted(PACKAGE.rglob("*.py"))


def test_one_module_prepares_a_dream():
    """The setup before a dream (objective, layers, memory plans) is dream.engine.prepare's: no front end,
    and no other module, plans the octaves or checks a run itself (deepdream's own check for a caller
    without plans aside)."""
    own = {PACKAGE / "engine" / "prepare.py", PACKAGE / "engine" / "octaves.py"}
    setting_up = [str(path.relative_to(PACKAGE)) for path in every_module()
                  if path not in own and calls(path) & {"plan_octaves", "check_dream_run"}]
    assert setting_up == []


def test_only_runs_resolves_a_missing_budget():
    """"No budget given" becomes the machine's bytes in dream.runs.budget alone; below it a budget is a
    number (or None: no bound, for the library called as the notebook calls it)."""
    resolving = [str(path.relative_to(PACKAGE)) for path in every_module() if "available_bytes" in calls(path)]
    assert resolving == ["runs/budget.py"]


def test_no_module_only_re_exports_another():
    """Old paths live in one import hook (dream._moved), not in files that each re-export a module."""
    def re_export_only(path):
        body = ast.parse(path.read_text()).body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        return all(isinstance(node, (ast.Import, ast.ImportFrom)) or
                   (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)) or
                   (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"])
                   for node in body)
    only = [str(path.relative_to(PACKAGE)) for path in every_module()
            if path.name not in ("__init__.py", "__main__.py") and re_export_only(path)]
    assert only == []
    from dream._moved import PATHS
    # dream.cli.runparams keeps a module of its own: its run_params still takes the command line's args
    assert [old for old in PATHS if (PACKAGE / f"{old.replace('.', '/')}.py").exists()] == ["cli.runparams"]


def test_a_command_reads_its_flags_once_into_a_frozen_request():
    """main() hands each command its flags as one frozen value; no function below it takes `args`."""
    import dataclasses
    from dream.cli.common import frozen_request
    from dream.cli.image import build_parser
    request = frozen_request(build_parser().parse_args(["photo.jpg", "--octaves", "3"]))
    assert request.octaves == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.octaves = 4
    taking_args = [f"{path.name}:{node.name}" for path in modules("cli")
                   for node in ast.walk(ast.parse(path.read_text()))
                   if isinstance(node, ast.FunctionDef) and "args" in [a.arg for a in node.args.args]]
    assert taking_args == []
