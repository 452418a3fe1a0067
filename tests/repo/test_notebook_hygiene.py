"""The committed notebooks: clean, in step with the setup template, and covering the course map."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "course"))
import notebook_io  # noqa: E402
import sync_setup_cells  # noqa: E402

NOTEBOOKS = notebook_io.notebook_paths()
IDS = re.compile(r"\b([CM]\d\d)\b")


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name.startswith("01_")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_except_nbval_checked_cells(path):
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        if notebook_io.is_checked(cell):
            assert cell.outputs, f"cell {i} is nbval-checked but has no recorded output: run tools/course/refresh_notebook.py"
            assert cell.execution_count is not None, f"cell {i}: nbval skips checked cells without a count"
        else:
            assert not cell.outputs, f"cell {i} was committed with outputs: run nbstripout / tools/course/refresh_notebook.py"
            assert cell.execution_count is None, f"cell {i} has an execution count: strip it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_badge_ids_and_setup_cell(path):
    nb = read(path)
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert sync_setup_cells.badge(path.name) in first_md.source
    assert re.search(r"Course map: [CM]\d\d", first_md.source), "first cell must list its course-map ids"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.source == sync_setup_cells.setup_source(), "run tools/course/sync_setup_cells.py"
    assert nb.cells.index(first_code) == 1, "the setup cell must be the first cell after the title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_two_self_checking_exercises_and_a_widget(path):
    sources = [c.source for c in read(path).cells if c.cell_type == "code"]
    stubs = [s for s in sources if "raise NotImplementedError" in s and "YOUR CODE HERE" in s]
    proven = [m for s in sources for m in re.findall(r"assert checks\.check_\w+\(", s)]
    assert len(stubs) >= 2, "at least two exercise stubs"
    assert len(proven) >= 2, "each exercise's solution must be proven with assert checks.check_...(...)"
    assert any(re.search(r"\bexplore\(", s) for s in sources), "a widget through course_utils.widgets.explore"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_cell_ending_in_explore_hides_its_return_value(path):
    """``explore`` returns the widget panel; as a cell's last expression its text repr
    (``interactive(children=…``) would be printed under the static view in every handout."""
    import ast

    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code" or "explore(" not in cell.source:
            continue
        body = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!")))).body
        last = body[-1] if body else None
        if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and "explore" in ast.unparse(last.value.func):
            assert cell.source.rstrip().endswith(";"), f"cell {i}: end the explore(...) call with ';'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_hard_coded_cuda_or_absolute_paths(path):
    for cell in read(path).cells:
        if cell.cell_type == "code":
            hard_coded = re.search(r"""(\.to\(|device\s*=\s*|torch\.device\()\s*["']cuda""", cell.source)
            assert not hard_coded and "CUDA_VISIBLE_DEVICES" not in cell.source, "use DEVICE from the setup cell"
            assert "/work/" not in cell.source and "/tmp/" not in cell.source


# A float tolerance written as a number (atol=1e-5, rtol=1e-3, "< 1e-2", "ATOL = ..."): right for one dtype only.
HARD_CODED_TOLERANCE = re.compile(r"\b[ar]tol\s*=\s*[\d.]|[<>]=?\s*\d*\.?\d+e-\d|\b(ATOL|RTOL|ROUNDING)\s*=\s*[\d.]")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_float_tolerances_follow_the_dtype(path):
    """`make test-dtypes` runs every notebook in float16 and bfloat16: tolerances come from config.tolerance."""
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert not HARD_CODED_TOLERANCE.search(line), (
                    f"cell {i}: {line.strip()!r} hard-codes a tolerance; use **config.tolerance(tensor, ulps=...)")


COMPARISONS = {"allclose", "isclose", "assert_close"}  # torch's float comparisons


def default_tolerance_calls(source: str) -> list[str]:
    """torch.allclose/isclose/assert_close calls that rely on the default (float32-sized) tolerance.

    A call passes with ``**...`` (``**config.tolerance(...)``, ``**TOL``) or explicit ``atol``/``rtol``
    (checked for numbers by HARD_CODED_TOLERANCE); ``not torch.allclose(...)`` asserts a difference
    and needs none. Python's ``math.isclose`` on plain floats is not a torch comparison.
    """
    import ast

    code = "\n".join(line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())  # IPython magics → pass, keeping the indentation
    tree = ast.parse(code)
    negated = {id(node.operand) for node in ast.walk(tree) if isinstance(node, ast.UnaryOp)
               and isinstance(node.op, ast.Not)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in COMPARISONS):
            continue
        owner = ast.unparse(node.func.value)
        if owner == "math" or id(node) in negated:
            continue
        if not any(k.arg is None or k.arg in ("atol", "rtol") for k in node.keywords):
            found.append(ast.unparse(node))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_float_comparisons_name_their_tolerance(path):
    """A bare torch.allclose uses float32's rtol=1e-5: too tight in float16, too loose to prove equality."""
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type == "code":
            calls = default_tolerance_calls(cell.source)
            assert not calls, (f"cell {i}: {calls[0]!r} uses the default tolerance; pass "
                               "**config.tolerance(tensor, ulps=...), or torch.equal for exact equality")


def test_the_default_tolerance_check_catches_what_it_should():
    assert default_tolerance_calls("assert torch.allclose(a, b)") == ["torch.allclose(a, b)"]
    assert default_tolerance_calls("ok = torch.testing.assert_close(a,\n b)")
    assert not default_tolerance_calls("assert torch.allclose(a, b, **config.tolerance(a, ulps=4))")
    assert not default_tolerance_calls("assert not torch.allclose(a, b)\nmath.isclose(x, 0.1, abs_tol=1e-3)")
    assert not default_tolerance_calls("%pip install x\nassert torch.isclose(a, b, **TOL).all()")


# Concepts the course map assigns to lessons not written yet (the compositional mini SD, the review's
# additions, LoRA and data-parallel training). Each leaves this list in the change that teaches it.
NOT_YET_TAUGHT: set[str] = set()


def test_course_map_is_covered():
    """Every id of ../shared/COURSE_MAP.md is named in some notebook's first cell (or is not yet taught)."""
    course_map = ROOT.parent / "shared" / "COURSE_MAP.md"
    if not course_map.exists():
        pytest.skip("shared/COURSE_MAP.md is not beside this checkout")
    wanted = set(IDS.findall(course_map.read_text()))
    covered = set()
    for path in NOTEBOOKS:
        first_md = next(c for c in read(path).cells if c.cell_type == "markdown")
        covered |= set(IDS.findall(first_md.source))
    missing = sorted(wanted - covered - NOT_YET_TAUGHT)
    assert not missing, f"course-map ids no notebook lists: {missing}"
    taught_now = sorted(NOT_YET_TAUGHT & covered)
    assert not taught_now, f"{taught_now} are taught now: remove them from NOT_YET_TAUGHT"


def test_course_map_page_names_the_notebooks_that_list_each_id():
    """docs/course-map.md's notebook column is what the notebooks' first cells list, id by id."""
    listed: dict[str, set[str]] = {}
    for path in NOTEBOOKS:
        first_md = next(c for c in read(path).cells if c.cell_type == "markdown")
        for code in IDS.findall(first_md.source):
            listed.setdefault(code, set()).add(path.name[:2])
    rows = re.findall(r"^\| ([CM]\d\d) \|.*\| ([0-9, ]+) \|$", (ROOT / "docs" / "course-map.md").read_text(), re.M)
    assert rows, "docs/course-map.md has no | code | idea | notebook | rows"
    wrong = {code: (where, sorted(listed.get(code, ()))) for code, where in rows
             if sorted(where.replace(" ", "").split(",")) != sorted(listed.get(code, ()))}
    assert not wrong, f"docs/course-map.md disagrees with the notebooks (page, notebooks): {wrong}"
    assert set(listed) <= {code for code, _ in rows}, f"ids with no row: {sorted(set(listed) - {c for c, _ in rows})}"
