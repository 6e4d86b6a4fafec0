"""Moved to dream.engine.guide: this path works for one release (see dream._moved)."""
from ._moved import moved

moved(__name__, "dream.engine.guide")
