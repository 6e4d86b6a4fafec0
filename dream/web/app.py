"""The page: a Dream, a Class and a Zoom tab around one loaded net."""
import os

from .class_tab import class_tab
from .dream_tab import dream_tab
from .jobs import Served
from .zoom_tab import zoom_tab


# The result fills its box whatever its size (a small photo's dream, an early octave's preview): large
# enough to judge.
CSS = ".dream-result img { width: 100%; height: 100%; object-fit: contain; }"


def build_app(model, weights_sha1, net, pictures, work_dir, max_memory=None, tile_margin=None, max_waiting=None):
    """The gr.Blocks app; net: the loaded net every job uses (one at a time, through the queue), with at
    most max_waiting requests waiting (None: no bound); the rest are refused ("Queue is full")."""
    import gradio as gr
    from ..network.net import dream_layers
    served = Served(model, weights_sha1, net, work_dir, max_memory, tile_margin)
    layers = dream_layers(net)
    with gr.Blocks(title="dream") as app:
        gr.Markdown("# dream\nDeepDream as Google's 2015 notebook made it: upload a photo, pick a layer by its "
                    "picture, and dream.")
        dream_tab(served, layers, pictures)
        class_tab(served)
        zoom_tab(served, layers)
    app.queue(max_size=max_waiting)
    return app


def serve_environment(work_dir):
    """What Gradio reads at import: no analytics calls, uploads in our temporary folder."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["GRADIO_TEMP_DIR"] = str(work_dir)
