"""The course's cache folder, and how a folder in it is built without ever leaving half of one.

``COURSE_CACHE`` (default ``~/.cache/course_utils``) holds what the course assembles from the
package on first use: the shipped models in the hub's layout with their tokenizer files, and a
uint8 copy of the offline digits. ``build_atomically`` builds into a temporary folder and renames
it into place, so a crash or a second process never leaves a half-built folder behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def cache_root() -> Path:
    root = os.environ.get("COURSE_CACHE") or Path.home() / ".cache" / "course_utils"
    return Path(root)


def build_atomically(path: Path, build) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".building-"))
    try:
        build(tmp)
        if path.exists():  # another process finished first
            shutil.rmtree(tmp)
        else:
            tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
