"""The device loop's numpy references (dream/device/reference.py) against the host arithmetic they stand
for, bit for bit: scipy's order-1 zoom, numpy's mean of |g| and the step, the clip, the roll."""
import numpy as np
import pytest
import scipy.ndimage as nd

from dream.device import reference as ref
from dream.engine.octaves import octave_sizes
from dream.network.net import IMAGENET_MEAN


def same(a, b):
    return np.asarray(a).dtype == np.asarray(b).dtype and np.asarray(a).shape == np.asarray(b).shape \
        and np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_the_default_runs_six_zooms_are_scipys():
    """The sky's size, 4 octaves: three bases down, three details up."""
    rng = np.random.default_rng(0)
    sizes = octave_sizes(575, 1024)
    base = rng.uniform(-120, 140, (3, *sizes[0])).astype(np.float32)
    for _ in sizes[1:]:
        down = nd.zoom(base, (1, 1 / 1.4, 1 / 1.4), order=1)
        assert same(ref.zoom_order1(base, (1, 1 / 1.4, 1 / 1.4)), down)
        base = down
    detail = rng.normal(0, 3, base.shape).astype(np.float32)
    for h, w in sizes[-2::-1]:
        zoom = (1, 1.0 * h / detail.shape[1], 1.0 * w / detail.shape[2])  # deepdream's own expression
        up = nd.zoom(detail, zoom, order=1)
        assert up.shape == (3, h, w) and same(ref.zoom_order1(detail, zoom), up)
        detail = up + rng.normal(0, 1, up.shape).astype(np.float32)


@pytest.mark.parametrize("seed", range(4))
def test_random_sizes_and_factors_are_scipys_zero_edges_included(seed):
    """Sizes from 1 to 300 a side, factors 0.3 to 3: among them the sizes where scipy's rounded
    coordinate passes the last row or column and it writes 0 there."""
    rng = np.random.default_rng(seed)
    zero_edges = 0
    for trial in range(150):
        h, w = rng.integers(1, 300, 2)
        a = rng.normal(0, 50, (3, h, w)).astype(np.float32)
        zoom = (1, *rng.uniform(0.3, 3, 2)) if trial % 2 else (1, *[rng.integers(1, 400) / n for n in (h, w)])
        expected = nd.zoom(a, zoom, order=1)
        assert same(ref.zoom_order1(a, zoom), expected), (h, w, zoom)
        zero_edges += any(out[-1] for out in (ref.zoom_axis(n, m)[3] for n, m in zip(a.shape, expected.shape)))
    assert zero_edges > 0  # the quirk was met, not missed


def test_the_mask_zoom_is_scipys():
    rng = np.random.default_rng(5)
    mask = rng.uniform(0, 1, (575, 1024))
    for h, w in octave_sizes(575, 1024)[1:]:
        zoom = (h / mask.shape[0], w / mask.shape[1])
        assert same(ref.zoom_order1(mask, zoom), nd.zoom(mask, zoom, order=1))
        assert same(ref.zoom_order1(mask.astype(np.float32), zoom), nd.zoom(mask.astype(np.float32), zoom, order=1))
        # as the device zooms it: one channel of 1 x H x W
        assert same(ref.zoom_order1(mask.astype(np.float32)[None], (1,) + zoom)[0],
                    nd.zoom(mask.astype(np.float32), zoom, order=1))


@pytest.mark.parametrize("weight", [1.0, 0.3, -2.5, 1e-3])
def test_seeds_are_objective_seeds(weight):
    """reference.scaled_seed and channel_seed against Objective.seed itself, signed zeros included
    (its sum from 0 turns a -0.0 product into +0.0, which a kernel must do too)."""
    import types
    import dream
    rng = np.random.default_rng(3)
    data = rng.normal(0, 3, (1, 8, 5, 6)).astype(np.float32)
    dst = types.SimpleNamespace(data=data, diff=np.zeros_like(data))
    for objective, mine in [(weight * dream.layer_l2('x'), ref.scaled_seed(weight, data[0])),
                            (weight * dream.channel('x', 3), ref.channel_seed(data.shape[1:], weight, 3))]:
        theirs = objective.seed('x', dst)[0]
        assert same(mine, theirs) and np.array_equal(np.signbit(mine), np.signbit(theirs))


