"""The enhance objective: find X minimising ||f_n(X) - k f_n(X0)||^2 / ||k f_n(X0)||^2 + lambda R(X) / (3HW).

f_n is layer n's activation, X0 the photo, k an amplification, R a natural-image
prior (total variation or L2). The two normalisations make lambda mean the same
at every image size and layer. Caffe gives the data term's gradient with one
backward(start=n); the optimiser is scipy's L-BFGS-B within the pixel range, or
the notebook's normalised step.
"""
import numpy as np
import scipy.optimize

from ..network.blobs import set_input
from ..network.memory import ENHANCE_ARRAY_BYTES_PER_PIXEL, check_fits, net_bytes
from ..network.net import check_end, check_input_size, check_input_values, deprocess, forward, preprocess
from ..objectives.priors import PRIORS
from .objective import Objective
from .step import step_scale


def enhance_loss(net, layer, target, prior="tv", prior_weight=0.1):
    """loss(x) -> (value, gradient) for a flat float64 input x of the data blob's shape."""
    src = net.blobs['data']
    shape = src.data[0].shape
    scale = float(np.sum(np.square(target, dtype=np.float64)))
    prior_fn, pixels = PRIORS[prior], float(np.prod(shape))

    residuals = []

    def seed(dst):  # the data term's gradient at the layer; its residual kept for the loss's value
        residuals.append(dst.data[0].astype(np.float64) - target)
        return (2.0 * residuals[-1] / scale)[None]
    data_term = Objective([(layer, 1.0, seed)], "enhance")  # names its layer: exact gradients

    def loss(x):
        src.data[0] = x.reshape(shape)
        grad = data_term.input_gradient(net).astype(np.float64)
        residual = residuals.pop()
        value = float(np.sum(residual * residual)) / scale
        if prior_weight:
            p, pg = prior_fn(x.reshape(shape))
            value += prior_weight * p / pixels
            grad = grad + prior_weight * pg / pixels
        return value, grad.ravel()
    return loss


def check_enhance(net, img, layer, budget=None):
    """Raise DreamError, before any work, for a layer, image or size enhance cannot take."""
    check_end(net, layer)
    h, w = img.shape[:2]
    check_input_size(net, h, w, layer)
    check_input_values(img, "the image")
    check_fits(net_bytes(net, h, w, layer) + ENHANCE_ARRAY_BYTES_PER_PIXEL * h * w,
               f"enhancing a {w}x{h} image at {layer}", "use a smaller image or an earlier layer", budget)


def enhance(net, img, layer='inception_4c/output', amplify=2.0, prior="tv", prior_weight=0.1,
            optimizer="lbfgs", iter_n=20, step_size=1.5, progress=None, max_memory=None):
    """Returns the enhanced H x W x 3 RGB image; progress(i, loss) after each iteration; max_memory: the
    bytes it may take (None: no bound)."""
    check_enhance(net, img, layer, max_memory)
    h, w = img.shape[:2]
    if prior not in PRIORS:
        raise ValueError(f"prior must be one of {sorted(PRIORS)}")
    x0 = preprocess(net, img)
    set_input(net, x0)
    forward(net, layer)
    target = amplify * net.blobs[layer].data[0].astype(np.float64)
    loss = enhance_loss(net, layer, target, prior, prior_weight)
    bias = net.transformer.mean['data'].astype(np.float64)  # 3 x 1 x 1
    lower = np.broadcast_to(-bias, x0.shape).ravel()
    upper = np.broadcast_to(255.0 - bias, x0.shape).ravel()

    x = x0.astype(np.float64).ravel()
    if optimizer == "lbfgs":
        step = [0]

        def callback(intermediate_result):  # scipy passes the accepted point and its loss
            if progress is not None:
                progress(step[0], float(intermediate_result.fun))
            step[0] += 1
        result = scipy.optimize.minimize(loss, x, jac=True, method="L-BFGS-B",
                                         bounds=scipy.optimize.Bounds(lower, upper),
                                         # the normalised loss is O(1) with tiny per-pixel gradients:
                                         # stop on iterations, not on scipy's default tolerances
                                         options={"maxiter": iter_n, "gtol": 1e-14, "ftol": 1e-14},
                                         callback=callback)
        x = result.x
    elif optimizer == "step":  # the notebook's normalised step, downhill, clipped to the pixel range
        for i in range(iter_n):
            value, g = loss(x)
            scale = step_scale(g, step_size)
            if scale is not None:
                x = np.clip(x - scale * g, lower, upper)
            if progress is not None:
                progress(i, value)
    else:
        raise ValueError("optimizer must be 'lbfgs' or 'step'")
    return deprocess(net, np.float32(x.reshape(x0.shape)))
