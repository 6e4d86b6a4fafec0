"""deepdream's octaves with the image in Caffe's own buffers: every array operation of the host loop is
a call on a `device` (a GPU's kernels, or host_stand_in's numpy references on the CPU), Caffe runs
through net._forward/_backward, and nothing here reads a blob's .data or .diff, each of which would
copy the blob to the host and mark that copy the newest (pycaffe's mutable_cpu_data). One host sync
a step: the mean of |g|, which the step needs as a number.

What it dreams: whole octaves (no tiles), with or without a float32 mask, of any objective, with or
without exact gradients. The device makes the seeds of the notebook's L2, layer_l2, channel and weighted
sums of them; a layer with any other term (a guide, a neuron, a class, a function of the notebook's
kind) has its seed made on the host from a copy of that layer alone (dream/device/gradient.py). A dream
that asks for more (tiles, a float64 mask) takes the host loop (see `unsupported`)."""
import numpy as np

from ..errors import DreamError
from ..network.net import deprocess, preprocess
from . import reference
from .gradient import DeviceGradient


def unsupported(mask=None, plans=None):
    """Why the device loop cannot take this dream (one line), or None where it can."""
    if mask is not None and np.asarray(mask).dtype != np.float32:
        return f"the device loop takes a float32 mask, not {np.asarray(mask).dtype}"
    if plans and any(plan is not None for plan in plans):
        return "the device loop dreams whole octaves only, and this one is tiled"
    return None


def deepdream_on_device(net, base_img, device, iter_n=10, octave_n=4, octave_scale=1.4,
                        end='inception_4c/output', clip=True, step_size=1.5, jitter=32, rng=None, progress=None,
                        mask=None, objective=None, exact_gradient=False):
    """The notebook's deepdream, its arrays on `device`: returns the H x W x 3 RGB float image, the host
    loop's bytes where the device's kernels follow dream.device.reference. progress(octave, i, data),
    where given, gets each step's image as a StepImage: copied to the host only where the callback
    asks for its pixels (a progress bar reads its shape alone). mask: the
    H x W float32 mask, zoomed to each octave from the whole one, as the host loop does. objective: the
    notebook's objective_L2 where None; exact_gradient: the stale diffs cleared, as make_step's."""
    from ..engine.step import objective_L2
    gradient = DeviceGradient(net, objective_L2 if objective is None else objective, end, exact_gradient)
    mean = net.transformer.mean['data']
    bases = [device.upload(preprocess(net, base_img))]
    for _ in range(octave_n - 1):
        bases.append(device.zoom(bases[-1], (1, 1.0 / octave_scale, 1.0 / octave_scale)))

    whole_mask = None if mask is None else device.upload(np.asarray(mask, np.float32)[None])
    src = net.blobs['data']
    detail = device.zeros(bases[-1].shape)
    for octave, base in enumerate(bases[::-1]):
        h, w = base.shape[-2:]
        if octave > 0:
            h1, w1 = detail.shape[-2:]
            detail = device.zoom(detail, (1, 1.0 * h / h1, 1.0 * w / w1))
        octave_mask = None if mask is None else device.zoom(whole_mask, (1, h / mask.shape[0], w / mask.shape[1]))
        src.reshape(1, 3, h, w)
        device.add_into(device.buffer(src, 'data'), base, detail)  # the buffer as it is after the reshape
        for i in range(iter_n):
            step_on_device(net, device, gradient, step_size, jitter, clip, mean, rng, octave_mask)
            if progress is not None:
                progress(octave, i, StepImage(device, device.buffer(src, 'data')))
        detail = device.subtract(device.buffer(src, 'data'), base)
    return deprocess(net, device.download(device.buffer(src, 'data')))


class StepImage:
    """A step's 3 x H x W image where the device holds it, for progress(octave, i, data): its shape at
    no cost, its pixels copied to the host when asked (data.copy(), np.asarray(data)). Like the host
    loop's view of the input blob, it holds the step's image only during the call."""

    dtype, ndim = np.dtype(np.float32), 3

    def __init__(self, device, array):
        self.device, self.array = device, array
        self.shape = tuple(array.shape)

    def copy(self):
        """The pixels, copied to the host: the one device-to-host copy that progress may ask for."""
        return self.device.download(self.array)

    def __array__(self, dtype=None, copy=None):
        if copy is False:  # numpy 2's protocol: a view was asked for, and the pixels are on the device
            raise ValueError("a StepImage's pixels are on the device: they can only be copied")
        pixels = self.copy()
        return pixels if dtype is None else pixels.astype(dtype, copy=False)


def step_on_device(net, device, gradient, step_size, jitter, clip, mean, rng=None, mask=None):
    """make_step on the device; gradient: the dream's DeviceGradient. Buffers are asked for afresh at
    each use: Caffe may move a blob's memory when it reshapes. mask: the octave's (1 x H x W), jittered
    with the image for the product and rolled back after (a roll moves values, exactly)."""
    src = net.blobs['data']
    ox, oy = (np.random if rng is None else rng).randint(-jitter, jitter + 1, 2)
    device.roll(device.buffer(src, 'data'), ox, oy)

    g = gradient(net, device)
    end = gradient.layers[-1][0]
    if mask is not None:  # the next backward overwrites the input's diff: it can hold the product
        device.roll(mask, ox, oy)
        device.mask(g, mask)
        device.roll(mask, -ox, -oy)
    mean_abs = device.mean_abs(g)  # the step's one host sync
    if not np.isfinite(mean_abs):  # the host loop stops at its next forward; nothing non-finite reaches Caffe
        raise DreamError(f"the image gradient at {end} is not finite (mean |g| = {mean_abs}); "
                         "the weights or the image overflow float32")
    scale = reference.step_scale(step_size, mean_abs)
    if scale is not None:
        device.ascend(device.buffer(src, 'data'), scale, g)
    device.roll(device.buffer(src, 'data'), -ox, -oy)
    if clip:
        device.clip(device.buffer(src, 'data'), mean)
