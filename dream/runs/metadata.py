"""A run's parameters: recorded in every output, compared when a re-run decides what is done."""
from pathlib import Path

from ..models import sha1_of


def run_params(params, model, weights_sha1, input_path, guide_path, layer, seed, mask_path=None, *, objective=None,
               mask_feather=None, frames=None, zoom=None, tile_margin=None):
    """What goes into a dream's metadata, and what a re-run compares to decide it is done. params: the
    DreamParams (or any object with their names)."""
    recorded = dict(model=model.name, weights_sha1=weights_sha1, layer=layer, octaves=params.octaves,
                    octave_scale=params.octave_scale, iters=params.iters, step_size=params.step_size,
                    jitter=params.jitter, seed=seed, exact_gradient=params.exact_gradient,
                    input=input_path.name,
                    input_sha1=sha1_of(input_path) if input_path.is_file() else None)
    if guide_path:
        recorded.update(guide=guide_path.name, guide_sha1=sha1_of(guide_path))
    if objective:
        recorded.update(objective=objective)
    if mask_path:
        recorded.update(mask=mask_path.name, mask_sha1=sha1_of(mask_path), mask_feather=mask_feather)
    if frames:
        recorded.update(frames=frames, zoom=zoom)
    if tile_margin is not None:  # an inexact margin changes the result
        recorded.update(tile_margin=tile_margin)
    return recorded


def enhance_params(params, model, weights_sha1, input_path, layer, enhance):
    """What python -m dream INPUT --objective enhance records: the photo's run with enhance's own
    parameters (amplify, prior, prior_weight, optimizer) and none of the octaves' or the jitter's; it is
    deterministic, so no seed either."""
    return dict(run_params(params, model, weights_sha1, input_path, None, layer, None, objective="enhance"),
                **enhance, seed=None, octaves=None, octave_scale=None, jitter=None)


def gallery_params(params, model, weights_sha1, input_path, seed):
    """What each tile of python -m dream gallery records (its layer added per tile), and the contact
    sheet (its layers added)."""
    return dict(command="gallery", model=model.name, weights_sha1=weights_sha1, input=input_path.name,
                input_sha1=sha1_of(input_path) if input_path.is_file() else None, octaves=params.octaves,
                octave_scale=params.octave_scale, iters=params.iters, step_size=params.step_size,
                jitter=params.jitter, exact_gradient=params.exact_gradient, seed=seed)


def video_params(params, model, weights_sha1, input_path, whole_file, first, *, objective, iters_next, flow,
                 amount, seed, tile_margin, keyframes, guide, mask, mask_feather, chunk, warm_up):
    """What python -m dream video records in its work folder and every frame, compared on a resume.
    first: the command line's target, ("layer", name) or ("objective", text); amount: the flow's
    ("decay" or "blend", its value); whole_file: whether the input is one file (its sha1 recorded);
    keyframes, guide, mask: paths or None."""
    def sha1(path):
        return sha1_of(Path(path)) if path else None
    kind, value = amount
    return dict(model=model.name, weights_sha1=weights_sha1, layer=first[1] if first[0] == "layer" else None,
                objective=objective, octaves=params.octaves, octave_scale=params.octave_scale, iters=params.iters,
                iters_next=iters_next, step_size=params.step_size, jitter=params.jitter, flow=flow,
                decay=value if kind == "decay" else None, blend=value if kind == "blend" else None, seed=seed,
                exact_gradient=params.exact_gradient, input=Path(input_path).name,
                input_sha1=sha1(input_path) if whole_file else None, tile_margin=tile_margin,
                keyframes_sha1=sha1(keyframes), guide=Path(guide).name if guide else None, guide_sha1=sha1(guide),
                mask_sha1=sha1(mask), mask_feather=mask_feather if mask else None, chunk_frames=chunk,
                warm_up=warm_up if chunk else None)


# A re-run may ask for more frames than before; the seed may be left to the first run.
_NOT_COMPARED = {"seed", "frames", "frame"}


def same_run(done, wanted):
    """Whether `done` (recorded params) is the run `wanted` asks for; wanted's seed None matches any seed."""
    if done is None or wanted is None:
        return False
    keys = (set(done) | set(wanted)) - _NOT_COMPARED
    return (all(done.get(k) == wanted.get(k) for k in keys)
            and (wanted.get("seed") is None or done.get("seed") == wanted["seed"]))
