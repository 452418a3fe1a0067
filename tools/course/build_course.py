"""`make course`: execute every notebook in the resolved mode and write handouts to build/.

For each notebook: the executed .ipynb and a self-contained .html that reads the same with no
network (formulas as MathML, pictures embedded, widgets as text, no script from a CDN: see
handout_export.py), plus build/index.html linking them in course order. The libraries' loading
progress bars stay out of both. A formula the converter cannot read, or TeX a reader would see raw
(raw_tex.py), fails the build. The Chinese edition (notebooks/zh/, built by i18n.py from the English)
goes to build/zh/ the same way, and the index offers both. `python tools/course/check_handouts.py`
then opens the pages in a browser.
"""

from __future__ import annotations

import html
import json
import os
import sys
import time
import traceback

import nbformat
from handout_export import HandoutExporter, drop_loading_bars, widgets_as_text
from notebook_io import NOTEBOOKS, ROOT, execute, notebook_paths
from raw_tex import notebook_raw_tex

BUILD = ROOT / "build"


def title_of(nb) -> str:
    """The notebook's first markdown heading (the Colab badge line above it is skipped)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line.lstrip("# ").strip()
    return "untitled"


def lesson_map(readme: str = "README.md") -> dict[str, tuple[str, str]]:
    """``{notebook stem: (what it builds, class time)}`` from a README's lesson map, the one place they are written
    (``README.zh.md`` for the Chinese edition)."""
    lessons = {}
    for line in (ROOT / readme).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[0][1:3].isdigit():
            lessons[cells[0].strip("`")] = (cells[1], cells[2])
    return lessons


MODES = {
    "mini": "<b>mini mode</b>: no GPU and no download. Every notebook runs on a miniature Stable Diffusion with SD v1's "
            "exact structure (4 latent channels, a VAE that shrinks images 8×, 77 text tokens, the real CLIP "
            "tokenizer), trained by the course on real handwritten digits and shipped inside its package. Where the "
            "miniature differs from SD v1, the notebook says so.",
    "full": "<b>full mode</b>: Stable Diffusion v1.5 itself, CLIP ViT-B/32 and Fashion-MNIST, on a GPU with float16 "
            "where there is one.",
}


def index_rows(entries: list[dict], folder: str = "", lessons: dict | None = None) -> list[str]:
    """One list item per handout: its page, what it builds and its class time (from ``lessons``), its notebook."""
    rows = []
    for e in entries:
        stem = e["html"].removesuffix(".html")
        summary, class_time = (lessons or {}).get(stem, ("", ""))
        failed = "" if e["ok"] else ' <b>— FAILED to build: see the page</b>'
        notebook = f'<a href="{folder}{stem}.ipynb">{folder}{stem}.ipynb</a>'
        executed = (f"执行后的 notebook：{notebook}（在 Jupyter 中打开即可重新运行）" if folder == "zh/" else
                    f"the executed notebook: {notebook} (open it in Jupyter to run it again)")
        rows.append(f'<li><a href="{folder}{e["html"]}">{html.escape(e["title"])}</a>{failed}<br>'
                    f'{html.escape(summary)}{" · " if summary and class_time else ""}{html.escape(class_time)}<br>'
                    f'<small>{executed}</small></li>')
    return rows


def write_index(entries: list[dict], mode: str, chinese: list[dict] | None = None) -> None:
    rows = index_rows(entries, lessons=lesson_map())
    edition = "" if not chinese else f"""
<h2 lang="zh-Hans">中文版（Chinese edition）</h2>
<p lang="zh-Hans">由英文 notebook 与翻译文件生成，代码与英文版完全相同。</p>
<ol lang="zh-Hans">
{chr(10).join(index_rows(chinese, folder="zh/", lessons=lesson_map("README.zh.md")))}
</ol>"""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stable Diffusion, step by step</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:3em auto;line-height:1.5}}li{{margin-bottom:1em}}</style></head>
<body><h1>Stable Diffusion, step by step</h1>
<p>The course's notebooks in order, each as a page to read (with every output) and as the executed notebook.
Class times are estimates for a class working through the notebook together.</p>
<p>Built in {MODES.get(mode, html.escape(mode))}</p>
<ol>
{chr(10).join(rows)}
</ol>{edition}</body></html>
"""
    (BUILD / "index.html").write_text(page, encoding="utf-8")


def quiet_loading_bars() -> None:
    """No model- or file-loading progress bars in the kernels the build starts (they inherit this).

    transformers and huggingface_hub read the hub's switch themselves; course_utils passes it on to
    diffusers, whose "Loading pipeline components..." bar has no switch of its own.
    """
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"


def write_handout(nb, name: str, folder: str = "") -> list[str]:
    """build/[FOLDER/]NAME.ipynb and .html; returns the formulas left as TeX (none, normally)."""
    out = BUILD / folder
    out.mkdir(parents=True, exist_ok=True)
    drop_loading_bars(nb)
    nbformat.write(nb, out / f"{name}.ipynb")
    exporter = HandoutExporter()
    body, _ = exporter.from_notebook_node(widgets_as_text(nbformat.from_dict(nb)))
    if folder == "zh/":
        body = body.replace('<html lang="en">', '<html lang="zh-Hans">', 1).replace("<html>", '<html lang="zh-Hans">', 1)
    (out / f"{name}.html").write_text(body, encoding="utf-8")
    return exporter.math_failures


def build_edition(paths, folder: str, failed: list[str]) -> list[dict]:
    """Execute each notebook and write its handout into build/FOLDER; returns the index entries."""
    entries = []
    for path in paths:
        start = time.perf_counter()
        ok = True
        try:
            nb = execute(path)
        except Exception:  # keep the partly executed notebook: its error cell shows what broke
            ok = False
            failed.append(folder + path.name)
            traceback.print_exc()
            nb = nbformat.read(path, as_version=4)
        seconds = time.perf_counter() - start
        unconverted = write_handout(nb, path.stem, folder)
        if unconverted:  # the page shows these as raw TeX: say which, and fail the build
            ok = False
            failed.append(f"{folder}{path.name} ({len(unconverted)} formulas left as TeX)")
            print(f"{path.name}: math-core could not convert:", *unconverted, sep="\n    ")
        if raw := notebook_raw_tex(nb):  # TeX that markdown broke apart, or that a formula shows as text
            ok = False
            failed.append(f"{folder}{path.name} ({len(raw)} places with raw TeX)")
            print(f"{path.name}: a reader would see raw TeX:", *raw, sep="\n    ")
        entries.append({"title": title_of(nb), "html": path.with_suffix(".html").name, "seconds": seconds, "ok": ok})
        print(f"{'ok    ' if ok else 'FAILED'} {folder}{path.name} in {seconds:.1f} s")
    return entries


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from course_utils import config

    config.banner()
    mode = config.get_mode()
    if mode == "mini":  # small models: one torch thread per kernel avoids oversubscribing (see Makefile)
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    quiet_loading_bars()
    BUILD.mkdir(exist_ok=True)
    failed = []
    entries = build_edition(notebook_paths(), "", failed)
    chinese = build_edition(sorted((NOTEBOOKS / "zh").glob("[0-9][0-9]_*.ipynb")), "zh/", failed)
    write_index(entries, mode, chinese)
    (BUILD / "build_summary.json").write_text(json.dumps({"mode": mode, "notebooks": entries, "zh": chinese}, indent=2))
    print(f"wrote {BUILD / 'index.html'}")
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
