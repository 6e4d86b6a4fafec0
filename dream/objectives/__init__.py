"""What a dream maximises: composable objectives (terms), the expression language over them
(expression), feature inversion with priors (enhance, priors), and class visualisation (classvis,
labels). A new objective is one decorated factory in terms.py (see OBJECTIVES there).

`dream.objectives` was one module before this package; its names stay here."""
from .terms import Objective, channel, class_unit, guide, layer_l2, neuron  # noqa: F401

__all__ = ["Objective", "channel", "class_unit", "guide", "layer_l2", "neuron"]
