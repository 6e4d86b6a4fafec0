"""python -m dream serve's web app (Gradio): upload a photo, pick a layer by its picture, watch it
dream, download the result with the metadata python -m dream writes.

One net serves every page: Caffe's net holds one input at a time, so dreams go through
Gradio's queue one at a time (each page sees its place in it). A dream runs in a thread of
its own and reports each step; the page gets the step and a preview every half second,
and a cancel stops the dream at its next step. Bad input comes back as one sentence in
the page, and the server keeps serving.
"""
import os
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .errors import DreamError, one_line

GALLERY_SIZE = (192, 144)  # the layer thumbnails' base image, W x H
PREVIEW_EVERY_S = 0.5


class Cancelled(Exception):
    pass


def layer_pictures(net, model_name, weights_sha1, cache_root):
    """[(thumbnail path, layer)] of the gallery's layers, dreamed once per model on a neutral image and
    kept under cache_root/weights_sha1 (a re-start reads them back)."""
    from .gallery import gallery_layers, tile_name
    from .images import save_image
    from .net import dream_layers
    from .octaves import deepdream
    folder = Path(cache_root) / (weights_sha1 or model_name)
    folder.mkdir(parents=True, exist_ok=True)
    w, h = GALLERY_SIZE
    base = np.float32(np.random.RandomState(0).uniform(100, 156, (h, w, 3)))  # grey noise: the layer's own patterns
    pictures = []
    for i, layer in enumerate(gallery_layers(dream_layers(net))):
        path = folder / tile_name(i, layer)
        if not path.exists():
            try:
                out = deepdream(net, base, iter_n=10, octave_n=3, end=layer, rng=np.random.RandomState(0))
            except DreamError:  # too deep for the small base: no picture, still listed
                continue
            save_image(out, path, {"layer": layer})
        pictures.append((str(path), layer))
    return pictures


def checked_number(name, value, low, high, kind=float):
    """value as kind within [low, high], or DreamError naming the field."""
    try:
        number = kind(value)
        finite = np.isfinite(float(value)) and float(value) == number
    except (TypeError, ValueError, OverflowError):
        finite = False
    if not finite:
        raise DreamError(f"{name} must be a {'whole ' if kind is int else ''}number, not {value!r}")
    if not low <= number <= high:
        raise DreamError(f"{name} must be between {low} and {high}, not {number}")
    return number


class DreamJob:
    """One dream in a thread of its own, its progress and latest image readable from another."""

    def __init__(self, run):
        self.status, self.preview, self.result, self.error = "waiting", None, None, None
        self.cancelled = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(run,), daemon=True)
        self.thread.start()

    def _run(self, run):
        try:
            self.result = run(self)
        except Cancelled:
            self.error = "cancelled"
        except DreamError as e:
            self.error = one_line(e)
        except MemoryError:
            self.error = "not enough memory for this photo; try a smaller one"

    def step(self, octave, octaves, i, iters, data):
        if self.cancelled.is_set():
            raise Cancelled
        self.status = f"octave {octave + 1} of {octaves}, step {i + 1} of {iters}"
        self.preview = data.copy()  # the net's input changes with the next step


