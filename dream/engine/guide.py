"""Controlling dreams with a guide image: match each feature to its best guide feature."""
from ..errors import DreamError
from ..network.blobs import set_input
from ..network.memory import check_fits, net_bytes
from ..network.net import check_end, check_input_size, check_input_values, forward, preprocess
from .objective import Objective


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
    set_input(net, preprocess(net, guide))
    forward(net, end)
    return net.blobs[end].data[0].copy()


def guide_seed(guide_features):
    """The notebook's objective_guide as a seed: each position of dst set to its best-matching guide
    feature."""
    def seed(dst):
        x = dst.data[0].copy()
        y = guide_features
        ch = x.shape[0]
        x = x.reshape(ch, -1)
        y = y.reshape(ch, -1)
        A = x.T.dot(y)  # compute the matrix of dot-products with guide features
        return y[:, A.argmax(1)].reshape(dst.diff.shape)  # select ones that match best
    return seed


def objective_guide(guide_features):
    """The notebook's objective_guide, closed over the guide's features: an Objective on the step's layer
    (objective_guide(feats)(dst) seeds dst as the notebook's did). Each position matches on its own: it
    can be tiled."""
    return Objective([(None, 1.0, guide_seed(guide_features))], "objective_guide")
