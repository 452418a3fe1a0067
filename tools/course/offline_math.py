"""Typeset the notebooks' LaTeX as MathML when the handouts are built, so no page needs MathJax.

nbconvert's own markdown parser decides what is maths (`$…$`, `$$…$$`, `\\[…\\]`, `\\begin{…}`),
exactly as Jupyter does, so a `$` inside inline code or a fenced block is left alone. Each formula
becomes MathML Core through `math-core`, which every current browser draws natively (Chromium
since 109). A formula it cannot convert is kept as TeX in a marked <code> element and recorded, so
the build can say which one, and the browser check sees the raw TeX.
"""

from __future__ import annotations

import html

from math_core import LatexToMathML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

_CONVERTER = LatexToMathML()


class MathConversionError(ValueError):
    pass


def latex_to_mathml(latex: str, display: bool) -> str:
    """One formula as a <math> element (display="block" for display maths)."""
    try:
        return _CONVERTER.convert_with_local_state(latex, displaystyle=display)
    except Exception as error:  # math_core raises its own LatexError with a multi-line message
        raise MathConversionError(str(error).strip()) from None


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with maths written as MathML instead of kept for MathJax."""

    def __init__(self, *args, failures: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.failures = failures if failures is not None else []

    def _math(self, latex: str, display: bool) -> str:
        try:
            return latex_to_mathml(latex, display)
        except MathConversionError:
            self.failures.append(latex)
            delimiter = "$$" if display else "$"
            return f'<code class="tex-unconverted">{delimiter}{html.escape(latex)}{delimiter}</code>'

    def block_math(self, body: str) -> str:
        return self._math(body, display=True)

    def inline_math(self, body: str) -> str:
        return self._math(body, display=False)

    def latex_environment(self, name: str, body: str) -> str:
        return self._math(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)


def markdown_to_html(source: str, failures: list[str] | None = None, **renderer_options) -> str:
    renderer = MathMLRenderer(escape=False, failures=failures, **renderer_options)
    return MarkdownWithMath(renderer=renderer).render(source)


class _Collector(IPythonRenderer):
    def __init__(self):
        super().__init__(escape=False)
        self.found: list[tuple[str, bool]] = []

    def block_math(self, body):
        self.found.append((body, True))
        return ""

    def inline_math(self, body):
        self.found.append((body, False))
        return ""

    def latex_environment(self, name, body):
        self.found.append((f"\\begin{{{name}}}{body}\\end{{{name}}}", True))
        return ""


def formulas_in(markdown: str) -> list[tuple[str, bool]]:
    """Every formula nbconvert finds in one markdown cell, as (latex, is_display)."""
    collector = _Collector()
    MarkdownWithMath(renderer=collector).render(markdown)
    return collector.found
