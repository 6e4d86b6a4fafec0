"""The Dask cluster dream's jobs run on: a local one on loopback, or an existing one by address.

A local cluster's workers are processes with one task thread each (a Caffe net takes one
input at a time); `threads` is how many cores each worker's Caffe uses (OpenMP and BLIS),
set before the worker starts, as OpenMP reads it only then. Everything listens on
127.0.0.1 only, and there is no dashboard, nor any of Dask's other HTTP pages (cluster
information, metrics, a proxy), unless a dashboard is asked for.
"""
import contextlib
import logging
import os
import warnings

from ..errors import DreamError

CONNECT_TIMEOUT_S = 10


def _quiet():
    """Dask's own log lines (a lost worker, a restarted one, shutdown chatter) stay off our terminal:
    what matters reaches the user through results."""
    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@contextlib.contextmanager
def dask_client(workers=None, threads=1, scheduler=None, dashboard=None):
    """A distributed.Client: on `scheduler` (an address such as tcp://host:8786) if given, else on a
    LocalCluster of `workers` processes. dashboard: an address for the local scheduler's dashboard
    (such as 127.0.0.1:8787), or None for none."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise DreamError("running on a cluster needs Dask: pip install -e '.[cluster]'") from None
    _quiet()
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as e:
            raise DreamError(f"cannot reach the Dask scheduler at {scheduler} ({type(e).__name__}: "
                             f"{e}); is 'dask scheduler' running there?") from None
        with client:
            yield client
        return
    env = {"OMP_NUM_THREADS": str(threads), "BLIS_NUM_THREADS": str(threads)}
    # Dask's workers set MALLOC_TRIM_THRESHOLD_ (to give memory back sooner); any fixed value also
    # fixes glibc's mmap threshold, and each step's large numpy temporaries then cost page faults:
    # a dream ran 1.8x slower in a worker than in a plain process. glibc's own tuning is kept.
    config = {"distributed.worker.daemon": False, "logging.distributed": "critical",
              "distributed.worker.profile.enabled": False,  # its sampler wants the GIL every 10 ms
              "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    if dashboard is None:  # Dask serves cluster information over HTTP even without a dashboard: none of it
        config.update({"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []})
    with dask.config.set(config), _environment(env), warnings.catch_warnings():
        # the scheduler's HTTP server (empty without a dashboard) moves on when 8787 is taken: no news
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        # Each HTTP server on loopback by name: without a dashboard, distributed 2024.8 (the newest for
        # Python 3.9) bound the scheduler's and the workers' on all interfaces (its later releases follow
        # host=); their routes are emptied above, so they serve no pages.
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=dashboard or "127.0.0.1:0", worker_dashboard_address="127.0.0.1:0",
                          scheduler_kwargs={} if dashboard else {"dashboard": False},
                          silence_logs=logging.CRITICAL) as cluster, \
                Client(cluster) as client:
            yield client


@contextlib.contextmanager
def _environment(env):
    """env set in this process while the cluster lives, so that every worker it spawns (restarted ones
    too) inherits it from the start: a spawned worker imports dream, and with it Caffe and BLIS, which
    read their thread counts when loaded, before Dask's own per-worker settings apply (a worker then
    ran BLIS on every core, and two such workers on two cores took 30x longer)."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def worker_count(client):
    return len(client.scheduler_info().get("workers", {}))


def run_as_they_finish(client, first, on_done):
    """Tasks on the Dask client's cluster, each one's follow-up submitted as it finishes: the one submit
    loop of the batch (a bounded number of photos in flight) and the video (one frame of each chunk).

    first: the tasks to submit now, each (tag, function, *arguments); on_done(tag, future), in the
    calling thread as each finishes, reads its result and returns the next task, or None."""
    from distributed import as_completed
    tags, finished = {}, as_completed()

    def submit(task):
        if task is not None:
            tag, function, *arguments = task
            future = client.submit(function, *arguments, pure=False)
            tags[future.key] = tag
            finished.add(future)
    for task in first:
        submit(task)
    for future in finished:
        following = on_done(tags.pop(future.key), future)
        future.release()
        submit(following)
