"""Maintainer tool: execute notebooks in mini mode and save them with only nbval-checked outputs.

    COURSE_MODE=mini HF_HUB_OFFLINE=1 COURSE_WIDGETS=static .venv/bin/python tools/course/refresh_notebook.py notebooks/01_*.ipynb

It first writes the Colab badge and setup cell from the template (tools/course/sync_setup_cells.py).
The checked cells (``# NBVAL_CHECK_OUTPUT``) hold mode-independent facts (token ids, schedule
numbers), so the outputs recorded here are the ones nbval then compares in every mode.
"""

import sys
from pathlib import Path

import nbformat
from notebook_io import execute, strip
from sync_setup_cells import sync

for name in sys.argv[1:]:
    path = Path(name)
    nb = nbformat.read(path, as_version=4)
    sync(nb, path.name)
    nbformat.write(nb, path)
    nbformat.write(strip(execute(path)), path)
    print("refreshed", path)
