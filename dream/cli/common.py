"""What the commands share: the argument types and groups, the model flags, and the checks around a run
(output already there, model files present). The defaults and limits are dream.engine.parameters'."""
import argparse
import dataclasses
import math
import os
import sys
from pathlib import Path

import numpy as np

from ..errors import DreamError, one_line
from ..images import load_image, read_metadata
from ..models import DEFAULT_MODEL, MODEL_NAMES, ModelFiles, check_present, models_dir, named_model, sha1_of
from ..runs.resume import earlier_run
from ..engine.parameters import (DEFAULT_GUIDE_LAYER, DEFAULT_LAYER, DEFAULTS, MAX_COUNT, MAX_FACTOR,  # noqa: F401
                               MAX_FEATHER, MAX_PIXELS_SHIFT, MAX_STEP, NOTEBOOK)
from ..runs.seeds import MAX_SEED


def frozen_request(namespace):
    """A command's parsed flags as its request: a frozen value, read once, which no function below the
    parser can rewrite (FrozenInstanceError)."""
    values = vars(namespace)
    kind = dataclasses.make_dataclass("Request", list(values), frozen=True)
    return kind(**values)


class DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each default, except the empty ones (None, False) that would only add noise."""
    def _get_help_string(self, action):
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments get one line on stderr, not the usage block."""
    def error(self, message):
        self.exit(2, f"dream: error: {one_line(message)} (see --help)\n")


def number(kind, minimum, strict, maximum=None):
    """An argparse type: a finite `kind` (int or float) above minimum (strict) or at least minimum,
    and at most maximum. NaN and inf are refused: they would pass the range checks
    (nan < 0 is False) and reach Caffe, whose max pooling then writes out of bounds."""
    def parse(text):
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {kind.__name__}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if value < minimum or (strict and value == minimum):
            bound = "greater than" if strict else "at least"
            raise argparse.ArgumentTypeError(f"{text!r} must be {bound} {minimum}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at most {maximum}")
        return value
    return parse


def positive(kind, maximum=None):
    return number(kind, 0, strict=True, maximum=maximum)


def non_negative(kind, maximum=None):
    return number(kind, 0, strict=False, maximum=maximum)


seed_type = non_negative(int, MAX_SEED)


