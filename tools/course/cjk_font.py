"""Cut the Chinese font the course's figures use down to the characters they draw.

    pip download --no-deps mplfonts==0.0.11 -d /tmp/font && unzip -o /tmp/font/mplfonts-*.whl 'mplfonts/fonts/NotoSansCJKsc-Regular.otf' -d /tmp/font
    python tools/course/cjk_font.py /tmp/font/mplfonts/fonts/NotoSansCJKsc-Regular.otf

Noto Sans CJK SC (Adobe and Google, SIL Open Font License 1.1) is 16 MB; matplotlib needs only the
glyphs of the Chinese text that ``course_utils.i18n.t`` can put in a figure, the values of
``course_utils/i18n/zh.py``. This writes ``course_utils/i18n/NotoSansCJKsc-subset.otf`` with those
characters (and full-width punctuation), beside the licence. Run it again after adding Chinese text;
tests/i18n/test_fonts.py fails while a character is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from course_utils.i18n.fonts import FONT_FILE, LICENCE_FILE, needed_characters  # noqa: E402


def main() -> int:
    source = Path(sys.argv[1])
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the font's names, copyright and licence records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = []  # figures need no OpenType features
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(needed_characters())))
    subsetter.subset(font)
    FONT_FILE.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(FONT_FILE), options)
    copyright_line = font["name"].getDebugName(0)
    from identify.vendor.licenses import LICENSES  # the SPDX text of the SIL Open Font License 1.1

    text = dict(LICENSES)["OFL-1.1"].replace("Copyright (c) [year] [fullname] ([email])", copyright_line)
    LICENCE_FILE.write_text(f"{FONT_FILE.name}: a subset of Noto Sans CJK SC Regular ({source.name}).\n\n{text}")
    print(f"wrote {FONT_FILE.relative_to(ROOT)} ({FONT_FILE.stat().st_size:,} bytes, {len(needed_characters())} "
          f"characters) and {LICENCE_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
