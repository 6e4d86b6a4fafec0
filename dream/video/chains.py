"""A clip in chunks dreamed side by side, in this process or on a Dask cluster.

Each frame starts from the previous frame's dream, so a clip is a chain, and one chain
runs on one core at a time. Cut into chunks, it runs on as many as there are chunks. A
chunk other than the first starts `warm_up` frames early, from a plain frame. DeepDream is
chaotic: however long the warm-up, the new chunk's dreams do not converge to the ones the
chunk before hands over (docs/cluster.md, "Video across workers", measures it), and a plain cut
flickers 4x more than any other pair of frames. So the warm-up frames are faded in over
the previous chunk's last ones, which spreads the change over the warm-up.

Frames are written to the work folder as they are dreamed, a chunk's warm-up frames as
NNNNNN.warm.png until the fade writes NNNNNN.blend.png and that becomes NNNNNN.png. A
chunk whose first own frame is there resumes after its last one, from that stored dream,
as a plain render does: with the same chunks, a resumed render is the same bytes as one
never stopped.
"""
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

import numpy as np

from ..errors import DreamError
from ..images import decode_image, encode_image, read_metadata, to_uint8, write_atomically
from .flow import FLOWS
from .frames import frame_path


def chunks(count, length, warm_up):
    """(start, keep, end) of each chunk of `length` of the clip's `count` frames (length None: one chunk):
    dreamed from start, its own frames from keep; the last one's end is None, the clip's end (count may be
    a guess). A warm-up is at most a chunk long: it fades in over the chunk before only."""
    if not length or length >= count:
        return [(0, 0, None)]
    warm_up = min(warm_up, length)
    spans = [(max(0, keep - warm_up), keep, keep + length) for keep in range(0, count, length)]
    return spans[:-1] + [spans[-1][:2] + (None,)]


class Chain:
    """One chunk's frames in order, handed out one at a time to whatever dreams them."""

    def __init__(self, span, source, folder):
        start, self.keep, end = span
        if frame_path(folder, self.keep).exists():
            start = self.keep  # resumed: its stored dreams carry the state; its warm-up may be faded in already
        self.frames = ((t, frame, None) for t, frame in enumerate(islice(source.frames(start),
                                                                         end - start if end else None), start))
        self.folder = folder
        self.prev = None  # (frame t-1, its dream: its PNG's bytes, or the float32 image they hold)
        self.task = None
        self.moved = None  # the task's motion from frame t-1, where it is computed ahead: a future

    def path(self, t):
        return frame_path(self.folder, t, "" if t >= self.keep else "warm")

    def look_ahead(self, motions):
        """Have motions (a dream.video.ahead.MotionAhead) compute the motion of the frames to come."""
        self.frames = motions.ahead(((t, frame) for t, frame, _ in self.frames), lambda t: not self.path(t).exists())

    def next_task(self, on_stored):
        """(t, frame, prev) of the next frame to dream, or None when the chunk is done; the dreams
        already in the folder are taken on the way, with on_stored(t, own) for each (own: not warm-up)."""
        for t, frame, moved in self.frames:
            path = self.path(t)
            if path.exists():
                self.prev = (frame, path.read_bytes())
                on_stored(t, t >= self.keep)
                continue
            self.task, self.moved = (t, frame, self.prev), moved
            return self.task
        self.prev = self.task = self.moved = None  # done: its last frames' state is needed no more
        return None

    def carried(self, dream):
        """The task's dream is the state the next frame starts from: its PNG's bytes, or the image they
        hold. Whether it is one of the chunk's own frames (not its warm-up)."""
        t, frame, _ = self.task
        self.prev = (frame, dream)
        return t >= self.keep

    def dreamed(self, data):
        """The task's dream (PNG bytes) is in: stored, and the state for the next frame. Whether it is
        one of the chunk's own frames (not its warm-up)."""
        write_atomically(self.path(self.task[0]), data)
        return self.carried(data)


