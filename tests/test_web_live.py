"""The Live tab as a person uses it: Debian's headless Chromium with a fake camera (a numbered clip made here,
tests/live_page.py), behind a login. Allow the camera, see each dreamed frame come back matched to the camera
frame it came from, change a control, stop; one viewer more than --max-live is told to try later, and a
viewer who leaves frees the seat."""
import time

import numpy as np
import pytest

from web_app import CHROMIUM, FLAGS, set_number, start_server, stop_server  # first: it skips where there is no Gradio
from live_page import camera_clip, measure, open_live, speed_text, start_camera, stop_camera, summary  # noqa: I100

USER, PASSWORD = "grace", "live and let dream"


@pytest.fixture(scope="module")
def server(googlenet, tmp_path_factory):
    proc, url, _ = start_server(googlenet, tmp_path_factory.mktemp("gallery"), "--auth", f"{USER}:{PASSWORD}",
                                "--max-live", "1")
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def camera(chromium, tmp_path_factory):
    """A second Chromium of the session's Playwright, whose camera plays the numbered clip."""
    clip = tmp_path_factory.mktemp("camera") / "camera.y4m"
    frames = camera_clip(clip)
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=FLAGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}"])
    browser.clip_frames = frames
    yield browser
    browser.close()


def live_page(camera, server):
    return open_live(camera, server, login=(USER, PASSWORD))


def test_the_camera_is_dreamed_as_it_moves_and_a_control_changes_it(camera, server):
    page = live_page(camera, server)
    try:
        start_camera(page)
        page.locator("#live-frame").wait_for(timeout=120_000)
        result = measure(page, 6)
        print(f"Live tab, 320 px working width: {summary(result)}; the page says: {speed_text(page)}")
        shown = result["shown"]
        assert len(shown) >= 5, summary(result)
        numbers = [number for _, number, _, _ in shown]
        forward = [(b - a) % 100 for a, b in zip(numbers, numbers[1:])]
        assert all(0 < step < 50 for step in forward), numbers  # always a newer frame: none queued
        for _, number, dreamed, sent in shown:
            change = np.abs(np.float32(dreamed) - sent)[32:].mean()  # below the barcode
            assert 0.5 < change < 40, (number, change)  # that very frame, dreamed
        assert "frames/s" in speed_text(page) and "dreamed at 320x180, shown at 640x360" in speed_text(page)

        set_number(page, "Detail: working width (px)", 480)
        deadline = time.time() + 60
        while "dreamed at 480x270" not in speed_text(page):
            assert time.time() < deadline, speed_text(page)
            time.sleep(0.2)

        stop_camera(page)
        time.sleep(1)
        count = page.evaluate("window.__shown.length")
        time.sleep(2)
        assert page.evaluate("window.__shown.length") == count  # stopped
    finally:
        page.context.close()


def test_one_viewer_too_many_is_told_so_and_a_viewer_who_leaves_frees_the_seat(camera, server):
    first = live_page(camera, server)
    start_camera(first)
    first.locator("#live-frame").wait_for(timeout=120_000)
    second = live_page(camera, server)
    try:
        start_camera(second)
        second.get_by_text("dreaming live already").first.wait_for(timeout=30_000)
        assert second.locator("#live-frame").count() == 0
        first.context.close()  # the first viewer leaves: the page closes
        second.reload()
        second.get_by_role("tab", name="Live").click()
        start_camera(second)
        second.locator("#live-frame").wait_for(timeout=60_000)
    finally:
        second.context.close()
