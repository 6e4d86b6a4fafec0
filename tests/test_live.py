"""Live dreaming's engine (dream.video.live) and its sources (dream.video.live_io) on the random-weight
GoogLeNet: a live dream is the video engine's, carried at a working size; the newest frame is the one dreamed."""
import time

import numpy as np
import pytest

pytest.importorskip("av")
cv2 = pytest.importorskip("cv2")
from dream.engine.prepare import DreamRequest, prepare  # noqa: E402
from dream.engine.parameters import DreamParams  # noqa: E402
from dream.errors import DreamError  # noqa: E402
from dream.video.coherence import fine_detail  # noqa: E402
from dream.video.frames import dream_frames, steady  # noqa: E402
from dream.video.live import LiveDream, LiveSettings, RateMeter, scaled_up, working_size  # noqa: E402
from dream.video.live_io import LiveSource  # noqa: E402
from test_video_io import make_clip, panning_frames  # noqa: E402

LAYER = "inception_3b/output"


def test_a_live_dream_of_every_frame_at_its_size_is_the_video_engines(load, tmp_path):
    """Each frame starts from the previous dream moved along the flow, as python -m dream video's frames do:
    with every frame dreamed and no scaling, the two are the same bytes."""
    frames = list(panning_frames(96, 64, 4))
    settings = LiveSettings(layer=LAYER, octaves=2, steps=2, strength=3.0, width=96, keep=0.8)
    net = load()
    live = LiveDream(net, settings, seed=5)
    lived = [live.dream(frame) for frame in frames]

    dream = prepare(net, DreamRequest(layer=LAYER, params=DreamParams(octaves=2, iters=2)), 64, 96, None)
    schedule = steady(iters=2, iters_next=2, step_size=3.0, decay=0.8)
    list(dream_frames(frames, tmp_path, lambda img, rng, p: dream.run(img, rng, iters=p["iters"],
                                                                       step_size=p["step_size"]), 5, schedule))
    import dream.images
    video = [np.uint8(dream.images.load_image(tmp_path / f"{t:06d}.png")) for t in range(4)]
    for t in range(4):
        assert np.array_equal(lived[t], video[t]), t
    assert np.abs(np.float32(lived[3]) - frames[3]).mean() > 2  # it dreamed


def test_a_frame_is_dreamed_at_the_working_size_and_its_change_scaled_up(load):
    frame = next(panning_frames(200, 120, 1))
    assert working_size(120, 200, 100) == (60, 100)
    assert working_size(120, 200, 400) == (120, 200)  # never above the source
    assert working_size(121, 201, 101) == (60, 100)  # even sides
    live = LiveDream(load(), LiveSettings(layer=LAYER, width=100, octaves=1, strength=4.0))
    out = live.dream(frame)
    assert out.shape == frame.shape and out.dtype == np.uint8
    small = cv2.resize(np.float32(frame), (100, 60), interpolation=cv2.INTER_AREA)
    dreamed = live._prev[1]
    assert dreamed.shape == (60, 100, 3)
    expected = np.uint8(np.clip(np.float32(frame) + cv2.resize(dreamed - small, (200, 120)), 0, 255))
    assert np.array_equal(out, expected)
    plain = scaled_up(dreamed, small, frame, detail=False)
    assert fine_detail(expected) > 1.5 * fine_detail(plain)  # the source's fine detail is kept
    assert fine_detail(expected) > 0.8 * fine_detail(frame)


def test_new_settings_keep_the_dream_carried_unless_its_size_changes(load):
    frames = list(panning_frames(128, 72, 3))
    net = load()
    live = LiveDream(net, LiveSettings(layer=LAYER, width=128, octaves=1))
    live.dream(frames[0])
    live.change(strength=3.0)  # same working size: the next frame starts from the last dream
    carried = live.dream(frames[1])
    fresh = LiveDream(net, LiveSettings(layer=LAYER, width=128, octaves=1, strength=3.0))
    fresh.count = 1
    assert not np.array_equal(carried, fresh.dream(frames[1]))
    live.change(width=64)  # another working size: afresh
    resized = live.dream(frames[2])
    fresh = LiveDream(net, LiveSettings(layer=LAYER, width=64, octaves=1, strength=3.0))
    fresh.count = 2
    assert np.array_equal(resized, fresh.dream(frames[2]))


def test_a_layer_or_size_the_net_cannot_dream_is_one_error_before_any_step(load):
    live = LiveDream(load(), LiveSettings(layer="inception_3b/outptu"))
    with pytest.raises(DreamError, match="inception_3b/output"):
        live.dream(next(panning_frames(64, 64, 1)))
    with pytest.raises(DreamError, match="8-bit RGB"):
        live.dream(np.zeros((64, 64, 3), np.float32))


def test_the_rate_meter_counts_the_last_seconds():
    meter = RateMeter(window_s=2.0)
    for i in range(11):
        meter.add(0.2, now=10 + i * 0.25)  # 4 frames a second
    assert meter.fps() == pytest.approx(4.0)
    assert meter.latency() == pytest.approx(0.2)
    assert meter.words() == "4.0 frames/s, latency 0.20 s"


def test_a_file_plays_at_its_pace_and_a_slow_reader_gets_the_newest_frame(tmp_path):
    make_clip(tmp_path / "clip.mp4", 64, 48, 50, fps=25, audio_codec=None)  # 2 s
    source = LiveSource(tmp_path / "clip.mp4")
    assert (source.width, source.height) == (64, 48)
    started, taken = time.monotonic(), []
    source.start()
    while (got := source.next_frame()) is not None:
        taken.append(got[0])
        time.sleep(0.2)  # a slow dream: about 5 frames of the clip come meanwhile
    elapsed = time.monotonic() - started
    source.close()
    assert elapsed > 1.8  # its own pace, not as fast as it decodes
    assert taken == sorted(set(taken)) and taken[-1] == 49  # never one twice, always forward, to the end
    assert 5 <= len(taken) <= 15 and source.dropped == 50 - len(taken)  # the rest skipped, not queued


def test_sources_that_cannot_be_opened_say_so(tmp_path):
    with pytest.raises(DreamError, match="no such video file, camera or stream"):
        LiveSource(tmp_path / "missing.mp4")
    (tmp_path / "text.mp4").write_text("not a video")
    with pytest.raises(DreamError, match="cannot open it"):
        LiveSource(tmp_path / "text.mp4")
    with pytest.raises(DreamError, match="cannot open it"):
        LiveSource("tcp://127.0.0.1:9", open_timeout_s=2)  # nothing listens there
    with pytest.raises(DreamError, match=r"^7: cannot open it \(.*No such file or directory"):
        LiveSource("7")  # /dev/video7, through Video4Linux: these machines have no camera
