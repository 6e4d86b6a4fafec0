"""The figures of Google's notebook (google/deepdream, dream.ipynb): what each one dreamed, and its
published image, read from the output the notebook embeds in the cell that showed it."""
import base64
import io
import json
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import DreamError

ZOOM_SCALE = 0.05  # the notebook's s


@dataclass(frozen=True)
class Figure:
    """One published image: the cell that showed it (a piece of its source), the layer the dream ended
    at, whether flowers.jpg guided it, and for the zoom loop which frame it shows."""
    name: str
    cell: str
    layer: str
    guided: bool = False
    zoom_frame: Optional[int] = None  # the frame's number: frame 0 is the first dream of the photo
    after: Optional[str] = None  # the figure whose dream ran on the net just before (docs/faithfulness.md)

    def describe(self, zoom_frames=None):
        """The figure in words; zoom_frames: how many frames the zoom loop ran (its last one is compared)."""
        frame = self.zoom_frame if zoom_frames is None else zoom_frames - 1
        how = f", frame {frame} of the zoom loop (s = {ZOOM_SCALE})" if self.zoom_frame is not None else ""
        return f"{self.layer}{' guided by flowers.jpg' if self.guided else ''}{how}"


FIGURES = (
    Figure("default", "_=deepdream(net, img)", "inception_4c/output"),
    Figure("5x5_reduce", "end='inception_3b/5x5_reduce'", "inception_3b/5x5_reduce", after="default"),
    Figure("zoom", "frames/0029.jpg", "inception_4c/output", zoom_frame=29),
    Figure("guided", "objective=objective_guide", "inception_3b/output", guided=True),
)


def _cells(notebook):
    """The code cells of an nbformat 3 (the notebook's own) or 4 notebook: [(source, outputs)]."""
    cells = notebook["cells"] if "cells" in notebook else [c for ws in notebook.get("worksheets", []) for c in ws["cells"]]
    return [("".join(c.get("source", c.get("input", ""))), c.get("outputs", [])) for c in cells
            if c.get("cell_type") == "code"]


def _image_of(outputs):
    """The first image an output list holds, as base64 text (nbformat 3: 'jpeg'/'png'; 4: data['image/...'])."""
    for out in outputs:
        for holder, keys in ((out, ("jpeg", "png")), (out.get("data", {}), ("image/jpeg", "image/png"))):
            for key in keys:
                if key in holder:
                    data = holder[key]
                    return "".join(data) if isinstance(data, list) else data
    return None


def published_images(path, figures=FIGURES):
    """{figure name: H x W x 3 float32 image} read from the notebook at path; DreamError where the
    notebook cannot be read or a figure's cell shows no image."""
    import PIL.Image
    try:
        with open(path) as f:
            cells = _cells(json.load(f))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise DreamError(f"cannot read the notebook {path}: {e}") from None
    images = {}
    for figure in figures:
        shown = [_image_of(outputs) for source, outputs in cells if figure.cell in source]
        data = next((d for d in shown if d), None)
        if data is None:
            raise DreamError(f"the notebook {path} shows no image for the {figure.name} figure "
                             f"(a code cell with {figure.cell!r} and an image output)")
        try:
            with PIL.Image.open(io.BytesIO(base64.b64decode(data))) as img:
                images[figure.name] = np.float32(img.convert("RGB"))
        except (OSError, ValueError) as e:
            raise DreamError(f"the {figure.name} figure's image in {path} does not decode: {e}") from None
    return images
