"""Moved to dream.runs.metadata: this path works for one release (see dream._moved).

It stays a module of its own because its run_params took the command line's parsed arguments, and the
new one takes the values themselves; this one still takes the arguments."""
from .._moved import warn_moved
from ..runs.metadata import run_params as _run_params, same_run  # noqa: F401
from ..engine.parameters import DreamParams

warn_moved(__name__, "dream.runs.metadata")


def run_params(request, model, weights_sha1, input_path, guide_path, layer, seed, mask_path=None):
    """The old signature: what goes into the output's metadata, from python -m dream's request."""
    enhance = (dict(amplify=request.amplify, prior=request.prior, prior_weight=request.prior_weight, optimizer=request.optimizer)
               if getattr(request, "objective", None) == "enhance" else None)
    return _run_params(DreamParams.of(request), model, weights_sha1, input_path, guide_path, layer, seed, mask_path,
                       objective=getattr(request, "objective", None), enhance=enhance,
                       mask_feather=getattr(request, "mask_feather", None), frames=getattr(request, "frames", None),
                       zoom=getattr(request, "zoom", None), tile_margin=getattr(request, "tile_margin", None))
