"""python -m dream video end to end on small clips and the random-weight GoogLeNet: size, rate, sound,
a render killed in the middle and resumed bit for bit, and bad input."""
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import PIL.Image
import pytest

pytest.importorskip("av")
pytest.importorskip("cv2")
from dream.video import frame_path, start_image  # noqa: E402
from dream.video.io import VideoSource  # noqa: E402
from test_video_io import make_clip, panning_frames  # noqa: E402

FAST = ["--layer", "inception_3b/output", "--octaves", "2", "--step-size", "4", "--iters", "2", "--iters-next", "1",
        "--seed", "7"]


@pytest.fixture
def video(googlenet, tmp_path):
    """Run python -m dream video in tmp_path with the fixture model; Popen if background."""
    prototxt, weights = googlenet

    def run(*args, background=False):
        cmd = [sys.executable, "-m", "dream", "video", *map(str, args), "--prototxt", str(prototxt),
               "--weights", str(weights)]
        if background:
            return subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    return run


def test_a_clip_comes_back_dreamed_at_its_size_rate_and_sound(video, tmp_path):
    make_clip(tmp_path / "in.mp4", 98, 74, 6)  # not multiples of 16
    r = video("in.mp4", "-o", "out.mp4", *FAST)
    assert r.returncode == 0, r.stderr
    assert "s per frame" in r.stderr.splitlines()[-1]
    out = VideoSource(tmp_path / "out.mp4")
    assert (out.width, out.height, out.fps, out.has_audio) == (98, 74, 24, True)
    frames = list(out.frames())
    assert len(frames) == 6
    plain = list(VideoSource(tmp_path / "in.mp4").frames())
    assert np.mean(np.abs(np.float32(frames[3]) - plain[3])) > 4  # it dreamed (about 7.6; H.264 alone: about 2)
    assert not (tmp_path / "out.mp4.frames").exists()  # the work folder is gone once the video is whole
    again = video("in.mp4", "-o", "out.mp4", *FAST)
    assert again.returncode == 1 and "exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_a_killed_render_resumes_with_the_same_frames(video, tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    for i, frame in enumerate(panning_frames(160, 120, 10)):
        PIL.Image.fromarray(frame).save(frames / f"{i:03d}.png")
    args = ["frames", "--layer", "inception_3b/output", "--octaves", "2", "--iters", "3", "--iters-next", "3",
            "--seed", "7"]
    straight = video(*args, "-o", "straight")
    assert straight.returncode == 0, straight.stderr
    render = video(*args, "-o", "killed", background=True)
    deadline = time.time() + 120
    while not frame_path(tmp_path / "killed", 3).exists() and time.time() < deadline and render.poll() is None:
        time.sleep(0.01)
    workers = children(render.pid)  # the flows' worker processes (dream.video.ahead)
    assert workers
    render.send_signal(signal.SIGKILL)
    assert render.wait() == -signal.SIGKILL
    deadline = time.time() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "the workers outlived the render"
    done = sorted((tmp_path / "killed").glob("*.png"))
    assert 3 < len(done) < 10  # killed in the middle
    resumed = video(*args, "-o", "killed")
    assert resumed.returncode == 0 and "resuming" in resumed.stderr, resumed.stderr
    for i in range(10):
        a = np.asarray(PIL.Image.open(frame_path(tmp_path / "straight", i)))
        b = np.asarray(PIL.Image.open(frame_path(tmp_path / "killed", i)))
        assert np.array_equal(a, b), i


