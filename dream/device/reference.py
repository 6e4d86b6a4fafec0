"""The host loop's arithmetic written the way a GPU kernel computes it: one output element from a fixed
list of terms in a fixed order, so that a kernel following the same formula (no fused multiply-add,
the same float widths) gives the same bytes. Each function equals what the host loop calls, bit for
bit (tests/test_device_reference.py): scipy.ndimage.zoom(order=1) as scipy 1.17 computes it, and
numpy 2.4's np.abs(g).mean(), its pairwise sum included."""
import itertools

import numpy as np

PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE: a block this long or shorter is summed with 8 accumulators


def zoom_axis(n_in, n_out):
    """Per output index along one axis of scipy's zoom (order 1, mode 'constant', grid_mode False):
    (first input index, second input index, its weight pair (w0, w1), outside). The coordinate is
    i * (n_in - 1) / (n_out - 1) in double; w0 = 1 - its fraction, w1 = 1 - w0 (scipy's order, which
    is not the fraction itself); the second index past the end mirrors back. `outside`: the rounded
    coordinate passed n_in - 1, where scipy writes cval (0) for the whole element, a row or column
    of zeros at the far edge for some sizes (e.g. 30 -> 15 rows at zoom 0.5012)."""
    factor = (n_in - 1) / (n_out - 1) if n_out > 1 else 1.0
    cc = np.arange(n_out, dtype=np.float64) * factor
    floor = np.floor(cc)
    w0 = 1.0 - (cc - floor)
    w1 = 1.0 - w0
    first = np.minimum(floor.astype(np.intp), n_in - 1)
    second = first + 1
    if n_in > 1:
        second = np.where(second >= n_in, 2 * n_in - 2 - second, second)
    else:
        second = np.zeros_like(first)
    return first, second, (w0, w1), cc > n_in - 1


def zoom_shape(shape, zoom):
    """The output shape scipy's zoom gives: each side times its factor, rounded."""
    zoom = np.broadcast_to(np.asarray(zoom, dtype=np.float64), (len(shape),))
    return tuple(int(round(n * z)) for n, z in zip(shape, zoom))


def zoom_order1(a, zoom):
    """scipy.ndimage.zoom(a, zoom, order=1), term by term: for each output element, in double, the sum
    from 0.0 over the 2^rank corners (the last axis changing fastest) of a[corner] * w_axis0 * w_axis1
    ..., multiplied in axis order, then cast to a's type; 0 where any axis is outside."""
    a = np.asarray(a)
    out_shape = zoom_shape(a.shape, zoom)
    axes = [zoom_axis(n, m) for n, m in zip(a.shape, out_shape)]
    total = np.zeros(out_shape)
    for corner in itertools.product((0, 1), repeat=a.ndim):
        term = a[np.ix_(*[axis[c] for axis, c in zip(axes, corner)])].astype(np.float64)
        for d, ((_, _, weights, _), c) in enumerate(zip(axes, corner)):
            term = term * along(weights[c], d, a.ndim)
        total = total + term
    for d, (_, _, _, outside) in enumerate(axes):
        total = np.where(along(outside, d, a.ndim), 0.0, total)
    return total.astype(a.dtype)


def along(values, axis, ndim):
    """values shaped to broadcast along `axis` of an ndim array."""
    shape = [1] * ndim
    shape[axis] = -1
    return values.reshape(shape)


def pairwise_sum(x):
    """numpy's float32 sum of a contiguous array, in its order: under 8 values one by one from 0; up to
    PAIRWISE_BLOCK values in 8 accumulators, combined ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest
    one by one; longer, the two halves (the first a multiple of 8 long) summed apart and added."""
    x = np.ascontiguousarray(x, dtype=np.float32).ravel()
    n = len(x)
    if n < 8:
        total = np.float32(0)
        for v in x:
            total = np.float32(total + v)
        return total
    if n <= PAIRWISE_BLOCK:
        whole = n - n % 8
        r = x[0:8].copy()
        for i in range(8, whole, 8):
            r = r + x[i:i + 8]
        total = np.float32((r[0] + r[1]) + (r[2] + r[3])) + np.float32((r[4] + r[5]) + (r[6] + r[7]))
        for v in x[whole:]:
            total = np.float32(total + v)
        return np.float32(total)
    half = n // 2
    half -= half % 8
    return np.float32(pairwise_sum(x[:half]) + pairwise_sum(x[half:]))


