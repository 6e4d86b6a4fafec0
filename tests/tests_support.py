"""What several test files compute alike."""
import numpy as np

from dream.engine.octaves import octave_sizes, plan_octaves
from dream.network.memory import OCTAVE_COPY_BYTES_PER_PIXEL, dream_bytes, own_rss


def budget_below_whole(net, img, octave_n, ends, fraction=1.0):
    """A max_memory that the largest octave, dreamed whole, exceeds (fraction 1: by one byte)."""
    sizes = octave_sizes(*img.shape[:2], octave_n)
    arrays = OCTAVE_COPY_BYTES_PER_PIXEL * sum(h * w for h, w in sizes)
    return own_rss() + arrays + fraction * dream_bytes(net, *img.shape[:2], ends) - 1


def budget_forcing_tiles(net, img, octave_n, ends):
    """A budget under which the largest octave is dreamed in more than one tile, for a test that plans
    with it later (a prepared Dream). The process's resident memory moves by hundreds of MB between
    this and that plan (CI once saw the whole octave fit 0.6 of its need by then), so the budget is
    halfway between the least under which the octave plans in tiles and the whole octave's need."""
    import gc
    from dream.errors import DreamError
    gc.collect()
    tiles = []
    for fraction in np.arange(0.95, 0.2, -0.05):
        try:
            plans = plan_octaves(net, *img.shape[:2], octave_n, 1.4, ends, None,
                                 budget_below_whole(net, img, octave_n, ends, fraction))
        except DreamError:  # below the smallest tile
            break
        if plans[-1] is not None and len(plans[-1]) > 1:
            tiles.append(fraction)
    assert tiles, "no budget forced tiles"
    return budget_below_whole(net, img, octave_n, ends, (min(tiles) + 1) / 2)


def tiled_plans(net, img, octave_n, ends, objective=None, fraction=1.0):
    """plan_octaves' plans whose largest octave is dreamed in more than one tile, at a budget just below
    the whole octave's (budget_below_whole(fraction)). The process's resident memory moves by hundreds of
    MB between that sum and the plan's own (measured with ResNet-152: the same octave's whole figure 2.44
    GB, then 1.88 GB a moment later; CI once saw a whole octave fit a budget meant to be one byte short),
    so each try measures afresh and asks 5% less of the whole; a budget below the smallest tile is
    skipped; where one tile fits, just below that tile."""
    import gc
    from dream.errors import DreamError
    plans = [None]
    for step in range(8):
        gc.collect()
        budget = budget_below_whole(net, img, octave_n, ends, fraction - 0.05 * step)
        try:
            plans = plan_octaves(net, *img.shape[:2], octave_n, 1.4, ends, objective, budget)
        except DreamError:  # below the smallest tile
            continue
        if plans[-1] is not None:
            break
    if plans[-1] is not None and len(plans[-1]) == 1:  # one tile fits with fewer arrays: go below it
        plans = plan_octaves(net, *img.shape[:2], octave_n, 1.4, ends, objective, plans[-1].peak - 1)
    assert plans[-1] is not None and len(plans[-1]) > 1, "the budget did not force tiles"
    return plans


def free_udp_port():
    """A UDP port on 127.0.0.1 that nothing holds now."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def save_random_weights(prototxt, path, seed=0):
    """A caffemodel for `prototxt`'s real architecture with seeded random weights, fit to dream with:
    Caffe's own fillers where the definition names them (caffe.set_random_seed), He-normal weights from
    numpy's seeded RNG where it names none (Caffe would leave them zero: no gradient at all), and batch
    normalisation that passes its input through (mean 0, variance 1, scale 1, bias 0), where Caffe's
    zeros would multiply every activation by 1/sqrt(eps) until it overflows."""
    import numpy as np
    import caffe
    caffe.set_mode_cpu()
    caffe.set_random_seed(seed)
    net = caffe.Net(str(prototxt), caffe.TEST)
    rng = np.random.RandomState(seed)
    for name, layer in zip(net._layer_names, net.layers):
        blobs = layer.blobs
        if layer.type == "BatchNorm":
            blobs[0].data[...], blobs[1].data[...], blobs[2].data[...] = 0, 1, 1
        elif layer.type == "Scale":
            blobs[0].data[...] = 1
            if len(blobs) > 1:
                blobs[1].data[...] = 0
        elif layer.type in ("Convolution", "InnerProduct") and not blobs[0].data.any():
            fan_in = int(np.prod(blobs[0].data.shape[1:]))
            blobs[0].data[...] = rng.normal(0, np.sqrt(2.0 / fan_in), blobs[0].data.shape)
    net.save(str(path))
    return path
