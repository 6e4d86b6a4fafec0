"""python -m dream end to end, on real photos and the random-weight GoogLeNet, and every bad input."""
import os
import shutil
import subprocess
import sys

import numpy as np
import PIL.Image
import pytest

from dream.images import read_metadata
from dream.network.net import caffe_has_cuda

SMALL = ["--iters", "2", "--octaves", "2"]


@pytest.fixture
def cli(googlenet, tmp_path):
    """Run the CLI in tmp_path with the fixture model; returns the CompletedProcess."""
    prototxt, weights = googlenet

    def run(*args, model=True, env=None):
        extra = ["--prototxt", str(prototxt), "--weights", str(weights)] if model else []
        return subprocess.run([sys.executable, "-m", "dream", *map(str, args), *extra], cwd=tmp_path,
                              capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    return run


def one_line_error(r, *fragments):
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


def test_dream_a_photo_end_to_end(cli, photo_file, tmp_path):
    r = cli(photo_file, "-o", "out.jpg", "--seed", "3", *SMALL)
    assert r.returncode == 0, r.stderr
    out = np.asarray(PIL.Image.open(tmp_path / "out.jpg"))
    src = np.asarray(PIL.Image.open(photo_file))
    assert out.shape == src.shape
    assert np.abs(out.astype(int) - src).mean() > 2  # it dreamed
    meta = read_metadata(tmp_path / "out.jpg")
    assert meta["seed"] == 3 and meta["layer"] == "inception_4c/output" and meta["octaves"] == 2
    assert meta["iters"] == 2 and len(meta["weights_sha1"]) == 40 and meta["model"] == "random_googlenet"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left

    # a re-run of the same dream is a no-op; a different one will not overwrite
    again = cli(photo_file, "-o", "out.jpg", "--seed", "3", *SMALL)
    assert again.returncode == 0 and "nothing to do" in again.stderr
    other = cli(photo_file, "-o", "out.jpg", "--seed", "4", *SMALL)
    one_line_error(other, "exists", "--overwrite")
    assert read_metadata(tmp_path / "out.jpg")["seed"] == 3
    assert cli(photo_file, "-o", "out.jpg", "--seed", "4", "--overwrite", *SMALL).returncode == 0
    assert read_metadata(tmp_path / "out.jpg")["seed"] == 4


def test_seeded_cli_runs_repeat_and_png_keeps_metadata(cli, photo_file, tmp_path):
    for name in ["a.png", "b.png"]:
        assert cli(photo_file, "-o", name, "--seed", "9", "--layer", "inception_3b/5x5_reduce",
                   "--exact-gradient", *SMALL).returncode == 0
    a, b = (np.asarray(PIL.Image.open(tmp_path / n)) for n in ["a.png", "b.png"])
    assert np.array_equal(a, b)
    meta = read_metadata(tmp_path / "a.png")
    assert meta["layer"] == "inception_3b/5x5_reduce" and meta["exact_gradient"] is True


def test_guided_dream(cli, photo_file, tmp_path):
    guide = tmp_path / "guide.png"
    PIL.Image.fromarray(np.asarray(PIL.Image.open(photo_file))[:150, :200]).save(guide)
    r = cli(photo_file, "--guide", guide, "-o", "g.jpg", "--seed", "1", *SMALL)
    assert r.returncode == 0, r.stderr
    meta = read_metadata(tmp_path / "g.jpg")
    assert meta["layer"] == "inception_3b/output" and meta["guide"] == "guide.png"


def test_zoom_frames_resume_where_they_stopped(cli, photo_file, tmp_path):
    zoom = ["--frames", "2", "--zoom", "0.1", "--seed", "5", "--iters", "1", "--octaves", "2"]
    assert cli(photo_file, "-o", "frames", *zoom).returncode == 0
    assert sorted(p.name for p in (tmp_path / "frames").glob("*.jpg")) == ["0000.jpg", "0001.jpg"]
    # extend to 3 frames: only frame 2 is dreamed, and it equals an uninterrupted 3-frame run
    r = cli(photo_file, "-o", "frames", *zoom[2:], "--frames", "3")
    assert r.returncode == 0 and "resuming" in r.stderr and "frame 2" in r.stderr
    assert cli(photo_file, "-o", "straight", *zoom[2:], "--frames", "3").returncode == 0
    for i in range(3):
        a = np.asarray(PIL.Image.open(tmp_path / "frames" / f"{i:04d}.jpg"))
        b = np.asarray(PIL.Image.open(tmp_path / "straight" / f"{i:04d}.jpg"))
        assert np.array_equal(a, b), i
    done = cli(photo_file, "-o", "frames", *zoom[2:], "--frames", "3")
    assert done.returncode == 0 and "nothing to do" in done.stderr
    one_line_error(cli(photo_file, "-o", "frames", *zoom[2:], "--frames", "4", "--jitter", "3"),
                   "different run")


def test_list_layers_needs_no_weights(cli):
    r = cli("--list-layers", model=False)
    assert r.returncode == 0, r.stderr
    names = r.stdout.split()
    assert "inception_4c/output" in names and "inception_3b/5x5_reduce" in names
    assert "conv1/relu_7x7" not in names  # in-place ReLUs have no blob of their own


def test_help_shows_defaults(cli):
    r = cli("--help", model=False)
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    for default in ["(default: 4)", "(default: 1.4)", "(default: 10)", "(default: 1.5)", "(default: 32)",
                    "(default: 0.05)", "(default: bvlc_googlenet)", "inception_4c/output", "inception_3b/output"]:
        assert default in text


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "I;16"])
def test_odd_image_modes_are_converted(cli, photo_file, tmp_path, mode):
    rgb = PIL.Image.open(photo_file)
    if mode == "I;16":
        gray16 = (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
        img = PIL.Image.fromarray(gray16)  # a 16-bit grayscale PNG
    else:
        img = rgb.convert(mode)
    src = tmp_path / "odd.png"
    img.save(src)
    r = cli(src, "-o", "odd-out.jpg", "--seed", "1", "--iters", "1", "--octaves", "1")
    assert r.returncode == 0, r.stderr
    assert PIL.Image.open(tmp_path / "odd-out.jpg").mode == "RGB"


def test_bad_inputs_get_one_line(cli, photo_file, tmp_path):
    one_line_error(cli("nope.jpg", "-o", "x.jpg"), "not found", "nope.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    one_line_error(cli("notes.txt", "-o", "x.jpg"), "not an image")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(photo_file.read_bytes()[:3000])
    one_line_error(cli(truncated, "-o", "x.jpg"), "corrupt")
    one_line_error(cli(photo_file, "-o", "x.jpg", "--layer", "inception_4c/outptu"),
                   "unknown layer", "inception_4c/output")
    tiny = tmp_path / "tiny.png"
    PIL.Image.open(photo_file).resize((20, 16)).save(tiny)
    one_line_error(cli(tiny, "-o", "x.jpg"), "too small")
    one_line_error(cli(photo_file, "-o", "x.jpg", "--layer", "loss3/classifier", "--octaves", "1"),
                   "fixed input size")
    one_line_error(cli(photo_file, "-o", "x.gif"), "unsupported extension")
    one_line_error(cli(photo_file, "--octaves", "0"), "--octaves", "greater than 0")
    one_line_error(cli(photo_file, "--zoom", "2", "--frames", "1"), "between 0 and 1")
    # device 99 exists nowhere: a CPU-only build says so, a CUDA build names Caffe's reason
    expected = "cannot use this GPU" if caffe_has_cuda() else "CPU-only"
    one_line_error(cli(photo_file, "-o", "x.jpg", "--gpu", "99"), "--gpu", expected)
    assert not (tmp_path / "x.jpg").exists()


def test_missing_and_mismatched_weights(cli, googlenet, photo_file, tmp_path):
    models = tmp_path / "models"
    (models / "bvlc_googlenet").mkdir(parents=True)
    shutil.copy(googlenet[0], models / "bvlc_googlenet" / "deploy.prototxt")
    env = {"DREAM_MODELS_DIR": str(models)}
    line = one_line_error(cli(photo_file, "-o", "x.jpg", model=False, env=env),
                          "weights not found", "bvlc_googlenet.caffemodel",
                          "405fc5acd08a3bb12de8ee5e23a96bec22f08204", "python -m dream download bvlc_googlenet")
    assert str(models) in line
    # random weights under the real model's name fail its checksum
    shutil.copy(googlenet[1], models / "bvlc_googlenet" / "bvlc_googlenet.caffemodel")
    one_line_error(cli(photo_file, "-o", "x.jpg", model=False, env=env), "checksum mismatch")
    assert not (tmp_path / "x.jpg").exists()


def test_corrupt_and_foreign_caffemodels_fail_before_caffe(cli, googlenet, photo_file, tmp_path):
    prototxt, weights = googlenet
    corrupt = tmp_path / "corrupt.caffemodel"
    corrupt.write_bytes(weights.read_bytes()[:100000])
    r = cli(photo_file, "-o", "x.jpg", "--prototxt", prototxt, "--weights", corrupt, model=False)
    one_line_error(r, "corrupt")
    # a caffemodel of a different network with the same layer name
    tiny = tmp_path / "tiny.prototxt"
    tiny.write_text('layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 '
                    'dim: 8 } } }\nlayer { name: "conv1/7x7_s2" type: "Convolution" bottom: "data" top: "c" '
                    'convolution_param { num_output: 5 kernel_size: 3 } }\n')
    import caffe
    foreign = tmp_path / "foreign.caffemodel"
    caffe.Net(str(tiny), caffe.TEST).save(str(foreign))
    r = cli(photo_file, "-o", "x.jpg", "--prototxt", prototxt, "--weights", foreign, model=False)
    one_line_error(r, "does not match", "conv1/7x7_s2")
    r = cli(photo_file, "-o", "x.jpg", "--prototxt", tmp_path / "notes.prototxt", "--weights", weights, model=False)
    one_line_error(r, "not found")


def test_no_input_dreams_a_shipped_sample_photo(cli, tmp_path):
    env = {"DREAM_MODELS_DIR": str(tmp_path / "empty-models")}  # no downloaded sky photo
    r = cli("-o", "default.jpg", "--iters", "1", "--octaves", "1", "--seed", "0", env=env)
    assert r.returncode == 0, r.stderr
    assert "astronaut" in r.stderr
    assert PIL.Image.open(tmp_path / "default.jpg").size == (512, 512)
    assert read_metadata(tmp_path / "default.jpg")["input"] == "astronaut.png"


def test_objective_expression_and_mask_from_the_cli(cli, photo_file, tmp_path):
    src = tmp_path / "in.png"
    PIL.Image.open(photo_file).save(src)
    rgb = np.asarray(PIL.Image.open(src))
    h, w = rgb.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    mask[:, : w // 2] = 255
    PIL.Image.fromarray(mask).save(tmp_path / "mask.png")
    expr = "0.7*layer_l2('inception_4c/output') + 0.3*channel('inception_4d/output', 3)"
    r = cli(src, "-o", "obj.png", "--objective", expr, "--mask", "mask.png", "--seed", "2", *SMALL)
    assert r.returncode == 0, r.stderr
    out = np.asarray(PIL.Image.open(tmp_path / "obj.png"))
    right = slice(3 * w // 4, None)
    assert np.array_equal(out[:, right], rgb[:, right])  # outside the mask: untouched
    assert np.abs(out[:, : w // 4].astype(int) - rgb[:, : w // 4]).max() > 1
    meta = read_metadata(tmp_path / "obj.png")
    assert meta["objective"] == expr and meta["mask"] == "mask.png" and meta["layer"] is None


def test_bad_objectives_get_one_line(cli, photo_file):
    one_line_error(cli(photo_file, "-o", "x.jpg", "--objective", "layer_l2('inception_4c/output'"),
                   "not an expression")
    one_line_error(cli(photo_file, "-o", "x.jpg", "--objective", "os.system('ls')"), "not allowed")
    one_line_error(cli(photo_file, "-o", "x.jpg", "--objective", "channel('inception_4c/outptu', 3)"),
                   "did you mean inception_4c/output")
    one_line_error(cli(photo_file, "-o", "x.jpg", "--objective", "channel('inception_4c/output', 9999)"),
                   "out of range")
    one_line_error(cli(photo_file, "-o", "x.jpg", "--objective", "guide('inception_3b/output')"), "--guide")
    one_line_error(cli(photo_file, "-o", "x.jpg", "--layer", "inception_3b/output", "--objective",
                       "layer_l2('inception_3b/output')"), "leave out --layer")


def test_enhance_objective_from_the_cli(cli, photo_file, tmp_path):
    r = cli(photo_file, "-o", "enh.jpg", "--objective", "enhance", "--iters", "3", "--prior-weight", "1",
            "--layer", "inception_3b/output")
    assert r.returncode == 0, r.stderr
    meta = read_metadata(tmp_path / "enh.jpg")
    assert meta["objective"] == "enhance" and meta["prior"] == "tv" and meta["optimizer"] == "lbfgs"
    assert meta["layer"] == "inception_3b/output"
    out = np.asarray(PIL.Image.open(tmp_path / "enh.jpg")).astype(int)
    assert np.abs(out - np.asarray(PIL.Image.open(photo_file))).mean() > 0.5
    one_line_error(cli(photo_file, "-o", "e2.jpg", "--objective", "enhance", "--mask", photo_file),
                   "--mask does not apply")
    # a re-run with the same parameters is done; a different prior weight is another result
    same = cli(photo_file, "-o", "enh.jpg", "--objective", "enhance", "--iters", "3", "--prior-weight", "1",
               "--layer", "inception_3b/output")
    assert same.returncode == 0 and "nothing to do" in same.stderr
    one_line_error(cli(photo_file, "-o", "enh.jpg", "--objective", "enhance", "--iters", "3",
                       "--prior-weight", "2", "--layer", "inception_3b/output"), "exists")


def test_tile_margin_tiles_says_so_and_is_recorded(cli, photo_file, tmp_path):
    """--tile-margin tiles every octave, even one that fits whole, and the output's metadata keeps it."""
    r = cli(photo_file, "-o", "t.png", "--seed", "1", "--layer", "inception_3a/output", "--tile-margin", "16",
            "--iters", "1", "--octaves", "2")
    assert r.returncode == 0, r.stderr
    assert "dream: --tile-margin: 2 of 2 octaves in tiles; the largest in 1x1 tiles" in r.stderr
    assert read_metadata(tmp_path / "t.png")["tile_margin"] == 16
