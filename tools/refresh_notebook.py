"""Maintainer tool: execute notebooks in smoke mode and save them with only nbval-checked outputs.

    COURSE_MODE=smoke HF_HUB_OFFLINE=1 COURSE_WIDGETS=static .venv/bin/python tools/refresh_notebook.py notebooks/01_*.ipynb

The checked cells (``# NBVAL_CHECK_OUTPUT``) hold mode-independent facts (token ids, schedule
numbers), so the outputs recorded here are the ones nbval then compares in every mode.
"""

import sys
from pathlib import Path

import nbformat
from notebook_io import execute, strip

for name in sys.argv[1:]:
    path = Path(name)
    nb = strip(execute(path))
    nbformat.write(nb, path)
    print("refreshed", path)
