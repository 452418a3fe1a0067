"""A maths font inside each handout, so its MathML looks the same on every machine.

The browser draws MathML with a font's OpenType MATH table: where to put ᾱ's bar, how far to
shrink a subscript, how tall to make a √. A machine with no maths font (many Linux laptops) falls
back to a text font and loses exactly that: ᾱ shows as α. So each page embeds STIX Two Math
(SIL Open Font License 1.1; the copy the `ziamath` package ships), cut down to the characters the
page's formulas use, with the size variants and script-size forms of those (70 KB for notebook
01's 85 formulas, instead of 1.5 MB).

One subtlety sets what "used" means: Chromium draws a one-letter <mi>x</mi> as the separate
character 𝑥 (MATHEMATICAL ITALIC SMALL X, CSS text-transform: math-auto), so each letter's italic
form goes in too; and the space, without which the font would not count as the first available
one, and another font's MATH table would be used.
"""

from __future__ import annotations

import base64
import html
import importlib.util
import io
import re
import unicodedata
from functools import cache
from pathlib import Path

FAMILY = "Handout Math"
ALWAYS = " \u00a0√()[]{}|=+−,.;:"  # √: msqrt draws it without the character being in the markup


def font_path() -> Path:
    spec = importlib.util.find_spec("ziamath")  # located, not imported: only its font file is used
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the handouts' maths font comes with the ziamath package: pip install ziamath")
    return Path(spec.submodule_search_locations[0]) / "fonts" / "STIXTwoMath-Regular.ttf"


def italic_form(char: str) -> str | None:
    """'x' → '𝑥', 'α' → '𝛼', 'ϵ' → '𝜖', '∂' → '𝜕' (the character math-auto draws), else None."""
    if char == "h":
        return "\u210e"  # PLANCK CONSTANT: the italic h has no code point of its own
    name = unicodedata.name(char, "").removeprefix("LATIN ").removeprefix("GREEK ")
    try:
        return unicodedata.lookup("MATHEMATICAL ITALIC " + name.replace("LETTER ", "").replace("LUNATE ", ""))
    except KeyError:
        return None


def characters_in(page: str) -> set[str]:
    """Every character inside the page's <math> elements, with the italic form of each letter."""
    text = html.unescape("".join(re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<math\b.*?</math>", page, re.S)))
    chars = set(text) | set(ALWAYS)
    return chars | {form for char in chars if (form := italic_form(char))}


@cache
def _subset_woff(chars: frozenset[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]  # script-size alternates (ssty), dotless i/j and the like
    options.name_IDs = ["*"]  # keeps the copyright and licence records
    options.notdef_outline = True
    options.hinting = False  # TrueType hints: a third of the size, and today's browsers hardly use them
    font = TTFont(font_path())
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    # A cut-down font is a modified one: it goes by another name (OFL 1.1, Reserved Font Names).
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6, 16, 17):
            record.string = str(record).replace("STIX Two Math", FAMILY).replace("STIXTwoMath", FAMILY.replace(" ", ""))
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def font_face_css(page: str) -> str:
    """A <style> embedding the font cut to `page`'s formulas, used first for every <math>."""
    woff = base64.b64encode(_subset_woff(frozenset(characters_in(page)))).decode("ascii")
    return (
        "<style type=\"text/css\">\n"
        f"/* {FAMILY}: a subset of STIX Two Math, (c) The STIX Fonts Project Authors, SIL Open Font License 1.1 */\n"
        f'@font-face {{ font-family: "{FAMILY}"; src: url(data:font/woff;base64,{woff}) format("woff"); }}\n'
        f'math {{ font-family: "{FAMILY}", math; }}\n'
        "</style>\n"
    )
