"""Where models live, what they must hash to, what each expects (mean, layers), and clear errors when
they are missing."""
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from .download import DEFINITIONS, REGISTRY, models_dir, sha1_of  # noqa: F401 (models_dir, sha1_of: re-exported)
from .engine.parameters import DEFAULT_GUIDE_LAYER, DEFAULT_LAYER
from .errors import DreamError

MODEL_NAMES = [k for k, v in REGISTRY.items() if not k.startswith("_") and "weights" in v]
DEFAULT_MODEL = "bvlc_googlenet"
# the notebook's mean (BGR; dream.network.net.load_net's default): a --prototxt of the user's gets it
IMAGENET_MEAN = tuple(REGISTRY[DEFAULT_MODEL]["mean"])


@dataclass(frozen=True)
class ModelFiles:
    """A prototxt and caffemodel pair, with the weights' expected sha1 when known, and what the model
    expects: the mean its training images had (BGR), the layers it dreams at by default (alone, and with
    a guide), and the layers its gallery shows (None: the GoogLeNet rule, dream.engine.gallery's).
    A --prototxt of the user's gets the notebook's mean and layers."""
    name: str
    prototxt: Path
    weights: Path
    sha1: Optional[str] = None
    mean: Tuple[float, float, float] = IMAGENET_MEAN
    layer: str = DEFAULT_LAYER
    guide_layer: str = DEFAULT_GUIDE_LAYER
    gallery: Optional[Tuple[str, ...]] = None
    gallery_all: Optional[str] = None  # a regular expression: the gallery's layers with --include-branches
    # class images (dream class, the web app's Class tab) read loss3/classifier as BVLC GoogLeNet's 1000
    # ImageNet classes, with deepdraw's schedule for it: the other registry models have other classifiers
    # (Places' scenes under the same name), so they are refused; a --prototxt of the user's is trusted
    class_images: bool = True

    def load(self, gpu=None):
        """This model's network (dream.network.net.load_net, with this model's mean)."""
        from .network.net import load_net
        return load_net(self.prototxt, self.weights, mean=self.mean, gpu=gpu)

    def gallery_layers(self, names, include_branches=False):
        """Of a net's dream layers `names`, the ones a gallery shows, in net order."""
        from .engine.gallery import gallery_layers
        if self.gallery is None:
            return gallery_layers(names, include_branches)
        if include_branches:
            return [n for n in names if n in self.gallery or re.search(self.gallery_all, n)]
        return [n for n in names if n in self.gallery]


def named_model(name: str) -> ModelFiles:
    """The files of a registry model, without checking that they exist."""
    if name not in MODEL_NAMES:
        raise DreamError(f"unknown model {name!r}; known models: {', '.join(MODEL_NAMES)} "
                         f"(or pass --prototxt and --weights)")
    entry = REGISTRY[name]
    folder = models_dir() / name
    shipped = entry["files"][entry["prototxt"]].get("shipped")  # in the package, not downloaded
    prototxt = (DEFINITIONS if shipped else models_dir()) / name / entry["prototxt"]
    gallery = entry.get("gallery")
    return ModelFiles(name, prototxt, folder / entry["weights"], entry["files"][entry["weights"]].get("sha1"),
                      mean=tuple(entry.get("mean", IMAGENET_MEAN)), layer=entry.get("layer", DEFAULT_LAYER),
                      guide_layer=entry.get("guide_layer", DEFAULT_GUIDE_LAYER),
                      gallery=tuple(gallery) if gallery else None, gallery_all=entry.get("gallery_all"),
                      class_images=name == DEFAULT_MODEL)


def check_present(model: ModelFiles, verify_sha1: bool = True) -> None:
    """Raise a DreamError naming the file, where it goes and how to get it."""
    fetch = f"python -m dream download {model.name}" if model.name in MODEL_NAMES else None
    if not model.prototxt.is_file():
        how = f"; get it with: {fetch}" if fetch else ""
        raise DreamError(f"model definition not found: {model.prototxt}{how}")
    if not model.weights.is_file():
        want = f" (sha1 {model.sha1})" if model.sha1 else ""
        how = f"; get it with: {fetch}" if fetch else ""
        raise DreamError(f"weights not found: {model.weights}{want}{how}")
    if verify_sha1 and model.sha1:
        got = sha1_of(model.weights)
        if got != model.sha1:
            raise DreamError(f"checksum mismatch: {model.weights} has sha1 {got}, expected {model.sha1}; "
                             f"the file is corrupt or another model: delete it and run {fetch}")


def load_model(name: str = DEFAULT_MODEL, gpu=None):
    """A registry model's net, by name, as the command line loads --model NAME: the packaged definition,
    the downloaded weights (checked against their sha1), the model's mean. gpu: a device id, or None for
    the CPU."""
    model = named_model(name)
    check_present(model, verify_sha1=model.sha1 is not None)
    return model.load(gpu)
