"""One gradient ascent step, exactly as the notebook takes it."""
import numpy as np

from ..network.net import forward


def objective_L2(dst):
    """Maximise the L2 norm of the activations: their gradient is the activations themselves."""
    dst.diff[:] = dst.data


objective_L2.local = True  # each position's seed depends on that position only: it can be tiled


def clear_diffs(net, end=None):
    """Zero the diff of every blob up to layer `end` (all of them without one), so backward sees only
    the objective's gradient.

    Caffe's backward(start=end) also runs the sibling branches that precede
    `end` in its inception module, and Split layers sum those branches' stale
    diffs into the image gradient. The notebook never clears them; the
    exact-gradient mode does. Blobs past `end` are left alone: backward never
    reads them, and writing their diffs would allocate memory nothing uses.
    """
    names = list(net._layer_names)
    names = names[:names.index(end) + 1] if end is not None else names
    blobs = dict.fromkeys(b for name in names for b in (*net.bottom_names[name], *net.top_names[name]))
    for blob in blobs:
        net.blobs[blob].diff[...] = 0


def input_gradient(net, end, objective=objective_L2, exact_gradient=False):
    """The objective's gradient with respect to the image in net.blobs['data'], as 3 x H x W."""
    if hasattr(objective, "input_gradient"):  # a composable Objective, possibly across layers
        return objective.input_gradient(net)
    forward(net, end)
    if exact_gradient:
        clear_diffs(net, end)
    objective(net.blobs[end])  # specify the optimization objective
    net.backward(start=end)
    return net.blobs['data'].diff[0]


def make_step(net, step_size=1.5, end='inception_4c/output', jitter=32, clip=True,
              objective=objective_L2, rng=None, exact_gradient=False, mask=None):
    """Basic gradient ascent step (the notebook's), on the image in net.blobs['data'].

    rng: a numpy RandomState for the jitter; None draws from numpy's global RNG
    as the notebook does. exact_gradient: clear stale diffs first (see clear_diffs).
    objective: the notebook's objective(dst) on blob `end`, or a dream.objectives
    Objective, which names its own layers and always takes exact gradients.
    mask: an H x W array in 0..1 that scales the step per pixel (1: dream, 0: leave).
    """
    src = net.blobs['data']  # input image is stored in Net's 'data' blob

    ox, oy = (np.random if rng is None else rng).randint(-jitter, jitter + 1, 2)
    src.data[0] = np.roll(np.roll(src.data[0], ox, -1), oy, -2)  # apply jitter shift

    g = input_gradient(net, end, objective, exact_gradient)
    if mask is not None:
        g = g * np.roll(np.roll(mask, ox, -1), oy, -2)  # the mask, jittered like the image
    # apply normalized ascent step to the input image
    mean_abs = np.abs(g).mean()
    if mean_abs > 0:  # an all-zero gradient would divide by zero and write NaN
        src.data[:] += step_size / mean_abs * g

    src.data[0] = np.roll(np.roll(src.data[0], -ox, -1), -oy, -2)  # unshift image

    if clip:
        bias = net.transformer.mean['data']
        src.data[:] = np.clip(src.data, -bias, 255 - bias)
