"""Live dreaming: frames per second and latency at three working sizes, how steady the picture is, what the
source's detail adds, and (--browser) the same through the web app's Live tab in Chromium with a fake camera.

    .venv/bin/python benchmarks/bench_live.py [--gpu ID] [--seconds 8] [--browser]

Engine: a 640x360 clip (1280x720 with --gpu) played at its own pace (25 frames/s) through LiveSource, each
newest frame dreamed with the Live tab's defaults (inception_3b/output, 1 scale x 1 step, keep 0.9) at working
widths 320, 480 and 640 (640, 960, 1280 on a GPU): dreamed frames/s, latency from a frame's arrival to its dream
(median, max), source frames skipped. Flicker: the warping error (docs/video.md) of every frame of the clip
dreamed live (keep 0.9) against each dreamed afresh (keep 0), in grey levels. Detail: the mean |Laplacian| of
the output with the dream's change scaled up onto the source, against the dream itself scaled up, and the source.
--browser: python -m dream serve and Debian's Chromium on one machine, as a user's laptop runs them; the page's
own frames/s and latency (tests/live_page.py), and the server's memory and temporary files as it streams.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("GLOG_minloglevel", "3")

from bench_dream import googlenet_files  # noqa: E402
from dream.network.net import load_net  # noqa: E402
from dream.video.live import LiveDream, LiveSettings  # noqa: E402
from dream.video.live_io import LiveSource  # noqa: E402


def clip(path, width, height, frames=250, fps=25):
    """The astronaut, panned: a clip with motion everywhere."""
    import cv2
    import skimage.data
    from dream.video.io import VideoWriter
    src = skimage.data.astronaut()
    with VideoWriter(path, width, height, fps) as out:
        for i in range(frames):
            crop = src[40 + i // 4:40 + i // 4 + 270, 20 + i:20 + i + 480]
            out.write(np.ascontiguousarray(cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)))
    return path


def live_run(net, path, width, seconds):
    """(frames/s, latencies, skipped) of the clip played live for `seconds`, the newest frame dreamed each time."""
    live = LiveDream(net, LiveSettings(width=width))
    source = LiveSource(path)
    live.dream(np.zeros((source.height, source.width, 3), np.uint8))  # the net shaped once, as a viewer's first frame
    live = LiveDream(net, LiveSettings(width=width))
    latencies, began = [], time.monotonic()
    source.start()
    try:
        while time.monotonic() - began < seconds and (taken := source.next_frame()) is not None:
            live.dream(taken[1])
            latencies.append(time.monotonic() - taken[2])
    finally:
        source.close()
    return len(latencies) / (time.monotonic() - began), latencies, source.dropped


def steadiness(net, path, width, frames=40):
    """{keep: warping error} of the clip's first frames, each one dreamed (none skipped), and of the source."""
    from dream.video.coherence import warping_error
    from dream.video.io import VideoSource
    inputs = [f for _, f in zip(range(frames), VideoSource(path).frames())]
    errors = {"the source itself": warping_error(inputs, inputs)}
    for keep in (0.9, 0.0):
        live = LiveDream(net, LiveSettings(width=width, keep=keep))
        errors[f"keep {keep}"] = warping_error(inputs, [live.dream(f) for f in inputs])
    return errors, inputs


def detail(net, inputs, width):
    """Mean |Laplacian| of the 20th frame: dreamed with its change scaled up, the dream scaled up, the source."""
    from dream.video.coherence import fine_detail
    figures = {"source": fine_detail(inputs[19])}
    for name, on in (("change scaled up (detail)", True), ("dream scaled up", False)):
        live = LiveDream(net, LiveSettings(width=width, detail=on))
        figures[name] = fine_detail([live.dream(f) for f in inputs[:20]][-1])
    return figures


