"""Receptive fields and strides through a network, read from its prototxt.

A tile reproduces the untiled gradient exactly in its core when its origin is a
multiple of every layer's cumulative stride (the layers' sampling grids then line
up with the whole image's) and its margin is at least the receptive field of the
deepest layer read (no unit that touches the core also sees the tile's edge).
"""
import math

from ..errors import DreamError
from .shapes import _PASSTHROUGH, _layers, _pool_geometry, conv_geometry, deepest_layer


class Field:
    """A blob's receptive field and cumulative stride, per axis (h, w), in input pixels."""

    def __init__(self, size=(1, 1), stride=(1, 1)):
        self.size, self.stride = tuple(size), tuple(stride)

    def through(self, kernel, stride, dilation=(1, 1)):
        """The field after a kernel x stride window (convolution or pooling) on this blob."""
        size = tuple(f + (d * (k - 1)) * s for f, k, d, s in zip(self.size, kernel, dilation, self.stride))
        return Field(size, tuple(a * b for a, b in zip(self.stride, stride)))


def _union(fields):
    """Branches that meet (Concat, Eltwise): the widest field, and the strides of all of them."""
    return Field(tuple(max(f.size[i] for f in fields) for i in range(2)),
                 tuple(math.lcm(*(f.stride[i] for f in fields)) for i in range(2)))


def receptive_fields(net_param, end):
    """{blob: Field} for every blob up to layer `end`.

    Raises DreamError for a layer whose output depends on the whole input (a fully
    connected layer, global pooling): its gradient cannot be computed in tiles.
    """
    fields = {name: Field() for name in net_param.input}
    for layer in _layers(net_param):
        if layer.type == "Input" or not layer.bottom:
            for top in layer.top:
                fields[top] = Field()
        else:
            bottom = _union([fields[b] for b in layer.bottom])
            if layer.type == "Convolution":
                kernel, stride, _, dilation = conv_geometry(layer.convolution_param)
                out = bottom.through(kernel, stride, dilation)
            elif layer.type == "Pooling" and not layer.pooling_param.global_pooling:
                kernel, stride, _ = _pool_geometry(layer.pooling_param)
                out = bottom.through(kernel, stride)
            elif layer.type == "LRN" and layer.lrn_param.norm_region == 1:  # WITHIN_CHANNEL: a spatial window
                size = layer.lrn_param.local_size
                out = bottom.through((size, size), (1, 1))
            elif layer.type in _PASSTHROUGH:
                out = bottom
            elif layer.type in ("InnerProduct", "Pooling"):  # fully connected, or global pooling
                raise DreamError(f"layer {layer.name!r} ({layer.type}) reads the whole image at once, "
                                 f"so its gradient cannot be computed in tiles")
            else:
                raise DreamError(f"dream does not know the receptive field of layer {layer.name!r} "
                                 f"({layer.type}), so its gradient cannot be computed in exact tiles")
            for top in layer.top:
                fields[top] = out
        if layer.name == end:
            break
    return fields


def tile_geometry(net_param, ends):
    """(stride, margin) per axis for exact tiles of an objective reading the layers `ends`.

    The stride aligns with every blob's grid up to the deepest layer; the margin is the
    widest receptive field among `ends`, rounded up to that stride.
    """
    fields = receptive_fields(net_param, deepest_layer([layer.name for layer in _layers(net_param)], ends))
    stride = tuple(math.lcm(*(f.stride[i] for f in fields.values())) for i in range(2))
    size = tuple(max(fields[e].size[i] for e in ends) for i in range(2))
    margin = tuple(-(-size[i] // stride[i]) * stride[i] for i in range(2))
    return stride, margin
