"""Composition: does a prompt's every word control its own part of the picture? (notebooks 04–06, C53–C54)

A prompt such as "a red seven on a blue background" names three attributes. ``composition_adherence``
generates images for a list of (digit, ink, background) cells and lets the colour judge
(``course_utils.colour_judge``) read all three back. Measured on cells training showed and on
held-out cells it never showed (``course_utils.data.colours``), the two figures tell memorising
from composing: a model that only memorised pairs fails on the held-out cells.
"""

from __future__ import annotations

import torch

from course_utils.colour_judge import CompositionAccuracy, judge_images
from course_utils.data.captions import DIGIT_WORDS
from course_utils.data.colours import all_cells, is_held_out
from course_utils.data.compositions import CANONICAL_TEMPLATE, compose_caption
from course_utils.sd.generate import generate
from course_utils.sd.inputs import seeded_generator


def evaluation_cells(held_out: bool, repeats: int = 1) -> list[tuple[int, int, int]]:
    """The seen (335) or held-out (85) cells, each ``repeats`` times, in ``all_cells`` order."""
    cells = [cell for cell in all_cells() if is_held_out(*cell) == held_out]
    return [cell for cell in cells for _ in range(repeats)]


def cell_prompts(cells, template: str | list[str] = CANONICAL_TEMPLATE, words=DIGIT_WORDS) -> list[str]:
    """One prompt per (digit, ink, background) cell; a list of templates is used in turn (cell i, template i mod k)."""
    templates = [template] if isinstance(template, str) else list(template)
    return [compose_caption(d, i, b, templates[n % len(templates)], words) for n, (d, i, b) in enumerate(cells)]


@torch.no_grad()
def generate_cells(pipe, cells, *, template=CANONICAL_TEMPLATE, guidance_scale: float = 7.5,
                   num_inference_steps: int = 25, seed: int = 0, batch_size: int = 256,
                   negative_prompt: str | None = None, words=DIGIT_WORDS) -> torch.Tensor:
    """Images ``(N, 3, 64, 64)`` in [0, 1] for the cells' prompts, seeded so every figure can be reproduced."""
    prompts = cell_prompts(cells, template, words)
    generator = seeded_generator(seed)
    return torch.cat([
        generate(pipe, prompts[i:i + batch_size], guidance_scale=guidance_scale, generator=generator,
                 num_inference_steps=num_inference_steps, negative_prompt=negative_prompt).float().cpu()
        for i in range(0, len(prompts), batch_size)])


def composition_adherence(pipe, cells, *, template=CANONICAL_TEMPLATE, guidance_scale: float = 7.5,
                          num_inference_steps: int = 25, seed: int = 0, batch_size: int = 256,
                          classifier=None, words=DIGIT_WORDS) -> CompositionAccuracy:
    """How often the judge reads each cell's digit, ink and background (and all three) in its generated image."""
    cells = list(cells)
    if not cells:
        raise ValueError("cells is empty; pass (digit, ink, background) triples, e.g. evaluation_cells(held_out=True).")
    images = generate_cells(pipe, cells, template=template, guidance_scale=guidance_scale,
                            num_inference_steps=num_inference_steps, seed=seed, batch_size=batch_size, words=words)
    digit, ink, background = (torch.tensor(column) for column in zip(*cells))
    return judge_images(images, digit, ink, background, classifier)


def seen_and_held_out(pipe, *, template=CANONICAL_TEMPLATE, guidance_scale: float = 7.5, held_out_repeats: int = 3,
                      seed: int = 0, classifier=None, words=DIGIT_WORDS) -> dict[str, CompositionAccuracy]:
    """Composition on every seen cell once (335 images) and every held-out cell ``held_out_repeats`` times (C54).

    Returns ``{"seen": …, "held_out": …}``. A model that memorised the training cells scores well on
    the first and badly on the second; one that composes scores well on both.
    """
    return {name: composition_adherence(pipe, evaluation_cells(held_out, repeats), template=template,
                                        guidance_scale=guidance_scale, seed=seed, classifier=classifier, words=words)
            for name, held_out, repeats in (("seen", False, 1), ("held_out", True, held_out_repeats))}
