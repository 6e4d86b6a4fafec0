"""python -m dream: argument parsing, validation and file I/O around the notebook's algorithm."""
import argparse
import math
import os
import secrets
import sys
from pathlib import Path

import numpy as np

from . import __version__
from .errors import DreamError, one_line
from .expression import parse_objective
from .images import check_writable, load_image, read_metadata, save_image
from .mask import load_mask
from .objectives import layer_l2
from .models import DEFAULT_MODEL, MODEL_NAMES, ModelFiles, check_present, models_dir, named_model, sha1_of
from .progress import DreamProgress
from .runparams import run_params, same_run

# Every default in one place: the notebook's.
DEFAULT_LAYER = "inception_4c/output"
DEFAULT_GUIDE_LAYER = "inception_3b/output"
DEFAULTS = dict(octaves=4, octave_scale=1.4, iters=10, step_size=1.5, jitter=32, zoom=0.05)


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


# Upper bounds: what numpy and Caffe accept, or past which a value only means an endless run.
MAX_SEED = 2**32 - 1  # numpy's RandomState takes seeds below 2**32
MAX_COUNT = 10**6  # octaves, iterations, frames
MAX_PIXELS_SHIFT = 2**31 - 1  # jitter (a C int in numpy's randint)
MAX_STEP = 255.0  # a normalised step moves the mean pixel by this many grey levels
MAX_FEATHER = 1000.0  # a blur wider than this is no edge any more, and slow
MAX_FACTOR = 1e6  # --amplify, --prior-weight, --octave-scale: larger ones overflow float32 in Caffe

seed_type = non_negative(int, MAX_SEED)


