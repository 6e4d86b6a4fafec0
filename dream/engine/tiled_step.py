"""make_step with the gradient computed tile by tile: the same bytes, in bounded memory.

The image lives in a numpy array instead of Caffe's input blob, which holds one
tile at a time. Every operation of make_step is elementwise except two: the
jitter, a permutation of pixels, and the mean |g| that normalises the step, a
sum whose rounding depends on the order it adds in. So the gradient is assembled
in the jittered layout make_step has, the mean is taken there, and only then is
it moved back: each pixel then sees the same float operations as in make_step.
"""
import numpy as np

from ..network.blobs import set_input
from .step import input_gradient, objective_L2, step_scale


def _unroll_blocks(n, shift):
    """(to, from) slice pairs that move index (i + shift) % n to i, for an array of length n."""
    s = shift % n
    return [(slice(0, n - s), slice(s, n)), (slice(n - s, n), slice(0, s))]


def add_unrolled(image, g, oy, ox):
    """image += g rolled back by the jitter (oy, ox), in four block additions: no full-size copy."""
    h, w = image.shape[-2:]
    for to_y, from_y in _unroll_blocks(h, oy):
        for to_x, from_x in _unroll_blocks(w, ox):
            image[:, to_y, to_x] += g[:, from_y, from_x]


def tiled_gradient(net, image, plan, rows, cols, end, objective, exact_gradient):
    """The gradient of the jittered image (row r of it is image row rows[r]), one tile at a time."""
    g = np.empty_like(image)
    for ty, tx, cy, cx in plan.tiles():
        set_input(net, image[:, rows[ty, None], cols[tx]])  # the jittered tile: one tile-size copy
        tile = input_gradient(net, end, objective, exact_gradient)
        g[:, cy, cx] = tile[:, cy.start - ty.start:cy.stop - ty.start, cx.start - tx.start:cx.stop - tx.start]
    return g


def make_tiled_step(net, image, plan, step_size=1.5, end='inception_4c/output', jitter=32, clip=True,
                    objective=objective_L2, rng=None, exact_gradient=False, mask=None):
    """make_step on `image` (3 x H x W, preprocessed, updated in place) in the tiles of `plan`.

    Draws the same jitter from `rng` and gives the same bytes as make_step on the same image.
    """
    ox, oy = (np.random if rng is None else rng).randint(-jitter, jitter + 1, 2)
    h, w = image.shape[1:]
    rows, cols = (np.arange(h) - oy) % h, (np.arange(w) - ox) % w  # np.roll's shift, as indices
    g = tiled_gradient(net, image, plan, rows, cols, end, objective, exact_gradient)
    if mask is not None:
        g *= mask[rows[:, None], cols]  # the mask, jittered like the image
    scale = step_scale(g, step_size)
    if scale is not None:
        g *= scale
        add_unrolled(image, g, oy, ox)
    if clip:
        bias = net.transformer.mean['data']
        np.clip(image, -bias, 255 - bias, out=image)
