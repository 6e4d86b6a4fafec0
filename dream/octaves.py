"""The multi-scale loop: dream at each octave, carrying the detail upwards."""
import numpy as np
import scipy.ndimage as nd

from .errors import DreamError
from .memory import check_fits, dream_bytes
from .net import check_end, check_input_size, check_input_values, deprocess, preprocess
from .step import make_step


def smallest_octave(height, width, octave_n=4, octave_scale=1.4):
    """(h, w) of the last octave, rounded at each step as nd.zoom rounds its output shape."""
    for _ in range(octave_n - 1):
        height, width = int(round(height / octave_scale)), int(round(width / octave_scale))
    return height, width


def check_dream_input(net, height, width, octave_n=4, octave_scale=1.4, end='inception_4c/output'):
    """Raise DreamError, before any work, for a layer name or image size that Caffe cannot take."""
    check_end(net, end)
    try:
        check_input_size(net, *smallest_octave(height, width, octave_n, octave_scale), end)
    except DreamError as e:
        raise DreamError(f"{e}: the smallest of {octave_n} octaves of this {width}x{height} image; "
                         f"use a larger image, fewer octaves, or an earlier layer") from None


def check_dream_memory(net, height, width, ends):
    """Raise DreamError if dreaming a height x width image at `ends` would not fit in memory."""
    check_fits(dream_bytes(net, height, width, ends), f"dreaming a {width}x{height} image at {ends[-1]}",
               "use a smaller image or an earlier layer")


def check_dream_run(net, base_img, octave_n, octave_scale, ends, objective=None, mask=None):
    """Every check deepdream makes before it starts: layers, sizes, values, the mask, memory."""
    for layer in ends:
        check_dream_input(net, *base_img.shape[:2], octave_n, octave_scale, layer)
    if hasattr(objective, 'check'):
        objective.check(net)
    check_input_values(base_img, "the image")
    if mask is not None:
        if mask.shape != base_img.shape[:2]:
            raise DreamError(f"mask is {mask.shape[1]}x{mask.shape[0]}, the image {base_img.shape[1]}x{base_img.shape[0]}")
        check_input_values(mask, "the mask")
    check_dream_memory(net, *base_img.shape[:2], ends)


def octave_bases(net, base_img, octave_n=4, octave_scale=1.4):
    """The preprocessed image at each octave, largest first, as the notebook makes them."""
    octaves = [preprocess(net, base_img)]
    for _ in range(octave_n - 1):
        octaves.append(nd.zoom(octaves[-1], (1, 1.0 / octave_scale, 1.0 / octave_scale), order=1))
    return octaves


def deepdream(net, base_img, iter_n=10, octave_n=4, octave_scale=1.4,
              end='inception_4c/output', clip=True, progress=None, mask=None, **step_params):
    """The notebook's deepdream: returns the dreamed H x W x 3 RGB float image.

    progress(octave, i, data) is called after every step, with `data` the
    net's current 3 x H x W input (a view: copy it to keep it). mask: an H x W
    array in 0..1 that confines the dream (resized with each octave). step_params
    go to make_step (step_size, jitter, objective, rng, exact_gradient).
    """
    objective = step_params.get('objective')
    check_dream_run(net, base_img, octave_n, octave_scale, getattr(objective, 'layers', None) or [end],
                    objective, mask)
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

        src.reshape(1, 3, h, w)  # resize the network's input image size
        src.data[0] = octave_base + detail
        if mask is not None:
            step_params['mask'] = nd.zoom(mask, (h / mask.shape[0], w / mask.shape[1]), order=1)
        for i in range(iter_n):
            make_step(net, end=end, clip=clip, **step_params)
            if progress is not None:
                progress(octave, i, src.data[0])

        # extract details produced on the current octave
        detail = src.data[0] - octave_base
    # returning the resulting image
    return deprocess(net, src.data[0])
