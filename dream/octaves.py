"""Moved to dream.engine.octaves: this path works for one release (see dream._moved)."""
from ._moved import moved

moved(__name__, "dream.engine.octaves")
