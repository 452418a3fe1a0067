"""The colour judge with one more colour: did a fine-tuned mini SD learn orange, and what did it forget? (notebook 07)

``course_utils.colour_judge`` reads a picture's digit, ink and background against the seven palette
colours, so it could never answer "orange". ``read_with_concept`` runs the same three steps (border
median → background, farthest pixels → ink, projection → white-on-black digit for the classifier)
and names each colour after the nearest of the palette **plus orange** (id ``CONCEPT_ID`` = 7).

``cell_adherence`` generates one picture per (digit, ink, background) cell and scores what the judge
reads: cells with ink ``CONCEPT_ID`` are prompted with the concept's word ("an orange seven on a blue
background", or the rare token's "a sks seven on …"), the others with the palette names as the
mini SD was trained. Measured before and after a LoRA on the same cells and seeds, the first kind
says whether the concept was learnt, the second what the old colours lost (forgetting).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import torch

from course_utils.colour_judge import (
    ColourReading,
    CompositionAccuracy,
    composition_accuracy,
    measure_colours,
)
from course_utils.data.captions import DIGIT_WORDS
from course_utils.data.compositions import CANONICAL_TEMPLATE, compose_caption
from course_utils.evaluation import predict_classes
from course_utils.lora.concept_data import (
    CONCEPT_ID,
    CONCEPT_NAMES,
    CONCEPT_WORD,
    concept_caption,
    concept_palette_rgb,
)
from course_utils.sd.generate import generate
from course_utils.sd.inputs import seeded_generator


@dataclasses.dataclass(frozen=True)
class ConceptReading(ColourReading):
    """A ``ColourReading`` whose ink and background ids index the palette plus orange (7 = orange)."""

    colour_names: ClassVar[tuple[str, ...]] = CONCEPT_NAMES


def nearest_concept_colour(rgb: torch.Tensor) -> torch.Tensor:
    """Colours ``(N, 3)`` in [0, 1] → the id of the nearest colour of palette + orange (Euclidean in sRGB), ``(N,)``."""
    return torch.cdist(rgb.float(), concept_palette_rgb()).argmin(dim=1)


@torch.no_grad()
def read_with_concept(images: torch.Tensor, classifier=None) -> ConceptReading:
    """The colour judge's three steps against the palette plus orange, for ``(N, 3, H, W)`` in [0, 1].

    ``classifier``: the digit classifier, default the shipped one (``pretrained.digit_classifier()``).
    """
    from course_utils import pretrained

    background_rgb, ink_rgb, intensity = measure_colours(images)  # (N, 3), (N, 3), (N, 1, 32, 32)
    classifier = classifier if classifier is not None else pretrained.digit_classifier()
    digit = predict_classes(classifier, intensity)  # (N,)
    return ConceptReading(digit, nearest_concept_colour(ink_rgb), nearest_concept_colour(background_rgb),
                          ink_rgb, background_rgb)


def cell_prompt(digit: int, ink: int, background: int, word: str = CONCEPT_WORD, words=DIGIT_WORDS) -> str:
    """The canonical prompt of a cell: the concept's ``word`` for ink ``CONCEPT_ID``, else the palette's names."""
    if ink == CONCEPT_ID:
        return concept_caption(digit, background, word, CANONICAL_TEMPLATE, words)
    return compose_caption(digit, ink, background, CANONICAL_TEMPLATE, words)


@torch.no_grad()
def generate_cell_images(pipe, cells, *, word: str = CONCEPT_WORD, guidance_scale: float = 7.5,
                         num_inference_steps: int = 25, seed: int = 0, batch_size: int = 128,
                         words=DIGIT_WORDS) -> torch.Tensor:
    """One seeded picture ``(N, 3, 64, 64)`` in [0, 1] per (digit, ink, background) cell, ink 7 meaning the concept."""
    prompts = [cell_prompt(d, i, b, word, words) for d, i, b in cells]
    generator = seeded_generator(seed)
    return torch.cat([generate(pipe, prompts[i:i + batch_size], guidance_scale=guidance_scale, generator=generator,
                               num_inference_steps=num_inference_steps).float().cpu()
                      for i in range(0, len(prompts), batch_size)])


def cell_adherence(pipe, cells, *, word: str = CONCEPT_WORD, guidance_scale: float = 7.5,
                   num_inference_steps: int = 25, seed: int = 0, classifier=None,
                   words=DIGIT_WORDS) -> CompositionAccuracy:
    """How often the judge (palette + orange) reads each cell's digit, ink and background in its generated picture."""
    cells = list(cells)
    if not cells:
        raise ValueError("cells is empty; pass (digit, ink, background) triples, ink 7 for the new colour.")
    images = generate_cell_images(pipe, cells, word=word, guidance_scale=guidance_scale,
                                  num_inference_steps=num_inference_steps, seed=seed, words=words)
    digit, ink, background = (torch.tensor(column) for column in zip(*cells))
    return composition_accuracy(read_with_concept(images, classifier), digit, ink, background)


def concept_cells(digits=range(10), backgrounds=None) -> list[tuple[int, int, int]]:
    """(digit, ``CONCEPT_ID``, background) for every digit and background (default: the 7 palette colours): 70 cells."""
    backgrounds = range(CONCEPT_ID) if backgrounds is None else backgrounds
    return [(d, CONCEPT_ID, b) for d in digits for b in backgrounds]


def distance_to_concept(reading: ColourReading) -> torch.Tensor:
    """How far each measured ink colour lies from orange, ``(N,)`` in sRGB units 0–255 (0: exactly orange)."""
    return torch.linalg.vector_norm(reading.ink_rgb.float() - concept_palette_rgb()[CONCEPT_ID], dim=1) * 255
