"""The one prepared dream (dream.engine.prepare): every front end's path. Prepared once, it dreams the same
bytes as the notebook's deepdream called with the same choices, says before any step what it will do, and
a zoom plans its octaves once for all its frames."""
import numpy as np
import pytest

import dream
from dream.engine.mask import soft_mask
from tests_support import budget_forcing_tiles

LAYER = "inception_3b/output"
PARAMS = dream.DreamParams(octaves=2, iters=2)


def prepared(net, img, budget=1e12, **request):
    return dream.prepare(net, dream.DreamRequest(params=PARAMS, **request), *img.shape[:2], budget)


def notebook(net, img, **choices):
    return dream.deepdream(net, img, rng=np.random.RandomState(3), **PARAMS.engine(), **choices)


def test_a_request_names_a_layer_or_an_objective(load):
    for both_or_none in [dict(), dict(layer=LAYER, objective=f"layer_l2({LAYER!r})")]:
        with pytest.raises(dream.DreamError, match="a layer or an objective"):
            dream.DreamRequest(**both_or_none)


def test_prepared_dreams_are_the_notebooks_bytes(load, small_photo):
    img = small_photo
    guide = np.ascontiguousarray(img[::-1])
    right = np.arange(img.shape[1])[None, :, None].repeat(img.shape[0], 0).repeat(3, 2) > 100
    mask = soft_mask(np.float32(right) * 255, *img.shape[:2], 4.0)
    net_a, net_b = load(), load()
    # in the order a front end makes them, on one net each: stale diffs depend on the net's history
    assert np.array_equal(prepared(net_a, img, layer=LAYER).run(img, np.random.RandomState(3)),
                          notebook(net_b, img, end=LAYER))
    expression = f"layer_l2({LAYER!r}) + 0.5*channel('inception_4a/output', 7)"
    assert np.array_equal(prepared(net_a, img, objective=expression).run(img, np.random.RandomState(3)),
                          notebook(net_b, img, objective=dream.parse_objective(expression)))
    got = prepared(net_a, img, layer=LAYER, guide=guide, mask=mask).run(img, np.random.RandomState(3))
    feats = dream.guide_features(net_b, guide, LAYER)
    assert np.array_equal(got, notebook(net_b, img, end=LAYER, objective=dream.objective_guide(feats), mask=mask))


def test_it_says_what_it_will_do_before_any_step(load, photo):
    net = load()
    whole = prepared(net, photo, layer=LAYER)
    assert whole.describe() == "" and whole.tiled() == []
    tight = prepared(net, photo, budget_forcing_tiles(net, photo, PARAMS.octaves, [LAYER]), layer=LAYER)
    assert tight.describe().startswith(f"{len(tight.tiled())} of 2 octaves in tiles; the largest in ")
    with pytest.raises(dream.DreamError, match="prepared for"):
        tight.run(photo[:100], np.random.RandomState(3))


def test_a_zoom_plans_once_and_makes_the_notebooks_frames(load, photo):
    """Both front ends' zoom: one Dream, its plans (here, in tiles) for every frame; the frames are the
    notebook's zoom loop's, dreamed whole."""
    net_a, net_b = load(), load()
    budget = budget_forcing_tiles(net_a, photo, PARAMS.octaves, [LAYER])
    zoom = prepared(net_a, photo, budget, layer=LAYER)
    plans = list(zoom.plans)
    frames = [frame for _, frame, _ in zoom.zoom(photo, 2, 0.1, np.random.RandomState(3))]
    assert zoom.plans == plans and zoom.tiled()  # the same plans, made once
    rng = np.random.RandomState(3)
    loop = dream.zoom_frames(net_b, photo, 2, s=0.1, end=LAYER, rng=rng, **PARAMS.engine())
    expected = [frame for _, frame, _ in loop]
    assert all(np.array_equal(a, b) for a, b in zip(frames, expected)) and len(frames) == 2
