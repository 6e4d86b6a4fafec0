"""python -m dream serve in headless Chromium (Debian's, driven by Playwright), on the random-weight
GoogLeNet: upload, pick a layer by its picture, dream, download; a corrupt upload; loopback only."""
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import PIL.Image
import pytest

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")
psutil = pytest.importorskip("psutil")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own calls home are refused on a closed network, many at a time: none of them
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(googlenet, tmp_path_factory):
    prototxt, weights = googlenet
    port = free_port()
    cache = tmp_path_factory.mktemp("gallery")
    proc = subprocess.Popen([sys.executable, "-m", "dream", "serve", "--port", str(port), "--cache", str(cache),
                             "--prototxt", str(prototxt), "--weights", str(weights)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    started = time.time()
    while not any("serving on" in line for line in lines):
        assert proc.poll() is None and time.time() - started < 180, "".join(lines)
        time.sleep(0.1)
    print(f"first start, layer pictures included: {time.time() - started:.1f} s")
    yield proc, f"http://127.0.0.1:{port}", port, cache
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    assert shutil.which(CHROMIUM), "Debian's chromium is not installed: scripts/setup.sh test installs it"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def open_page(browser, url, requests=None):
    page = browser.new_page()
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    started = time.time()
    page.goto(url)
    page.locator("#dream").wait_for()
    print(f"page load: {time.time() - started:.2f} s")
    return page


def photo_file(tmp_path, name="photo.png", size=(224, 168)):
    import skimage.data
    path = tmp_path / name
    PIL.Image.fromarray(skimage.data.astronaut()[100:100 + size[1], 150:150 + size[0]]).save(path)
    return path


def pick(page, layer):
    """Click the layer's picture in the gallery; the layer field follows."""
    page.locator("#layers").get_by_text(layer, exact=True).click()
    sync_api.expect(page.locator("#layer input")).to_have_value(layer)


def dream_and_download(page, path):
    page.locator("#photo input[type=file]").set_input_files(str(path))
    page.locator("#dream").click()
    link = page.locator("#download a").first
    link.wait_for(timeout=120_000)
    return page.request.get(link.get_attribute("href")).body()


def test_upload_pick_a_layer_dream_and_download(server, browser, tmp_path):
    _, url, _, _ = server
    requests = []
    page = open_page(browser, url, requests)
    pick(page, "inception_3b/output")
    started = time.time()
    data = dream_and_download(page, photo_file(tmp_path))
    print(f"a default dream at 224x168: {time.time() - started:.1f} s")
    out = PIL.Image.open(io.BytesIO(data))
    assert out.size == (224, 168)
    meta = json.loads(out.text["dream"])
    assert (meta["layer"], meta["octaves"], meta["iters"], meta["seed"], meta["input"]) == \
        ("inception_3b/output", 4, 10, 0, "photo.png")
    assert all(u.startswith(url) or u.startswith("data:") or u.startswith("blob:") for u in requests), \
        [u for u in requests if not u.startswith(url)]
    page.screenshot(path=os.environ.get("DREAM_SCREENSHOT", str(tmp_path / "app.png")), full_page=True)  # README's


def test_a_corrupt_upload_is_one_sentence_and_the_next_one_works(server, browser, tmp_path):
    _, url, _, _ = server
    page = open_page(browser, url)
    good = photo_file(tmp_path)
    bad = tmp_path / "bad.png"
    bad.write_bytes(good.read_bytes()[:300])
    page.locator("#photo input[type=file]").set_input_files(str(bad))
    page.locator("#dream").click()
    error = page.get_by_text("cannot read image", exact=False).first
    error.wait_for(timeout=30_000)
    assert "Traceback" not in page.content()
    pick(page, "inception_3a/output")
    page.locator("#photo button[aria-label='Clear']").first.click()
    data = dream_and_download(page, good)
    assert PIL.Image.open(io.BytesIO(data)).size == (224, 168)


def test_the_server_listens_on_loopback_only(server):
    proc, _, _, _ = server
    listening = [c for c in psutil.Process(proc.pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening), listening


@pytest.mark.parametrize("port", ["70000", "taken"])
def test_a_port_that_cannot_be_had_is_one_line(server, googlenet, port):
    prototxt, weights = googlenet
    _, _, taken, cache = server
    r = subprocess.run([sys.executable, "-m", "dream", "serve", "--port", str(taken if port == "taken" else port),
                        "--cache", str(cache), "--prototxt", str(prototxt), "--weights", str(weights)],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("dream: error:") and "--port" in r.stderr, r.stderr
