"""make_step: the objective, the gradient, jitter, clipping, and zero gradients."""
import numpy as np

import dream

END = 'inception_4c/output'


def set_input(net, img):
    src = net.blobs['data']
    src.reshape(1, 3, *img.shape[:2])
    src.data[0] = dream.preprocess(net, img)
    return src


def l2_at(net, end):
    net.forward(end=end)
    return float(np.sum(np.square(net.blobs[end].data, dtype=np.float64)))


def test_objective_l2_step_raises_the_layer_norm(load, small_photo):
    net = load()
    set_input(net, small_photo)
    before = l2_at(net, END)
    dream.make_step(net, step_size=0.5, end=END, jitter=0, clip=False)
    assert l2_at(net, END) > before * 1.001


def test_gradient_agrees_with_finite_differences(load, photo):
    """backward() from objective_L2 gives d(0.5*||f||^2)/dx; compare with central differences."""
    net = load()
    img = np.ascontiguousarray(photo[100:164, 150:214])  # 64x64: small, real
    end = 'inception_3a/output'
    src = set_input(net, img)
    x0 = src.data[0].copy()
    net.forward(end=end)
    dream.clear_diffs(net)
    dream.objective_L2(net.blobs[end])
    net.backward(start=end)
    g = src.diff[0].copy()

    def loss(x):
        src.data[0] = x
        return 0.5 * l2_at(net, end)

    rng = np.random.RandomState(0)
    biggest = np.argsort(np.abs(g).ravel())[-6:]  # well-conditioned coordinates
    for flat in list(biggest) + list(rng.randint(0, g.size, 2)):
        idx = np.unravel_index(flat, g.shape)
        eps = 0.5
        xp, xm = x0.copy(), x0.copy()
        xp[idx] += eps
        xm[idx] -= eps
        numeric = (loss(xp) - loss(xm)) / (2 * eps)
        assert np.isclose(numeric, g[idx], rtol=0.05, atol=1e-3 * np.abs(g).max()), (idx, numeric, g[idx])


def test_jitter_roll_and_unroll_are_exact(load, small_photo):
    """With a zero step, the image comes back exactly, whatever shift was drawn."""
    net = load()
    src = set_input(net, small_photo)
    before = src.data[0].copy()
    rng = np.random.RandomState(5)
    for _ in range(3):
        dream.make_step(net, step_size=0.0, end=END, jitter=32, clip=False, rng=rng)
        assert np.array_equal(src.data[0], before)
    assert rng.randint(0, 1000) != np.random.RandomState(5).randint(0, 1000)  # shifts were drawn


def test_clip_keeps_pixels_in_range(load, small_photo):
    net = load()
    src = set_input(net, small_photo)
    bias = net.transformer.mean['data']
    dream.make_step(net, step_size=200.0, end=END, jitter=8, clip=True, rng=np.random.RandomState(0))
    x = src.data[0]
    assert np.all(x >= -bias) and np.all(x <= 255 - bias)
    out = dream.deprocess(net, x)
    assert out.min() >= 0 and out.max() <= 255
    # without clipping the same step leaves the range
    src = set_input(net, small_photo)
    dream.make_step(net, step_size=200.0, end=END, jitter=8, clip=False, rng=np.random.RandomState(0))
    assert dream.deprocess(net, src.data[0]).max() > 255


def test_zero_gradient_writes_no_nan(load, small_photo):
    net = load()
    src = set_input(net, small_photo)
    before = src.data[0].copy()

    def nothing(dst):
        dst.diff[:] = 0

    dream.make_step(net, end=END, jitter=0, objective=nothing, exact_gradient=True)
    assert np.isfinite(src.data).all()
    assert np.array_equal(src.data[0], before)
