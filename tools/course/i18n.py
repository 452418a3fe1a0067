"""Build an edition of the notebooks in another language from the English ones and a translation file each.

    python tools/course/i18n.py status [--lang zh]              # missing, stale and orphaned blocks
    python tools/course/i18n.py diff NOTEBOOK CELL [--lang zh]  # what changed in the English since translating
    python tools/course/i18n.py build [--lang zh]               # writes notebooks/zh/NN_*.ipynb
    python tools/course/i18n.py stub NOTEBOOK [--lang zh]       # appends empty blocks for the missing cells

The English notebooks are the only source of code. ``i18n/<lang>/<notebook>.md`` holds one block per
markdown cell and one per code cell that has ``#`` comments, keyed by the cell's id and a short hash
of the English source it translates, which the block also keeps (so ``diff`` can show a change):

    <!-- markdown e9626f7d en:3f2a9c1b0d -->
    <!-- en
    ## 1. Why a latent space?
    -->
    ## 1. 为什么要潜在空间？

    <!-- code 5c59a074 en:9be1c7d2aa -->
    ```json
    {"# (B, 4, H/8, W/8)": "# (B, 4, H/8, W/8)", "# a copy on the CPU": "# 在 CPU 上的副本"}
    ```

The build replaces each markdown cell by its translation and each comment by its translation; every
other character of a code cell stays as it is (``tokenize`` finds the comments), except the setup
cell, which also sets ``COURSE_LANG`` so the course's printed text and figures speak the language.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import json
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat
from notebook_io import NOTEBOOKS, ROOT, notebook_paths

BLOCK = re.compile(r"^<!-- (markdown|code) (\S+) en:([0-9a-f]+) -->\n", re.M)
ENGLISH = re.compile(r"\A<!-- en\n(.*?)\n-->\n", re.S)
JSON_FENCE = re.compile(r"```json\n(.*?)\n```", re.S)
UNTRANSLATED = "<!-- untranslated -->"  # what ``stub`` writes above the English it copies in
LANG_LINE = 'import os; os.environ["COURSE_LANG"] = "{lang}"  # this edition\'s language for printed text and figures\n'


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def comments(code: str) -> list[tuple[int, int, str]]:
    """The ``#`` comments of a code cell as (line index, column, text); IPython's ``%``/``!`` lines included."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0] - 1, token.start[1], token.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return found


@dataclass
class Block:
    kind: str  # "markdown" or "code"
    cell_id: str
    english_hash: str
    english: str  # the English source the translation was made from
    text: str  # the translated markdown, or the JSON of comment translations


def read_blocks(path: Path) -> dict[str, Block]:
    """A translation file's blocks by cell id (an absent file has none)."""
    if not path.exists():
        return {}
    content = path.read_text()
    heads = list(BLOCK.finditer(content))
    blocks = {}
    for head, following in zip(heads, heads[1:] + [None]):
        body = content[head.end():following.start() if following else len(content)]
        english = ENGLISH.match(body)
        text = body[english.end():] if english else body
        blocks[head.group(2)] = Block(head.group(1), head.group(2), head.group(3),
                                      english.group(1) if english else "", text.strip("\n"))
    return blocks


def comment_table(block: Block) -> dict[str, str]:
    fence = JSON_FENCE.search(block.text)
    return json.loads(fence.group(1)) if fence else {}


def translation_file(notebook: Path, lang: str) -> Path:
    return ROOT / "i18n" / lang / f"{notebook.stem}.md"


