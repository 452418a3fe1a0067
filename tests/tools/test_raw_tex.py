"""tools/course/raw_tex.py: TeX a reader would see raw on a handout page, found without a browser."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "course"))
import notebook_io  # noqa: E402
from raw_tex import raw_tex  # noqa: E402


def test_clean_formulas_pass():
    assert raw_tex("The loss $L = \\lVert x - D(z)\\rVert^2$ and\n\n$$a = b\n+ c$$\n") == []
    assert raw_tex("Code keeps its `$HOME` and `\\alpha` as they are.") == []


def test_a_formula_markdown_broke_apart_is_found():
    """Inside a list item, a formula line starting with "+ " becomes a nested bullet: its TeX shows raw."""
    broken = "* **EMA.** The average $\\theta \\leftarrow \\beta\\,\\theta\n+ (1-\\beta)\\,\\theta$ of the weights.\n"
    found = raw_tex(broken)
    assert found and "TeX in the prose" in found[0] and "\\leftarrow" in found[0]


def test_a_spacing_argument_shown_inside_a_formula_is_found():
    found = raw_tex("$$m = \\begin{cases} a & x \\\\[6pt] b & y \\end{cases}$$")
    assert found == ["TeX shown inside a formula: '[6pt]'"]


@pytest.mark.parametrize("path", notebook_io.notebook_paths(), ids=lambda p: p.name)
def test_no_notebook_shows_raw_tex(path):
    from raw_tex import notebook_raw_tex

    assert notebook_raw_tex(nbformat.read(path, as_version=4)) == []
