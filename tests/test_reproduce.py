"""python -m dream reproduce: the published figures read from the notebook, the measure that tells a
faithful dream from a wrong one (on dreams made here with random weights), and the command end to end."""
import base64
import io
import json
import os
import subprocess
import sys

import numpy as np
import PIL.Image
import pytest
import skimage.data
import skimage.transform

import dream
from dream.engine.likeness import likeness, profile
from dream.engine.prepare import DreamRequest, prepare
from dream.runs.published import FIGURES, published_images

LAYERS = ['conv2/3x3', 'inception_3a/output', 'inception_3b/output', 'inception_4a/output', 'inception_4b/output',
          'inception_4c/output', 'inception_4d/output', 'inception_4e/output', 'inception_5a/output',
          'inception_5b/output']


def jpeg_base64(img):
    buffer = io.BytesIO()
    PIL.Image.fromarray(np.uint8(np.clip(img, 0, 255))).save(buffer, "jpeg")
    return base64.b64encode(buffer.getvalue()).decode()


def notebook(images, nbformat=3):
    """A notebook laid out as Google's (nbformat 3, worksheets) or as nbformat 4, one code cell per
    figure, each showing its image; and a cell without output, as the zoom loop's own."""
    cells = [{"cell_type": "code", "input" if nbformat == 3 else "source": "frame = deepdream(net, frame)", "outputs": []}]
    for figure in FIGURES:
        data = jpeg_base64(images[figure.name])
        out = {"output_type": "pyout", "jpeg": data} if nbformat == 3 else \
            {"output_type": "display_data", "data": {"image/jpeg": data}}
        cells.append({"cell_type": "code", "input" if nbformat == 3 else "source": f"x = 1\n{figure.cell}\n",
                      "outputs": [out]})
    return {"worksheets": [{"cells": cells}], "nbformat": 3} if nbformat == 3 else {"cells": cells, "nbformat": 4}


@pytest.mark.parametrize("nbformat", [3, 4])
def test_published_images_are_read_from_the_cells_that_showed_them(tmp_path, nbformat, photo):
    images = {f.name: photo + 20 * k for k, f in enumerate(FIGURES)}
    path = tmp_path / "dream.ipynb"
    path.write_text(json.dumps(notebook(images, nbformat)))
    read = published_images(path)
    assert list(read) == [f.name for f in FIGURES]
    for k, f in enumerate(FIGURES):  # each figure its own image (JPEG: close, not equal)
        assert np.abs(read[f.name] - np.clip(images[f.name], 0, 255)).mean() < 3


def test_a_notebook_without_a_figure_is_one_clear_error(tmp_path):
    path = tmp_path / "dream.ipynb"
    path.write_text(json.dumps({"cells": [], "nbformat": 4}))
    with pytest.raises(dream.DreamError, match="shows no image for the default figure"):
        published_images(path)
    path.write_text("not json")
    with pytest.raises(dream.DreamError, match="cannot read the notebook"):
        published_images(path)


def test_the_measure_tells_a_faithful_dream_from_a_wrong_layer_or_mean(googlenet, photo):
    """Dreams made here on GoogLeNet with seeded random weights: another seed of the same dream is in
    character; a dream at another layer, or made with a zero mean, is not (measured: 0.095; 0.286 and
    0.328; 0.254, against the limit 0.15)."""
    img = photo[:, :400]
    net = dream.load_net(*googlenet)
    wrong_mean = dream.load_net(*googlenet, mean=(0, 0, 0))

    def made(on, end, seed):
        return profile(net, dream.deepdream(on, img, end=end, rng=np.random.RandomState(seed)), img, LAYERS)
    reference = made(net, "inception_4c/output", 1)
    seeds = likeness(reference, made(net, "inception_4c/output", 2))
    layers = [likeness(reference, made(net, end, 1)) for end in ("inception_3b/5x5_reduce", "inception_3b/output")]
    mean = likeness(reference, made(wrong_mean, "inception_4c/output", 1))
    print(f"seeds {seeds.distance:.3f}, layers {[round(x.distance, 3) for x in layers]}, mean {mean.distance:.3f}")
    assert seeds.in_character
    assert not any(x.in_character for x in layers) and not mean.in_character
    assert seeds.distance < 0.5 * min(mean.distance, *(x.distance for x in layers))  # a clear margin


