"""What every frame of a clip is dreamed with (VideoDream), as one value that pickles: python -m dream video
dreams with it in its own process, and a Dask worker rebuilds the same dream from it once
(objectives, guide features, tiling plans) and keeps it beside its net.

A frame's dream is its PNG file's bytes, metadata included: what the client writes, and the
state the next frame starts from, exactly as a resumed render reads it back from disk.
"""
import secrets
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from ..cluster.batch import ONE_AT_A_TIME, Model, cached_net, worker_budget
from ..errors import DreamError

_PREPARED = {}  # (clip key, net id) -> {target: its prepared Dream}, in each process


@dataclass(eq=False, frozen=True)
class VideoDream:
    """A clip's dream: built with keywords once every input is checked; for_run() gives it the seed and
    the metadata once the work folder has them."""
    model: Model
    height: int
    width: int
    first: tuple  # the command line's target: ("layer", name) or ("objective", expression)
    targets: dict  # every target the clip dreams -> where it was given, for errors ("" or "--keyframes F: ")
    table: dict  # the keyframes (dream.video.keyframes), {} for none
    defaults: dict  # frame 0's schedule: layer, objective, step_size, iters_next, blend, decay
    iters: int  # steps per octave of a frame that starts from itself
    octaves: int
    octave_scale: float
    jitter: int
    exact_gradient: bool = False
    flow: str = "dis"
    guide_img: Optional[np.ndarray] = None
    mask: Optional[np.ndarray] = None
    max_memory: object = None  # bytes, or dream.runs.budget.WorkersOwn (resolved where it is prepared)
    tile_margin: Optional[int] = None
    seed: Optional[int] = None  # the run's, once the work folder has given it
    metadata: dict = field(default_factory=dict)  # the run's parameters, recorded in every frame
    key: str = field(default_factory=lambda: secrets.token_hex(8))

    def for_run(self, seed, metadata):
        """This dream with the run's seed and metadata; what it prepared (objectives, plans), which
        neither changes, it keeps."""
        return replace(self, seed=seed, metadata=metadata)

    def schedule(self, t):
        """Frame t's parameters: keyframed ones interpolated, and iters for a frame that starts from itself."""
        from .keyframes import schedule_at
        return dict(schedule_at(self.table, t, self.defaults), iters=self.iters)

    def prepare(self, net):
        """{target: its prepared Dream (dream.engine.prepare)}, every target checked on the clip's size
        (layers, memory); kept for this process's net, so that a worker does it once."""
        key = (self.key, id(net))
        if key not in _PREPARED:
            _PREPARED[key] = {target: self._prepared(net, target, where) for target, where in self.targets.items()}
        return _PREPARED[key]

    def _prepared(self, net, target, where):
        from ..engine.parameters import DreamParams
        from ..engine.prepare import DreamRequest, prepare
        kind, text = target
        params = DreamParams(octaves=self.octaves, octave_scale=self.octave_scale, iters=self.iters,
                             jitter=self.jitter, exact_gradient=self.exact_gradient)
        request = DreamRequest(**{kind: text}, params=params, guide=self.guide_img, mask=self.mask,
                               tile_margin=self.tile_margin)
        try:
            return prepare(net, request, self.height, self.width, worker_budget(self.max_memory))
        except DreamError as e:
            raise DreamError(f"{where}{e}") from None

    def frame_png(self, t, frame, prev):
        """Frame t's dream as the bytes of its PNG file, in this process (on its cached net).

        frame: uint8; prev: (frame t-1 as uint8, its dream's PNG bytes), or None where there is none."""
        return self.png(t, *self.frame_dream(t, frame, prev))

    def frame_dream(self, t, frame, prev, moved=None):
        """Frame t's dream (float) and the parameters it was dreamed with, in this process (on its cached
        net). prev: (frame t-1 as uint8, its dream: the PNG's bytes, or the float32 image they hold), or
        None; moved: the motion from frame t-1 to t (dream.video.frames.motion), where computed ahead."""
        from ..images import decode_image
        from .frames import dream_frame
        prepared = self.prepare(cached_net(self.model))

        def dream_one(image, rng, params):
            target = ("objective", params["objective"]) if params["objective"] else ("layer", params["layer"])
            return prepared[target].run(image, rng, iters=params["iters"], step_size=params["step_size"])
        if prev is not None:
            stored = prev[1]
            if isinstance(stored, bytes):
                stored = decode_image(stored, f"frame {t - 1}'s dream")
            prev = (np.float32(prev[0]), stored)
        return dream_frame(dream_one, t, frame, prev, self.seed, self.schedule, self.flow, self.mask, moved)

    def png(self, t, out, used):
        """The PNG file's bytes of frame t's dream `out`, dreamed with `used`: the run's metadata in it."""
        from ..images import encode_image
        return encode_image(out, ".png", dict(self.metadata, **used, frame=t))


def dream_frame_task(clip, t, frame, prev):
    """A Dask worker's task: VideoDream.frame_png, one frame at a time on the worker's net."""
    with ONE_AT_A_TIME:
        return clip.frame_png(t, frame, prev)


ClipDream = VideoDream  # its name before 0.2, for one release
