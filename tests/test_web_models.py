"""The web app's model picker, in headless Chromium: a server offering two models (their real architectures,
seeded random weights, under DREAM_MODELS); picking the other one brings its layer pictures and names, and
its dream downloads with the bytes python -m dream --model makes."""
import os
import subprocess
import sys
import time

import pytest

from web_app import (MAX_MEMORY, astronaut_file, download, metadata, open_page, start_server, stop_server,
                     sync_api, upload)
from tests_support import save_random_weights

from dream.download import REGISTRY
from dream.models import named_model

SERVED, OTHER = "googlenet_places365", "resnet50"


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    for name in (SERVED, OTHER):
        (folder / name).mkdir()
        save_random_weights(named_model(name).prototxt, folder / name / REGISTRY[name]["weights"])
    return folder


@pytest.fixture(scope="module")
def server(models_dir, tmp_path_factory):
    env = dict(os.environ, DREAM_MODELS=str(models_dir))
    proc, url, _ = start_server(None, tmp_path_factory.mktemp("gallery"), "--model", SERVED, "--max-memory", MAX_MEMORY,
                                env=env)
    yield url, env
    stop_server(proc)


def test_the_model_picker_brings_the_other_models_layers_and_dreams_as_the_cli(server, browser, tmp_path):
    url, env = server
    page = open_page(browser, url)
    sync_api.expect(page.locator("#layer input")).to_have_value("inception_4c/output")  # the served model's
    page.locator("#model input").click()
    page.get_by_role("option", name=OTHER).click()
    started = time.time()
    sync_api.expect(page.locator("#layer input")).to_have_value("res4f", timeout=180_000)  # its own default
    print(f"{OTHER} loaded, its layer pictures made: {time.time() - started:.1f} s")
    page.locator("#layers").get_by_text("res3d", exact=True).click()  # its pictures, captioned by name
    sync_api.expect(page.locator("#layer input")).to_have_value("res3d")
    page.screenshot(path=os.environ.get("DREAM_PICKER_SCREENSHOT", str(tmp_path / "picker.png")), full_page=True)
    photo = astronaut_file(tmp_path)
    upload(page, "photo", photo)
    page.locator("#dream").click()
    data = download(page, "download")
    meta = metadata(data)
    assert (meta["model"], meta["layer"]) == (OTHER, "res3d")
    out = tmp_path / "cli.png"
    r = subprocess.run([sys.executable, "-m", "dream", str(photo), "-o", str(out), "--model", OTHER, "--layer", "res3d",
                        "--seed", str(meta["seed"])], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == data  # the page's dream, byte for byte: the model's own mean and net


def test_a_model_the_server_cannot_offer_is_one_line(models_dir, tmp_path):
    r = subprocess.run([sys.executable, "-m", "dream", "serve", "--model", SERVED, "--models", "resnet50,vgg16",
                        "--port", "9", "--cache", str(tmp_path)], capture_output=True, text=True,
                       env=dict(os.environ, DREAM_MODELS=str(models_dir)), timeout=120)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "--models: weights not found" in r.stderr and "python -m dream download vgg16" in r.stderr
