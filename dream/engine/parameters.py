"""The notebook's parameters: one table of their defaults and limits, which the command line's flags, the
web app's sliders and the web server's checks all read, and DreamParams, one dream's values."""
from dataclasses import dataclass, fields

DEFAULT_LAYER = "inception_4c/output"  # the notebook's end
DEFAULT_GUIDE_LAYER = "inception_3b/output"  # the notebook's guided dream
DEFAULT_ZOOM = 0.05  # the zoom loop's s

# Upper bounds: what numpy and Caffe accept, or past which a value only means an endless run.
MAX_COUNT = 10**6  # octaves, iterations, frames
MAX_PIXELS_SHIFT = 2**31 - 1  # jitter (a C int in numpy's randint)
MAX_STEP = 255.0  # a normalised step moves the mean pixel by this many grey levels
MAX_FEATHER = 1000.0  # a blur wider than this is no edge any more, and slow
MAX_FACTOR = 1e6  # --amplify, --prior-weight, --octave-scale: larger ones overflow float32 in Caffe


@dataclass(frozen=True)
class Parameter:
    """One of the notebook's parameters: what any value must be (kind, above `low` or at least it when not
    strict, at most `high`), its default, and its place on the web page (a slider over `page`, a
    practical range that the server enforces too)."""
    name: str
    kind: type
    default: object  # of `kind`
    low: float
    strict: bool
    high: float
    help: str
    help_many: str  # for a comma list of values (python -m dream batch's sweeps)
    label: str
    page: tuple = None  # (lowest, highest) of its slider on the web page; None: not on the page

    @property
    def flag(self):
        return "--" + self.name.replace("_", "-")


NOTEBOOK = (
    Parameter("octaves", int, 4, 0, True, MAX_COUNT, "number of scales", "numbers of scales", "Octaves", (1, 12)),
    Parameter("octave_scale", float, 1.4, 1, False, MAX_FACTOR, "size ratio between octaves",
              "size ratios between octaves", "Octave scale"),
    Parameter("iters", int, 10, 0, True, MAX_COUNT, "steps per octave", "steps per octave", "Steps per octave",
              (1, 100)),
    Parameter("step_size", float, 1.5, 0, True, MAX_STEP, "normalised step size", "normalised step sizes",
              "Step size", (0.1, 10.0)),
    Parameter("jitter", int, 32, 0, False, MAX_PIXELS_SHIFT, "random shift in pixels", "random shifts in pixels",
              "Jitter", (0, 128)),
)
BY_NAME = {p.name: p for p in NOTEBOOK}
ON_THE_PAGE = tuple(p for p in NOTEBOOK if p.page)
DEFAULTS = dict({p.name: p.default for p in NOTEBOOK}, zoom=DEFAULT_ZOOM)


@dataclass(frozen=True)
class DreamParams:
    """One dream's notebook parameters, as the engine takes them (engine()) and the metadata records them."""
    octaves: int = BY_NAME["octaves"].default
    octave_scale: float = BY_NAME["octave_scale"].default
    iters: int = BY_NAME["iters"].default
    step_size: float = BY_NAME["step_size"].default
    jitter: int = BY_NAME["jitter"].default
    exact_gradient: bool = False

    @classmethod
    def of(cls, values, **overrides):
        """The parameters an object (a command line's args) or a dict holds; the rest at their defaults."""
        get = values.get if isinstance(values, dict) else lambda name, default: getattr(values, name, default)
        given = {f.name: get(f.name, f.default) for f in fields(cls)}
        return cls(**dict(given, **overrides))

    def engine(self):
        """deepdream()'s and zoom_frames()'s names for them (the notebook's iter_n, octave_n, ...)."""
        return dict(iter_n=self.iters, octave_n=self.octaves, octave_scale=self.octave_scale,
                    step_size=self.step_size, jitter=self.jitter, exact_gradient=self.exact_gradient)
