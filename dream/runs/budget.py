"""A run's memory budget, resolved once where the run starts and passed down: what the user gave,
else what this machine has available now ($DREAM_MAX_MEMORY, else the system's), shared out among the
local workers that run beside each other."""


def memory_budget(given=None, shared_by=1):
    """Bytes one dreaming process may reach: `given`, else its share of what is available now."""
    if given is not None:
        return given
    from ..network.memory import available_bytes
    return available_bytes() // shared_by
