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


def test_index_gives_class_time_summary_mode_and_executed_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(build_course, "BUILD", tmp_path)
    paths = notebook_io.notebook_paths()
    entries = [{"title": p.stem, "html": f"{p.stem}.html", "seconds": 123.0, "ok": True} for p in paths]
    build_course.write_index(entries, "mini")
    page = (tmp_path / "index.html").read_text()
    lessons = build_course.lesson_map()
    assert set(lessons) == {p.stem for p in paths}  # the README's lesson map names every notebook
    for path in paths:
        summary, class_time = lessons[path.stem]
        assert f'href="{path.stem}.ipynb"' in page and class_time.split()[0] in page and "min" in class_time
    assert "123" not in page  # build seconds are no class time
    assert "mini mode" in page and "miniature Stable Diffusion" in page


def test_index_offers_the_chinese_edition(tmp_path, monkeypatch):
    monkeypatch.setattr(build_course, "BUILD", tmp_path)
    english = [{"title": "01 · Noise", "html": "01_noise_schedules.html", "seconds": 1.0, "ok": True}]
    chinese = [{"title": "01 · 噪声调度", "html": "01_noise_schedules.html", "seconds": 1.0, "ok": True}]
    build_course.write_index(english, "mini", chinese)
    page = (tmp_path / "index.html").read_text()
    assert 'href="01_noise_schedules.html"' in page and 'href="zh/01_noise_schedules.html"' in page
    assert 'href="zh/01_noise_schedules.ipynb"' in page and "中文版" in page and "01 · 噪声调度" in page
    zh_part = page[page.index("中文版"):]
    summary, class_time = build_course.lesson_map("README.zh.md")["01_noise_schedules"]
    assert summary.split("（")[0] in zh_part and class_time in zh_part  # from README.zh.md, in Chinese
    assert "执行后的 notebook" in zh_part and "the executed notebook" not in zh_part


def test_a_chinese_handout_declares_its_language(tmp_path, monkeypatch):
    monkeypatch.setattr(build_course, "BUILD", tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · 标题\n\n一些文字。")]
    assert build_course.write_handout(nb, "01_demo", "zh/") == []
    page = (tmp_path / "zh" / "01_demo.html").read_text()
    assert 'lang="zh-Hans"' in page and "一些文字" in page
