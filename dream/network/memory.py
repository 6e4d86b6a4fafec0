"""How much memory a run will take, checked before anything is allocated.

Caffe aborts on a failed allocation and the kernel kills a process that runs the
machine out of memory, in both cases with nothing saved; a clear refusal up front
is better. The estimate counts what dominates: every blob's data and diff up to
the deepest layer read (Caffe's Split blobs share their data but have their own
diff), the convolutions' im2col buffers, max pooling's index maps, LRN's scale
maps, the weights and their diffs, and numpy's copies of the image.
"""
import functools
import os

import numpy as np

from ..errors import DreamError
from .shapes import conv_geometry, deepest_layer, layers_by_name, spatial_sizes

FLOAT = 4  # Caffe's blobs are float32
# numpy arrays of the octave loop per input pixel: the float32 photo, its octaves (about twice
# its size together), the detail, the jitter's rolled copies and the step's temporaries.
DREAM_ARRAY_BYTES_PER_PIXEL = 160
# a dream in tiles keeps the octave's image and its gradient in numpy, not Caffe, per pixel of the octave
# (each tile's own arrays are dream.engine.tiles' TILE_BYTES_PER_PIXEL):
# the image (built in the detail's array), the gradient, np.abs's copy for its mean, the mask's
# octave and its jittered copy.
TILED_OCTAVE_BYTES_PER_PIXEL = 48
# each octave's base image (float32, 3 channels), kept for the whole dream
OCTAVE_COPY_BYTES_PER_PIXEL = 3 * FLOAT
# the enhance objective: L-BFGS-B keeps 10 pairs of float64 vectors of 3HW, plus its workspace.
ENHANCE_ARRAY_BYTES_PER_PIXEL = 3 * 8 * 32
# class images: the float64 noise it starts from, the float32 canvas and the blur's and clip's copies.
CANVAS_BYTES_PER_PIXEL = 80


MAX_BYTES = 1e18  # an exabyte: beyond any machine, and within float precision


def parse_bytes(text):
    """'2G', '512M', '1.5e9' -> bytes (decimal units, as the messages print them); ValueError if not
    a positive, finite size."""
    units = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
    text = text.strip().upper().rstrip("B")
    scale = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        value = float(number) * scale
    except ValueError:
        raise ValueError("use a size such as 8G or 512M") from None
    if not 0 < value <= MAX_BYTES:  # also refuses nan and inf
        raise ValueError(f"must be a positive size up to {MAX_BYTES:g} bytes")
    return value


def _meminfo():
    with open("/proc/meminfo") as f:
        return {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f if line.split()[1:]}


