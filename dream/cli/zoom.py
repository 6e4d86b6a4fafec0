"""The command line's zoom loop: numbered frames in a folder (dream.runs.zoom_frames), resumable after an
interruption."""
import sys

import numpy as np
from tqdm import tqdm

from ..errors import DreamError
from ..images import save_image
from ..runs.resume import earlier_run
from ..runs.seeds import resolve_seed
from ..runs.zoom_frames import FRAMES, STATE, frame_name, load_state, save_state
from .progress import DreamProgress


def run_zoom(dream, img, folder, params, request):
    """Dream request.frames frames of the prepared dream into folder, resuming from the last finished frame."""
    first, frame, rng = start_or_resume(folder, img, params, request)
    if first >= request.frames:
        print(f"dream: {folder} already holds all {request.frames} frames; nothing to do", file=sys.stderr)
        return 0
    with tqdm(total=request.frames, initial=first, unit="frame", position=0) as frames_bar, \
            DreamProgress(request.octaves, request.iters, position=1, leave=False) as bar:
        for i, out, following in dream.zoom(frame, request.frames, request.zoom, rng, first, bar):
            save_image(out, folder / frame_name(i), dict(params, frame=i))
            save_state(folder, i + 1, following, rng, params)
            frames_bar.update(1)
            bar.bar.reset()
    print(f"dream: wrote {request.frames - first} frames to {folder} (seed {params['seed']})", file=sys.stderr)
    return 0


def start_or_resume(folder, img, params, request):
    """(first frame to dream, its input, the RandomState): where an earlier run of the same parameters
    stopped, else from the start; params' seed is set to the run's."""
    if folder.exists() and not folder.is_dir():
        raise DreamError(f"output {folder} is a file; --frames writes a folder")
    folder.mkdir(parents=True, exist_ok=True)
    saved = None
    if (folder / STATE).exists() and not request.overwrite:
        try:
            first, frame, rng, saved = load_state(folder)
        except DreamError as e:
            raise DreamError(f"{e}; delete it, or pass --overwrite") from None
    found = (folder / STATE).exists() or any(folder.glob(FRAMES))
    if earlier_run(folder, found, saved, params, request.overwrite) is not None:
        params["seed"] = saved["seed"]
        print(f"dream: resuming {folder} at frame {first}", file=sys.stderr)
        return first, frame, rng
    params["seed"] = resolve_seed(request.seed)
    return 0, img, np.random.RandomState(params["seed"])


