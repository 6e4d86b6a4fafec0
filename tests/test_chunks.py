"""python -m dream video in chunks on a real 2-worker Dask LocalCluster, real Caffe, a small panning clip:
the cluster's frames are the bytes of the same chunks dreamed in one process, the first chunk is the
sequential render, the later ones stay within the measured seam, a killed worker loses nothing."""
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import PIL.Image
import pytest

pytest.importorskip("distributed")
pytest.importorskip("cv2")
from dream.video.chains import chunks  # noqa: E402
from dream.video.coherence import warping_error  # noqa: E402
from dream.images import read_metadata  # noqa: E402
from dream.video import frame_path  # noqa: E402
from test_batch import kill_a_worker_midway  # noqa: E402
from test_video_io import panning_frames  # noqa: E402

FRAMES = 12
ARGS = ["frames", "--layer", "inception_3b/output", "--octaves", "2", "--step-size", "3", "--iters", "3",
        "--iters-next", "2", "--seed", "7"]
CLUSTER = ["--workers", "2", "--threads-per-worker", "1"]


@pytest.fixture
def video(googlenet, tmp_path):
    """Run python -m dream video ARGS on a 12-frame 160x120 pan in tmp_path; Popen if background."""
    prototxt, weights = googlenet
    (tmp_path / "frames").mkdir()
    for i, frame in enumerate(panning_frames(160, 120, FRAMES)):
        PIL.Image.fromarray(frame).save(tmp_path / "frames" / f"{i:03d}.png")

    def run(*args, background=False):
        cmd = [sys.executable, "-m", "dream", "video", *ARGS, *map(str, args), "--prototxt", str(prototxt),
               "--weights", str(weights)]
        if background:
            return subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    return run


def dreams(folder):
    return [np.asarray(PIL.Image.open(frame_path(folder, t))) for t in range(FRAMES)]


def test_chunks_are_cut_as_asked():
    assert chunks(10, None, 8) == [(0, 0, None)]
    assert chunks(10, 10, 8) == [(0, 0, None)]
    assert chunks(10, 4, 2) == [(0, 0, 4), (2, 4, 8), (6, 8, None)]  # the last runs to the clip's end
    assert chunks(10, 4, 8) == [(0, 0, 4), (0, 4, 8), (4, 8, None)]  # a warm-up fades over one chunk only


def test_a_chunked_clip_on_two_workers(video, tmp_path):
    sequential = video("-o", "sequential")
    assert sequential.returncode == 0, sequential.stderr
    cluster = video("-o", "cluster", "--warm-up", "3", *CLUSTER)  # 2 workers: 2 chunks of 6 frames
    assert cluster.returncode == 0, cluster.stderr
    assert "(12 frames and 3 warm-up frames dreamed" in cluster.stderr, cluster.stderr
    here = video("-o", "here", "--warm-up", "3", "--chunk-frames", "6")
    assert here.returncode == 0, here.stderr
    for t in range(FRAMES):  # the same chunks give the same bytes wherever they run
        assert frame_path(tmp_path / "cluster", t).read_bytes() == frame_path(tmp_path / "here", t).read_bytes(), t
    seq, chunked = dreams(tmp_path / "sequential"), dreams(tmp_path / "cluster")
    for t in range(3):  # the first chunk is the sequential render, up to the second's warm-up
        assert np.array_equal(seq[t], chunked[t]), t
    faded = [read_metadata(frame_path(tmp_path / "cluster", t)).get("faded_in") for t in range(FRAMES)]
    assert faded == [None] * 3 + [0.25, 0.5, 0.75] + [None] * 6
    # The second chunk starts anew: DeepDream is chaotic, so its dreams are not the sequential ones
    # (they differ as much as a render with another seed does), and its warm-up is faded in over frames
    # 3-5. Measured here: |chunked - sequential| 3.3, 7.1 and 11.3 over frames 3-5 and 17.4 over frames
    # 6-11, seed 8's render 17.0 from seed 7's; the worst warping error over the pairs 2->3 .. 5->6 6.6,
    # 5.1 over the sequential render's pairs (a plain cut: about 4x, docs/cluster.md, "Video across workers").
    other = video("-o", "other", "--seed", "8")
    assert other.returncode == 0, other.stderr
    unrelated = np.mean([np.abs(np.float32(a) - b).mean() for a, b in zip(dreams(tmp_path / "other"), seq)])
    off = [np.abs(np.float32(chunked[t]) - seq[t]).mean() for t in range(FRAMES)]
    inputs = [np.asarray(PIL.Image.open(tmp_path / "frames" / f"{t:03d}.png")) for t in range(FRAMES)]
    worst = max(warping_error(inputs[t - 1:t + 1], chunked[t - 1:t + 1]) for t in range(3, 7))
    interior = warping_error(inputs, seq)
    assert off[3] < off[4] < off[5] < np.mean(off[6:]) < 1.5 * unrelated, (off, unrelated)
    assert worst < 2 * interior, (worst, interior)
    again = video("-o", "cluster", "--warm-up", "3")  # in this process now: the recorded chunks are kept
    assert again.returncode == 0 and "resuming" in again.stderr and "(0 frames dreamed" in again.stderr, \
        again.stderr
    sequential_again = video("-o", "sequential", *CLUSTER)  # on workers now: still in one piece
    assert sequential_again.returncode == 0 and "(0 frames dreamed" in sequential_again.stderr, \
        sequential_again.stderr
    other = video("-o", "cluster", "--warm-up", "3", "--chunk-frames", "4")
    assert other.returncode == 1 and "different run" in other.stderr, other.stderr


