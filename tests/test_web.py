"""python -m dream serve's Dream tab in headless Chromium, on the random-weight GoogLeNet: upload, pick
a layer by its picture, dream, download what the CLI re-makes byte for byte; two pages at once;
cancel; bad input as one sentence; loopback only, nothing outside its folder served; a photo over
the memory budget dreamed in tiles."""
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import PIL.Image
import pytest

from web_app import (MAX_MEMORY, MAX_UPLOAD, astronaut_file, download, metadata, open_accordion, open_page,
                     remake, set_number, start_server, stop_server, sync_api, upload)

psutil = pytest.importorskip("psutil")


@pytest.fixture(scope="module")
def server(googlenet, tmp_path_factory):
    cache = tmp_path_factory.mktemp("gallery")
    proc, url, port = start_server(googlenet, cache, "--max-upload", MAX_UPLOAD, "--max-memory", MAX_MEMORY)
    yield proc, url, port, cache
    stop_server(proc)


def pick(page, layer):
    """Click the layer's picture in the gallery (captioned '3b' for inception_3b/output); the layer field follows."""
    page.locator("#layers").get_by_text(layer.split("_")[1].split("/")[0], exact=True).click()
    sync_api.expect(page.locator("#layer input")).to_have_value(layer)


def dream(page, photo):
    upload(page, "photo", photo)
    page.locator("#dream").click()
    return download(page, "download")


def test_upload_pick_a_layer_dream_and_download_what_the_cli_remakes(server, browser, googlenet, tmp_path):
    _, url, _, _ = server
    requests = []
    page = open_page(browser, url, requests)
    pick(page, "inception_3b/output")
    photo = astronaut_file(tmp_path)
    started = time.time()
    data = dream(page, photo)
    print(f"a default dream at 224x168 on inception_3b/output: {time.time() - started:.1f} s")
    meta = metadata(data)
    assert (meta["layer"], meta["octaves"], meta["iters"], meta["step_size"], meta["jitter"], meta["seed"],
            meta["input"]) == ("inception_3b/output", 4, 10, 1.5, 32, 0, "photo.png")
    assert data == remake(googlenet, photo, meta, tmp_path / "cli.png")  # python -m dream re-makes it
    assert page.locator("#status").inner_text().strip() == "done"  # the bar, full
    assert page.locator("#status progress").get_attribute("value") == "1.0000"
    assert page.locator("#photo-shown img").count() == 1  # the uploaded photo, shown as a picture
    assert all(u.startswith(url) or u.startswith("data:") or u.startswith("blob:") for u in requests), \
        [u for u in requests if not u.startswith(url)]
    page.screenshot(path=os.environ.get("DREAM_SCREENSHOT", str(tmp_path / "app.png")), full_page=True)  # README's


def test_two_pages_at_once_each_get_their_own_result_and_see_the_queue(server, browser, googlenet, tmp_path):
    _, url, _, _ = server
    first, second = open_page(browser, url), open_page(browser, url)
    pick(first, "inception_3b/output")
    pick(second, "inception_3a/output")
    photos = [astronaut_file(tmp_path, "first.png", (224, 168)), astronaut_file(tmp_path, "second.png", (200, 150), (50, 60))]
    for page, photo in zip((first, second), photos):
        upload(page, "photo", photo)
    first.locator("#dream").click()
    second.locator("#dream").click()
    second.get_by_text("queue:").first.wait_for(timeout=30_000)  # its place in the queue, while the first dreams
    for page, photo, layer in zip((first, second), photos, ("inception_3b/output", "inception_3a/output")):
        data = download(page, "download")
        meta = metadata(data)
        assert (meta["input"], meta["layer"]) == (photo.name, layer)
        assert data == remake(googlenet, photo, meta, tmp_path / f"cli-{photo.name}")


def test_cancel_stops_the_dream_and_the_next_one_runs(server, browser, tmp_path):
    _, url, _, _ = server
    page = open_page(browser, url)  # inception_4c/output: a 512x384 photo's 4 x 99 steps take a minute here
    open_accordion(page, "The notebook's parameters")
    set_number(page, "Steps per octave", 99)
    upload(page, "photo", astronaut_file(tmp_path, size=(512, 384), corner=(64, 0)))
    page.locator("#dream").click()
    sync_api.expect(page.locator("#status")).to_contain_text(
        re.compile("octave 1 of 4, step .* of 99 · about .* left"), timeout=60_000)
    page.locator("#cancel").click()
    sync_api.expect(page.locator("#status")).to_have_text("cancelled")
    time.sleep(3)  # a dream that went on would report its steps here
    assert page.locator("#status").inner_text().strip() == "cancelled"
    set_number(page, "Steps per octave", 1)
    page.locator("#dream").click()  # the net is free again at once
    assert metadata(download(page, "download"))["iters"] == 1


