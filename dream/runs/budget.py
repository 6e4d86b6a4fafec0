"""A run's memory budget, resolved once where the run starts and passed down: what the user gave,
else what this machine has available now ($DREAM_MAX_MEMORY, else the system's), shared out among the
local workers that run beside each other."""


from dataclasses import dataclass


def memory_budget(given=None, shared_by=1):
    """Bytes one dreaming process may reach: `given`, else its share of what is available now."""
    if given is not None:
        return given
    from ..network.memory import available_bytes
    return available_bytes() // shared_by


@dataclass(frozen=True)
class WorkersOwn:
    """The budget of a dream that runs on an existing Dask cluster's worker without --max-memory: what
    that worker's machine has when the dream starts there. Called there, it gives the bytes; the library
    takes a budget as a number, or as this."""
    def __call__(self):
        return memory_budget(None)


def cluster_budget(given):
    """A Dask worker's budget on an existing cluster: `given`, else WorkersOwn()."""
    return WorkersOwn() if given is None else given