def pairwise_leaves(n, start=0):
    """The (start, length) of the blocks pairwise_sum sums directly, left to right: the leaves of its
    recursion, which a GPU sums in parallel before it adds them up in the recursion's order
    (kernels.cu's mean_kernel)."""
    if n <= PAIRWISE_BLOCK:
        return [(start, n)]
    half = n // 2
    half -= half % 8
    return pairwise_leaves(half, start) + pairwise_leaves(n - half, start + half)


def combine_leaves(sums, n):
    """pairwise_sum from its leaves' sums (in pairwise_leaves' order), walked as kernels.cu's mean_kernel
    walks it: a stack of (size, stage, left sum) in place of recursion."""
    size, stage, left = [n], [0], [None]
    following, result = iter(sums), np.float32(0)
    while size:
        m = size[-1]
        half = m // 2 - (m // 2) % 8
        if m <= PAIRWISE_BLOCK:
            result = np.float32(next(following))
            size.pop(), stage.pop(), left.pop()
        elif stage[-1] == 0:
            stage[-1] = 1
            size.append(half), stage.append(0), left.append(None)
        elif stage[-1] == 1:
            left[-1], stage[-1] = result, 2
            size.append(m - half), stage.append(0), left.append(None)
        else:
            result = np.float32(left[-1] + result)
            size.pop(), stage.pop(), left.pop()
    return result


def mean_abs(g):
    """np.abs(g).mean() of a float32 array: the float32 pairwise sum of |g|, divided by the count in
    double, cast to float32."""
    return np.float32(np.float64(pairwise_sum(np.abs(g))) / np.float64(np.asarray(g).size))


def step_scale(step_size, mean):
    """The step's factor as the host computes step_size / mean|g|: in float32 (numpy 2 keeps a Python
    float weak), None for a zero mean (the host loop takes no step)."""
    return np.float32(np.float32(step_size) / mean) if mean > 0 else None


def ascend(image, scale, g):
    """image + scale * g, each element rounded to float32 after the product and after the sum (the host's
    src.data[:] += scale * g; a kernel must not fuse them)."""
    return (image + np.float32(scale) * g).astype(np.float32)


def scaled_seed(weight, values):
    """A term's seed as Objective.seed sums it, alone or first: 0 + weight * values, the Python float
    rounded to float32 and one float32 product (numpy's rules), and the sum from 0 (which turns a -0.0
    product into +0.0). A later term's own seed adds to the sum so far; each is this."""
    return 0 + weight * np.asarray(values, dtype=np.float32)


def channel_seed(shape, weight, c):
    """channel(layer, c)'s seed for one image (C x H x W), scaled as scaled_seed."""
    s = np.zeros(shape, np.float32)
    s[c] = 1.0
    return scaled_seed(weight, s)


def masked(g, mask):
    """g * mask, the mask (H x W or 1 x H x W, float32) over each channel: the host's g * np.roll(mask)."""
    return g * np.asarray(mask).reshape(mask.shape[-2:])


def clip_to_mean(image, mean):
    """np.clip(image, -mean, 255 - mean) with the transformer's float32 mean per channel: out =
    min(max(x, -m), 255 - m), the upper bound rounded to float32 as the host's float32 arithmetic
    rounds it."""
    mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
    low, high = -mean, np.float32(255) - mean
    return np.minimum(np.maximum(image, low), high).astype(np.float32)


def roll(image, ox, oy):
    """The notebook's jitter: np.roll(np.roll(image, ox, -1), oy, -2), as a gather: out[y, x] =
    image[(y - oy) mod H, (x - ox) mod W]."""
    h, w = image.shape[-2:]
    rows = (np.arange(h) - oy) % h
    cols = (np.arange(w) - ox) % w
    return image[..., rows[:, None], cols[None, :]]
