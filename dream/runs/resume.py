"""Resuming, decided once for every command: what an earlier run left where this one writes is this very
run (done, or to go on from, its seed kept), nothing to keep (start afresh), or another run's, which is
refused unless the user asks to overwrite it. The photo, the zoom loop, the gallery, the batch and the
video all ask here."""
from ..errors import DreamError
from .metadata import same_run


def earlier_run(where, found, recorded, wanted, overwrite, refuse=True):
    """recorded, if it is an earlier run of `wanted` (see same_run), to skip or resume; None where nothing
    was found there or `overwrite` asks to start again. What `where` holds otherwise (another run's
    record, or files with none) is a DreamError, unless refuse is False (the gallery re-makes such tiles).

    found: whether anything is at `where`; recorded: its record, None where it has none."""
    if not found or overwrite:
        return None
    if same_run(recorded, wanted):
        return recorded
    if not refuse:
        return None
    what = "a different run" if recorded is not None else "files dream did not record, which it cannot resume"
    raise DreamError(f"{where} exists and holds {what}; choose another -o, or pass --overwrite")


def earlier_seed(earlier):
    """The seed an earlier run recorded (None for no earlier run), for dream.runs.seeds.resolve_seed."""
    return None if earlier is None else earlier.get("seed")
