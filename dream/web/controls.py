"""What the tabs share on the page: the photo, the layer, the notebook's parameters, the buttons and
the progress; and the server's checks of what the page sent, whatever it sent."""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DreamError
from ..engine.parameters import DEFAULT_LAYER, MAX_FEATHER, ON_THE_PAGE, DreamParams
from ..runs.seeds import MAX_SEED
from .jobs import PREVIEW_SIDE, SHOWN_FORMAT
from .progress import bar


def checked_number(name, value, low, high, kind=float):
    """value as kind within [low, high], or DreamError naming the field."""
    try:
        number = kind(value)
        finite = np.isfinite(float(value)) and float(value) == number
    except (TypeError, ValueError, OverflowError):
        finite = False
    if not finite:
        raise DreamError(f"{name} must be a {'whole ' if kind is int else ''}number, not {value!r}")
    if not low <= number <= high:
        raise DreamError(f"{name} must be between {low} and {high}, not {number}")
    return number


def photo_input(served, elem_id):
    """The photo: a file, and the picture of it once uploaded."""
    import gradio as gr
    # a file, not gr.Image: dream reads the file's own bytes with its own reader, which checks it (corrupt,
    # bombs, 16-bit, EXIF turns); gr.Image would hand over its own re-encoding
    photo = gr.File(label="Photo", file_types=["image"], type="filepath", elem_id=elem_id)
    shown = gr.Image(label="The photo", interactive=False, format=SHOWN_FORMAT, height=240, buttons=[],
                     elem_id=f"{elem_id}-shown")
    photo.change(lambda path: photo_picture(served, path), photo, shown, queue=False)
    return photo


