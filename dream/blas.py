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

BLIS = "libblis.so.4"


class _Blksz(ctypes.Structure):
    """BLIS's blksz_t: a block size per float type (s, c, d, z), and its maximum."""
    _fields_ = [("v", ctypes.c_int64 * 4), ("e", ctypes.c_int64 * 4)]


# BLIS releases whose bli_cntx_set_l3_sup_thresh and blksz_t are as below (0.6 introduced sup;
# 1.0 reworked the context API). Debian 12 and Ubuntu 24.04 ship 0.9.0, Ubuntu 22.04 0.8.1.
KNOWN_VERSIONS = ("0.6.", "0.7.", "0.8.", "0.9.")


def disable_small_matrix_path():
    """Turn off BLIS's sup path in this process; False where Caffe's BLAS is not BLIS (e.g. conda's)
    or is a BLIS whose interface this was not written for (its tiles may then differ in the last bits)."""
    try:
        lib = ctypes.CDLL(BLIS, mode=os.RTLD_NOLOAD)  # only the one Caffe loaded: no second copy
    except OSError:
        return False
    lib.bli_info_get_version_str.restype = ctypes.c_char_p
    if not lib.bli_info_get_version_str().decode().startswith(KNOWN_VERSIONS):
        return False
    one = _Blksz((1,) * 4, (1,) * 4)
    lib.bli_gks_query_cntx.restype = ctypes.c_void_p
    context = lib.bli_gks_query_cntx()  # the context every call without one uses
    mt, nt, kt = 0, 1, 2  # threshid_t: BLIS_MT, BLIS_NT, BLIS_KT
    lib.bli_cntx_set_l3_sup_thresh(ctypes.c_int64(3), ctypes.c_int(mt), ctypes.byref(one), ctypes.c_int(nt),
                                   ctypes.byref(one), ctypes.c_int(kt), ctypes.byref(one), ctypes.c_void_p(context))
    return True
