"""Class visualisation after auduno's deepdraw: ascend class logits on random 224-pixel crops
of a larger canvas, blurring after each step (the prior that neighbouring pixels correlate)
with a sigma that decays over the run, through per-octave schedules.
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.ndimage as nd

from ..errors import DreamError
from ..network.memory import CANVAS_BYTES_PER_PIXEL, check_fits, net_bytes
from ..network.blobs import set_input
from ..network.net import check_end, check_input_values, preprocess, deprocess
from .step import step_scale
from ..objectives.terms import class_unit

CLASSIFIER = 'loss3/classifier'
# deepdraw's GoogLeNet schedule. Its later octaves used the auxiliary classifiers
# (loss2, loss1), which BVLC's deploy.prototxt does not have, so all use loss3.
DEFAULT_SCHEDULE = (
    dict(layer=CLASSIFIER, scale=1.0, iter_n=190, start_sigma=2.5, end_sigma=0.78, start_step_size=11.0, end_step_size=11.0),
    dict(layer=CLASSIFIER, scale=1.2, iter_n=150, start_sigma=0.78 * 1.2, end_sigma=0.78, start_step_size=6.0, end_step_size=6.0),
    dict(layer=CLASSIFIER, scale=1.2, iter_n=150, start_sigma=0.78 * 1.2, end_sigma=0.44, start_step_size=6.0, end_step_size=3.0),
    dict(layer=CLASSIFIER, scale=1.0, iter_n=10, start_sigma=0.44, end_sigma=0.304, start_step_size=3.0, end_step_size=3.0),
)


def _crop_size(net):
    """The square input the classifier was built for (224 for GoogLeNet)."""
    h, w = net.blobs['data'].data.shape[2:]  # the deploy shape, before any reshape by us
    return int(getattr(net, "crop_dims", (h, w))[0])


def check_canvas(net, height, width):
    """Raise DreamError for a canvas smaller than the classifier's input."""
    crop = _crop_size(net)
    if min(height, width) < crop:
        raise DreamError(f"canvas {width}x{height} is smaller than the classifier's {crop}x{crop} input")


SMALLER_CANVAS = "use a smaller canvas"  # the hint a front end may say in its own words


def check_canvas_memory(net, height, width, schedule=DEFAULT_SCHEDULE, budget=None):
    """Raise DreamError if a height x width canvas, grown by the schedule's scales, would not fit in
    `budget` bytes (None: no bound)."""
    growth = max(float(np.prod([o.get("scale", 1.0) for o in schedule])) ** 2, 1.0)
    crop = _crop_size(net)
    check_fits(CANVAS_BYTES_PER_PIXEL * height * width * growth + net_bytes(net, crop, crop, CLASSIFIER),
               f"a {width}x{height} canvas", SMALLER_CANVAS, budget)


def region_masks(height, width, regions):
    """regions: [(class, (y0, x0, y1, x1)) in 0..1 fractions] -> {class: H x W mask}, overlaps shared."""
    masks = {}
    for c, (y0, x0, y1, x1) in regions:
        m = masks.setdefault(c, np.zeros((height, width), np.float32))
        m[int(round(y0 * height)):int(round(y1 * height)), int(round(x0 * width)):int(round(x1 * width))] = 1.0
    return masks


