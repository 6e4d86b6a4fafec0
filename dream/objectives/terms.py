"""The objectives dream offers by name, each a factory of dream.engine.objective's Objective, composing as
0.7*layer_l2('inception_4c/output') + 0.3*channel(...): the registry (@objective) that the expression
language, the help texts and dream.objectives read."""
import numbers

import numpy as np

from ..engine.objective import Objective, activations
from ..errors import DreamError


MAX_WEIGHT = 1e6  # a term's or a class's weight; larger ones overflow float32 gradients in Caffe


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
    return Objective([(layer, 1.0, activations)], f"layer_l2({layer!r})")


@objective
def channel(layer, c):
    """Maximise the mean activation of channel c of `layer`, everywhere."""
    _check_arguments("channel", layer, c=c)
    def seed(dst):
        _check_channel(dst, c, layer)
        s = np.zeros_like(dst.data)
        s[:, c] = 1.0
        return s
    seed.device_seed = ("channel", c)  # what the device loop makes of it (dream/device/gradient.py)
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
    from ..engine.guide import guide_seed
    return Objective([(layer, 1.0, guide_seed(features))], f"guide({layer!r})")
