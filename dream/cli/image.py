"""python -m dream INPUT: one photo dreamed as the notebook does (or its zoom loop), with what came since."""
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from .. import __version__
from ..errors import DreamError
from ..engine.mask import load_mask
from ..images import check_writable, load_image, save_image
from ..objectives.expression import objective_from, signatures
from ..runs.budget import memory_budget
from ..runs.metadata import run_params
from ..engine.parameters import DreamParams
from ..runs.seeds import resolve_seed
from .common import (DEFAULT_GUIDE_LAYER, DEFAULT_LAYER, DEFAULTS, MAX_COUNT, MAX_FACTOR, MAX_FEATHER,
                     DefaultsFormatter, OneLineParser, add_memory_args, add_model_args, add_octave_args,
                     already_done, checked_model, default_input, default_layer, non_empty, non_negative, positive,
                     resolve_model, say_tiles, zoom_scale)
from .progress import DreamProgress


def build_parser():
    p = OneLineParser(prog="python -m dream", description=(
        "DeepDream as Google's 2015 notebook made it, on Caffe's GoogLeNet. "
        "With no INPUT it dreams the notebook's sky photo (or a sample photo). "
        "Other commands: 'python -m dream class --help', 'python -m dream gallery --help', "
        "'python -m dream video --help', 'python -m dream batch --help', 'python -m dream serve --help', "
        "'python -m dream live --help'; "
        "'python -m dream download' fetches the weights and sample photos."),
        formatter_class=DefaultsFormatter)
    p.add_argument("input", nargs="?", metavar="INPUT", help="image to dream on")
    p.add_argument("-o", "--output", help="output .jpg/.png (default INPUT-dream.jpg; "
                   "a folder of frames with --frames, default INPUT-frames)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    a = p.add_argument_group("the dream (the notebook's parameters)")
    a.add_argument("--layer", type=non_empty("layer name; see --list-layers"),
                   help=f"layer to maximise (default {DEFAULT_LAYER}, or {DEFAULT_GUIDE_LAYER} with --guide, for GoogLeNet; "
                        f"another --model's own, as python -m dream download --list shows); "
                        f"see --list-layers")
    add_octave_args(a, seed_help="jitter seed (default: random, recorded in the output's metadata)")
    a.add_argument("--guide", metavar="IMAGE", help="guide image: dream towards its features")
    a.add_argument("--exact-gradient", action="store_true",
                   help="clear Caffe's stale diffs before each backward (the notebook does not; see docs/faithfulness.md)")
    o = p.add_argument_group("beyond the notebook")
    o.add_argument("--objective", metavar="EXPR", type=non_empty("objective"),
                   help="what to maximise, instead of --layer, e.g. \"0.7*layer_l2('inception_4c/output') + "
                        f"0.3*channel('inception_4d/output', 52)\": a sum of {signatures(['guide(layer) with --guide'])}"
                        "; or 'enhance' (see --amplify, --prior)")
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
    m.add_argument("--list-layers", action="store_true", help="list the layers you can dream at (channels, and sizes at INPUT's size or the sky "
                        "photo's), and exit")
    p.add_argument("--version", action="version", version=f"dream {__version__}")
    return p


LISTED_SIZE = (575, 1024)  # --list-layers without INPUT: sizes at the notebook's sky photo


def list_layers(model, photo=None):
    """The model's dream layers, with channels and sizes at `photo`'s size (or the sky's); no weights needed."""
    import caffe
    from ..network.listing import layer_rows, layer_table
    from ..network.net import read_net_param
    if not model.prototxt.is_file():
        raise DreamError(f"model definition not found: {model.prototxt}")
    param = read_net_param(model.prototxt)  # a clean error before caffe.Net can abort
    height, width = LISTED_SIZE if photo is None else photo_size(photo)
    net = caffe.Net(str(model.prototxt), caffe.TEST)
    rows = layer_rows(net, param, height, width)
    names = [row[0] for row in rows]
    defaults = (f", default {model.layer}, with --guide {model.guide_layer}"
                if model.layer in names and model.guide_layer in names else "")
    print(f"# {model.name}: the layers a dream can end at (--layer){defaults}")
    print(layer_table(rows, height, width))


def photo_size(path):
    """(height, width) of a photo as dream reads it (EXIF rotation applied), from its header, with a
    one-line error."""
    import PIL.Image
    try:
        with PIL.Image.open(path) as img:
            turned = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # Orientation: a quarter turn
            return (img.width, img.height) if turned else (img.height, img.width)
    except (OSError, PIL.Image.DecompressionBombError) as e:
        raise DreamError(f"cannot read {path}: {e}") from None


def run(request):
    if request.list_layers:
        list_layers(resolve_model(request), request.input)
        return 0
    from .enhance import is_enhance, run as run_enhance
    if is_enhance(request.objective):  # the other render loop: one photo, one scale
        return run_enhance(request)
    budget = memory_budget(request.max_memory, gpu=request.gpu)  # the run's, resolved once: the photos are read within it too
    photo = read_photos(request, budget)
    layer = target_layer(request, photo.guide_img)
    output = checked_output(request, photo)
    model, weights_sha1 = checked_model(request)
    recorded = run_params(DreamParams.of(request), model, weights_sha1, photo.path, photo.guide_path, layer,
                          request.seed, photo.mask_path, objective=request.objective, mask_feather=request.mask_feather,
                          frames=request.frames, zoom=request.zoom, tile_margin=request.tile_margin)
    if not request.frames and already_done(output, recorded, request.overwrite):
        return 0

    net = model.load(request.gpu)
    from ..engine.prepare import prepare
    dream = prepare(net, dream_request(request, photo, layer), *photo.img.shape[:2], budget)
    say_tiles(dream)
    if request.frames:
        return run_zoom_and_video(dream, photo.img, output, recorded, request)
    seed = recorded["seed"] = resolve_seed(request.seed)
    with DreamProgress(request.octaves, request.iters) as bar:
        result = dream.run(photo.img, np.random.RandomState(seed), bar)
    save_image(result, output, recorded)
    print(f"dream: wrote {output} ({layer or request.objective}, seed {seed})", file=sys.stderr)
    return 0


@dataclass
class Photos:
    """The photo to dream (its path, and its pixels), and the guide and mask images if given."""
    path: Path
    img: np.ndarray
    guide_path: Optional[Path] = None
    guide_img: Optional[np.ndarray] = None
    mask_path: Optional[Path] = None
    mask: Optional[np.ndarray] = None  # the soft mask, at the photo's size


def read_photos(request, budget):
    """INPUT (or the default photo) and --guide, read and checked (within the run's budget, in bytes)."""
    if request.input:
        path = Path(request.input)
        photo = Photos(path, load_image(path, budget))
    else:
        photo = Photos(*default_input())
    if request.guide:
        photo.guide_path = Path(request.guide)
        photo.guide_img = load_image(photo.guide_path, budget)
    return photo


def target_layer(request, guide_img):
    """The layer dreamed at (None when --objective names its own), after --objective's checks."""
    if request.objective:
        if request.layer:
            raise DreamError("--objective names its own layers; leave out --layer")
        objective_from(request.objective, guide_img)  # syntax and names now, before any work
        return None
    return request.layer or default_layer(request)


def checked_output(request, photo):
    """The output file (or, with --frames, folder), after the checks on it, --video and --mask (which
    needs the photo's size)."""
    if request.video:
        from ..video.io import check_even
        check_even(photo.img.shape[1], photo.img.shape[0], f"the photo {photo.path.name}")
    if request.mask:
        photo.mask_path = Path(request.mask)
        photo.mask = load_mask(photo.mask_path, *photo.img.shape[:2], request.mask_feather)
    if request.video and not request.frames:
        raise DreamError("--video writes the zoom loop's frames: give --frames N too")
    if request.video and Path(request.video).suffix.lower() != ".mp4":
        raise DreamError(f"--video {request.video}: the video is an .mp4")
    if request.frames:
        return Path(request.output or f"{photo.path.stem}-frames")
    output = Path(request.output or f"{photo.path.stem}-dream.jpg")
    check_writable(output)
    return output


def dream_request(request, photo, layer):
    """The dream the flags ask for, as values (dream.engine.prepare's request)."""
    from ..engine.prepare import DreamRequest
    return DreamRequest(layer=layer, objective=request.objective, params=DreamParams.of(request), guide=photo.guide_img,
                        mask=photo.mask, tile_margin=request.tile_margin)


def run_zoom_and_video(dream, img, output, recorded, request):
    """--frames (and --video): the zoom loop's frames, then the mp4 of them."""
    from ..runs.zoom_frames import zoom_video
    from .zoom import run_zoom
    status = run_zoom(dream, img, output, recorded, request)
    if request.video:
        zoom_video(output, request.frames, Path(request.video), request.fps)
    return status
