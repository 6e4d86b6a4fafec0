"""Where models live, what they must hash to, and clear errors when they are missing."""
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .download import DEFINITIONS, REGISTRY, models_dir, sha1_of  # noqa: F401 (models_dir, sha1_of: re-exported)
from .errors import DreamError

MODEL_NAMES = [k for k, v in REGISTRY.items() if not k.startswith("_") and "weights" in v]
DEFAULT_MODEL = "bvlc_googlenet"


@dataclass(frozen=True)
class ModelFiles:
    """A prototxt and caffemodel pair, with the weights' expected sha1 when known."""
    name: str
    prototxt: Path
    weights: Path
    sha1: Optional[str] = None


def named_model(name: str) -> ModelFiles:
    """The files of a registry model, without checking that they exist."""
    if name not in MODEL_NAMES:
        raise DreamError(f"unknown model {name!r}; known models: {', '.join(MODEL_NAMES)} "
                         f"(or pass --prototxt and --weights)")
    entry = REGISTRY[name]
    folder = models_dir() / name
    shipped = entry["files"][entry["prototxt"]].get("shipped")  # GoogLeNet's: in the package, not downloaded
    prototxt = (DEFINITIONS if shipped else models_dir()) / name / entry["prototxt"]
    return ModelFiles(name, prototxt, folder / entry["weights"], entry["files"][entry["weights"]].get("sha1"))


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
    the downloaded weights (checked against their sha1), dream.load_net's network. gpu: a device id,
    or None for the CPU."""
    from .network.net import load_net
    model = named_model(name)
    check_present(model, verify_sha1=model.sha1 is not None)
    return load_net(model.prototxt, model.weights, gpu=gpu)
