"""Captions: how a class is put into words for the text-to-image models (notebooks 04–06).

Each image gets a caption from a few templates (the digit as a word, "seven", or as a numeral,
"7"); some phrasings are kept out of training to test whether prompts generalise (C45). For
classifier-free guidance, ``caption_dropout`` of the captions become ``""`` during training (C41).
Full mode captions Fashion-MNIST's clothes the same way (``load_captioned_images``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from course_utils import config
from course_utils.data.digits import load_digits

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


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


CLOTHES_WORDS = ("t-shirt", "pair of trousers", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                 "ankle boot")


CLOTHES_TEMPLATES = ("a photo of a {word}", "a {word}", "a black and white photo of a {word}",
                     "a picture of a {word}", "a product photo of a {word}", "{word}")


CLOTHES_UNSEEN_TEMPLATES = ("an image showing a {word}", "a {word}, photographed from above", "please draw a {word}")


@dataclasses.dataclass(frozen=True)
class CaptionedImages:
    """28×28 images with class labels, and how to caption them (notebook 06)."""

    pixels: np.ndarray  # (N, 28, 28) uint8, white on black
    labels: np.ndarray  # (N,) class ids 0..9
    words: tuple  # the class names captions use
    templates: tuple  # caption templates seen in training ("{word}", "{numeral}")
    unseen_templates: tuple  # phrasings training never uses

    @property
    def zero_shot_template(self) -> str:
        return self.templates[0]

    def captions(self) -> list[str]:
        """Every (template, class) caption, template-major (index = template × 10 + class)."""
        return all_captions(self.templates, self.words)


def load_captioned_images(split: str = "train", mode: str | None = None) -> CaptionedImages:
    """Mini mode: the 5,000 MNIST digits with digit captions; full mode: Fashion-MNIST with clothing captions."""
    if config.get_mode(mode) != "full":
        pixels, labels = load_digits(split)
        return CaptionedImages(pixels, labels, DIGIT_WORDS, CAPTION_TEMPLATES, UNSEEN_TEMPLATES)
    from course_utils.data.sources import load_fashion_mnist

    dataset = load_fashion_mnist(split, mode)
    pixels = np.stack([np.asarray(image, dtype=np.uint8) for image in dataset["image"]])  # (N, 28, 28)
    labels = np.asarray(dataset["label"], dtype=np.int64)
    return CaptionedImages(pixels, labels, CLOTHES_WORDS, CLOTHES_TEMPLATES, CLOTHES_UNSEEN_TEMPLATES)
