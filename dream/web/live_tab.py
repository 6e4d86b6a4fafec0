"""The Live tab: the browser's camera dreamed as it moves. The page sends a camera frame whenever the last one
has come back dreamed, so the frame dreamed is always the newest and nothing queues; the dreamed frame comes
back as a JPEG inside the page (no file per frame on the server), with the frame rate and the latency."""
import base64
import io
import time

import numpy as np

from ..video.live import LIVE, working_size
from .controls import checked_layer, checked_number, layer_picker
from .jobs import one_sentence

STREAM_EVERY_S = 0.1  # how often the page sends the newest camera frame (measured: every 0.05 s, the page's own
# encoding took the cores from the dream, 4.2 frames/s against 5.5)
JPEG_QUALITY = 85
WAITING = '<div class="live-waiting">Allow the camera and press its record button: the dream appears here.</div>'


def live_tab(seats, layers, pictures):
    """The tab, its camera streamed to live_frame; returns what frees a closed page's seat."""
    import gradio as gr
    with gr.Tab("Live"):
        with gr.Row():
            with gr.Column(scale=2):
                camera = gr.Image(label="Camera", sources=["webcam"], streaming=True, type="numpy",
                                  elem_id="camera", height=240)
                controls = [gr.Slider(*p.page, p.default, step=1 if p.kind is int else 0.1, label=p.label,
                                      info=p.help) for p in LIVE]
                layer = layer_picker(pictures, layers, "live-layers", "live-layer", seats.served.model.guide_layer)
            with gr.Column(scale=3):
                shown = gr.HTML(WAITING, elem_id="live-result", elem_classes=["dream-result"])
                stats = gr.Textbox("", label="Speed", interactive=False, elem_id="live-stats")
    camera.stream(live_frame(seats), [camera, layer, *controls], [shown, stats], stream_every=STREAM_EVERY_S,
                  concurrency_limit=None, concurrency_id="live", show_progress="hidden", api_name="live")

    def leave(request: gr.Request):
        seats.leave(request.session_hash)
    return leave


def live_frame(seats):
    """The handler of each camera frame: the viewer's seat, the controls checked, the frame dreamed."""
    import gradio as gr

    def frame(camera, layer, strength, octaves, steps, width, keep, request: gr.Request):  # LIVE's order
        if camera is None:
            return WAITING, ""
        arrived = time.monotonic()
        with one_sentence():
            settings = checked_live(seats.served.net, layer, strength, octaves, steps, width, keep)
            seat = seats.take(request.session_hash)
            dreamed = seats.dream(seat, np.ascontiguousarray(camera[..., :3], dtype=np.uint8), settings)
        done = time.monotonic()
        seat.meter.add(done - arrived, done)
        h, w = working_size(*camera.shape[:2], settings["width"])
        return picture(dreamed), (f"{seat.meter.words()} · dreamed at {w}x{h}, shown at {camera.shape[1]}x"
                                  f"{camera.shape[0]} · {plural(settings['octaves'], 'scale')} x "
                                  f"{plural(settings['steps'], 'step')}")
    return frame


def checked_live(net, layer, *values):
    """The page's layer and sliders (LIVE's order), checked: LiveSettings' fields."""
    settings = {p.name: checked_number(p.label, value, *p.page, p.kind) for p, value in zip(LIVE, values)}
    return dict(settings, layer=checked_layer(net, layer))


def plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def picture(frame):
    """The dreamed frame as an <img> of its JPEG, inline."""
    import PIL.Image
    out = io.BytesIO()
    PIL.Image.fromarray(frame).save(out, "JPEG", quality=JPEG_QUALITY)
    data = base64.b64encode(out.getvalue()).decode()
    return f'<img id="live-frame" alt="the dreamed camera frame" src="data:image/jpeg;base64,{data}">'

