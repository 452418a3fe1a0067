"""A new concept for the mini SD: the colour orange, which it never saw, and a judge that knows it (notebook 07, C56).

The mini SD was trained on digits in seven palette colours (``course_utils.data.colours``). Notebook 07
teaches it an eighth, **orange** (sRGB 250, 130, 20), from a handful of captioned pictures, the way
DreamBooth and LoRA fine-tuning teach SD a new subject:

* ``concept_pictures``: a few real test digits (never used to train the mini SD) drawn in orange ink
  on palette backgrounds, ``background · (1 − x) + orange · x`` as ``colours.render_digits`` draws,
  each with a caption that names the new colour with a chosen word: "an orange seven on a blue
  background", or with a rare token, "a sks seven on a blue background" (DreamBooth's trick).
* ``concept_palette_rgb``: the palette plus orange, colour id ``CONCEPT_ID`` = 7, the colours
  ``course_utils.lora.concept_judge`` reads pictures against.

Captions follow the course's grammar (``compositions.TRAIN_TEMPLATES``) with the article fixed
("an orange", "a sks").
"""

from __future__ import annotations

import dataclasses
import re

import torch
import torch.nn.functional as F

from course_utils.data.captions import DIGIT_WORDS
from course_utils.data.colours import COLOUR_NAMES, palette_rgb
from course_utils.data.compositions import CANONICAL_TEMPLATE
from course_utils.data.transforms import digits_to_gray32

ORANGE = (250, 130, 20)  # sRGB 0–255: between red (220, 38, 38) and yellow (240, 210, 30), in no palette colour
CONCEPT_WORD = "orange"  # the ordinary English word
RARE_TOKEN = "sks"  # DreamBooth's identifier: one CLIP token that English captions almost never use
CONCEPT_ID = len(COLOUR_NAMES)  # 7: orange's id in the extended palette
CONCEPT_NAMES = COLOUR_NAMES + (CONCEPT_WORD,)  # the extended palette's names, in id order


def concept_palette_rgb() -> torch.Tensor:
    """The palette plus orange as ``(8, 3)`` floats in [0, 1]: row i = colour id i, row 7 = orange."""
    return torch.cat([palette_rgb(), torch.tensor([ORANGE], dtype=torch.float32) / 255])  # (8, 3)


def with_article(text: str) -> str:
    """The article each word needs, by its first letter: "a orange seven" → "an orange seven", "an sks" → "a sks"."""
    def fixed(match: re.Match) -> str:
        article, word = match.group(1), match.group(2)
        return ("an " if word[0].lower() in "aeiou" else "a ").replace("a", article[0], 1) + word

    return re.sub(r"\b(an?|An?) (\w+)", fixed, text)


def replace_word(caption: str, old: str, new: str) -> str:
    """``caption`` with the whole word ``old`` replaced by ``new``, articles fixed: "an orange seven" → "a sks seven"."""
    return with_article(re.sub(rf"\b{re.escape(old)}\b", new, caption))


def concept_caption(digit: int, background: int, word: str = CONCEPT_WORD, template: str = CANONICAL_TEMPLATE,
                    words=DIGIT_WORDS) -> str:
    """A caption for a digit in the new colour: ``word`` stands where a palette colour's name would.

    ``background`` is a palette id; ``template`` one of the grammar's phrasings with ``{ink}``.
    """
    if "{ink}" not in template:
        raise ValueError(f"template={template!r} does not name the ink; the new colour's word goes in {{ink}}.")
    return with_article(template.format(word=words[digit], numeral=digit, ink=word,
                                        background=COLOUR_NAMES[background]))


