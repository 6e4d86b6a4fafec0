"""The Dream tab: a photo, a layer picked by its picture, the notebook's parameters, guide and mask;
the result downloads with the metadata python -m dream writes."""
import numpy as np

from .controls import (checked_guide_and_mask, checked_photo_and_params, go_and_cancel, guide_and_mask,
                       layer_picker, parameter_inputs, photo_input, progress_and_result)
from .jobs import on_click, one_sentence, prepared, tiles_note, uint8_image, watch
from .progress import dream_fraction


def dream_tab(served, layers, pictures):
    """The tab, its inputs wired to dream_job."""
    import gradio as gr
    with gr.Tab("Dream"):
        with gr.Row():
            with gr.Column(scale=2):
                photo = photo_input(served, "photo")
                model = model_picker(served)  # None where the server offers one model
                layer = layer_picker(pictures, layers, "layers", "layer", served.model.layer,
                                     *((model, served.choose) if model is not None else ()))
                params = parameter_inputs()
                extras = guide_and_mask()
                go, stop = go_and_cancel("Dream", "dream", "cancel")
            with gr.Column(scale=3):
                progress, result = progress_and_result("Dream", "status", "result")
                download = gr.File(label="Download (with its parameters in the metadata)", elem_id="download")
    handler = dream_job(served)
    if model is None:  # one model: the event and its API take no model, as before the picker
        picked = handler

        def handler(photo, *rest, cancel=None):
            return (yield from picked(photo, served.model.name, *rest, cancel=cancel))
    on_click(go, stop, handler, [photo, *([model] if model is not None else []), layer, *params, *extras],
             [result, download, *progress], progress, "dream")


def model_picker(served):
    """The Model dropdown where the server offers more than one model (serve --models), else None."""
    import gradio as gr
    names = served.model_names()
    if len(names) == 1:
        return None
    return gr.Dropdown(names, value=names[0], label="Model (its layers follow it; another loads on first use)",
                       elem_id="model")


def dream_job(served):
    """The Go button's handler: the page's inputs checked, then a job that dreams as python -m dream does
    and saves the result with its metadata."""
    from ..images import save_image
    from ..runs.metadata import run_params

    def dream(photo, model, layer, octaves, iters, step_size, jitter, seed, guide, mask, feather, cancel=None):
        with one_sentence():
            choice = served.choose(model)
            page, photo_path, img = checked_photo_and_params(served, photo, layer, octaves, iters, step_size, jitter,
                                                             seed, net=choice.net)
            extras = checked_guide_and_mask(guide, mask, feather, img)
        net = choice.net

        def work(job):
            with served.lock:
                out, tiles = dreamed(served, job, page, img, extras, net)
            metadata = run_params(page.params, choice.model, choice.weights_sha1, photo_path, extras.guide_path,
                                  page.layer, page.seed, extras.mask_path, mask_feather=extras.feather,
                                  tile_margin=served.tile_margin)  # the CLI's: python -m dream re-makes it
            path = served.output_folder() / f"{photo_path.stem}-dream.png"
            save_image(out, path, metadata)
            return (np.uint8(np.clip(out, 0, 255)), str(path)), f"done{tiles}"

        yield (yield from watch(work, lambda data: (uint8_image(net, data), None), net, cancel))
    return dream


def dreamed(served, job, page, img, extras, net=None):
    """(the dream of img, the note on tiles), on net (default: the served one), reporting each step to the job."""
    dream = prepared(served, page, img, extras, net)
    tiles, params = tiles_note(dream, served.tile_margin), page.params
    out = dream.run(img, np.random.RandomState(page.seed), lambda o, i, data: job.step(
        f"octave {o + 1} of {params.octaves}, step {i + 1} of {params.iters}{tiles}", data,
        dream_fraction(params, *img.shape[:2], o, i)))
    return out, tiles
