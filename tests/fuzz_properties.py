"""Property checks over what users type and feed: the argument parsers, the objective expressions,
the image loader. Each either accepts the input and gives values Caffe can take, or refuses it
with a DreamError / one-line usage error; nothing else may escape.

Shared by tests/test_fuzz.py (a few hundred examples) and scripts/fuzz_inputs.py (the long run).
"""
import contextlib
import io
import math
import struct
import zlib

import numpy as np
import PIL.Image
from hypothesis import strategies as st

import dream
from dream.cli import classes, common, gallery, image, video
from dream.objectives.expression import MAX_TERMS, MAX_WEIGHT, parse_objective
from dream.images import load_image

# --- the argument parsers ------------------------------------------------------
NUMBER_FLAGS = {"--octaves", "--octave-scale", "--iters", "--step-size", "--jitter", "--seed", "--amplify",
                "--prior-weight", "--mask-feather", "--frames", "--zoom", "--gpu", "--columns", "--iters-next",
                "--decay", "--blend", "--fps"}
FLAGS = sorted(NUMBER_FLAGS | {"--layer", "--objective", "--prior", "--optimizer", "--model", "--size",
                               "--layers", "-o", "--overwrite", "--exact-gradient", "--regions", "--guide"})
PARSERS = {"dream": image.build_parser, "class": classes.build_parser, "gallery": gallery.build_parser,
           "video": video.build_parser}

numbers_as_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.sampled_from(["nan", "-nan", "inf", "-inf", "1e400", "-0", "0x10", "1_000", "", " ", "1e-400", "4294967296"]))
values = st.one_of(numbers_as_text, st.text(max_size=12))
argvs = st.lists(st.one_of(st.sampled_from(FLAGS), values), max_size=8)


def check_parser(command, argv):
    """parse_args either exits 2 with one line, or every number it returns is finite and in its range."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            args = PARSERS[command]().parse_args(argv)
        except SystemExit as e:
            if e.code == 0:  # --help or --version (argparse also takes abbreviations such as --v)
                assert out.getvalue() and not err.getvalue(), argv
                return "accepted"
            assert e.code == 2, (argv, e.code)
            assert len(err.getvalue().strip().splitlines()) == 1, (argv, err.getvalue())
            return "refused"
    for name, value in vars(args).items():
        if isinstance(value, float):
            assert math.isfinite(value), (argv, name, value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name != "gpu":
            assert value >= 0, (argv, name, value)
    if getattr(args, "seed", None) is not None:
        assert args.seed < 2**32
    if getattr(args, "step_size", None) is not None:
        assert 0 < args.step_size <= common.MAX_STEP
    if getattr(args, "octave_scale", None) is not None:
        assert 1 <= args.octave_scale <= common.MAX_FACTOR
    return "accepted"


# --- the objective expressions -------------------------------------------------
LAYERS = ["'inception_4c/output'", "'inception_3b/output'", "''", "'x'"]
atoms = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(LAYERS + ["True", "None", "x", "os", "[1]", "{}", "'a'*3", "1j", "b'x'", "**{}"]),
    st.builds(lambda f, layer, n: f"{f}({layer}, {n})" if f in ("channel", "neuron") else f"{f}({layer})",
              st.sampled_from(["layer_l2", "channel", "neuron", "class_unit", "guide", "open"]),
              st.sampled_from(LAYERS), st.integers(-3, 2000)))
expressions = st.recursive(
    atoms, lambda inner: st.one_of(
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(["+", "-", "*", "/", "**", "@", "and"]), inner),
        st.builds(lambda a: f"-({a})", inner),
        st.builds(lambda a: f"({a}", inner)),
    max_leaves=12)
texts = st.one_of(expressions, st.text(max_size=40))


def refused(call, *args):
    """(None, 'refused') if call(*args) raises a one-line DreamError, else (its result, None)."""
    try:
        return call(*args), None
    except dream.DreamError as e:
        assert "\n" not in str(e)
        return None, "refused"


def check_expression(text):
    """parse_objective gives an Objective with finite, bounded weights, or raises DreamError."""
    objective, outcome = refused(parse_objective, text)
    if outcome:
        return outcome
    assert isinstance(objective, dream.Objective)
    assert len(objective.terms) <= MAX_TERMS
    for _, weight, _ in objective.terms:
        assert math.isfinite(weight) and abs(weight) <= MAX_WEIGHT, (text, weight)
    return "accepted"


# --- the image loader ----------------------------------------------------------
MODES = ["RGB", "L", "LA", "RGBA", "P", "I;16", "I", "F", "CMYK", "1"]
FORMATS = {"PNG": ".png", "JPEG": ".jpg", "TIFF": ".tif", "BMP": ".bmp", "GIF": ".gif", "WEBP": ".webp"}


def encode(mode, fmt, width, height, seed, special):
    """An image file's bytes, or None where the format cannot hold the mode."""
    rng = np.random.RandomState(seed)
    if mode == "F":
        arr = rng.uniform(-1e3, 1e3, (height, width)).astype(np.float32)
        if special is not None:
            arr.flat[rng.randint(arr.size)] = special
        img = PIL.Image.fromarray(arr, mode="F")
    else:
        img = PIL.Image.fromarray(rng.randint(0, 256, (height, width, 3), dtype=np.uint8)).convert(mode)
    buf = io.BytesIO()
    try:
        img.save(buf, fmt)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return buf.getvalue()


def png_header(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


@st.composite
def image_files(draw):
    """(bytes, suffix): valid images of every mode and format, damaged ones, forged headers, noise."""
    kind = draw(st.sampled_from(["valid", "damaged", "forged", "noise"]))
    if kind == "noise":
        return draw(st.binary(max_size=300)), draw(st.sampled_from(list(FORMATS.values())))
    if kind == "forged":
        return png_header(draw(st.integers(0, 2**31 - 1)), draw(st.integers(0, 2**31 - 1))), ".png"
    fmt = draw(st.sampled_from(sorted(FORMATS)))
    special = draw(st.sampled_from([None, float("nan"), float("inf"), -float("inf"), 1e38]))
    data = encode(draw(st.sampled_from(MODES)), fmt, draw(st.integers(1, 24)), draw(st.integers(1, 24)),
                  draw(st.integers(0, 2**16)), special)
    if data is None:
        data = encode("RGB", "PNG", 4, 4, 0, None)
    if kind == "damaged":
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 6))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        data = bytes(data[:draw(st.integers(0, len(data)))])
    return data, FORMATS[fmt]


def check_image(path):
    """load_image gives finite float32 RGB in 0..255, or raises DreamError."""
    arr, outcome = refused(load_image, path)
    if outcome:
        return outcome
    assert arr.dtype == np.float32 and arr.ndim == 3 and arr.shape[2] == 3, arr.shape
    assert np.isfinite(arr).all() and arr.min() >= 0 and arr.max() <= 255
    return "accepted"
