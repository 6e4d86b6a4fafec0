"""python -m dream batch on a real 2-worker Dask LocalCluster on loopback, real Caffe, small photos:
the same bytes as python -m dream, a worker killed mid-batch, a corrupt photo, bad input."""
import subprocess
import sys
import time

import PIL.Image
import pytest

pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

SMALL = ["--octaves", "2", "--iters", "2", "--seed", "3", "--format", "png"]
CLUSTER = ["--workers", "2", "--threads-per-worker", "1"]


@pytest.fixture
def dream_cmd(googlenet, tmp_path):
    """Run python -m dream ARGS in tmp_path with the fixture model; Popen if background."""
    prototxt, weights = googlenet

    def run(*args, background=False):
        cmd = [sys.executable, "-m", "dream", *map(str, args), "--prototxt", str(prototxt), "--weights", str(weights)]
        if background:
            return subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    return run


def photos(folder, count, width=120, height=90):
    """`count` crops of the astronaut photo as PNGs in folder."""
    import skimage.data
    folder.mkdir()
    astronaut = skimage.data.astronaut()
    for i in range(count):
        PIL.Image.fromarray(astronaut[30 * i:30 * i + height, 40 * i:40 * i + width]).save(folder / f"p{i}.png")
    return folder


def test_a_sweep_gives_the_bytes_of_python_m_dream_and_a_rerun_skips_it(dream_cmd, tmp_path):
    photos(tmp_path / "in", 2)
    r = dream_cmd("batch", "in", "-o", "out", "--layer", "inception_3a/output,inception_3b/output", *SMALL, *CLUSTER)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"p{i}.layer=inception_{l}-output.png" for i in (0, 1) for l in ("3a", "3b")]
    for i, layer in [(0, "3a"), (1, "3b")]:
        one = dream_cmd(f"in/p{i}.png", "-o", f"one{i}.png", "--layer", f"inception_{layer}/output", *SMALL[:-2])
        assert one.returncode == 0, one.stderr
        assert (tmp_path / f"one{i}.png").read_bytes() == \
            (tmp_path / "out" / f"p{i}.layer=inception_{layer}-output.png").read_bytes()
    again = dream_cmd("batch", "in", "-o", "out", "--layer", "inception_3a/output,inception_3b/output",
                      *SMALL[:4], "--format", "png", "--workers", "1")  # no seed: the folder's
    assert again.returncode == 0 and "4 of 4 outputs already" in again.stderr, again.stderr


def kill_a_worker_midway(run, folder):
    """SIGKILL one of the 2 local workers of the background command `run` once its first PNG is in
    folder, then let it finish: it must exit 0."""
    try:
        deadline = time.time() + 120
        while not any(folder.glob("*.png")):
            assert run.poll() is None and time.time() < deadline, run.stderr and run.stderr.read()
            time.sleep(0.05)
        workers = [p for p in psutil.Process(run.pid).children(recursive=True)
                   if any("spawn_main" in part for part in p.cmdline())]
        assert len(workers) == 2
        workers[0].kill()  # SIGKILL, mid-task
        assert run.wait(timeout=300) == 0, run.stderr.read()
    finally:
        if run.poll() is None:
            run.kill()


def test_a_killed_worker_loses_nothing(dream_cmd, tmp_path):
    photos(tmp_path / "in", 6, 224, 160)
    args = ["batch", "in", "--octaves", "3", "--iters", "4", "--seed", "5", "--format", "png"]
    kill_a_worker_midway(dream_cmd(*args, "-o", "killed", *CLUSTER, background=True), tmp_path / "killed")
    one_worker = dream_cmd(*args, "-o", "straight", "--workers", "1")
    assert one_worker.returncode == 0, one_worker.stderr
    for i in range(6):
        assert (tmp_path / "killed" / f"p{i}-dream.png").read_bytes() == \
            (tmp_path / "straight" / f"p{i}-dream.png").read_bytes()


def test_a_corrupt_photo_is_named_and_the_rest_finish(dream_cmd, tmp_path):
    folder = photos(tmp_path / "in", 3)
    (folder / "bad.png").write_bytes((folder / "p0.png").read_bytes()[:300])
    r = dream_cmd("batch", "in", "-o", "out", *SMALL, *CLUSTER)
    assert r.returncode == 1
    assert "failed: bad.png" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p0-dream.png", "p1-dream.png", "p2-dream.png"]


@pytest.mark.parametrize("args,fragment", [
    (["in", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
    (["in", "--workers", "0"], "greater than 0"),
    (["in", "--workers", "-2"], "greater than 0"),
    (["empty"], "no photos in empty"),
    (["in", "--layer", "inception_3b/output,inception_4z/output"], "inception_4z"),
    (["in", "--step-size", "2,nan"], "finite"), (["in", "--octaves", "2,x"], "not a valid int"),
])
def test_bad_input_gets_one_line_before_any_job(dream_cmd, tmp_path, args, fragment):
    photos(tmp_path / "in", 1)
    (tmp_path / "empty").mkdir()
    r = dream_cmd("batch", *args, "-o", "out")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], r.stderr
    assert not (tmp_path / "out").exists()


WORKER_THREADS = """
import ctypes, sys
import dream  # as in python -m dream: every spawned worker imports it (and Caffe, BLIS) first
from dream.cluster import dask_client

def threads():
    import caffe  # noqa: F401
    from dream.network.blas import loaded_blis
    return ctypes.CDLL("libgomp.so.1").omp_get_max_threads(), loaded_blis().bli_thread_get_num_threads()

if __name__ == "__main__":
    with dask_client(workers=2, threads=int(sys.argv[1])) as client:
        print(sorted(client.run(threads).values()))
"""


@pytest.mark.parametrize("threads", [1, 2])
def test_each_workers_caffe_runs_the_threads_it_is_given(tmp_path, threads):
    """What OpenMP and BLIS really run in a worker, not what its environment says: BLIS reads its count
    when loaded, and a worker loads it before Dask's settings apply (two workers on all cores each took
    30x longer)."""
    script = tmp_path / "threads.py"
    script.write_text(WORKER_THREADS)
    r = subprocess.run([sys.executable, str(script), str(threads)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str([(threads, threads)] * 2)


def test_the_local_cluster_listens_on_loopback_only_and_serves_no_pages():
    import os
    import urllib.error
    import urllib.request
    from dream.cluster import dask_client
    with dask_client(workers=2, threads=1) as client:
        info = client.scheduler_info()
        assert info["address"].startswith("tcp://127.0.0.1:")
        processes = [psutil.Process(os.getpid()), *psutil.Process(os.getpid()).children(recursive=True)]
        listening = [c.laddr for p in processes for c in p.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
        assert listening and all(address.ip == "127.0.0.1" for address in listening), listening
        for path in ("health", "info/main/workers.html", "metrics", "status"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{info['services']['dashboard']}/{path}", timeout=5)
            assert refused.value.code == 404
