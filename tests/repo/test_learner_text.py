"""What a learner reads speaks of the course only: no commit hashes, internal issue numbers or
remarks on how the project was built; the README stays a short page."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HASH = re.compile(r"\b(?:commit|at|in)\s+`?[0-9a-f]{7,40}\b")  # "at 19019e4", "commit e42338a"
ISSUE = re.compile(r"(?i)\bissues?\s+#?\d+\b|(?<![\w&])#\d{1,3}\b(?![0-9a-f])")
BUILD_TALK = re.compile(r"(?i)this (?:project's )?sessions?\b|no GPU was available to this project")


def learner_texts():
    yield ROOT / "README.md", (ROOT / "README.md").read_text()
    for path in sorted((ROOT / "docs").glob("*.md")):
        yield path, path.read_text()
    for path in sorted((ROOT / "course_utils" / "shipped").rglob("README.md")):
        yield path, path.read_text()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        yield path, "\n".join("".join(c["source"]) for c in cells)
    for path in sorted((ROOT / "course_utils").rglob("*.py")):
        yield path, path.read_text()


def test_no_commit_hashes_issue_numbers_or_build_remarks():
    found = []
    for path, text in learner_texts():
        for pattern in (HASH, ISSUE, BUILD_TALK):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert not found, "learner-facing text mentions the project's history:\n" + "\n".join(found[:20])


def test_the_patterns_catch_what_they_should():
    assert HASH.search("make test at 19019e4 passed") and HASH.search("fixed in commit e42338a")
    assert ISSUE.search("what is left of issue 13") and ISSUE.search("see #11")
    assert not ISSUE.search("colour #ff0000") and not HASH.search("at 1000 steps")
    assert BUILD_TALK.search("No GPU was available to this project's sessions")


def test_readme_is_a_short_page_for_learners():
    size = len((ROOT / "README.md").read_text().encode())
    assert size <= 7_500, f"README.md is {size} bytes: move detail into docs/ (it should stay about 6 KB)"
