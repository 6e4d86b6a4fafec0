"""Masks that confine a dream to a region: white dreams, black stays, with a soft edge."""
import numpy as np
import PIL.Image
import scipy.ndimage as nd

from ..images import load_image


def soft_mask(rgb, height, width, feather=8.0):
    """An H x W float32 mask in 0..1 from an RGB image (its brightness), resized, edge blurred by `feather` px."""
    gray = rgb.mean(axis=2) / 255.0
    resized = PIL.Image.fromarray(np.float32(gray), mode="F").resize((width, height), PIL.Image.BILINEAR)
    mask = np.asarray(resized, dtype=np.float32)
    if feather > 0:
        mask = nd.gaussian_filter(mask, feather)
    return np.clip(mask, 0.0, 1.0).astype(np.float32)


def load_mask(path, height, width, feather=8.0):
    """soft_mask of an image file; any format load_image reads."""
    return soft_mask(load_image(path), height, width, feather)
