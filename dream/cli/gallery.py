"""python -m dream gallery: the same photo dreamed at each layer, one image per layer and a contact sheet."""
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..engine.gallery import contact_sheet, tile_name
from ..errors import DreamError
from ..images import load_image, read_metadata, save_image
from ..runs.metadata import gallery_params
from ..runs.resume import earlier_run, earlier_seed
from ..engine.parameters import DreamParams
from ..runs.budget import memory_budget
from ..runs.seeds import resolve_seed
from .common import checked_model, default_input
from .progress import DreamProgress

SHEET = "contact-sheet.jpg"
MAX_COLUMNS = 64  # a wider contact sheet is no longer one picture


def build_parser():
    from .common import DefaultsFormatter, OneLineParser, add_model_args, add_octave_args, positive
    p = OneLineParser(prog="python -m dream gallery", formatter_class=DefaultsFormatter, description=(
        "Dream one photo at each of GoogLeNet's inception outputs (how each layer changes the dream). "
        "A re-run reuses the layers already done."))
    p.add_argument("input", nargs="?", metavar="INPUT", help="photo (default: as for python -m dream)")
    p.add_argument("-o", "--output", help="folder (default INPUT-gallery)")
    p.add_argument("--include-branches", action="store_true",
                   help="also each module's 1x1, 3x3, 5x5, reduce and pool branches")
    p.add_argument("--layers", help="comma-separated layer names instead (any model's)")
    add_octave_args(p, seed_help="jitter seed, the same for every layer (default: random)")
    p.add_argument("--columns", type=positive(int, MAX_COLUMNS), default=4, help="tiles per row of the contact sheet")
    add_model_args(p)
    return p


def run(request):
    budget = memory_budget(None, gpu=request.gpu)
    input_path, img = read_input(request, budget)
    folder = Path(request.output or f"{input_path.stem}-gallery")
    if folder.exists() and not folder.is_dir():
        raise DreamError(f"output {folder} is a file; gallery writes a folder")
    model, weights_sha1 = checked_model(request)
    net = model.load(request.gpu)
    layers = chosen_layers(net, model, request)
    params = gallery_dream_params(request)
    dreams, too_small = prepared_layers(net, img, layers, params, budget)
    folder.mkdir(parents=True, exist_ok=True)
    base = gallery_params(params, model, weights_sha1, input_path, request.seed)
    base["seed"] = resolve_seed(request.seed, _earlier_seed(folder, layers, base))
    tiles, made = dream_layers_into(dreams, img, folder, layers, too_small, base, request)
    save_image(contact_sheet(tiles, columns=request.columns), folder / SHEET, dict(base, layers=layers))
    print(f"dream: {folder}: {made} new of {len(layers)} layers, contact sheet {SHEET} (seed {base['seed']})",
          file=sys.stderr)
    return 0


def read_input(request, budget):
    if request.input:
        return Path(request.input), load_image(Path(request.input), budget)
    return default_input()


def chosen_layers(net, model, request):
    """--layers, each checked, or the gallery's layers of this net."""
    from ..network.net import check_end, dream_layers
    if not request.layers:
        return model.gallery_layers(dream_layers(net), request.include_branches)
    layers = [name.strip() for name in request.layers.split(",") if name.strip()]
    if not layers:
        raise DreamError(f"--layers {request.layers!r} names no layer; see python -m dream --list-layers")
    for layer in layers:
        check_end(net, layer)
    return layers


def gallery_dream_params(request):
    """The notebook's parameters of every tile, with exact gradients: each tile is independent of the
    ones before it (and of resuming)."""
    return DreamParams.of(request, exact_gradient=True)


def prepared_layers(net, img, layers, params, budget):
    """({layer: its prepared Dream}, {layer: why} for the layers the photo is too small for, which get a
    grey tile); before anything is written, a layer that cannot fit in memory stops the run."""
    from ..engine.octaves import check_dream_input
    from ..engine.prepare import DreamRequest, prepare
    dreams, too_small = {}, {}
    for layer in layers:
        try:
            check_dream_input(net, *img.shape[:2], params.octaves, params.octave_scale, layer)
        except DreamError as e:
            too_small[layer] = e
            continue
        dreams[layer] = prepare(net, DreamRequest(layer=layer, params=params), *img.shape[:2], budget)
    return dreams, too_small


def dream_layers_into(dreams, img, folder, layers, too_small, base, request):
    """Each layer's dream in folder (those an earlier run left are read back): ([(label, image)], how
    many were dreamed now)."""
    tiles, made = [], 0
    with tqdm(total=len(layers), unit="layer", position=0) as layers_bar:
        for k, layer in enumerate(layers):
            path = folder / tile_name(k, layer)
            params = dict(base, layer=layer)
            layers_bar.set_description(layer, refresh=False)
            if earlier_tile(path, params) is not None:
                tiles.append((layer, load_image(path)))  # done by an earlier run
            elif layer in too_small:  # deep layers need larger images: say so on the sheet
                print(f"dream: skipping {layer}: {too_small[layer]}", file=sys.stderr)
                tiles.append((f"{layer} (too small)", None))
            else:
                out = dream_layer(dreams[layer], img, base["seed"], request)
                save_image(out, path, params)
                tiles.append((layer, out))
                made += 1
            layers_bar.update(1)
    return tiles, made


def dream_layer(dream, img, seed, request):
    with DreamProgress(request.octaves, request.iters, position=1, leave=False) as bar:
        return dream.run(img, np.random.RandomState(seed), bar)


def earlier_tile(path, params):
    """The record of a tile an earlier run of these parameters left at path, else None (a tile of
    other parameters is dreamed again over it)."""
    return earlier_run(path, path.exists(), read_metadata(path), params, overwrite=False, refuse=False)


def _earlier_seed(folder, layers, base):
    """The seed of tiles an interrupted run left, so that a re-run without --seed resumes it."""
    earlier = (earlier_tile(folder / tile_name(k, layer), dict(base, layer=layer)) for k, layer in enumerate(layers))
    return earlier_seed(next((e for e in earlier if e is not None), None))
