"""The multi-scale loop: dream at each octave, carrying the detail upwards."""
import math

import numpy as np
import scipy.ndimage as nd

from ..errors import DreamError
from ..network.memory import OCTAVE_COPY_BYTES_PER_PIXEL, TILED_OCTAVE_BYTES_PER_PIXEL, dream_bytes, gigabytes, \
    own_rss, unknown_to_memory_model
from ..network.shapes import deepest_layer
from ..network import net as nets
from ..network.blobs import set_input
from ..network.net import check_end, check_input_size, check_input_values, deprocess, preprocess
from .step import make_step, objective_L2
from .tiled_step import make_tiled_step
from .tiles import plan_tiles


def smallest_octave(height, width, octave_n=4, octave_scale=1.4):
    """(h, w) of the last octave, rounded at each step as nd.zoom rounds its output shape."""
    return octave_sizes(height, width, octave_n, octave_scale)[-1]


def check_dream_input(net, height, width, octave_n=4, octave_scale=1.4, end='inception_4c/output'):
    """Raise DreamError, before any work, for a layer name or image size that Caffe cannot take."""
    check_end(net, end)
    try:
        check_input_size(net, *smallest_octave(height, width, octave_n, octave_scale), end)
    except DreamError as e:
        raise DreamError(f"{e}: the smallest of {octave_n} octaves of this {width}x{height} image; "
                         f"use a larger image, fewer octaves, or an earlier layer") from None


def octave_sizes(height, width, octave_n=4, octave_scale=1.4):
    """(h, w) of every octave, largest first, as octave_bases makes them."""
    sizes = [(height, width)]
    for _ in range(octave_n - 1):
        sizes.append(tuple(int(round(n / octave_scale)) for n in sizes[-1]))
    return sizes


def plan_octaves(net, height, width, octave_n=4, octave_scale=1.4, ends=('inception_4c/output',),
                 objective=None, max_memory=None, tile_margin=None):
    """Per octave, smallest first: None where it is dreamed whole, else the TilePlan it is dreamed in.

    max_memory: the peak this process may reach, in bytes; None: no bound, every octave whole (the
    notebook's way; a front end's budget comes from dream.runs.budget, the one place that turns "none
    given" into what the machine has). tile_margin: pixels each tile adds around its core; None for the
    exact margin, which makes the tiled dream identical to the untiled one. Raises DreamError if an
    octave fits in no way.
    """
    budget = math.inf if max_memory is None else max_memory
    sizes = octave_sizes(height, width, octave_n, octave_scale)
    now = own_rss() + OCTAVE_COPY_BYTES_PER_PIXEL * sum(h * w for h, w in sizes)  # the octave bases
    plans = []
    for h, w in sizes:  # largest first: an error names the photo's own size
        whole = now + dream_bytes(net, h, w, ends)
        if whole <= budget and tile_margin is None:
            plans.append(None)
            continue
        where = f"dreaming a {w}x{h} octave at {ends[-1]}"
        if not getattr(objective if objective is not None else objective_L2, "local", False):
            raise DreamError(f"{where} needs about {gigabytes(whole)} of memory and the budget is "
                             f"{gigabytes(budget)}; {objective} cannot be computed in tiles")
        if tile_margin is None and nets.INEXACT_TILES and getattr(net, "dream_gpu", None) is None:
            raise DreamError(f"{where} needs about {gigabytes(whole)} of memory and the budget is "
                             f"{gigabytes(budget)}, and tiles would not be the whole image's bytes here: "
                             f"{nets.INEXACT_TILES}")
        unknown = unknown_to_memory_model(net, deepest_layer(net._layer_names, ends))
        if tile_margin is None and unknown:
            raise DreamError(f"{where} needs about {gigabytes(whole)} of memory by an estimate that misses a layer, "
                             f"and the budget is {gigabytes(budget)}; exact tiles are refused: {unknown} "
                             f"(--tile-margin tiles anyway, inexact, within that estimate)")
        try:
            plan = plan_tiles(net, h, w, ends, budget, now + TILED_OCTAVE_BYTES_PER_PIXEL * h * w, tile_margin)
        except DreamError as e:
            raise DreamError(f"{where}: {e}") from None
        plan.whole = whole
        plans.append(plan)
    return plans[::-1]


def check_dream_run(net, base_img, octave_n, octave_scale, ends, objective=None, mask=None,
                    max_memory=None, tile_margin=None):
    """Every check deepdream makes before it starts: layers, sizes, values, the mask, memory.
    Returns plan_octaves' plans."""
    for layer in ends:
        check_dream_input(net, *base_img.shape[:2], octave_n, octave_scale, layer)
    if hasattr(objective, 'check'):
        objective.check(net)
    check_input_values(base_img, "the image")
    if mask is not None:
        if mask.shape != base_img.shape[:2]:
            raise DreamError(f"mask is {mask.shape[1]}x{mask.shape[0]}, the image {base_img.shape[1]}x{base_img.shape[0]}")
        check_input_values(mask, "the mask")
    return plan_octaves(net, *base_img.shape[:2], octave_n, octave_scale, ends, objective, max_memory,
                        tile_margin)