def browser(seconds, screenshot=None):
    """The Live tab in Chromium: the page's figures, the server's memory and temporary files."""
    import glob
    from playwright.sync_api import sync_playwright
    from live_page import camera_clip, launch_with_camera, measure, open_live, speed_text, start_camera, summary
    from web_app import start_server, stop_server
    prototxt, weights, _ = googlenet_files()
    work = Path(tempfile.mkdtemp())
    camera_clip(work / "camera.y4m")
    proc, url, _ = start_server((prototxt, weights), work / "gallery")

    def server_state():
        rss = int(Path(f"/proc/{proc.pid}/status").read_text().split("VmRSS:")[1].split()[0]) // 1024
        files = sum(len(f) for d in glob.glob(f"{tempfile.gettempdir()}/dream-serve-*") for _, _, f in os.walk(d))
        return f"server {rss} MB resident, {files} temporary files"
    try:
        with sync_playwright() as p:
            page = open_live(launch_with_camera(p, work / "camera.y4m"), url)
            start_camera(page)
            page.locator("#live-frame").wait_for(timeout=120_000)
            time.sleep(2)
            print(f"  after the first frames: {server_state()}")
            result = measure(page, seconds)
            print(f"  page: {summary(result)}")
            print(f"  the page says: {speed_text(page)}")
            from web_app import set_number
            set_number(page, "Detail: scales per frame", 2)
            time.sleep(2)
            print(f"  page, 2 scales a frame: {summary(measure(page, seconds))}")
            time.sleep(max(0.0, 30 - 2 * seconds))
            print(f"  after 30 s more of streaming: {server_state()}")
            if screenshot:  # the README's picture: a stronger dream, so that it shows at a glance
                set_number(page, "Strength", 4)
                set_number(page, "Detail: steps per frame", 2)
                time.sleep(8)
                page.screenshot(path=str(screenshot))
                print(f"  the page, dreaming at strength 4, 2 scales x 2 steps a frame: {screenshot}")
    finally:
        stop_server(proc)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--gpu", type=int, help="dream on this GPU (a CUDA build); 1280x720 frames")
    p.add_argument("--seconds", type=float, default=8.0, help="seconds of each live run")
    p.add_argument("--browser", action="store_true", help="also through the web app in Chromium (CPU)")
    p.add_argument("--screenshot", metavar="PNG", help="with --browser: save the page here (docs/live.png)")
    args = p.parse_args()
    prototxt, weights, which = googlenet_files()
    net = load_net(prototxt, weights, gpu=args.gpu)
    size, widths = ((1280, 720), (640, 960, 1280)) if args.gpu is not None else ((640, 360), (320, 480, 640))
    path = clip(Path(tempfile.mkdtemp()) / "clip.mp4", *size)
    device = f"GPU {args.gpu}" if args.gpu is not None else f"CPU ({os.cpu_count()} cores)"
    s = LiveSettings()
    print(f"live dreaming on {device}, {which}; a {size[0]}x{size[1]} clip at 25 frames/s; {s.layer}, "
          f"{s.octaves} scale(s) x {s.steps} step(s), keep {s.keep}")
    print(f"{'working size':>14} {'frames/s':>9} {'latency median':>15} {'max':>6} {'skipped':>8}")
    for width in widths:
        fps, latencies, skipped = live_run(net, path, width, args.seconds)
        h = round(size[1] * width / size[0])
        print(f"{f'{width}x{h}':>14} {fps:9.1f} {statistics.median(latencies):14.3f}s {max(latencies):5.2f}s "
              f"{skipped:8d}")
    errors, inputs = steadiness(net, path, widths[0])
    print(f"flicker (warping error, grey levels, {len(inputs)} frames, every one dreamed at {widths[0]} px): " +
          ", ".join(f"{name} {value:.2f}" for name, value in errors.items()))
    print("detail (mean |Laplacian| of frame 20): " +
          ", ".join(f"{name} {value:.2f}" for name, value in detail(net, inputs, widths[0]).items()))
    if args.browser:
        print(f"the Live tab in Chromium ({args.seconds:.0f} s measured on the page):")
        browser(args.seconds, args.screenshot)


if __name__ == "__main__":
    main()
