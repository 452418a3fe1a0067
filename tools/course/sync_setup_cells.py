"""Write the "Open in Colab" badge and the setup cell into every notebook, from one template.

The repository URL is read from pyproject.toml ([project.urls] Repository), the one place it is
written. Run after changing the URL or the template; tests/test_notebook_hygiene.py checks that
every notebook is in step.

    .venv/bin/python tools/course/sync_setup_cells.py
"""

from __future__ import annotations

import re

import nbformat
import tomllib
from notebook_io import ROOT, notebook_paths

SETUP_TEMPLATE = '''# Setup — run this first. In Colab it installs the course helpers (Colab's own torch is kept).
import sys
if "google.colab" in sys.modules:
    %pip install -q "sd-step-by-step @ git+{repo_url}"
from course_utils import config
config.banner()
DEVICE, DTYPE = config.get_device(), config.get_dtype()'''

BADGE_RE = re.compile(r"^\[!\[Open In Colab\]\(.*\)\]\(.*\)\n*")


def repo_url() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Repository"]


def setup_source() -> str:
    return SETUP_TEMPLATE.format(repo_url=repo_url())


def badge(notebook_name: str) -> str:
    github_path = repo_url().removeprefix("https://github.com/")
    target = f"https://colab.research.google.com/github/{github_path}/blob/main/notebooks/{notebook_name}"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({target})"


def sync(nb, name: str) -> None:
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    first_md.source = badge(name) + "\n\n" + BADGE_RE.sub("", first_md.source)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    first_code.source = setup_source()


if __name__ == "__main__":
    for path in notebook_paths():
        nb = nbformat.read(path, as_version=4)
        sync(nb, path.name)
        nbformat.write(nb, path)
        print("synced", path.name)
