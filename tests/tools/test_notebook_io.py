"""`make course` runs each notebook in a fresh kernel: quietly, and still stopping a cell that hangs."""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "course"))
import notebook_io  # noqa: E402


def notebook(tmp_path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_notebook_runs_in_the_notebooks_folder_without_kernel_warnings(tmp_path, capfd):
    done = notebook_io.execute(notebook(tmp_path, "import os\nprint(os.path.basename(os.getcwd()), 6 * 7)"))
    assert done.cells[0].outputs[0]["text"] == "notebooks 42\n"
    logged = capfd.readouterr().err
    if os.name == "posix":
        assert "without encryption" not in logged  # the kernel listened on Unix sockets, not local TCP
    assert "KeyboardInterrupt" not in logged


def test_a_cell_past_the_timeout_is_still_interrupted(tmp_path):
    with pytest.raises(CellTimeoutError):
        notebook_io.execute(notebook(tmp_path, "import time\ntime.sleep(30)"), timeout=2)
