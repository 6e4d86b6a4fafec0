"""The Zoom tab: the notebook's zoom loop on a photo; the frames (as python -m dream --frames writes
them) in a zip, and an mp4."""
import shutil

import numpy as np

from ..cli.common import DEFAULTS
from ..errors import DreamError
from .controls import (checked_number, checked_photo_and_params, go_and_cancel, layer_dropdown, parameter_inputs,
                       photo_input, progress_and_result)
from .jobs import on_click, one_sentence, tiles_note, uint8_image, watch

MAX_FRAMES = 300  # the sliders' ranges, which the server checks too
ZOOM = (0.01, 0.2)
MAX_FPS = 60


def zoom_tab(served, layers):
    import gradio as gr
    from ..runs.metadata import run_params
    from ..cli.zoom import frame_name, zoom_video
    from ..images import save_image
    from ..engine.octaves import check_dream_run
    from ..engine.zoom import zoom_frames
    net = served.net

    def zoom(photo, layer, frames, scale, fps, octaves, iters, step_size, jitter, seed):
        with one_sentence():
            args, photo_path, img = checked_photo_and_params(served, photo, layer, octaves, iters, step_size, jitter,
                                                             seed)
            args.frames = checked_number("Frames", frames, 1, MAX_FRAMES, int)
            args.zoom = checked_number("Zoom per frame", scale, *ZOOM)
            fps = checked_number("Frames per second", fps, 1, MAX_FPS)
            h, w = img.shape[:2]
            if w % 2 or h % 2:  # H.264's 4:2:0, what players decode
                raise DreamError(f"the photo is {w}x{h}: an mp4 needs an even width and height; crop it to "
                                 f"{w - w % 2}x{h - h % 2}")
        params = run_params(args, served.model, served.weights_sha1, photo_path, None, layer, args.seed)

        def work(job):
            folder = served.output_folder() / f"{photo_path.stem}-frames"
            folder.mkdir()
            with served.lock:
                plans = check_dream_run(net, img, args.octaves, args.octave_scale, [layer], None, None,
                                        served.max_memory, served.tile_margin)
                tiles, frame = tiles_note(plans, served.tile_margin), [0]
                for i, out, _ in zoom_frames(
                        net, img, args.frames, s=args.zoom, iter_n=args.iters, octave_n=args.octaves, end=layer,
                        step_size=args.step_size, jitter=args.jitter, rng=np.random.RandomState(args.seed),
                        plans=plans, progress=lambda o, k, data: job.step(
                            f"frame {frame[0] + 1} of {args.frames}: octave {o + 1} of {args.octaves}, "
                            f"step {k + 1} of {args.iters}{tiles}", data)):
                    save_image(out, folder / frame_name(i), dict(params, frame=i))  # as the CLI's frames
                    frame[0] = i + 1
            video = folder.parent / f"{photo_path.stem}-zoom.mp4"
            zoom_video(folder, args.frames, video, fps)
            frames_zip = shutil.make_archive(str(folder), "zip", folder.parent, folder.name)
            return np.uint8(np.clip(out, 0, 255)), str(video), [frames_zip, str(video)], "done" + tiles

        yield (yield from watch(work, lambda data, status: (uint8_image(net, data), None, None, status), net))

    with gr.Tab("Zoom"):
        with gr.Row():
            with gr.Column():
                photo = photo_input("zoom-photo")
                layer = layer_dropdown(layers, elem_id="zoom-layer")
                with gr.Row():
                    frames = gr.Slider(1, MAX_FRAMES, 10, step=1, label="Frames", elem_id="zoom-frames")
                    scale = gr.Slider(*ZOOM, DEFAULTS["zoom"], step=0.01, label="Zoom per frame")
                    fps = gr.Slider(1, MAX_FPS, 25, step=1, label="Frames per second")
                params = parameter_inputs()
                go, stop = go_and_cancel("Zoom", "zoom")
            with gr.Column():
                status, result = progress_and_result("Latest frame", "zoom-status")
                video = gr.Video(label="The zoom", interactive=False, buttons=["download"], elem_id="zoom-video")
                download = gr.File(label="Download: the frames (a zip, each with its parameters) and the mp4",
                                   file_count="multiple", elem_id="zoom-download")
    on_click(go, stop, zoom, [photo, layer, frames, scale, fps, *params],
             [result, video, download, status], status, "zoom")
