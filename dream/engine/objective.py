"""The objective: what a step ascends, as gradient seeds on Caffe's blobs, which compose with +, - and
scalar *. The notebook's objective_L2 and objective_guide are objectives of this kind, and so is every
factory of dream.objectives (layer_l2, channel, neuron, ..., and the expression language over them).

Each term seeds one blob's diff, as the notebook's objectives do. Terms on the same layer add up in one
seed; terms on different layers need one backward pass each, because Caffe overwrites diffs rather than
adding them, and their image gradients are summed.
"""
import math
import numbers

import numpy as np

from ..errors import DreamError
from ..network.blobs import clear_diffs, gradient_from, seed_diff
from ..network.net import forward


def activations(dst):
    """The L2 objective's seed: the layer's own activations, which are its gradient (the notebook's
    dst.diff[:] = dst.data). The device loop makes it on the GPU (dream/device/gradient.py)."""
    return dst.data


activations.device_seed = ("activations",)


class Objective:
    """A weighted sum of gradient seeds, each on one blob. Compose with +, - and scalar *."""

    def __init__(self, terms, name, checks=(), local=True):
        # (layer, weight, seed): seed(dst) -> an array shaped like dst.diff; layer None: the step's `end`
        # (the notebook's objectives are on whatever layer the step dreams at)
        self.terms = tuple(terms)
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
        """The blobs this objective names, each once, in the order first named (a term on the step's
        `end` names none)."""
        return list(dict.fromkeys(layer for layer, _, _ in self.terms if layer is not None))

    @property
    def names_its_layers(self):
        """Whether every term names its layer: such an objective always takes exact gradients."""
        return all(layer is not None for layer, _, _ in self.terms)

    def terms_on(self, layer, end=None):
        """The terms that seed blob `layer`, in their order (a term that names no layer is on `end`)."""
        return [(l, w, seed) for l, w, seed in self.terms if (end if l is None else l) == layer]

    def layers_in_order(self, net, end=None):
        """The blobs a gradient seeds, each once, in the net's order: one backward pass each."""
        layers = list({end if layer is None else layer for layer, _, _ in self.terms})
        if len(layers) > 1:  # the net's order (a step's one layer, the usual case, needs none)
            order = list(net._layer_names)
            layers.sort(key=order.index)
        return layers

    @staticmethod
    def is_plain(mine):
        """Whether terms_on's `mine` is the notebook's objective alone (on `end`, of weight 1), which is
        its own seed, as the notebook wrote it (dst.diff[:] = dst.data), rather than a weighted sum."""
        return len(mine) == 1 and mine[0][0] is None and mine[0][1] == 1.0

    def seed(self, layer, dst, end=None):
        """The summed, weighted gradient seed for one blob (see is_plain)."""
        mine = self.terms_on(layer, end)
        if self.is_plain(mine):
            return mine[0][2](dst)
        return sum(w * np.asarray(seed(dst), dtype=np.float32) for _, w, seed in mine)

    def __call__(self, dst):
        """Use as the notebook's objective(dst): seed the blob `dst`, on which every term must be."""
        if len(self.layers) > 1:
            raise DreamError(f"{self.name} spans layers {', '.join(self.layers)}; "
                             f"make_step handles that itself, not as objective(dst)")
        layer = self.layers[0] if self.layers else None
        dst.diff[:] = self.seed(layer, dst, end=layer)

    def input_gradient(self, net, end=None, exact_gradient=False):
        """d(objective)/d(input), 3 x H x W: one forward to the deepest layer, one backward per layer,
        summed. end: the layer of the terms that name none (the notebook's objectives); those alone
        follow exact_gradient, as the notebook's make_step does (no clearing unless asked), and an
        objective that names its layers always clears the stale diffs (see clear_diffs)."""
        layers = self.layers_in_order(net, end)
        forward(net, layers[-1])
        exact = exact_gradient or self.names_its_layers
        total = None
        for layer in layers:
            if exact:
                clear_diffs(net, layers[-1])  # each pass starts clean: Caffe would add stale diffs
            seed_diff(net, layer, self.seed(layer, net.blobs[layer], end))
            g = gradient_from(net, layer)
            if len(layers) == 1:
                return g
            total = g.copy() if total is None else total + g
        return total


def notebook_objective(objective):
    """An objective of the notebook's kind, objective(dst) writing dst.diff, as an Objective on the step's
    `end` (an Objective as it is)."""
    if isinstance(objective, Objective):
        return objective

    def seed(dst):
        objective(dst)  # writes dst.diff
        return dst.diff.copy()
    seed.reads_diff = True  # it may write part of dst.diff, or read it: the device loop gives it the real one
    return Objective([(None, 1.0, seed)], getattr(objective, "__name__", repr(objective)),
                     local=getattr(objective, "local", False))
