"""One gradient ascent step, exactly as the notebook takes it."""
import numpy as np

from .objective import Objective, activations, notebook_objective

# Maximise the L2 norm of the activations: their gradient is the activations themselves (the notebook's
# objective_L2(dst), dst.diff[:] = dst.data, as an Objective on the step's layer). Each position's seed
# depends on that position only: it can be tiled.
objective_L2 = Objective([(None, 1.0, activations)], "objective_L2")


def step_scale(g, step_size):
    """The notebook's normalisation, written once: the factor step_size / mean|g| that makes the mean
    pixel move step_size, or None for an all-zero gradient (it would divide by zero and write NaN).
    Each loop multiplies by it in its own order, so each keeps the bytes it had."""
    mean_abs = np.abs(g).mean()
    return step_size / mean_abs if mean_abs > 0 else None


def input_gradient(net, end, objective=objective_L2, exact_gradient=False):
    """The objective's gradient with respect to the image in net.blobs['data'], as 3 x H x W: an
    Objective, or the notebook's objective(dst) on blob `end`."""
    return notebook_objective(objective).input_gradient(net, end, exact_gradient)


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
    scale = step_scale(g, step_size)
    if scale is not None:
        src.data[:] += scale * g

    src.data[0] = np.roll(np.roll(src.data[0], -ox, -1), -oy, -2)  # unshift image

    if clip:
        bias = net.transformer.mean['data']
        src.data[:] = np.clip(src.data, -bias, 255 - bias)
