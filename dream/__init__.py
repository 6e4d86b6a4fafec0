"""dream: Google's 2015 DeepDream notebook, faithfully, on a real pycaffe.

The package, bottom up: network (the net, its shapes and memory), engine (the notebook's step and
octaves, tiles, zoom), objectives (what a dream maximises), video, cluster (Dask), runs (what the front
ends share: parameters, seeds, budgets, metadata) and the front ends, cli and web, which never import
each other. docs/architecture.md draws it."""
import os

# Caffe logs every layer it builds (and, in a CUDA build without a GPU, cuBLAS/cuRAND errors);
# keep to fatal messages unless the user asked otherwise.
os.environ.setdefault("GLOG_minloglevel", "3")
from .network.blas import choose_kernel, cores  # noqa: E402
# Caffe's BLAS is BLIS (see scripts/install_caffe.sh), which runs one thread unless told.
os.environ.setdefault("BLIS_NUM_THREADS", str(cores()))
choose_kernel()  # before caffe: BLIS reads BLIS_ARCH_TYPE when first used

from . import _moved  # noqa: E402
_moved.install()  # the old module paths (dream.net, dream.octaves, ...), for one release

from .errors import DreamError  # noqa: E402
from .images import load_image, save_image  # noqa: E402
from .network.net import load_net, preprocess, deprocess, dream_layers  # noqa: E402
from .models import load_model  # noqa: E402
from .engine.step import objective_L2, make_step  # noqa: E402
from .network.blobs import clear_diffs  # noqa: E402
from .engine.octaves import check_dream_input, deepdream, octave_bases, plan_octaves  # noqa: E402
from .engine.tiled_step import make_tiled_step  # noqa: E402
from .engine.guide import guide_features, objective_guide  # noqa: E402
from .engine.zoom import zoom_frames, zoom_transform  # noqa: E402
from .engine.prepare import Dream, DreamRequest, prepare  # noqa: E402
from .engine.parameters import DreamParams  # noqa: E402
from .runs.budget import memory_budget  # noqa: E402
from . import objectives  # noqa: E402
from .objectives import Objective, channel, class_unit, layer_l2, neuron  # noqa: E402
from .objectives.expression import parse_objective  # noqa: E402
from .engine.enhance import enhance, enhance_loss  # noqa: E402  (dream.enhance is the function)
from .engine.classvis import visualize_class  # noqa: E402
from .engine.gallery import contact_sheet, gallery_layers  # noqa: E402
from .network.memory import dream_bytes, net_bytes  # noqa: E402

__all__ = ["DreamError", "load_image", "save_image", "load_net", "load_model", "Dream", "DreamRequest", "prepare",
           "DreamParams", "memory_budget", "preprocess", "deprocess", "dream_layers", "objective_L2",
           "make_step", "clear_diffs", "check_dream_input", "deepdream", "octave_bases", "plan_octaves",
           "make_tiled_step", "guide_features",
           "objective_guide", "zoom_frames", "zoom_transform", "objectives", "Objective", "channel", "class_unit",
           "layer_l2", "neuron", "parse_objective", "enhance", "enhance_loss", "visualize_class", "contact_sheet",
           "gallery_layers", "dream_bytes", "net_bytes"]
__version__ = "0.1.0"
