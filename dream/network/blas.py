"""Caffe's BLAS made shape-independent: each element of a product rounded the same in a tile as in the image.

Caffe is built on BLIS (scripts/install_caffe.sh). BLIS's main path sends every
block, edges included, through one micro-kernel with one order of additions, so
an element of A x B does not depend on how wide B is. Its small-matrix ("sup")
path does not: it picks kernels by the matrix's shape. Setting the sup
thresholds to 1 turns that path off (BLIS uses it only for dimensions below
them), and a tile's gradient is then bit for bit the whole image's.
"""
import ctypes
import os
import re

# What BLIS needs for its skx (AVX-512) kernels, as bli_cpuid.c checks them.
AVX512 = {"avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"}
# Intel brands that say how many AVX-512 FMA units a CPU has; BLIS reads them from the brand string.
NAMED_SKU = re.compile(r"Platinum|Gold|Silver|Bronze|Xeon\(R\) W|Core|Phi", re.I)


def cores():
    """The cores this process may run on (its affinity where the OS says, else the machine's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Blksz(ctypes.Structure):
    """BLIS's blksz_t: a block size per float type (s, c, d, z), and its maximum (0.6 to 2.x)."""
    _fields_ = [("v", ctypes.c_int64 * 4), ("e", ctypes.c_int64 * 4)]


# The sonames Caffe may have loaded: BLIS 0.9, 1.x and 2.x (Debian 12, 13 and 14, Ubuntu 24.04 and
# 26.04) are .so.4, 0.8 (Debian 11, Ubuntu 22.04) is .so.3.
SONAMES = ("libblis.so.4", "libblis.so.3")
# The releases whose threshold interface this module knows, by the call that sets them:
# 0.6 introduced the small-matrix path, with bli_cntx_set_l3_sup_thresh; 1.0 folded the thresholds
# into the block sizes (bszid_t BLIS_MT, BLIS_NT, BLIS_KT), set with bli_cntx_set_blkszs. 2.x sets
# them the same way and tests them the same way (bli_cntx_l3_sup_thresh_is_met: m < MT, n < NT or
# k < KT), but keeps the block sizes in a stack (stck_t) rather than an array: read back through
# bli_stack_get.
SUP_THRESH_API = ("0.6.", "0.7.", "0.8.", "0.9.")
BLKSZS_API = ("1.", "2.")
STACKED_BLKSZS = ("2.",)
# bszid_t in 1.0 to 2.1 (after KR MR NR MC KC NC BBM BBN M2 N2 AF DF XF); BLIS_VA_END is (kerid_t)-1
BLIS_MT, BLIS_NT, BLIS_KT = 13, 14, 15
BLIS_VA_END = -1
BLIS_SUCCESS = -1  # err_t


def loaded_blis():
    """The BLIS Caffe loaded, or None (a BLAS that is not BLIS, e.g. conda's OpenBLAS)."""
    for name in SONAMES:
        try:
            return ctypes.CDLL(name, mode=os.RTLD_NOLOAD)  # only the one Caffe loaded: no second copy
        except OSError:
            continue
    return None


def blis_version(lib):
    lib.bli_info_get_version_str.restype = ctypes.c_char_p
    return lib.bli_info_get_version_str().decode()


def choose_kernel(environ=os.environ, cpuinfo="/proc/cpuinfo"):
    """Ask BLIS for its AVX-512 (skx) kernels on an Intel CPU that has AVX-512 but hides its model.

    BLIS picks skx only when the brand string names a SKU with two FMA units ("Xeon(R)
    Gold 6148"); a virtual machine's "Intel(R) Xeon(R) Processor" names none, and BLIS
    falls back to its AVX2 (haswell) kernels: 130 instead of 215 GFLOP/s on GoogLeNet's
    matrix products on our 2-core VMs. Call before BLIS is first used. Returns the
    kernel set asked for, or None (BLIS_ARCH_TYPE already set, or another CPU: BLIS decides).
    Images then differ from the AVX2 kernels' in the last bits, as they do between any
    two CPU families; stock and dream's Caffe still give the same bits on one machine.
    """
    if "BLIS_ARCH_TYPE" in environ:
        return None
    try:
        with open(cpuinfo) as f:
            first_cpu = f.read().split("\n\n")[0]
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in first_cpu.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    if (fields.get("vendor_id") == "GenuineIntel" and AVX512 <= set(fields.get("flags", "").split())
            and not NAMED_SKU.search(fields.get("model name", ""))):
        environ["BLIS_ARCH_TYPE"] = "0"  # BLIS_ARCH_SKX, the first arch_t in BLIS 0.6 to 2.1
        return "skx"
    return None