def zoom_scale(text):
    value = positive(float)(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1")
    return value


def memory_size(text):
    """--max-memory: a size such as 4G (decimal units: 1G is 10**9 bytes)."""
    from ..network.memory import parse_bytes
    try:
        return parse_bytes(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r}: {e}") from None


def non_empty(what):
    """An argparse type for a name that may not be empty (an empty one would silently mean the default)."""
    def parse(text):
        if not text.strip():
            raise argparse.ArgumentTypeError(f"the {what} is empty")
        return text
    return parse


def add_octave_args(group, seed_help, listed=None):
    """The notebook's octave and step parameters (dream.engine.parameters' table), shared by the dream, the
    gallery and the video; listed(type): a comma list of them instead (batch's sweeps)."""
    for parameter in NOTEBOOK:
        parse = number(parameter.kind, parameter.low, parameter.strict, parameter.high)
        group.add_argument(parameter.flag, type=listed(parse) if listed else parse,
                           default=[parameter.default] if listed else parameter.default,
                           help=parameter.help_many if listed else parameter.help)
    group.add_argument("--seed", type=seed_type, help=seed_help)


def add_memory_args(p):
    """--max-memory and --tile-margin: octaves too large for memory are dreamed in tiles."""
    g = p.add_argument_group("memory (large photos are dreamed in tiles; see docs/tiles.md)")
    g.add_argument("--max-memory", type=memory_size, metavar="SIZE",
                   help="peak memory to stay within, e.g. 4G or 512M (default: what the machine has "
                        "available at start, or $DREAM_MAX_MEMORY)")
    g.add_argument("--tile-margin", type=non_negative(int, MAX_PIXELS_SHIFT), metavar="PX",
                   help="tile in any case, with this margin around each tile's core (rounded up to the "
                        "layer's stride): faster, no longer identical to the untiled dream (default: "
                        "tile only when needed, with the exact margin, the deepest layer's receptive field)")
    return g


def add_model_args(p):
    """--model, --prototxt/--weights and --gpu, shared by every command."""
    m = p.add_argument_group("model")
    m.add_argument("--model", default=DEFAULT_MODEL, choices=MODEL_NAMES, help="a model dream knows (weights: python -m dream download NAME)")
    m.add_argument("--prototxt", help="any Caffe deploy prototxt (with --weights), instead of --model")
    m.add_argument("--weights", help="its caffemodel")
    m.add_argument("--gpu", nargs="?", const=0, type=non_negative(int, MAX_PIXELS_SHIFT), metavar="ID",
                   default=os.environ.get("DREAM_GPU") or None,
                   help="run on GPU ID (default: CPU, or $DREAM_GPU; a bare --gpu means 0)")
    return m


def checked_model(request):
    """The model the flags name, its files present and verified, and its weights' sha1."""
    model = resolve_model(request)
    check_present(model, verify_sha1=model.sha1 is not None)
    return model, model.sha1 or sha1_of(model.weights)


def already_done(output, params, overwrite):
    """True if `output` holds this very run; DreamError if it holds another and may not be replaced."""
    found = output.exists()
    if earlier_run(f"output {output}", found, read_metadata(output) if found else None, params, overwrite) is None:
        return False
    print(f"dream: {output} already holds this result; nothing to do", file=sys.stderr)
    return True


def resolve_model(request):
    if request.prototxt or request.weights:
        if not (request.prototxt and request.weights):
            raise DreamError("--prototxt and --weights go together")
        return ModelFiles(Path(request.weights).stem, Path(request.prototxt), Path(request.weights))
    return named_model(request.model)


def default_layer(request):
    """The layer a run dreams at when --layer is not given: the model's (the notebook's for GoogLeNet),
    its guide layer with --guide."""
    model = resolve_model(request)
    return model.guide_layer if getattr(request, "guide", None) else model.layer


def default_input():
    """The notebook's sky photo once downloaded, else scikit-image's astronaut (public domain, NASA)."""
    sky = models_dir() / "samples" / "sky1024px.jpg"
    if sky.is_file():
        print(f"dream: no INPUT given; using the notebook's photo {sky}", file=sys.stderr)
        return sky, load_image(sky)
    import skimage.data
    print("dream: no INPUT given; using scikit-image's astronaut photo (public domain, NASA); "
          "python -m dream download samples fetches the notebook's sky photo", file=sys.stderr)
    return Path("astronaut.png"), np.float32(skimage.data.astronaut())


def say_tiles(dream):
    """One line when a prepared dream's octaves are dreamed in tiles: what the largest would need whole
    against the budget, or --tile-margin, and what the dream says of its tiles."""
    if tiled := dream.tiled():
        from ..network.memory import gigabytes
        largest = tiled[-1]
        why = (f"the {largest.cols.length}x{largest.rows.length} octave needs about {gigabytes(largest.whole)} "
               f"whole and the budget is {gigabytes(dream.budget)}" if largest.whole > dream.budget
               else "--tile-margin")
        print(f"dream: {why}: {dream.describe()}", file=sys.stderr)


def with_flags(error, gpu_flag="--gpu"):
    """The library's error as the command line says it: where the library names an input in its own
    words (an objective, a GPU, a layer it does not know), the flag that gave it, or where to look."""
    from ..network.net import GpuUnusable, UnknownLayer
    from ..objectives.expression import GUIDE_NEEDED, ObjectiveError
    causes = _raised_from(error)

    def first(kind):  # the outermost error of a kind: the one whose words are in the message
        return next((cause for cause in causes if isinstance(cause, kind)), None)
    text = str(error)
    if objective := first(ObjectiveError):
        text = text.replace(str(objective), f"--{objective}", 1)
    if gpu := first(GpuUnusable):
        flag = getattr(gpu, "flag", gpu_flag)  # set where another flag asked for the device
        text = text.replace(str(gpu), f"{flag}{':' if gpu.device is None else ''} {gpu}", 1)
    if (layer := first(UnknownLayer)) and not layer.close:
        text = text.replace(str(layer), f"{layer}; see --list-layers", 1)
    return text.replace(GUIDE_NEEDED, f"{GUIDE_NEEDED}: pass it with --guide", 1)


def _raised_from(error):
    """error, and the errors it was raised from or while handling, innermost last."""
    chain = []
    while isinstance(error, BaseException) and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain
