"""The CLI's zoom loop: numbered frames in a folder, resumable after an interruption."""
import json
import os
import secrets
import sys
import tempfile

import numpy as np
from tqdm import tqdm

from ..errors import DreamError
from ..images import save_image
from .progress import DreamProgress
from ..runs.metadata import same_run
from ..engine.zoom import zoom_frames

STATE = ".dream-zoom-state.npz"  # the next frame's input and the RNG, written after each frame


def frame_name(i):
    return f"{i:04d}.jpg"  # the notebook's "frames/%04d.jpg"


def save_state(folder, next_index, frame, rng, params):
    kind, keys, pos, has_gauss, gauss = rng.get_state()
    fd, tmp = tempfile.mkstemp(prefix=".state.", suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, next_index=next_index, frame=frame, keys=keys, pos=pos, has_gauss=has_gauss,
                     gauss=gauss, params=json.dumps(params, sort_keys=True))
        os.replace(tmp, folder / STATE)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_state(folder):
    """(next index, next input frame, RandomState, params) from a previous run."""
    try:
        with np.load(folder / STATE) as s:
            rng = np.random.RandomState()
            rng.set_state(("MT19937", s["keys"], int(s["pos"]), int(s["has_gauss"]), float(s["gauss"])))
            return int(s["next_index"]), s["frame"], rng, json.loads(str(s["params"]))
    except (OSError, ValueError, KeyError) as e:
        raise DreamError(f"cannot resume from {folder / STATE} ({e}); delete it, or pass --overwrite") from None


def run_zoom(net, img, folder, params, args, step_params):
    """Dream args.frames frames into folder, resuming from the last finished frame."""
    if folder.exists() and not folder.is_dir():
        raise DreamError(f"output {folder} is a file; --frames writes a folder")
    folder.mkdir(parents=True, exist_ok=True)
    first, frame = 0, img
    if (folder / STATE).exists() and not args.overwrite:
        first, frame, rng, saved = load_state(folder)
        if not same_run(saved, params):
            raise DreamError(f"{folder} holds frames of a different run; choose another -o, or pass --overwrite")
        params["seed"] = saved["seed"]
        print(f"dream: resuming {folder} at frame {first}", file=sys.stderr)
    elif any(folder.glob("[0-9][0-9][0-9][0-9].jpg")) and not args.overwrite:
        raise DreamError(f"{folder} already holds frames that dream cannot resume; "
                         f"choose another -o, or pass --overwrite")
    else:
        params["seed"] = args.seed if args.seed is not None else secrets.randbelow(2**31)
        rng = np.random.RandomState(params["seed"])
    if first >= args.frames:
        print(f"dream: {folder} already holds all {args.frames} frames; nothing to do", file=sys.stderr)
        return 0
    with tqdm(total=args.frames, initial=first, unit="frame", position=0) as frames_bar, \
            DreamProgress(args.octaves, args.iters, position=1, leave=False) as bar:
        loop = zoom_frames(net, frame, args.frames, s=args.zoom, first=first,
                           rng=rng, progress=bar, **step_params)
        for i, out, following in loop:
            save_image(out, folder / frame_name(i), dict(params, frame=i))
            save_state(folder, i + 1, following, rng, params)
            frames_bar.update(1)
            bar.bar.reset()
    print(f"dream: wrote {args.frames - first} frames to {folder} (seed {params['seed']})", file=sys.stderr)
    return 0


def zoom_video(folder, count, video, fps):
    """The folder's first `count` frames as an mp4 (written whole or not at all)."""
    from fractions import Fraction
    from ..images import load_image, to_uint8
    from ..video.io import VideoWriter
    first = load_image(folder / frame_name(0))
    with VideoWriter(video, first.shape[1], first.shape[0], Fraction(fps).limit_denominator(1001)) as writer:
        for i in range(count):
            writer.write(to_uint8(load_image(folder / frame_name(i))))
    print(f"dream: wrote {video} ({count} frames at {fps:g} fps)", file=sys.stderr)