def test_the_masked_gradient_is_the_hosts():
    rng = np.random.default_rng(8)
    g = rng.normal(0, 1e-3, (3, 41, 57)).astype(np.float32)
    mask = rng.uniform(0, 1, (41, 57)).astype(np.float32)
    ox, oy = 5, -7
    rolled = np.roll(np.roll(mask, ox, -1), oy, -2)
    assert same(ref.masked(g, rolled[None]), g * rolled) and ref.masked(g, rolled).dtype == np.float32
    assert same(ref.roll(ref.roll(mask[None], ox, oy), -ox, -oy), mask[None])  # rolled back exactly


@pytest.mark.parametrize("shape", [(3, 575, 1024), (3, 411, 731), (3, 293, 522), (3, 209, 373), (3, 1080, 1920),
                                   (3, 1, 1), (3, 2, 3), (3, 7, 9), (3, 40, 43)])
def test_mean_abs_is_numpys_pairwise_mean(shape):
    rng = np.random.default_rng(shape[1])
    for scale in (1e-6, 1.0, 3e4):
        g = (rng.normal(0, 1, shape) * scale).astype(np.float32)
        assert same(ref.mean_abs(g), np.abs(g).mean())


def test_pairwise_sum_at_every_length_up_to_a_few_blocks():
    rng = np.random.default_rng(7)
    x = np.abs(rng.normal(0, 1, 1100)).astype(np.float32) * np.float32(123.4)
    for n in range(0, 1100):
        assert same(ref.pairwise_sum(x[:n]), np.add.reduce(x[:n])), n


@pytest.mark.parametrize("n", [0, 5, 128, 129, 1000, 575 * 1024 * 3, 1080 * 1920 * 3])
def test_the_sum_from_parallel_leaves_is_numpys(n):
    """The GPU's way: each leaf of the recursion summed on its own (in parallel there), then added up
    in the recursion's order by one thread."""
    x = np.abs(np.random.default_rng(n).normal(0, 1, n)).astype(np.float32)
    leaves = ref.pairwise_leaves(n)
    assert sum(length for _, length in leaves) == n and all(length <= ref.PAIRWISE_BLOCK for _, length in leaves)
    sums = [ref.pairwise_sum(x[start:start + length]) for start, length in leaves]
    assert same(ref.combine_leaves(sums, n), np.add.reduce(x))


def test_the_step_is_the_hosts():
    """make_step's src.data[:] += step_size / np.abs(g).mean() * g, then its clip, on the same arrays;
    a zero gradient takes no step."""
    rng = np.random.default_rng(9)
    image = rng.uniform(-120, 130, (3, 60, 80)).astype(np.float32)
    g = (rng.normal(0, 1, image.shape) * 1e-3).astype(np.float32)
    host = image.copy()
    host[:] += 1.5 / np.abs(g).mean() * g
    scale = ref.step_scale(1.5, ref.mean_abs(g))
    assert same(ref.ascend(image, scale, g), host)
    wide = (host * 3).astype(np.float32)
    for means in (IMAGENET_MEAN, (104.051, 112.514, 116.676)):  # Places365's are not whole numbers
        mean = np.float32(means)[:, None, None]  # the transformer's, as deepdream's clip reads it
        assert same(ref.clip_to_mean(wide, mean), np.clip(wide, -mean, 255 - mean))
    assert ref.step_scale(1.5, ref.mean_abs(np.zeros_like(g))) is None


def test_roll_is_the_notebooks_jitter():
    image = np.arange(3 * 5 * 7, dtype=np.float32).reshape(3, 5, 7)
    for ox, oy in [(0, 0), (3, -2), (-32, 32), (7, 5)]:
        assert same(ref.roll(image, ox, oy), np.roll(np.roll(image, ox, -1), oy, -2))