def visualize_class(net, classes, size=(320, 320), img=None, schedule=DEFAULT_SCHEDULE, regions=None,
                    rng=None, progress=None, max_memory=None):
    """Returns an H x W x 3 RGB image that raises the given class logits.

    classes: an index, or {index: weight} to mix several. regions: optional
    [(index, (y0, x0, y1, x1))] giving each class its own part of the canvas
    instead. img: start image (H x W x 3); default grey noise of `size`.
    progress(octave, i, data) after each step. max_memory: the bytes it may take (None: no bound).
    """
    rng = np.random if rng is None else rng
    check_end(net, CLASSIFIER)
    crop = _crop_size(net)
    weights = {classes: 1.0} if isinstance(classes, (int, np.integer)) else dict(classes)
    n_out = net.blobs[CLASSIFIER].data.shape[1]
    for c in list(weights) + [c for c, _ in (regions or [])]:
        if not 0 <= c < n_out:
            raise DreamError(f"class {c} is out of range (0..{n_out - 1})")
    h, w = size if img is None else img.shape[:2]
    if img is not None:
        check_input_values(img, "the start image")
    check_canvas_memory(net, h, w, schedule, max_memory)
    if img is None:
        img = np.clip(rng.normal(128.0, 8.0, (h, w, 3)), 0, 255).astype(np.float32)
    canvas = preprocess(net, img)
    bias = net.transformer.mean['data']

    for octave, params in enumerate(schedule):
        if params.get("scale", 1.0) != 1.0:
            canvas = nd.zoom(canvas, (1, params["scale"], params["scale"]), order=1)
        h, w = canvas.shape[1:]
        check_canvas(net, h, w)
        objectives = _objectives(weights, regions, h, w, params.get("layer", CLASSIFIER))
        n = params["iter_n"]
        for i in range(n):
            t = i / max(n - 1, 1)
            sigma = params["start_sigma"] + (params["end_sigma"] - params["start_sigma"]) * t
            step_size = params["start_step_size"] + (params["end_step_size"] - params["start_step_size"]) * t
            oy, ox = rng.randint(0, h - crop + 1), rng.randint(0, w - crop + 1)
            window = (slice(None), slice(oy, oy + crop), slice(ox, ox + crop))
            set_input(net, canvas[window])
            g = sum(objective.input_gradient(net) * (1.0 if mask is None else mask[window[1:]])
                    for objective, mask in objectives)
            scale = step_scale(g, step_size)
            if scale is not None:
                canvas[window] += scale * g
            canvas = np.clip(canvas, -bias, 255 - bias)
            canvas = nd.gaussian_filter(canvas, (0, sigma, sigma))  # the prior: neighbours correlate
            if progress is not None:
                progress(octave, i, canvas)
    return deprocess(net, canvas)


def _objectives(weights, regions, h, w, layer):
    """[(objective, mask or None)]: one weighted mix, or one class per region."""
    if not regions:
        mix = sum(weight * class_unit(c, layer) for c, weight in weights.items())
        return [(mix, None)]
    return [(class_unit(c, layer), m) for c, m in region_masks(h, w, regions).items()]


@dataclass(frozen=True, eq=False)
class ClassRequest:
    """What a class image asks for: classes ({index: weight}, one mix) or regions ([(index, (y0, x0, y1,
    x1))], a part each), the canvas's size (a start image's, if one is given), deepdraw's schedule."""
    classes: dict
    regions: Optional[list] = None
    size: tuple = (320, 320)
    init: Optional[np.ndarray] = None
    schedule: tuple = DEFAULT_SCHEDULE


@dataclass(frozen=True, eq=False)
class ClassDream:
    """A class image prepared on a net, every check made: run() draws it."""
    net: object
    request: ClassRequest
    budget: float

    def steps(self):
        return sum(o["iter_n"] for o in self.request.schedule)

    def run(self, rng, progress=None):
        """The H x W x 3 image; progress(octave, i, canvas) after each step."""
        r = self.request
        return visualize_class(self.net, r.classes, size=r.size, img=r.init, schedule=r.schedule, regions=r.regions,
                               rng=rng, progress=progress, max_memory=self.budget)


def prepare_class(net, request, budget):
    """The ClassDream of `request` on `net` within `budget` bytes: the canvas's size and memory checked
    before any step (DreamError, its hint SMALLER_CANVAS for a front end to word)."""
    check_canvas(net, *request.size)
    check_canvas_memory(net, *request.size, request.schedule, budget)
    return ClassDream(net, request, budget)
