"""Video in and out (dream.video.io): exact sizes, frame rate, frame count, sound carried over, nothing half-written."""
from fractions import Fraction

import numpy as np
import pytest
import skimage.data

from dream.errors import DreamError
from dream.video.io import VideoSource, VideoWriter

av = pytest.importorskip("av")


def panning_frames(width, height, count, step=3):
    """A window moving right across the astronaut photo, `step` pixels a frame."""
    photo = skimage.data.astronaut()
    for t in range(count):
        yield np.ascontiguousarray(photo[40:40 + height, 20 + step * t:20 + step * t + width])


def make_clip(path, width, height, count, fps=24, audio_codec="aac", container_format=None):
    """A clip with PyAV itself: the panning frames and a second of a 440 Hz tone."""
    with av.open(str(path), mode="w", format=container_format) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height = width, height
        video.pix_fmt = "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"
        audio = out.add_stream(audio_codec, rate=48000) if audio_codec else None
        for frame in panning_frames(width, height, count):
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if audio is not None:
            t = np.arange(48000) / 48000
            tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            fmt, samples = ("fltp", tone[None]) if audio_codec == "aac" else ("s16", np.int16(tone * 32767)[None])
            frame = av.AudioFrame.from_ndarray(samples, format=fmt, layout="mono")
            frame.sample_rate = 48000
            for packet in audio.encode(frame):
                out.mux(packet)
            for packet in audio.encode():
                out.mux(packet)
    return path


def audio_seconds(path):
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return 0.0
        s = c.streams.audio[0]
        return float(sum(p.duration or 0 for p in c.demux(s)) * s.time_base)


def test_exact_size_rate_count_and_sound_survive_a_round_trip(tmp_path):
    width, height = 130, 98  # not multiples of 16
    clip = make_clip(tmp_path / "in.mp4", width, height, 12)
    source = VideoSource(clip)
    assert (source.width, source.height, source.fps, source.has_audio) == (width, height, Fraction(24), True)
    frames = list(source.frames())
    assert len(frames) == 12 and all(f.shape == (height, width, 3) and f.dtype == np.uint8 for f in frames)
    out = tmp_path / "out.mp4"
    with VideoWriter(out, width, height, source.fps, audio_from=clip) as writer:
        for frame in frames:
            writer.write(frame)
    again = VideoSource(out)
    assert (again.width, again.height, again.fps) == (width, height, Fraction(24))
    back = list(again.frames())
    assert len(back) == 12
    assert np.mean(np.abs(np.float32(back[5]) - frames[5])) < 3  # H.264 at crf 18: close, not equal
    assert audio_seconds(out) == pytest.approx(audio_seconds(clip), abs=0.05) and audio_seconds(clip) > 0.9


def test_odd_sides_are_read_exactly_and_refused_for_an_mp4(tmp_path):
    source = VideoSource(make_clip(tmp_path / "odd.mp4", 101, 67, 3))  # 4:4:4, as some cameras write
    assert [f.shape for f in source.frames()] == [(67, 101, 3)] * 3
    with pytest.raises(DreamError, match="101x67: H.264 in an mp4 needs even sides.*100x66"):
        VideoWriter(tmp_path / "out.mp4", 101, 67, 24)
    assert not (tmp_path / "out.mp4").exists()


def test_sound_mp4_cannot_hold_is_re_encoded(tmp_path):
    clip = make_clip(tmp_path / "in.mkv", 64, 48, 6, audio_codec="pcm_s16le", container_format="matroska")
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 64, 48, 24, audio_from=clip) as writer:
        for frame in VideoSource(clip).frames():
            writer.write(frame)
    with av.open(str(out)) as c:
        assert c.streams.audio[0].codec_context.name == "aac"
    assert VideoSource(clip).count == 6  # matroska does not say: counted
    assert audio_seconds(out) == pytest.approx(1.0, abs=0.1)


def test_a_failed_write_leaves_nothing(tmp_path):
    out = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError):
        with VideoWriter(out, 64, 48, 24) as writer:
            writer.write(np.zeros((48, 64, 3), np.uint8))
            raise RuntimeError("killed in the middle")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_of_frames(tmp_path):
    from PIL import Image
    frames = list(panning_frames(33, 21, 4))
    for i, frame in enumerate(frames):
        Image.fromarray(frame).save(tmp_path / f"f{i:03d}.png")
    (tmp_path / "notes.txt").write_text("not a frame")
    source = VideoSource(tmp_path, fps=30)
    assert (source.width, source.height, source.fps, source.count, source.has_audio) == (33, 21, 30, 4, False)
    assert all(np.array_equal(a, b) for a, b in zip(source.frames(), frames))
    Image.fromarray(frames[0][:20]).save(tmp_path / "f999.png")
    with pytest.raises(DreamError, match="every frame must have one size"):
        list(VideoSource(tmp_path).frames())


def test_sources_that_are_not_videos(tmp_path):
    sound_only = tmp_path / "sound.m4a"
    with av.open(str(sound_only), mode="w", format="mp4") as out:
        audio = out.add_stream("aac", rate=48000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 4800), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 48000
        for packet in [*audio.encode(frame), *audio.encode()]:
            out.mux(packet)
    with pytest.raises(DreamError, match="no video stream"):
        VideoSource(sound_only)
    empty = tmp_path / "empty.mp4"
    with av.open(str(empty), mode="w") as out:
        video = out.add_stream("libx264", rate=24)
        video.width, video.height = 64, 48
        out.start_encoding()  # the header, and no frame after it
    with pytest.raises(DreamError, match="no video stream"):  # FFmpeg drops a stream without frames
        VideoSource(empty)
    empty_mkv = tmp_path / "empty.mkv"
    with av.open(str(empty_mkv), mode="w", format="matroska") as out:
        video = out.add_stream("libx264", rate=24)
        video.width, video.height = 64, 48
        out.start_encoding()
    with pytest.raises(DreamError, match="empty.mkv: (not a video|the video has no frames)"):
        VideoSource(empty_mkv)
    clip = make_clip(tmp_path / "clip.mp4", 64, 48, 12)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[:len(clip.read_bytes()) // 2])  # the index is at the end
    with pytest.raises(DreamError, match="cut.mp4"):
        VideoSource(cut)


@pytest.mark.parametrize("content,message", [(None, "no such video"), (b"", "no frames"),
                                             (b"hello, not a video", "not a video")])
def test_bad_sources_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "clip.mp4"
    if content == b"":
        path = tmp_path / "empty"
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(DreamError, match=message):
        VideoSource(path)
