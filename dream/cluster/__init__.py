"""Many dreams at once on Dask: a local or existing cluster (client) and photo jobs with one net per
worker process (batch).

`dream.cluster` was one module before this package; its names stay here."""
from .client import CONNECT_TIMEOUT_S, dask_client, worker_count  # noqa: F401

__all__ = ["CONNECT_TIMEOUT_S", "dask_client", "worker_count"]
