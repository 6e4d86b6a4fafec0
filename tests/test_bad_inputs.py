"""Every bad input gets one line on stderr, a non-zero exit, and nothing written: flags, files, expressions.

Run in-process through dream.cli.main (fast); the cases that would reach Caffe with NaN run in
subprocesses in test_nonfinite.py, where a heap corruption would show as a crash.
"""
import struct
import zlib

import numpy as np
import PIL.Image
import pytest

from dream.cli import main

MODEL_FLAGS = []  # filled by the fixture: --prototxt/--weights of the random-weight GoogLeNet


@pytest.fixture
def run(googlenet, tmp_path, monkeypatch, capsys):
    """run(*argv) -> (exit code, stderr lines), in tmp_path, with the fixture model."""
    monkeypatch.chdir(tmp_path)

    def call(*argv, model=True):
        extra = ["--prototxt", str(googlenet[0]), "--weights", str(googlenet[1])] if model else []
        argv = [str(a) for a in argv]
        if argv and argv[0] in ("class", "gallery"):
            argv = argv[:1] + extra + argv[1:]
        else:
            argv = argv + extra
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code
        return code, capsys.readouterr().err.strip().splitlines()
    return call


def one_line(result, *fragments):
    code, lines = result
    assert code not in (0, None), lines
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


def nothing_written(folder, *keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep) == []


