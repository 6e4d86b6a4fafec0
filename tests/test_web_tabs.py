"""python -m dream serve beyond the plain dream, in headless Chromium on the random-weight GoogLeNet:
guide and mask, a class image from a typed name, the zoom loop's frames and mp4; each the bytes the
CLI makes from the parameters in its metadata."""
import io
import zipfile

import numpy as np
import PIL.Image
import pytest

from web_app import (astronaut_file, cli, download, metadata, open_accordion, open_page, remake,
                     set_number, start_server, stop_server, upload)


@pytest.fixture(scope="module")
def server(googlenet, tmp_path_factory):
    proc, url, _ = start_server(googlenet, tmp_path_factory.mktemp("gallery"))
    yield url
    stop_server(proc)


def test_guide_and_mask_make_what_the_cli_makes(server, browser, googlenet, tmp_path):
    page = open_page(browser, server)
    page.locator("#layer input").fill("inception_3b/output")
    page.locator("#layer input").press("Enter")
    open_accordion(page, "The notebook's parameters")
    set_number(page, "Steps per octave", 3)
    open_accordion(page, "Guide and mask")
    photo, guide = astronaut_file(tmp_path), astronaut_file(tmp_path, "guide.png", corner=(300, 0))
    mask = tmp_path / "mask.png"
    PIL.Image.fromarray(np.uint8(np.arange(224)[None, :, None].repeat(168, 0).repeat(3, 2) >= 112) * 255).save(mask)
    upload(page, "guide", guide)
    upload(page, "mask", mask)
    set_number(page, "Mask edge blur (px)", 4)
    upload(page, "photo", photo)
    page.locator("#dream").click()
    data = download(page, "download")
    meta = metadata(data)
    assert (meta["guide"], meta["mask"], meta["mask_feather"], meta["iters"]) == ("guide.png", "mask.png", 4, 3)
    assert data == remake(googlenet, photo, meta, tmp_path / "cli.png", "--guide", guide, "--mask", mask,
                          "--mask-feather", 4)
    out, before = np.asarray(PIL.Image.open(io.BytesIO(data)), np.float32), np.asarray(PIL.Image.open(photo), np.float32)
    assert np.abs(out - before)[:, :100].mean() < 0.1 * np.abs(out - before)[:, 124:].mean()  # black kept


def test_a_class_typed_and_picked_from_the_suggestions_draws_what_the_cli_draws(server, browser, googlenet, tmp_path):
    page = open_page(browser, server, tab="Class")
    page.locator("#classes input").fill("golden")
    page.get_by_role("option", name="golden retriever").click()  # the suggestion
    set_number(page, "Width", 224)
    set_number(page, "Height", 240)
    open_accordion(page, "More")
    page.locator("#class-iters input").fill("2")
    page.locator("#class-iters input").blur()
    page.locator("#draw").click()
    data = download(page, "class-download")
    meta = metadata(data)
    assert (meta["classes"], meta["size"], meta["iters"]) == ([[207, "golden retriever", 1.0]], [240, 224], [2] * 4)
    cli(googlenet, "class", "golden retriever", "--size", "224x240", "--iters", 2, "--seed", 0, "-o",
        tmp_path / "cli.png")
    assert data == (tmp_path / "cli.png").read_bytes()


def test_an_unknown_class_is_one_sentence(server, browser):
    from gradio_client import Client
    from gradio_client.exceptions import AppError
    with pytest.raises(AppError) as e:
        Client(server, verbose=False).predict(["golden retreiver"], 224, 224, 2, False, 0, None, api_name="/draw")
    assert "not in the list of choices" in str(e.value) or "did you mean golden retriever" in str(e.value), e.value


def test_the_zoom_tab_makes_the_clis_frames_and_an_mp4_of_them(server, browser, googlenet, tmp_path):
    """With a mask, as on the Dream tab: the frames are python -m dream --frames --mask's."""
    import av
    page = open_page(browser, server, tab="Zoom")
    page.locator("#zoom-layer input").fill("inception_3a/output")
    page.locator("#zoom-layer input").press("Enter")
    set_number(page, "Frames", 3)
    open_accordion(page, "The notebook's parameters")
    set_number(page, "Octaves", 2)
    set_number(page, "Steps per octave", 2)
    open_accordion(page, "Guide and mask")
    mask = tmp_path / "mask.png"
    PIL.Image.fromarray(np.uint8(np.arange(160)[None, :, None].repeat(120, 0).repeat(3, 2) >= 80) * 255).save(mask)
    upload(page, "zoom-mask", mask)
    photo = astronaut_file(tmp_path, size=(160, 120))
    upload(page, "zoom-photo", photo)
    page.locator("#zoom").click()
    frames_zip, video = download(page, "zoom-download", 0), download(page, "zoom-download", 1)
    cli(googlenet, photo, "-o", tmp_path / "cli", "--frames", 3, "--layer", "inception_3a/output", "--octaves", 2,
        "--iters", 2, "--seed", 0, "--mask", mask)
    with zipfile.ZipFile(io.BytesIO(frames_zip)) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".jpg"))
        assert names == [f"photo-frames/{i:04d}.jpg" for i in range(3)]
        for i, name in enumerate(names):
            assert (metadata(z.read(name))["frame"], metadata(z.read(name))["mask"]) == (i, "mask.png")
            assert z.read(name) == (tmp_path / "cli" / f"{i:04d}.jpg").read_bytes()
    (tmp_path / "zoom.mp4").write_bytes(video)
    with av.open(str(tmp_path / "zoom.mp4")) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 3 and frames[0].shape == (120, 160, 3)
    cli_frames = [np.asarray(PIL.Image.open(tmp_path / "cli" / f"{i:04d}.jpg"), np.float32) for i in range(3)]
    distance = np.array([[np.abs(f - c).mean() for c in cli_frames] for f in frames])
    print("mp4 frames against the CLI's frames, mean grey levels:", distance.round(1).tolist())
    assert (distance.argmin(1) == range(3)).all() and distance.diagonal().max() < 8, distance  # H.264: close
