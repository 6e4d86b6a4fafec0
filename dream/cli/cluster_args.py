"""The flags that put a command on a Dask cluster (batch, video), read once into a Placement, and the
local share they imply."""
import contextlib
import os
from dataclasses import dataclass
from typing import Optional, Tuple

from ..errors import DreamError
from ..network.blas import cores
from ..runs.budget import cluster_budget, memory_budget


def gpu_list(text):
    """An argparse type: GPU ids separated by commas, such as 0,1 (a repeat puts two workers on one GPU)."""
    from .common import MAX_PIXELS_SHIFT, non_negative
    return tuple(non_negative(int, MAX_PIXELS_SHIFT)(part.strip()) for part in text.split(","))


def add_cluster_args(p, workers_default, workers_help):
    from .common import MAX_COUNT, positive
    c = p.add_argument_group("cluster (Dask; see docs/cluster.md)")
    c.add_argument("--workers", type=positive(int, MAX_COUNT), default=workers_default, help=workers_help)
    c.add_argument("--gpus", type=gpu_list, metavar="IDS",
                   help="a GPU for each local worker: worker i runs on the i-th id, round the list (e.g. 0,1,2,3; "
                        "--workers then defaults to one worker an id)")
    c.add_argument("--threads-per-worker", type=positive(int, MAX_COUNT),
                   help="cores each local worker's Caffe uses (default: the cores shared out among the workers)")
    c.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on this existing Dask cluster instead, e.g. tcp://10.0.0.5:8786 (started with "
                        "'dask scheduler' and 'dask worker'); --workers then does not apply")
    c.add_argument("--dashboard", metavar="ADDRESS", nargs="?", const="127.0.0.1:8787",
                   help="serve the local cluster's Dask dashboard here (default: none; a bare --dashboard "
                        "means 127.0.0.1:8787)")
    return c


@dataclass(frozen=True)
class Placement:
    """Where a command's dreams run, as its flags say once checked: in this process (on_cluster False),
    on a local cluster of `workers` processes, or on the existing cluster at `scheduler`."""
    gpu: Optional[int]
    gpus: Tuple[int, ...] = ()
    workers: Optional[int] = None
    scheduler: Optional[str] = None
    threads_per_worker: Optional[int] = None
    dashboard: Optional[str] = None
    max_memory: Optional[float] = None

    @property
    def on_cluster(self):
        return bool(self.scheduler or self.workers)


def placement(request, default_workers=None):
    """The Placement the flags ask for (default_workers: a local cluster's size when neither --workers nor
    --gpus gives one); DreamError for local-cluster flags without one. --gpus makes one worker a GPU
    unless --workers says otherwise, and $DREAM_GPU's default gives way to it."""
    gpu, workers = request.gpu, request.workers
    if workers is None and not request.gpus:
        workers = default_workers
    if request.gpus:
        if request.scheduler:
            raise DreamError("--gpus is for a local cluster's workers; on an existing cluster, --gpu ID is "
                             "each worker's device")
        if gpu is not None and str(gpu) != os.environ.get("DREAM_GPU"):
            raise DreamError("--gpu and --gpus: give one (--gpus puts each local worker on its own GPU)")
        gpu, workers = None, workers or len(request.gpus)
    if not (request.scheduler or workers) and (request.threads_per_worker or request.dashboard):
        raise DreamError("--threads-per-worker and --dashboard are for a local cluster: add --workers N")
    return Placement(gpu, tuple(request.gpus or ()), workers, request.scheduler, request.threads_per_worker,
                     request.dashboard,
                     request.max_memory)


def check_devices(where):
    """Every GPU the local workers are to use, probed here first: a worker that found its GPU unusable
    would fail each of its jobs, one error line a job. (An existing cluster's workers have GPUs of
    their own; this machine may have none.)"""
    from ..network.net import GpuUnusable, check_gpu
    if where.scheduler:
        return
    for device in sorted(set(where.gpus or ())):
        try:
            check_gpu(device)
        except GpuUnusable as e:
            e.flag = "--gpus"  # what asked for this device: with_flags names it
            raise
    if where.gpu is not None:
        check_gpu(where.gpu)


def share_out(where):
    """(cores per local worker, each worker's memory budget): --threads-per-worker and --max-memory, else
    their share of this machine's. On an existing cluster (--scheduler) the budget is --max-memory, else
    what each worker's own machine has (WorkersOwn)."""
    if where.scheduler:
        return 1, cluster_budget(where.max_memory)
    return (where.threads_per_worker or max(1, cores() // where.workers),
            memory_budget(where.max_memory, shared_by=where.workers))


@contextlib.contextmanager
def cluster_client(where, threads):
    """(Dask client, a few words on where it runs) for --workers / --scheduler."""
    from ..cluster.client import dask_client, worker_count
    with dask_client(where.workers, threads, where.scheduler, where.dashboard) as client:
        gpus = f" on GPUs {','.join(map(str, where.gpus))}" if where.gpus else ""
        yield client, where.scheduler or f"{worker_count(client)} local workers x {threads} threads{gpus}"