def children(pid):
    """The process ids whose parent is `pid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"PPid:\t{pid}\n" in status.read_text():
                found.append(int(status.parent.name))
        except OSError:  # it ended meanwhile
            pass
    return found


def test_start_images():
    frame = np.full((40, 50, 3), 100, np.float32)
    dream = np.full((40, 50, 3), 140, np.float32)
    assert np.array_equal(start_image(frame, None, None), frame)  # the first frame
    assert np.allclose(start_image(frame, frame, dream, flow="none", blend=0.25), 110)
    assert np.array_equal(start_image(frame, frame, dream, flow="none", blend=0), frame)  # frames on their own
    textured = np.float32(next(panning_frames(50, 40, 1)))
    pattern = np.float32(np.indices((40, 50)).sum(axis=0) % 2 * 20 - 10)[..., None]  # mean 0
    carried = start_image(textured, textured, textured + pattern + 30, flow="dis", decay=0.5)  # no motion
    # half the residual is carried, less its mean (a brightness shift would add up over frames)
    assert np.abs(carried - np.clip(textured + 0.5 * pattern, 0, 255)).max() < 1e-3


@pytest.mark.parametrize("args,fragment", [
    (["missing.mp4"], "no such video"), (["notes.txt"], "not a video"), (["cut.mp4"], "cut.mp4"),
    (["odd.mp4"], "needs even sides"), (["in.mp4", "-o", "in.mp4"], "is the input"),
    (["in.mp4", "-o", "taken.mp4"], "exists"), (["in.mp4", "-o", "out.avi"], "write an .mp4"),
    (["in.mp4", "--flow", "raft"], "invalid choice"), (["in.mp4", "--decay", "nan"], "finite"),
    (["in.mp4", "--decay", "1.5"], "at most 1"), (["in.mp4", "--blend", "-0.1"], "at least 0"),
    (["in.mp4", "--blend", "inf"], "finite"), (["in.mp4", "--iters-next", "0"], "greater than 0"),
    (["in.mp4", "--keyframes", "late.csv"], "comes after"), (["in.mp4", "--keyframes", "nan.csv"], "out of range"),
])
def test_bad_input_gets_one_line_and_leaves_nothing(video, tmp_path, args, fragment):
    clip = make_clip(tmp_path / "in.mp4", 64, 48, 2)
    make_clip(tmp_path / "odd.mp4", 65, 48, 2)
    (tmp_path / "notes.txt").write_text("not a video")
    (tmp_path / "cut.mp4").write_bytes(clip.read_bytes()[:len(clip.read_bytes()) // 2])
    (tmp_path / "taken.mp4").write_bytes(b"someone's file")
    (tmp_path / "late.csv").write_text("frame,step_size\n5,1\n2,1\n")
    (tmp_path / "nan.csv").write_text("frame,decay\n0,nan\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    r = video(*args)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no output, no work folder
    assert (tmp_path / "taken.mp4").read_bytes() == b"someone's file"


def test_an_odd_sized_clip_can_go_to_a_folder(video, tmp_path):
    make_clip(tmp_path / "odd.mp4", 65, 49, 2)
    r = video("odd.mp4", "-o", "frames", *FAST)
    assert r.returncode == 0, r.stderr
    assert PIL.Image.open(frame_path(tmp_path / "frames", 1)).size == (65, 49)


def test_another_runs_frames_are_not_mixed_in(video, tmp_path):
    make_clip(tmp_path / "in.mp4", 64, 48, 2)
    assert video("in.mp4", "-o", "frames", *FAST).returncode == 0
    r = video("in.mp4", "-o", "frames", *FAST[:-2], "--seed", "8")
    assert r.returncode == 1 and "different run" in r.stderr
    assert video("in.mp4", "-o", "frames", *FAST[:-2], "--seed", "8", "--overwrite").returncode == 0


def test_keyframes_change_the_layer_and_bad_ones_stop_before_any_frame(video, tmp_path):
    from dream.images import read_metadata
    make_clip(tmp_path / "in.mp4", 64, 48, 4)
    (tmp_path / "keys.csv").write_text("frame,layer,step_size\n2,inception_3a/output,2.5\n")
    r = video("in.mp4", "-o", "frames", *FAST, "--keyframes", "keys.csv")
    assert r.returncode == 0, r.stderr
    layers = [read_metadata(frame_path(tmp_path / "frames", t))["layer"] for t in range(4)]
    assert layers == ["inception_3b/output"] * 2 + ["inception_3a/output"] * 2
    assert read_metadata(frame_path(tmp_path / "frames", 1))["step_size"] == pytest.approx(3.25)  # 4 -> 2.5
    (tmp_path / "bad.csv").write_text("frame,layer\n3,inception_4z/output\n")
    r = video("in.mp4", "-o", "other", *FAST, "--keyframes", "bad.csv")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "inception_4z" in r.stderr
    assert not (tmp_path / "other").exists()  # nothing left behind


def test_the_zoom_loop_writes_an_mp4(googlenet, tmp_path, photo):
    prototxt, weights = googlenet
    model = ["--prototxt", str(prototxt), "--weights", str(weights)]
    PIL.Image.fromarray(np.uint8(photo[:, :450])).save(tmp_path / "even.png")  # 450x300
    PIL.Image.fromarray(np.uint8(photo)).save(tmp_path / "odd.png")  # 451x300

    def dream(*args):
        return subprocess.run([sys.executable, "-m", "dream", *args, *model], cwd=tmp_path, capture_output=True,
                              text=True)
    zoom = ["--frames", "3", "--zoom", "0.1", "--seed", "5", "--iters", "1", "--octaves", "2"]
    r = dream("even.png", "-o", "frames", *zoom, "--video", "zoom.mp4", "--fps", "12")
    assert r.returncode == 0, r.stderr
    clip = VideoSource(tmp_path / "zoom.mp4")
    assert (clip.width, clip.height, clip.fps) == (450, 300, 12)
    assert len(list(clip.frames())) == 3
    for args, fragment in [(["even.png", "--video", "zoom2.mp4"], "--frames"),
                           (["odd.png", *zoom, "--video", "zoom2.mp4"], "451x300")]:
        r = dream(*args)
        assert r.returncode == 1 and fragment in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "zoom2.mp4").exists()


def test_objective_and_mask_apply_to_every_frame(video, tmp_path):
    from dream.images import read_metadata
    make_clip(tmp_path / "in.mp4", 64, 48, 3)
    mask = np.zeros((48, 64, 3), np.uint8)
    mask[:, 32:] = 255  # dream on the right half only
    PIL.Image.fromarray(mask).save(tmp_path / "mask.png")
    objective = "channel('inception_3b/output', 3)"
    r = video("in.mp4", "-o", "frames", *FAST[2:], "--objective", objective, "--mask", "mask.png",
              "--mask-feather", "0")
    assert r.returncode == 0, r.stderr
    plain = list(VideoSource(tmp_path / "in.mp4").frames())
    for t in range(3):
        out = np.asarray(PIL.Image.open(frame_path(tmp_path / "frames", t)), np.float32)
        assert np.abs(out[:, :28] - plain[t][:, :28]).max() <= 1  # the masked half stays
        assert np.abs(out[:, 36:] - plain[t][:, 36:]).mean() > 2
        assert read_metadata(frame_path(tmp_path / "frames", t))["objective"] == objective
    for args, fragment in [(["--objective", "enhance"], "single photos"), ([*FAST, "--objective", objective], "--layer"),
                           (["--objective", "guide('inception_3b/output')"], "--guide")]:
        r = video("in.mp4", "-o", "other", *args)
        assert r.returncode == 1 and fragment in r.stderr and not (tmp_path / "other").exists(), r.stderr


def test_a_guided_clip_dreams_each_frame_as_the_guided_photo(video, tmp_path, load):
    """Frame 0 of a guided clip is the guided dream of the photo, made with the engine's own calls."""
    from dream.engine.guide import guide_features, objective_guide
    from dream.images import read_metadata, to_uint8
    from dream.engine.octaves import deepdream
    from dream.video import frame_rng
    make_clip(tmp_path / "in.mp4", 96, 64, 2)
    guide = np.uint8(next(panning_frames(120, 100, 1, step=0)))
    PIL.Image.fromarray(guide).save(tmp_path / "guide.png")
    r = video("in.mp4", "-o", "frames", *FAST[2:], "--guide", "guide.png")
    assert r.returncode == 0, r.stderr
    first = next(VideoSource(tmp_path / "in.mp4").frames())
    net = load()
    objective = objective_guide(guide_features(net, np.float32(guide), "inception_3b/output"))  # --guide's layer
    expected = deepdream(net, np.float32(first), iter_n=2, octave_n=2, step_size=4, end="inception_3b/output",
                         objective=objective, rng=frame_rng(7, 0))
    dreamed = np.asarray(PIL.Image.open(frame_path(tmp_path / "frames", 0)))
    assert np.array_equal(dreamed, to_uint8(expected))
    assert read_metadata(frame_path(tmp_path / "frames", 1))["guide"] == "guide.png"
    unguided = video("in.mp4", "-o", "plain", *FAST)
    assert unguided.returncode == 0, unguided.stderr
    assert not np.array_equal(dreamed, np.asarray(PIL.Image.open(frame_path(tmp_path / "plain", 0))))


def test_keyframes_switch_between_layers_and_objectives(video, tmp_path):
    from dream.images import read_metadata
    make_clip(tmp_path / "in.mp4", 64, 48, 4)
    (tmp_path / "keys.csv").write_text('frame,layer,objective\n1,,"channel(\'inception_3a/output\', 5)"\n'
                                       '3,inception_3b/output,\n')
    r = video("in.mp4", "-o", "frames", *FAST, "--keyframes", "keys.csv")
    assert r.returncode == 0, r.stderr
    meta = [read_metadata(frame_path(tmp_path / "frames", t)) for t in range(4)]
    assert [(m["layer"], m["objective"]) for m in meta] == [
        ("inception_3b/output", None), (None, "channel('inception_3a/output', 5)"),
        (None, "channel('inception_3a/output', 5)"), ("inception_3b/output", None)]
    (tmp_path / "bad.csv").write_text('frame,objective\n2,"channel(\'inception_3a/output\', 9999)"\n'
                                      '3,"chanel(\'inception_3a/output\', 1)"\n')
    r = video("in.mp4", "-o", "other", *FAST, "--keyframes", "bad.csv")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "--keyframes bad.csv" in r.stderr and "chanel" in r.stderr
    assert not (tmp_path / "other").exists()
