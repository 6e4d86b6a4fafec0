"""Natural-image priors on a 3 x H x W image: each returns (value, gradient), float64."""
import numpy as np


def total_variation(x, eps=1.0):
    """Smoothed isotropic TV: sum over pixels of sqrt(dx^2 + dy^2 + eps^2), forward differences.

    eps (in grey levels) keeps it differentiable where the image is flat.
    """
    x = np.asarray(x, dtype=np.float64)
    dx = np.zeros_like(x)
    dy = np.zeros_like(x)
    dx[:, :, :-1] = x[:, :, 1:] - x[:, :, :-1]
    dy[:, :-1, :] = x[:, 1:, :] - x[:, :-1, :]
    m = np.sqrt(dx ** 2 + dy ** 2 + eps ** 2)
    gx, gy = dx / m, dy / m
    grad = -gx - gy
    grad[:, :, 1:] += gx[:, :, :-1]
    grad[:, 1:, :] += gy[:, :-1, :]
    return float(m.sum()), grad


def l2(x):
    """The squared L2 norm of the (mean-subtracted) image."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(x * x)), 2.0 * x


PRIORS = {"tv": total_variation, "l2": l2}
