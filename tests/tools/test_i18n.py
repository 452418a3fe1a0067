"""The Chinese edition is built from the English notebooks and cannot drift: tools/course/i18n.py."""

import io
import re
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "course"))

import i18n  # noqa: E402

TRANSLATED = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if i18n.translation_file(p, "zh").exists())


def test_some_notebooks_are_translated():
    assert TRANSLATED and TRANSLATED[0].name.startswith("01_")


@pytest.mark.parametrize("path", TRANSLATED, ids=lambda p: p.stem)
def test_every_cell_of_a_translated_notebook_has_a_current_translation(path):
    found = i18n.problems(path, "zh")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", TRANSLATED, ids=lambda p: p.stem)
def test_the_committed_edition_equals_a_fresh_build(path):
    built = i18n.build_notebook(path, "zh")
    committed = nbformat.read(ROOT / "notebooks" / "zh" / path.name, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], (
        "notebooks/zh is stale: run python tools/course/i18n.py build")
    assert [c.get("outputs") for c in committed.cells] == [c.get("outputs") for c in built.cells]


def without_comments(code: str) -> str:
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type != tokenize.COMMENT:
            kept.append((token.type, token.string))
    return repr(kept)


@pytest.mark.parametrize("path", TRANSLATED, ids=lambda p: p.stem)
def test_code_cells_equal_the_english_once_comments_are_removed(path):
    english = nbformat.read(path, as_version=4)
    chinese = nbformat.read(ROOT / "notebooks" / "zh" / path.name, as_version=4)
    assert len(english.cells) == len(chinese.cells)
    for index, (en, zh) in enumerate(zip(english.cells, chinese.cells)):
        assert en.cell_type == zh.cell_type and en.id == zh.id
        if en.cell_type != "code":
            continue
        source = zh.source.removeprefix(i18n.LANG_LINE.format(lang="zh")) if index == 1 else zh.source
        assert index != 1 or source != zh.source, "the setup cell sets COURSE_LANG"
        assert without_comments(source) == without_comments(en.source), f"cell {index}: code differs"


def test_status_finds_missing_untranslated_stale_and_orphaned_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "translation_file", lambda notebook, lang: tmp_path / f"{notebook.stem}.md")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("import os  # setup"),
                nbformat.v4.new_markdown_cell("Some *prose*."), nbformat.v4.new_code_cell("x = 1  # one\ny = 2")]
    path = tmp_path / "09_demo.ipynb"
    nbformat.write(nb, path)
    assert len(i18n.problems(path, "zh")) == 3 and "stub 09_demo" in i18n.problems(path, "zh")[0]
    assert i18n.stub(path, "zh") == 3  # two markdown cells, one commented code cell (not the setup cell)
    assert all("not translated yet" in line for line in i18n.problems(path, "zh"))
    text = (tmp_path / "09_demo.md").read_text().replace(i18n.UNTRANSLATED + "\n", "")
    text = text.replace("\n# Title\n", "\n# 标题\n").replace("Some *prose*.\n\n", "一些*文字*。\n\n")
    text = text.replace('"# one": "# one"', '"# one": "# 一"')
    (tmp_path / "09_demo.md").write_text(text)
    assert i18n.problems(path, "zh") == []
    built = i18n.build_notebook(path, "zh")
    assert [c.source for c in built.cells][2:] == ["一些*文字*。", "x = 1  # 一\ny = 2"]
    nb.cells[2].source = "Some *new* prose."
    nb.cells.pop(3)
    nbformat.write(nb, path)
    found = i18n.problems(path, "zh")
    assert any("changed since it was translated" in line and "i18n.py diff 09_demo" in line for line in found)
    assert any("orphaned" in line for line in found)


def test_comments_inside_strings_and_magics_are_left_alone():
    code = 'print("# not a comment")  # a comment\n%pip install -q x  # magic\n'
    assert [text for _, _, text in i18n.comments(code)] == ["# a comment", "# magic"]
    assert i18n.translate_code(code, {"# a comment": "# 注释"}) == code.replace("# a comment", "# 注释")
    assert re.search(r"COURSE_LANG", i18n.LANG_LINE)
