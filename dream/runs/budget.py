"""A run's memory budget, resolved once where the run starts and passed down: what the user gave,
else what this machine has available now ($DREAM_MAX_MEMORY, else the system's), shared out among the
local workers that run beside each other."""


from dataclasses import dataclass

from ..errors import DreamError


def memory_budget(given=None, shared_by=1, gpu=None):
    """Bytes one dreaming process may reach: `given`, else its share of what is available now. On GPU
    `gpu` (a CUDA device number), what is available is the smaller of the host's and the GPU's free
    memory (the driver's figure), so that a photo too large for the GPU is tiled rather than reaching
    Caffe's cudaMalloc, which aborts the process; and a `given` beyond the GPU's whole memory is refused."""
    from ..network.gpu_memory import gpu_memory
    from ..network.memory import available_bytes, gigabytes
    on_gpu = gpu_memory(gpu) if gpu is not None else None
    if given is not None:
        if on_gpu is not None and given > on_gpu[1]:
            raise DreamError(f"a memory budget of {gigabytes(given)} is more than GPU {gpu} holds "
                             f"({gigabytes(on_gpu[1])}): Caffe would abort when it runs out; give at most that, "
                             "or none (the GPU's free memory then)")
        return given
    host = available_bytes() // shared_by
    return host if on_gpu is None else min(host, on_gpu[0] // shared_by)


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
