"""A run's parameters: recorded in every output, compared when a re-run decides what is done."""
from ..models import sha1_of


def run_params(args, model, weights_sha1, input_path, guide_path, layer, seed, mask_path=None):
    """What goes into the output's metadata, and what a re-run compares to decide it is done."""
    params = dict(model=model.name, weights_sha1=weights_sha1, layer=layer, octaves=args.octaves,
                  octave_scale=args.octave_scale, iters=args.iters, step_size=args.step_size,
                  jitter=args.jitter, seed=seed, exact_gradient=args.exact_gradient,
                  input=input_path.name,
                  input_sha1=sha1_of(input_path) if input_path.is_file() else None)
    if guide_path:
        params.update(guide=guide_path.name, guide_sha1=sha1_of(guide_path))
    if args.objective:
        params.update(objective=args.objective)
    if args.objective == "enhance":  # deterministic: no seed; its own parameters decide "already done"
        params.update(amplify=args.amplify, prior=args.prior, prior_weight=args.prior_weight,
                      optimizer=args.optimizer, seed=None, octaves=None, octave_scale=None, jitter=None)
    if mask_path:
        params.update(mask=mask_path.name, mask_sha1=sha1_of(mask_path), mask_feather=args.mask_feather)
    if args.frames:
        params.update(frames=args.frames, zoom=args.zoom)
    if getattr(args, "tile_margin", None) is not None:  # an inexact margin changes the result
        params.update(tile_margin=args.tile_margin)
    return params


# A re-run may ask for more frames than before; the seed may be left to the first run.
_NOT_COMPARED = {"seed", "frames", "frame"}


def same_run(done, wanted):
    """Whether `done` (recorded params) is the run `wanted` asks for; wanted's seed None matches any seed."""
    if done is None or wanted is None:
        return False
    keys = (set(done) | set(wanted)) - _NOT_COMPARED
    return (all(done.get(k) == wanted.get(k) for k in keys)
            and (wanted.get("seed") is None or done.get("seed") == wanted["seed"]))
