"""Dreaming a clip frame by frame, each frame starting from the last one's dream carried along the motion.

Frame t's dream starts from the frame itself plus the previous frame's *dream residual*
(its dream minus the frame), moved onto frame t along the optical flow and scaled by
a decay; where the flow cannot be trusted (occlusion, new content) it starts from the
plain frame (Ruder et al. 2016, for style transfer). The first frame gets the full
iterations, later ones fewer. `flow="none"` instead blends the previous dream into the
frame, as DeepDreamVideo does; with blend 0 every frame is dreamed on its own.

Every finished frame is a PNG in a work folder, written atomically, and is also the
state the next frame starts from (as the 8-bit image it is stored as), so a render that
is stopped anywhere resumes after its last finished frame with the very same result.
Each frame's randomness comes from the seed and the frame's index alone.
"""
import numpy as np

from ..images import load_image, save_image, to_uint8
from .flow import FLOWS, occluded, warp

FLOW_MODES = tuple(FLOWS)  # its name before FLOWS


def frame_rng(seed, index):
    """The jitter's RandomState for frame `index`: from the seed and the index, not from the frames before."""
    return np.random.RandomState(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def frame_path(folder, index, kind=""):
    """Frame `index`'s dream in the work folder; kind "warm" or "blend": a chunk's warm-up dream there,
    or the two faded into one, on its way (dream.video.chains)."""
    return folder / f"{index:06d}{'.' + kind if kind else ''}.png"


WORK_FILES = ("[0-9]" * 6 + ".png", "[0-9]" * 6 + ".warm.png", "[0-9]" * 6 + ".blend.png")  # globs


def motion(prev_frame, frame, flow="dis"):
    """What start_image needs of the flow between input frames t-1 and t (RGB, uint8 or float): the
    backward flow (t -> t-1) and where it can be trusted (not occluded). It depends on the input frames
    alone, so it can be computed ahead, in another process (dream.video.ahead)."""
    estimate = FLOWS[flow].estimate
    backward = estimate(np.uint8(frame), np.uint8(prev_frame))  # frame t -> t-1
    forward = estimate(np.uint8(prev_frame), np.uint8(frame))
    return backward, ~occluded(backward, forward)


def start_image(frame, prev_frame, prev_dream, flow="dis", blend=0.5, decay=0.9, mask=None, moved=None):
    """The float32 image frame t's dream starts from, given frame t-1 and its dream (None for the first).

    mask: the dream's H x W mask in 0..1, if any; the carried residual is confined to it.
    moved: motion(prev_frame, frame, flow) where it was computed already."""
    frame = np.float32(frame)
    if prev_dream is None:
        return frame
    if FLOWS[flow].estimate is None:
        return (1 - blend) * frame + blend * prev_dream
    backward, trusted = moved if moved is not None else motion(prev_frame, frame, flow)
    residual = warp(prev_dream - prev_frame, backward)
    # Its mean (per colour) stays behind: each dream shifts the brightness a little, and a shift
    # carried into every next frame adds up to a drift (about 20 grey levels in 40 frames).
    residual -= residual.mean(axis=(0, 1))
    weight = trusted * (np.float32(1) if mask is None else mask)
    return np.clip(frame + decay * residual * weight[..., None], 0, 255)


def steady(iters, iters_next, **params):
    """A schedule without keyframes: the same parameters for every frame."""
    return lambda t: dict(params, iters=iters, iters_next=iters_next)


def dream_frame(dream_one, t, frame, prev, seed, schedule, flow="dis", mask=None, moved=None):
    """Frame t's dream (a float image) and the parameters it was dreamed with.

    prev: (frame t-1, its dream as stored), float32, or None where there is none: frame 0, or the
    first frame of a chunk's warm-up. Such a frame starts from itself and gets schedule(t)'s
    `iters` steps; the others start from the previous dream and get its `iters_next`.
    dream_one(image, rng, params) -> the dreamed image. moved: the motion from frame t-1 to t, where
    it was computed ahead."""
    params = schedule(t)
    iters_next = params.pop("iters_next")
    if prev is not None:
        params["iters"] = iters_next
    prev_frame, prev_dream = prev or (None, None)
    start = start_image(frame, prev_frame, prev_dream, flow, params.get("blend", 0.5), params.get("decay", 0.9),
                        mask, moved)
    return dream_one(start, frame_rng(seed, t), params), params


def dream_frames(frames, folder, dream_one, seed, schedule, flow="dis", metadata=None, mask=None):
    """Dream each frame of the iterable `frames` into folder, in one process, skipping those already there.

    schedule(t) -> frame t's parameters: iters, iters_next, blend, decay and whatever dream_one reads.
    mask: the one dream_one dreams within, if any. Yields (index, done_before) per frame."""
    prev = None
    for t, frame in enumerate(frames):
        path = frame_path(folder, t)
        done_before = path.exists()
        if done_before:
            dream = load_image(path)  # what the next frame starts from, as stored
        else:
            out, used = dream_frame(dream_one, t, frame, prev, seed, schedule, flow, mask)
            save_image(out, path, dict(metadata or {}, **used, frame=t))
            dream = np.float32(to_uint8(out))
        prev = (np.float32(frame), dream)
        yield t, done_before
