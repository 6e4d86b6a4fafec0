"""notebooks/dream.ipynb runs top to bottom on a real kernel, and is stored without outputs."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "dream.ipynb"


def read():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_stored_without_outputs():
    nb = read()
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert nb.metadata.kernelspec.name == "python3"


def test_notebook_has_one_parameters_cell_first():
    code = [c for c in read().cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1


@pytest.mark.slow
def test_notebook_runs_top_to_bottom(googlenet, photo_file, tmp_path):
    nb = read()
    prototxt, weights = googlenet
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source += (f"\nPROTOTXT, WEIGHTS = {str(prototxt)!r}, {str(weights)!r}"
                      f"\nIMAGE = {str(photo_file)!r}\nITER_N, OCTAVE_N, ZOOM_FRAMES = 1, 2, 2"
                      f"\nENHANCE_ITERS, CLASS_ITERS, GALLERY_LAYERS, VIDEO_FRAMES = 2, 2, 2, 3\n")
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/jpeg" in o.get("data", {})]
    assert len(images) >= 9  # input, dreams, zoom frame, guide, objectives, enhance, class, gallery, video
    assert (tmp_path / "dream.mp4").stat().st_size > 0
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == ["0000.jpg", "0001.jpg"]
