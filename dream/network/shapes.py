"""Spatial sizes through a network, computed as Caffe does, so bad inputs fail before Caffe aborts."""
import math

from ..errors import DreamError

# Layers whose output has the spatial size of their (first) input.
_PASSTHROUGH = {"ReLU", "LRN", "Dropout", "Concat", "Split", "Softmax", "BatchNorm", "Scale",
                "Eltwise", "Sigmoid", "TanH", "PReLU", "ELU", "Power", "Bias", "AbsVal", "BNLL", "Flatten"}


def _hw(param, name, default):
    """Caffe's (h, w) for `name`, given once, per axis (repeated) or as name_h/name_w."""
    if name + "_h" in param.DESCRIPTOR.fields_by_name and param.HasField(name + "_h"):
        return getattr(param, name + "_h"), getattr(param, name + "_w")
    value = getattr(param, name)
    if isinstance(value, int):  # PoolingParameter's scalar fields carry their proto defaults
        return value, value
    value = list(value)
    return (value[0], value[-1]) if value else (default, default)


def _conv_out(size, k, s, p, d=1):
    return (size + 2 * p - (d * (k - 1) + 1)) // s + 1


def _pool_out(size, k, s, p):
    out = int(math.ceil((size + 2 * p - k) / s)) + 1
    if p and (out - 1) * s >= size + p:
        out -= 1  # Caffe: the last pooling window must start inside the image
    return out


def conv_geometry(cp):
    return _hw(cp, "kernel_size", 1), _hw(cp, "stride", 1), _hw(cp, "pad", 0), _hw(cp, "dilation", 1)


def _pool_geometry(pp):
    return _hw(pp, "kernel_size", 1), _hw(pp, "stride", 1), _hw(pp, "pad", 0)


def spatial_sizes(net_param, height, width, end=None):
    """Map each blob to its (h, w) for a height x width input, through layer `end`.

    Raises DreamError where Caffe would abort: a layer whose output would be
    empty, or a fully connected layer fed a size other than the one it was built for.
    """
    deploy = _deploy_hw(net_param)
    sizes = {name: (height, width) for name in net_param.input}  # old-style net inputs
    fixed = {name: deploy for name in net_param.input}
    for layer in _layers(net_param):
        if layer.type == "Input" or (not layer.bottom and layer.top):
            for top in layer.top:
                sizes[top], fixed[top] = (height, width), deploy
        else:
            bottom = layer.bottom[0]
            h, w = sizes[bottom]
            dh, dw = fixed[bottom] if fixed.get(bottom) else (None, None)
            if layer.type == "Convolution":
                (kh, kw), (sh, sw), (ph, pw), (ddh, ddw) = conv_geometry(layer.convolution_param)
                out = (_conv_out(h, kh, sh, ph, ddh), _conv_out(w, kw, sw, pw, ddw))
                ref = (_conv_out(dh, kh, sh, ph, ddh), _conv_out(dw, kw, sw, pw, ddw)) if dh else None
            elif layer.type == "Pooling":
                pp = layer.pooling_param
                if pp.global_pooling:
                    out, ref = (1, 1), (1, 1)
                else:
                    (kh, kw), (sh, sw), (ph, pw) = _pool_geometry(pp)
                    out = (_pool_out(h, kh, sh, ph), _pool_out(w, kw, sw, pw))
                    ref = (_pool_out(dh, kh, sh, ph), _pool_out(dw, kw, sw, pw)) if dh else None
            elif layer.type == "InnerProduct":
                if dh and (h, w) != (dh, dw):
                    raise DreamError(
                        f"layer {layer.name!r} needs a fixed input size ({deploy[1]}x{deploy[0]} pixels, "
                        f"got {width}x{height}): choose an earlier layer, or resize the image")
                out, ref = (1, 1), (1, 1)
            elif layer.type in _PASSTHROUGH:
                out, ref = (h, w), ((dh, dw) if dh else None)
            else:
                raise DreamError(f"layer {layer.name!r} has type {layer.type!r}, whose output size "
                                 f"dream cannot check; choose an earlier layer")
            if min(out) < 1:
                raise DreamError(f"an input of {width}x{height} pixels is too small for layer {layer.name!r}")
            for top in layer.top:
                sizes[top], fixed[top] = out, ref
        if end is not None and layer.name == end:
            break
    return sizes


# Caffe's V1 prototxts ("layers { type: CONVOLUTION }"), which Caffe upgrades on load.
_V1_TYPES = {"CONVOLUTION": "Convolution", "POOLING": "Pooling", "INNER_PRODUCT": "InnerProduct",
             "RELU": "ReLU", "LRN": "LRN", "DROPOUT": "Dropout", "CONCAT": "Concat", "SPLIT": "Split",
             "SOFTMAX": "Softmax", "ELTWISE": "Eltwise", "SIGMOID": "Sigmoid", "TANH": "TanH",
             "POWER": "Power", "ABSVAL": "AbsVal", "BNLL": "BNLL", "FLATTEN": "Flatten"}


class _V1Layer:
    """A V1LayerParameter seen through the V2 fields spatial_sizes reads."""

    def __init__(self, v1):
        self.name, self.bottom, self.top = v1.name, v1.bottom, v1.top
        self.convolution_param, self.pooling_param = v1.convolution_param, v1.pooling_param
        kind = type(v1).LayerType.Name(v1.type)
        self.type = _V1_TYPES.get(kind, kind)


def _layers(net_param):
    return list(net_param.layer) or [_V1Layer(v1) for v1 in net_param.layers]


def _deploy_hw(net_param):
    """The input (h, w) the network was defined with, which fully connected layers require."""
    for layer in net_param.layer:
        if layer.type == "Input" and layer.input_param.shape:
            dims = layer.input_param.shape[0].dim
            return (dims[2], dims[3]) if len(dims) == 4 else None
    if net_param.input_shape:
        dims = net_param.input_shape[0].dim
        return (dims[2], dims[3])
    if len(net_param.input_dim) == 4:
        return (net_param.input_dim[2], net_param.input_dim[3])
    return None


def deepest_layer(layer_names, ends):
    """Of the layers `ends`, the one a forward pass reaches last (the order of `layer_names`)."""
    order = list(layer_names)
    return max(ends, key=order.index)


def layers_by_name(net_param):
    """{name: layer} of a NetParameter, V1 layers seen through the V2 fields read here."""
    return {layer.name: layer for layer in _layers(net_param)}
