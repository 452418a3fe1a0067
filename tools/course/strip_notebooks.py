"""Strip notebooks for git: outputs and counts go, except in nbval-checked cells (count 1).

Runs after nbstripout in the pre-commit hook and `make strip`; nbstripout keeps the outputs of
cells tagged keep_output, and this sets the execution counts nbval needs on exactly those cells.
Exits 1 when it changed a file (so pre-commit shows the change), else 0.
"""

import sys
from pathlib import Path

import nbformat
from notebook_io import strip

changed = []
for name in sys.argv[1:]:
    path = Path(name)
    before = path.read_text()
    nb = strip(nbformat.read(path, as_version=4))
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after)
        changed.append(name)
for name in changed:
    print("stripped", name)
sys.exit(1 if changed else 0)
