"""The lookup of printed text: every key the course passes has a Chinese entry, fields survive, bad languages fail."""

import ast
from pathlib import Path

import pytest

from course_utils import config
from course_utils.checks.verdicts import run_check
from course_utils.i18n import lookup
from course_utils.i18n.zh import ZH

ROOT = Path(__file__).resolve().parents[2]


def keys_passed_to_t() -> set[str]:
    """The first argument of every ``t("…")`` call in course_utils (implicit concatenation joined)."""
    keys = set()
    for path in (ROOT / "course_utils").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path.name}:{node.lineno}: t() takes the English text itself, so the table can be checked")
                keys.add(first.value)
    return keys


def test_every_key_has_a_chinese_entry_and_no_entry_is_unused():
    keys = keys_passed_to_t()
    assert keys, "nothing goes through t()"
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
