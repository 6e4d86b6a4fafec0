"""python -m dream serve: how long a user waits, against the CLI doing the same dream.

    .venv/bin/python benchmarks/bench_web.py [--photo sky1024px.jpg] [--layer inception_4c/output]
        [--max-memory SIZE] [--loads 3]

Prints: the server's first start (the layer pictures made) and a start that reads them back;
a page load in Debian's headless Chromium until the Dream button shows (median of --loads);
the default dream (the notebook's parameters, seed 0) of the photo from the click on Dream to
the download link, against `python -m dream PHOTO --seed 0` in a fresh process (its start
and net load included), whether the two files are the same bytes, and the CPU time the
browser took meanwhile (it shares the cores with Caffe here, as on a user's own machine).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("GLOG_minloglevel", "3")

from bench_dream import googlenet_files, sky_photo  # noqa: E402
from dream.images import save_image  # noqa: E402
from web_app import download, launch_chromium, open_page, start_server, stop_server, upload  # noqa: E402


def chromium_cpu():
    """CPU seconds Chromium's processes have used: on one machine, they share the cores with Caffe."""
    import psutil
    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name():
                total += sum(proc.cpu_times()[:2])
        except psutil.Error:
            pass
    return total


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--photo")
    p.add_argument("--layer", default="inception_4c/output")
    p.add_argument("--max-memory")
    p.add_argument("--loads", type=int, default=3)
    args = p.parse_args()
    from playwright.sync_api import sync_playwright
    prototxt, weights, which = googlenet_files()
    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    name, img = sky_photo(args.photo)
    photo = work / (Path(name).name if Path(name).is_file() else "astronaut.png")
    shutil.copy(name, photo) if Path(name).is_file() else save_image(img, photo)
    print(f"{which}; photo {photo.name} {img.shape[1]}x{img.shape[0]}; layer {args.layer}; {os.cpu_count()} cores")
    flags = ["--max-memory", args.max_memory] if args.max_memory else []
    files = (prototxt, weights)

    started = time.time()
    proc, url, _ = start_server(files, work / "gallery", *flags)
    first = time.time() - started
    stop_server(proc)
    started = time.time()
    proc, url, _ = start_server(files, work / "gallery", *flags)
    again = time.time() - started
    print(f"server start: first {first:.1f} s (layer pictures made), again {again:.1f} s (read back): "
          f"the pictures take {first - again:.1f} s")
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            loads = []
            for _ in range(args.loads):
                started = time.time()
                page = open_page(browser, url)
                loads.append(time.time() - started)
            print(f"page load until the Dream button shows: median {statistics.median(loads):.2f} s of {loads}")
            page.locator("#layer input").fill(args.layer)
            page.locator("#layer input").press("Enter")
            upload(page, "photo", photo)
            started, browser_cpu = time.time(), chromium_cpu()
            page.locator("#dream").click()
            data = download(page, "download", timeout_ms=3 * 3600_000)
            app, browser_cpu = time.time() - started, chromium_cpu() - browser_cpu
            status = page.locator("#status textarea").input_value()
            browser.close()
    finally:
        stop_server(proc)
    started = time.time()
    subprocess.run([sys.executable, "-m", "dream", str(photo), "-o", str(work / "cli.png"), "--layer", args.layer,
                    "--seed", "0", "--prototxt", str(prototxt), "--weights", str(weights), *flags],
                   check=True, capture_output=True)
    cli = time.time() - started
    same = data == (work / "cli.png").read_bytes()
    print(f"default dream: app {app:.1f} s (click to download; {status}), CLI {cli:.1f} s (a fresh process): "
          f"app/CLI {app / cli:.2f}; same bytes: {same}; the browser's CPU time meanwhile: {browser_cpu:.1f} s")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
