"""python -m dream live end to end on the random-weight GoogLeNet: a file played at its own pace and a stream
served here (MPEG-TS over UDP, through FFmpeg's libraries) until it stops, recorded and checked frame by frame;
bad input."""
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

av = pytest.importorskip("av")
pytest.importorskip("cv2")
from dream.images import load_image, read_metadata  # noqa: E402
from dream.video.io import VideoSource  # noqa: E402
from dream.video.live import LiveDream, LiveSettings  # noqa: E402
from test_video_io import make_clip  # noqa: E402
from tests_support import free_udp_port  # noqa: E402

FAST = ["--octaves", "1", "--width", "64"]


@pytest.fixture
def live(googlenet, tmp_path):
    """python -m dream live ARGS in tmp_path on the fixture model; Popen if background."""
    prototxt, weights = googlenet

    def run(*args, background=False):
        cmd = [sys.executable, "-m", "dream", "live", *map(str, args), "--prototxt", str(prototxt), "--weights",
               str(weights)]
        if background:
            return subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    return run


def test_a_file_played_live_is_recorded_and_each_frame_is_the_dream_of_its_source_frame(live, load, tmp_path):
    make_clip(tmp_path / "in.mp4", 96, 64, 50, fps=25, audio_codec=None)  # 2 s
    r = live("in.mp4", "-o", "rec.mp4", "-o", "frames", *FAST, "--strength", "3", "--seed", "4")
    assert r.returncode == 0, r.stderr
    assert "frames/s" in r.stderr and "source frames skipped" in r.stderr.splitlines()[-1]
    pngs = sorted((tmp_path / "frames").glob("*.png"))
    records = [read_metadata(p) for p in pngs]
    assert len(pngs) >= 5 and [m["frame"] for m in records] == list(range(len(pngs)))
    sources = [m["source_frame"] for m in records]
    assert sources == sorted(set(sources))  # forward, never a frame twice

    # dreamed again here from the source frames the run took, in order: the same bytes
    source = list(VideoSource(tmp_path / "in.mp4").frames())
    settings = {k: v for k, v in records[0].items() if k in LiveSettings.__dataclass_fields__}
    again = LiveDream(load(), LiveSettings(**settings), seed=records[0]["seed"])
    for png, index in zip(pngs, sources):
        assert np.array_equal(again.dream(source[index]), np.uint8(load_image(png))), png.name

    recorded = list(VideoSource(tmp_path / "rec.mp4").frames())
    assert len(recorded) == len(pngs) and recorded[0].shape == (64, 96, 3)
    dreamed = [load_image(png) for png in pngs]
    for k, frame in enumerate(recorded):  # H.264 (4:2:0) of the same frames, in the same order
        errors = [np.abs(np.float32(frame) - d).mean() for d in dreamed]
        assert errors[k] < 8 and int(np.argmin(errors)) == k, (k, errors)


def test_ctrl_c_ends_a_live_run_with_its_recording_whole(live, tmp_path):
    make_clip(tmp_path / "in.mp4", 96, 64, 120, fps=12, audio_codec=None)  # 10 s
    run = live("in.mp4", "-o", "rec.mp4", *FAST, background=True)
    deadline = time.time() + 120
    while not (tmp_path / ".rec.mp4.partial.mp4").exists() or time.time() < deadline - 117:  # 3 s of frames
        assert run.poll() is None and time.time() < deadline, run.stderr.read()
        time.sleep(0.1)
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 0, stderr
    assert "dream: stopped:" in stderr.splitlines()[-1]
    recorded = list(VideoSource(tmp_path / "rec.mp4").frames())
    assert 5 <= len(recorded) < 60 and not (tmp_path / ".rec.mp4.partial.mp4").exists()


SEND = """
import sys, time, av
sys.path.insert(0, {tests!r})
from test_video_io import panning_frames
out = av.open({url!r}, mode="w", format="mpegts")
stream = out.add_stream("libx264", rate=25)
stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
stream.options = {{"tune": "zerolatency", "g": "5"}}  # a receiver that joins late starts at the next keyframe
began = time.monotonic()
for i, frame in enumerate(panning_frames(96, 64, 100, step=1)):  # 4 s
    time.sleep(max(0.0, began + i / 25 - time.monotonic()))
    for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
        out.mux(packet)
out.close()
"""


def test_a_stream_is_dreamed_into_a_recording_and_a_stream_a_player_opens(live, tmp_path):
    source_url = f"udp://127.0.0.1:{free_udp_port()}"
    player_url = f"udp://127.0.0.1:{free_udp_port()}"
    watched = []
    player = threading.Thread(target=play, args=(player_url, watched), daemon=True)
    player.start()  # listening before anything is sent
    run = live(source_url, "-o", "rec.mp4", "-o", player_url, *FAST, background=True)  # until the stream stops
    sender = subprocess.Popen([sys.executable, "-c", SEND.format(tests=str(Path(__file__).parent), url=source_url)])
    try:
        _, stderr = run.communicate(timeout=120)
    finally:
        sender.kill()
    assert run.returncode == 0, stderr
    assert "reading stopped" in stderr and "taken as the end of the source" in stderr  # 5 s of silence: its end
    recorded = list(VideoSource(tmp_path / "rec.mp4").frames())
    assert len(recorded) >= 5 and recorded[0].shape == (64, 96, 3)
    player.join(timeout=30)
    assert len(watched) >= 3 and watched[0].shape == (64, 96, 3)
    # what the player saw is what was recorded (both H.264 of the same dreamed frames)
    assert min(np.abs(np.float32(watched[-1]) - r).mean() for r in recorded) < 6


# as a low-latency player opens a live stream (ffplay -probesize 32 -analyzeduration 0): it starts at the
# first keyframe rather than after seconds of stream to measure. Without, FFmpeg's probe waited for more
# than a slow dream sent, and on a loaded machine its open outlasted the test (no frame: a CI failure)
LOW_LATENCY = {"probesize": "32", "analyzeduration": "0"}


def play(url, into):
    """Decode an MPEG-TS stream as a low-latency player would, until it stops for 3 s."""
    try:
        with av.open(url, timeout=(60, 3), options=LOW_LATENCY) as container:
            for frame in container.decode(video=0):
                into.append(frame.to_ndarray(format="rgb24"))
    except av.error.FFmpegError:
        pass


@pytest.mark.parametrize("args, message", [
    (["missing.mp4", "-o", "out.mp4"], "missing.mp4: no such video file, camera or stream"),
    (["in.mp4", "-o", "out.mp4", "--layer", "inception_3b/outptu"], "inception_3b/output"),
    (["in.mp4", "-o", "taken.mp4"], "taken.mp4 is already there; --overwrite replaces it"),
    (["odd.mp4", "-o", "out.mp4"], "H.264 in an mp4 needs even sides"),
    (["in.mp4", "-o", "out.mp4", "--width", "10"], "'10' must be greater than 63"),
    (["in.mp4"], "the following arguments are required: -o/--output"),
    (["in.mp4", "-o", "out.avi"], "out.avi: a recording is .mkv, .mov, .mp4"),
])
def test_bad_input_is_one_line_and_leaves_nothing(live, tmp_path, args, message):
    make_clip(tmp_path / "in.mp4", 96, 64, 5, audio_codec=None)
    make_clip(tmp_path / "odd.mp4", 97, 64, 5, audio_codec=None)
    (tmp_path / "taken.mp4").write_bytes(b"an earlier recording")
    r = live(*args)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert not (tmp_path / "out.mp4").exists() and (tmp_path / "taken.mp4").read_bytes() == b"an earlier recording"
