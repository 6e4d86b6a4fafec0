"""Loading GoogLeNet (or any Caffe model) the way the notebook does, with checks before Caffe can abort."""
import difflib
import os
import subprocess
import sys
import tempfile

import numpy as np
from google.protobuf import text_format
from google.protobuf.message import DecodeError

import caffe

from .blas import disable_small_matrix_path
from ..errors import DreamError
from .shapes import spatial_sizes

# The largest input magnitude let into Caffe. Images are 0..255; on the seeded random GoogLeNet,
# inputs of 1e15 still give finite gradients and 1e20 gives NaN (LRN squares overflow float32),
# and NaN makes max pooling's backward write out of bounds.
MAX_INPUT = 1e6
# What makes tiles exact (see dream.network.blas); where it cannot, why, and plan_octaves refuses exact tiles.
INEXACT_TILES = disable_small_matrix_path()
IMAGENET_MEAN = (104.0, 116.0, 122.0)  # BGR, training set dependent (the notebook's values)
CHANNEL_SWAP = (2, 1, 0)  # the reference model takes BGR, images come as RGB


def read_net_param(prototxt):
    """Parse a prototxt into a NetParameter, with a one-line error instead of Caffe's abort."""
    try:
        with open(prototxt) as f:
            text = f.read()
    except OSError as e:
        raise DreamError(f"cannot read model definition {prototxt}: {e.strerror}") from None
    param = caffe.io.caffe_pb2.NetParameter()
    try:
        text_format.Merge(text, param)
    except text_format.ParseError as e:
        raise DreamError(f"{prototxt} is not a valid Caffe prototxt: {e}") from None
    check_definition(param, prototxt)
    return param


# Layers that read training data from files or databases: a deploy prototxt has none.
_DATA_LAYERS = {"Data", "ImageData", "HDF5Data", "WindowData", "MemoryData", "DummyData"}


def _in_test_phase(layer):
    """Whether Caffe keeps `layer` in a TEST-phase net (its include/exclude phase rules)."""
    if any(r.HasField("phase") and r.phase == caffe.TEST for r in layer.exclude):
        return False
    rules = list(layer.include)
    return not rules or any(not r.HasField("phase") or r.phase == caffe.TEST for r in rules)


def check_definition(param, prototxt):
    """Raise DreamError for what makes caffe.Net abort: an unknown layer type, a bottom no layer
    produces, a training data layer, or no input blob 'data' (where dream puts the image)."""
    v2 = list(param.layer)
    known = set(caffe.layer_type_list())
    produced = set(param.input)
    for layer in [l for l in v2 if _in_test_phase(l)] or list(param.layers):
        if v2 and layer.type not in known:
            raise DreamError(f"{prototxt}: layer {layer.name!r} has type {layer.type!r}, which this Caffe "
                             f"does not have")
        if v2 and layer.type in _DATA_LAYERS:
            raise DreamError(f"{prototxt}: layer {layer.name!r} reads training data ({layer.type}); "
                             f"use the model's deploy prototxt")
        for bottom in layer.bottom:
            if bottom not in produced:
                raise DreamError(f"{prototxt}: layer {layer.name!r} reads blob {bottom!r}, "
                                 f"which no earlier layer produces")
        produced.update(layer.top)
    inputs = set(param.input) | {t for l in v2 if l.type == "Input" for t in l.top}
    if "data" not in inputs:
        raise DreamError(f"{prototxt} has no input blob named 'data' (dream feeds the image there)")


def _legacy_shape(blob_proto):
    if blob_proto.HasField("shape"):
        return tuple(blob_proto.shape.dim)
    return (blob_proto.num, blob_proto.channels, blob_proto.height, blob_proto.width)


def _shapes_match(saved, wanted):
    """Caffe's Blob::ShapeEquals: exact dims, or legacy 4-D dims right-aligned and padded with 1."""
    if saved == tuple(wanted):
        return True
    if len(saved) == 4 and len(wanted) <= 4:
        return saved == (1,) * (4 - len(wanted)) + tuple(wanted)
    return False


