"""Reading images of any mode into the notebook's float RGB array, and writing them safely."""
import numpy as np
import PIL.Image
import pytest

from dream.errors import DreamError
from dream.images import load_image, read_metadata, save_image


def test_rgb_photo_loads_exactly_as_the_notebook_reads_it(photo_file):
    assert np.array_equal(load_image(photo_file), np.float32(PIL.Image.open(photo_file)))


def test_sixteen_bit_gray_scales_to_0_255(tmp_path):
    path = tmp_path / "g16.png"
    PIL.Image.fromarray(np.array([[0, 65535], [257 * 100, 257 * 200]], dtype=np.uint16)).save(path)
    img = load_image(path)
    assert img.shape == (2, 2, 3) and img.dtype == np.float32
    assert np.allclose(img[..., 0], [[0, 255], [100, 200]])


def test_transparency_is_laid_on_white(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2] = (10, 20, 30, 255)  # top half opaque, bottom half fully transparent black
    path = tmp_path / "a.png"
    PIL.Image.fromarray(rgba).save(path)
    img = load_image(path)
    assert np.array_equal(img[0, 0], [10, 20, 30]) and np.array_equal(img[3, 3], [255, 255, 255])


@pytest.mark.parametrize("name", ["out.jpg", "out.png"])
def test_save_is_atomic_and_carries_metadata(tmp_path, photo, name):
    path = tmp_path / name
    save_image(photo, path, {"layer": "inception_4c/output", "seed": 3})
    assert read_metadata(path) == {"layer": "inception_4c/output", "seed": 3}
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert PIL.Image.open(path).size == (photo.shape[1], photo.shape[0])


def test_a_save_that_fails_midway_leaves_the_old_file_and_no_debris(tmp_path, photo, monkeypatch):
    path = tmp_path / "out.png"
    save_image(photo, path, {"run": 1})

    def disk_full(self, f, *args, **kwargs):
        f.write(b"half an image")
        raise OSError("No space left on device")

    monkeypatch.setattr(PIL.Image.Image, "save", disk_full)
    with pytest.raises(DreamError, match="No space left"):
        save_image(photo, path, {"run": 2})
    monkeypatch.undo()
    assert read_metadata(path) == {"run": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_unreadable_inputs(tmp_path):
    with pytest.raises(DreamError, match="not found"):
        load_image(tmp_path / "missing.jpg")
    with pytest.raises(DreamError, match="directory"):
        load_image(tmp_path)
    (tmp_path / "x.jpg").write_bytes(b"\xff\xd8\xff garbage")
    with pytest.raises(DreamError):
        load_image(tmp_path / "x.jpg")
