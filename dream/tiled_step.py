"""Moved to dream.engine.tiled_step: this path works for one release (see dream._moved)."""
from ._moved import moved

moved(__name__, "dream.engine.tiled_step")
