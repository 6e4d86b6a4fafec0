"""Many dreams on a Dask cluster: one job per photo and parameter set, surviving lost workers.

The photo's bytes travel to a worker and the finished file's bytes travel back; the net
stays where it is: each worker process loads it on its first job and keeps it. A worker
that dies takes its job along, and Dask's scheduler gives the job to another worker. A
job's result depends on nothing but its photo, parameters and seed (the same call as
python -m dream makes), so the image is the same wherever and however often it runs.
"""
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

import numpy as np

from ..errors import DreamError
from ..models import IMAGENET_MEAN

_NETS = {}  # (prototxt, weights, GPU id or None) -> the net, in each worker process
ONE_AT_A_TIME = threading.Lock()  # a Caffe net holds one input at a time: a worker's tasks take turns


@dataclass(frozen=True)
class Model:
    """The net a job runs on. gpu: one device for every process; gpus: a local cluster's devices,
    worker i taking gpus[i % len(gpus)] (outside a worker, gpus[0])."""
    prototxt: str
    weights: str
    gpu: Optional[int] = None
    gpus: Tuple[int, ...] = ()
    mean: Tuple[float, float, float] = IMAGENET_MEAN  # the model's (dream.models.ModelFiles.mean)

    def device(self):
        """The GPU id this process runs on, or None for the CPU."""
        if not self.gpus:
            return self.gpu
        try:
            from distributed import get_worker
            index = int(get_worker().name)  # a LocalCluster names its workers 0, 1, ... (a restart keeps it)
        except (ImportError, ValueError):  # not in a worker: the process that plans the work
            index = 0
        return self.gpus[index % len(self.gpus)]


@dataclass
class PhotoJob:
    """One dream: `source` (its name, for messages) at `layer` with `params` and `seed`, to be written as
    `name`."""
    name: str
    source: str
    data: bytes  # the photo file's bytes
    layer: str
    params: object  # dream.engine.parameters.DreamParams
    seed: int
    metadata: dict  # what the output file records (python -m dream's run parameters)
    budget: object  # bytes, or dream.runs.budget.WorkersOwn: resolved on the worker (see worker_budget)
    tile_margin: Optional[int] = None


@dataclass
class Result:
    name: str
    data: Optional[bytes] = None  # the output file's bytes, or
    error: object = None  # why there are none: the DreamError (a front end says it), or a sentence


def cached_net(model):
    """This process's net for `model`, loaded on first use, in Caffe's mode for this thread."""
    from ..network.net import load_net, use_net_device
    gpu = model.device()
    key = (model.prototxt, model.weights, gpu, model.mean)
    if key not in _NETS:
        _NETS[key] = load_net(model.prototxt, model.weights, mean=model.mean, gpu=gpu)
    use_net_device(_NETS[key])  # the net may have been loaded in another thread
    return _NETS[key]


def preload(model):
    """Load the net in this process now (client.run(preload, model) on every worker); returns nothing."""
    cached_net(model)


def worker_budget(budget):
    """A budget handed to a worker, in bytes: a number as it is; a callable (the front ends' WorkersOwn)
    resolved here, on the worker's machine."""
    return budget() if callable(budget) else budget


def dream_job(model, job):
    """Run one job in this process (a worker's task): its Result, with bad input as an error, not a raise."""
    from ..engine.prepare import DreamRequest, prepare
    from ..images import decode_image, encode_image
    with ONE_AT_A_TIME:
        try:
            net = cached_net(model)
            budget = worker_budget(job.budget)
            img = decode_image(job.data, job.source, budget)
            request = DreamRequest(layer=job.layer, params=job.params, tile_margin=job.tile_margin)
            out = prepare(net, request, *img.shape[:2], budget).run(img, np.random.RandomState(job.seed))
            return Result(job.name, data=encode_image(out, Path(job.name).suffix, job.metadata))
        except DreamError as e:
            return Result(job.name, error=e)


def run_jobs(client, model, jobs, on_result, in_flight):
    """Dream `jobs` (an iterable, read as they are submitted) on the Dask `client`'s cluster, at most
    in_flight at once so that photos wait on disk, not in memory. on_result(Result) in the calling
    thread for each, in the order they finish; a job whose workers kept dying, or that raised,
    comes back as an error."""
    from .client import run_as_they_finish
    jobs = iter(jobs)

    def next_task():
        job = next(jobs, None)
        return None if job is None else (job.name, dream_job, model, job)

    def on_done(name, future):
        try:
            result = future.result()
        except Exception as e:  # KilledWorker: it took down every worker it ran on; or a bug
            result = Result(name, error=f"{type(e).__name__}: {e}")
        on_result(result)
        return next_task()
    run_as_they_finish(client, [next_task() for _ in range(in_flight)], on_done)
