"""python -m dream INPUT --objective enhance: feature inversion (dream.engine.enhance), the render loop
beside the notebook's octaves, on one photo at one scale without jitter. The photo command hands over to
it once (is_enhance); nothing else asks which loop a run is."""
import sys

from ..engine.parameters import DreamParams
from ..errors import DreamError
from ..images import save_image
from ..runs.budget import memory_budget
from ..runs.metadata import enhance_params
from .common import already_done, checked_model, default_layer

LOOP = "enhance"  # --objective's word for this loop


def is_enhance(objective):
    """Whether --objective names this loop rather than an objective expression."""
    return objective is not None and objective.strip() == LOOP


def run(request):
    from .image import checked_output, read_photos
    unused = [flag for flag, value in [("--guide", request.guide), ("--mask", request.mask),
                                       ("--frames", request.frames), ("--max-memory", request.max_memory),
                                       ("--tile-margin", request.tile_margin is not None)] if value]
    if unused:
        raise DreamError(f"{unused[0]} does not apply to --objective enhance")
    budget = memory_budget(None, gpu=request.gpu)  # what the machine has: this loop cannot be tiled
    photo = read_photos(request, budget)
    layer = request.layer or default_layer(request)
    output = checked_output(request, photo)
    model, weights_sha1 = checked_model(request)
    recorded = enhance_params(DreamParams.of(request), model, weights_sha1, photo.path, layer,
                              dict(amplify=request.amplify, prior=request.prior, prior_weight=request.prior_weight,
                                   optimizer=request.optimizer))
    if already_done(output, recorded, request.overwrite):
        return 0
    net = model.load(request.gpu)
    save_image(enhanced(net, photo.img, layer, request, budget), output, recorded)
    print(f"dream: wrote {output} (enhance {layer})", file=sys.stderr)
    return 0


def enhanced(net, img, layer, request, budget):
    """||f(X) - k f(X0)||^2 + lambda R(X), with a progress bar of its iterations and their loss."""
    from tqdm import tqdm
    from ..engine.enhance import check_enhance, enhance
    check_enhance(net, img, layer, budget)
    with tqdm(total=request.iters, unit="iter", desc=f"enhance {layer}") as bar:
        def progress(i, loss):
            bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
            bar.update(1)
        return enhance(net, img, layer, amplify=request.amplify, prior=request.prior,
                       prior_weight=request.prior_weight, optimizer=request.optimizer, iter_n=request.iters,
                       step_size=request.step_size, progress=progress, max_memory=budget)
