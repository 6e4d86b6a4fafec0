"""Where models live, what they must hash to, and clear errors when they are missing."""
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import DreamError

REPO_MODELS = Path(__file__).resolve().parent.parent / "models"
REGISTRY = json.loads((REPO_MODELS / "registry.json").read_text())
MODEL_NAMES = [k for k, v in REGISTRY.items() if not k.startswith("_") and "weights" in v]
DEFAULT_MODEL = "bvlc_googlenet"


def models_dir() -> Path:
    """The models folder: $DREAM_MODELS_DIR, else the repository's models/."""
    return Path(os.environ.get("DREAM_MODELS_DIR") or REPO_MODELS)


@dataclass(frozen=True)
class ModelFiles:
    """A prototxt and caffemodel pair, with the weights' expected sha1 when known."""
    name: str
    prototxt: Path
    weights: Path
    sha1: Optional[str] = None


def sha1_of(path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def named_model(name: str) -> ModelFiles:
    """The files of a registry model, without checking that they exist."""
    if name not in MODEL_NAMES:
        raise DreamError(f"unknown model {name!r}; known models: {', '.join(MODEL_NAMES)} "
                         f"(or pass --prototxt and --weights)")
    entry = REGISTRY[name]
    folder = models_dir() / name
    return ModelFiles(name, folder / entry["prototxt"], folder / entry["weights"],
                      entry["files"][entry["weights"]].get("sha1"))


def check_present(model: ModelFiles, verify_sha1: bool = True) -> None:
    """Raise a DreamError naming the file, where it goes and how to get it."""
    fetch = f"scripts/download_models.sh {model.name}" if model.name in MODEL_NAMES else None
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
