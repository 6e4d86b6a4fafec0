"""Dreaming a clip: frame by frame along the optical flow (frames, flow), reading and writing video
(io), keyframed parameters (keyframes), one clip's dream on a net (clip), chunks across workers
(chains), and the coherence measures (coherence). A new flow method is one entry in flow.FLOWS.

`dream.video` was one module before this package; its names stay here."""
from .frames import FLOW_MODES, WORK_FILES, dream_frame, dream_frames, frame_path, frame_rng, start_image, steady  # noqa: F401

__all__ = ["FLOW_MODES", "WORK_FILES", "dream_frame", "dream_frames", "frame_path", "frame_rng", "start_image",
           "steady"]