def test_a_dream_cancelled_in_the_queue_never_runs(server, browser, tmp_path):
    _, url, _, _ = server
    first, second = open_page(browser, url), open_page(browser, url)
    for page in (first, second):
        open_accordion(page, "The notebook's parameters")
        set_number(page, "Steps per octave", 99)
        upload(page, "photo", astronaut_file(tmp_path, size=(512, 384), corner=(64, 0)))
    first.locator("#dream").click()
    sync_api.expect(first.locator("#status")).to_contain_text(re.compile("octave 1 of 4"), timeout=60_000)
    second.locator("#dream").click()
    second.get_by_text("queue:").first.wait_for(timeout=30_000)
    second.locator("#cancel").click()
    sync_api.expect(second.locator("#status")).to_have_text("cancelled")
    first.locator("#cancel").click()
    sync_api.expect(first.locator("#status")).to_have_text("cancelled")
    time.sleep(3)  # the second page's dream, had it run, would report its steps by now
    assert second.locator("#status").inner_text().strip() == "cancelled"
    assert "octave" not in second.locator("#status").inner_text()
    assert second.locator("#result img").count() == 0  # it never showed a preview


def test_a_corrupt_upload_is_one_sentence_and_the_next_one_works(server, browser, tmp_path):
    _, url, _, _ = server
    page = open_page(browser, url)
    good = astronaut_file(tmp_path)
    bad = tmp_path / "bad.png"
    bad.write_bytes(good.read_bytes()[:300])
    upload(page, "photo", bad)
    page.locator("#dream").click()
    page.get_by_text("The photo: cannot read image").first.wait_for(timeout=30_000)
    assert "Traceback" not in page.content()
    pick(page, "inception_3a/output")
    page.locator("#photo button[aria-label='Clear']").first.click()
    assert PIL.Image.open(io.BytesIO(dream(page, good))).size == (224, 168)


def test_an_upload_over_the_limit_is_refused_in_the_page(server, browser, tmp_path):
    import numpy as np
    _, url, _, _ = server
    page = open_page(browser, url)
    big = tmp_path / "big.png"
    PIL.Image.fromarray(np.random.RandomState(0).randint(0, 256, (800, 800, 3), np.uint8)).save(big)  # 1.9 MB
    page.locator("#photo input[type=file]").set_input_files(str(big))
    page.get_by_text("exceed the maximum allowed size").first.wait_for(timeout=30_000)


def test_bad_numbers_layers_and_a_too_small_photo_are_one_sentence(server, tmp_path):
    """Through Gradio's API, which sends what the page's sliders would not, NaN included."""
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError
    _, url, _, _ = server
    client = Client(url, verbose=False)
    photo = astronaut_file(tmp_path)
    good = dict(photo=handle_file(str(photo)), layer="inception_3a/output", octaves=1, iters=1, step_size=1.5,
                jitter=32, seed=0, guide=None, mask=None, feather=8)
    tiny = dict(photo=handle_file(str(astronaut_file(tmp_path, "tiny.png", (40, 30)))), layer="inception_4c/output",
                octaves=4)
    for change, words in [(dict(step_size=1e9), "greater than maximum value 10"),
                          (dict(octaves=2.5), "Octaves must be a whole number, not 2.5."),
                          (dict(seed=-1), "less than minimum value 0"),
                          (dict(layer="inception_4z/output"), "Unknown layer 'inception_4z/output'; did you mean"),
                          (tiny, "use a larger image, fewer octaves, or an earlier layer.")]:
        with pytest.raises(AppError) as e:
            client.predict(*dict(good, **change).values(), api_name="/dream")
        assert words in str(e.value) and "\n" not in str(e.value) and "Traceback" not in str(e.value), e.value
    # NaN is not JSON, so no client sends it; Python's json module does, and the server reads it
    upload = upload_file(url, photo)
    data = list(dict(good, photo={"path": upload, "meta": {"_type": "gradio.FileData"}, "orig_name": photo.name},
                     step_size=float("nan")).values())
    event = json.loads(urllib.request.urlopen(urllib.request.Request(
        url + "/gradio_api/call/dream", json.dumps({"data": data}).encode(),
        {"Content-Type": "application/json"})).read())["event_id"]
    answer = urllib.request.urlopen(f"{url}/gradio_api/call/dream/{event}").read().decode()
    assert "event: error" in answer and "Step size must be a number, not nan." in answer, answer
    assert metadata(open(client.predict(*good.values(), api_name="/dream")[1], "rb").read())["iters"] == 1


