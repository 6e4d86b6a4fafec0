"""On a CUDA build with a GPU: make_step's gradient matches the CPU's, and a full default dream runs.

Selected with `pytest -m gpu` (pyproject deselects these by default: CI machines have no GPU).
"""
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
    # float32 with different GEMM libraries (OpenBLAS vs cuBLAS): agree to 1e-3 of the largest entry
    assert np.abs(g_gpu - g_cpu).max() <= 1e-3 * scale
    assert np.corrcoef(g_gpu.ravel(), g_cpu.ravel())[0, 1] > 0.99999


def test_full_default_dream_on_gpu(googlenet):
    sky = skimage.transform.resize(skimage.data.astronaut(), (1024, 1024), preserve_range=True)
    img = np.float32(sky[200:775])  # 1024x575, the notebook's photo size
    net = dream.load_net(*googlenet, gpu=0)
    out = dream.deepdream(net, img, rng=np.random.RandomState(0))
    caffe.set_mode_cpu()
    assert out.shape == img.shape and np.isfinite(out).all()
    assert np.abs(out - img).mean() > 1
