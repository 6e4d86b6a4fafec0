"""python -m dream reproduce: the notebook's published figures re-made, each beside Google's own in one
contact sheet, with a measure of whether the two are alike in character (dream.engine.likeness)."""
import io
import sys
from pathlib import Path

import numpy as np

from ..download import REGISTRY, sha1_of
from ..errors import DreamError
from ..images import load_image, read_metadata, save_image
from ..runs.published import FIGURES, ZOOM_SCALE, published_images
from ..runs.resume import earlier_run
from ..runs.seeds import resolve_seed

SHEET = "contact-sheet.jpg"
NOTEBOOK = REGISTRY["published"]["files"]["dream.ipynb"]


def build_parser():
    from .common import (MAX_COUNT, DefaultsFormatter, OneLineParser, add_memory_args, add_model_args, positive,
                         seed_type)
    p = OneLineParser(prog="python -m dream reproduce", formatter_class=DefaultsFormatter, description=(
        "Re-make the figures of Google's notebook (the sky at inception_4c/output and at "
        "inception_3b/5x5_reduce, frame 29 of the zoom loop, the dream guided by flowers.jpg) with the "
        "notebook's defaults, and put each beside the published image, with a measure that says whether "
        "the two are alike in character (the notebook's jitter had no seed: pixels cannot match). Needs the "
        "real weights and photos (python -m dream download) and the notebook (python -m dream download "
        "published). A re-run reuses the figures already made."))
    p.add_argument("-o", "--output", default="reproduce", help="folder for the figures and the contact sheet")
    p.add_argument("--figures", type=figure_names, default=",".join(f.name for f in FIGURES),
                   help="comma-separated figures to make")
    p.add_argument("--seed", type=seed_type, help="jitter seed (default: random, recorded)")
    p.add_argument("--zoom-frames", type=positive(int, MAX_COUNT), default=FIGURES[2].zoom_frame + 1, metavar="N",
                   help="frames of the zoom loop to dream: the published one is the 30th; fewer compare "
                        "an earlier frame (quicker, and no longer the published figure's)")
    p.add_argument("--notebook", help="the notebook file (default: the downloaded one, sha1 checked; "
                                      "another is read unchecked)")
    add_memory_args(p)
    add_model_args(p)
    return p


def figure_names(text):
    import argparse
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = [f.name for f in FIGURES]
    wrong = [n for n in names if n not in known]
    if wrong or not names:
        raise argparse.ArgumentTypeError(f"{(wrong or [text])[0]!r} is not a figure; choose from {', '.join(known)}")
    return names


def run(request):
    from .common import checked_model
    from ..runs.budget import memory_budget
    figures = [f for f in FIGURES if f.name in request.figures]
    photo_path, guide_path = sample("sky1024px.jpg"), sample("flowers.jpg")
    published = published_images(notebook_path(request), figures)
    model, weights_sha1 = checked_model(request)
    say_weights(model, weights_sha1)
    budget = memory_budget(request.max_memory, gpu=request.gpu)
    photo, guide = load_image(photo_path, budget), load_image(guide_path, budget)
    for name, image in published.items():
        if image.shape != photo.shape:
            raise DreamError(f"the published {name} figure is {image.shape[1]}x{image.shape[0]}, the photo "
                             f"{photo_path.name} {photo.shape[1]}x{photo.shape[0]}: not the notebook's photo")
    folder = Path(request.output)
    if folder.exists() and not folder.is_dir():
        raise DreamError(f"output {folder} is a file; reproduce writes a folder")
    folder.mkdir(parents=True, exist_ok=True)
    net = model.load(request.gpu)
    missing = [f.layer for f in figures if f.layer not in net._layer_names]
    if missing:
        raise DreamError(f"reproduce re-makes the notebook's figures at GoogLeNet's layers, and {model.name} has no "
                         f"layer {missing[0]}: use the notebook's model (--model bvlc_googlenet)")
    base = dict(model=model.name, weights_sha1=weights_sha1, input_sha1=sha1_of(photo_path),
                guide_sha1=sha1_of(guide_path), zoom_frames=request.zoom_frames)
    seed = resolve_seed(request.seed, earlier_seed(folder, figures, base))
    rows, dreamed = [], set()  # dreamed: the figures dreamed on this net, in order (its stale diffs)
    for figure in figures:
        params = dict(base, figure=figure.name, layer=figure.layer, seed=seed)
        if figure.after and figure.after not in dreamed and not made_before(folder, figure, params):
            # inside a module the gradient reads what the dream before it left (docs/faithfulness.md): the
            # notebook made this figure right after that one, so dream that one first, and discard it
            before = next(f for f in FIGURES if f.name == figure.after)
            dream_figure(net, before, photo, guide, dict(params, figure=before.name, layer=before.layer), budget, request)
            dreamed.add(before.name)
        if not made_before(folder, figure, params):
            dreamed.add(figure.name)
        made = figure_image(net, figure, photo, guide, folder / f"{figure.name}.png", params, budget, request)
        verdict = compare(net, model, figure, published[figure.name], made, photo)
        print(f"dream: {figure.name} ({figure.describe(request.zoom_frames)}): {verdict.describe()}", file=sys.stderr)
        rows.append((f"{figure.name}: published", published[figure.name]))
        rows.append((f"{figure.name}: dream, {'alike' if verdict.in_character else 'NOT alike'} "
                     f"({verdict.distance:.2f})", made))
    from ..engine.gallery import contact_sheet
    save_image(contact_sheet(rows, columns=2, tile_width=384), folder / SHEET, dict(base, seed=seed))
    print(f"dream: {folder / SHEET}: the published figures (left) beside dream's (right), seed {seed}",
          file=sys.stderr)
    return 0


