"""--gpus: each local worker of batch and video runs on its own GPU. On a CPU the assignment is what
can be tested: a real 2- and 3-worker Dask LocalCluster, each worker asked which device it would use.
Whether Caffe then runs there is scripts/gpu_check.sh's part, on a GPU."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("distributed")

from dream.cluster.batch import Model  # noqa: E402
from dream.cluster import dask_client  # noqa: E402


def devices_by_worker(workers, gpus):
    """{worker name: the GPU id Model(gpus=...).device() gives in a task pinned to that worker}."""
    model = Model("deploy.prototxt", "w.caffemodel", gpus=gpus)

    def where(m):
        from distributed import get_worker
        return get_worker().name, m.device()
    with dask_client(workers, 1) as client:
        addresses = list(client.scheduler_info()["workers"])
        futures = [client.submit(where, model, workers=[a], pure=False) for a in addresses]
        return dict(f.result() for f in futures)


def test_each_local_worker_sees_its_own_gpu():
    assert devices_by_worker(2, (3, 5)) == {0: 3, 1: 5}


def test_more_workers_than_gpus_go_round_the_list():
    assert devices_by_worker(3, (0, 1)) == {0: 0, 1: 1, 2: 0}


def test_outside_a_worker_the_first_gpu_and_without_gpus_the_single_one():
    assert Model("p", "w", gpus=(2, 7)).device() == 2
    assert Model("p", "w", gpu=4).device() == 4
    assert Model("p", "w").device() is None


def batch(tmp_path, photo_file, *flags, env=None):
    return subprocess.run([sys.executable, "-m", "dream", "batch", str(photo_file), "-o", str(tmp_path / "out"),
                           *flags], capture_output=True, text=True, env=env, timeout=120)


def test_dream_gpu_in_the_environment_gives_way_to_gpus(tmp_path, photo_file):
    """$DREAM_GPU (the Docker image sets it) is --gpu's default, not a --gpu given beside --gpus: the GPUs
    are then probed (and this CPU-only Caffe says so, naming --gpus)."""
    r = batch(tmp_path, photo_file, "--gpus", "0,1", env=dict(os.environ, DREAM_GPU="0"))
    assert r.returncode != 0 and "give one" not in r.stderr
    assert r.stderr.strip().splitlines() == ["dream: error: --gpus: this Caffe was built CPU-only; rebuild it with "
                                             "scripts/install_caffe.sh --gpu"], r.stderr


def test_an_existing_clusters_gpu_is_not_probed_here(tmp_path, photo_file, googlenet):
    """--scheduler with --gpu: the workers' machines have the GPUs; this one need not (it goes on to the
    scheduler, which is not there)."""
    r = batch(tmp_path, photo_file, "--scheduler", "tcp://127.0.0.1:9", "--gpu", "0",
              "--prototxt", googlenet[0], "--weights", googlenet[1])
    assert r.returncode != 0 and "CPU-only" not in r.stderr
    assert "cannot reach the Dask scheduler" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.parametrize("flags, says", [
    (["--gpus", "0,1", "--scheduler", "tcp://127.0.0.1:1"], "--gpus is for a local cluster"),
    (["--gpus", "0,1", "--gpu", "0"], "--gpu and --gpus: give one"),
    (["--gpus", "0,x"], "--gpus"),
    (["--gpus", "-1"], "--gpus"),
])
def test_bad_gpus_flags_are_one_line(flags, says, tmp_path, photo_file):
    r = batch(tmp_path, photo_file, *flags)
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1 and says in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()
