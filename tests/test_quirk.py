"""Caffe's stale sibling diffs: the notebook's behaviour by default, and the exact-gradient mode."""
import numpy as np

import dream

INTRA = 'inception_3b/5x5_reduce'  # inside a module: its siblings' diffs are never reset


def dream_after(load, img, end, exact_gradient, previous_run):
    net = load()
    if previous_run:  # the notebook's order: the default 4c dream, then the intra-module one
        dream.deepdream(net, img, iter_n=2, octave_n=2, rng=np.random.RandomState(1))
    return dream.deepdream(net, img, iter_n=3, octave_n=3, end=end, rng=np.random.RandomState(2),
                           exact_gradient=exact_gradient)


def test_default_mode_depends_on_what_ran_before(load, small_photo):
    fresh = dream_after(load, small_photo, INTRA, False, previous_run=False)
    after = dream_after(load, small_photo, INTRA, False, previous_run=True)
    assert np.abs(fresh - after).max() > 1.0


def test_exact_gradient_mode_does_not(load, small_photo):
    fresh = dream_after(load, small_photo, INTRA, True, previous_run=False)
    after = dream_after(load, small_photo, INTRA, True, previous_run=True)
    assert np.array_equal(fresh, after)
    # on a fresh net the stale diffs are zeros, so both modes agree there
    assert np.array_equal(fresh, dream_after(load, small_photo, INTRA, False, previous_run=False))


def test_module_outputs_are_unaffected(load, small_photo):
    """At an inception module's output every branch is on the backward path: no stale diffs."""
    end = 'inception_4c/output'
    assert np.array_equal(dream_after(load, small_photo, end, False, previous_run=False),
                          dream_after(load, small_photo, end, False, previous_run=True))
