"""The page: a Dream, a Class, a Zoom and a Live tab around one loaded net (and Live's own)."""
import os

from .class_tab import class_tab
from .dream_tab import dream_tab
from .jobs import Served
from .live_seats import LiveSeats
from .live_tab import live_tab
from .zoom_tab import zoom_tab


# The result fills its box whatever its size (a small photo's dream, an early octave's preview): large
# enough to judge.
CSS = (".dream-result img { width: 100%; height: 100%; object-fit: contain; }\n"
       "#live-result img { width: 100%; max-height: 560px; object-fit: contain; }")


def build_app(model, weights_sha1, net, pictures, work_dir, max_memory=None, tile_margin=None, max_waiting=None,
              max_live=2, others=None, pictures_cache=None):
    """The gr.Blocks app; net: the loaded net every job uses (one at a time, through the queue), with at
    most max_waiting requests waiting (None: no bound); the rest are refused ("Queue is full"); at most
    max_live people dreaming live at once, on a net of their own (dream.web.live_seats); others: {name:
    (ModelFiles, weights sha1)} the Dream tab also offers, each loaded on its first use."""
    import gradio as gr
    from ..network.net import dream_layers
    served = Served(model, weights_sha1, net, work_dir, max_memory, tile_margin, others=dict(others or {}),
                    pictures_cache=pictures_cache, pictures=pictures)
    layers = dream_layers(net)
    with gr.Blocks(title="dream") as app:
        gr.Markdown("# dream\nDeepDream as Google's 2015 notebook made it: upload a photo, pick a layer by its "
                    "picture, and dream.")
        dream_tab(served, layers, pictures)
        if model.class_images:  # GoogLeNet's ImageNet classes (dream.models.ModelFiles)
            class_tab(served)
        zoom_tab(served, layers)
        seats = LiveSeats(served, max_live)
        app.unload(live_tab(seats, layers, pictures))  # a page closed or reloaded frees its seat (Gradio's unload)
    app.queue(max_size=max_waiting)
    return app


def serve_environment(work_dir):
    """What Gradio reads at import: no analytics calls, uploads in our temporary folder."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["GRADIO_TEMP_DIR"] = str(work_dir)
