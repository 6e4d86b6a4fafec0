"""Optical flow, warping and occlusion (dream.video.flow) on a clip whose motion is known: a window
panning right across a real photo, 3 pixels a frame, so the content moves 3 pixels left."""
import numpy as np
import pytest
import skimage.data

pytest.importorskip("cv2")
from dream.video.flow import occluded, optical_flow, warp  # noqa: E402

STEP = 3


@pytest.fixture(scope="module")
def frames():
    photo = skimage.data.astronaut()
    a = np.ascontiguousarray(photo[100:260, 100:340])
    b = np.ascontiguousarray(photo[100:260, 100 + STEP:340 + STEP])
    return a, b


def test_flow_finds_the_motion(frames):
    a, b = frames
    forward, backward = optical_flow(a, b), optical_flow(b, a)
    assert forward.shape == (160, 240, 2) and forward.dtype == np.float32
    inner = (slice(20, -20), slice(20, -20))
    assert np.median(forward[inner][..., 0]) == pytest.approx(-STEP, abs=0.25)
    assert np.median(backward[inner][..., 0]) == pytest.approx(STEP, abs=0.25)
    assert abs(np.median(forward[inner][..., 1])) < 0.25


def test_the_same_flow_every_time(frames):
    """A resumed render recomputes the flow; it must get the very same field."""
    a, b = frames
    assert np.array_equal(optical_flow(a, b), optical_flow(a, b))


def test_warping_by_the_flow_moves_frame_a_onto_b(frames):
    a, b = frames
    moved = warp(a, optical_flow(b, a))
    inner = (slice(20, -20), slice(20, -20))
    before = np.mean(np.abs(np.float32(a) - b)[inner])
    after = np.mean(np.abs(moved - b)[inner])
    assert after < 0.25 * before


def test_occlusion_marks_what_enters_the_frame(frames):
    a, b = frames
    mask = occluded(optical_flow(b, a), optical_flow(a, b))
    assert mask.shape == (160, 240) and mask.dtype == bool
    assert mask[20:-20, 20:-20].mean() < 0.05  # the interior is seen in both frames
    assert mask[20:-20, -STEP + 1:].mean() > 0.9  # the columns that came into view at the right
