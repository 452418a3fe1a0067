"""Your own captioned pictures: reading a folder of images and captions to train the mini SD on.

The folder uses the Hugging Face ``datasets`` "imagefolder" layout, so
``datasets.load_dataset("imagefolder", data_dir=DIR)`` reads the same folder::

    my_pictures/
        metadata.jsonl      one JSON object per line, e.g. {"file_name": "0001.png", "text": "a red circle"}
        0001.png
        0002.jpg
        ...

``file_name`` is the picture's path relative to the folder and ``text`` is its caption.
``load_image_folder`` reads the folder with the json module and PIL, so that each problem is met
by a message naming the file and the fix. Every picture is turned into RGB, center-cropped to a
square and resized to ``resolution`` × ``resolution`` (bicubic), then scaled x ↦ x / 127.5 − 1
into [−1, 1], the range the VAE expects. What was changed is said in plain words in ``notes``.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import json
from pathlib import Path

import numpy as np
import torch
from PIL import ExifTags, Image, ImageOps

from course_utils.errors import DataFolderError

METADATA_FILE = "metadata.jsonl"
EXAMPLE_LINE = '{"file_name": "0001.png", "text": "a red circle"}'
HOW_TO_WRITE = ('Write one JSON object per line, naming a picture (its path relative to the folder) and its '
                f'caption, e.g.\n  {EXAMPLE_LINE}')
# Names other tools give the caption and file columns; datasets and this course read "text" and "file_name".
CAPTION_NAMES = ("caption", "captions", "prompt", "prompts", "description", "label", "title", "alt", "alt_text")
FILE_NAMES = ("filename", "file", "image", "image_file", "path", "file_path", "image_path", "img", "name")
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
VAE_SCALE_FACTOR = 8  # SD's VAE turns an R×R picture into R/8 × R/8 latents
WHITE = (255, 255, 255, 255)


@dataclasses.dataclass
class CaptionedImages:
    """A folder's pictures and captions, ready to train on.

    Args:
        images: (N, 3, R, R) float32 in [−1, 1], in metadata.jsonl's order.
        captions: the N captions, in the same order.
        notes: what was changed while reading (converted, resized), in plain words; empty if nothing.
    """

    images: torch.Tensor
    captions: list[str]
    notes: list[str]

    def __len__(self) -> int:
        return len(self.captions)


def load_image_folder(folder, resolution: int = 64, min_images: int = 1) -> CaptionedImages:
    """Read a folder in datasets' imagefolder layout: images (N, 3, R, R) in [−1, 1] and their captions.

    Args:
        folder: the directory holding ``metadata.jsonl`` and the pictures it lists.
        resolution: the side R in pixels, a positive multiple of 8 (SD's VAE downsamples ×8).
        min_images: the fewest pictures accepted (a trainer passes its batch size).

    Raises ``DataFolderError``, naming the file and the fix, when the folder cannot be used.
    """
    # 1. check the arguments and the folder
    _check_resolution(resolution)
    folder = _check_folder(folder)
    # 2. read metadata.jsonl: one (line number, file name, caption) per picture, in order
    rows = _read_metadata(folder)
    _check_count(folder, len(rows), min_images)
    # 3. open each picture, make it RGB and R×R, counting each change as a phrase, e.g. "{were} greyscale …"
    changes = collections.Counter()
    pixels = np.stack([_load_picture(folder, line, name, resolution, changes)
                       for line, name, _ in rows])  # (N, R, R, 3) uint8
    # 4. scale x ↦ x / 127.5 − 1, put channels first, and say what was changed: "3 of 40 images were …"
    images = torch.from_numpy(pixels).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)  # (N, 3, R, R) in [−1, 1]
    notes = [f"{count} of {_pictures(len(rows), 'image')} " + phrase.format(were="was" if count == 1 else "were")
             for phrase, count in changes.items()]
    return CaptionedImages(images.contiguous(), [caption for _, _, caption in rows], notes)


def _check_resolution(resolution) -> None:
    if isinstance(resolution, (int, np.integer)) and not isinstance(resolution, bool) and resolution > 0 \
            and resolution % VAE_SCALE_FACTOR == 0:
        return
    if isinstance(resolution, (int, float, np.number)) and not isinstance(resolution, bool) and 8 < resolution < 1e6:
        lower = int(resolution // VAE_SCALE_FACTOR * VAE_SCALE_FACTOR)
        nearest = f"{lower}" if lower == resolution else f"{lower} or {lower + VAE_SCALE_FACTOR}"
    else:
        nearest = "8, or 64 (the mini SD's size)"
    raise DataFolderError(f"resolution={resolution!r} must be a positive whole multiple of 8, because SD's VAE "
                          f"shrinks each side 8 times; use {nearest}.")


def _check_folder(folder) -> Path:
    path = Path(folder).expanduser()
    if not path.exists():
        where = "" if path.is_absolute() else f" (a relative path is read from {Path.cwd()})"
        raise DataFolderError(f"The folder {path} does not exist{where}; check the path, or create the folder "
                              f"and put your pictures and a {METADATA_FILE} in it.")
    if not path.is_dir():
        raise DataFolderError(f"{path} is a file, not a folder; pass the folder that holds {METADATA_FILE} and "
                              f"the pictures (perhaps {path.parent}).")
    return path


def _read_metadata(folder: Path) -> list[tuple[int, str, str]]:
    metadata = folder / METADATA_FILE
    if not metadata.is_file():
        pictures = [p for p in folder.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES]
        found = (f"holds {_pictures(len(pictures))} but no {METADATA_FILE}, so their captions are unknown"
                 if pictures else "is empty" if not any(folder.iterdir())
                 else f"has no {METADATA_FILE} and no pictures")
        csv = (f" (a metadata.csv is not read here: save it as {METADATA_FILE})"
               if (folder / "metadata.csv").exists() else "")
        raise DataFolderError(f"The folder {folder} {found}{csv}. Add a file {METADATA_FILE} there. {HOW_TO_WRITE}")
    try:
        text = metadata.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataFolderError(f"{metadata} is not UTF-8 text ({err.reason} at byte {err.start}); save it as "
                              "UTF-8 in your editor.") from None
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            row = _parse_line(line, metadata, number)
            rows.append((number, _column(row, "file_name", FILE_NAMES, "the picture's path relative to the folder",
                                         metadata, number),
                         _column(row, "text", CAPTION_NAMES, "the caption", metadata, number)))
    if not rows:
        raise DataFolderError(f"{metadata} lists no pictures (it has no lines). {HOW_TO_WRITE}")
    return rows


def _parse_line(line: str, metadata: Path, number: int) -> dict:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataFolderError(f"Line {number} of {metadata} is not valid JSON ({err.msg}, column {err.colno}): "
                              f"{line.strip()[:80]}\nFix or remove that line: use double quotes and no trailing "
                              f"comma, one object per line, e.g.\n  {EXAMPLE_LINE}") from None
    if not isinstance(row, dict):
        raise DataFolderError(f"Line {number} of {metadata} is {type(row).__name__} JSON, not an object with "
                              f'"file_name" and "text". {HOW_TO_WRITE}')
    return row


def _column(row: dict, column: str, other_names: tuple, what: str, metadata: Path, number: int) -> str:
    """The string in ``column``; a missing column that goes by another name is pointed out."""
    if column not in row:
        other = next((name for name in row if name.lower() in other_names + (column,)), None)
        fix = (f'It has a "{other}" column: rename it to "{column}" on every line' if other
               else f'Add {what} as "{column}" (the line has {", ".join(row) or "no columns"})')
        raise DataFolderError(f'Line {number} of {metadata} has no "{column}" column ({what}). {fix}, e.g.\n'
                              f'  {EXAMPLE_LINE}')
    value = row[column]
    if not isinstance(value, str) or (column == "file_name" and not value.strip()):
        raise DataFolderError(f'Line {number} of {metadata}: "{column}" must be {what} as a string in double '
                              f'quotes, got {value!r}, e.g.\n  {EXAMPLE_LINE}')
    return value


def _check_count(folder: Path, count: int, min_images) -> None:
    if isinstance(min_images, bool) or not isinstance(min_images, (int, np.integer)) or min_images < 1:
        raise DataFolderError(f"min_images={min_images!r} must be a whole number of at least 1.")
    if count < min_images:
        raise DataFolderError(f"{folder} holds {_pictures(count)}, fewer than the {min_images} needed "
                              f"(min_images, e.g. one training batch): lower --batch-size to {count} or less, "
                              f"or add pictures (and their lines in {METADATA_FILE}).")


def _load_picture(folder: Path, line: int, name: str, resolution: int, changes: collections.Counter) -> np.ndarray:
    """Open one listed picture → uint8 (R, R, 3), counting each change made in ``changes``."""
    path, where = folder / name, f"listed on line {line} of {folder / METADATA_FILE}"
    if not path.is_file():
        close = difflib.get_close_matches(Path(name).name, [p.name for p in path.parent.glob("*")], n=1)
        hint = f" (did you mean {close[0]!r}? Names are case-sensitive)" if close else ""
        raise DataFolderError(f"The picture {path}, {where}, does not exist{hint}. Fix the name, add the file, "
                              f"or remove line {line} from {METADATA_FILE}.")
    try:
        with Image.open(path) as opened:
            opened.load()
            upright = opened.getexif().get(ExifTags.Base.Orientation, 1) in (None, 1)
            image = opened.copy() if upright else ImageOps.exif_transpose(opened)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise DataFolderError(f"The file {path}, {where}, does not open as a picture ({err}). Remove line "
                              f"{line} from {METADATA_FILE} and delete the file, or replace it with a working PNG "
                              "or JPEG.") from None
    if not upright:
        changes["{were} turned upright, as the camera's EXIF orientation tag says"] += 1
    image = _to_rgb(image, changes)
    if image.size != (resolution, resolution):
        changes[f"{{were}} not {resolution}×{resolution} and {{were}} center-cropped and resized"] += 1
        if min(image.size) < resolution:
            changes[f"{{were}} smaller than {resolution} pixels on a side and {{were}} enlarged "
                    "(enlarged pictures look blurry)"] += 1
        image = ImageOps.fit(image, (resolution, resolution), method=Image.Resampling.BICUBIC)  # crop center square
    return np.asarray(image, dtype=np.uint8)  # (R, R, 3)


def _to_rgb(image: Image.Image, changes: collections.Counter) -> Image.Image:
    """Any PIL mode → RGB; transparent pixels are laid on a white background."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
        changes["{were} transparent (with an alpha channel) and {were} composited on a white background "
                "and converted to RGB"] += 1
        return Image.alpha_composite(Image.new("RGBA", image.size, WHITE), image.convert("RGBA")).convert("RGB")
    if mode.startswith("I"):  # 16-bit greyscale: 0…65535 → 0…255
        changes["{were} 16-bit greyscale and {were} reduced to 8 bits and converted to RGB"] += 1
        pixels = np.clip(np.asarray(image, dtype=np.int64), 0, 65535) // 257  # (H, W)
        return Image.fromarray(pixels.astype(np.uint8)).convert("RGB")
    phrase = {"L": "greyscale", "1": "black-and-white (1 bit)", "P": "palette-based (mode P)"}.get(
        mode, f"in mode {mode}")
    changes[f"{{were}} {phrase} and {{were}} converted to RGB"] += 1
    return image.convert("RGB")


def _pictures(count: int, noun: str = "picture") -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"
