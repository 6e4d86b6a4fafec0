"""The one thin adapter through which dream writes Caffe's blobs: the input image in, the diffs cleared,
an objective's seed written, the gradient at the input read back. (make_step's own in-place lines on the
input blob, the notebook's, stay where the notebook wrote them.)"""
def set_input(net, image):
    """The 3 x H x W image as the net's input, the input blob reshaped to its size."""
    src = net.blobs['data']
    src.reshape(1, 3, *image.shape[-2:])
    src.data[0] = image


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


def seed_diff(net, layer, seed):
    """Blob `layer`'s diff set to an objective's seed, an array of the blob's shape."""
    net.blobs[layer].diff[:] = seed


def gradient_from(net, layer):
    """backward(start=layer): the gradient at the input, 3 x H x W (a view of the input blob's diff, valid
    until the next backward)."""
    net.backward(start=layer)
    return net.blobs['data'].diff[0]

