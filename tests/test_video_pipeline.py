"""The video pipeline (flows ahead in worker processes, dreams kept in memory, PNGs written in a thread)
gives the plain loop's files: whole, in chunks with warm-ups, and resumed from a folder that holds some
frames already; and the motion computed ahead is the motion computed in place."""
import shutil

import numpy as np
import PIL.Image
import pytest

pytest.importorskip("cv2")
from dream.cluster.batch import Model  # noqa: E402
from dream.video.ahead import MotionAhead  # noqa: E402
from dream.video.chains import Chain, chunks, dream_here, fade_in_warm_ups  # noqa: E402
from dream.video.clip import VideoDream  # noqa: E402
from dream.video.frames import motion  # noqa: E402
from dream.video.io import VideoSource  # noqa: E402
from test_video_io import panning_frames  # noqa: E402

FRAMES, WIDTH, HEIGHT = 7, 96, 72
LAYER = "inception_3b/output"


@pytest.fixture
def clip(googlenet):
    return VideoDream(model=Model(*map(str, googlenet)), height=HEIGHT, width=WIDTH, first=("layer", LAYER),
                      targets={("layer", LAYER): ""}, table={},
                      defaults=dict(layer=LAYER, objective=None, step_size=3.0, iters_next=1, blend=0.5, decay=0.9),
                      iters=2, octaves=2, octave_scale=1.4, jitter=32).for_run(7, {"seed": 7})


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for t, frame in enumerate(panning_frames(WIDTH, HEIGHT, FRAMES)):
        PIL.Image.fromarray(frame).save(folder / f"{t:03d}.png")
    return VideoSource(folder, fps=25)


def render(clip, source, folder, pipelined, chunk=None, warm_up=0):
    """The clip dreamed into `folder` as python -m dream video does here; {t: its PNG's bytes}, and the
    frames (t, own) reported dreamed."""
    folder.mkdir(exist_ok=True)
    spans = chunks(source.count, chunk, warm_up)
    reported = []
    dream_here(clip, [Chain(span, source, folder) for span in spans], lambda t, own: None,
               lambda t, own, data: reported.append((t, own, data == (folder / f"{t:06d}{'' if own else '.warm'}.png")
                                                      .read_bytes())), pipelined=pipelined)
    fade_in_warm_ups(folder, spans)
    return {int(f.name[:6]): f.read_bytes() for f in sorted(folder.glob("*.png"))}, reported


def test_the_pipeline_writes_the_plain_loops_files(clip, source, tmp_path):
    plain, _ = render(clip, source, tmp_path / "plain", False)
    piped, reported = render(clip, source, tmp_path / "piped", True)
    assert len(plain) == FRAMES and piped == plain
    assert reported == [(t, True, True) for t in range(FRAMES)]  # each reported once written, in order
    plain, _ = render(clip, source, tmp_path / "plain-chunks", False, chunk=3, warm_up=2)
    piped, reported = render(clip, source, tmp_path / "piped-chunks", True, chunk=3, warm_up=2)
    assert piped == plain and sum(not own for _, own, _ in reported) == 4  # two warm-ups of two frames


def test_a_resumed_pipeline_continues_from_the_stored_frames(clip, source, tmp_path):
    plain, _ = render(clip, source, tmp_path / "plain", False)
    (tmp_path / "resumed").mkdir()
    for t in range(3):  # as a stopped render leaves it: frames 0-2 written
        shutil.copy(tmp_path / "plain" / f"{t:06d}.png", tmp_path / "resumed")
    resumed, reported = render(clip, source, tmp_path / "resumed", True)
    assert resumed == plain and [t for t, _, _ in reported] == [3, 4, 5, 6]


def test_motion_computed_ahead_is_the_motion_in_place():
    frames = list(panning_frames(WIDTH, HEIGHT, 5))
    with MotionAhead("dis", workers=2) as motions:  # its futures are answered before it closes
        ahead = list(motions.ahead(enumerate(frames), wanted=lambda t: t != 3))
        assert [t for t, _, _ in ahead] == list(range(5))
        assert ahead[0][2] is None and ahead[3][2] is None  # nothing before frame 0; frame 3 is stored
        for t in (1, 2, 4):
            backward, trusted = ahead[t][2].result()
            here_backward, here_trusted = motion(np.float32(frames[t - 1]), np.float32(frames[t]))
            assert np.array_equal(backward, here_backward) and np.array_equal(trusted, here_trusted)
            assert trusted.dtype == bool and 0.5 < trusted.mean() < 1  # a pan: the new edge is not trusted
