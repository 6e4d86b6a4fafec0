"""A clip's motion computed ahead: the optical flow between two input frames depends on those frames
alone, not on any dream, so worker processes compute the next frames' while this one dreams the
current one (on a GPU, DIS's two flows per 1080p frame took longer than Caffe's own work).

The same bytes as computing it in place: each worker runs DIS on one OpenCV thread, as
dream.video.flow always does. Processes, not threads, because OpenCV's thread count is one setting
for the whole process, which the flow sets and restores around each call.
"""
import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor

from .frames import motion


def default_workers():
    """Flow processes beside the dream: one on a small machine, up to four where there are cores to spare."""
    return max(1, min(4, (os.cpu_count() or 2) // 4))


def _die_with(parent):
    """A worker's first act: end when `parent` ends, however it ends. A render killed with SIGKILL (and
    resumed later, as renders are) would otherwise leave its workers blocked for ever on a result
    nobody reads, holding the frames' memory and whatever pipes the render had (Linux's
    PR_SET_PDEATHSIG; elsewhere the workers end when they next find their queue closed)."""
    import ctypes
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before the prctl
        os._exit(1)


class MotionAhead:
    """Worker processes that compute dream.video.frames.motion for the frames to come. A context manager:
    leaving it stops the workers and drops what nobody asked for."""

    def __init__(self, flow, workers=None):
        self.flow = flow
        self.workers = workers or default_workers()
        # spawned: a forked copy of a process that has started BLAS threads (Caffe's) can deadlock
        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_die_with, initargs=(os.getpid(),))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True, cancel_futures=True)

    def ahead(self, frames, wanted):
        """(t, frame) of one chain, in order -> (t, frame, a future of the motion from frame t-1 to t), each
        yielded once the motion of the next workers + 1 frames is under way. The future is None for the
        chain's first frame (nothing before it) and where wanted(t) is false (its dream is stored already)."""
        window, prev = deque(), None
        for t, frame in frames:
            moved = self.pool.submit(motion, prev, frame, self.flow) if prev is not None and wanted(t) else None
            window.append((t, frame, moved))
            prev = frame
            if len(window) > self.workers + 1:
                yield window.popleft()
        yield from window