def disable_small_matrix_path():
    """Turn off BLIS's sup path in this process. Returns None when tiles are then bit for bit the
    whole image's; else why they may differ in the last bits (Caffe's BLAS is not BLIS, or is a BLIS
    this was not written for), and plan_octaves refuses exact tiles rather than give other bytes."""
    lib = loaded_blis()
    if lib is None:
        return "Caffe's BLAS is not BLIS (dream's build links BLIS: scripts/install_caffe.sh)"
    version = blis_version(lib)
    one = _Blksz((1,) * 4, (1,) * 4)
    lib.bli_gks_query_cntx.restype = ctypes.c_void_p
    context = lib.bli_gks_query_cntx()  # the context every call without one uses (1.x: initialised first)
    if version.startswith(SUP_THRESH_API):
        mt, nt, kt = 0, 1, 2  # threshid_t: BLIS_MT, BLIS_NT, BLIS_KT
        lib.bli_cntx_set_l3_sup_thresh(ctypes.c_int64(3), ctypes.c_int(mt), ctypes.byref(one), ctypes.c_int(nt),
                                       ctypes.byref(one), ctypes.c_int(kt), ctypes.byref(one),
                                       ctypes.c_void_p(context))
    elif version.startswith(BLKSZS_API):
        triples = []
        for bszid in (BLIS_MT, BLIS_NT, BLIS_KT):  # (id, block size, the id of its multiple)
            triples += [ctypes.c_int(bszid), ctypes.byref(one), ctypes.c_int(bszid)]
        lib.bli_cntx_set_blkszs(ctypes.c_void_p(context), *triples, ctypes.c_int(BLIS_VA_END))
    else:
        return f"BLIS {version} is a release dream does not know (it knows 0.6 to 2.x)"
    if sup_thresholds(lib, version) not in (None, (1, 1, 1)):
        return f"BLIS {version} kept its small-matrix path"
    return None


def sup_thresholds(lib, version):
    """The float thresholds BLIS now uses (m, n, k): read back, so that a wrong call is seen."""
    lib.bli_gks_query_cntx.restype = ctypes.c_void_p
    context = lib.bli_gks_query_cntx()
    if version.startswith(SUP_THRESH_API):
        return None  # 0.x keeps them in a structure of its own, not exported; trusted as before
    if version.startswith(STACKED_BLKSZS):
        # 2.x: cntx_t begins with its block sizes' stck_t; bli_stack_get(i, &element, stack)
        lib.bli_stack_get.restype = ctypes.c_int
        thresholds = []
        for bszid in (BLIS_MT, BLIS_NT, BLIS_KT):
            element = ctypes.c_void_p()
            if lib.bli_stack_get(ctypes.c_uint64(bszid), ctypes.byref(element), ctypes.c_void_p(context)) != BLIS_SUCCESS:
                return None
            thresholds.append(ctypes.cast(element, ctypes.POINTER(_Blksz))[0].v[0])
        return tuple(thresholds)
    # 1.x: cntx_t begins with its blksz_t array, indexed by bszid_t
    blkszs = ctypes.cast(ctypes.c_void_p(context), ctypes.POINTER(_Blksz))
    return tuple(blkszs[i].v[0] for i in (BLIS_MT, BLIS_NT, BLIS_KT))
