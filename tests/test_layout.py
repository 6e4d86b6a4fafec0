"""The engine stands without the command line: importing it loads nothing from dream.cli."""
import subprocess
import sys

ENGINE = ["dream", "dream.network.net", "dream.engine.step", "dream.engine.octaves", "dream.objectives", "dream.engine.tiles",
          "dream.engine.tiled_step", "dream.engine.guide", "dream.engine.zoom", "dream.engine.gallery", "dream.objectives.classvis", "dream.video",
          "dream.video.io", "dream.video.flow", "dream.video.keyframes", "dream.network.memory"]


def test_the_engine_imports_without_the_command_line():
    code = (f"import importlib, sys\nfor name in {ENGINE!r}: importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.startswith('dream.cli')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
