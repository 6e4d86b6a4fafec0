"""What the tabs share on the page: the photo, the layer, the notebook's parameters, the buttons and
the progress; and the server's checks of what the page sent, whatever it sent."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..cli.common import DEFAULT_LAYER, DEFAULTS, MAX_FEATHER
from ..errors import DreamError
from .jobs import SHOWN_FORMAT


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


def photo_input(elem_id):
    import gradio as gr
    # a file, not gr.Image: dream's own reader checks it (corrupt, bombs, 16-bit, EXIF turns)
    return gr.File(label="Photo", file_types=["image"], type="filepath", elem_id=elem_id)


def go_and_cancel(label, elem_id, cancel_id=None):
    """The row of a tab's two buttons: its job, and Cancel."""
    import gradio as gr
    with gr.Row():
        return (gr.Button(label, variant="primary", elem_id=elem_id),
                gr.Button("Cancel", elem_id=cancel_id))


def progress_and_result(label, status_id, result_id=None):
    """The progress line and the image shown (JPEG: the download is the exact file)."""
    import gradio as gr
    return (gr.Textbox(label="Progress", interactive=False, elem_id=status_id),
            gr.Image(label=label, interactive=False, format=SHOWN_FORMAT, buttons=["fullscreen"], elem_id=result_id))


def layer_dropdown(layers, **kw):
    import gradio as gr
    # a custom value reaches checked_params, which names the close layers (Gradio would list all 80)
    return gr.Dropdown(layers, value=DEFAULT_LAYER if DEFAULT_LAYER in layers else layers[-1], label="Layer",
                       allow_custom_value=True, **kw)


# The notebook's parameters on the page: name, label, lowest, highest, kind; the sliders and the
# server's checks both read this.
PARAMETERS = [("octaves", "Octaves", 1, 12, int), ("iters", "Steps per octave", 1, 100, int),
              ("step_size", "Step size", 0.1, 10.0, float), ("jitter", "Jitter", 0, 128, int)]
MAX_SEED = 2**32 - 1


def parameter_inputs():
    """Sliders for the notebook's parameters at its defaults, and a seed: [octaves, iters, step, jitter, seed]."""
    import gradio as gr
    with gr.Accordion("The notebook's parameters", open=False):
        return [gr.Slider(low, high, DEFAULTS[name], step=1 if kind is int else 0.1, label=label)
                for name, label, low, high, kind in PARAMETERS] + [seed_input()]


def seed_input():
    import gradio as gr
    return gr.Number(0, precision=0, label="Seed", minimum=0, maximum=MAX_SEED)


def checked_params(net, layer, *values):
    """The page's layer and parameters (octaves, iters, step size, jitter, seed), checked: a
    SimpleNamespace as the CLI's args, plus layer and seed."""
    from ..network.net import check_end
    check_end(net, layer, otherwise="; pick one from the list")
    *values, seed = values
    args = SimpleNamespace(layer=layer, seed=checked_number("Seed", seed, 0, MAX_SEED, int),
                           octave_scale=DEFAULTS["octave_scale"], exact_gradient=False, objective=None, frames=None,
                           zoom=None, mask_feather=None)
    for (name, label, low, high, kind), value in zip(PARAMETERS, values):
        setattr(args, name, checked_number(label, value, low, high, kind))
    return args


def checked_photo_and_params(served, photo, layer, *values):
    """(args as checked_params makes them, with the server's tile margin; the photo's path; its image)."""
    if not photo:
        raise DreamError("upload a photo first")
    args = checked_params(served.net, layer, *values)
    args.tile_margin = served.tile_margin
    return (args, *uploaded(photo, "the photo"))


def checked_feather(value):
    return checked_number("Mask edge blur", value, 0, MAX_FEATHER)


def uploaded(path, what):
    """An upload's path and its image, or (None, None) when there is none; DreamError for a bad one."""
    from ..images import load_image
    if not path:
        return None, None
    try:
        return Path(path), load_image(path)
    except DreamError as e:
        raise DreamError(f"{what}: {e}") from None
