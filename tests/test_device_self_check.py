"""The device loop's check (dream/device/self_check.py), which makes it the default on a GPU where it
gives the host loop's bytes: on the CPU, the check itself with the numpy stand-in (it passes, and it
fails on a kernel that rounds differently), and the verdict's path: a child process, a verdict kept in
the cache, one line where it failed."""
import json
import subprocess
import sys

import numpy as np

from dream.device import self_check
from dream.device.host_stand_in import HostStandIn
from dream.engine import octaves


def test_the_check_passes_on_the_stand_in_from_the_command_line():
    r = subprocess.run([sys.executable, "-m", "dream.device.self_check", "--cpu"], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "device loop vs host loop: the same bytes in all three dreams"


class FusedAscent(HostStandIn):
    """A step computed in float64 and rounded once, as a fused multiply-add would: not numpy's bytes."""

    def ascend(self, image, scale, g):
        image[...] = (image.astype(np.float64) + np.float64(scale) * g).astype(np.float32)


def test_the_check_fails_on_a_kernel_that_rounds_otherwise():
    same, said = self_check.check(None, FusedAscent())
    assert not same and "max |diff|" in said


def test_a_gpu_without_the_kernels_takes_the_host_loop_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("DREAM_DEVICE_LIBRARY", str(tmp_path / "missing.so"))
    self_check._proven.cache_clear()
    assert "kernels are not built" in self_check.proven(0)
    self_check._proven.cache_clear()


def child(tmp_path, name, body):
    """An executable that stands where proven() starts `sys.executable -m dream.device.self_check`."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_a_verdict_is_made_in_a_child_once_and_kept(monkeypatch, tmp_path, capsys):
    """The real check in a child (here on the stand-in: no GPU), its verdict kept for the build and read
    back by the next process without a child; a check that differs is kept and said in one line; one
    that never compared (no GPU here, a crash) is not kept."""
    library = tmp_path / "libdream_device.so"
    library.write_bytes(b"stands in for the kernels' library: no child here loads it")
    monkeypatch.setenv("DREAM_DEVICE_LIBRARY", str(library))
    monkeypatch.setenv("DREAM_CACHE", str(tmp_path / "cache"))
    kept, python = tmp_path / "cache" / "device-loop-checks.json", sys.executable
    self_check._proven.cache_clear()
    why = self_check.proven(0)  # the real child, --gpu 0 on a CPU build: it cannot start
    assert why == "the device loop's check could not run on this GPU (it ended with status 2)"
    assert not kept.exists()

    monkeypatch.setattr(sys, "executable", child(tmp_path, "crash", "exit 134"))
    self_check._proven.cache_clear()
    assert "status 134" in self_check.proven(0) and not kept.exists()

    monkeypatch.setattr(sys, "executable", child(tmp_path, "passes", f"exec {python} -m dream.device.self_check --cpu"))
    self_check._proven.cache_clear()
    assert self_check.proven(0) is None  # the stand-in's check passed: the device loop dreams
    assert "checking the device loop on GPU 0" in capsys.readouterr().err
    assert [v["passed"] for v in json.loads(kept.read_text()).values()] == [True]
    monkeypatch.setattr(sys, "executable", child(tmp_path, "never", "exit 99"))  # a second check would say so
    self_check._proven.cache_clear()
    assert self_check.proven(0) is None  # read back, no child

    kept.unlink()
    monkeypatch.setattr(sys, "executable", child(tmp_path, "differs",
                                                 "echo 'device loop vs host loop: a guide: max |diff| 0.5'; exit 1"))
    self_check._proven.cache_clear()
    why = self_check.proven(0)
    assert why.startswith("the device loop's check failed on this GPU (device loop vs host loop: a guide: max")
    monkeypatch.setattr(sys, "executable", child(tmp_path, "never2", "exit 99"))
    self_check._proven.cache_clear()
    assert self_check.proven(0) == why  # kept

    kept.unlink()  # the verdict line decides, not the exit status: a crash at exit after it changes nothing
    monkeypatch.setattr(sys, "executable", child(tmp_path, "same-then-crash",
                                                 f"echo '{self_check.VERDICT}{self_check.SAME}'; exit 139"))
    self_check._proven.cache_clear()
    assert self_check.proven(0) is None and json.loads(kept.read_text())

    (tmp_path / "a-file").write_text("")  # a cache that cannot be written: the verdict holds, said once
    monkeypatch.setenv("DREAM_CACHE", str(tmp_path / "a-file" / "cache"))
    self_check._proven.cache_clear()
    assert self_check.proven(0) is None
    assert "the device loop's check is not kept" in capsys.readouterr().err
    self_check._proven.cache_clear()


def test_on_the_cpu_the_device_loop_is_only_for_asking(load, monkeypatch):
    """Unset, a CPU net takes the host loop and runs no check; "1" asks for the stand-in; "0" never."""
    net = load()
    monkeypatch.setattr(self_check, "proven", lambda gpu: (_ for _ in ()).throw(AssertionError("checked")))
    monkeypatch.delenv("DREAM_DEVICE_LOOP", raising=False)
    assert octaves.device_loop_for(net, None, [None]) is None
    monkeypatch.setenv("DREAM_DEVICE_LOOP", "1")
    assert isinstance(octaves.device_loop_for(net, None, [None]), HostStandIn)
    monkeypatch.setenv("DREAM_DEVICE_LOOP", "0")
    assert octaves.device_loop_for(net, None, [None]) is None


def test_a_gpu_net_whose_check_failed_takes_the_host_loop_and_says_so(load, monkeypatch, capsys):
    """device_loop_for on a net that says it is on GPU 0: where the check failed, None and one line;
    where the user forces the loop, no check is asked."""
    net = load()
    monkeypatch.setattr(net, "dream_gpu", 0)
    monkeypatch.setattr(octaves, "_SAID", set())
    monkeypatch.setattr(self_check, "proven", lambda gpu: "the device loop's check failed on this GPU (a reason)")
    monkeypatch.delenv("DREAM_DEVICE_LOOP", raising=False)
    assert octaves.device_loop_for(net, None, [None]) is None
    assert octaves.device_loop_for(net, None, [None]) is None
    assert capsys.readouterr().err.count("the host loop dreams this: the device loop's check failed") == 1
    monkeypatch.setattr(self_check, "proven", lambda gpu: (_ for _ in ()).throw(AssertionError("checked")))
    monkeypatch.setenv("DREAM_DEVICE_LOOP", "0")
    assert octaves.device_loop_for(net, None, [None]) is None
