"""Live dreaming: a moving picture (a camera, a stream, a file played as it runs) dreamed frame by frame as
it comes, each frame starting from the previous dream carried along the optical flow, as a clip's frames do
(dream.video.frames), but at a small working size and with one or two steps a frame, so that it keeps up.

LIVE is the one table of the live controls (their defaults, limits and words), which python -m dream
live's flags, the web app's Live tab and its server's checks all read. LiveDream holds what carries over
from one frame to the next; RateMeter says how fast it goes.
"""
import time
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from ..engine.parameters import MAX_STEP, Parameter
from ..errors import DreamError
from ..images import to_uint8
from .flow import _cv2
from .frames import frame_rng, start_image

LIVE_LAYER = "inception_3b/output"  # shallow enough for a few steps a frame to show, and fast
MAX_WORKING_WIDTH = 3840

LIVE = (
    Parameter("strength", float, 1.5, 0, True, MAX_STEP, "how far each step moves the picture (the notebook's "
              "normalised step size)", "", "Strength", (0.1, 5.0)),
    # 1 by default: on 2 CPU cores with the browser beside it, the Live tab shows 6.3-8 frames/s with 1 scale and
    # 4.6-5.7 with 2 (docs/live.md); the dream grows over the frames all the same, since each starts from the last
    Parameter("octaves", int, 1, 0, True, 8, "scales dreamed per frame: more give larger patterns, and cost more",
              "", "Detail: scales per frame", (1, 4)),
    Parameter("steps", int, 1, 0, True, 100, "steps per scale per frame: the dream grows over the frames, since "
              "each starts from the last", "", "Detail: steps per frame", (1, 5)),
    Parameter("width", int, 320, 63, True, MAX_WORKING_WIDTH, "working width in pixels: each frame is dreamed at "
              "this width and scaled back to the source's (never above it)", "", "Detail: working width (px)",
              (160, 960)),
    Parameter("keep", float, 0.9, 0, False, 1, "how much of the previous frame's dream each frame keeps, moved "
              "along the motion (0: every frame dreamed afresh)", "", "Keep the last dream", (0.0, 1.0)),
)
LIVE_BY_NAME = {p.name: p for p in LIVE}


@dataclass(frozen=True)
class LiveSettings:
    """One live dream's controls. detail: add the source's fine detail back when scaling the dream up (the
    dream's change is scaled up, not the dream); octave_scale and jitter are the notebook's."""
    layer: str = LIVE_LAYER
    strength: float = LIVE_BY_NAME["strength"].default
    octaves: int = LIVE_BY_NAME["octaves"].default
    steps: int = LIVE_BY_NAME["steps"].default
    width: int = LIVE_BY_NAME["width"].default
    keep: float = LIVE_BY_NAME["keep"].default
    detail: bool = True
    octave_scale: float = 1.4
    jitter: int = 32
    flow: str = "dis"


def working_size(height, width, working_width):
    """(h, w) a height x width frame is dreamed at: working_width wide (never wider than the frame), the
    frame's aspect kept, sides even."""
    if working_width >= width:
        return height, width
    h = max(2, 2 * round(height * working_width / width / 2))
    return h, working_width - working_width % 2


def resized(img, height, width):
    """img (float32 or uint8, H x W x 3) at height x width as float32: area averaging down, bilinear up."""
    cv2 = _cv2()
    if img.shape[:2] == (height, width):
        return np.float32(img)
    shrink = height * width < img.shape[0] * img.shape[1]
    return cv2.resize(np.float32(img), (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


class LiveDream:
    """Dreams frames as they come: dream(frame) -> the frame dreamed, at its own size.

    The state carried from one frame to the next is the previous frame and its dream at the working size;
    a frame of another size, or new settings with another working size, start afresh. Frame k's jitter
    comes from the seed and k alone, so a recorded sequence of frames is dreamed again to the same bytes."""

    def __init__(self, net, settings=LiveSettings(), budget=None, seed=0):
        self.net, self.budget, self.seed = net, budget, seed
        self.settings = settings
        self.count = 0  # frames dreamed
        self._prev = None  # (working-size frame, its dream), float32
        self._prepared = {}  # (layer, octaves, octave_scale, jitter, h, w) -> its prepared Dream

    def change(self, **settings):
        """New settings from the next frame on; the dream carried so far is kept where its size is kept."""
        self.settings = replace(self.settings, **settings)

    def prepared(self, height, width):
        """The prepared Dream (dream.engine.prepare) for working-size frames; DreamError for a layer or a size
        the net cannot dream. One per layer and size: changing back and forth costs nothing."""
        from ..engine.parameters import DreamParams
        from ..engine.prepare import DreamRequest, prepare
        s = self.settings
        key = (s.layer, s.octaves, s.octave_scale, s.jitter, height, width)
        if key not in self._prepared:
            params = DreamParams(octaves=s.octaves, octave_scale=s.octave_scale, iters=s.steps, jitter=s.jitter)
            if len(self._prepared) > 8:  # a viewer trying every layer: the oldest go
                self._prepared.pop(next(iter(self._prepared)))
            self._prepared[key] = prepare(self.net, DreamRequest(layer=s.layer, params=params), height, width,
                                          self.budget)
        return self._prepared[key]

    def dream(self, frame):
        """The uint8 H x W x 3 frame dreamed, uint8 at its size."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise DreamError(f"a live frame is 8-bit RGB, not {frame.dtype} {frame.shape}")
        s = self.settings
        h, w = working_size(*frame.shape[:2], s.width)
        dream = self.prepared(h, w)
        small = resized(frame, h, w)
        prev = self._prev if self._prev is not None and self._prev[0].shape == small.shape else None
        if prev is None or s.keep == 0:
            start = small
        else:
            start = start_image(small, *prev, flow=s.flow, decay=s.keep)
        # the dream carried to the next frame as the 8-bit image a clip's frame is stored as: a file's frames,
        # every one dreamed at its own size, are then python -m dream video's frames, bit for bit
        out = np.float32(to_uint8(dream.run(start, frame_rng(self.seed, self.count), iters=s.steps,
                                            step_size=s.strength)))
        self._prev, self.count = (small, out), self.count + 1
        return to_uint8(scaled_up(out, small, frame, s.detail))


def scaled_up(out, small, frame, detail):
    """The working-size dream `out` of `small` at the frame's size: with detail, the frame plus the dream's
    change scaled up (the source's own fine detail stays sharp); else the dream scaled up."""
    h, w = frame.shape[:2]
    if out.shape[:2] == (h, w):
        return out
    if detail:
        return np.float32(frame) + resized(out - small, h, w)
    return resized(out, h, w)


class RateMeter:
    """Frames per second and latency over the last `window_s` seconds of frames."""

    def __init__(self, window_s=3.0):
        self.window_s = window_s
        self.frames = deque()  # (done at, latency s)

    def add(self, latency, now=None):
        now = time.monotonic() if now is None else now
        self.frames.append((now, latency))
        while self.frames and self.frames[0][0] < now - self.window_s:
            self.frames.popleft()

    def fps(self):
        if len(self.frames) < 2:
            return 0.0
        span = self.frames[-1][0] - self.frames[0][0]
        return (len(self.frames) - 1) / span if span > 0 else 0.0

    def latency(self):
        return float(np.mean([lat for _, lat in self.frames])) if self.frames else 0.0

    def words(self):
        """'5.2 frames/s, latency 0.19 s'."""
        return f"{self.fps():.1f} frames/s, latency {self.latency():.2f} s"
