"""Moved to dream.objectives.expression: this path works for one release (see dream._moved)."""
from ._moved import moved

moved(__name__, "dream.objectives.expression")
