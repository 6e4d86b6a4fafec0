"""On a CUDA build with a GPU: each layer type and the image gradient agree with the CPU's, a GPU
dream repeats bit for bit, a thread dreams on the net's GPU, and a full default dream runs.

Selected with `pytest -m gpu` (pyproject deselects these by default: CI machines have no GPU).
"""
import threading

import numpy as np
import pytest
import skimage.data
import skimage.transform

import caffe
import dream

pytestmark = pytest.mark.gpu
END = 'inception_4c/output'


def image_gradient(net, img):
    """The image gradient of one notebook step (no jitter), as make_step computes it."""
    src = net.blobs['data']
    src.reshape(1, 3, *img.shape[:2])
    src.data[0] = dream.preprocess(net, img)
    net.forward(end=END)
    dream.objective_L2(net.blobs[END])
    net.backward(start=END)
    return src.diff[0].copy()


def test_gpu_gradient_agrees_with_cpu(googlenet, photo):
    g_cpu = image_gradient(dream.load_net(*googlenet), photo)
    g_gpu = image_gradient(dream.load_net(*googlenet, gpu=0), photo)
    caffe.set_mode_cpu()
    scale = np.abs(g_cpu).max()
    assert scale > 0
    # float32 with different GEMM libraries (BLIS vs cuBLAS), through every layer from the image to
    # inception_4c. Not entry by entry: where a max pool's window holds a near-tie, the two roundings
    # can pick different maxima and send that gradient to another pixel. Measured on an H200: the
    # largest entry moved by 1.0% of the largest gradient, and the whole by 3.5e-3 (relative L2); the
    # margins are about 6x that (a correlation of 0.9998 is what a relative error of 2e-2 allows).
    rel, corr = relative_error(g_gpu, g_cpu), np.corrcoef(g_gpu.ravel(), g_cpu.ravel())[0, 1]
    print(f"image gradient, GPU against CPU: relative L2 {rel:.2e}, largest difference "
          f"{np.abs(g_gpu - g_cpu).max() / scale:.2e} of the largest entry, correlation {corr:.8f}")
    assert rel <= 2e-2
    assert corr > 0.9998


@pytest.fixture(scope="module")
def both_modes(googlenet, photo):
    """{device: (net, {blob: data after a full forward}, {blob: diff after the backward from END})},
    device None for the CPU and 0 for the GPU, on the same 224x224 crop (the classifier's input size)."""
    crop = np.ascontiguousarray(photo[:224, :224])
    runs = {}
    for gpu in (None, 0):
        net = dream.load_net(*googlenet, gpu=gpu)
        src = net.blobs['data']
        src.reshape(1, 3, 224, 224)
        src.data[0] = dream.preprocess(net, crop)
        net.forward()
        data = {name: blob.data.copy() for name, blob in net.blobs.items()}
        net.blobs[END].diff[:] = net.blobs[END].data
        net.backward(start=END)
        diff = {name: blob.diff.copy() for name, blob in net.blobs.items()}
        runs[gpu] = (net, data, diff)
        caffe.set_mode_cpu()
    return runs


def relative_error(a, b):
    return np.linalg.norm(a.astype(np.float64) - b) / max(np.linalg.norm(b.astype(np.float64)), 1e-30)


@pytest.mark.parametrize("layer_type", ["Convolution", "ReLU", "Pooling", "LRN", "Concat", "Split",
                                        "InnerProduct", "Dropout", "Softmax"])
def test_each_layer_type_agrees_with_cpu(both_modes, layer_type):
    """Every layer of the type: its tops after forward, and (up to END) its bottoms' diffs after
    backward, within 1e-3 relative (L2) of the CPU's. L2, not the largest entry: a max pool's near-tie
    may fall the other way under cuBLAS's rounding and send one gradient entry elsewhere."""
    net, cpu_data, cpu_diff = both_modes[None]
    _, gpu_data, gpu_diff = both_modes[0]
    names = list(net._layer_names)
    last = names.index(END)  # the backward from END runs the layers up to it
    checked = []
    for i, (name, layer) in enumerate(zip(names, net.layers)):
        if layer.type != layer_type:
            continue
        for top in net.top_names[name]:
            checked.append((f"{name} -> {top} (data)", relative_error(gpu_data[top], cpu_data[top])))
        if i <= last:
            for bottom in net.bottom_names[name]:
                if np.abs(cpu_diff[bottom]).max() > 0:
                    checked.append((f"{name} <- {bottom} (diff)", relative_error(gpu_diff[bottom], cpu_diff[bottom])))
    assert checked, f"no {layer_type} layer in the net"
    worst = max(checked, key=lambda c: c[1])
    assert worst[1] <= 1e-3, f"{layer_type}: {worst[0]} differs by {worst[1]:.2e} (relative L2)"


def test_a_gpu_dream_repeats_bit_for_bit(googlenet, small_photo):
    net = dream.load_net(*googlenet, gpu=0)
    a, b = (dream.deepdream(net, small_photo, iter_n=3, octave_n=2, rng=np.random.RandomState(1),
                            exact_gradient=True) for _ in range(2))
    caffe.set_mode_cpu()
    assert np.array_equal(a, b)


def test_a_gpu_net_dreams_on_the_gpu_from_another_thread(googlenet, small_photo):
    """Caffe's mode is per thread: the web app's jobs and Dask's tasks run in threads of their own, and
    use_net_device puts them on the net's GPU (else they dream on the CPU, silently)."""
    from dream.network.net import use_net_device

    def run(net):
        return dream.deepdream(net, small_photo, iter_n=2, octave_n=2, rng=np.random.RandomState(1),
                               exact_gradient=True)
    net = dream.load_net(*googlenet, gpu=0)
    here, there = run(net), {}

    def in_a_thread():
        use_net_device(net)
        there["image"] = run(net)
    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    on_cpu = run(dream.load_net(*googlenet))
    assert np.array_equal(there["image"], here)
    assert not np.array_equal(here, on_cpu)


def test_full_default_dream_on_gpu(googlenet):
    sky = skimage.transform.resize(skimage.data.astronaut(), (1024, 1024), preserve_range=True)
    img = np.float32(sky[200:775])  # 1024x575, the notebook's photo size
    net = dream.load_net(*googlenet, gpu=0)
    out = dream.deepdream(net, img, rng=np.random.RandomState(0))
    caffe.set_mode_cpu()
    assert out.shape == img.shape and np.isfinite(out).all()
    assert np.abs(out - img).mean() > 1
