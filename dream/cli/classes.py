"""python -m dream class: an image for a label, deepdraw-style (see dream.engine.classvis)."""
import math
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..errors import DreamError
from ..images import check_writable, load_image, save_image
from ..engine.classvis import SMALLER_CANVAS, ClassRequest, prepare_class
from ..objectives.labels import class_index, imagenet_labels
from ..objectives.terms import MAX_WEIGHT
from ..runs.budget import memory_budget
from ..runs.classes import class_file_name, class_params, class_schedule, class_targets
from ..runs.seeds import resolve_seed

MAX_SIDE = 2**20  # a canvas side; what memory allows is checked separately


def class_spec(text):
    """'golden retriever', '207' or 'tabby:0.5' -> (index, weight)."""
    name, weight = text, 1.0
    if ":" in text:
        head, tail = text.rsplit(":", 1)
        try:
            name, weight = head, float(tail)
        except ValueError:
            pass
    if not math.isfinite(weight) or abs(weight) > MAX_WEIGHT:
        raise DreamError(f"class {text!r}: the weight must be a finite number of at most {MAX_WEIGHT:g} in size")
    return class_index(name), weight


def canvas_size(text):
    """'320' or '480x320' (width x height) -> (height, width), each side 1..MAX_SIDE."""
    try:
        w, h = (text.lower().split("x") + [None])[:2]
        w = int(w)
        h = int(h) if h else w
    except ValueError:
        raise DreamError(f"--size {text!r}: use N or WIDTHxHEIGHT") from None
    if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE):
        raise DreamError(f"--size {text!r}: each side must be between 1 and {MAX_SIDE} pixels")
    return h, w


def build_parser():
    from .common import MAX_COUNT, DefaultsFormatter, OneLineParser, add_model_args, positive, seed_type
    p = OneLineParser(prog="python -m dream class", formatter_class=DefaultsFormatter, description=(
        "Visualise ImageNet classes: ascend their logits on random 224-pixel crops of a canvas, "
        "blurring after each step (deepdraw's schedule)."))
    p.add_argument("classes", nargs="+", metavar="CLASS",
                   help="an ImageNet name ('golden retriever') or index (207), optionally :WEIGHT")
    p.add_argument("-o", "--output", help="output .jpg/.png (default class-NAME.jpg)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("--regions", action="store_true",
                   help="one class per vertical strip of the canvas, instead of one mix everywhere")
    p.add_argument("--size", default="320", help="canvas N or WIDTHxHEIGHT (at least 224)")
    p.add_argument("--init", metavar="IMAGE", help="start from this image instead of grey noise")
    p.add_argument("--iters", type=positive(int, MAX_COUNT), metavar="N",
                   help="steps in every octave (default: deepdraw's 190, 150, 150, 10)")
    p.add_argument("--seed", type=seed_type, help="seed for noise and crops (default: random)")
    add_model_args(p)
    return p


def run(request):
    from .common import already_done, checked_model
    specs = [class_spec(c) for c in request.classes]
    labels = imagenet_labels()
    init = Path(request.init) if request.init else None
    budget = memory_budget(None, gpu=request.gpu)  # the run's, resolved once
    img = load_image(init, budget) if init else None
    size = img.shape[:2] if img is not None else canvas_size(request.size)
    output = Path(request.output or f"{class_file_name(labels[specs[0][0]])}.jpg")
    check_writable(output)
    schedule = class_schedule(request.iters)
    model, weights_sha1 = checked_model(request)
    if not model.class_images:
        raise DreamError(f"class images are drawn with BVLC GoogLeNet's ImageNet classifier (deepdraw's schedule); "
                         f"--model {model.name} has another, so use --model bvlc_googlenet")
    params = class_params(model, weights_sha1, specs, request.regions, size, init, schedule, request.seed)
    if already_done(output, params, request.overwrite):
        return 0
    seed = params["seed"] = resolve_seed(request.seed)
    classes, regions = class_targets(specs, request.regions)
    net = model.load(request.gpu)
    try:
        drawing = prepare_class(net, ClassRequest(classes, regions, size, img, schedule), budget)
    except DreamError as e:
        raise DreamError(str(e).replace(SMALLER_CANVAS, "use a smaller --size")) from None
    with tqdm(total=drawing.steps(), unit="step") as bar:
        def progress(octave, i, canvas):
            bar.set_description(f"octave {octave + 1}/{len(schedule)}", refresh=False)
            bar.update(1)
        out = drawing.run(np.random.RandomState(seed), progress)
    save_image(out, output, params)
    print(f"dream: wrote {output} ({', '.join(labels[c] for c, _ in specs)}, seed {seed})", file=sys.stderr)
    return 0
