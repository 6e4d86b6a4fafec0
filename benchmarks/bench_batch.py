"""Throughput of python -m dream batch's engine: one process in a loop, against Dask workers.

    .venv/bin/python benchmarks/bench_batch.py [--photo sky1024px.jpg] [--jobs 8] [--size 480x270]

The same jobs (crops of one photo, the notebook's defaults, one seed) run three ways on
this machine: in this process one after another (Caffe on every core), on a LocalCluster
of 1 worker with every core, and on one of N one-core workers (N = the cores). Each
worker loads the net before the clock starts (client.run), as a long batch would have
it loaded. It prints images per minute, the ratio to the loop, the bytes each job moves
(the photo there, the finished JPEG back) and whether every output is the same bytes.
"""
import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
import PIL.Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("GLOG_minloglevel", "3")

from bench_dream import googlenet_files, sky_photo  # noqa: E402
from dream.network.blas import cores as blas_cores  # noqa: E402
from dream.cluster.batch import Model, PhotoJob, cached_net, dream_job, preload, run_jobs  # noqa: E402
from dream.engine.parameters import DreamParams  # noqa: E402
from dream.runs.budget import WorkersOwn  # noqa: E402
from dream.cluster import dask_client  # noqa: E402


def make_jobs(photo, count, width, height, seed=0):
    photo = np.uint8(np.clip(photo, 0, 255))
    jobs = []
    for i in range(count):
        x = (photo.shape[1] - width) * i // max(count - 1, 1)
        buf = io.BytesIO()
        PIL.Image.fromarray(photo[:height, x:x + width]).save(buf, "JPEG", quality=95)
        params = dict(layer="inception_4c/output", octaves=4, octave_scale=1.4, iters=10, step_size=1.5,
                      jitter=32, seed=seed, exact_gradient=False)
        jobs.append(PhotoJob(f"crop{i}.jpg", f"crop{i}.jpg", buf.getvalue(), params["layer"], DreamParams.of(params),
                             seed, dict(params, crop=i), WorkersOwn()))
    return jobs


def in_cluster(model, jobs, workers, threads):
    results = {}
    with dask_client(workers, threads) as client:
        client.run(preload, model)  # every worker has the net before the clock starts
        t0 = time.perf_counter()
        run_jobs(client, model, jobs, lambda r: results.__setitem__(r.name, r), in_flight=2 * workers)
        return time.perf_counter() - t0, results


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--photo", help="photo to crop the jobs from (default: the notebook's sky, else astronaut)")
    p.add_argument("--jobs", type=int, default=8)
    p.add_argument("--size", default="480x270", help="WxH of each job's photo")
    args = p.parse_args()
    width, height = map(int, args.size.split("x"))
    name, photo = sky_photo(args.photo)
    prototxt, weights, kind = googlenet_files()
    model = Model(str(prototxt), str(weights))
    jobs = make_jobs(photo, args.jobs, width, height)
    cores = blas_cores()
    print(f"{args.jobs} jobs of {width}x{height} from {name}; inception_4c/output, 4 octaves x 10 steps; "
          f"GoogLeNet with {kind}; {cores} cores")

    cached_net(model)
    t0 = time.perf_counter()
    loop = {job.name: dream_job(model, job) for job in jobs}
    runs = [("loop in one process", cores, time.perf_counter() - t0, loop)]
    runs.append(("1 worker", cores, *in_cluster(model, jobs, 1, cores)))
    runs.append((f"{cores} workers", 1, *in_cluster(model, jobs, cores, 1)))

    moved = np.mean([len(job.data) + len(loop[job.name].data) for job in jobs])
    print(f"{'how':22s} {'threads each':>12s} {'seconds':>8s} {'images/min':>10s} {'vs loop':>8s} {'same bytes':>10s}")
    for how, threads, seconds, results in runs:
        same = all(results[j.name].data == loop[j.name].data for j in jobs)
        print(f"{how:22s} {threads:12d} {seconds:8.1f} {60 * len(jobs) / seconds:10.2f} "
              f"{runs[0][2] / seconds:7.2f}x {str(same):>10s}", flush=True)
    print(f"bytes moved per job: {moved / 1e3:.0f} kB (photo there, JPEG back)")


if __name__ == "__main__":
    main()
