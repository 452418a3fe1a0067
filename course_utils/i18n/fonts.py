"""The font the Chinese edition's figures draw with, and a missing glyph made an error.

matplotlib's default font, DejaVu Sans, has no Chinese glyphs: a Chinese title would come out as
empty boxes, with only a warning. ``use_edition_font`` (called by ``config.banner`` in the setup
cell) registers the course's subset of Noto Sans CJK SC (SIL Open Font License 1.1, see
``OFL.txt`` beside it) behind DejaVu Sans, so Latin letters and maths keep their look and every Chinese
character falls back to Noto, and turns matplotlib's "missing glyph" warning into an error in the
Chinese edition, so no figure silently shows boxes. ``tools/course/cjk_font.py`` cuts the subset.
"""

from __future__ import annotations

import warnings
from pathlib import Path

FONT_FILE = Path(__file__).parent / "NotoSansCJKsc-subset.otf"
LICENCE_FILE = Path(__file__).parent / "OFL.txt"
FAMILY = "Noto Sans CJK SC"
PUNCTUATION = "，。：；、！？（）“”‘’《》—…·"


def needed_characters() -> set[str]:
    """The characters of the Chinese texts ``t()`` returns (and full-width punctuation) that DejaVu Sans lacks."""
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    from course_utils.i18n.zh import ZH

    dejavu = TTFont(font_manager.findfont("DejaVu Sans", fallback_to_default=False)).getBestCmap()
    wanted = {c for text in ZH.values() for c in text} | set(PUNCTUATION)
    return {c for c in wanted if ord(c) not in dejavu}


def use_edition_font(lang: str) -> None:
    """For ``lang == "zh"``: Chinese glyphs in every figure from now on, and a missing glyph raises."""
    if lang != "zh":
        return
    import matplotlib as mpl
    from matplotlib import font_manager

    if FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(FONT_FILE))
    mpl.rcParams["font.family"] = ["DejaVu Sans", FAMILY]  # Latin and maths first; a glyph DejaVu lacks falls back
    warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font", category=UserWarning)
