"""Module paths from before the subpackages (dream.net, dream.octaves, ...): each still imports, for one
release, as the module it became, with a DeprecationWarning that names the new path. One import hook
does it for every old path (install(), from dream/__init__); no file stands at an old path."""
import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

# old path -> new path; dream.objectives, dream.video and dream.cluster are packages that keep their names
PATHS = {
    "net": "network.net", "shapes": "network.shapes", "receptive": "network.receptive",
    "memory": "network.memory", "blas": "network.blas",
    "step": "engine.step", "octaves": "engine.octaves", "tiles": "engine.tiles",
    "tiled_step": "engine.tiled_step", "guide": "engine.guide", "zoom": "engine.zoom",
    "gallery": "engine.gallery", "mask": "engine.mask",
    "expression": "objectives.expression", "enhance": "engine.enhance", "priors": "objectives.priors",
    "classvis": "engine.classvis", "labels": "objectives.labels",
    "objectives.enhance": "engine.enhance", "objectives.classvis": "engine.classvis",
    "video_io": "video.io", "flow": "video.flow", "keyframes": "video.keyframes", "clip": "video.clip",
    "chains": "video.chains", "coherence": "video.coherence", "batch": "cluster.batch",
    "cli.runparams": "runs.metadata",
}
OLD = {f"dream.{old}": f"dream.{new}" for old, new in PATHS.items()}


class OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old path and loads it as the module that now lives at the new one."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self) if fullname in OLD else None

    def create_module(self, spec):
        module = importlib.import_module(OLD[spec.name])
        warn_moved(spec.name, OLD[spec.name])
        if spec.name == "dream.enhance":
            # importing a submodule sets its name on the package, and dream.enhance is also the
            # function: what lands there must still dream when called
            return CallableModule(module, module.enhance)
        return module

    def exec_module(self, module):
        pass  # the new module ran when it was imported


class CallableModule(types.ModuleType):
    """A module that is also its function: attributes are the module's, a call is the function's."""

    def __init__(self, module, function):
        super().__init__(module.__name__, module.__doc__)
        self.__dict__.update(module.__dict__)
        self._function = function

    def __call__(self, *args, **kwargs):
        return self._function(*args, **kwargs)


def install():
    """Put the hook after Python's own finders: a file at a path always wins."""
    if not any(isinstance(finder, OldPaths) for finder in sys.meta_path):
        sys.meta_path.append(OldPaths())


def warn_moved(old, new):
    """The DeprecationWarning, pointed at the code that imported `old`: past this module and the import
    machinery (warn() itself skips the machinery's frames, so they are not counted)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                 or frame.f_globals.get("__name__", "") == __name__):
        if not frame.f_code.co_filename.startswith("<frozen importlib"):
            level += 1
        frame = frame.f_back
    warnings.warn(f"{old} is now {new}; the old path goes in the next release", DeprecationWarning,
                  stacklevel=level)
