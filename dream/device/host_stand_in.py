"""The device loop's device on the CPU: numpy arrays, each kernel its numpy reference, Caffe's buffers
reached as pycaffe's CPU views (which copy nothing in CPU mode). It runs the device loop's control
flow here, where no GPU is, against the notebook's bytes."""
import numpy as np

from . import reference


class HostStandIn:
    """The operations deepdream_on_device asks of a device, on numpy arrays."""

    def buffer(self, blob, which):
        """Blob's data or diff, the first image of the batch, as the device's array (here a view)."""
        return getattr(blob, which)[0]

    def upload(self, image):
        return np.array(image, dtype=np.float32)

    def download(self, array):
        return np.array(array)

    def upload_into(self, out, host):
        out[...] = host

    def zeros(self, shape):
        return np.zeros(shape, np.float32)

    def empty(self, shape):
        return np.empty(shape, np.float32)

    def zero(self, array):
        array[...] = 0

    def scale(self, out, weight, a):
        out[...] = reference.scaled_seed(weight, a)

    def channel_seed(self, out, weight, c):
        out[...] = reference.channel_seed(out.shape, weight, c)

    def zoom(self, array, factors):
        return reference.zoom_order1(array, factors)

    def add_into(self, out, a, b):
        out[...] = a + b

    def subtract(self, a, b):
        return a - b

    def copy(self, out, array):
        out[...] = array

    def roll(self, array, ox, oy):
        array[...] = reference.roll(array, ox, oy)

    def mean_abs(self, array):
        return reference.mean_abs(array)

    def ascend(self, image, scale, g):
        image[...] = reference.ascend(image, scale, g)

    def mask(self, g, mask):
        g[...] = reference.masked(g, mask)

    def clip(self, image, mean):
        image[...] = reference.clip_to_mean(image, mean)
