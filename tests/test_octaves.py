"""The octave loop: scales, repeatability, progress, and the blob-versus-layer naming."""
import numpy as np
import pytest
import scipy.ndimage as nd

import dream


def test_octave_shapes_equal_nd_zoom(load, photo):
    net = load()
    bases = dream.octave_bases(net, photo, octave_n=4, octave_scale=1.4)
    expected = dream.preprocess(net, photo)
    assert bases[0].shape == expected.shape
    for base in bases[1:]:
        expected = nd.zoom(expected, (1, 1 / 1.4, 1 / 1.4), order=1)
        assert base.shape == expected.shape
        assert np.array_equal(base, expected)
    assert [b.shape[1:] for b in bases] == [(300, 451), (214, 322), (153, 230), (109, 164)]


def test_seeded_runs_repeat_and_seeds_matter(load, small_photo):
    run = lambda seed: dream.deepdream(load(), small_photo, iter_n=2, octave_n=2,
                                       rng=np.random.RandomState(seed))
    assert np.array_equal(run(4), run(4))
    assert not np.array_equal(run(4), run(5))


def test_progress_is_reported_for_every_step(load, small_photo):
    seen = []
    dream.deepdream(load(), small_photo, iter_n=3, octave_n=2, progress=lambda o, i, d: seen.append((o, i, d.shape)),
                    rng=np.random.RandomState(0))
    assert [(o, i) for o, i, _ in seen] == [(o, i) for o in range(2) for i in range(3)]
    assert seen[0][2] == (3, 114, 143) and seen[-1][2] == (3, 160, 200)


def test_output_is_an_rgb_image_of_the_input_size(load, photo):
    out = dream.deepdream(load(), photo, iter_n=1, octave_n=2, rng=np.random.RandomState(0))
    assert out.shape == photo.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 255


def test_intra_module_end_reads_the_pre_relu_blob(load, small_photo):
    """GoogLeNet's ReLUs run in place, so forward(end='.../5x5_reduce') leaves negative values."""
    net = load()
    net.blobs['data'].reshape(1, 3, *small_photo.shape[:2])
    net.blobs['data'].data[0] = dream.preprocess(net, small_photo)
    net.forward(end='inception_3b/5x5_reduce')
    assert net.blobs['inception_3b/5x5_reduce'].data.min() < 0


def test_unknown_layer_suggests_close_names(load, small_photo):
    with pytest.raises(dream.DreamError, match=r"did you mean inception_4c/output"):
        dream.deepdream(load(), small_photo, end='inception_4c/outptu')
    # the engine says what is wrong; the command line adds where the list is (issue 27: no flags in the engine)
    from dream.cli.common import with_flags
    with pytest.raises(dream.DreamError, match="^unknown layer 'zzz'$") as refused:
        dream.deepdream(load(), small_photo, end='zzz')
    assert "list-layers" in with_flags(refused.value)


def test_too_small_input_is_refused_before_caffe(load, photo):
    tiny = np.ascontiguousarray(photo[:20, :20])  # its 2nd octave, 14x14, is too small
    with pytest.raises(dream.DreamError, match="too small"):
        dream.deepdream(load(), tiny, iter_n=1, octave_n=2)


def test_fixed_size_layer_is_refused_before_caffe(load, photo):
    with pytest.raises(dream.DreamError, match="fixed input size"):
        dream.deepdream(load(), photo, iter_n=1, octave_n=1, end='loss3/classifier')