def zoom_scale(text):
    value = positive(float)(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1")
    return value


def octave_scale(text):
    """The size ratio between octaves: at least 1 (smaller would make each octave larger than the photo)."""
    return number(float, 1, strict=False, maximum=MAX_FACTOR)(text)


def memory_size(text):
    """--max-memory: a size such as 4G (decimal units: 1G is 10**9 bytes)."""
    from .memory import parse_bytes
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


def build_parser():
    p = OneLineParser(prog="python -m dream", description=(
        "DeepDream as Google's 2015 notebook made it, on Caffe's GoogLeNet. "
        "With no INPUT it dreams the notebook's sky photo (or a sample photo). "
        "Other commands: 'python -m dream class --help', 'python -m dream gallery --help', "
        "'python -m dream video --help'."),
        formatter_class=DefaultsFormatter)
    p.add_argument("input", nargs="?", metavar="INPUT", help="image to dream on")
    p.add_argument("-o", "--output", help="output .jpg/.png (default INPUT-dream.jpg; "
                   "a folder of frames with --frames, default INPUT-frames)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    a = p.add_argument_group("the dream (the notebook's parameters)")
    a.add_argument("--layer", type=non_empty("layer name; see --list-layers"),
                   help=f"layer to maximise (default {DEFAULT_LAYER}, or {DEFAULT_GUIDE_LAYER} with --guide); "
                        f"see --list-layers")
    add_octave_args(a, seed_help="jitter seed (default: random, recorded in the output's metadata)")
    a.add_argument("--guide", metavar="IMAGE", help="guide image: dream towards its features")
    a.add_argument("--exact-gradient", action="store_true",
                   help="clear Caffe's stale diffs before each backward (the notebook does not; see README)")
    o = p.add_argument_group("beyond the notebook")
    o.add_argument("--objective", metavar="EXPR", type=non_empty("objective"),
                   help="what to maximise, instead of --layer, e.g. \"0.7*layer_l2('inception_4c/output') + "
                        "0.3*channel('inception_4d/output', 52)\"; also neuron(layer, c, y, x), class_unit(c), "
                        "guide(layer) with --guide; or 'enhance' (see --amplify, --prior)")
    o.add_argument("--amplify", type=positive(float, MAX_FACTOR), default=2.0, metavar="K",
                   help="with --objective enhance: the k in ||f(X) - k f(X0)||^2")
    o.add_argument("--prior", choices=["tv", "l2"], default="tv",
                   help="with --objective enhance: the natural-image prior R(X)")
    o.add_argument("--prior-weight", type=non_negative(float, MAX_FACTOR), default=0.1, metavar="LAMBDA",
                   help="with --objective enhance: the prior's weight (per pixel, relative to the data term)")
    o.add_argument("--optimizer", choices=["lbfgs", "step"], default="lbfgs",
                   help="with --objective enhance: scipy's L-BFGS-B in the pixel range, or the notebook's step")
    o.add_argument("--mask", metavar="IMAGE", help="dream only where this image is bright (white: dream, black: keep)")
    o.add_argument("--mask-feather", type=non_negative(float, MAX_FEATHER), default=8.0, metavar="PX",
                   help="blur of the mask's edge, in pixels")
    add_memory_args(p)
    z = p.add_argument_group("zoom loop")
    z.add_argument("--frames", type=positive(int, MAX_COUNT), metavar="N", help="write N zoom-loop frames into a folder")
    z.add_argument("--zoom", type=zoom_scale, default=DEFAULTS["zoom"], metavar="S",
                   help="zoom per frame, the notebook's s")
    z.add_argument("--video", metavar="OUT.mp4", help="also write the frames as an H.264 mp4")
    z.add_argument("--fps", type=positive(float, 1000), default=25.0, help="the --video's frame rate")
    m = add_model_args(p)
    m.add_argument("--list-layers", action="store_true", help="list the layers you can dream at, and exit")
    p.add_argument("--version", action="version", version=f"dream {__version__}")
    return p


def add_octave_args(group, seed_help):
    """The notebook's octave and step parameters, shared by the dream and the gallery."""
    group.add_argument("--octaves", type=positive(int, MAX_COUNT), default=DEFAULTS["octaves"],
                       help="number of scales")
    group.add_argument("--octave-scale", type=octave_scale, default=DEFAULTS["octave_scale"],
                       help="size ratio between octaves")
    group.add_argument("--iters", type=positive(int, MAX_COUNT), default=DEFAULTS["iters"], help="steps per octave")
    group.add_argument("--step-size", type=positive(float, MAX_STEP), default=DEFAULTS["step_size"],
                       help="normalised step size")
    group.add_argument("--jitter", type=non_negative(int, MAX_PIXELS_SHIFT), default=DEFAULTS["jitter"],
                       help="random shift in pixels")
    group.add_argument("--seed", type=seed_type, help=seed_help)


def add_memory_args(p):
    """--max-memory and --tile-margin: octaves too large for memory are dreamed in tiles."""
    g = p.add_argument_group("memory (large photos are dreamed in tiles; see README)")
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
    m.add_argument("--model", default=DEFAULT_MODEL, choices=MODEL_NAMES, help="model under models/")
    m.add_argument("--prototxt", help="any Caffe deploy prototxt (with --weights), instead of --model")
    m.add_argument("--weights", help="its caffemodel")
    m.add_argument("--gpu", nargs="?", const=0, type=non_negative(int, MAX_PIXELS_SHIFT), metavar="ID",
                   default=os.environ.get("DREAM_GPU") or None,
                   help="run on GPU ID (default: CPU, or $DREAM_GPU; a bare --gpu means 0)")
    return m


def checked_model(args):
    """The model the flags name, its files present and verified, and its weights' sha1."""
    model = resolve_model(args)
    check_present(model, verify_sha1=model.sha1 is not None)
    return model, model.sha1 or sha1_of(model.weights)


def already_done(output, params, overwrite):
    """True if `output` holds this very run; DreamError if it holds another and may not be replaced."""
    if not output.exists() or overwrite:
        return False
    if same_run(read_metadata(output), params):
        print(f"dream: {output} already holds this result; nothing to do", file=sys.stderr)
        return True
    raise DreamError(f"output {output} exists; choose another -o, or pass --overwrite")


def resolve_model(args):
    if args.prototxt or args.weights:
        if not (args.prototxt and args.weights):
            raise DreamError("--prototxt and --weights go together")
        return ModelFiles(Path(args.weights).stem, Path(args.prototxt), Path(args.weights))
    return named_model(args.model)


def list_layers(model):
    import caffe
    from .net import dream_layers, read_net_param
    if not model.prototxt.is_file():
        raise DreamError(f"model definition not found: {model.prototxt}")
    read_net_param(model.prototxt)  # a clean error before caffe.Net can abort
    net = caffe.Net(str(model.prototxt), caffe.TEST)
    for name in dream_layers(net):
        print(name)


def default_input():
    """The notebook's sky photo once downloaded, else scikit-image's astronaut (public domain, NASA)."""
    sky = models_dir() / "samples" / "sky1024px.jpg"
    if sky.is_file():
        print(f"dream: no INPUT given; using the notebook's photo {sky}", file=sys.stderr)
        return sky, load_image(sky)
    import skimage.data
    print("dream: no INPUT given; using scikit-image's astronaut photo (public domain, NASA); "
          "scripts/download_models.sh samples fetches the notebook's sky photo", file=sys.stderr)
    return Path("astronaut.png"), np.float32(skimage.data.astronaut())


def run(args):
    if args.list_layers:
        list_layers(resolve_model(args))
        return 0

    if args.input:
        input_path = Path(args.input)
        img = load_image(input_path)
    else:
        input_path, img = default_input()
    guide_path = Path(args.guide) if args.guide else None
    guide_img = load_image(guide_path) if guide_path else None
    if args.objective == "enhance":
        unused = [flag for flag, value in [("--guide", args.guide), ("--mask", args.mask), ("--frames", args.frames),
                                           ("--max-memory", args.max_memory),
                                           ("--tile-margin", args.tile_margin is not None)] if value]
        if unused:
            raise DreamError(f"{unused[0]} does not apply to --objective enhance")
        layer = args.layer or DEFAULT_LAYER
    elif args.objective:
        if args.layer:
            raise DreamError("--objective names its own layers; leave out --layer")
        guided = []  # syntax errors now, before any work; and whether guide() is used
        parse_objective(args.objective, {"guide": lambda at: guided.append(at) or layer_l2(at)})
        if guided and guide_img is None:
            raise DreamError("--objective uses guide(layer): pass the guide image with --guide")
        layer = None
    else:
        layer = args.layer or (DEFAULT_GUIDE_LAYER if guide_path else DEFAULT_LAYER)
    if args.video:
        from .video_io import check_even
        check_even(img.shape[1], img.shape[0], f"the photo {input_path.name}")
    mask_path = Path(args.mask) if args.mask else None
    mask = load_mask(mask_path, *img.shape[:2], args.mask_feather) if mask_path else None

    if args.video and not args.frames:
        raise DreamError("--video writes the zoom loop's frames: give --frames N too")
    if args.video and Path(args.video).suffix.lower() != ".mp4":
        raise DreamError(f"--video {args.video}: the video is an .mp4")
    if args.frames:
        output = Path(args.output or f"{input_path.stem}-frames")
    else:
        output = Path(args.output or f"{input_path.stem}-dream.jpg")
        check_writable(output)

    model, weights_sha1 = checked_model(args)
    params = run_params(args, model, weights_sha1, input_path, guide_path, layer, args.seed, mask_path)
    if not args.frames and already_done(output, params, args.overwrite):
        return 0

    from .net import load_net
    from .octaves import check_dream_run
    net = load_net(model.prototxt, model.weights, gpu=args.gpu)
    step_params = dict(iter_n=args.iters, octave_n=args.octaves, octave_scale=args.octave_scale,
                       step_size=args.step_size, jitter=args.jitter, exact_gradient=args.exact_gradient,
                       mask=mask, max_memory=args.max_memory, tile_margin=args.tile_margin)
    if args.objective == "enhance":
        return run_enhance(net, img, output, params, args, layer)
    from .guide import guide_features, objective_guide
    if args.objective:
        from .objectives import guide
        objective = parse_objective(args.objective, {
            "guide": lambda at: guide(at, guide_features(net, guide_img, at))})
        step_params["objective"] = objective
        ends = objective.layers
    else:
        step_params["end"] = layer
        ends = [layer]
    plans = check_dream_run(net, img, args.octaves, args.octave_scale, ends, step_params.get("objective"), mask,
                            args.max_memory, args.tile_margin)
    say_tiles(plans, args.max_memory)
    if guide_img is not None and not args.objective:
        step_params["objective"] = objective_guide(guide_features(net, guide_img, layer))

    if args.frames:
        from .zoom_run import run_zoom, zoom_video
        status = run_zoom(net, img, output, params, args, step_params)
        if args.video:
            zoom_video(output, args.frames, Path(args.video), args.fps)
        return status

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    params["seed"] = seed
    with DreamProgress(args.octaves, args.iters) as bar:
        result = _dream(net, img, dict(step_params, plans=plans), np.random.RandomState(seed), bar)
    save_image(result, output, params)
    print(f"dream: wrote {output} ({layer or args.objective}, seed {seed})", file=sys.stderr)
    return 0


def say_tiles(plans, max_memory):
    """One line when octaves are dreamed in tiles: what the largest would need whole against the
    budget, how many octaves tile, and the largest one's plan."""
    tiled = [p for p in plans if p is not None]
    if tiled:
        from .memory import available_bytes, gigabytes
        budget = max_memory if max_memory is not None else available_bytes()
        largest = tiled[-1]
        why = (f"the {largest.cols.length}x{largest.rows.length} octave needs about {gigabytes(largest.whole)} "
               f"whole and the budget is {gigabytes(budget)}" if largest.whole > budget else "--tile-margin")
        print(f"dream: {why}: {len(tiled)} of {len(plans)} octaves in tiles; the largest in "
              f"{largest.describe()}", file=sys.stderr)


def run_enhance(net, img, output, params, args, layer):
    """--objective enhance: ||f(X) - k f(X0)||^2 + lambda R(X), one scale, no jitter (see dream.enhance)."""
    from tqdm import tqdm
    from .enhance import check_enhance, enhance
    check_enhance(net, img, layer)
    with tqdm(total=args.iters, unit="iter", desc=f"enhance {layer}") as bar:
        def progress(i, loss):
            bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
            bar.update(1)
        result = enhance(net, img, layer, amplify=args.amplify, prior=args.prior,
                         prior_weight=args.prior_weight, optimizer=args.optimizer, iter_n=args.iters,
                         step_size=args.step_size, progress=progress)
    save_image(result, output, params)
    print(f"dream: wrote {output} (enhance {layer})", file=sys.stderr)
    return 0


def _dream(net, img, step_params, rng, progress):
    from .octaves import deepdream
    return deepdream(net, img, rng=rng, progress=progress, **step_params)


# Commands besides the default dream: python -m dream NAME ...
COMMANDS = {"class": "dream.cli_class", "gallery": "dream.cli_gallery", "video": "dream.cli_video"}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        import importlib
        command = importlib.import_module(COMMANDS[argv[0]])
        args, runner = command.build_parser().parse_args(argv[1:]), command.run
    else:
        args, runner = build_parser().parse_args(argv), run
    try:
        return runner(args)
    except DreamError as e:
        print(f"dream: error: {one_line(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dream: interrupted; nothing half-written was left behind", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. --list-layers | head: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
