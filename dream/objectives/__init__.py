"""What a dream maximises: composable objectives (terms), the expression language over them
(expression), feature inversion with priors (enhance, priors), and class visualisation (classvis,
labels). A new objective is one factory under @objective in terms.py.

`dream.objectives` was one module before this package; its names stay here."""
from .terms import OBJECTIVES, Objective, guide, objective

globals().update(OBJECTIVES)  # every registered objective, as dream.objectives.NAME
__all__ = ["OBJECTIVES", "Objective", "guide", "objective", *OBJECTIVES]
