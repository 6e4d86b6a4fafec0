"""Controlling dreams with a guide image: match each feature to its best guide feature."""
from ..errors import DreamError
from ..network.memory import check_fits, net_bytes
from ..network.net import check_end, check_input_size, check_input_values, forward, preprocess


def guide_features(net, guide, end='inception_3b/output', max_memory=None):
    """The guide image's activations at `end` (C x H x W), as the notebook extracts them; max_memory: the
    bytes they may take (default: what the machine has available). They cannot be tiled."""
    check_end(net, end)
    h, w = guide.shape[:2]
    try:
        check_input_size(net, h, w, end)
    except DreamError as e:
        raise DreamError(f"guide image: {e}; use a larger guide image or an earlier layer") from None
    check_input_values(guide, "the guide image")
    check_fits(net_bytes(net, h, w, end), f"the {w}x{h} guide image at {end}", "use a smaller guide image",
               max_memory)
    src, dst = net.blobs['data'], net.blobs[end]
    src.reshape(1, 3, h, w)
    src.data[0] = preprocess(net, guide)
    forward(net, end)
    return dst.data[0].copy()


def objective_guide(guide_features):
    """The notebook's objective_guide, closed over the guide's features."""
    def objective(dst):
        x = dst.data[0].copy()
        y = guide_features
        ch = x.shape[0]
        x = x.reshape(ch, -1)
        y = y.reshape(ch, -1)
        A = x.T.dot(y)  # compute the matrix of dot-products with guide features
        dst.diff[0].reshape(ch, -1)[:] = y[:, A.argmax(1)]  # select ones that match best
    objective.local = True  # each position matches on its own: it can be tiled
    return objective
