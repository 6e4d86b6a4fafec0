"""Frozen weights: backward skips the weights' gradients, and the image gradient stays the same."""
import numpy as np

import dream
from dream.engine.step import input_gradient


def gradient_and_weight_diffs(googlenet, photo, freeze):
    net = dream.load_net(*googlenet, freeze=freeze)
    net.blobs['data'].reshape(1, 3, *photo.shape[:2])
    net.blobs['data'].data[0] = dream.preprocess(net, photo)
    g = input_gradient(net, 'inception_4c/output', exact_gradient=True).copy()
    names = list(net._layer_names)
    weights = [np.abs(blob.diff).max() for name in names[:names.index('inception_4c/output')]
               if name in net.params for blob in net.params[name]]
    return g, weights


def test_frozen_weights_get_no_gradient_and_the_image_the_same_one(googlenet, small_photo):
    frozen, frozen_diffs = gradient_and_weight_diffs(googlenet, small_photo, freeze=True)
    learning, learning_diffs = gradient_and_weight_diffs(googlenet, small_photo, freeze=False)
    assert np.array_equal(frozen, learning) and np.abs(frozen).max() > 0
    assert max(frozen_diffs) == 0
    assert min(learning_diffs) > 0  # without lr_mult 0, Caffe computes every weight's gradient
