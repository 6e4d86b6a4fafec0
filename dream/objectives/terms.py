"""Objectives as gradient seeds that compose: 0.7*layer_l2('inception_4c/output') + 0.3*channel(...).

Each term seeds one blob's diff, as the notebook's objectives do. Terms on the
same layer add up in one seed; terms on different layers need one backward pass
each, because Caffe overwrites diffs rather than adding them, and their image
gradients are summed.
"""
import math
import numbers

import numpy as np

from ..errors import DreamError
from ..network.net import forward
from ..engine.step import clear_diffs


class Objective:
    """A weighted sum of gradient seeds, each on one blob. Compose with +, - and scalar *."""

    def __init__(self, terms, name, checks=(), local=True):
        self.terms = tuple(terms)  # (layer, weight, seed): seed(dst) -> array shaped like dst.diff
        for layer, weight, _ in self.terms:
            if not math.isfinite(weight):  # a NaN seed would reach Caffe's backward
                raise DreamError(f"{name}: the weight on {layer} is {weight}, not a finite number")
        self.name = name
        self.checks = tuple(checks)  # check(net) raises DreamError for arguments the net cannot take
        # whether each position's seed depends on that position alone (not one unit, not a count of
        # positions), so the gradient can be computed in tiles
        self.local = local

    def __repr__(self):
        return self.name

    def __add__(self, other):
        if not isinstance(other, Objective):
            return NotImplemented
        return Objective(self.terms + other.terms, f"{self.name} + {other.name}", self.checks + other.checks,
                         self.local and other.local)

    def __radd__(self, other):  # lets sum() start from 0
        if isinstance(other, numbers.Number) and other == 0:
            return self
        return NotImplemented

    def __mul__(self, k):
        if isinstance(k, Objective):
            raise TypeError("an objective can be multiplied by a number, not by another objective")
        if not isinstance(k, numbers.Real):
            return NotImplemented
        return Objective([(layer, w * k, seed) for layer, w, seed in self.terms], f"{k}*({self.name})",
                         self.checks, self.local)

    __rmul__ = __mul__

    def __neg__(self):
        return -1 * self

    def __sub__(self, other):
        return self + (-other)

    def check(self, net):
        """Raise DreamError, before any work, for a channel the net does not have."""
        for check in self.checks:
            check(net)

    @property
    def layers(self):
        """The blobs this objective reads, each once, in the order first named."""
        return list(dict.fromkeys(layer for layer, _, _ in self.terms))

    def seed(self, layer, dst):
        """The summed, weighted gradient seed for one blob."""
        return sum(w * np.asarray(seed(dst), dtype=np.float32) for l, w, seed in self.terms if l == layer)

    def __call__(self, dst):
        """Use as the notebook's objective(dst) when every term is on the blob `end`."""
        if len(self.layers) != 1:
            raise DreamError(f"{self.name} spans layers {', '.join(self.layers)}; "
                             f"make_step handles that itself, not as objective(dst)")
        dst.diff[:] = self.seed(self.layers[0], dst)

    def input_gradient(self, net):
        """d(objective)/d(input): one forward to the deepest layer, one backward per layer, summed."""
        order = list(net._layer_names)
        layers = sorted(self.layers, key=order.index)
        forward(net, layers[-1])
        total = None
        for layer in layers:
            clear_diffs(net, layers[-1])  # each pass starts clean: Caffe would add stale diffs (see step.clear_diffs)
            dst = net.blobs[layer]
            dst.diff[:] = self.seed(layer, dst)
            net.backward(start=layer)
            g = net.blobs['data'].diff[0].copy()
            total = g if total is None else total + g
        return total


# Every objective the expression language (--objective), the help texts and dream.objectives offer, by
# name. A new objective is a factory returning an Objective, under @objective here: nothing else changes.
OBJECTIVES = {}


def objective(factory):
    """Offer `factory` under its own name wherever objectives are named."""
    OBJECTIVES[factory.__name__] = factory
    return factory


def _check_arguments(factory, layer, **indices):
    """A layer name and integer indices, as a factory needs them (a float index would fail deep in numpy)."""
    if not isinstance(layer, str) or not layer.strip():
        raise DreamError(f"{factory}: the layer must be a non-empty name, not {layer!r}")
    for name, value in indices.items():
        if value is not None and (not isinstance(value, numbers.Integral) or isinstance(value, bool)):
            raise DreamError(f"{factory}: {name} must be a whole number, not {value!r}")


def _check_channel(dst, c, layer):
    channels = dst.data.shape[1]
    if not 0 <= c < channels:
        raise DreamError(f"channel {c} is out of range for {layer} ({channels} channels)")


@objective
def layer_l2(layer):
    """The notebook's objective_L2 on `layer`: amplify whatever is there."""
    _check_arguments("layer_l2", layer)
    return Objective([(layer, 1.0, lambda dst: dst.data)], f"layer_l2({layer!r})")


@objective
def channel(layer, c):
    """Maximise the mean activation of channel c of `layer`, everywhere."""
    _check_arguments("channel", layer, c=c)
    def seed(dst):
        _check_channel(dst, c, layer)
        s = np.zeros_like(dst.data)
        s[:, c] = 1.0
        return s
    return Objective([(layer, 1.0, seed)], f"channel({layer!r}, {c})",
                     [lambda net: _check_channel(net.blobs[layer], c, layer)])


@objective
def neuron(layer, c, y=None, x=None):
    """Maximise one unit: channel c at (y, x) of `layer`, its centre by default."""
    _check_arguments("neuron", layer, c=c, y=y, x=x)
    def seed(dst):
        _check_channel(dst, c, layer)
        s = np.zeros_like(dst.data)
        if s.ndim == 2:  # a fully connected layer has no position
            s[0, c] = 1.0
            return s
        h, w = s.shape[2:]
        yy, xx = (h // 2 if y is None else y), (w // 2 if x is None else x)
        if not (0 <= yy < h and 0 <= xx < w):
            raise DreamError(f"position ({yy}, {xx}) is outside {layer} ({h}x{w} at this size)")
        s[0, c, yy, xx] = 1.0
        return s
    return Objective([(layer, 1.0, seed)], f"neuron({layer!r}, {c}, {y}, {x})",
                     [lambda net: _check_channel(net.blobs[layer], c, layer)], local=False)


@objective
def class_unit(c, layer='loss3/classifier'):
    """Maximise class c's logit (before the softmax). GoogLeNet's classifier needs a 224x224 input."""
    _check_arguments("class_unit", layer, c=c)
    unit = neuron(layer, c)
    return Objective(unit.terms, f"class_unit({c})", unit.checks, local=False)


def guide(layer, features):
    """The notebook's guided objective: match each position to its best guide feature."""
    from ..engine.guide import objective_guide
    match = objective_guide(features)

    def seed(dst):
        match(dst)
        return dst.diff.copy()
    return Objective([(layer, 1.0, seed)], f"guide({layer!r})")
