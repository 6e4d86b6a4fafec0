"""Module paths from before the subpackages (dream.net, dream.octaves, ...): each still imports, for one
release, as the module it became, with a DeprecationWarning that names the new path."""
import importlib
import sys
import warnings


def moved(old, new):
    """Make `old` (a module being imported) the module `new`, warning the code that imported it."""
    module = importlib.import_module(new)
    warn_moved(old, new)
    sys.modules[old] = module  # the import system hands out what sys.modules holds after the shim ran
    return module


def warn_moved(old, new):
    """The DeprecationWarning, pointed at the code that imported `old`: past this module and the shims
    (warn() itself skips the import machinery's frames, so they are not counted)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                 or frame.f_globals.get("__name__", "") in _SHIMS):
        if not frame.f_code.co_filename.startswith("<frozen importlib"):
            level += 1
        frame = frame.f_back
    warnings.warn(f"{old} is now {new}; the old path goes in the next release", DeprecationWarning,
                  stacklevel=level)


# old path -> new path; dream.objectives, dream.video and dream.cluster are packages that keep their names
PATHS = {
    "net": "network.net", "shapes": "network.shapes", "receptive": "network.receptive",
    "memory": "network.memory", "blas": "network.blas",
    "step": "engine.step", "octaves": "engine.octaves", "tiles": "engine.tiles",
    "tiled_step": "engine.tiled_step", "guide": "engine.guide", "zoom": "engine.zoom",
    "gallery": "engine.gallery", "mask": "engine.mask",
    "expression": "objectives.expression", "enhance": "objectives.enhance", "priors": "objectives.priors",
    "classvis": "objectives.classvis", "labels": "objectives.labels",
    "video_io": "video.io", "flow": "video.flow", "keyframes": "video.keyframes", "clip": "video.clip",
    "chains": "video.chains", "coherence": "video.coherence", "batch": "cluster.batch",
    "cli.runparams": "runs.metadata",
}
_SHIMS = {f"dream.{old}" for old in PATHS} | {__name__}