@pytest.fixture
def stand_ins(tmp_path, googlenet):
    """DREAM_MODELS with small stand-ins for the sky and the flowers, and a notebook whose published images
    are dreams made here on the random weights: the right ones, but the 5x5_reduce figure deliberately
    a dream at inception_4c/output."""
    models = tmp_path / "models"
    (models / "samples").mkdir(parents=True)
    sky = np.float32(skimage.transform.resize(skimage.data.chelsea(), (200, 280), preserve_range=True))
    flowers = np.float32(skimage.transform.resize(skimage.data.astronaut(), (96, 128), preserve_range=True))
    PIL.Image.fromarray(np.uint8(sky)).save(models / "samples" / "sky1024px.jpg", quality=95)
    PIL.Image.fromarray(np.uint8(flowers)).save(models / "samples" / "flowers.jpg", quality=95)
    sky, flowers = [dream.load_image(models / "samples" / n) for n in ("sky1024px.jpg", "flowers.jpg")]
    net = dream.load_net(*googlenet)

    def dreamed(layer, seed, guide=None, zoom=False):
        prepared = prepare(net, DreamRequest(layer=layer, guide=guide), *sky.shape[:2], 8e9)
        rng = np.random.RandomState(seed)
        if zoom:
            return [frame for _, frame, _ in prepared.zoom(sky, 2, 0.05, rng)][-1]
        return prepared.run(sky, rng)
    images = {"default": dreamed("inception_4c/output", 11), "5x5_reduce": dreamed("inception_4c/output", 12),
              "zoom": dreamed("inception_4c/output", 13, zoom=True),
              "guided": dreamed("inception_3b/output", 14, guide=flowers)}
    path = tmp_path / "dream.ipynb"
    path.write_text(json.dumps(notebook(images)))
    return models, path


def reproduce(*args, cwd, models, googlenet):
    return subprocess.run([sys.executable, "-m", "dream", "reproduce", *map(str, args), "--prototxt", googlenet[0],
                           "--weights", googlenet[1]], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, DREAM_MODELS=str(models)))


def test_reproduce_puts_each_figure_beside_the_published_one(stand_ins, googlenet, tmp_path):
    models, nb = stand_ins
    r = reproduce("--notebook", nb, "--zoom-frames", "2", "--seed", "1", "-o", "out", cwd=tmp_path, models=models,
                  googlenet=googlenet)
    assert r.returncode == 0, r.stderr
    said = {line.split(" (")[0].split()[-1]: line for line in r.stderr.splitlines() if line.startswith("dream: ") and "distance" in line}
    print(r.stderr)
    assert "not the notebook's BVLC GoogLeNet" in r.stderr
    assert ": in character" in said["default"] and ": in character" in said["guided"]
    assert "NOT in character" in said["5x5_reduce"]  # the deliberately wrong published image
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["5x5_reduce.png", "contact-sheet.jpg", "default.png",
                                                     "guided.png", "zoom.png"]
    assert PIL.Image.open(out / "contact-sheet.jpg").size[0] == 2 * 384
    again = reproduce("--notebook", nb, "--zoom-frames", "2", "-o", "out", cwd=tmp_path, models=models,
                      googlenet=googlenet)  # no --seed: the earlier run's, its figures reused
    assert again.returncode == 0 and [l for l in again.stderr.splitlines() if "distance" in l] == \
        [l for l in r.stderr.splitlines() if "distance" in l]


def test_reproduce_without_the_notebook_says_how_to_get_it(stand_ins, googlenet, tmp_path):
    models, _ = stand_ins
    r = reproduce("-o", "out", cwd=tmp_path, models=models, googlenet=googlenet)
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "python -m dream download published" in r.stderr


def test_reproduce_on_a_model_without_the_notebooks_layers_is_one_line(stand_ins, tmp_path):
    from dream.models import named_model
    from tests_support import save_random_weights
    models, nb = stand_ins
    prototxt = named_model("resnet50").prototxt
    weights = save_random_weights(prototxt, tmp_path / "resnet50.caffemodel")
    r = reproduce("--notebook", nb, "-o", "out", cwd=tmp_path, models=models, googlenet=(prototxt, weights))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("dream: error: reproduce re-makes the notebook's figures")
