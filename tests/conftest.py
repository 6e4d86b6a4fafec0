"""Fixtures: the real GoogLeNet architecture with seeded random weights, and real photos."""
import os
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "3")
import dream  # noqa: E402,F401  (sets Caffe's BLAS threads before caffe is imported)

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import skimage.data  # noqa: E402

import caffe  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PROTOTXT = REPO / "dream" / "model_definitions" / "bvlc_googlenet" / "deploy.prototxt"


@pytest.fixture(scope="session")
def googlenet(tmp_path_factory):
    """(prototxt, caffemodel) of GoogLeNet with xavier-filled weights from seed 0, saved once."""
    caffe.set_mode_cpu()
    caffe.set_random_seed(0)
    net = caffe.Net(str(PROTOTXT), caffe.TEST)
    weights = tmp_path_factory.mktemp("googlenet") / "random_googlenet.caffemodel"
    net.save(str(weights))
    return PROTOTXT, weights


@pytest.fixture
def load(googlenet):
    """A fresh dream.load_net on the random-weight GoogLeNet for each call."""
    import dream
    return lambda: dream.load_net(*googlenet)


@pytest.fixture(scope="session")
def photo():
    """A real photo small enough for quick runs: scikit-image's cat (Chelsea), 300x451, RGB."""
    return np.float32(skimage.data.chelsea())


@pytest.fixture(scope="session")
def small_photo(photo):
    """A real photo cropped to 160x200, for many-step tests."""
    return np.ascontiguousarray(photo[60:220, 120:320])


@pytest.fixture
def photo_file(tmp_path, photo):
    import PIL.Image
    path = tmp_path / "chelsea.jpg"
    PIL.Image.fromarray(np.uint8(photo)).save(path, quality=95)
    return path


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium, driven by Playwright (tests/web_app.py), one for the session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from web_app import launch_chromium
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium):
    """The session's Chromium; the pages a test opened are closed after it (an open page of a
    stopped server keeps reconnecting, and takes the cores from the tests after it)."""
    yield chromium
    for context in chromium.contexts:
        context.close()