def test_a_killed_worker_loses_no_frame(video, tmp_path):
    args = ["--warm-up", "2", "--chunk-frames", "6", "--octaves", "3", "--iters", "6", "--iters-next", "4"]
    kill_a_worker_midway(video("-o", "killed", *args, *CLUSTER, background=True), tmp_path / "killed")
    here = video("-o", "here", *args)
    assert here.returncode == 0, here.stderr
    for t in range(FRAMES):
        assert frame_path(tmp_path / "killed", t).read_bytes() == frame_path(tmp_path / "here", t).read_bytes(), t


@pytest.mark.parametrize("args,fragment", [
    (["--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
    (["--workers", "0"], "greater than 0"),
    (["--dashboard"], "add --workers"),
    (["--chunk-frames", "0", "--workers", "2"], "greater than 0"),
    (["--warm-up", "-1"], "-1"),
])
def test_bad_cluster_flags_get_one_line(video, tmp_path, args, fragment):
    r = video("-o", "out", *args)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], r.stderr
    assert not (tmp_path / "out").exists()


def test_a_fade_stopped_anywhere_resumes_to_the_same_frames(tmp_path, monkeypatch):
    import dream.video.chains
    from dream.video.chains import fade_in_warm_ups
    from dream.images import encode_image
    spans = chunks(6, 3, 2)  # the second chunk's warm-up: frames 1 and 2, faded in by 1/3 and 2/3
    for folder in (tmp_path / "straight", tmp_path / "stopped"):
        folder.mkdir()
        for t in range(6):
            frame_path(folder, t).write_bytes(encode_image(np.full((4, 5, 3), 30.0 * t), ".png", {"frame": t}))
        for t in (1, 2):
            frame_path(folder, t, "warm").write_bytes(encode_image(np.full((4, 5, 3), 200.0), ".png"))
    fade_in_warm_ups(tmp_path / "straight", spans)
    assert [np.asarray(PIL.Image.open(frame_path(tmp_path / "straight", t)))[0, 0, 0] for t in range(4)] == \
        [0, round(30 * 2 / 3 + 200 / 3), round(60 / 3 + 200 * 2 / 3), 90]

    def stop(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(dream.video.chains, "os", SimpleNamespace(replace=stop))  # the fade's rename only
    with pytest.raises(KeyboardInterrupt):
        fade_in_warm_ups(tmp_path / "stopped", spans)
    monkeypatch.undo()
    assert frame_path(tmp_path / "stopped", 1, "blend").exists()  # stopped with the blend written,
    assert not frame_path(tmp_path / "stopped", 1, "warm").exists()  # the warm-up frame gone
    for _ in range(2):  # resumed, then once more with nothing left to do
        fade_in_warm_ups(tmp_path / "stopped", spans)
        assert sorted(p.name for p in (tmp_path / "stopped").iterdir()) == [f"{t:06d}.png" for t in range(6)]
        for t in range(6):
            assert frame_path(tmp_path / "stopped", t).read_bytes() == frame_path(tmp_path / "straight", t).read_bytes()
