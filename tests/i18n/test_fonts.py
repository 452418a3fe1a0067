"""The Chinese edition's figures: every character the course can draw is in the shipped font subset,
and a character it lacks stops the run instead of showing an empty box."""

import io
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from fontTools.ttLib import TTFont

from course_utils.i18n import fonts
from course_utils.i18n.zh import ZH


def test_the_subset_holds_every_character_the_course_draws():
    cmap = TTFont(fonts.FONT_FILE).getBestCmap()
    missing = sorted(c for c in fonts.needed_characters() if ord(c) not in cmap)
    assert not missing, f"run tools/course/cjk_font.py: the font lacks {''.join(missing)}"
    assert fonts.LICENCE_FILE.read_text().count("SIL OPEN FONT LICENSE Version 1.1") == 1
    assert fonts.FONT_FILE.stat().st_size < 200_000  # a subset, not the 16 MB font


def draw(title: str) -> None:
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title(title)
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_chinese_text_draws_without_boxes_and_a_missing_glyph_is_an_error():
    with mpl.rc_context(), warnings.catch_warnings():
        fonts.use_edition_font("zh")
        draw(ZH["✓ {name}: correct. Well done!"].format(name="x = 0.5"))  # Chinese, Latin and digits together
        with pytest.raises(UserWarning, match="missing from font"):
            draw("龘")  # a character the course never uses


def test_english_keeps_matplotlibs_defaults():
    with mpl.rc_context(), warnings.catch_warnings():
        before = list(mpl.rcParams["font.sans-serif"])
        fonts.use_edition_font("en")
        assert mpl.rcParams["font.sans-serif"] == before


def test_no_chinese_text_goes_through_the_maths_fonts():
    """A text with a pair of ``$`` is drawn by mathtext, whose fonts have no Chinese: matplotlib only logs the
    boxes, so an entry writes its symbols as Unicode (βₜ, ᾱₜ) instead."""
    for english, chinese in ZH.items():
        assert not (chinese.count("$") >= 2 and any(ord(c) >= 0x2E80 for c in chinese)), english
