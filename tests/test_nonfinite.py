"""No non-finite number reaches Caffe: NaN images and flags end cleanly, in their own processes
(a heap corruption would show as a signal or 'free(): invalid next size'), and the engine guards itself."""
import os
import subprocess
import sys

import numpy as np
import PIL.Image
import pytest

import dream
from dream.network.net import MAX_INPUT


@pytest.fixture
def cli(googlenet, tmp_path):
    prototxt, weights = googlenet

    def run(*args):
        return subprocess.run([sys.executable, "-m", "dream", *map(str, args), "--prototxt", str(prototxt),
                               "--weights", str(weights)], cwd=tmp_path, capture_output=True, text=True,
                              env=dict(os.environ))
    return run


def clean_exit(r, fragment):
    assert r.returncode in (1, 2), (r.returncode, r.stderr)  # not a signal, not a crash
    assert "free()" not in r.stderr and "Traceback" not in r.stderr and "Check failed" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], r.stderr


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_float_tiff_with_non_finite_pixels(cli, tmp_path, photo, value):
    gray = np.float32(photo.mean(axis=2))
    gray[10:20, 30:40] = value
    PIL.Image.fromarray(gray, mode="F").save(tmp_path / "bad.tif")
    clean_exit(cli("bad.tif", "-o", "out.jpg", "--iters", "1", "--octaves", "1"), "NaN or infinite")
    assert not (tmp_path / "out.jpg").exists()


@pytest.mark.parametrize("flags", [["--step-size", "nan"], ["--objective", "enhance", "--amplify", "inf"],
                                   ["--objective", "enhance", "--prior-weight", "nan"],
                                   ["--octave-scale", "nan"], ["--mask-feather", "inf"]])
def test_non_finite_flags(cli, photo_file, tmp_path, flags):
    clean_exit(cli(photo_file, "-o", "out.jpg", *flags), "finite")


def test_non_finite_class_weight(googlenet, tmp_path):
    r = subprocess.run([sys.executable, "-m", "dream", "class", "207:nan", "--prototxt", str(googlenet[0]),
                        "--weights", str(googlenet[1]), "-o", "c.jpg"], cwd=tmp_path, capture_output=True, text=True)
    clean_exit(r, "finite")


@pytest.mark.parametrize("value", [np.nan, np.inf, 1e20])
def test_engine_refuses_bad_input_before_caffe(load, small_photo, value):
    """make_step, deepdream, objectives, enhance and guides all go through one guarded forward."""
    net = load()
    bad = small_photo.copy()
    bad[5, 5, 1] = value
    with pytest.raises(dream.DreamError, match="NaN or infinite|beyond"):
        dream.deepdream(net, bad, iter_n=1, octave_n=1)
    h, w = small_photo.shape[:2]
    net.blobs['data'].reshape(1, 3, h, w)
    net.blobs['data'].data[0] = dream.preprocess(net, bad)
    with pytest.raises(dream.DreamError, match="Caffe cannot take them"):
        dream.make_step(net)
    with pytest.raises(dream.DreamError, match="Caffe cannot take them"):
        dream.make_step(net, objective=dream.layer_l2('inception_3b/output') + dream.channel('inception_4c/output', 1))
    with pytest.raises(dream.DreamError):
        dream.enhance(net, bad, 'inception_3b/output', iter_n=1)
    with pytest.raises(dream.DreamError):
        dream.guide_features(net, bad, 'inception_3b/output')


def test_a_nan_step_size_stops_at_the_next_forward(load, small_photo):
    """The API takes any float; the guard catches what a NaN step writes into the input."""
    net = load()
    with pytest.raises(dream.DreamError, match="NaN or infinite"):
        dream.deepdream(net, small_photo, iter_n=2, octave_n=1, step_size=float("nan"), jitter=0)


def test_large_finite_inputs_within_the_bound_give_finite_gradients(load):
    net = load()
    net.blobs['data'].reshape(1, 3, 64, 64)
    net.blobs['data'].data[0] = np.random.RandomState(0).uniform(-MAX_INPUT, MAX_INPUT, (3, 64, 64))
    dream.make_step(net, end='inception_3b/output', jitter=0, clip=False, step_size=1.0)
    assert np.isfinite(net.blobs['data'].diff).all()


def test_objectives_refuse_non_finite_weights():
    with pytest.raises(dream.DreamError, match="not a finite number"):
        dream.layer_l2('inception_4c/output') * float("nan")
    with pytest.raises(dream.DreamError, match="not a finite number"):
        dream.layer_l2('inception_4c/output') * 1e308 * 1e308


# An 8x8 RGB TIFF with three bytes damaged: libtiff prints "More samples per pixel than can be
# decoded" straight to the process's stderr (found by scripts/fuzz_inputs.py).
NOISY_TIFF = bytes.fromhex(
    "49492a00080000000a000001040001000000080000000101040001000000080000000201030003000000860000000301"
    "0300010000000100000006010300010000000200000011010400010000008c000000150103008b000000030000001601"
    "04000100000008000000170104cd01000000c00000001c010300010000000100000000000000080008000800ac0a7f8c"
    "2faac49775a616b7c0cc21d843b34e9afb52a2dbc3767d8b677de5d809a4746cd3dea19f155159a5f2d6666224b70570"
    "573a2b4c463c4be4d8bd840e589ab2f68ccdcc453a392962c142487ae67daeca274aeacf57a86587aec8df7a58c36b91"
    "518b8d64a5e6f3ec194209d64d6b2f1248985f56091b4e169497eea573082d05d013455ef39226d5c51e08f5fe4735c7"
    "4f07ee23af1db9dec009bede52bb86fa63603e79d8a795ccb17c08cdf38223761d033e8593c2d0c7930ccbad")


def test_a_decoder_writing_to_stderr_adds_no_line(cli, tmp_path):
    (tmp_path / "noisy.tif").write_bytes(NOISY_TIFF)
    r = cli("noisy.tif", "-o", "out.jpg")
    assert "More samples" not in r.stderr
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
