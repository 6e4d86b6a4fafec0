"""Max pooling in dream's Caffe (scripts/patches/08-max-pooling-by-rows.patch) finds upstream's
maximum and upstream's index: the first of the window's largest values in row-major order. The
data has many ties (small integers), and the backward pass shows the index: each output's diff
lands on the input it chose."""
import numpy as np
import pytest

import caffe


def reference(x, kernel, stride, pad):
    """Upstream's loop: windows clipped to the plane, ceil-mode output size, the first maximum."""
    n, c, h, w = x.shape
    oh = -(-(h + 2 * pad - kernel) // stride) + 1
    ow = -(-(w + 2 * pad - kernel) // stride) + 1
    if (oh - 1) * stride >= h + pad:  # Caffe: the last window must start inside the image
        oh -= 1
    if (ow - 1) * stride >= w + pad:
        ow -= 1
    top = np.empty((n, c, oh, ow), np.float32)
    index = np.empty((n, c, oh, ow), np.int64)
    for i in range(oh):
        for j in range(ow):
            h0, w0 = i * stride - pad, j * stride - pad
            h1, w1 = min(h0 + kernel, h), min(w0 + kernel, w)
            h0, w0 = max(h0, 0), max(w0, 0)
            window = x[:, :, h0:h1, w0:w1].reshape(n, c, -1)
            first = window.argmax(axis=2)  # the first maximum in row-major order
            top[:, :, i, j] = window.max(axis=2)
            index[:, :, i, j] = (h0 + first // (w1 - w0)) * w + w0 + first % (w1 - w0)
    return top, index


# stride 1 with padding (vectors, a scalar tail, border windows), stride 2 (the shuffled loads, and the
# gathered last group at 9x33), ceil-mode windows clipped at the edge, stride 3, interiors of 1-2 outputs
@pytest.mark.parametrize("kernel,stride,pad,h,w", [(3, 1, 1, 13, 29), (3, 2, 0, 15, 31), (3, 2, 0, 14, 30),
                                                   (3, 2, 0, 9, 33), (2, 2, 0, 9, 11), (3, 3, 1, 8, 40),
                                                   (5, 1, 2, 7, 6), (3, 1, 0, 5, 3)])
def test_max_pooling_picks_upstreams_maximum_and_index(tmp_path, kernel, stride, pad, h, w):
    proto = tmp_path / "pool.prototxt"
    proto.write_text(f"""
layer {{ name: "data" type: "Input" top: "data" input_param {{ shape {{ dim: 2 dim: 3 dim: {h} dim: {w} }} }} }}
layer {{ name: "pool" type: "Pooling" bottom: "data" top: "pool"
        pooling_param {{ pool: MAX kernel_size: {kernel} stride: {stride} pad: {pad} }} }}
force_backward: true
""")
    net = caffe.Net(str(proto), caffe.TEST)
    rng = np.random.RandomState(0)
    x = rng.randint(-2, 3, (2, 3, h, w)).astype(np.float32)  # small integers: ties everywhere
    net.blobs["data"].data[...] = x
    net.forward()
    top, index = reference(x, kernel, stride, pad)
    assert np.array_equal(net.blobs["pool"].data, top)
    diff = rng.randint(1, 1000, top.shape).astype(np.float32)
    net.blobs["pool"].diff[...] = diff
    net.backward()
    expected = np.zeros((2, 3, h * w), np.float32)
    for n in range(2):
        for c in range(3):
            np.add.at(expected[n, c], index[n, c].ravel(), diff[n, c].ravel())
    assert np.array_equal(net.blobs["data"].diff.reshape(2, 3, -1), expected)
