"""The inputs the dream and zoom tabs share: the layer, the notebook's parameters, uploaded images;
each checked on the server, whatever the page sent."""
from pathlib import Path
from types import SimpleNamespace

from ..cli.common import DEFAULT_LAYER, DEFAULTS, MAX_FEATHER
from ..errors import DreamError
from .jobs import checked_number


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
    from ..net import check_end
    check_end(net, layer, otherwise="; pick one from the list")
    *values, seed = values
    args = SimpleNamespace(layer=layer, seed=checked_number("Seed", seed, 0, MAX_SEED, int),
                           octave_scale=DEFAULTS["octave_scale"], exact_gradient=False, objective=None, frames=None,
                           zoom=None, mask_feather=None)
    for (name, label, low, high, kind), value in zip(PARAMETERS, values):
        setattr(args, name, checked_number(label, value, low, high, kind))
    return args


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
