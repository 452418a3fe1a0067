"""`make course` helpers: handout titles and the index page."""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "course"))
import build_course  # noqa: E402
import notebook_io  # noqa: E402


def test_titles_skip_the_colab_badge():
    for path in notebook_io.notebook_paths():
        title = build_course.title_of(nbformat.read(path, as_version=4))
        assert title.startswith(path.name[:2]) and "colab" not in title.lower(), title


def test_index_links_every_handout_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(build_course, "BUILD", tmp_path)
    entries = [{"title": f"0{i} · lesson", "html": f"0{i}_x.html", "seconds": 1.0, "ok": i != 2} for i in (1, 2)]
    build_course.write_index(entries, "smoke")
    page = (tmp_path / "index.html").read_text()
    assert page.index('href="01_x.html"') < page.index('href="02_x.html"')
    assert "FAILED" in page and "smoke" in page
