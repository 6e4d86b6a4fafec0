"""What a dream maximises: the objectives offered by name (terms; each an Objective of
dream.engine.objective), the expression language over them (expression), the priors of feature inversion
(priors) and ImageNet's labels (labels). A new objective is one factory under @objective in terms.py;
the render loops that use them (enhance, class visualisation) are the engine's.

`dream.objectives` was one module before this package; its names stay here."""
from .terms import OBJECTIVES, Objective, guide, objective

globals().update(OBJECTIVES)  # every registered objective, as dream.objectives.NAME
__all__ = ["OBJECTIVES", "Objective", "guide", "objective", *OBJECTIVES]
