"""Whether two dreams of one photo are alike in character, as the network sees them, not pixel for pixel.

The notebook drew its jitter without a seed, so no re-run matches its published images pixel for pixel.
What a dream does is raise its layer's activations; a dream at another layer raises other layers most,
and one made with a wrong mean (or channel order) raises them less, since the net it was made on saw
other inputs. So the measure is a dream's layer profile: for each of a set of layers, how much the dream
raised the layer's mean squared activation over its photo's, as a log ratio, measured on the right
net with the right mean. Two dreams are alike in character when their profiles agree to within a
fraction of their size.

Calibrated on GoogLeNet with seeded random weights, on a 300x400 photo (tests/test_likeness.py): two
seeds of one dream differ by 0.095 of the profile's size, a dream at another layer by 0.29 and more, one
made with a zero mean by 0.25. With the real weights these figures are not measured here (the weights
cannot be downloaded where dream is built); python -m dream reproduce prints them for each figure.
"""
from dataclasses import dataclass

import numpy as np

MAX_DISTANCE = 0.15


@dataclass(frozen=True)
class Likeness:
    distance: float  # max over layers of the profiles' difference, over the larger profile's max

    @property
    def in_character(self):
        return self.distance <= MAX_DISTANCE

    def describe(self):
        verdict = "in character" if self.in_character else "NOT in character"
        return f"{verdict} (profile distance {self.distance:.3f}; at most {MAX_DISTANCE} is in character)"


def activation_energy(net, img, layers):
    """Each layer's mean squared activation for an H x W x 3 image (0..255), in one forward pass."""
    from ..network.net import forward, preprocess
    from ..network.shapes import deepest_layer
    net.blobs['data'].reshape(1, 3, *img.shape[:2])
    net.blobs['data'].data[0] = preprocess(net, np.float32(img))
    forward(net, deepest_layer(net._layer_names, layers))
    return np.array([float(np.mean(np.square(net.blobs[layer].data, dtype=np.float64))) for layer in layers])


def profile(net, img, photo, layers):
    """The dream's layer profile: log of each layer's energy for img over its energy for photo."""
    return np.log(activation_energy(net, img, layers) / activation_energy(net, photo, layers))


def likeness(a, b):
    """The Likeness of two profiles (the same layers, in order)."""
    size = max(np.abs(a).max(), np.abs(b).max(), 1e-12)
    return Likeness(float(np.abs(np.asarray(a) - np.asarray(b)).max() / size))
