"""dream asks BLIS for its AVX-512 kernels where BLIS cannot tell them apart itself (dream.network.blas.choose_kernel)."""
import os
import subprocess
import sys

import pytest

from dream.network.blas import choose_kernel

AVX512 = "fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl"


def cpuinfo(tmp_path, vendor, model, flags):
    path = tmp_path / "cpuinfo"
    block = f"processor\t: 0\nvendor_id\t: {vendor}\nmodel name\t: {model}\nflags\t\t: {flags}\n"
    path.write_text(block + "\n" + block.replace(": 0", ": 1"))
    return str(path)


@pytest.mark.parametrize("vendor,model,flags,chosen", [
    ("GenuineIntel", "Intel(R) Xeon(R) Processor", AVX512, "skx"),  # a VM: the SKU is hidden
    ("GenuineIntel", "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz", AVX512, None),  # BLIS reads it
    ("GenuineIntel", "Intel(R) Xeon(R) Silver 4114 CPU @ 2.20GHz", AVX512, None),  # one FMA unit
    ("GenuineIntel", "Intel(R) Xeon(R) Processor", "fpu sse2 avx avx2 fma", None),  # no AVX-512
    ("AuthenticAMD", "AMD EPYC 9654 96-Core Processor", AVX512, None),  # BLIS's zen kernels
])
def test_kernel_chosen_only_where_blis_cannot_tell(tmp_path, vendor, model, flags, chosen):
    environ = {}
    assert choose_kernel(environ, cpuinfo(tmp_path, vendor, model, flags)) == chosen
    assert environ == ({"BLIS_ARCH_TYPE": "0"} if chosen else {})


def test_users_choice_stands(tmp_path):
    environ = {"BLIS_ARCH_TYPE": "3"}
    assert choose_kernel(environ, cpuinfo(tmp_path, "GenuineIntel", "Intel(R) Xeon(R) Processor", AVX512)) is None
    assert environ == {"BLIS_ARCH_TYPE": "3"}
    assert choose_kernel({}, str(tmp_path / "missing")) is None


CHILD = """
import ctypes, os, dream, caffe
from dream.network.blas import loaded_blis
lib = loaded_blis()
lib.bli_init()  # BLIS 1.x answers a query only once initialised (Caffe's first product does it)
lib.bli_arch_query_id.restype = ctypes.c_int
lib.bli_arch_string.restype = ctypes.c_char_p
print(os.environ.get('BLIS_ARCH_TYPE'), lib.bli_arch_string(lib.bli_arch_query_id()).decode())
"""


def test_blis_runs_the_chosen_kernels():
    """The choice reaches BLIS: dream sets it before Caffe first calls BLIS."""
    env = {k: v for k, v in os.environ.items() if k != "BLIS_ARCH_TYPE"}
    expected = choose_kernel({})
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    asked, running = out.stdout.split()
    if expected:
        assert (asked, running) == ("0", "skx")
    else:
        assert asked == "None"  # BLIS chose by itself
    out = subprocess.run([sys.executable, "-c", CHILD], env={**env, "BLIS_ARCH_TYPE": "3"},
                         capture_output=True, text=True)
    assert out.stdout.split() == ["3", "haswell"]
