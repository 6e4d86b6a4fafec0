"""Every Python example in the README and docs/ runs as written, in a fresh process, in a folder laid out
as a checkout is after scripts/download_models.sh: models/bvlc_googlenet/ holds the seeded random weights
standing in for the real ones (the registry told their sha1, the one stand-in), models/samples/ small
real photos standing in for the notebook's. Indented code in a list item is an excerpt of a source file
(docs/architecture.md's), which tests/test_layout.py exercises instead."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import PIL.Image
import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def examples():
    return [pytest.param(code, id=f"{page.name}-{k}") for page in PAGES
            for k, code in enumerate(FENCE.findall(page.read_text()))]


def test_the_readme_and_the_api_page_have_examples():
    assert {"README.md", "python-api.md"} <= {param.id.rsplit("-", 1)[0] for param in examples()}


@pytest.fixture
def checkout(googlenet, photo, tmp_path):
    """A folder as the examples expect to run in, and the sha1 the weights standing in have."""
    from dream.models import sha1_of
    models = tmp_path / "models"
    (models / "bvlc_googlenet").mkdir(parents=True)
    shutil.copy(googlenet[1], models / "bvlc_googlenet" / "bvlc_googlenet.caffemodel")
    (models / "samples").mkdir()
    PIL.Image.fromarray(np.uint8(photo[:160, :224])).save(models / "samples" / "sky1024px.jpg", quality=95)
    PIL.Image.fromarray(np.uint8(photo[76:, 131:])).save(models / "samples" / "flowers.jpg", quality=95)
    return tmp_path, sha1_of(googlenet[1])


@pytest.mark.parametrize("code", examples())
def test_example_runs_as_written(code, checkout):
    folder, sha1 = checkout
    stand_in = ("import dream.download\n"
                "dream.download.REGISTRY['bvlc_googlenet']['files']['bvlc_googlenet.caffemodel']['sha1'] = "
                f"{sha1!r}\n")
    out = subprocess.run([sys.executable, "-c", stand_in + code], cwd=folder, capture_output=True, text=True,
                         env={**os.environ, "DREAM_MODELS": str(folder / "models")}, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert list(folder.glob("*.jpg")) or "save_image" not in code  # what it wrote is there
