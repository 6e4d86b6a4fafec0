"""Faithfulness: the same calls after np.random.seed return, bit for bit, what the notebook's code returns.

Caffe's diffs carry state between calls, so each sequence runs on its own fresh net.
"""
import numpy as np

import dream
import notebook_oracle as nb


def run_sequence(mod, net, img, guide):
    """The notebook's story in miniature: default dream, intra-module layer, guided dream."""
    out = [mod.deepdream(net, img, iter_n=3, octave_n=3)]
    out.append(mod.deepdream(net, img, iter_n=2, octave_n=2, end='inception_3b/5x5_reduce'))
    feats = mod.guide_features(net, guide, 'inception_3b/output')
    objective = (dream.objective_guide if mod is dream else nb.make_objective_guide)(feats)
    out.append(mod.deepdream(net, img, iter_n=2, octave_n=2, end='inception_3b/output', objective=objective))
    return out


def test_deepdream_matches_notebook_bit_for_bit(googlenet, small_photo, photo):
    guide = np.ascontiguousarray(photo[:120, :140])
    np.random.seed(7)
    ours = run_sequence(dream, dream.load_net(*googlenet), small_photo, guide)
    np.random.seed(7)
    theirs = run_sequence(nb, nb.load_net(*googlenet), small_photo, guide)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a, b)
    # and the comparison can fail: the runs really differ from their input
    assert np.abs(ours[0] - small_photo).max() > 1


def test_random_state_argument_draws_like_the_global_rng(load, small_photo):
    np.random.seed(11)
    global_rng = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2)
    local = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, rng=np.random.RandomState(11))
    assert np.array_equal(global_rng, local)


def test_zoom_loop_matches_notebook(googlenet, small_photo):
    params = dict(iter_n=1, octave_n=2)
    np.random.seed(3)
    ours = [f for _, f, _ in dream.zoom_frames(dream.load_net(*googlenet), small_photo, 3, s=0.05, **params)]
    np.random.seed(3)
    theirs = nb.zoom_loop(nb.load_net(*googlenet), small_photo, 3, s=0.05, **params)
    assert len(ours) == 3
    for a, b in zip(ours, theirs):
        assert np.array_equal(a, b)


def test_preprocess_deprocess_round_trip(load, photo):
    net = load()
    x = dream.preprocess(net, photo)
    assert x.shape == (3,) + photo.shape[:2] and x.dtype == np.float32
    # BGR order, mean subtracted
    assert np.allclose(x[0], photo[..., 2] - 104.0) and np.allclose(x[2], photo[..., 0] - 122.0)
    assert np.array_equal(dream.deprocess(net, x), photo)