def png_claiming(path, width, height):
    """A tiny PNG whose header claims width x height: what a decompression bomb looks like to Pillow."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0\0"))
                     + chunk(b"IEND", b""))
    return path


FLAG_CASES = [
    (["--step-size", "nan"], ["--step-size", "finite"]),
    (["--step-size", "inf"], ["finite"]),
    (["--step-size", "-1"], ["greater than 0"]),
    (["--step-size", "1e400"], ["finite"]),
    (["--step-size", "300"], ["at most 255"]),
    (["--octave-scale", "nan"], ["--octave-scale", "finite"]),
    (["--octave-scale", "0.5"], ["at least 1"]),
    (["--mask-feather", "inf"], ["--mask-feather", "finite"]),
    (["--mask-feather=-nan"], ["finite"]),
    (["--objective", "enhance", "--amplify", "inf"], ["--amplify", "finite"]),
    (["--objective", "enhance", "--prior-weight", "nan"], ["--prior-weight", "finite"]),
    (["--seed", str(2**32)], ["--seed", "at most 4294967295"]),
    (["--seed", "-1"], ["--seed", "at least 0"]),
    (["--layer", ""], ["--layer", "empty"]),
    (["--layer", "   "], ["--layer", "empty"]),
    (["--jitter", "99999999999999999999"], ["--jitter", "at most"]),
    (["--jitter", "1.5"], ["--jitter", "not a valid int"]),
    (["--octaves", "1000001"], ["--octaves", "at most"]),
    (["--iters", "0"], ["--iters", "greater than 0"]),
    (["--frames", "-3"], ["--frames"]),
    (["--zoom", "nan", "--frames", "1"], ["--zoom", "finite"]),
    (["--gpu", "-1"], ["--gpu"]),
    (["--prior", "tv2"], ["--prior", "invalid choice"]),
    (["--objective", ""], ["--objective", "empty"]),
    (["--no-such-flag"], ["unrecognized"]),
    (["--max-memory", "0"], ["--max-memory", "positive size"]),
    (["--max-memory", "-1"], ["--max-memory", "positive size"]),
    (["--max-memory", "abc"], ["--max-memory", "size such as 8G"]),
    (["--max-memory", "1e999"], ["--max-memory", "positive size"]),
    (["--max-memory", "nan"], ["--max-memory", "positive size"]),
    (["--max-memory", "20M"], ["smallest tiles", "budget is 20 MB", "allow"]),  # below even one tile
    (["--tile-margin", "-5"], ["--tile-margin", "at least 0"]),
    (["--tile-margin", "ten"], ["--tile-margin", "not a valid int"]),
    (["--objective", "enhance", "--tile-margin", "8"], ["--tile-margin", "does not apply"]),
]


@pytest.mark.parametrize("flags,fragments", FLAG_CASES, ids=[" ".join(c[0])[:40] for c in FLAG_CASES])
def test_bad_flags(run, photo_file, tmp_path, flags, fragments):
    one_line(run(photo_file, "-o", "out.jpg", *flags), *fragments)
    assert nothing_written(tmp_path, photo_file.name)


EXPRESSION_CASES = [
    ("layer_l2('inception_4c/output')*1e308*1e308", "not a finite number"),
    ("layer_l2('inception_4c/output')*1e999", "not a finite number"),
    ("layer_l2('inception_4c/output')*(1e308*10-1e308*10)", "overflows"),
    (" + ".join(["layer_l2('inception_4c/output')"] * 3000), "characters"),
    (" + ".join(["layer_l2('a')"] * 300), "300 terms"),
    ("-(" * 400 + "layer_l2('inception_4c/output')" + ")" * 400, "nested"),
    ("-" * 5000 + "layer_l2('inception_4c/output')", "nested"),
    ("'x' * 1000000000", "only numbers and objectives"),
    ("-'abc'", "a sign applies"),
    ("channel('inception_4c/output', 1.5)", "whole number"),
    ("channel('inception_4c/output', True)", "not allowed"),
    ("neuron('inception_4c/output', 1, 2.5)", "whole number"),
    ("layer_l2('')", "non-empty"),
    ("layer_l2(3)", "non-empty"),
    ("layer_l2(**{})", "** arguments"),
    ("99999999999999999999999 * 99999999999999999999 * 99999999999 * layer_l2('inception_4c/output')",
     "at most 1e+06"),
    ("1e7 * layer_l2('inception_4c/output')", "at most 1e+06"),
]


@pytest.mark.parametrize("expression,fragment", EXPRESSION_CASES, ids=[c[0][:40] for c in EXPRESSION_CASES])
def test_bad_objective_expressions(run, photo_file, tmp_path, expression, fragment):
    one_line(run(photo_file, "-o", "out.jpg", f"--objective={expression}"), "--objective", fragment)
    assert nothing_written(tmp_path, photo_file.name)


def test_bad_files(run, photo_file, tmp_path):
    (tmp_path / "folder.jpg").mkdir()
    one_line(run("folder.jpg", "-o", "out.jpg"), "directory")
    one_line(run(png_claiming(tmp_path / "bomb.png", 40000, 40000), "-o", "out.jpg"), "decompression bomb")
    nan = np.full((64, 80), 100, np.float32)
    nan[5, 5] = np.nan
    PIL.Image.fromarray(nan, mode="F").save(tmp_path / "nan.tif")
    one_line(run("nan.tif", "-o", "out.jpg"), "NaN or infinite")
    one_line(run(photo_file, "-o", "out.jpg", "--guide", "missing.png"), "not found", "missing.png")
    one_line(run(photo_file, "-o", "out.jpg", "--guide", "folder.jpg"), "directory")
    one_line(run(photo_file, "-o", "out.jpg", "--guide", "nan.tif"), "NaN or infinite")
    one_line(run(photo_file, "-o", "out.jpg", "--mask", "missing.png"), "not found")
    one_line(run(f"{photo_file.name}/inside.png", "-o", "out.jpg"), "Not a directory")
    (tmp_path / "text.png").write_text("not a png")
    one_line(run(photo_file, "-o", "out.jpg", "--mask", "text.png"), "not an image")
    one_line(run(photo_file, "-o", "no/such/folder/out.jpg"), "folder does not exist")
    one_line(run(photo_file, "-o", "out.tiff"), "unsupported extension")
    one_line(run(photo_file, "-o", "out.jpg", "--weights", tmp_path, "--prototxt", photo_file, model=False),
             "weights not found")
    one_line(run(photo_file, "-o", "out.jpg", "--layer", "inception_3b/output", f"--objective={photo_file}"),
             "--objective")
    assert nothing_written(tmp_path, photo_file.name, "folder.jpg", "bomb.png", "nan.tif", "text.png")


def test_bad_model_definitions_fail_before_caffe_aborts(run, googlenet, photo_file, tmp_path):
    head = ('layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 '
            'dim: 8 } } }\n')
    cases = {"bogus": (head + 'layer { name: "x" type: "Bogus" bottom: "data" top: "y" }', "'Bogus'"),
             "orphan": (head + 'layer { name: "x" type: "ReLU" bottom: "nothere" top: "y" }', "'nothere'"),
             "empty": ("", "no input blob named 'data'"),
             "train": ('layer { name: "data" type: "Data" top: "data" data_param { source: "x" batch_size: 1 } }',
                       "training data")}
    for name, (text, fragment) in cases.items():
        (tmp_path / f"{name}.prototxt").write_text(text)
        one_line(run(photo_file, "-o", "out.jpg", "--prototxt", f"{name}.prototxt", "--weights", googlenet[1],
                     model=False), fragment)
        one_line(run("--list-layers", "--prototxt", f"{name}.prototxt", "--weights", googlenet[1], model=False),
                 fragment)
    (tmp_path / "empty.caffemodel").write_bytes(b"")
    one_line(run(photo_file, "-o", "out.jpg", "--prototxt", googlenet[0], "--weights", "empty.caffemodel",
                 model=False), "does not match")
    one_line(run(photo_file, "-o", "out.jpg", "--prototxt", googlenet[0], "--weights", tmp_path, model=False),
             "not found")


def test_memory_is_checked_before_allocating(run, photo_file, tmp_path, monkeypatch):
    monkeypatch.setenv("DREAM_MAX_MEMORY", "50M")
    line = one_line(run(photo_file, "-o", "out.jpg"), "smallest tiles", "budget is 50 MB", "allow")
    one_line(run(photo_file, "-o", "frames", "--frames", "2"), "smallest tiles")
    one_line(run("gallery", photo_file, "-o", "g", "--layers", "inception_3a/output"), "smallest tiles")
    one_line(run(photo_file, "-o", "out.jpg", "--objective", "enhance"), "needs about")
    assert "300" in line and "451" in line  # says the size it was asked for
    monkeypatch.delenv("DREAM_MAX_MEMORY")
    one_line(run("class", "207", "--size", "99999x99999", "-o", "c.jpg"), "needs about", "GB", "--size")
    monkeypatch.setenv("DREAM_MAX_MEMORY", "lots")
    one_line(run(photo_file, "-o", "out.jpg"), "DREAM_MAX_MEMORY")
    assert nothing_written(tmp_path, photo_file.name)


CLASS_CASES = [
    (["207:nan"], "finite"),
    (["207:inf"], "finite"),
    (["207:1e400"], "finite"),
    (["golden retreiver"], "did you mean golden retriever"),
    (["1000"], "out of range"),
    (["207", "--size", "0"], "between 1 and"),
    (["207", "--size=-5x10"], "between 1 and"),
    (["207", "--size", "abc"], "WIDTHxHEIGHT"),
    (["207", "--size", "100x100"], "smaller than"),
    (["207", "--seed", str(2**32)], "at most"),
    (["207", "--iters", "nan"], "not a valid int"),
    (["207", "--init", "missing.png"], "not found"),
]


@pytest.mark.parametrize("args,fragment", CLASS_CASES, ids=[" ".join(c[0]) for c in CLASS_CASES])
def test_bad_class_arguments(run, tmp_path, args, fragment):
    one_line(run("class", *args, "-o", "c.jpg"), fragment)
    assert nothing_written(tmp_path)


GALLERY_CASES = [
    (["--layers", ","], "names no layer"),
    (["--layers", " , ,"], "names no layer"),
    (["--layers", "inception_4c/outptu"], "did you mean"),
    (["--columns", "0"], "greater than 0"),
    (["--columns", "1000"], "at most 64"),
    (["--octave-scale", "inf"], "finite"),
    (["--step-size", "nan"], "finite"),
]


@pytest.mark.parametrize("args,fragment", GALLERY_CASES, ids=[" ".join(c[0]) for c in GALLERY_CASES])
def test_bad_gallery_arguments(run, photo_file, tmp_path, args, fragment):
    one_line(run("gallery", photo_file, "-o", "g", *args), fragment)
    assert nothing_written(tmp_path, photo_file.name)