def upload_file(url, path):
    """The server's path of a file uploaded as the page uploads it (httpx comes with Gradio)."""
    import httpx
    with open(path, "rb") as f:
        upload, = httpx.post(url + "/gradio_api/upload", files={"files": (path.name, f)}).json()
    return upload


def test_the_server_listens_on_loopback_only(server):
    proc, _, _, _ = server
    listening = [c for c in psutil.Process(proc.pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening), listening


def test_nothing_outside_its_folder_can_be_read(server, googlenet):
    _, url, _, cache = server
    picture = next(cache.rglob("*.jpg"))
    for path in ["/etc/passwd", str(googlenet[1]), str(picture), os.path.abspath("README.md")]:
        for route in ("/gradio_api/file=", "/file="):
            try:
                with urllib.request.urlopen(url + route + urllib.parse.quote(path)) as r:
                    assert False, f"{route}{path} answered {r.status}"
            except urllib.error.HTTPError as e:
                assert e.code in (403, 404), (path, e.code)


def test_the_servers_tile_margin_tiles_every_dream_as_the_clis_does(server, googlenet, tmp_path):
    from gradio_client import Client, handle_file
    _, _, _, cache = server
    proc, url, _ = start_server(googlenet, cache, "--tile-margin", "32")
    try:
        photo = astronaut_file(tmp_path)
        _, result, _, status = Client(url, verbose=False).predict(
            handle_file(str(photo)), "inception_3b/output", 2, 2, 1.5, 32, 0, None, None, 8, api_name="/dream")
    finally:
        stop_server(proc)
    assert status == "done, 2 of 2 octaves in tiles with margin 32 (--tile-margin)", status
    data = open(result, "rb").read()
    assert metadata(data)["tile_margin"] == 32
    assert data == remake(googlenet, photo, metadata(data), tmp_path / "cli.png", "--tile-margin", 32)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_server_deletes_the_uploads(server, googlenet, tmp_path, how):
    _, _, _, cache = server
    proc, url, _ = start_server(googlenet, cache)
    try:
        upload = upload_file(url, astronaut_file(tmp_path))
        work_dir = Path(upload).parents[1]
        assert Path(upload).is_file() and work_dir.name.startswith("dream-serve-"), upload
    finally:
        proc.send_signal(how)  # a service manager's stop, or Ctrl+C
        assert proc.wait(timeout=30) == 0
    assert not work_dir.exists()


@pytest.mark.parametrize("port", ["70000", "taken"])
def test_a_port_that_cannot_be_had_is_one_line(server, googlenet, port):
    prototxt, weights = googlenet
    _, _, taken, cache = server
    r = subprocess.run([sys.executable, "-m", "dream", "serve", "--port", str(taken if port == "taken" else port),
                        "--cache", str(cache), "--prototxt", str(prototxt), "--weights", str(weights)],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("dream: error:") and "--port" in r.stderr, r.stderr


def test_a_photo_over_the_memory_budget_is_dreamed_in_tiles_as_the_cli_dreams_it_whole(server, browser, googlenet,
                                                                                        tmp_path):
    """Last in this file: a large dream leaves Caffe's blobs large, and the server's memory with them."""
    _, url, _, _ = server
    page = open_page(browser, url)
    pick(page, "inception_3b/output")
    open_accordion(page, "The notebook's parameters")
    set_number(page, "Octaves", 2)
    set_number(page, "Steps per octave", 2)
    photo = astronaut_file(tmp_path, "large.jpg", (1280, 960))  # too big for the budget whole
    data = dream(page, photo)
    assert "octaves in tiles to fit the memory budget" in page.locator("#status").inner_text()
    assert data == remake(googlenet, photo, metadata(data), tmp_path / "cli.png")  # untiled: the same bytes
