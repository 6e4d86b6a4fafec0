"""The CUDA build's pycaffe on a CPU (scripts/test_gpu_build.sh puts it first on PYTHONPATH): it is a
CUDA build, its dreams are the CPU build's bytes, it exits cleanly (the thread_local im2col buffer of
scripts/patches/03 is freed at exit), and --gpu without a usable GPU is one line.

Deselected by default (marker gpu_build): the CPU build that scripts/test.sh runs is not a CUDA build."""
import os
import re
import subprocess
import sys

import pytest

import caffe
from dream.network.net import caffe_has_cuda

pytestmark = pytest.mark.gpu_build
SMALL = ["--octaves", "3", "--iters", "3", "--seed", "0"]


def dream(env, *args):
    return subprocess.run([sys.executable, "-m", "dream", *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=300)


def no_gpu_env():
    """This environment with every GPU hidden from CUDA: the machine without a usable GPU, wherever it runs."""
    return dict(os.environ, CUDA_VISIBLE_DEVICES="")


def cpu_build_env():
    """This environment without the CUDA build in front: the venv's own pycaffe (the CPU build)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                                        if p and not os.path.exists(os.path.join(p, "caffe", "_caffe.so")))
    return env


def caffe_of(env):
    return subprocess.run([sys.executable, "-c", "import caffe; print(caffe.__file__)"], capture_output=True,
                          text=True, env=env, check=True).stdout.strip()


def test_this_pycaffe_is_a_cuda_build():
    assert caffe_has_cuda(), f"{caffe.__file__} is not a CUDA build: run scripts/test_gpu_build.sh"


def test_its_dreams_are_the_cpu_builds_bytes_and_it_exits_cleanly(googlenet, photo_file, tmp_path):
    model = ["--prototxt", googlenet[0], "--weights", googlenet[1]]
    assert caffe_of(dict(os.environ)) != caffe_of(cpu_build_env())
    for name, env in (("cuda-build", dict(os.environ)), ("cpu-build", cpu_build_env())):
        r = dream(env, photo_file, "-o", tmp_path / f"{name}.png", *SMALL, *model)
        assert r.returncode == 0 and "Check failed" not in r.stderr and "Abort" not in r.stderr, r.stderr
    assert (tmp_path / "cuda-build.png").read_bytes() == (tmp_path / "cpu-build.png").read_bytes()


def test_gpu_without_a_gpu_is_one_line(googlenet, photo_file, tmp_path):
    r = dream(no_gpu_env(), photo_file, "-o", tmp_path / "out.png", "--gpu", "0",
              "--prototxt", googlenet[0], "--weights", googlenet[1])
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1 and "--gpu 0" in r.stderr, r.stderr
    assert not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("command", ["photo", "zoom", "video", "video-workers", "class", "gallery", "batch", "serve"])
def test_gpu_reaches_every_command(command, googlenet, photo_file, tmp_path):
    """--gpu 0 on a machine without a usable GPU: every command says so in one line, before any work."""
    import numpy as np
    import PIL.Image
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(2):
        PIL.Image.fromarray(np.full((90, 160, 3), 60 * t, np.uint8)).save(frames / f"{t}.png")
    args = {"photo": [photo_file, "-o", tmp_path / "out.png"],
            "zoom": [photo_file, "-o", tmp_path / "out.jpg", "--frames", "2"],
            "video": ["video", frames, "-o", tmp_path / "out"],
            "video-workers": ["video", frames, "-o", tmp_path / "out", "--workers", "2"],
            "class": ["class", "tabby", "-o", tmp_path / "out.jpg"],
            "gallery": ["gallery", photo_file, "-o", tmp_path / "out"],
            "batch": ["batch", photo_file, "-o", tmp_path / "out"],
            "serve": ["serve", "--port", "7999"]}[command]
    r = dream(no_gpu_env(), *args, "--gpu", "0", "--prototxt", googlenet[0], "--weights", googlenet[1])
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() and "--gpu 0: Caffe cannot use this GPU" in r.stderr.strip().splitlines()[-1], r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not list(tmp_path.glob("out*"))


def test_the_device_loops_kernels_are_built_beside_it_and_say_when_no_gpu_is_there():
    """scripts/install_caffe.sh --gpu compiled dream/device/kernels.cu beside this pycaffe; ctypes loads
    it with Caffe's CUDA runtime; without a GPU its first allocation is one DreamError, not an abort."""
    code = ("from dream.device.cuda_device import CudaDevice, library_path\n"
            "from dream.errors import DreamError\n"
            "print(library_path())\n"
            "try:\n    CudaDevice()\nexcept DreamError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=no_gpu_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    path, said = out.stdout.splitlines()
    assert path == os.path.join(os.path.dirname(caffe.__file__), "libdream_device.so") and os.path.exists(path)
    # no device (100), or here no driver at all (35)
    assert re.match(r"CUDA error (100|35) in the device loop's cudaMalloc: \w", said), said
