"""Moved to dream.objectives.enhance: this path works for one release (see dream._moved).

Unlike the other old paths this one stays a module of its own, and a callable one: `dream.enhance` is
also the function, and importing a submodule sets its name on the package, so the module that
lands on `dream.enhance` must still dream when called."""
import sys
import types

from ._moved import moved

_shim = sys.modules[__name__]
_module = moved(__name__, "dream.objectives.enhance")


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return _module.enhance(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(_module, name)


_shim.__class__ = _CallableModule
sys.modules[__name__] = _shim
