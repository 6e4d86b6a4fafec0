"""The zoom loop's frame transform: crop a little and scale back up."""
import scipy.ndimage as nd


def zoom_transform(frame, s=0.05):
    """Zoom an H x W x 3 frame in by 1/(1-s) about its centre, as the notebook does."""
    h, w = frame.shape[:2]
    return nd.affine_transform(frame, [1 - s, 1 - s, 1], [h * s / 2, w * s / 2, 0], order=1)


def zoom_frames(net, frame, n_frames, s=0.05, first=0, **dream_params):
    """The notebook's zoom loop: yield (i, dreamed frame, next input) for i in first..n_frames-1.

    Each frame is dreamed from the previous one zoomed by zoom_transform; the
    next input is yielded too so a caller can save it and resume exactly.
    """
    from .octaves import deepdream
    return zoom_loop(lambda f: deepdream(net, f, **dream_params), frame, n_frames, s, first)


def zoom_loop(dream_one, frame, n_frames, s=0.05, first=0):
    """zoom_frames with any dream: dream_one(frame) -> its dream (a prepared Dream's run, say)."""
    for i in range(first, n_frames):
        frame = dream_one(frame)
        following = zoom_transform(frame, s)
        yield i, frame, following
        frame = following
