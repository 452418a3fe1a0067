"""An executed notebook → one self-contained HTML handout that needs no network to read.

Four things would otherwise reach the web or clutter the page:
1. MathJax (from a CDN) typesets the formulas in the browser. Here they are MathML already
   (offline_math.py), drawn in a maths font embedded in the page (math_font.py), and the
   template (handout_template/) loads no script from anywhere.
2. Widgets are drawn by a widget manager from a CDN. Here each widget output shows text: a tqdm bar
   its final state (read from the stored widget state), anything else its text fallback.
3. A picture in the markdown that lives on the web (the "Open in Colab" badge) shows its alt text;
   a link around it still works when there is a network.
4. Library progress bars ("Loading pipeline components...", "Loading weights") say nothing a
   learner needs; their outputs are dropped.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from jinja2 import pass_context
from math_font import font_face_css
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import MarkdownWithMath
from offline_math import MathMLRenderer

TEMPLATE = Path(__file__).resolve().parent / "handout_template" / "handout.html.j2"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# tqdm bars the libraries draw while loading models or files (diffusers, transformers, the hub).
LOADING_BAR = re.compile(r"^\s*(Loading pipeline components|Loading weights|Loading checkpoint shards|Fetching \d+ files)"
                         r"[^\n]*\|", re.M)


class HandoutRenderer(MathMLRenderer):
    """Markdown → HTML for a page read offline: MathML maths, web pictures as their alt text."""

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if re.match(r"^(https?:)?//", url, re.I):
            return f'<span class="offline-image">{html.escape(text or "picture")}</span>'
        return super().image(text, url, title)


class HandoutExporter(HTMLExporter):
    """nbconvert's JupyterLab HTML with embedded pictures, MathML maths and no external scripts."""

    def __init__(self, **kwargs):
        super().__init__(template_file=str(TEMPLATE), embed_images=True, **kwargs)
        self.math_failures: list[str] = []  # formulas math-core could not convert, in page order

    @pass_context
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        renderer = HandoutRenderer(
            escape=False, failures=self.math_failures, attachments=cell.get("attachments", {}),
            embed_images=self.embed_images, path=path, anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)

    def from_notebook_node(self, nb, resources=None, **kw):
        page, resources = super().from_notebook_node(nb, resources, **kw)
        if "<math" in page:
            head_end = page.index("</head>")
            page = page[:head_end] + font_face_css(page) + page[head_end:]
        return page, resources


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    return output.get("data", {}).get("text/plain", "")


def is_loading_bar(output) -> bool:
    return bool(LOADING_BAR.search(_output_text(output)))


def _tqdm_text(states: dict, model_id: str) -> str | None:
    """A tqdm notebook bar (HBox of HTML, progress, HTML) as the text tqdm prints in a terminal."""
    box = states.get(model_id, {})
    if box.get("model_name") != "HBoxModel":
        return None
    children = [states.get(ref.removeprefix("IPY_MODEL_"), {}) for ref in box["state"].get("children", [])]
    if [c.get("model_name") for c in children] != ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
        return None
    left, bar, right = (c["state"] for c in children)
    filled = round(10 * bar.get("value", 0) / bar["max"]) if bar.get("max") else 0
    text = f"{left.get('value', '')}|{'█' * filled}{' ' * (10 - filled)}|{right.get('value', '')}"
    return html.unescape(text)  # tqdm writes its labels as HTML


def drop_loading_bars(nb):
    """Remove the libraries' model- and file-loading progress bars from every output (in place)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if not is_loading_bar(out)]
    return nb


def widgets_as_text(nb):
    """Each widget output keeps only its text (a tqdm bar: its final state); the state goes (in place)."""
    states = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).pop(WIDGET_VIEW, None)
            text = _tqdm_text(states, view.get("model_id", "")) if view else None
            if text is not None:
                out["data"]["text/plain"] = text
    return nb
