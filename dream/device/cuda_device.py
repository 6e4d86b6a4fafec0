"""The device loop's device on a GPU: kernels.cu's functions through ctypes, on Caffe's own buffers
(pycaffe's _gpu_data_ptr/_gpu_diff_ptr, read afresh at each use) and on arrays it allocates. The
library is built beside the GPU build's pycaffe (scripts/build_device_kernels.sh), with the same nvcc
and CUDA runtime as Caffe, so one runtime serves both and its kernels run on Caffe's stream.

Why a small CUDA library and not CuPy: the CuPy wheel alone (69 MB) is over what a lent GPU machine
takes a call (64 MiB), it would bring a second CUDA runtime into the process, and its kernels compile
at the first run (NVRTC); this one compiles in a second with the build, -fmad=false."""
import ctypes
import os
from functools import lru_cache

import numpy as np

from ..errors import DreamError
from . import reference

LIBRARY = "libdream_device.so"


class DeviceArray:
    """A float32 array in GPU memory: a pointer and a shape; freed with the object where it owns it."""

    def __init__(self, device, ptr, shape, owned=True):
        self.device, self.ptr, self.shape, self.owned = device, ptr, tuple(shape), owned

    @property
    def size(self):
        return int(np.prod(self.shape))

    @property
    def nbytes(self):
        return 4 * self.size

    def __del__(self):
        if self.owned and self.ptr:
            self.device.lib.dd_free(ctypes.c_size_t(self.ptr))
            self.ptr = 0


def library_path():
    """The library beside the caffe package that was imported (a GPU build's), or $DREAM_DEVICE_LIBRARY."""
    import caffe
    return os.environ.get("DREAM_DEVICE_LIBRARY") or os.path.join(os.path.dirname(caffe.__file__), LIBRARY)


