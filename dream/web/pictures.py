"""The layer pictures the app's gallery shows: what each layer dreams, made once per model."""
from pathlib import Path

import numpy as np

from ..errors import DreamError

GALLERY_SIZE = (192, 144)  # the pictures' base image, W x H


def layer_pictures(net, model, weights_sha1, cache_root):
    """[(picture path, layer)] of the model's gallery layers (dream.models.ModelFiles), dreamed once per
    model on a neutral image and kept under cache_root/weights_sha1 (a re-start reads them back)."""
    from ..engine.gallery import tile_name
    from ..images import save_image
    from ..network.net import dream_layers
    from ..engine.octaves import deepdream
    folder = Path(cache_root) / (weights_sha1 or model.name)
    folder.mkdir(parents=True, exist_ok=True)
    w, h = GALLERY_SIZE
    base = np.float32(np.random.RandomState(0).uniform(100, 156, (h, w, 3)))  # grey noise: the layer's own patterns
    pictures = []
    for i, layer in enumerate(model.gallery_layers(dream_layers(net))):
        path = folder / tile_name(i, layer)
        if not path.exists():
            try:
                out = deepdream(net, base, iter_n=10, octave_n=3, end=layer, rng=np.random.RandomState(0))
            except DreamError:  # too deep for the small base: no picture, still in the layer list
                continue
            save_image(out, path, {"layer": layer})
        pictures.append((str(path), layer))
    return pictures


def caption(layer):
    """A gallery caption short enough to show whole: 'inception_4c/output' -> '4c'."""
    if layer.startswith("inception_") and layer.endswith("/output"):
        return layer[len("inception_"):-len("/output")]
    return layer
