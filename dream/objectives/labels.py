"""ImageNet class names for BVLC GoogLeNet's 1000 outputs, shipped and checked by sha1."""
import difflib
from functools import lru_cache

from ..errors import DreamError
from ..models import DEFINITIONS, REGISTRY, sha1_of

LABELS = DEFINITIONS / "imagenet_labels" / "imagenet_labels.txt"


@lru_cache(maxsize=1)
def imagenet_labels():
    """The 1000 names, index = output unit of loss3/classifier (see model_definitions/registry.json for the source)."""
    want = REGISTRY["imagenet_labels"]["files"]["imagenet_labels.txt"]["sha1"]
    if sha1_of(LABELS) != want:
        raise DreamError(f"{LABELS} is modified (sha1 differs from {want}): reinstall dream (in a checkout: git checkout -- {LABELS})")
    return LABELS.read_text().splitlines()


def class_index(spec, n_classes=1000):
    """An output unit from an index ('207') or an ImageNet name ('golden retriever')."""
    text = str(spec).strip()
    if text.isdigit():
        index = int(text)
        if not 0 <= index < n_classes:
            raise DreamError(f"class {index} is out of range (0..{n_classes - 1})")
        return index
    labels = imagenet_labels()
    lowered = [name.lower() for name in labels]  # the names are unique (the list's source made them so)
    if text.lower() in lowered:
        return lowered.index(text.lower())
    close = difflib.get_close_matches(text.lower(), lowered, n=4, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise DreamError(f"unknown ImageNet class {text!r}{hint}")
