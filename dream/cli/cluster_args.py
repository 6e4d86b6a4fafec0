"""The flags that put a command on a Dask cluster (batch, video), and the local share they imply."""
import contextlib
import os

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


def on_cluster(args):
    """Whether the command runs on a cluster; DreamError for local-cluster flags without one. --gpus
    makes one worker a GPU unless --workers says otherwise."""
    if args.gpus:
        if args.scheduler:
            raise DreamError("--gpus is for a local cluster's workers; on an existing cluster, --gpu ID is "
                             "each worker's device")
        if args.gpu is not None and str(args.gpu) != os.environ.get("DREAM_GPU"):
            raise DreamError("--gpu and --gpus: give one (--gpus puts each local worker on its own GPU)")
        args.gpu = None  # $DREAM_GPU's default gives way to --gpus
        args.workers = args.workers or len(args.gpus)
    if args.scheduler or args.workers:
        return True
    if args.threads_per_worker or args.dashboard:
        raise DreamError("--threads-per-worker and --dashboard are for a local cluster: add --workers N")
    return False


def check_devices(args):
    """Every GPU the local workers are to use, probed here first: a worker that found its GPU unusable
    would fail each of its jobs, one error line a job. (An existing cluster's workers have GPUs of
    their own; this machine may have none.)"""
    from ..network.net import GpuUnusable, check_gpu
    if args.scheduler:
        return
    for device in sorted(set(args.gpus or ())):
        try:
            check_gpu(device)
        except GpuUnusable as e:
            e.flag = "--gpus"  # what asked for this device: with_flags names it
            raise
    if args.gpu is not None:
        check_gpu(args.gpu)


def share_out(args):
    """(cores per local worker, each worker's memory budget): --threads-per-worker and --max-memory, else
    their share of this machine's. On an existing cluster (--scheduler) the budget is --max-memory, else
    what each worker's own machine has (WorkersOwn)."""
    if args.scheduler:
        return 1, cluster_budget(args.max_memory)
    return (args.threads_per_worker or max(1, cores() // args.workers),
            memory_budget(args.max_memory, shared_by=args.workers))


@contextlib.contextmanager
def cluster_client(args, threads):
    """(Dask client, a few words on where it runs) for --workers / --scheduler."""
    from ..cluster.client import dask_client, worker_count
    with dask_client(args.workers, threads, args.scheduler, args.dashboard) as client:
        gpus = f" on GPUs {','.join(map(str, args.gpus))}" if args.gpus else ""
        yield client, args.scheduler or f"{worker_count(client)} local workers x {threads} threads{gpus}"
