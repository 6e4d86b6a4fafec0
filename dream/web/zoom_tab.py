"""The Zoom tab: the notebook's zoom loop on a photo; the frames (as python -m dream --frames writes
them) in a zip, and an mp4."""
import shutil

import numpy as np

from ..errors import DreamError
from ..runs.parameters import DEFAULT_ZOOM
from .controls import (checked_number, checked_photo_and_params, go_and_cancel, layer_dropdown, parameter_inputs,
                       photo_input, progress_and_result)
from .jobs import on_click, one_sentence, tiles_note, uint8_image, watch

MAX_FRAMES = 300  # the sliders' ranges, which the server checks too
ZOOM = (0.01, 0.2)
MAX_FPS = 60


def zoom_tab(served, layers):
    """The tab, its inputs wired to zoom_job."""
    import gradio as gr
    with gr.Tab("Zoom"):
        with gr.Row():
            with gr.Column():
                photo = photo_input("zoom-photo")
                layer = layer_dropdown(layers, elem_id="zoom-layer")
                with gr.Row():
                    frames = gr.Slider(1, MAX_FRAMES, 10, step=1, label="Frames", elem_id="zoom-frames")
                    scale = gr.Slider(*ZOOM, DEFAULT_ZOOM, step=0.01, label="Zoom per frame")
                    fps = gr.Slider(1, MAX_FPS, 25, step=1, label="Frames per second")
                params = parameter_inputs()
                go, stop = go_and_cancel("Zoom", "zoom")
            with gr.Column():
                status, result = progress_and_result("Latest frame", "zoom-status")
                video = gr.Video(label="The zoom", interactive=False, buttons=["download"], elem_id="zoom-video")
                download = gr.File(label="Download: the frames (a zip, each with its parameters) and the mp4",
                                   file_count="multiple", elem_id="zoom-download")
    on_click(go, stop, zoom_job(served), [photo, layer, frames, scale, fps, *params],
             [result, video, download, status], status, "zoom")


def zoom_job(served):
    """The Go button's handler: the page's inputs checked, then a job that writes the frames as python -m
    dream --frames does, and their mp4 and zip."""
    from ..runs.metadata import run_params
    from ..runs.zoom_frames import zoom_video
    net = served.net

    def zoom(photo, layer, frames, scale, fps, octaves, iters, step_size, jitter, seed):
        with one_sentence():
            page, photo_path, img = checked_photo_and_params(served, photo, layer, octaves, iters, step_size, jitter,
                                                             seed)
            frames = checked_number("Frames", frames, 1, MAX_FRAMES, int)
            scale = checked_number("Zoom per frame", scale, *ZOOM)
            fps = checked_number("Frames per second", fps, 1, MAX_FPS)
            h, w = img.shape[:2]
            if w % 2 or h % 2:  # H.264's 4:2:0, what players decode
                raise DreamError(f"the photo is {w}x{h}: an mp4 needs an even width and height; crop it to "
                                 f"{w - w % 2}x{h - h % 2}")
        metadata = run_params(page.params, served.model, served.weights_sha1, photo_path, None, page.layer, page.seed,
                              frames=frames, zoom=scale, tile_margin=served.tile_margin)

        def work(job):
            folder = served.output_folder() / f"{photo_path.stem}-frames"
            folder.mkdir()
            with served.lock:
                out, tiles = zoomed(served, job, page, img, frames, scale, folder, metadata)
            video = folder.parent / f"{photo_path.stem}-zoom.mp4"
            zoom_video(folder, frames, video, fps)
            frames_zip = shutil.make_archive(str(folder), "zip", folder.parent, folder.name)
            return np.uint8(np.clip(out, 0, 255)), str(video), [frames_zip, str(video)], "done" + tiles

        yield (yield from watch(work, lambda data, status: (uint8_image(net, data), None, None, status), net))
    return zoom


def zoomed(served, job, page, img, frames, scale, folder, metadata):
    """(the last frame, the note on tiles): the zoom loop's frames saved in folder as the CLI's, on the
    served net, reporting each step to the job."""
    from ..engine.octaves import check_dream_run
    from ..engine.zoom import zoom_frames
    from ..images import save_image
    from ..runs.zoom_frames import frame_name
    net, params = served.net, page.params
    plans = check_dream_run(net, img, params.octaves, params.octave_scale, [page.layer], None, None,
                            served.max_memory, served.tile_margin)
    tiles, frame = tiles_note(plans, served.tile_margin), [0]
    for i, out, _ in zoom_frames(
            net, img, frames, s=scale, end=page.layer, rng=np.random.RandomState(page.seed), plans=plans,
            progress=lambda o, k, data: job.step(f"frame {frame[0] + 1} of {frames}: octave {o + 1} of "
                                                 f"{params.octaves}, step {k + 1} of {params.iters}{tiles}", data),
            **params.engine()):
        save_image(out, folder / frame_name(i), dict(metadata, frame=i))  # as the CLI's frames
        frame[0] = i + 1
    return out, tiles
