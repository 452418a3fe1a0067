"""Find TeX a reader would see raw on a handout page, without a browser (`make course`, `make test`).

Each markdown cell is rendered exactly as the handouts render it (``offline_math.markdown_to_html``)
and its text is read back in two parts:

* outside code and formulas: no ``$``, no TeX command (``\\frac``, ``\\alpha``, …). A formula that
  markdown broke apart — a line inside ``$$…$$`` starting with "+ " or "- " becomes a list item —
  leaves its pieces here;
* inside formulas: no TeX the converter copied as symbols, such as the spacing argument of a line
  break, ``\\\\[6pt]``, which shows up as the text "[6pt]".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from offline_math import markdown_to_html

TEX_IN_PROSE = re.compile(r"\$|\\[A-Za-z]+")
TEX_IN_MATH = re.compile(r"\[\s*-?\d+(\.\d+)?\s*(pt|em|ex|mm|cm|mu|px)\s*\]")


class _Text(HTMLParser):
    """The page's text, split into what lies inside <math> and what lies outside code, pre and math."""

    def __init__(self):
        super().__init__()
        self.prose, self.math, self.stack = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("code", "pre", "math"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
            if tag == "math":
                self.math.append(" ")

    def handle_data(self, data):
        if not self.stack:
            self.prose.append(data)
        elif "math" in self.stack and "code" not in self.stack:
            self.math.append(data)


def raw_tex(markdown: str) -> list[str]:
    """What a reader would see as raw TeX in this markdown cell: one message per finding."""
    failures: list[str] = []
    page = markdown_to_html(markdown, failures)
    text = _Text()
    text.feed(page)
    found = [f"not converted: {latex[:60]!r}" for latex in failures]
    prose, math = "".join(text.prose), "".join(text.math).replace(" ", "")
    if hits := list(TEX_IN_PROSE.finditer(prose)):
        m = hits[0]
        found.append(f"TeX in the prose ({len(hits)} places), first: …{prose[max(0, m.start() - 40):m.end() + 40]!r}…")
    found += [f"TeX shown inside a formula: {m.group(0)!r}" for m in TEX_IN_MATH.finditer(math)]
    return found


def notebook_raw_tex(nb) -> list[str]:
    """Every finding in a notebook's markdown cells, each naming the cell."""
    return [f"cell {i}: {finding}" for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
            for finding in raw_tex(cell.source)]
