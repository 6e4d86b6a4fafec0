"""The Live tab as a person uses it, in Debian's Chromium with a fake camera: a clip made here, each frame
carrying its number in a row of black and white blocks (a barcode the dream does not erase), so that each
dreamed frame the page shows is matched to the camera frame it came from and to when the page sent it.

Latency is measured on the page: from the moment the page sent a camera frame (its fetch) to the moment the
dream of that very frame appeared (a MutationObserver on the image), both on the page's own clock."""
import base64
import io
import time

import cv2
import numpy as np
import PIL.Image

BITS, BLOCK = 8, 16  # the barcode: 8 blocks of 16 px at the frame's top left, frame number mod 256

# Recorded on the page from its first script on: when each camera frame went out (and its JPEG), and when
# each dreamed frame was shown (and its JPEG).
TIMING_JS = """
window.__sent = []; window.__shown = [];
const sendFetch = window.fetch;
window.fetch = function(input, init) {
  const url = typeof input === "string" ? input : input.url;
  if ((url.includes("/stream/") || url.includes("/queue/join")) && init && typeof init.body === "string"
      && init.body.includes("data:image")) window.__sent.push([performance.now(), init.body]);
  return sendFetch.apply(this, arguments);
};
new MutationObserver(() => {
  const img = document.querySelector("#live-frame");
  if (img && img.src !== window.__lastShown) {
    window.__lastShown = img.src; window.__shown.push([performance.now(), img.src]);
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["src"]});
"""


def numbered(frame, index):
    """frame (uint8 RGB) with index's barcode drawn in."""
    out = frame.copy()
    for bit in range(BITS):
        out[:BLOCK, bit * BLOCK:(bit + 1) * BLOCK] = 255 if index >> bit & 1 else 0
    return out


def frame_number(img, mirrored=True):
    """The barcode's number in a frame the page sent or showed (the page mirrors the camera, as a mirror
    does: the code is then at the top right, reversed)."""
    img = np.fliplr(img) if mirrored else img
    centres = [img[BLOCK // 4:3 * BLOCK // 4, bit * BLOCK + BLOCK // 4:(bit + 1) * BLOCK - BLOCK // 4].mean()
               for bit in range(BITS)]
    return sum(1 << bit for bit, value in enumerate(centres) if value > 128)


def camera_clip(path, n=100, size=(640, 360), fps=25):
    """A y4m clip Chromium plays as its camera (in a loop, every 4 s): scikit-image's astronaut, panned,
    numbered."""
    import skimage.data
    src, (w, h) = skimage.data.astronaut(), size
    frames = []
    for i in range(n):
        crop = src[40 + i // 2:40 + i // 2 + 9 * 40, 20 + i:20 + i + 16 * 40]
        frames.append(numbered(np.ascontiguousarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA)), i))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            f.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return frames


def launch_with_camera(playwright, clip):
    """Chromium whose camera plays `clip`, allowed without asking."""
    from web_app import CHROMIUM, FLAGS
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}"])


def open_live(browser, url, login=None):
    """A page on the Live tab, the timing script in it from the start."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["camera"])
    context.add_init_script(TIMING_JS)
    page = context.new_page()
    page.goto(url)
    if login:
        from web_app import log_in
        log_in(page, *login)
    page.locator("#dream").wait_for()
    page.get_by_role("tab", name="Live").click()
    return page


def start_camera(page):
    """Allow the camera and press its record button (Gradio's streaming webcam labels it 'capture photo')."""
    page.get_by_text("Click to Access Webcam").click()
    page.get_by_label("capture photo").click()


def stop_camera(page):
    """Press the record button again (it reads Stop while streaming)."""
    button = page.get_by_label("capture photo")
    assert button.inner_text().strip() == "Stop", button.inner_text()
    button.click()


def data_image(url_or_body):
    """The first JPEG data URL in a string, decoded to uint8 RGB."""
    start = url_or_body.index("data:image")
    data = url_or_body[url_or_body.index(",", start) + 1:]
    data = data[:next((i for i, c in enumerate(data) if c in '"\\'), len(data))]
    return np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))


def measure(page, seconds):
    """What the page did over `seconds` from now: {fps, latencies (s), shown: [(time s, number, dreamed image,
    the camera frame it came from as sent)]}."""
    page.evaluate("window.__sent = []; window.__shown = []")
    time.sleep(seconds)
    sent, shown = page.evaluate("[window.__sent, window.__shown]")
    sent = [(t / 1000, data_image(body)) for t, body in sent]
    sent = [(t, frame_number(img), img) for t, img in sent]
    frames, latencies = [], []
    for t, src in shown:
        img = data_image(src)
        number = frame_number(img)
        # the frame it dreamed: the last one of that number the page had sent (the clip loops every 4 s)
        source = [(ts, im) for ts, n, im in sent if n == number and ts < t / 1000]
        if source:
            latencies.append(t / 1000 - source[-1][0])
            frames.append((t / 1000, number, img, source[-1][1]))
    return {"fps": len(shown) / seconds, "latencies": latencies, "shown": frames, "sent": len(sent)}


def speed_text(page):
    return page.locator("#live-stats textarea").input_value()


def summary(result):
    lat = result["latencies"] or [float("nan")]
    return (f"{result['fps']:.1f} frames/s shown, latency median {np.median(lat):.2f} s, max {max(lat):.2f} s "
            f"({len(result['shown'])} frames matched, {result['sent']} sent)")

