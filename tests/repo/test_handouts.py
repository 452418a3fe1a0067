"""Handouts that read the same without internet: maths as MathML, no CDN, no loading bars.

The browser tests open a small built page in headless Chromium with the network off; they skip
where Chromium is not installed (Debian: `apt-get install chromium`; .ci/run installs it).
"""

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "course"))
import build_course  # noqa: E402
import check_handouts  # noqa: E402
import math_font  # noqa: E402
import notebook_io  # noqa: E402
from handout_export import HandoutExporter, drop_loading_bars, widgets_as_text  # noqa: E402
from offline_math import formulas_in, latex_to_mathml, markdown_to_html  # noqa: E402

CHROMIUM = check_handouts.find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (apt-get install chromium)")
LOADING_BAR = "Loading pipeline components...: 100%|██████████| 7/7 [00:00<00:00, 12.31it/s]\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([1000, 500, 0], [0.0, 0.5, 1.0])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _tqdm_widget_state(model_id: str) -> dict:
    """What nbclient stores for a finished `tqdm.auto` bar: an HBox of HTML, progress, HTML."""
    child = lambda name, **state: {"model_name": name, "state": state}
    return {
        model_id: child("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"]),
        "left": child("HTMLModel", value="training: 100%"),
        "bar": child("FloatProgressModel", value=6.0, max=6.0),
        "right": child("HTMLModel", value=" 6/6 [00:01&lt;00:00,  5.10it/s]"),
    }


def synthetic_notebook() -> nbformat.NotebookNode:
    """An executed-looking notebook with the maths and outputs the course's handouts hold."""
    nb = new_notebook(metadata={"language_info": {"name": "python"}})
    nb.cells = [
        new_markdown_cell("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                          "(https://colab.research.google.com/)\n\n# 99 · A synthetic handout"),
        new_markdown_cell(r"Each step: $q(x_t \mid x_{t-1}) = \mathcal{N}(x_t; \sqrt{1-\beta_t}\,x_{t-1}, \beta_t I)$, so"
                          "\n\n"
                          r"$$\bar\alpha_t = \prod_{s=1}^{t} \alpha_s, \qquad x_t = \sqrt{\bar\alpha_t}\,x_0"
                          r" + \sqrt{1-\bar\alpha_t}\,\epsilon .$$"),
        new_markdown_cell(r"$$\begin{aligned} \hat x_0 &= \frac{x_t - \sqrt{1-\bar\alpha_t}\,\epsilon}{\sqrt{\bar\alpha_t}} \\"
                          "\n"
                          r"L &= \mathbb{E}\,\big\lVert \epsilon - \epsilon_\theta(x_t, t) \big\rVert^2 \end{aligned}$$"),
        new_markdown_cell("Dollars that are not maths: `echo $HOME`, a price of \\$5, a lone $3 tip.\n\n"
                          "```\necho $$ $PATH\n```"),
        new_code_cell("plot_schedule()", execution_count=1, outputs=[
            new_output("stream", name="stderr", text=LOADING_BAR),
            new_output("stream", name="stdout", text="alphas_cumprod[-1] = 0.0000\n"),
            new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"}),
            new_output("display_data", data={"text/plain": "training:   0%|          | 0/6 [00:00<?, ?it/s]",
                                             WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "box"}}),
        ]),
    ]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": _tqdm_widget_state("box"),
                                                                              "version_major": 2, "version_minor": 0}}
    return nb


def test_every_formula_in_the_notebooks_converts():
    formulas = [found for path in notebook_io.notebook_paths() for cell in nbformat.read(path, as_version=4).cells
                if cell.cell_type == "markdown" for found in formulas_in(cell.source)]
    assert len(formulas) > 200  # 274 when this was written: the parser still sees the notebooks' maths
    for latex, display in formulas:
        assert latex_to_mathml(latex, display).startswith("<math"), latex


def test_dollars_outside_maths_are_left_alone():
    page = markdown_to_html(synthetic_notebook().cells[3].source)
    assert "<code>echo $HOME</code>" in page and "echo $$ $PATH" in page
    assert "a price of $5, a lone $3 tip." in page and "<math" not in page


def test_a_formula_that_cannot_convert_stays_visible_and_is_reported():
    failures = []
    page = markdown_to_html(r"Before $\notacommand{x}$ after, and $y^2$.", failures=failures)
    assert failures == [r"\notacommand{x}"]
    assert 'class="tex-unconverted"' in page and page.count("<math") == 1


