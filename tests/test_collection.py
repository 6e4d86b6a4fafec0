"""The suite collects where the web extra is not installed, as on Debian 11, whose Python 3.9 gets no Gradio 5:
a module that imports what comes with Gradio (httpx, gradio_client) or the browser driver before its skip
breaks the whole run there, which CI (Debian 12, Python 3.11, everything installed) would not see. Here those
packages are made unimportable, and pytest only collects."""
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
WEB_EXTRA = ("gradio", "gradio_client", "httpx", "playwright")

COLLECT = f"""
import sys

class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {WEB_EXTRA!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

sys.meta_path.insert(0, Absent())
import pytest
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", {str(TESTS)!r}]))
"""


def test_the_suite_collects_without_the_web_extra():
    r = subprocess.run([sys.executable, "-c", COLLECT], capture_output=True, text=True, timeout=300, cwd=TESTS.parent)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "error" not in r.stdout.splitlines()[-1], r.stdout[-3000:]
    assert "test_web.py::" not in r.stdout  # the web app's modules skipped, as where Gradio is not