class CudaDevice:
    """The operations deepdream_on_device asks of a device, as CUDA kernels."""

    def __init__(self, path=None):
        path = path or library_path()
        if not os.path.exists(path):
            raise DreamError(f"the device loop's kernels are not built ({path} is missing): "
                             "scripts/setup.sh --gpu builds them")
        self.lib = lib = ctypes.CDLL(path)
        size, long_, i, f = ctypes.c_size_t, ctypes.c_long, ctypes.c_int, ctypes.c_float
        for name, args in {"dd_alloc": [ctypes.POINTER(size), long_], "dd_free": [size],
                           "dd_to_device": [size, ctypes.c_void_p, long_], "dd_to_host": [ctypes.c_void_p, size, long_],
                           "dd_copy": [size, size, long_], "dd_roll": [size, size, i, i, i, i, i],
                           "dd_add": [size, size, size, long_], "dd_subtract": [size, size, size, long_],
                           "dd_ascend": [size, size, f, long_], "dd_mask": [size, size, long_, long_], "dd_zero": [size, long_],
                           "dd_scale": [size, f, size, long_], "dd_channel_seed": [size, f, i, long_, long_], "dd_clip": [size, f, f, f, i, long_],
                           "dd_mean_abs": [ctypes.POINTER(f), size, long_, size, size, long_, size, size],
                           "dd_zoom": [size, size, i, i, i, i, i, i, ctypes.POINTER(size)],
                           "dd_last_error": [], "dd_synchronize": [], "dd_error_string": [i]}.items():
            getattr(lib, name).argtypes = args
        lib.dd_error_string.restype = ctypes.c_char_p
        self._scratch = {}
        self._mean = self._alloc((1,))

    def synchronize(self):
        """Wait for every kernel launched so far, Caffe's included (they share the default stream)."""
        self._check(self.lib.dd_synchronize(), "synchronize")

    def _check(self, code, what):
        if code:
            raise DreamError(f"CUDA error {code} in the device loop's {what}: "
                             f"{self.lib.dd_error_string(code).decode(errors='replace')}")

    def _alloc(self, shape):
        ptr = ctypes.c_size_t()
        self._check(self.lib.dd_alloc(ctypes.byref(ptr), 4 * int(np.prod(shape))), "cudaMalloc")
        return DeviceArray(self, ptr.value, shape)

    def _put(self, host, shape=None):
        """A host array copied to the device: float32 images with their shape, or any dtype as raw bytes
        (the kernels' tables)."""
        host = np.ascontiguousarray(host)
        array = self._alloc(shape or (-(-max(host.nbytes, 4) // 4),))
        self._check(self.lib.dd_to_device(array.ptr, host.ctypes.data, host.nbytes), "copy to the GPU")
        return array

    def buffer(self, blob, which):
        ptr = blob._gpu_data_ptr if which == 'data' else blob._gpu_diff_ptr
        return DeviceArray(self, ptr, tuple(blob.shape)[1:], owned=False)

    def upload(self, image):
        image = np.asarray(image, dtype=np.float32)
        return self._put(image, image.shape)

    def upload_into(self, out, host):
        """A float32 host array of out's shape copied into out (a blob's diff: a host-made seed)."""
        host = np.ascontiguousarray(host, dtype=np.float32)
        assert host.shape == out.shape, (host.shape, out.shape)
        self._check(self.lib.dd_to_device(out.ptr, host.ctypes.data, host.nbytes), "copy to the GPU")

    def download(self, array):
        host = np.empty(array.shape, np.float32)
        self._check(self.lib.dd_to_host(host.ctypes.data, array.ptr, array.nbytes), "copy to the host")
        return host

    def zeros(self, shape):
        return self.upload(np.zeros(shape, np.float32))

    def empty(self, shape):
        return self._alloc(shape)

    def zero(self, array):
        self._check(self.lib.dd_zero(array.ptr, array.nbytes), "cudaMemset")

    def scale(self, out, weight, a):
        self.lib.dd_scale(out.ptr, float(np.float32(weight)), a.ptr, out.size)

    def channel_seed(self, out, weight, c):
        self.lib.dd_channel_seed(out.ptr, float(np.float32(weight)), int(c), out.size // out.shape[0], out.size)

    def zoom(self, array, factors):
        shape = reference.zoom_shape(array.shape, factors)
        out = self._alloc(shape)
        tables = [t for n, m in zip(array.shape, shape) for t in self._axis(n, m)]
        pointers = (ctypes.c_size_t * 15)(*[t.ptr for t in tables])
        self.lib.dd_zoom(out.ptr, array.ptr, *array.shape, *shape, pointers)
        return out

    @lru_cache(maxsize=64)
    def _axis(self, n_in, n_out):
        """reference.zoom_axis's tables on the device, kept for the next dream of this size."""
        first, second, (w0, w1), outside = reference.zoom_axis(n_in, n_out)
        return (self._put(first.astype(np.int64)), self._put(second.astype(np.int64)), self._put(w0), self._put(w1),
                self._put(outside.astype(np.uint8)))

    def add_into(self, out, a, b):
        self.lib.dd_add(out.ptr, a.ptr, b.ptr, out.size)

    def subtract(self, a, b):
        out = self._alloc(a.shape)
        self.lib.dd_subtract(out.ptr, a.ptr, b.ptr, out.size)
        return out

    def copy(self, out, array):
        self._check(self.lib.dd_copy(out.ptr, array.ptr, array.nbytes), "copy on the GPU")

    def roll(self, array, ox, oy):
        scratch = self._scratch.get(array.shape)
        if scratch is None:
            scratch = self._scratch[array.shape] = self._alloc(array.shape)
        self.lib.dd_roll(scratch.ptr, array.ptr, *array.shape, int(ox), int(oy))
        self.copy(array, scratch)

    def mean_abs(self, array):
        starts, lengths, sums = self._leaves(array.size)
        mean = ctypes.c_float()
        self._check(self.lib.dd_mean_abs(ctypes.byref(mean), array.ptr, array.size, starts.ptr, lengths.ptr,
                                         sums.size, sums.ptr, self._mean.ptr), "mean of |g|")
        self._check(self.lib.dd_last_error(), "kernels")
        return np.float32(mean.value)

    @lru_cache(maxsize=16)
    def _leaves(self, n):
        leaves = np.array(reference.pairwise_leaves(n), dtype=np.int64).reshape(-1, 2)
        return self._put(leaves[:, 0]), self._put(leaves[:, 1]), self._alloc((len(leaves),))

    def ascend(self, image, scale, g):
        self.lib.dd_ascend(image.ptr, g.ptr, float(scale), image.size)

    def mask(self, g, mask):
        self.lib.dd_mask(g.ptr, mask.ptr, mask.size, g.size)

    def clip(self, image, mean):
        m = np.asarray(mean, np.float32).ravel()
        self.lib.dd_clip(image.ptr, *[float(v) for v in m], image.shape[0], image.size // image.shape[0])


@lru_cache(maxsize=None)
def cuda_device(gpu):
    """GPU `gpu`'s one CudaDevice in this process: its zoom tables, scratch and leaf plans, allocated on
    that GPU, kept from dream to dream (a process that dreams on two GPUs has one for each)."""
    return CudaDevice()