def sample(name):
    from ..download import models_dir
    path = models_dir() / "samples" / name
    if not path.is_file():
        raise DreamError(f"the notebook's {name} is not at {path}; get it with: python -m dream download samples")
    return path


def notebook_path(request):
    """The notebook to compare with: --notebook as given, else the downloaded one, its sha1 checked."""
    if request.notebook:
        return Path(request.notebook)
    from ..download import models_dir
    path = models_dir() / "published" / "dream.ipynb"
    if not path.is_file():
        raise DreamError(f"the notebook with the published images is not at {path}; get it with: "
                         f"python -m dream download published")
    if sha1_of(path) != NOTEBOOK["sha1"]:
        raise DreamError(f"{path} has sha1 {sha1_of(path)}, not the notebook's {NOTEBOOK['sha1']}: delete it "
                         f"and run python -m dream download published")
    return path


def say_weights(model, weights_sha1):
    """One line where the weights are not the notebook's: the figures then show the mechanics only."""
    wanted = REGISTRY["bvlc_googlenet"]["files"]["bvlc_googlenet.caffemodel"]["sha1"]
    if weights_sha1 != wanted:
        print(f"dream: {model.weights} is not the notebook's BVLC GoogLeNet (sha1 {wanted}): the figures "
              f"show how reproduce works, not a reproduction", file=sys.stderr)


def earlier_seed(folder, figures, base):
    """The seed of figures an earlier run of these parameters left, so that a re-run without --seed resumes it."""
    from ..runs.resume import earlier_seed as seed_of
    earlier = (earlier_run(path, path.exists(), read_metadata(path) if path.exists() else None,
                           dict(base, figure=f.name, layer=f.layer), overwrite=False, refuse=False)
               for f in figures for path in [folder / f"{f.name}.png"])
    return seed_of(next((e for e in earlier if e is not None), None))


def made_before(folder, figure, params):
    """Whether an earlier run left this figure, made with these parameters (a DreamError if another run's)."""
    path = folder / f"{figure.name}.png"
    return earlier_run(path, path.exists(), read_metadata(path) if path.exists() else None, params,
                       overwrite=False) is not None


def figure_image(net, figure, photo, guide, path, params, budget, request):
    """The figure re-made (or read back, where an earlier run made it with these parameters), as the
    notebook showed its own: through a JPEG at PIL's default quality (its showarray, its saved frames)."""
    if made_before(path.parent, figure, params):
        return load_image(path)
    shown = as_notebook_showed(dream_figure(net, figure, photo, guide, params, budget, request))
    save_image(shown, path, params)
    return shown


def dream_figure(net, figure, photo, guide, params, budget, request):
    """The figure's dream, with the notebook's defaults and the run's seed."""
    from ..engine.parameters import DreamParams
    from ..engine.prepare import DreamRequest, prepare
    from .progress import DreamProgress
    dream = prepare(net, DreamRequest(layer=figure.layer, params=DreamParams(), guide=guide if figure.guided else None,
                                      tile_margin=request.tile_margin), *photo.shape[:2], budget)
    rng = np.random.RandomState(params["seed"])
    with DreamProgress(dream.request.params.octaves, dream.request.params.iters) as bar:
        if figure.zoom_frame is None:
            out = dream.run(photo, rng, bar)
        else:
            for _, out, _ in dream.zoom(photo, request.zoom_frames, ZOOM_SCALE, rng, progress=bar):
                bar.bar.reset()
    return out


def as_notebook_showed(img):
    """np.uint8 of the image, through a JPEG at PIL's default quality (75), as a float32 array."""
    import PIL.Image
    buffer = io.BytesIO()
    PIL.Image.fromarray(np.uint8(np.clip(img, 0, 255))).save(buffer, "jpeg")
    return np.float32(PIL.Image.open(io.BytesIO(buffer.getvalue())))


def compare(net, model, figure, published, made, photo):
    """The Likeness of the two images' layer profiles over the model's gallery layers and the figure's."""
    from ..engine.likeness import likeness, profile
    from ..network.net import dream_layers
    names = dream_layers(net)
    layers = [n for n in names if n in set(model.gallery_layers(names)) | {figure.layer}]
    return likeness(profile(net, published, photo, layers), profile(net, made, photo, layers))
