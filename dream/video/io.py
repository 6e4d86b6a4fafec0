"""Video in and out through FFmpeg's libraries (PyAV, from PyPI): one frame at a time, the exact size, the sound kept.

A source is a video file or a folder of frames. Frames are uint8 RGB arrays (H, W, 3)
at the size the file declares: PyAV crops the codec's padded planes, so a 1079-line
or 101-pixel-wide video reads back at that size, where some readers round to 16.
The writer encodes H.264 (4:2:0, what every player decodes) into an mp4 under a
temporary name and renames it when closed, so a file at the destination is always
whole. 4:2:0 needs even sides: an odd side is refused with a clear line (check_even),
never padded or resized behind the user's back.
"""
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import DreamError

FRAME_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
DEFAULT_FOLDER_FPS = Fraction(25)
# audio codecs an mp4 holds as they are; others are re-encoded to AAC
MP4_AUDIO = {"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"}


def _av():
    try:
        import av
    except ImportError:
        raise DreamError("video needs PyAV: pip install -e '.[video]'") from None
    av.logging.set_level(av.logging.PANIC)  # FFmpeg's own messages off: every failure becomes one DreamError line
    return av


def check_even(width, height, what="the video", otherwise=", or write the frames to a folder (-o NAME)"):
    """DreamError unless an mp4 of this size can be written; otherwise: what else the user may do."""
    if width % 2 or height % 2:
        raise DreamError(f"{what} is {width}x{height}: H.264 in an mp4 needs even sides (4:2:0, what players "
                         f"decode); crop it to {width - width % 2}x{height - height % 2}{otherwise}")


class VideoSource:
    """A video file or a folder of frames (sorted by name): size, frame rate, frame count and sound."""

    def __init__(self, path, fps=None):
        self.path = Path(path)
        if self.path.is_dir():
            self._open_folder(fps)
        elif self.path.is_file():
            self._open_file(fps)
        else:
            raise DreamError(f"{self.path}: no such video file or folder of frames")

    def _open_folder(self, fps):
        self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in FRAME_SUFFIXES)
        if not self.files:
            raise DreamError(f"{self.path}: no frames in the folder (looked for {', '.join(sorted(FRAME_SUFFIXES))})")
        first = _read_frame_file(self.files[0])
        self.height, self.width = first.shape[:2]
        self.fps = Fraction(fps) if fps else DEFAULT_FOLDER_FPS
        self.count = len(self.files)
        self.has_audio = False

    def _open_file(self, fps):
        av = _av()
        self.files = None
        try:
            with av.open(str(self.path)) as container:
                if not container.streams.video:
                    raise DreamError(f"{self.path}: has no video stream")
                stream = container.streams.video[0]
                self.width, self.height = stream.codec_context.width, stream.codec_context.height
                rate = fps or stream.average_rate or stream.guessed_rate
                # containers may not say; then the packets are counted (no decoding), for the progress bar
                self.count = stream.frames or sum(1 for packet in container.demux(stream) if packet.size) or None
                self.has_audio = bool(container.streams.audio)
        except DreamError:
            raise
        except av.error.FFmpegError as e:
            raise DreamError(f"{self.path}: not a video FFmpeg can read ({e.strerror or e})") from None
        if not rate or not self.width or not self.height:
            raise DreamError(f"{self.path}: the video does not say its frame rate or size")
        if self.count is None:
            raise DreamError(f"{self.path}: the video has no frames")
        self.fps = Fraction(rate)

    def frames(self, start=0):
        """The frames in order from frame `start`, one at a time, each (H, W, 3) uint8 RGB at the source's size."""
        if self.files is not None:
            for path in self.files[start:]:
                frame = _read_frame_file(path)
                if frame.shape[:2] != (self.height, self.width):
                    raise DreamError(f"{path}: {frame.shape[1]}x{frame.shape[0]}, but the first frame is "
                                     f"{self.width}x{self.height}; every frame must have one size")
                yield frame
            return
        av = _av()
        with av.open(str(self.path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            try:
                for index, frame in enumerate(container.decode(stream)):
                    if index >= start:  # decoded all the same: a seek lands on keyframes only
                        yield frame.to_ndarray(format="rgb24")
            except av.error.FFmpegError as e:
                raise DreamError(f"{self.path}: the video is damaged after its first frames ({e.strerror or e})") \
                    from None


def _read_frame_file(path):
    from ..images import load_image, to_uint8
    return to_uint8(load_image(path))  # an 8-bit file's values are whole numbers already


class VideoWriter:
    """H.264 in an mp4 at the given size and rate; the sound of `audio_from` (a video file) copied in.

    Use as a context manager: the file appears at `path` only when every frame is written
    and the block ends without an error; otherwise nothing is left behind.
    """

    def __init__(self, path, width, height, fps, audio_from=None, crf=18):
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, Fraction(fps)
        self.audio_from = Path(audio_from) if audio_from else None
        self.partial = self.path.with_name(f".{self.path.name}.partial.mp4")
        self.frames_written = 0
        check_even(width, height)
        self.crf = crf

    def __enter__(self):
        av = _av()
        self.container = av.open(str(self.partial), mode="w", format="mp4")
        self.stream = self.container.add_stream("libx264", rate=self.fps)
        self.stream.width, self.stream.height = self.width, self.height
        self.stream.pix_fmt = "yuv420p"
        self.stream.options = {"crf": str(self.crf)}
        # every stream must exist before the first packet is written
        self.sound = _Sound(self.audio_from, self.container) if self.audio_from else None
        return self

    def write(self, frame):
        """One (H, W, 3) uint8 RGB frame of the writer's size."""
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(f"frame {frame.shape} {frame.dtype}, expected ({self.height}, {self.width}, 3) uint8")
        av = _av()
        for packet in self.stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
            self.container.mux(packet)
        self.frames_written += 1

    def __exit__(self, kind, error, trace):
        try:
            if kind is None:
                for packet in self.stream.encode():  # flush the encoder's delayed frames
                    self.container.mux(packet)
                if self.sound:
                    self.sound.copy()
            if self.sound:
                self.sound.close()
            self.container.close()
            if kind is None:
                os.replace(self.partial, self.path)
        finally:
            if self.partial.exists():
                self.partial.unlink()
        return False


class _Sound:
    """The first audio stream of a video file, going into an mp4 being written: packet for packet
    where mp4 holds its codec, else decoded and re-encoded as AAC."""

    def __init__(self, source, container):
        av = _av()
        self.container = container
        self.src = av.open(str(source))
        self.audio = self.src.streams.audio[0] if self.src.streams.audio else None
        self.out = None
        if self.audio is None:
            return
        self.as_is = self.audio.codec_context.name in MP4_AUDIO
        self.out = (container.add_stream_from_template(self.audio) if self.as_is
                    else container.add_stream("aac", rate=self.audio.codec_context.sample_rate))

    def copy(self):
        if self.out is None:
            return
        if self.as_is:
            for packet in self.src.demux(self.audio):
                if packet.dts is None:  # the demuxer's empty flush packet
                    continue
                packet.stream = self.out
                self.container.mux(packet)
            return
        for frame in self.src.decode(self.audio):
            frame.pts = None
            for packet in self.out.encode(frame):
                self.container.mux(packet)
        for packet in self.out.encode():
            self.container.mux(packet)

    def close(self):
        self.src.close()
