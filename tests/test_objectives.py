"""Composable objectives: algebra, gradients summed across layers, and masks."""
import numpy as np
import pytest

import dream
from dream.objectives import channel, class_unit, guide, layer_l2, neuron
from dream.engine.mask import soft_mask


def put(net, img):
    src = net.blobs['data']
    src.reshape(1, 3, *img.shape[:2])
    src.data[0] = dream.preprocess(net, img)


def test_algebra():
    a, b = layer_l2('inception_4c/output'), channel('inception_4d/output', 52)
    mix = 0.7 * a + 0.3 * b
    assert mix.layers == ['inception_4c/output', 'inception_4d/output']
    assert [w for _, w, _ in mix.terms] == [0.7, 0.3]
    assert [w for _, w, _ in (a - b).terms] == [1.0, -1.0]
    assert sum([a, b]).layers == mix.layers
    with pytest.raises(TypeError, match="number"):
        a * b
    with pytest.raises(TypeError):
        a + 1


def test_gradients_across_layers_sum_the_parts_run_alone(load, small_photo):
    net = load()
    put(net, small_photo)
    a, b = layer_l2('inception_4c/output'), channel('inception_3b/output', 7)
    both = (0.7 * a + 0.3 * b).input_gradient(net)
    alone = 0.7 * a.input_gradient(net) + 0.3 * b.input_gradient(net)
    assert np.abs(both).max() > 0
    assert np.allclose(both, alone, rtol=1e-5, atol=1e-6 * np.abs(alone).max())
    # and they really differ from either part
    assert not np.allclose(both, 0.7 * a.input_gradient(net), atol=1e-3 * np.abs(alone).max())


def test_layer_l2_objective_is_the_notebooks_exact_gradient(load, small_photo):
    net = load()
    put(net, small_photo)
    ours = layer_l2('inception_3b/5x5_reduce').input_gradient(net)
    net.forward(end='inception_3b/5x5_reduce')
    dream.clear_diffs(net)
    dream.objective_L2(net.blobs['inception_3b/5x5_reduce'])
    net.backward(start='inception_3b/5x5_reduce')
    assert np.array_equal(ours, net.blobs['data'].diff[0])


def test_channel_and_neuron_steps_raise_their_target(load, small_photo):
    end = 'inception_4c/output'
    net = load()
    put(net, small_photo)
    net.forward(end=end)
    act = net.blobs[end].data[0]
    c = int(act.mean(axis=(1, 2)).argmax())  # a live channel: a dead ReLU passes no gradient
    y, x = np.unravel_index(act[c].argmax(), act[c].shape)
    for objective, read in [(channel(end, c), lambda b: b.data[0, c].mean()),
                            (neuron(end, c, int(y), int(x)), lambda b: b.data[0, c, y, x])]:
        net = load()
        put(net, small_photo)
        net.forward(end=end)
        before = read(net.blobs[end])
        for _ in range(3):
            dream.make_step(net, objective=objective, jitter=0, step_size=1.0)
        net.forward(end=end)
        assert read(net.blobs[end]) > before


def test_neuron_defaults_to_the_centre(load, small_photo):
    net = load()
    put(net, small_photo)
    net.forward(end='inception_4c/output')
    seed = neuron('inception_4c/output', 3).seed('inception_4c/output', net.blobs['inception_4c/output'])
    assert seed.shape[2:] == (10, 12) and seed[0, 3, 5, 6] == 1 and seed.sum() == 1


def test_class_unit_raises_its_logit_most(load, photo):
    net = load()
    img = np.ascontiguousarray(photo[:224, 100:324])
    put(net, img)
    net.forward(end='loss3/classifier')
    before = net.blobs['loss3/classifier'].data[0].copy()
    for _ in range(5):
        dream.make_step(net, objective=class_unit(207), jitter=0, step_size=1.0, clip=False)
    net.forward(end='loss3/classifier')
    gain = net.blobs['loss3/classifier'].data[0] - before
    assert gain.argmax() == 207 and gain[207] > 0


def test_guide_objective_matches_the_notebooks(load, photo, small_photo):
    net = load()
    feats = dream.guide_features(net, np.ascontiguousarray(photo[:120, :160]), 'inception_3b/output')
    put(net, small_photo)
    net.forward(end='inception_3b/output')
    dst = net.blobs['inception_3b/output']
    seed = guide('inception_3b/output', feats).seed('inception_3b/output', dst)
    dream.objective_guide(feats)(dst)
    assert np.array_equal(seed, dst.diff)


def test_bad_channel_is_a_clear_error(load, small_photo):
    net = load()
    put(net, small_photo)
    with pytest.raises(dream.DreamError, match="out of range"):
        channel('inception_4c/output', 512).input_gradient(net)


def test_deepdream_with_a_mixed_objective(load, small_photo):
    objective = 0.5 * layer_l2('inception_4c/output') + 0.5 * channel('inception_4d/output', 3)
    out = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, objective=objective,
                          rng=np.random.RandomState(0))
    assert out.shape == small_photo.shape and np.abs(out - small_photo).max() > 1
    with pytest.raises(dream.DreamError, match="did you mean"):
        dream.deepdream(load(), small_photo, objective=channel('inception_4d/outptu', 3))


def test_mask_leaves_pixels_outside_unchanged(load, photo):
    h, w = photo.shape[:2]
    white_left = np.zeros((h, w, 3), np.float32)
    white_left[:, : w // 2] = 255
    mask = soft_mask(white_left, h, w, feather=4)
    assert mask[:, :10].min() > 0.99 and mask[:, -10:].max() == 0 and 0 < mask[h // 2, w // 2] < 1
    out = dream.deepdream(load(), photo, iter_n=2, octave_n=3, mask=mask, rng=np.random.RandomState(1))
    right = slice(3 * w // 4, None)
    assert np.array_equal(out[:, right], photo[:, right])
    assert np.abs(out[:, : w // 4] - photo[:, : w // 4]).max() > 1
