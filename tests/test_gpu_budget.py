"""The memory budget on a GPU (dream/runs/budget.py): the smaller of the host's and the GPU's free memory,
and a given budget beyond the GPU's whole memory refused in one line. No GPU is here: nvidia-smi, the
driver's tool that the budget asks, is a stand-in script on PATH that answers as a 80 GB GPU with 6 GB
free would, and records what it was asked. The query itself is tried on a lent GPU (scripts/gpu_check.sh)."""
import os
import subprocess
import sys

import pytest

from dream.errors import DreamError
from dream.network.gpu_memory import gpu_memory
from dream.network.memory import available_bytes
from dream.runs.budget import memory_budget

MIB = 2**20


@pytest.fixture
def driver(tmp_path, monkeypatch):
    """A stand-in nvidia-smi: 6144 MiB free of 81559; the ids it was asked for, in tmp_path/asked."""
    tool = tmp_path / "bin" / "nvidia-smi"
    tool.parent.mkdir()
    tool.write_text(f'#!/bin/sh\necho "$1" >> {tmp_path}/asked\n'
                    f'case "$1" in --id=0|--id=3|--id=GPU-abc) echo "6144, 81559";; *) echo "No devices were found"; exit 6;; esac\n')
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.delenv("DREAM_MAX_MEMORY", raising=False)
    return lambda: (tmp_path / "asked").read_text().split()


def test_the_budget_on_a_gpu_is_the_smaller_of_host_and_gpu(driver):
    assert gpu_memory(0) == (6144 * MIB, 81559 * MIB)
    assert memory_budget(None, gpu=0) == min(available_bytes(), 6144 * MIB)
    assert memory_budget(None, shared_by=2, gpu=0) == min(available_bytes() // 2, 3072 * MIB)
    assert memory_budget(None) == available_bytes()  # the CPU: the host alone, the driver not asked
    assert driver() == ["--id=0", "--id=0", "--id=0"]


def test_a_budget_beyond_the_gpus_memory_is_one_sentence(driver):
    assert memory_budget(8 * 2**30, gpu=0) == 8 * 2**30  # within the GPU's 80 GB: as given
    with pytest.raises(DreamError, match=r"more than GPU 0 holds \(85.5 GB\)"):
        memory_budget(100 * 2**30, gpu=0)


def test_cuda_visible_devices_names_the_gpu_the_driver_is_asked_about(driver, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")
    assert gpu_memory(1) is not None and driver()[-1] == "--id=3"
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-abc")
    assert gpu_memory(0) is not None and driver()[-1] == "--id=GPU-abc"


def test_without_an_answer_from_the_driver_the_host_budget_stands(driver, monkeypatch):
    assert gpu_memory(5) is None  # no such GPU: the tool's own error
    assert memory_budget(None, gpu=5) == available_bytes()
    monkeypatch.setenv("PATH", "/nonexistent")  # no nvidia-smi at all
    assert gpu_memory(0) is None and memory_budget(10 * 2**30, gpu=0) == 10 * 2**30


def test_the_command_line_refuses_a_budget_beyond_the_gpu_before_any_work(driver, photo_file, googlenet, tmp_path):
    r = subprocess.run([sys.executable, "-m", "dream", str(photo_file), "-o", str(tmp_path / "out.png"), "--gpu", "0",
                        "--max-memory", "100G", "--prototxt", str(googlenet[0]), "--weights", str(googlenet[1])],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "more than GPU 0 holds" in r.stderr and not (tmp_path / "out.png").exists()
