"""The README is the one page a learner or teacher needs: keep it true to the code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_troubleshooting_quotes_messages_the_code_raises():
    source = "\n".join(p.read_text() for p in (ROOT / "course_utils").rglob("*.py"))
    rows = [line for line in section("Troubleshooting").splitlines() if line.startswith("| `")]
    assert len(rows) >= 6
    for row in rows:
        for quoted in re.findall(r"`([^`]+)`", row.split("|")[1]):
            assert quoted in source, f"README quotes {quoted!r}, which no course_utils message contains"


def test_lesson_map_lists_every_notebook():
    lesson_map = section("Lesson map")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"`{path.stem}`" in lesson_map


def test_setup_commands_and_layout_exist():
    assert "make lab" in section("Start here") and "environment.yml" in section("Start here")
    makefile = (ROOT / "Makefile").read_text()
    for target in ("test", "course", "lab", "test-latest"):
        assert re.search(rf"^{target}:", makefile, re.M), f"README mentions make {target}"


def test_the_chinese_readme_links_back_quotes_real_messages_and_existing_files():
    chinese = (ROOT / "README.zh.md").read_text()
    assert "README.zh.md" in README.splitlines()[0] and chinese.startswith("[English](README.md)")
    source = "\n".join(p.read_text() for p in (ROOT / "course_utils").rglob("*.py"))
    troubleshooting = re.search(r"^## 常见问题\n(.*?)(?=^## |\Z)", chinese, re.M | re.S).group(1)
    rows = [line for line in troubleshooting.splitlines() if line.startswith("| `")]
    assert len(rows) >= 6
    for row in rows:
        for quoted in re.findall(r"`([^`]+)`", row.split("|")[1]):
            assert quoted in source, f"README.zh.md quotes {quoted!r}, which no course_utils message contains"
    for target in re.findall(r"\]\(([^)#]+)\)", chinese):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), f"README.zh.md links {target}, which does not exist"
    for notebook in re.findall(r"/blob/main/(notebooks/[^)]+\.ipynb)", chinese):
        assert (ROOT / notebook).exists(), notebook


def test_the_chinese_lesson_map_opens_the_chinese_notebook_wherever_there_is_one():
    chinese = (ROOT / "README.zh.md").read_text()
    for path in sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb")):
        row = next(line for line in chinese.splitlines() if line.startswith(f"| `{path.stem}`"))
        assert f"/blob/main/notebooks/zh/{path.name})" in row, f"README.zh.md's row for {path.stem} opens another notebook"