def own_rss():
    """This process's resident memory now, in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss():
    """This process's peak resident memory since its exec (VmHWM), in bytes. Unlike ru_maxrss, a
    forked child's figure does not start from its parent's."""
    with open("/proc/self/status") as f:
        return int(f.read().split("VmHWM:")[1].split()[0]) * 1024


def available_bytes():
    """What this process may still grow to: $DREAM_MAX_MEMORY if set, else what the system can give
    (MemAvailable and free swap) plus what this process already holds, which Caffe reuses."""
    if os.environ.get("DREAM_MAX_MEMORY"):
        text = os.environ["DREAM_MAX_MEMORY"]
        try:
            return parse_bytes(text)
        except ValueError as e:
            raise DreamError(f"DREAM_MAX_MEMORY={text!r}: {e}") from None
    try:
        info = _meminfo()
        return info["MemAvailable"] + info.get("SwapFree", 0) + own_rss()
    except (OSError, KeyError, ValueError, IndexError):  # not Linux: physical memory free now
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def gigabytes(n):
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


def check_fits(needed, what, hint, budget):
    """Raise DreamError if `needed` bytes exceed `budget` bytes, saying both. budget None: no bound (the
    library's functions called as the notebook calls them); a front end's budget is a number, from
    dream.runs.budget, the one place that turns "none given" into what this machine has."""
    if budget is not None and needed > budget:
        raise DreamError(f"{what} needs about {gigabytes(needed)} of memory and the memory budget is "
                         f"{gigabytes(budget)}; {hint}")


@functools.lru_cache(maxsize=None)
def shares_im2col_buffer():
    """Whether this Caffe holds one im2col buffer for all its convolutions: the build of
    scripts/install_caffe.sh says so in pycaffe's dream_build.txt. Stock Caffe has one per layer."""
    import caffe
    try:
        with open(os.path.join(os.path.dirname(caffe.__file__), "dream_build.txt")) as f:
            return "shared-im2col-buffer" in f.read()
    except OSError:
        return False


# The layer types whose buffers memory_terms counts, each read from Caffe's source: a net with another
# type before the deepest layer read may need more than the model says, so exact tiles are refused there
# (dream.engine.octaves), as they are on a BLAS that cannot give them.
KNOWN_LAYER_TYPES = {"Input", "Convolution", "Pooling", "LRN", "ReLU", "Sigmoid", "TanH", "Concat", "Split",
                     "Dropout", "InnerProduct", "Softmax", "BatchNorm", "Scale", "Eltwise"}


def unknown_to_memory_model(net, end):
    """Why the memory model cannot be trusted up to layer `end` (the first layer of a type it does not
    know, in words), or None where it knows them all."""
    for name, layer in zip(net._layer_names, net.layers):
        if layer.type not in KNOWN_LAYER_TYPES:
            return f"the memory model does not know layer {name!r} ({layer.type}), whose buffers it cannot count"
        if name == end:
            return None
    return None


def _learns(spec, count):
    """Whether backward computes gradients for a layer's `count` parameter blobs: not for batch
    normalisation's statistics, nor where every blob has lr_mult 0 (dream.network.net.freeze_params);
    an unnamed blob learns at lr_mult 1."""
    if spec is None or spec.type == "BatchNorm":
        return spec is None
    mults = [p.lr_mult for p in spec.param] + [1.0] * max(0, count - len(spec.param))
    return any(m != 0 for m in mults[:count])


def memory_terms(net, end, shared=None):
    """Caffe's memory for one forward to `end` and one backward from it, as (fixed, per_area, largest):
    fixed bytes; {blob: bytes per unit of that blob's h*w}, all of which are held together; and
    {blob: bytes per unit area} of buffers of which only the largest is held (the shared im2col
    buffer). Every size-dependent buffer is a multiple of some blob's area, so the memory at any
    input size is a sum over blobs plus a maximum.

    shared: whether Caffe shares one im2col buffer; None asks this Caffe (shares_im2col_buffer)."""
    layers = layers_by_name(net.dream_param)
    # weights, and the diffs of those that learn (Caffe allocates a diff when backward first writes it)
    fixed = sum(b.count * FLOAT * (2 if _learns(layers.get(name), len(blobs)) else 1)
                for name, blobs in net.params.items() for b in blobs)
    per_area, largest = {}, {}
    same = {}  # a Split's tops have their bottom's size
    shared = shares_im2col_buffer() if shared is None else shared

    def add(blob, channel_bytes):
        shape = net.blobs[blob].shape
        nonlocal fixed
        if len(shape) == 4:
            key = same.get(blob, blob)
            per_area[key] = per_area.get(key, 0) + shape[1] * channel_bytes
        else:
            fixed += int(np.prod(shape[1:2])) * channel_bytes

    seen = set()
    for name, layer in zip(net._layer_names, net.layers):
        bottoms, tops = list(net.bottom_names[name]), list(net.top_names[name])
        if layer.type == "Split":  # shares the data of its bottom, has a diff of its own
            for top in tops:
                same[top] = same.get(bottoms[0], bottoms[0])
                add(top, FLOAT)
        else:
            for top in tops:
                if top not in seen:  # in-place layers (ReLU) write into their bottom
                    add(top, 2 * FLOAT)
                    seen.add(top)
            spec = layers.get(name)
            if layer.type == "Convolution" and spec is not None:
                (kh, kw), stride, pad, _ = conv_geometry(spec.convolution_param)
                # a 1x1 convolution multiplies its input as it is: it never writes a buffer
                if (kh, kw, stride, pad) != (1, 1, (1, 1), (0, 0)):
                    im2col = net.blobs[bottoms[0]].shape[1] * kh * kw * FLOAT  # per unit of the top's area
                    if shared:
                        largest[tops[0]] = im2col
                    else:  # stock Caffe: one per layer
                        add(tops[0], im2col / net.blobs[tops[0]].shape[1])
            elif layer.type == "Pooling" and spec is not None and spec.pooling_param.pool == 0:
                add(tops[0], FLOAT)  # the argmax of each window (MAX pooling)
            elif layer.type == "LRN":
                add(bottoms[0], FLOAT)  # the scale map
            elif layer.type == "BatchNorm":
                # temp_ and x_norm_, each its bottom's size (data only), and one float more: ResNet-50's measured
                # peak exceeds the buffers Caffe's source names by about one float per normalised value
                # (850 B/px at res4f; tests/test_models.py), a cause not found
                add(bottoms[0], 3 * FLOAT)
            elif layer.type == "Scale" and bottoms[0] == tops[0]:  # in place: temp_ keeps its input for backward
                add(bottoms[0], FLOAT)
            elif layer.type == "Eltwise" and spec is not None and spec.eltwise_param.operation == 2:
                add(tops[0], FLOAT)  # MAX: the index of the largest bottom, per value
        if name == end:
            break
    return fixed, per_area, largest


def net_bytes(net, height, width, end, shared=None):
    """Caffe's memory for one forward to `end` and one backward from it, at a height x width input."""
    fixed, per_area, largest = memory_terms(net, end, shared)
    sizes = spatial_sizes(net.dream_param, height, width, end)

    def area(blob):
        return sizes[blob][0] * sizes[blob][1]

    return int(fixed + sum(b * area(blob) for blob, b in per_area.items())
               + max((b * area(blob) for blob, b in largest.items()), default=0))


def dream_bytes(net, height, width, ends):
    """An octave dream at a height x width photo, reading the layers `ends`."""
    deepest = deepest_layer(net._layer_names, ends)
    return net_bytes(net, height, width, deepest) + DREAM_ARRAY_BYTES_PER_PIXEL * height * width