def build_app(model, weights_sha1, net, pictures, work_dir, max_memory=None):
    """The gr.Blocks app; net: the loaded net every dream uses (one at a time, through the queue)."""
    import gradio as gr
    from .cli.common import DEFAULT_LAYER, DEFAULTS
    from .cli.runparams import run_params
    from .images import load_image, save_image
    from .net import deprocess, dream_layers
    from .octaves import deepdream
    layers = dream_layers(net)
    # The queue runs one dream at a time, but a cancelled dream's thread runs on to its next step
    # while the queue already starts the next one: the net takes them in turn.
    lock = threading.Lock()

    def dream(photo, layer, octaves, iters, step_size, jitter, seed):
        if not photo:
            raise gr.Error("Upload a photo first.", print_exception=False)
        try:
            if layer not in layers:
                raise DreamError(f"unknown layer {layer!r}")
            octaves = checked_number("Octaves", octaves, 1, 12, int)
            iters = checked_number("Steps per octave", iters, 1, 1000, int)
            step_size = checked_number("Step size", step_size, 0.01, 100)
            jitter = checked_number("Jitter", jitter, 0, 512, int)
            seed = checked_number("Seed", seed, 0, 2**32 - 1, int)
            img = load_image(photo)
        except DreamError as e:
            raise gr.Error(one_line(e), print_exception=False) from None
        name = Path(photo).stem

        def run(job):
            with lock:
                out = deepdream(net, img, iter_n=iters, octave_n=octaves, end=layer, step_size=step_size,
                                jitter=jitter, rng=np.random.RandomState(seed), max_memory=max_memory,
                                progress=lambda o, i, data: job.step(o, octaves, i, iters, data))
            args = SimpleNamespace(octaves=octaves, octave_scale=DEFAULTS["octave_scale"], iters=iters,
                                   step_size=step_size, jitter=jitter, exact_gradient=False, objective=None,
                                   frames=None)
            metadata = run_params(args, model, weights_sha1, Path(photo), None, layer, seed)  # the CLI's
            path = Path(tempfile.mkdtemp(dir=work_dir)) / f"{name}-dream.png"
            save_image(out, path, metadata)
            return np.uint8(np.clip(out, 0, 255)), str(path)

        job = DreamJob(run)
        try:
            while job.thread.is_alive():
                job.thread.join(PREVIEW_EVERY_S)
                if job.preview is not None:
                    yield np.uint8(np.clip(deprocess(net, job.preview), 0, 255)), None, job.status
        finally:
            job.cancelled.set()  # a cancel (the generator closed) stops the dream at its next step
        if job.error:
            raise gr.Error(job.error[0].upper() + job.error[1:] + ".", print_exception=False)
        image, path = job.result
        yield image, path, "done"

    with gr.Blocks(title="dream") as app:
        gr.Markdown("# dream\nUpload a photo, pick a layer by its picture, and dream it as Google's 2015 "
                    "notebook did.")
        with gr.Row():
            with gr.Column():
                # a file, not gr.Image: dream's own reader checks it (corrupt, bombs, 16-bit, EXIF turns)
                photo = gr.File(label="Photo", file_types=["image"], type="filepath", elem_id="photo")
                gallery = gr.Gallery(value=[(p, layer) for p, layer in pictures], label="Layers: click one",
                                     columns=5, height="auto", allow_preview=False, elem_id="layers")
                layer = gr.Dropdown(layers, value=DEFAULT_LAYER if DEFAULT_LAYER in layers else layers[-1],
                                    label="Layer", elem_id="layer")
                with gr.Accordion("The notebook's parameters", open=False):
                    octaves = gr.Slider(1, 12, DEFAULTS["octaves"], step=1, label="Octaves")
                    iters = gr.Slider(1, 100, DEFAULTS["iters"], step=1, label="Steps per octave")
                    step_size = gr.Slider(0.1, 10, DEFAULTS["step_size"], step=0.1, label="Step size")
                    jitter = gr.Slider(0, 128, DEFAULTS["jitter"], step=1, label="Jitter")
                    seed = gr.Number(0, precision=0, label="Seed", minimum=0)
                with gr.Row():
                    go = gr.Button("Dream", variant="primary", elem_id="dream")
                    stop = gr.Button("Cancel", elem_id="cancel")
            with gr.Column():
                status = gr.Textbox(label="Progress", interactive=False, elem_id="status")
                result = gr.Image(label="Dream", interactive=False, elem_id="result")
                download = gr.File(label="Download (with its parameters in the metadata)", elem_id="download")

        gallery.select(_picked(pictures), None, layer)
        event = go.click(dream, [photo, layer, octaves, iters, step_size, jitter, seed], [result, download, status])
        stop.click(None, None, None, cancels=[event])
    app.queue(default_concurrency_limit=1)
    return app


def _picked(pictures):
    import gradio as gr

    def picked(evt: gr.SelectData):
        return pictures[evt.index][1]
    return picked


def serve_environment(work_dir):
    """What Gradio reads at import: no analytics calls, uploads in our temporary folder."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["GRADIO_TEMP_DIR"] = str(work_dir)
