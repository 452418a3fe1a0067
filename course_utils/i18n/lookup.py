"""One lookup for the text the course prints and draws: ``t("Course mode")`` in the edition's language.

The English text is the key. ``COURSE_LANG=zh`` (set by the setup cell of the notebooks in
``notebooks/zh/``) gives the Chinese of ``course_utils.i18n.zh``; unset or ``en`` gives the English.
Fields in braces are filled after the lookup, so a sentence with numbers is translated once:
``t("{n} images", n=3)``. A key the table lacks falls back to the English (a test checks that every
key the course passes has an entry, so a learner never meets that).
"""

from __future__ import annotations

import os
import unicodedata

LANGUAGES = ("en", "zh")


def language() -> str:
    """The edition's language from ``COURSE_LANG``: "en" (the default) or "zh"."""
    value = os.environ.get("COURSE_LANG", "en").strip().lower() or "en"
    if value not in LANGUAGES:
        raise ValueError(f"COURSE_LANG={value!r} is not a language the course speaks; use one of {LANGUAGES} "
                         "or leave it unset (English).")
    return value


def table(lang: str) -> dict[str, str]:
    """The translations for ``lang`` (English text → translated text)."""
    if lang == "zh":
        from course_utils.i18n.zh import ZH

        return ZH
    return {}


def t(text: str, /, **fields) -> str:
    """``text`` in the edition's language, with ``{name}`` fields filled from ``fields`` (any names, ``text`` too)."""
    translated = table(language()).get(text, text)
    return translated.format(**fields) if fields else translated


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns, so a table's columns line up in Chinese too.

    ``f"{name:<18}"`` counts characters, and a Chinese character is two columns wide. ``align`` is "<"
    (spaces on the right, like ``:<``) or ">" (on the left, like ``:>``).
    """
    spaces = " " * max(0, width - display_width(text))
    if align not in ("<", ">"):
        raise ValueError(f"align={align!r}: use '<' (text on the left) or '>' (text on the right)")
    return text + spaces if align == "<" else spaces + text
