"""Moved to dream.runs.metadata: this path works for one release (see dream._moved)."""
from .._moved import moved

moved(__name__, "dream.runs.metadata")
