"""The layers dream's Caffe runs in parallel (scripts/patches/05 to 10) give the same bits with one
OpenMP thread and with two: forward and backward, every blob."""
import os
import subprocess
import sys

import numpy as np

# im2col/col2im (a 3x3 convolution), ReLU, max pooling with edge windows (67x75, 3x3 stride 2), a
# Split (one blob read twice), Concat and LRN; blobs of over 32768 values, so that the elementwise
# functions (06-openmp-elementwise) run in parallel too. BLIS runs on one thread in both runs, so only the
# layers' own loops change with OMP_NUM_THREADS (BLIS never splits a sum, but one variable at a time).
NET = """
name: "openmp_layers"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 8 dim: 67 dim: 75 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
        convolution_param { num_output: 16 kernel_size: 3 pad: 1 weight_filler { type: "xavier" } } }
layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
layer { name: "reduce" type: "Convolution" bottom: "pool" top: "reduce"
        convolution_param { num_output: 4 kernel_size: 1 weight_filler { type: "xavier" } } }
layer { name: "pool2" type: "Pooling" bottom: "pool" top: "pool2"
        pooling_param { pool: MAX kernel_size: 3 stride: 1 pad: 1 } }
layer { name: "concat" type: "Concat" bottom: "reduce" bottom: "pool2" top: "concat" }
layer { name: "norm" type: "LRN" bottom: "concat" top: "norm" lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 } }
force_backward: true
"""

CHILD = """
import ctypes, os, sys, tempfile
import numpy as np
import caffe
# the OpenMP runtime Caffe loaded runs as many threads as asked for
assert ctypes.CDLL('libgomp.so.1').omp_get_max_threads() == int(os.environ['OMP_NUM_THREADS'])
caffe.set_mode_cpu()
caffe.set_random_seed(1)
with tempfile.NamedTemporaryFile('w', suffix='.prototxt') as f:
    f.write(sys.argv[1])
    f.flush()
    net = caffe.Net(f.name, caffe.TEST)
net.blobs['data'].data[...] = np.random.RandomState(2).randn(*net.blobs['data'].shape)
net.forward()
net.blobs['norm'].diff[...] = net.blobs['norm'].data
net.backward()
np.savez(sys.argv[2], **{f'{name}_{kind}': getattr(blob, kind) for name, blob in net.blobs.items()
                         for kind in ('data', 'diff')})
"""


def run(threads, path):
    env = {"OMP_NUM_THREADS": str(threads), "BLIS_NUM_THREADS": "1", "GLOG_minloglevel": "2"}
    r = subprocess.run([sys.executable, "-c", CHILD, NET, str(path)], capture_output=True, text=True,
                       env={**os.environ, **env})
    assert r.returncode == 0, r.stderr
    return np.load(path)


def test_one_thread_and_two_give_the_same_bits(tmp_path):
    one, two = run(1, tmp_path / "one.npz"), run(2, tmp_path / "two.npz")
    assert sorted(one.files) == sorted(two.files) and len(one.files) >= 14
    for name in one.files:
        assert np.array_equal(one[name], two[name]), name
    assert np.abs(one["data_diff"]).max() > 0  # the gradient reached the input
