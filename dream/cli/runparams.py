"""Moved to dream.runs.metadata: this path works for one release (see dream._moved).

It stays a module of its own because its run_params took the command line's parsed arguments, and the
new one takes the values themselves; this one still takes the arguments."""
from .._moved import warn_moved
from ..engine.parameters import DreamParams
from ..runs.metadata import enhance_params, run_params as _run_params, same_run  # noqa: F401 (same_run: its old home)

warn_moved(__name__, "dream.runs.metadata")


def run_params(flags, model, weights_sha1, input_path, guide_path, layer, seed, mask_path=None):
    """The old signature: what goes into the output's metadata, from python -m dream's parsed flags."""
    from .enhance import is_enhance
    if is_enhance(getattr(flags, "objective", None)):
        return enhance_params(DreamParams.of(flags), model, weights_sha1, input_path, layer,
                              dict(amplify=flags.amplify, prior=flags.prior, prior_weight=flags.prior_weight,
                                   optimizer=flags.optimizer))
    return _run_params(DreamParams.of(flags), model, weights_sha1, input_path, guide_path, layer, seed, mask_path,
                       objective=getattr(flags, "objective", None), mask_feather=getattr(flags, "mask_feather", None),
                       frames=getattr(flags, "frames", None), zoom=getattr(flags, "zoom", None),
                       tile_margin=getattr(flags, "tile_margin", None))
