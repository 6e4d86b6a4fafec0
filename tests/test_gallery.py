"""python -m dream gallery and python -m dream class, end to end."""
import numpy as np
import PIL.Image

from dream.engine.gallery import contact_sheet, gallery_layers, tile_name
from dream.images import read_metadata
from test_cli import cli, one_line_error  # noqa: F401  (the fixture and helper)


def test_gallery_layer_choice():
    names = ['conv2/3x3', 'inception_3a/1x1', 'inception_3a/3x3_reduce', 'inception_3a/pool_proj',
             'inception_3a/output', 'pool3/3x3_s2', 'inception_4a/output']
    assert gallery_layers(names) == ['inception_3a/output', 'inception_4a/output']
    assert gallery_layers(names, include_branches=True) == names[1:5] + ['inception_4a/output']
    assert gallery_layers(['conv1', 'fc7']) == ['conv1', 'fc7']  # any model: all its layers
    assert tile_name(3, 'inception_4c/output') == '03-inception_4c-output.jpg'


def test_contact_sheet_has_one_labelled_tile_per_layer():
    tiles = [(f"layer {k}", np.full((30, 40, 3), 40.0 * k)) for k in range(5)] + [("too small", None)]
    sheet = contact_sheet(tiles, columns=4, tile_width=64, label_height=20)
    assert sheet.shape == (2 * (48 + 20), 4 * 64, 3)
    assert sheet[10, 64 + 10].tolist() == [40, 40, 40] and sheet[10, 4 * 64 - 10].tolist() == [120, 120, 120]
    assert sheet[68 + 10, 10].tolist() == [160, 160, 160]  # the fifth tile starts the second row
    assert (sheet[48:68, :64] < 128).any()  # a label was drawn under the first tile
    assert sheet[68 + 10, 64 + 10].tolist() == [230, 230, 230]  # the missing tile is grey


def test_gallery_end_to_end_and_resume(cli, photo_file, tmp_path):
    args = [photo_file, "-o", "gal", "--iters", "1", "--octaves", "2", "--seed", "4",
            "--layers", "inception_3a/output,inception_3b/5x5_reduce,inception_4a/output"]
    r = cli("gallery", *args)
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in (tmp_path / "gal").iterdir())
    assert files == ["00-inception_3a-output.jpg", "01-inception_3b-5x5_reduce.jpg",
                     "02-inception_4a-output.jpg", "contact-sheet.jpg"]
    meta = read_metadata(tmp_path / "gal" / files[1])
    assert meta["layer"] == "inception_3b/5x5_reduce" and meta["seed"] == 4 and meta["exact_gradient"]
    sheet = PIL.Image.open(tmp_path / "gal" / "contact-sheet.jpg")
    assert sheet.size[0] == 4 * 256
    # a tile deleted (as by an interruption) is remade, the others reused, and it comes out the same
    before = np.asarray(PIL.Image.open(tmp_path / "gal" / files[1]))
    (tmp_path / "gal" / files[1]).unlink()
    again = cli("gallery", *args)
    assert again.returncode == 0 and "1 new of 3" in again.stderr
    assert np.array_equal(np.asarray(PIL.Image.open(tmp_path / "gal" / files[1])), before)
    one_line_error(cli("gallery", photo_file, "--layers", "inception_4c/outptu"), "did you mean")


def test_class_command_end_to_end(cli, tmp_path):
    r = cli("class", "golden retriever", "tabby:0.5", "--iters", "2", "--size", "240", "--seed", "1",
            "-o", "c.png")
    assert r.returncode == 0, r.stderr
    meta = read_metadata(tmp_path / "c.png")
    assert meta["classes"] == [[207, "golden retriever", 1.0], [281, "tabby", 0.5]]
    assert meta["iters"] == [2, 2, 2, 2] and meta["seed"] == 1
    assert PIL.Image.open(tmp_path / "c.png").size == (346, 346)  # 240 * 1.2 * 1.2, as nd.zoom rounds
    r = cli("class", "281", "207", "--regions", "--iters", "1", "--size", "480x240", "-o", "r.jpg")
    assert r.returncode == 0, r.stderr and read_metadata(tmp_path / "r.jpg")["regions"] is True
    one_line_error(cli("class", "golden retreiver"), "did you mean golden retriever")
    one_line_error(cli("class", "7", "--size", "200"), "smaller than")
    one_line_error(cli("class", "7", "--size", "big"), "--size")
