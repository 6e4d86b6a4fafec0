"""The Dream tab: a photo, a layer picked by its picture, the notebook's parameters, guide and mask;
the result downloads with the metadata python -m dream writes."""
import numpy as np

from .controls import (checked_feather, checked_photo_and_params, go_and_cancel, layer_dropdown, parameter_inputs,
                       photo_input, progress_and_result, uploaded)
from .jobs import on_click, one_sentence, tiles_note, uint8_image, watch
from .pictures import caption


def dream_tab(served, layers, pictures):
    """The tab, its inputs wired to dream_job."""
    import gradio as gr
    with gr.Tab("Dream"):
        with gr.Row():
            with gr.Column():
                photo = photo_input("photo")
                gallery = gr.Gallery(value=[(p, caption(layer)) for p, layer in pictures],
                                     label="Layers, early to deep: click one", columns=5, height=250,
                                     object_fit="cover", allow_preview=False, buttons=[], elem_id="layers")
                layer = layer_dropdown(layers, elem_id="layer")
                params = parameter_inputs()
                with gr.Accordion("Guide and mask", open=False):
                    guide = gr.File(label="Guide image: dream towards its features", file_types=["image"],
                                    type="filepath", elem_id="guide")
                    mask = gr.File(label="Mask: dream where it is white, keep where black", file_types=["image"],
                                   type="filepath", elem_id="mask")
                    feather = gr.Slider(0, 64, 8, step=1, label="Mask edge blur (px)")
                go, stop = go_and_cancel("Dream", "dream", "cancel")
            with gr.Column():
                status, result = progress_and_result("Dream", "status", "result")
                download = gr.File(label="Download (with its parameters in the metadata)", elem_id="download")

    def picked(evt: gr.SelectData):
        return pictures[evt.index][1]
    gallery.select(picked, None, layer, queue=False)
    on_click(go, stop, dream_job(served), [photo, layer, *params, guide, mask, feather],
             [result, download, status], status, "dream")


def dream_job(served):
    """The Go button's handler: the page's inputs checked, then a job that dreams as python -m dream does
    and saves the result with its metadata."""
    from ..images import save_image
    from ..engine.mask import soft_mask
    from ..runs.metadata import run_params
    net = served.net

    def dream(photo, layer, octaves, iters, step_size, jitter, seed, guide, mask, feather):
        with one_sentence():
            page, photo_path, img = checked_photo_and_params(served, photo, layer, octaves, iters, step_size, jitter,
                                                             seed)
            guide_path, guide_img = uploaded(guide, "the guide image")
            mask_path, mask_img = uploaded(mask, "the mask")
            mask_feather = checked_feather(feather) if mask_path else None
            if mask_path:
                mask_img = soft_mask(mask_img, *img.shape[:2], mask_feather)

        def work(job):
            with served.lock:
                out, tiles = dreamed(served, job, page, img, guide_img, mask_img)
            metadata = run_params(page.params, served.model, served.weights_sha1, photo_path, guide_path, page.layer,
                                  page.seed, mask_path, mask_feather=mask_feather,
                                  tile_margin=served.tile_margin)  # the CLI's: python -m dream re-makes it
            path = served.output_folder() / f"{photo_path.stem}-dream.png"
            save_image(out, path, metadata)
            return np.uint8(np.clip(out, 0, 255)), str(path), f"done{tiles}"

        yield (yield from watch(work, lambda data, status: (uint8_image(net, data), None, status), net))
    return dream


def dreamed(served, job, page, img, guide_img, mask_img):
    """(the dream of img, the note on tiles), on the served net, reporting each step to the job."""
    from ..engine.guide import guide_features, objective_guide
    from ..engine.octaves import check_dream_run, deepdream
    net, params = served.net, page.params
    plans = check_dream_run(net, img, params.octaves, params.octave_scale, [page.layer], None, mask_img,
                            served.max_memory, served.tile_margin)
    guided = ({} if guide_img is None else
              dict(objective=objective_guide(guide_features(net, guide_img, page.layer, served.max_memory))))
    tiles = tiles_note(plans, served.tile_margin)
    out = deepdream(net, img, end=page.layer, rng=np.random.RandomState(page.seed), mask=mask_img, plans=plans,
                    progress=lambda o, i, data: job.step(
                        f"octave {o + 1} of {params.octaves}, step {i + 1} of {params.iters}{tiles}", data),
                    **guided, **params.engine())
    return out, tiles
