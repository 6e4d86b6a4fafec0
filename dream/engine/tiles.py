"""Tile plans: which tiles an octave's gradient is computed in, chosen to fit a memory budget.

Cores (the parts of tiles that are kept) start at multiples of the layers' stride
and tile the image; each tile adds a margin on every side, cut at the image edge.
Of all core sizes whose largest tile fits the budget, the plan computes the fewest
pixels: margins are recomputed work, so fewer, larger tiles are cheaper.
"""
import numpy as np

from ..errors import DreamError
from ..network.memory import memory_terms, gigabytes
from ..network.receptive import tile_geometry
from ..network.shapes import deepest_layer, spatial_sizes

# Room for the allocator's slack on what the plans model of a tile: without it a 2048x1536 dream at
# inception_3b under --max-memory 1G once peaked 0.03% over (per-layer im2col buffers); with it,
# and the shared buffer, it peaks at 0.88 GB.
TILE_MODEL_HEADROOM = 1.10
# numpy arrays a tile adds, per pixel of the tile (not of the octave: see TILED_OCTAVE_BYTES_PER_PIXEL):
# its input, the gradient copies of the objective,
# the mask's tile.
TILE_BYTES_PER_PIXEL = 48


class Axis:
    """One axis of a plan: cores of `core` pixels (the last one shorter), each in a tile
    `margin` pixels wider on both sides, cut at 0 and `length`."""

    def __init__(self, length, core, margin):
        self.length, self.core, self.margin = length, core, margin
        starts = range(0, length, core)
        self.cores = [(a, min(a + core, length)) for a in starts]
        self.tiles = [(max(0, a - margin), min(length, b + margin)) for a, b in self.cores]
        self.largest = max(b - a for a, b in self.tiles)
        self.smallest = min(b - a for a, b in self.tiles)
        self.computed = sum(b - a for a, b in self.tiles)


def axis_options(length, stride, margin):
    """Every distinct split of one axis into stride-aligned cores, fewest tiles first."""
    options, seen = [], set()
    for n in range(1, -(-length // stride) + 1):
        core = -(-(-(-length // n)) // stride) * stride  # ceil(length / n), rounded up to the stride
        if core not in seen:
            seen.add(core)
            options.append(Axis(length, core, margin))
    return options


class TilePlan:
    """The tiles of one octave, as (tile, core) slice pairs per axis, and the memory they need."""

    def __init__(self, rows, cols, peak, stride, margin):
        self.rows, self.cols, self.peak, self.stride, self.margin = rows, cols, peak, stride, margin
        self.whole = None  # the peak predicted for the octave dreamed whole (plan_octaves sets it)

    def __len__(self):
        return len(self.rows.cores) * len(self.cols.cores)

    @property
    def overhead(self):
        """Pixels computed over pixels kept: the cost of the margins."""
        return self.rows.computed * self.cols.computed / (self.rows.length * self.cols.length)

    def tiles(self):
        """(tile rows, tile cols, core rows, core cols) as slices of the image."""
        for (ty, cy) in zip(self.rows.tiles, self.rows.cores):
            for (tx, cx) in zip(self.cols.tiles, self.cols.cores):
                yield slice(*ty), slice(*tx), slice(*cy), slice(*cx)

    def describe(self):
        return (f"{len(self.cols.cores)}x{len(self.rows.cores)} tiles of up to "  # width x height, as images
                f"{self.cols.largest}x{self.rows.largest} px (margin {self.margin[1]} px, "
                f"{self.overhead:.2f}x the pixels), predicted peak {gigabytes(self.peak)}")


def _sizes(net, n, end):
    """spatial_sizes of an n x n input, None where some blob up to `end` would be empty."""
    try:
        return spatial_sizes(net.dream_param, n, n, end)
    except DreamError:
        return None


def _bytes_table(net, lengths_h, lengths_w, end):
    """Caffe's bytes for every (h in lengths_h, w in lengths_w) input, inf where the net cannot take it."""
    fixed, per_area, largest = memory_terms(net, end)
    blobs, buffers = list(per_area), list(largest)
    weights = np.array([per_area[b] for b in blobs], dtype=np.float64)

    def sides(lengths, axis, names):
        all_sizes = [_sizes(net, n, end) for n in lengths]
        return np.array([[s[b][axis] for b in names] if s else [np.inf] * len(names) for s in all_sizes])

    h, w = sides(lengths_h, 0, blobs + buffers), sides(lengths_w, 1, blobs + buffers)
    with np.errstate(invalid="ignore"):
        table = fixed + (h[:, :len(blobs)] * weights) @ w[:, :len(blobs)].T
        if buffers:  # the largest of the shared buffers, for every (h, w)
            bh, bw = h[:, len(blobs):], w[:, len(blobs):]
            sizes = np.array([largest[b] for b in buffers]) * bh[:, None, :] * bw[None, :, :]
            table = table + sizes.max(axis=2)
    return np.where(np.isfinite(table), table, np.inf)


def plan_tiles(net, height, width, ends, budget, fixed_bytes, margin=None):
    """The cheapest TilePlan for a height x width octave whose peak (fixed_bytes, plus Caffe and
    the tile's arrays at the largest tile) is within `budget`; DreamError if none is.

    margin: pixels per side, rounded up to the stride; None for the exact margin.
    """
    stride, exact = tile_geometry(net.dream_param, ends)
    if margin is not None:
        margin = tuple(-(-margin // s) * s for s in stride)
    else:
        margin = exact
    deepest = deepest_layer(net._layer_names, ends)
    rows, cols = axis_options(height, stride[0], margin[0]), axis_options(width, stride[1], margin[1])
    caffe = _bytes_table(net, [a.largest for a in rows], [a.largest for a in cols], deepest)
    arrays = TILE_BYTES_PER_PIXEL * np.outer([a.largest for a in rows], [a.largest for a in cols])
    peak = fixed_bytes + (caffe + arrays) * TILE_MODEL_HEADROOM  # fixed_bytes holds the measured RSS
    computed = np.outer([a.computed for a in rows], [a.computed for a in cols]).astype(np.float64)
    # every tile must be one the net can take: with a small --tile-margin the last one can be tiny
    takes = [[_sizes(net, a.smallest, deepest) is not None for a in axis] for axis in (rows, cols)]
    usable = np.outer(*takes)
    cost = np.where((peak <= budget) & usable, computed, np.inf)
    if not np.isfinite(cost).any():
        i, j = np.unravel_index(np.where(usable, peak, np.inf).argmin(), peak.shape)
        least = np.ceil(peak[i, j] / 1e8) / 10  # GB, rounded up
        raise DreamError(f"even the smallest tiles ({cols[j].largest}x{rows[i].largest} px at {deepest}) "
                         f"need {least:.1f} GB of memory and the budget is {gigabytes(budget)}; "
                         f"allow {least:.1f}G or more, use a smaller tile margin, or an earlier layer")
    # ties (a margin of 0 computes every pixel once whatever the split): the fewest tiles, then the smaller peak
    tiles = np.outer([len(a.cores) for a in rows], [len(a.cores) for a in cols])
    i, j = np.unravel_index(np.lexsort((peak.ravel(), tiles.ravel(), cost.ravel()))[0], cost.shape)
    return TilePlan(rows[i], cols[j], float(peak[i, j]), stride, margin)
