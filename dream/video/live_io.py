"""Where live frames come from and go to, through FFmpeg's libraries (PyAV).

A LiveSource reads a camera (a device index or /dev/videoN, through Video4Linux), a network stream (any URL
FFmpeg opens: rtsp://, http://, udp://, tcp://, srt://...) or a file played at its own pace, in a thread of
its own that keeps only the newest frame: a frame that comes while one is being dreamed replaces the one
waiting, never queues behind it, so the latency stays bounded whatever the source's rate.

A LiveOutput takes each dreamed frame: an mp4 (or .mkv, .mov) recording with each frame at the time it was
made, a stream a player opens (a URL, MPEG-TS, e.g. udp://127.0.0.1:1234), or a folder of PNG files that
record which source frame each dreams (the exact bytes, for checking).
"""
import os
import threading
import time
from fractions import Fraction
from pathlib import Path

from ..errors import DreamError
from .io import _av, check_even

RECORDING_SUFFIXES = {".mp4", ".mkv", ".mov"}
TIME_BASE = Fraction(1, 1000)  # a live recording's timestamps: milliseconds since its first frame


def is_url(text):
    return "://" in str(text)


def source_address(spec):
    """(what FFmpeg opens, its input format or None, whether it runs by itself in real time) for a SOURCE
    given on the command line."""
    spec = str(spec)
    if spec.isdigit():
        return f"/dev/video{spec}", "v4l2", True
    if spec.startswith("/dev/video"):
        return spec, "v4l2", True
    if is_url(spec):
        return spec, None, True
    if not Path(spec).is_file():
        raise DreamError(f"{spec}: no such video file, camera or stream (a camera is a number or /dev/videoN; "
                         f"a stream, a URL such as rtsp://... or udp://...)")
    return spec, None, False


class LiveSource:
    """A camera, a stream or a file read as it comes; next_frame() the newest frame not yet taken."""

    def __init__(self, spec, open_timeout_s=10.0):
        av = _av()
        self.spec = str(spec)
        address, fmt, self.live = source_address(spec)
        options = {"rtsp_transport": "tcp"} if address.startswith("rtsp") else {}
        try:
            self.container = av.open(address, format=fmt, options=options, timeout=(open_timeout_s, 5.0))
        except av.error.FFmpegError as e:
            raise DreamError(f"{self.spec}: cannot open it ({e.strerror or e})") from None
        if not self.container.streams.video:
            self.container.close()
            raise DreamError(f"{self.spec}: has no video stream")
        stream = self.container.streams.video[0]
        self.width, self.height = stream.codec_context.width, stream.codec_context.height
        self.read, self.taken, self.ended, self.error, self.end_note = 0, 0, False, None, None
        self._newest = None  # (source index, frame, when it arrived)
        self._given = -1  # the index of the last frame handed out
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start(self):
        """Begin reading (a file's clock starts now)."""
        self._thread.start()
        return self

    def _read(self):
        av = _av()
        started = None
        try:
            for frame in self.container.decode(video=0):
                if self._stop.is_set():
                    return
                if not self.live and frame.time is not None:  # a file: at its own pace, from its first frame
                    started = started if started is not None else time.monotonic() - frame.time
                    time.sleep(max(0.0, started + frame.time - time.monotonic()))
                image = frame.to_ndarray(format="rgb24")
                with self._lock:
                    self._newest = (self.read, image, time.monotonic())
                    self.read += 1
                    self._lock.notify_all()
        except av.error.FFmpegError as e:  # before any frame, a failure; after, how a stream ends
            reason = f"{self.spec}: reading stopped ({e.strerror or e})"
            self.error, self.end_note = (reason, None) if self.read == 0 else (None, reason)
        finally:
            with self._lock:
                self.ended = True
                self._lock.notify_all()

    def next_frame(self, give_up=None):
        """(source index, uint8 RGB frame, time.monotonic() it arrived) of the newest frame not handed out
        yet, waiting for one; None once the source has ended, or give_up (a threading.Event) is set
        (DreamError if the source failed before its first frame)."""
        with self._lock:
            while not self.ended and (self._newest is None or self._newest[0] == self._given):
                if give_up is not None and give_up.is_set():
                    return None
                self._lock.wait(0.2)
            if self._newest is None or self._newest[0] == self._given:
                if self.error:
                    raise DreamError(self.error)
                return None
            self._given = self._newest[0]
            self.taken += 1
            return self._newest

    @property
    def dropped(self):
        """Frames read that were never handed out: newer ones came first."""
        return self.read - self.taken

    def close(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.container.close()


class LiveOutput:
    """Where dreamed frames go: a recording, a stream or a folder of PNGs (see the module). Use as a context
    manager; a recording appears at its name only when closed (Ctrl+C included: stopping is how a live run
    ends), and is removed on an error."""

    def __init__(self, target, width, height):
        self.target, self.width, self.height = str(target), width, height
        self.kind = ("stream" if is_url(target) else
                     "recording" if Path(target).suffix.lower() in RECORDING_SUFFIXES else "folder")
        if self.kind != "folder":
            check_even(width, height, "the dreamed frames", ", or write PNG frames to a folder (-o FOLDER)")
        self.frames = 0

    def __enter__(self):
        if self.kind == "folder":
            Path(self.target).mkdir(parents=True, exist_ok=True)
            return self
        av = _av()
        if self.kind == "recording":
            path = Path(self.target)
            self.partial = path.with_name(f".{path.name}.partial{path.suffix}")
            address, fmt = str(self.partial), None
        else:
            self.partial, fmt = None, "flv" if self.target.startswith("rtmp") else "mpegts"
            address = self.target
        try:
            self.container = av.open(address, mode="w", format=fmt)
        except av.error.FFmpegError as e:
            raise DreamError(f"{self.target}: cannot write to it ({e.strerror or e})") from None
        self.stream = self.container.add_stream("libx264", rate=30)
        self.stream.width, self.stream.height, self.stream.pix_fmt = self.width, self.height, "yuv420p"
        self.stream.codec_context.time_base = TIME_BASE
        # a stream is watched as it comes: no frames held back for compression, and a keyframe every 10
        # frames, so that a player that joins late (or opens again) shows the dream within 10 frames
        # rather than x264's 250 (minutes, at a dream's few frames a second)
        self.stream.options = ({"crf": "18"} if self.kind == "recording"
                               else {"preset": "veryfast", "tune": "zerolatency", "crf": "23", "g": "10"})
        self.last_pts = -1
        return self

    def write(self, frame, seconds, metadata=None):
        """One dreamed uint8 frame, made `seconds` after the run began; metadata: what a PNG records."""
        if self.kind == "folder":
            from ..images import save_image
            save_image(frame, Path(self.target) / f"{self.frames:06d}.png", metadata)
        else:
            av = _av()
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            self.last_pts = video_frame.pts = max(self.last_pts + 1, round(seconds / TIME_BASE))
            video_frame.time_base = TIME_BASE
            for packet in self.stream.encode(video_frame):
                self.container.mux(packet)
        self.frames += 1

    def __exit__(self, kind, error, trace):
        if self.kind == "folder":
            return False
        failed = kind is not None and not issubclass(kind, KeyboardInterrupt)
        try:
            if not failed:
                for packet in self.stream.encode():
                    self.container.mux(packet)
            self.container.close()
            if self.partial is not None and not failed and self.frames:
                os.replace(self.partial, self.target)
        finally:
            if self.partial is not None and self.partial.exists():
                self.partial.unlink()
        return False
