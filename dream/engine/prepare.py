"""One prepared dream: everything decided before the first step, decided once.

A front end (the command line's photo, zoom, gallery, batch and video, the web app's tabs) turns what
the user gave into a DreamRequest, resolves the memory budget (dream.runs.budget), and calls
prepare(net, request, height, width, budget). The Dream it gets has resolved the objective (a layer, an
expression, a guide image's features), the layers it reads and the octave plans (whole or in tiles),
says what it will do (describe) before any step, and dreams with run() or zoom(). No front end
assembles a dream of its own.

The order of the net's calls is the order the notebook's front ends always made them in (the
objective's guide features, then the plans, then a layer's guide features): Caffe's stale diffs
depend on it, and so do the bytes of a dream without --exact-gradient.
"""
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from ..errors import DreamError
from ..network.net import check_input_values
from .octaves import check_dream_run, deepdream
from .parameters import DreamParams
from .zoom import zoom_loop


@dataclass(frozen=True, eq=False)
class DreamRequest:
    """What one dream asks for, as checked values (no command line, no page): a layer, or an objective
    expression that names its own layers; the notebook's parameters; a guide image (its pixels) and a
    soft mask at the photo's size (dream.engine.mask); tile_margin: tiles always, inexact (None: only
    where the budget needs them, exact)."""
    layer: Optional[str] = None
    objective: Optional[str] = None
    params: DreamParams = field(default_factory=DreamParams)
    guide: Optional[np.ndarray] = None
    mask: Optional[np.ndarray] = None
    tile_margin: Optional[int] = None

    def __post_init__(self):
        if (self.layer is None) == (self.objective is None):
            raise DreamError("a dream names a layer or an objective, one of the two")


@dataclass(frozen=True, eq=False)
class Dream:
    """A request prepared on a net for a height x width photo: run() and zoom() dream it."""
    net: object
    request: DreamRequest
    height: int
    width: int
    budget: float  # bytes this process may reach; the plans keep within it
    plans: list  # per octave, smallest first: None (whole) or its TilePlan
    objective: object = None  # the notebook's objective(dst) or an Objective; None: objective_L2

    def tiled(self):
        """The plans of the octaves dreamed in tiles, smallest first."""
        return [plan for plan in self.plans if plan is not None]

    def describe(self):
        """'2 of 4 octaves in tiles; the largest in 3x2 tiles of ...', or '' when every octave is whole."""
        tiled = self.tiled()
        if not tiled:
            return ""
        return f"{len(tiled)} of {len(self.plans)} octaves in tiles; the largest in {tiled[-1].describe()}"

    def run(self, img, rng, progress=None, **changes):
        """The dreamed H x W x 3 image. rng: the jitter's RandomState; progress(octave, i, data) after each
        step; changes: DreamParams fields that differ for this image (a video's keyframes), the plans
        being the same for any of them."""
        if img.shape[:2] != (self.height, self.width):
            raise DreamError(f"this dream was prepared for {self.width}x{self.height} images, not "
                             f"{img.shape[1]}x{img.shape[0]}")
        check_input_values(img, "the image")
        params = replace(self.request.params, **changes)
        chosen = dict(end=self.request.layer) if self.request.layer else {}
        if self.objective is not None:
            chosen["objective"] = self.objective
        return deepdream(self.net, img, rng=rng, progress=progress, mask=self.request.mask, plans=self.plans,
                         **chosen, **params.engine())

    def zoom(self, img, n_frames, s, rng, first=0, progress=None):
        """The notebook's zoom loop on this dream: yields (i, dreamed frame, next input) for i in
        first..n_frames-1, the plans made once for every frame (a zoomed frame keeps its size)."""
        return zoom_loop(lambda frame: self.run(frame, rng, progress), img, n_frames, s, first)


def prepare(net, request, height, width, budget):
    """The Dream of `request` on `net` for height x width photos, every check made (layers, sizes, the
    mask, the objective's names, memory within `budget` bytes); DreamError before any step if one fails."""
    from ..objectives.expression import objective_from
    from .guide import guide_features, objective_guide
    objective = None
    if request.objective is not None:
        objective = objective_from(request.objective, request.guide, net, budget)
    blank = np.zeros((height, width, 3), np.float32)  # its size is all the checks read
    plans = check_dream_run(net, blank, request.params.octaves, request.params.octave_scale,
                            objective.layers if objective is not None else [request.layer], objective,
                            request.mask, budget, request.tile_margin)
    if request.guide is not None and objective is None:
        objective = objective_guide(guide_features(net, request.guide, request.layer, budget))
    return Dream(net, request, height, width, budget, plans, objective)
