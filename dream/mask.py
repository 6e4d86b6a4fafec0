"""Moved to dream.engine.mask: this path works for one release (see dream._moved)."""
from ._moved import moved

moved(__name__, "dream.engine.mask")