def octave_bases(net, base_img, octave_n=4, octave_scale=1.4):
    """The preprocessed image at each octave, largest first, as the notebook makes them."""
    octaves = [preprocess(net, base_img)]
    for _ in range(octave_n - 1):
        octaves.append(nd.zoom(octaves[-1], (1, 1.0 / octave_scale, 1.0 / octave_scale), order=1))
    return octaves


def deepdream(net, base_img, iter_n=10, octave_n=4, octave_scale=1.4,
              end='inception_4c/output', clip=True, progress=None, mask=None,
              max_memory=None, tile_margin=None, plans=None, **step_params):
    """The notebook's deepdream: returns the dreamed H x W x 3 RGB float image.

    progress(octave, i, data) is called after every step, with `data` the
    current 3 x H x W input, valid during the call: in the host loop a view,
    in the device loop a StepImage (dream/device/loop.py: its .shape, and its
    pixels by data.copy() or np.asarray(data)); copy it to keep it. mask: an H x W
    array in 0..1 that confines the dream (resized with each octave). step_params
    go to make_step (step_size, jitter, objective, rng, exact_gradient).
    An octave that does not fit in max_memory bytes is dreamed in tiles, with
    the same result (see plan_octaves; None: no bound, every octave whole). plans:
    plan_octaves' result, if already made (dream.engine.prepare makes it).
    """
    objective = step_params.get('objective')
    if plans is None:
        plans = check_dream_run(net, base_img, octave_n, octave_scale, getattr(objective, 'layers', None) or [end],
                                objective, mask, max_memory, tile_margin)
    device = device_loop_for(net, mask, plans)
    if device is not None:
        from ..device.loop import deepdream_on_device
        return deepdream_on_device(net, base_img, device, iter_n, octave_n, octave_scale, end, clip,
                                   progress=progress, mask=mask, **{k: v for k, v in step_params.items()
                                                         if k in ('step_size', 'jitter', 'rng', 'objective',
                                                                  'exact_gradient')})
    # prepare base images for all octaves
    octaves = octave_bases(net, base_img, octave_n, octave_scale)

    src = net.blobs['data']
    detail = np.zeros_like(octaves[-1])  # allocate image for network-produced details
    for octave, octave_base in enumerate(octaves[::-1]):
        h, w = octave_base.shape[-2:]
        if octave > 0:
            # upscale details from the previous octave
            h1, w1 = detail.shape[-2:]
            detail = nd.zoom(detail, (1, 1.0 * h / h1, 1.0 * w / w1), order=1)
        if mask is not None:
            step_params['mask'] = nd.zoom(mask, (h / mask.shape[0], w / mask.shape[1]), order=1)
        if plans[octave] is not None:  # too large for memory: the same octave, in tiles
            detail = tiled_octave(net, octave_base, detail, plans[octave], iter_n, end, clip,
                                  lambda i, data: progress and progress(octave, i, data),
                                  last=octave == octave_n - 1, **step_params)
            continue

        set_input(net, octave_base + detail)  # resized to the octave's size
        for i in range(iter_n):
            make_step(net, end=end, clip=clip, **step_params)
            if progress is not None:
                progress(octave, i, src.data[0])

        # extract details produced on the current octave
        detail = src.data[0] - octave_base
    if plans[-1] is not None:
        return deprocess(net, detail)  # the tiled octave's image
    # returning the resulting image
    return deprocess(net, src.data[0])


_SAID = set()  # why the device loop declined, each said once


def device_loop_for(net, mask, plans):
    """The device that dreams this run in the device loop (dream/device), or None for the host loop.

    $DREAM_DEVICE_LOOP: unset, a GPU net's CUDA kernels where the loop's check passed on that GPU with
    this build (dream/device/self_check.py: once, in a child process, remembered); "1", the loop
    unchecked, and on the CPU its numpy stand-in (the same bytes, for checking); "0", never. A dream the
    loop cannot take, or a GPU where its check failed, takes the host loop and says why in one line."""
    import os
    setting = os.environ.get("DREAM_DEVICE_LOOP")
    gpu = getattr(net, "dream_gpu", None)
    if setting == "0" or (gpu is None and setting != "1"):
        return None
    from ..device.loop import unsupported
    why = unsupported(mask, plans)
    if why is None and gpu is not None and setting != "1":
        from ..device.self_check import proven
        why = proven(gpu)
    if why is not None:
        if why not in _SAID:  # once a process: a video asks at every frame
            import sys
            print(f"dream: the host loop dreams this: {why}", file=sys.stderr)
            _SAID.add(why)
        return None
    if gpu is None:
        from ..device.host_stand_in import HostStandIn
        return HostStandIn()
    from ..device.cuda_device import cuda_device
    return cuda_device(gpu)


def tiled_octave(net, octave_base, detail, plan, iter_n, end, clip, progress, last, **step_params):
    """One octave's steps with make_tiled_step: returns its detail (the image itself if `last`).

    The image is built in the detail's array, which the octave no longer needs
    (b + a == a + b exactly): one full-size array less.
    """
    image = detail
    image += octave_base
    for i in range(iter_n):
        make_tiled_step(net, image, plan, end=end, clip=clip, **step_params)
        progress(i, image)
    if not last:
        image -= octave_base
    return image