def check_weights(prototxt, weights):
    """Raise DreamError where Caffe would abort loading `weights` into `prototxt`'s network."""
    try:
        with open(weights, "rb") as f:
            data = f.read()
    except OSError as e:
        raise DreamError(f"cannot read weights {weights}: {e.strerror}") from None
    saved = caffe.io.caffe_pb2.NetParameter()
    try:
        saved.ParseFromString(data)
    except DecodeError:
        raise DreamError(f"{weights} is corrupt or not a caffemodel (it does not parse)") from None
    saved_layers = {l.name: l.blobs for l in list(saved.layer) + list(saved.layers)}
    net = caffe.Net(str(prototxt), caffe.TEST)  # random weights: only the shapes matter here
    matched = 0
    for name, blobs in net.params.items():
        if name not in saved_layers:
            continue
        matched += 1
        saved_blobs = saved_layers[name]
        if len(saved_blobs) != len(blobs):
            raise DreamError(f"{weights} does not match {prototxt}: layer {name!r} has "
                             f"{len(saved_blobs)} parameter blobs, the network expects {len(blobs)}")
        for got, want in zip(saved_blobs, blobs):
            if not _shapes_match(_legacy_shape(got), want.data.shape):
                raise DreamError(f"{weights} does not match {prototxt}: layer {name!r} has shape "
                                 f"{_legacy_shape(got)}, the network expects {want.data.shape}")
    if net.params and not matched:
        raise DreamError(f"{weights} does not match {prototxt}: no layer names in common")


def caffe_has_cuda():
    """Whether the loaded pycaffe is a CUDA build: its libcaffe pulls in the CUDA runtime."""
    try:
        with open("/proc/self/maps") as maps:
            return any("libcudart" in line for line in maps)
    except OSError:
        return True  # cannot tell; let the probe below decide


class GpuUnusable(DreamError):
    """Caffe cannot run on the GPU asked for (device None: this Caffe has no GPU code at all). The message
    says why; a front end puts the flag or field that asked for the device before it."""

    def __init__(self, device, why):
        super().__init__(why if device is None else f"{device}: {why}")
        self.device, self.why = device, why

    def __reduce__(self):  # it crosses to the client from a Dask worker
        return type(self), (self.device, self.why)


CPU_ONLY = "this Caffe was built CPU-only; rebuild it with scripts/install_caffe.sh --gpu"


def check_gpu(device):
    """Fail cleanly (GpuUnusable) if Caffe cannot use GPU `device`; Caffe itself would abort the process."""
    if not caffe_has_cuda():
        raise GpuUnusable(None, CPU_ONLY)
    # Caffe aborts on a missing or busy device, so ask in a throwaway process first.
    probe = f"import caffe; caffe.set_device({int(device)}); caffe.set_mode_gpu(); caffe.Net"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                       env=dict(os.environ, GLOG_minloglevel="0"))
    if r.returncode != 0:
        if "CPU-only" in r.stderr:
            raise GpuUnusable(None, CPU_ONLY)
        lines = [l for l in r.stderr.strip().splitlines() if "Check failed" in l or "error" in l.lower()]
        reason = (lines or r.stderr.strip().splitlines() or ["unknown error"])[0].split("] ")[-1]
        raise GpuUnusable(device, f"Caffe cannot use this GPU ({reason})")


# layers whose parameters are a weight and, with bias_term, a bias: the field that says which
WEIGHTED_LAYERS = {"Convolution": "convolution_param", "Deconvolution": "convolution_param",
                   "InnerProduct": "inner_product_param", "Scale": "scale_param"}


def freeze_params(param):
    """lr_mult 0 on every weight and bias. dream's Caffe then skips their gradients in backward
    (scripts/patches/04-force-backward-keeps-frozen-params.patch), which DeepDream never reads:
    less work, the same image gradient. Stock Caffe's force_backward computes them anyway."""
    for layer in param.layer:
        field = WEIGHTED_LAYERS.get(layer.type)
        if field is None:
            continue
        while len(layer.param) < 1 + bool(getattr(layer, field).bias_term):
            layer.param.add()
        for spec in layer.param:
            spec.lr_mult = 0


