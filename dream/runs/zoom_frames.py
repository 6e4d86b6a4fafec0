"""The zoom loop's folder: numbered frames as the notebook named them, the state a resume starts from,
and the frames as an mp4. The command line and the web app's Zoom tab both write it."""
import json
import os
import sys
import tempfile

import numpy as np

from ..errors import DreamError

STATE = ".dream-zoom-state.npz"  # the next frame's input and the RNG, written after each frame
FRAMES = "[0-9][0-9][0-9][0-9].jpg"  # what frame_name makes, as a glob


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
        raise DreamError(f"cannot resume from {folder / STATE} ({e})") from None


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
