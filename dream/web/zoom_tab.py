"""The Zoom tab: the notebook's zoom loop on a photo, with a guide and a mask as on the Dream tab; the
frames (as python -m dream --frames writes them) in a zip, and an mp4."""
import shutil

import numpy as np

from ..engine.parameters import DEFAULT_ZOOM
from .controls import (checked_guide_and_mask, checked_number, checked_photo_and_params, go_and_cancel,
                       guide_and_mask, layer_dropdown, parameter_inputs, photo_input, progress_and_result)
from .jobs import on_click, one_sentence, prepared, tiles_note, uint8_image, watch
from .progress import dream_fraction

MAX_FRAMES = 300  # the sliders' ranges, which the server checks too
ZOOM = (0.01, 0.2)
MAX_FPS = 60


def zoom_tab(served, layers):
    """The tab, its inputs wired to zoom_job."""
    import gradio as gr
    with gr.Tab("Zoom"):
        with gr.Row():
            with gr.Column(scale=2):
                photo = photo_input(served, "zoom-photo")
                layer = layer_dropdown(layers, served.model.layer, elem_id="zoom-layer")
                with gr.Row():
                    frames = gr.Slider(1, MAX_FRAMES, 10, step=1, label="Frames", elem_id="zoom-frames")
                    scale = gr.Slider(*ZOOM, DEFAULT_ZOOM, step=0.01, label="Zoom per frame")
                    fps = gr.Slider(1, MAX_FPS, 25, step=1, label="Frames per second")
                params = parameter_inputs()
                extras = guide_and_mask("zoom-")
                go, stop = go_and_cancel("Zoom", "zoom")
            with gr.Column(scale=3):
                progress, result = progress_and_result("Latest frame", "zoom-status")
                video = gr.Video(label="The zoom", interactive=False, buttons=["download"], elem_id="zoom-video")
                download = gr.File(label="Download: the frames (a zip, each with its parameters) and the mp4",
                                   file_count="multiple", elem_id="zoom-download")
    on_click(go, stop, zoom_job(served), [photo, layer, frames, scale, fps, *params, *extras],
             [result, video, download, *progress], progress, "zoom")


def zoom_job(served):
    """The Go button's handler: the page's inputs checked, then a job that writes the frames as python -m
    dream --frames does, and their mp4 and zip."""
    from ..runs.metadata import run_params
    from ..runs.zoom_frames import zoom_video
    from ..video.io import check_even
    net = served.net

    def zoom(photo, layer, frames, scale, fps, octaves, iters, step_size, jitter, seed, guide=None, mask=None,
             feather=8, cancel=None):
        with one_sentence():
            page, photo_path, img = checked_photo_and_params(served, photo, layer, octaves, iters, step_size, jitter,
                                                             seed)
            frames = checked_number("Frames", frames, 1, MAX_FRAMES, int)
            scale = checked_number("Zoom per frame", scale, *ZOOM)
            fps = checked_number("Frames per second", fps, 1, MAX_FPS)
            check_even(img.shape[1], img.shape[0], "the photo", otherwise="")
            extras = checked_guide_and_mask(guide, mask, feather, img)
        metadata = run_params(page.params, served.model, served.weights_sha1, photo_path, extras.guide_path,
                              page.layer, page.seed, extras.mask_path, mask_feather=extras.feather, frames=frames,
                              zoom=scale, tile_margin=served.tile_margin)

        def work(job):
            folder = served.output_folder() / f"{photo_path.stem}-frames"
            folder.mkdir()
            with served.lock:
                out, tiles = zoomed(served, job, page, img, extras, frames, scale, folder, metadata)
            video = folder.parent / f"{photo_path.stem}-zoom.mp4"
            zoom_video(folder, frames, video, fps)
            frames_zip = shutil.make_archive(str(folder), "zip", folder.parent, folder.name)
            return (np.uint8(np.clip(out, 0, 255)), str(video), [frames_zip, str(video)]), "done" + tiles

        yield (yield from watch(work, lambda data: (uint8_image(net, data), None, None), net, cancel))
    return zoom


def zoomed(served, job, page, img, extras, frames, scale, folder, metadata):
    """(the last frame, the note on tiles): the zoom loop's frames saved in folder as the CLI's, on the
    served net, reporting each step to the job."""
    from ..images import save_image
    from ..runs.zoom_frames import frame_name
    dream = prepared(served, page, img, extras)  # once: every frame has the photo's size
    tiles, params, frame = tiles_note(dream, served.tile_margin), page.params, [0]

    def progress(o, k, data):
        done = (frame[0] + dream_fraction(params, *img.shape[:2], o, k)) / frames
        job.step(f"frame {frame[0] + 1} of {frames}: octave {o + 1} of {params.octaves}, step {k + 1} of "
                 f"{params.iters}{tiles}", data, done)
    for i, out, _ in dream.zoom(img, frames, scale, np.random.RandomState(page.seed), progress=progress):
        save_image(out, folder / frame_name(i), dict(metadata, frame=i))  # as the CLI's frames
        frame[0] = i + 1
    return out, tiles
