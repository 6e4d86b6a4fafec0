"""The enhance objective: gradients against finite differences, the prior's effect, both optimisers."""
import numpy as np
import pytest

import dream
from dream.engine.enhance import enhance, enhance_loss
from dream.objectives.priors import l2, total_variation


@pytest.mark.parametrize("prior", [total_variation, l2])
def test_prior_gradients_agree_with_finite_differences(prior):
    rng = np.random.RandomState(0)
    x = rng.uniform(-100, 100, (3, 9, 11))
    _, g = prior(x)
    for _ in range(20):
        idx = tuple(rng.randint(0, n) for n in x.shape)
        e = np.zeros_like(x)
        e[idx] = 1e-4
        numeric = (prior(x + e)[0] - prior(x - e)[0]) / 2e-4
        assert np.isclose(numeric, g[idx], rtol=1e-5, atol=1e-7)


def test_enhance_loss_gradient_agrees_with_finite_differences(load, photo):
    net = load()
    img = np.ascontiguousarray(photo[100:164, 150:214])  # 64x64
    layer = 'inception_3a/output'
    net.blobs['data'].reshape(1, 3, 64, 64)
    x0 = dream.preprocess(net, img).astype(np.float64)
    net.blobs['data'].data[0] = x0
    net.forward(end=layer)
    target = 2.0 * net.blobs[layer].data[0].astype(np.float64)
    loss = enhance_loss(net, layer, target, prior="tv", prior_weight=50.0)
    x = x0.ravel() + np.random.RandomState(1).uniform(-3, 3, x0.size)  # off the start, where the data term is flat
    value, g = loss(x)
    biggest = np.argsort(np.abs(g))[-5:]
    for i in list(biggest) + list(np.random.RandomState(2).randint(0, x.size, 3)):
        e = np.zeros_like(x)
        e[i] = 0.5
        numeric = (loss(x + e)[0] - loss(x - e)[0]) / 1.0
        assert np.isclose(numeric, g[i], rtol=0.05, atol=0.02 * np.abs(g).max()), (i, numeric, g[i])


@pytest.mark.parametrize("optimizer", ["lbfgs", "step"])
def test_enhance_lowers_its_loss_and_the_prior_lowers_tv(load, small_photo, optimizer):
    layer = 'inception_4c/output'
    losses = []
    plain = enhance(load(), small_photo, layer, prior_weight=0.0, optimizer=optimizer, iter_n=6,
                    progress=lambda i, v: losses.append(v))
    assert len(losses) >= 3 and losses[-1] < losses[0]
    smooth = enhance(load(), small_photo, layer, prior_weight=200.0, optimizer=optimizer, iter_n=6)
    tv = lambda img: total_variation(np.rollaxis(img, 2))[0]
    assert tv(smooth) < tv(plain)
    for out in (plain, smooth):
        assert out.shape == small_photo.shape and out.min() >= -1e-3 and out.max() <= 255 + 1e-3
