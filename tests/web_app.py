"""What the browser tests share: python -m dream serve on the random-weight GoogLeNet, Debian's
headless Chromium driven by Playwright, and the CLI run that must re-make what the page made."""
import io
import shutil
import subprocess
import sys
import threading
import time

import PIL.Image
import pytest

# Gradio 5 needs Python 3.10: on Debian 11 (3.9), the one platform without it, the web app is not
# installed (pyproject's web extra), and its tests, which import this module, say why they skip.
if sys.version_info < (3, 10):
    pytest.skip("the web app needs Gradio 5, which needs Python 3.10", allow_module_level=True)
pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own calls home are refused on a closed network, many at a time: none of them
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
MAX_UPLOAD = "1M"
MAX_MEMORY = "1500M"  # the photos here fit whole, test_web's 1280x960 one only in tiles
DREAM_TIMEOUT_MS = 180_000


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(googlenet, cache, *flags, env=None):
    """(process, url, port) of a running python -m dream serve (its stderr lines in process.lines); prints
    how long the start took. googlenet: (prototxt, weights), or None where flags name a --model (and env
    its DREAM_MODELS)."""
    port = free_port()
    model = ["--prototxt", str(googlenet[0]), "--weights", str(googlenet[1])] if googlenet else []
    proc = subprocess.Popen([sys.executable, "-m", "dream", "serve", "--port", str(port), "--cache", str(cache),
                             *model, *flags], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    lines = []
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    started = time.time()
    while not any("serving on" in line for line in lines):
        assert proc.poll() is None and time.time() - started < 180, "".join(lines)
        time.sleep(0.1)
    print(f"server start, layer pictures included: {time.time() - started:.1f} s")
    proc.lines = lines  # what it has said on stderr, and goes on saying
    return proc, f"http://127.0.0.1:{port}", port


def stop_server(proc):
    proc.terminate()
    proc.wait(timeout=30)


def launch_chromium(playwright):
    assert shutil.which(CHROMIUM), "Debian's chromium is not installed: scripts/setup.sh test installs it"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def open_page(browser, url, requests=None, tab=None):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    started = time.time()
    page.goto(url)
    page.locator("#dream").wait_for()
    print(f"page load: {time.time() - started:.2f} s")
    if tab:
        page.get_by_role("tab", name=tab).click()
    return page


def log_in(page, user, password):
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()


def astronaut_file(folder, name="photo.png", size=(224, 168), corner=(100, 150)):
    """A crop of scikit-image's astronaut at corner (y, x), or all of it resized when size is larger."""
    import skimage.data
    path = folder / name
    img, (y, x), (w, h) = PIL.Image.fromarray(skimage.data.astronaut()), corner, size
    fits = y + h <= img.height and x + w <= img.width
    (img.crop((x, y, x + w, y + h)) if fits else img.resize(size, PIL.Image.BICUBIC)).save(path, quality=90)
    return path


def set_number(page, label, value):
    """Type into a slider's or number field's box (its accordion opened first). A box that has just
    appeared can lose its first value to the page's own first render: type until it holds."""
    box = page.get_by_label(f"number input for {label}", exact=True).or_(page.get_by_label(label, exact=True))
    box = box.filter(visible=True).first  # the open tab's: the tabs share labels
    for _ in range(20):
        box.fill(str(value))
        box.blur()  # the slider takes the value when the box loses focus
        time.sleep(0.1)
        if float(box.input_value()) == float(value):
            return
    raise AssertionError(f"{label} does not take {value}: it shows {box.input_value()}")


def open_accordion(page, title):
    page.get_by_text(title, exact=True).filter(visible=True).first.click()


def names(box, name, timeout_s):
    """Whether the box shows the file name within timeout_s. Gradio's file box may show a name as its stem
    and its extension apart ('photo', '.png': a stem it can shorten where the box is narrow), so the text
    is read with its line breaks taken out."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if name in "".join(box.inner_text().split("\n")):
            return True
        time.sleep(0.2)
    return False


def upload(page, elem_id, path):
    """Choose the file, and wait until the box names it (uploaded: a click now sends it). A choice
    made while the page re-renders the box (an accordion just opened) can be lost: choose again. A
    slow upload is not lost: the box then shows the file instead of its input, and is waited for."""
    for _ in range(5):
        chooser = page.locator(f"#{elem_id} input[type=file]")
        if chooser.count():
            chooser.set_input_files(str(path))
        if names(page.locator(f"#{elem_id}"), path.name, timeout_s=6):
            return
    box = page.locator(f"#{elem_id}")
    raise AssertionError(f"#{elem_id} does not take {path.name}; it shows {box.inner_text()!r}, "
                         f"{page.locator(f'#{elem_id} input[type=file]').count()} file inputs")


def download(page, elem_id, index=0, timeout_ms=DREAM_TIMEOUT_MS):
    """The bytes of the index-th file the #elem_id download box offers, once it offers one."""
    link = page.locator(f"#{elem_id} a").nth(index)
    link.wait_for(timeout=timeout_ms)
    return page.request.get(link.get_attribute("href")).body()


def metadata(data):
    """The parameters save_image wrote into a PNG's or JPEG's bytes."""
    from dream.images import read_metadata
    return read_metadata(io.BytesIO(data))


def cli(googlenet, *args):
    """python -m dream ARGS on the same weights; the process's result."""
    prototxt, weights = googlenet
    r = subprocess.run([sys.executable, "-m", "dream", *map(str, args), "--prototxt", str(prototxt),
                        "--weights", str(weights)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r


def remake(googlenet, photo, meta, out, *extra):
    """The CLI's output for the parameters in a result's metadata: what the page promises."""
    cli(googlenet, photo, "-o", out, "--layer", meta["layer"], "--octaves", meta["octaves"], "--iters",
        meta["iters"], "--step-size", repr(meta["step_size"]), "--jitter", meta["jitter"], "--seed", meta["seed"],
        *extra)
    return out.read_bytes()