def render_concept_digits(pixels, background, ink_rgb=ORANGE) -> torch.Tensor:
    """uint8 digits ``(N, 28, 28)`` in ``ink_rgb`` (0–255) on palette ``background`` ids ``(N,)`` → ``(N, 3, 64, 64)`` in [−1, 1].

    The same drawing as ``colours.render_digits``: ``background · (1 − x) + ink · x`` at 64×64.
    """
    x = F.interpolate((digits_to_gray32(pixels) + 1) / 2, scale_factor=2, mode="nearest")  # (N, 1, 64, 64) in [0, 1]
    background = torch.as_tensor(background).long().reshape(-1).expand(len(x))  # (N,)
    ink = (torch.tensor(ink_rgb, dtype=torch.float32) / 255).view(1, 3, 1, 1)  # (1, 3, 1, 1)
    images = palette_rgb()[background].view(-1, 3, 1, 1) * (1 - x) + ink * x  # (N, 3, 64, 64) in [0, 1]
    return images * 2 - 1


@dataclasses.dataclass(frozen=True)
class ConceptPictures:
    """A handful of captioned pictures of the new concept: what a learner's own folder would hold.

    Args:
        images: (N, 3, 64, 64) in [−1, 1].
        captions: N captions naming the concept with ``word``.
        digit: (N,) classes 0..9.
        background: (N,) palette ids.
        word: the word (or rare token) that stands for the concept.
    """

    images: torch.Tensor
    captions: list[str]
    digit: torch.Tensor
    background: torch.Tensor
    word: str

    def __len__(self) -> int:
        return len(self.captions)


def concept_pictures(pixels, labels, per_digit: int = 2, word: str = CONCEPT_WORD, words=DIGIT_WORDS,
                     template: str = CANONICAL_TEMPLATE) -> ConceptPictures:
    """``per_digit`` pictures of each digit in orange, from the first digits of each class in ``pixels``.

    Backgrounds cycle through the palette (picture i on colour i mod 7), so every background appears;
    every caption is ``concept_caption`` with ``template`` (default "a {ink} {word} on a {background} background").
    """
    labels = torch.as_tensor(labels).long()
    chosen = []
    for digit in range(len(words)):
        found = (labels == digit).nonzero().flatten()[:per_digit].tolist()
        if len(found) < per_digit:
            raise ValueError(f"Only {len(found)} pictures of class {digit} in the data; per_digit={per_digit} needs more.")
        chosen += found
    index = torch.tensor(chosen)  # (10 · per_digit,), class-major
    background = torch.arange(len(index)) % len(COLOUR_NAMES)  # (N,) every palette colour in turn
    digit = labels[index]
    images = render_concept_digits(pixels[index.numpy()], background)  # (N, 3, 64, 64)
    captions = [concept_caption(int(d), int(b), word, template, words) for d, b in zip(digit, background)]
    return ConceptPictures(images, captions, digit, background, word)


def preservation_pictures(pixels, labels, per_digit: int = 2, skip: int = 2, seed: int = 0,
                          words=DIGIT_WORDS) -> tuple[torch.Tensor, list[str]]:
    """Pictures of what the model already knows, for DreamBooth's prior preservation: ``(images (N, 3, 64, 64), captions)``.

    ``per_digit`` real digits of each class (after the first ``skip``, which ``concept_pictures`` uses), each in a
    random palette pair the mini SD was trained on, captioned "a red seven on a blue background". Trained on
    alongside the concept's pictures, they hold the old words to their old meaning.
    """
    from course_utils.data.colours import render_digits, sample_colours
    from course_utils.data.compositions import compose_caption

    labels = torch.as_tensor(labels).long()
    index = torch.tensor([i for d in range(len(words)) for i in (labels == d).nonzero().flatten()[skip:skip + per_digit].tolist()])
    digit = labels[index]
    ink, background = sample_colours(digit, torch.Generator().manual_seed(seed))  # (N,) each, never held out
    images = render_digits(pixels[index.numpy()], ink, background)  # (N, 3, 64, 64)
    captions = [compose_caption(int(d), int(i), int(b), CANONICAL_TEMPLATE, words) for d, i, b in zip(digit, ink, background)]
    return images, captions