def photo_picture(served, path):
    """An uploaded photo as the page shows it (every k-th pixel, at most PREVIEW_SIDE), or None for no photo
    or one dream cannot read (the dream says why)."""
    from ..images import load_image
    from ..runs.budget import memory_budget
    if not path:
        return None
    try:
        img = load_image(path, memory_budget(served.max_memory))
    except DreamError:
        return None
    k = -(-max(img.shape[:2]) // PREVIEW_SIDE)
    return np.uint8(np.clip(img[::k, ::k], 0, 255))


def go_and_cancel(label, elem_id, cancel_id=None):
    """The row of a tab's two buttons: its job, and Cancel."""
    import gradio as gr
    with gr.Row():
        return (gr.Button(label, variant="primary", elem_id=elem_id),
                gr.Button("Cancel", elem_id=cancel_id))


def progress_and_result(label, status_id, result_id=None):
    """((the progress bar, its words for the API), the image shown, large enough to judge; JPEG: the
    download is the exact file). The words are the API's output; the page shows the bar."""
    import gradio as gr
    progress = (gr.HTML(bar("ready"), label="Progress", elem_id=status_id),
                gr.Textbox(visible=False, elem_id=f"{status_id}-text"))
    return progress, gr.Image(label=label, interactive=False, format=SHOWN_FORMAT, buttons=["fullscreen"],
                              height=560, elem_id=result_id, elem_classes=["dream-result"])


def layer_dropdown(layers, default=DEFAULT_LAYER, **kw):
    import gradio as gr
    # a custom value reaches checked_layer, which names the close layers (Gradio would list all 80)
    return gr.Dropdown(layers, value=default if default in layers else layers[-1], label="Layer",
                       allow_custom_value=True, **kw)


def layer_picker(pictures, layers, gallery_id, layer_id, default=DEFAULT_LAYER, model=None, choose=None):
    """The layer, picked by its picture (what it dreams on grey noise) or by name: its dropdown. With a
    model picker (model, and choose(name) -> its dream.web.jobs.Choice), the pictures and names follow it."""
    import gradio as gr
    from .pictures import caption

    def shown(pictures):
        return [(p, caption(layer)) for p, layer in pictures]
    gallery = gr.Gallery(value=shown(pictures), label="Layers, early to deep: click one", columns=3, height="auto",
                         object_fit="cover", allow_preview=False, buttons=[], elem_id=gallery_id)
    layer = layer_dropdown(layers, default, elem_id=layer_id)
    if model is None:
        def picked(evt: gr.SelectData):
            return pictures[evt.index][1]
        gallery.select(picked, None, layer, queue=False)
        return layer

    def picked_of(name, evt: gr.SelectData):
        return choose(name).pictures[evt.index][1]

    def switched(name):  # the first choice of a model loads it and makes its pictures: seconds
        choice = choose(name)
        return gr.update(value=shown(choice.pictures)), gr.update(choices=choice.layers, value=choice.model.layer)
    gallery.select(picked_of, [model], layer, queue=False)
    model.change(switched, [model], [gallery, layer])
    return layer


def parameter_inputs():
    """Sliders for the notebook's parameters at its defaults (dream.engine.parameters' table: those with a
    range on the page), and a seed."""
    import gradio as gr
    with gr.Accordion("The notebook's parameters", open=False):
        return [gr.Slider(*p.page, p.default, step=1 if p.kind is int else 0.1, label=p.label)
                for p in ON_THE_PAGE] + [seed_input()]


def seed_input():
    import gradio as gr
    return gr.Number(0, precision=0, label="Seed", minimum=0, maximum=MAX_SEED)


@dataclass
class PageDream:
    """What a page asked to dream, checked: the layer, the notebook's parameters and the seed."""
    layer: str
    params: DreamParams
    seed: int


def checked_params(net, layer, *values):
    """The page's layer, its sliders' values (parameter_inputs' order) and seed, checked: a PageDream."""
    checked_layer(net, layer)
    *values, seed = values
    seed = checked_number("Seed", seed, 0, MAX_SEED, int)
    params = {p.name: checked_number(p.label, value, *p.page, p.kind) for p, value in zip(ON_THE_PAGE, values)}
    return PageDream(layer, DreamParams(**params), seed)


def checked_layer(net, layer):
    """The page's layer, a layer of the net (DreamError naming the close ones otherwise)."""
    from ..network.net import UnknownLayer, check_end
    try:
        check_end(net, layer)
    except UnknownLayer as e:
        raise DreamError(f"{e}{'' if e.close else '; pick one from the list'}") from None
    return layer


def checked_photo_and_params(served, photo, layer, *values, net=None):
    """(the PageDream checked_params makes on net, default the served one; the photo's path, its image)."""
    if not photo:
        raise DreamError("upload a photo first")
    page = checked_params(net or served.net, layer, *values)
    return (page, *uploaded(photo, "the photo"))


def checked_feather(value):
    return checked_number("Mask edge blur", value, 0, MAX_FEATHER)


def guide_and_mask(prefix=""):
    """[guide, mask, edge blur]: a tab's accordion of the guide image and the mask, as python -m dream's
    --guide, --mask and --mask-feather."""
    import gradio as gr
    with gr.Accordion("Guide and mask", open=False):
        return [gr.File(label="Guide image: dream towards its features", file_types=["image"], type="filepath",
                        elem_id=f"{prefix}guide"),
                gr.File(label="Mask: dream where it is white, keep where black", file_types=["image"],
                        type="filepath", elem_id=f"{prefix}mask"),
                gr.Slider(0, 64, 8, step=1, label="Mask edge blur (px)")]


@dataclass
class GuideAndMask:
    """What guide_and_mask's inputs sent, checked: the files' paths and pixels, the mask made soft at the
    photo's size, and its edge blur (None without a mask)."""
    guide_path: Path = None
    guide: np.ndarray = None
    mask_path: Path = None
    mask: np.ndarray = None
    feather: float = None


def checked_guide_and_mask(guide, mask, feather, img):
    """The page's guide, mask and edge blur for the photo img: a GuideAndMask."""
    from ..engine.mask import soft_mask
    guide_path, guide_img = uploaded(guide, "the guide image")
    mask_path, mask_img = uploaded(mask, "the mask")
    if not mask_path:
        return GuideAndMask(guide_path, guide_img)
    feather = checked_feather(feather)
    return GuideAndMask(guide_path, guide_img, mask_path, soft_mask(mask_img, *img.shape[:2], feather), feather)


def uploaded(path, what):
    """An upload's path and its image, or (None, None) when there is none; DreamError for a bad one."""
    from ..images import load_image
    if not path:
        return None, None
    try:
        return Path(path), load_image(path)
    except DreamError as e:
        raise DreamError(f"{what}: {e}") from None