def load_net(prototxt, weights, mean=IMAGENET_MEAN, channel_swap=CHANNEL_SWAP, gpu=None, freeze=True):
    """The notebook's network: force_backward patched in, as a caffe.Classifier.

    `gpu` is a device id, or None for the CPU. The parsed definition is kept
    on the net as `net.dream_param` so input sizes can be checked later.
    freeze: no gradients for the weights (freeze_params); False computes them, as the notebook did.
    """
    param = read_net_param(prototxt)
    check_weights(prototxt, weights)
    if gpu is not None:
        check_gpu(gpu)
        caffe.set_device(int(gpu))
        caffe.set_mode_gpu()
    else:
        caffe.set_mode_cpu()
    # Patching the model to be able to compute gradients (the notebook's words).
    param.force_backward = True
    if freeze:
        freeze_params(param)
    with tempfile.NamedTemporaryFile("w", suffix=".prototxt", delete=False) as f:
        f.write(text_format.MessageToString(param))
    try:
        net = caffe.Classifier(f.name, str(weights), mean=np.float32(mean), channel_swap=channel_swap)
    finally:
        os.unlink(f.name)
    net.dream_param = param
    net.dream_gpu = gpu  # for use_net_device
    return net


def use_net_device(net):
    """Put this thread in the mode the net was loaded for. Caffe's mode and device are per thread, and a
    thread starts on the CPU: a GPU net used from another thread would otherwise run on the CPU."""
    gpu = getattr(net, "dream_gpu", None)
    if gpu is None:
        caffe.set_mode_cpu()
    else:
        caffe.set_device(int(gpu))
        caffe.set_mode_gpu()


def preprocess(net, img):
    """H x W x 3 RGB image (0..255) to the net's 3 x H x W BGR, mean-subtracted float32."""
    return np.float32(np.rollaxis(img, 2)[::-1]) - net.transformer.mean['data']


def deprocess(net, img):
    """The inverse of preprocess: 3 x H x W BGR, mean-subtracted to H x W x 3 RGB."""
    return np.dstack((img + net.transformer.mean['data'])[::-1])


def check_input_values(data, what="the network's input"):
    """Raise DreamError unless every value of `data` is finite and at most MAX_INPUT in size.

    Two reductions, no temporary array: about 1 ms for a 1024x575 image, against a
    step of over a second. min and max propagate NaN, and the comparisons fail on it.
    """
    if data.size and not (-MAX_INPUT <= data.min() and data.max() <= MAX_INPUT):
        bad = "NaN or infinite values" if not np.isfinite(data).all() else f"values beyond +-{MAX_INPUT:g}"
        raise DreamError(f"{what} holds {bad}; Caffe cannot take them (its max pooling would write "
                         f"out of bounds)")


def forward(net, end):
    """net.forward(end=end), after checking the input blob: the only way dream runs Caffe forward."""
    check_input_values(net.blobs['data'].data)
    net.forward(end=end)


def dream_layers(net):
    """Names usable as `end`: blobs that are also layers (forward(end=) takes layer names)."""
    layers = set(net._layer_names)
    return [b for b in net.blobs if b in layers and b != "data"]


class UnknownLayer(DreamError):
    """A name that is not one of the net's dream layers; close: the names it may have meant (the message
    suggests them; without any, a front end says where the list is)."""

    def __init__(self, end, close):
        super().__init__(f"unknown layer {end!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
        self.end, self.close = end, close

    def __reduce__(self):  # it crosses to the client from a Dask worker
        return type(self), (self.end, self.close)


def check_end(net, end):
    """Raise UnknownLayer for a name that is not a dream layer, suggesting the close ones."""
    names = dream_layers(net)
    if end not in names:
        raise UnknownLayer(end, difflib.get_close_matches(str(end), names, n=4, cutoff=0.5))


def check_input_size(net, height, width, end):
    """Raise DreamError if a height x width input would make Caffe abort before `end`."""
    param = getattr(net, "dream_param", None)
    if param is not None:
        spatial_sizes(param, height, width, end)
