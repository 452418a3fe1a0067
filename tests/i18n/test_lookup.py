"""The lookup of printed text: every key the course passes has a Chinese entry, fields survive, bad languages fail."""

import ast
from pathlib import Path

import nbformat
import pytest

from course_utils import config
from course_utils.checks.verdicts import run_check
from course_utils.i18n import lookup
from course_utils.i18n.zh import ZH

ROOT = Path(__file__).resolve().parents[2]


def is_lookup(func: ast.expr) -> bool:
    """``t`` (course_utils) or ``lookup.t`` (the notebooks, whose ``t`` is the timestep)."""
    return (isinstance(func, ast.Name) and func.id == "t") or (
        isinstance(func, ast.Attribute) and func.attr == "t" and getattr(func.value, "id", None) == "lookup")


def keys_in(code: str, where: str) -> set[str]:
    """The first argument of every ``t("…")`` / ``lookup.t("…")`` call in ``code`` (implicit concatenation joined)."""
    keys = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and is_lookup(node.func) and node.args:
            first = node.args[0]
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"{where}:{node.lineno}: t() takes the English text itself, so the table can be checked")
            keys.add(first.value)
    return keys


def notebook_code(cell_source: str) -> str:
    """A code cell as Python: IPython's ``%``/``!`` lines become ``pass``, keeping the indentation."""
    return "\n".join(line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
                     for line in cell_source.splitlines())


def keys_passed_to_t() -> set[str]:
    """Every key course_utils passes to ``t()``."""
    return {key for path in (ROOT / "course_utils").rglob("*.py") for key in keys_in(path.read_text(), path.name)}


def keys_in_notebooks() -> set[str]:
    """Every key the code cells of the English notebooks (notebooks/NN_*.ipynb) pass to ``lookup.t()``."""
    keys = set()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":
                keys |= keys_in(notebook_code(cell.source), f"{path.name} cell {index}")
    return keys


def test_the_notebook_scan_finds_lookup_calls_and_skips_magics():
    code = notebook_code('if x:\n    %pip install y\nprint(lookup.t("a {n}", n=1), t("b"), f(t))')
    assert keys_in(code, "cell") == {"a {n}", "b"}
    with pytest.raises(AssertionError, match="English text itself"):
        keys_in('lookup.t(f"{x} images")', "cell")


def test_every_key_has_a_chinese_entry_and_no_entry_is_unused():
    keys = keys_passed_to_t() | keys_in_notebooks()
    assert keys, "nothing goes through t()"
    assert keys_in_notebooks(), "no notebook passes its text through lookup.t()"
    assert sorted(keys - set(ZH)) == []
    assert sorted(set(ZH) - keys) == []


def test_chinese_entries_keep_every_field():
    import string

    for english, chinese in ZH.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(chinese) if f}, english


def test_the_banner_and_verdicts_speak_the_edition_language(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_LANG", "zh")
    monkeypatch.setenv("COURSE_MODE", "mini")
    text = config.banner()
    assert "课程模式：MINI" in text and "迷你模式" in text
    assert run_check("形状", lambda: None) is True and "正确" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_LANG", "en")
    assert "Course mode : MINI" in config.banner()


def test_an_unknown_language_names_the_choices(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "fr")
    with pytest.raises(ValueError, match=r"COURSE_LANG='fr'.*\('en', 'zh'\)"):
        lookup.t("x")


def test_pad_counts_a_chinese_character_as_two_columns():
    assert lookup.display_width("ink") == 3 and lookup.display_width("墨色") == 4
    assert lookup.pad("墨色", 6) == "墨色  " and lookup.pad("ink", 6) == "ink   "
    assert lookup.pad("a long name", 4) == "a long name"  # never cut
    assert lookup.pad("墨色", 6, ">") == "  墨色" and lookup.pad("ink", 6, ">") == f"{'ink':>6}"
    with pytest.raises(ValueError, match="align"):
        lookup.pad("ink", 6, "^")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_judges_tables_line_up_in_either_language(monkeypatch, lang):
    from course_utils.colour_judge import CompositionAccuracy
    from course_utils.evaluation import ClassAccuracy

    monkeypatch.setenv("COURSE_LANG", lang)
    composition = CompositionAccuracy(digit=0.9, ink=0.8, background=0.7, all_three=0.6, count=10).table()
    classes = ClassAccuracy(overall=0.5, per_class=(0.25, 0.75), counts=(4, 4)).table([lookup.t("digit"), "1"])
    for text in (composition, classes):
        rows = [row for row in text.splitlines() if "%" in row]
        columns = {lookup.display_width(row[: row.index("%")]) for row in rows}
        assert len(rows) >= 3 and len(columns) == 1, text