def fade_in_warm_ups(folder, spans):
    """Once every chunk is dreamed: each chunk's warm-up dreams faded in over the previous chunk's last
    frames, (1 - a) * its own + a * the warm-up's, a from 1/(n+1) to n/(n+1) over n warm-up frames."""
    for start, keep, _ in spans[1:]:
        for t in range(start, keep):
            _fade(folder, t, (t - start + 1) / (keep - start + 1))


def _fade(folder, t, share):
    """Frame t faded, in steps that a stop anywhere resumes from: the blend written, the warm-up
    frame removed, the blend renamed over the frame. Nothing to do once the warm-up frame is gone."""
    own, warm, blend = (frame_path(folder, t, kind) for kind in ("", "warm", "blend"))
    if not blend.exists():
        if not warm.exists():
            return
        mixed = ((1 - share) * decode_image(own.read_bytes(), str(own))
                 + share * decode_image(warm.read_bytes(), str(warm)))
        write_atomically(blend, encode_image(np.round(mixed), ".png", dict(read_metadata(own), faded_in=share)))
    warm.unlink(missing_ok=True)
    os.replace(blend, own)


def dream_here(clip, chains, on_stored, on_dreamed, pipelined=True):
    """Every chain in turn, in this process. on_dreamed(t, kept, data) after each frame is written.

    pipelined: the flows computed ahead in other processes (dream.video.ahead), each dream kept in memory
    as the next frame's state (the image its PNG holds, not the PNG read back), and each PNG encoded and
    written in a thread while the next frame is dreamed. The same files either way; a frame is written
    before the next one's, so a stop anywhere resumes as before."""
    if not pipelined:
        for chain in chains:
            while (task := chain.next_task(on_stored)) is not None:
                data = clip.frame_png(*task)
                on_dreamed(task[0], chain.dreamed(data), data)
        return
    from .ahead import MotionAhead
    flows = MotionAhead(clip.flow) if FLOWS[clip.flow].estimate is not None else contextlib.nullcontext()
    with flows as motions, ThreadPoolExecutor(1) as writer:
        writing = None  # (t, whether it is its chain's own, the future of its PNG's bytes, once written)

        def written():
            if writing is not None:
                on_dreamed(writing[0], writing[1], writing[2].result())
        for chain in chains:
            if motions is not None:
                chain.look_ahead(motions)
            while (task := chain.next_task(on_stored)) is not None:
                t = task[0]
                out, used = clip.frame_dream(*task, moved=None if chain.moved is None else chain.moved.result())
                own = chain.carried(np.float32(to_uint8(out)))  # what its PNG holds
                written()
                writing = (t, own, writer.submit(_write, clip, chain.path(t), t, out, used))
        written()


def _write(clip, path, t, out, used):
    """The writer thread's work: frame t's PNG, written under its name whole; its bytes."""
    data = clip.png(t, out, used)
    write_atomically(path, data)
    return data


def dream_on_cluster(client, clip, chains, on_stored, on_dreamed):
    """The chains side by side on the Dask `client`'s cluster, one frame of each in flight; frames
    travel as uint8 arrays and dreams as PNG bytes, the clip's description once to each worker."""
    from ..cluster.client import run_as_they_finish
    from .clip import dream_frame_task
    shared = client.scatter(clip, broadcast=True)

    def next_task(chain):
        task = chain.next_task(on_stored)
        return None if task is None else (chain, dream_frame_task, shared, *task)

    def on_done(chain, future):
        try:
            data = future.result()
        except DreamError:
            raise
        except Exception as e:  # KilledWorker: the frame took down every worker it ran on; or a bug
            raise DreamError(f"frame {chain.task[0]} failed on the cluster ({type(e).__name__}: {e})") from None
        on_dreamed(chain.task[0], chain.dreamed(data), data)
        return next_task(chain)
    run_as_they_finish(client, [next_task(chain) for chain in chains], on_done)
