"""Optical flow between video frames, warping by it, and where it cannot be trusted (occlusion); and
FLOWS, the ways a frame's dream can start from the previous one (python -m dream video --flow).

Flow comes from OpenCV's DIS (dense inverse search), the usual fast dense method. A
flow field from frame a to frame b holds, for each pixel of a, the displacement
(dx, dy) to where it moved in b. Occlusion follows Ruder, Dosovitskiy and Brox
(2016, "Artistic style transfer for videos"): a pixel of b is trusted when going back
to a and forward again returns to it, |w + ŵ|² <= 0.01 (|w|² + |ŵ|²) + 0.5, with w
the backward flow at the pixel and ŵ the forward flow where it lands; and when it
lands inside frame a at all.
"""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class Flow:
    """A way to start frame t's dream from frame t-1's. estimate(a, b): the flow from frame a to frame b,
    along which the previous dream's residual is carried (weighed by the keyframed `decay`); None: no
    flow, the previous dream blended into the frame (by `blend`) instead."""
    name: str
    help: str
    estimate: Optional[Callable] = None

    @property
    def amount(self):
        """The keyframe parameter that weighs the previous dream."""
        return "blend" if self.estimate is None else "decay"


# --flow's choices, by name. A new method is an estimate(a, b) under @flow_method here: the command line,
# the keyframes and the metadata find it.
FLOWS = {}


def flow_method(name, help):
    """Offer an optical flow estimate(a, b) -> (H, W, 2) float32 as --flow `name`."""
    def register(estimate):
        FLOWS[name] = Flow(name, help, estimate)
        return estimate
    return register


def _cv2():
    from ..errors import DreamError
    try:
        import cv2
    except ImportError:
        raise DreamError("video needs OpenCV: pip install -e '.[video]'") from None
    return cv2


@flow_method("dis", "start from the previous dream moved along OpenCV's DIS optical flow")
def optical_flow(a, b):
    """Dense flow from frame a to frame b (uint8 RGB, same size): (H, W, 2) float32 of (dx, dy).

    One OpenCV thread: DIS then gives the same field every time, which a resumed render needs."""
    cv2 = _cv2()
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        gray_a = cv2.cvtColor(np.ascontiguousarray(a), cv2.COLOR_RGB2GRAY)
        gray_b = cv2.cvtColor(np.ascontiguousarray(b), cv2.COLOR_RGB2GRAY)
        return dis.calc(gray_a, gray_b, None)
    finally:
        cv2.setNumThreads(threads)


FLOWS["none"] = Flow("none", "blend the previous dream into the frame, as DeepDreamVideo does")


def warp(img, flow):
    """img sampled at (x + dx, y + dy) for each pixel (x, y): with `flow` from frame b to frame a,
    this moves an image of frame a onto frame b (bilinear; edges repeat)."""
    cv2 = _cv2()
    h, w = flow.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(np.ascontiguousarray(img, dtype=np.float32), xs + flow[..., 0], ys + flow[..., 1],
                     interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def occluded(backward, forward):
    """Boolean (H, W) for frame b: True where the flow cannot be trusted (Ruder et al.'s test).

    backward: flow from b to a; forward: flow from a to b."""
    w = backward
    w_hat = warp(forward, backward)  # the forward flow where each pixel of b lands in a
    inconsistent = (np.sum((w + w_hat) ** 2, axis=2)
                    > 0.01 * (np.sum(w ** 2, axis=2) + np.sum(w_hat ** 2, axis=2)) + 0.5)
    # and what has come into view: its flow leads outside frame a (the test above passes there,
    # as the forward flow is only repeated from the edge)
    h, wd = w.shape[:2]
    ys, xs = np.mgrid[0:h, 0:wd]
    x, y = xs + w[..., 0], ys + w[..., 1]
    outside = (x < 0) | (x > wd - 1) | (y < 0) | (y > h - 1)
    return inconsistent | outside
