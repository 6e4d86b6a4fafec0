"""notebooks/colab.ipynb is stored clean and its cells are valid Python. Running it takes a fresh
system and a Caffe build of its own (the notebook's Python, no venv): scripts/try_colab.sh does that,
outside CI, in a fresh Debian 13 root filesystem (docs/install.md#colab)."""
import ast
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "colab.ipynb"


def test_colab_notebook_is_stored_clean_and_its_cells_parse():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 2
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
        ast.parse(cell.source)
    install, dream = (c.source for c in code)
    # the notebook's own interpreter, through the same setup as the README's first command
    assert 'env["DREAM_PYTHON"] = sys.executable' in install and '"setup.sh"' in install
    assert "display(Image(out))" in dream
