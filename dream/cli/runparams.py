"""Moved to dream.runs.metadata: this path works for one release (see dream._moved).

It stays a module of its own because its run_params took the command line's parsed arguments, and the
new one takes the values themselves; this one still takes the arguments."""
from .._moved import warn_moved
from ..runs.metadata import run_params as _run_params, same_run  # noqa: F401
from ..engine.parameters import DreamParams

warn_moved(__name__, "dream.runs.metadata")


def run_params(args, model, weights_sha1, input_path, guide_path, layer, seed, mask_path=None):
    """The old signature: what goes into the output's metadata, from python -m dream's args."""
    enhance = (dict(amplify=args.amplify, prior=args.prior, prior_weight=args.prior_weight, optimizer=args.optimizer)
               if getattr(args, "objective", None) == "enhance" else None)
    return _run_params(DreamParams.of(args), model, weights_sha1, input_path, guide_path, layer, seed, mask_path,
                       objective=getattr(args, "objective", None), enhance=enhance,
                       mask_feather=getattr(args, "mask_feather", None), frames=getattr(args, "frames", None),
                       zoom=getattr(args, "zoom", None), tile_margin=getattr(args, "tile_margin", None))
