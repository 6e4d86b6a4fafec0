"""Moved to dream.video.keyframes: this path works for one release (see dream._moved)."""
from ._moved import moved

moved(__name__, "dream.video.keyframes")