def problems(notebook: Path, lang: str) -> list[str]:
    """Every missing, stale or orphaned block of one notebook's translation, one line each."""
    nb, blocks = nbformat.read(notebook, as_version=4), read_blocks(translation_file(notebook, lang))
    name, found, wanted = notebook.stem, [], set()
    for index, cell in enumerate(nb.cells):
        kind = "code" if cell.cell_type == "code" else "markdown"
        if kind == "code" and (index == 1 or not comments(cell.source)):
            continue  # the setup cell is written by the build; a code cell without comments needs nothing
        wanted.add(cell.id)
        block = blocks.get(cell.id)
        where = f"{name}: cell {index} ({kind}, id {cell.id})"
        if block is None or block.kind != kind:
            found.append(f"{where} has no translation: python tools/course/i18n.py stub {name} --lang {lang}")
        elif UNTRANSLATED in block.text:
            found.append(f"{where} is not translated yet (its block in {translation_file(notebook, lang).name} "
                         f"still holds the English)")
        elif block.english_hash != source_hash(cell.source):
            found.append(f"{where} changed since it was translated: python tools/course/i18n.py diff {name} "
                         f"{cell.id} --lang {lang}")
        elif kind == "code":
            table = comment_table(block)
            missing = [text for _, _, text in comments(cell.source) if text not in table]
            if missing:
                found.append(f"{where}: comment {missing[0]!r} has no translation in its block")
    for cell_id in sorted(set(blocks) - wanted):
        found.append(f"{name}: block {cell_id} matches no cell that needs one (orphaned): delete it")
    return found


def translate_code(code: str, table: dict[str, str]) -> str:
    """``code`` with each comment replaced by its translation; every other character kept."""
    lines = code.split("\n")
    for row, column, text in comments(code):
        if text in table:
            lines[row] = lines[row][:column] + table[text] + lines[row][column + len(text):]
    return "\n".join(lines)


def build_notebook(notebook: Path, lang: str) -> nbformat.NotebookNode:
    nb, blocks = nbformat.read(notebook, as_version=4), read_blocks(translation_file(notebook, lang))
    for index, cell in enumerate(nb.cells):
        block = blocks.get(cell.id)
        if cell.cell_type == "markdown" and block is not None:
            cell.source = block.text.replace(f"notebooks/{notebook.name}", f"notebooks/{lang}/{notebook.name}")
        elif cell.cell_type == "code" and index == 1:
            cell.source = LANG_LINE.format(lang=lang) + cell.source
        elif cell.cell_type == "code" and block is not None:
            cell.source = translate_code(cell.source, comment_table(block))
    nb.metadata["language_edition"] = lang
    return nb


def stub(notebook: Path, lang: str) -> int:
    """Append a block for every cell that lacks one, holding the English to translate."""
    nb, path = nbformat.read(notebook, as_version=4), translation_file(notebook, lang)
    blocks, added = read_blocks(path), []
    for index, cell in enumerate(nb.cells):
        code = cell.cell_type == "code"
        if cell.id in blocks or (code and (index == 1 or not comments(cell.source))):
            continue
        kind = "code" if code else "markdown"
        body = (f"```json\n{json.dumps({t: t for _, _, t in comments(cell.source)}, ensure_ascii=False)}\n```"
                if code else cell.source)
        added.append(f"<!-- {kind} {cell.id} en:{source_hash(cell.source)} -->\n<!-- en\n{cell.source}\n-->\n"
                     f"{UNTRANSLATED}\n{body}\n")
    if added:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_text().rstrip("\n") + "\n\n" if path.exists() else ""
        path.write_text(old + "\n".join(added))
    return len(added)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["status", "diff", "build", "stub"])
    parser.add_argument("names", nargs="*", help="diff: NOTEBOOK CELL; stub: NOTEBOOK (a stem such as 01_noise_schedules)")
    parser.add_argument("--lang", default="zh")
    args = parser.parse_args()
    translated = [p for p in notebook_paths() if translation_file(p, args.lang).exists()]
    if args.command == "status":
        found = [line for p in notebook_paths() for line in problems(p, args.lang)]
        print("\n".join(found) or f"every notebook's {args.lang} translation is current")
        return 1 if found else 0
    if args.command == "diff":
        notebook, cell_id = NOTEBOOKS / f"{args.names[0]}.ipynb", args.names[1]
        cell = next(c for c in nbformat.read(notebook, as_version=4).cells if c.id == cell_id)
        old = read_blocks(translation_file(notebook, args.lang))[cell_id].english
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), cell.source.splitlines(True),
                                                   "translated from", "English now"))
        return 0
    if args.command == "stub":
        print(f"{stub(NOTEBOOKS / f'{args.names[0]}.ipynb', args.lang)} blocks added")
        return 0
    for path in translated:
        out = NOTEBOOKS / args.lang / path.name
        out.parent.mkdir(exist_ok=True)
        nbformat.write(build_notebook(path, args.lang), out)
        print("built", out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
