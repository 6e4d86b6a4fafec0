"""How steady a dreamed clip is: its flicker (the warping error) and its brightness drift.

The warping error is the usual measure of flicker in video stylisation (Lai et al. 2018,
Ruder et al. 2016): the mean |output t - output t-1 moved onto frame t along the flow|,
over the pixels where the flow can be trusted, the flow taken from the input frames.
The drift is the trend of the mean brightness the dream adds to each frame. Fine detail (the mean |Laplacian|)
says how much of a frame's sharpness a dream scaled up from a working size keeps (python -m dream live).
"""
import numpy as np

from .flow import occluded, optical_flow, warp


def warping_error(inputs, outputs):
    """Mean over frames 1.. of the mean |out_t - warp(out_t-1)| on trusted pixels (grey levels).

    inputs: the clip's uint8 RGB frames; outputs: their dreams (any numeric RGB arrays)."""
    errors = []
    for t in range(1, len(outputs)):
        backward = optical_flow(inputs[t], inputs[t - 1])
        forward = optical_flow(inputs[t - 1], inputs[t])
        trusted = ~occluded(backward, forward)
        moved = warp(np.float32(outputs[t - 1]), backward)
        errors.append(np.abs(np.float32(outputs[t]) - moved)[trusted].mean())
    return float(np.mean(errors))


def brightness_change(inputs, outputs):
    """mean(output - input) of each frame, in grey levels."""
    return np.array([np.mean(np.float32(o) - np.float32(i)) for i, o in zip(inputs, outputs)])


def drift(inputs, outputs):
    """(trend in grey levels per 100 frames, first, last) of the brightness change, frame 0 left out
    (it gets the full iterations, the others fewer)."""
    change = brightness_change(inputs, outputs)[1:]
    slope = np.polyfit(np.arange(len(change)), change, 1)[0]
    return float(100 * slope), float(change[0]), float(change[-1])


def fine_detail(img):
    """Mean |Laplacian| of the grey image (uint8 or float RGB): its fine detail, in grey levels."""
    from .flow import _cv2
    cv2 = _cv2()
    grey = cv2.cvtColor(np.uint8(np.clip(img, 0, 255)), cv2.COLOR_RGB2GRAY)
    return float(np.abs(cv2.Laplacian(np.float32(grey), cv2.CV_32F)).mean())
