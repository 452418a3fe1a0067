"""The course's cache folder, and how a folder in it is built without ever leaving half of one.

``COURSE_CACHE`` (default ``~/.cache/course_utils``) holds what the course assembles from the
package on first use: the shipped models in the hub's layout with their tokenizer files, and a
uint8 copy of the offline digits. ``build_atomically`` builds into a temporary folder and renames
it into place, so a crash or a second process never leaves a half-built folder behind. It lists
the files it built and their sizes (``MANIFEST``), so ``intact`` notices a file deleted or cut
short later, and ``build_atomically(..., replace=True)`` swaps in a fresh copy.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

MANIFEST = ".course-files.json"  # {relative path: size in bytes} of every file a build wrote


def cache_root() -> Path:
    root = os.environ.get("COURSE_CACHE") or Path.home() / ".cache" / "course_utils"
    return Path(root)


def _file_sizes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def intact(path: Path) -> bool:
    """True when ``path`` holds every file ``build_atomically`` wrote there, each with its size."""
    try:
        expected = json.loads((path / MANIFEST).read_text())
        return all((path / name).stat().st_size == size for name, size in expected.items())
    except (OSError, ValueError):  # no folder, no manifest (an older build), a file gone, a broken list
        return False


def build_atomically(path: Path, build, replace: bool = False) -> None:
    """Run ``build(tmp)`` in a temporary folder beside ``path``, list its files, then rename it to ``path``.

    When ``path`` exists already, another process finished first and its copy is kept; with ``replace``
    (``path`` is damaged) it is swapped for the new one, unless another process has repaired it meanwhile.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".building-"))
    try:
        build(tmp)
        (tmp / MANIFEST).write_text(json.dumps(_file_sizes(tmp), indent=1))
        if replace and path.exists() and not intact(path):
            _move_aside(path)
        try:
            tmp.rename(path)
        except OSError:  # another process renamed its copy into place first
            if not path.exists():
                raise
            shutil.rmtree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_aside(path: Path) -> None:
    """Rename ``path`` out of the way (one rename, so no reader sees it half deleted), then delete it."""
    aside = Path(tempfile.mkdtemp(dir=path.parent, prefix=".replaced-"))
    try:
        path.rename(aside / path.name)
    except FileNotFoundError:  # another process moved it first
        pass
    shutil.rmtree(aside, ignore_errors=True)