def test_handout_page_needs_nothing_from_the_web():
    exporter = HandoutExporter()
    page, _ = exporter.from_notebook_node(widgets_as_text(drop_loading_bars(synthetic_notebook())))
    assert exporter.math_failures == []
    assert page.count("<math") == 3 and "<mtable" in page and "mathjax" not in page.lower()
    assert "<script src" not in page and 'src="http' not in page
    assert 'href="https://colab.research.google.com/"' in page and "Open In Colab</span>" in page
    assert "data:image/png;base64," in page
    assert '@font-face { font-family: "Handout Math"; src: url(data:font/woff;base64,' in page


def test_the_math_font_is_cut_to_the_page_with_the_letters_chromium_draws():
    from fontTools.ttLib import TTFont

    chars = math_font.characters_in('<p>x y</p><math><msqrt><mi>x</mi></msqrt><mo>=</mo><mi>ϵ</mi></math>')
    assert {"x", "𝑥", "ϵ", "𝜖", " ", "√"} <= chars and "y" not in chars
    font = TTFont(io.BytesIO(math_font._subset_woff(frozenset(chars))))
    assert {ord(c) for c in chars} <= set(font.getBestCmap()) and "MATH" in font
    assert font["name"].getDebugName(1) == "Handout Math" and "Open Font License" in font["name"].getDebugName(13)
    assert font.reader.file.getbuffer().nbytes < 40_000  # the whole font is 1.5 MB


def test_loading_bars_go_and_widget_bars_show_their_final_state():
    nb = drop_loading_bars(synthetic_notebook())
    outputs = nb.cells[-1].outputs
    assert len(outputs) == 3 and "Loading pipeline components" not in str(outputs)
    widgets_as_text(nb)
    assert "widgets" not in nb.metadata and WIDGET_VIEW not in outputs[-1]["data"]
    assert outputs[-1]["data"]["text/plain"] == "training: 100%|██████████| 6/6 [00:01<00:00,  5.10it/s]"


def test_build_writes_both_handouts_without_loading_bars(tmp_path, monkeypatch):
    monkeypatch.setattr(build_course, "BUILD", tmp_path)
    assert build_course.write_handout(synthetic_notebook(), "99_synthetic") == []
    executed = nbformat.read(tmp_path / "99_synthetic.ipynb", as_version=4)
    assert "Loading pipeline" not in str(executed) and "widgets" in executed.metadata  # Jupyter can still draw it
    page = (tmp_path / "99_synthetic.html").read_text()
    assert "Loading pipeline" not in page and "training: 100%|" in page


def test_build_turns_off_the_libraries_loading_bars_in_its_kernels(monkeypatch):
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    build_course.quiet_loading_bars()
    probe = ("import course_utils\nfrom diffusers.utils import logging as d\nfrom transformers.utils import logging as t\n"
             "print(d.is_progress_bar_enabled(), t.is_progress_bar_enabled())")
    # A kernel is a fresh interpreter that inherits the build's environment, as this one does.
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ), cwd=ROOT)
    assert done.stdout.split() == ["False", "False"], done.stderr[-2000:]


@needs_chromium
def test_a_built_handout_reads_offline_in_chromium(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build_course, "BUILD", tmp_path)
    build_course.write_handout(synthetic_notebook(), "99_synthetic")
    found = check_handouts.inspect_page(tmp_path / "99_synthetic.html", CHROMIUM)
    assert check_handouts.problems(found) == [], found
    assert found["math"] == found["math_drawn"] == 3 and found["fractions_stacked"] == 1
    assert "Handout Math" in found["math_font"]
    assert found["images"] == 1 and not found["images_broken"]


@needs_chromium
def test_the_check_sees_raw_tex_and_web_scripts_in_an_old_style_page(tmp_path):
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter(embed_images=True).from_notebook_node(synthetic_notebook())  # MathJax from a CDN
    (tmp_path / "99_old.html").write_text(page, encoding="utf-8")
    issues = " | ".join(check_handouts.problems(check_handouts.inspect_page(tmp_path / "99_old.html", CHROMIUM)))
    assert "raw TeX visible" in issues and "no MathML formula" in issues and "points at the web" in issues
