"""Prompt adherence: generate each class's prompt, let the judge read what was drawn (notebooks 05–06, C45).

The judge is the shipped digit classifier (``course_utils.evaluation``), reading each picture
turned back into a white-on-black digit whatever its colours (``colour_judge.white_on_black``); the images come from
``course_utils.sd.generate`` (equal to the pipeline), seeded so every figure can be reproduced.
"""

from __future__ import annotations

import torch

from course_utils.colour_judge import white_on_black
from course_utils.data import captions
from course_utils.evaluation import ClassAccuracy, class_accuracy
from course_utils.sd.generate import generate
from course_utils.sd.inputs import seeded_generator


@torch.no_grad()
def prompt_adherence(pipe, classifier, *, template: str, guidance_scale: float, per_digit: int = 10,
                     num_inference_steps: int = 25, seed: int = 0, batch_size: int = 100,
                     negative_prompt: str | None = None, words=None) -> ClassAccuracy:
    """Generate ``per_digit`` images for each digit's prompt and score them with the digit classifier (C45).

    Prompts are ``captions.caption(d, template)``; images come from ``generate`` (equal to
    the pipeline) at the UNet's native size, seeded so the figure can be reproduced. ``words``:
    the class names (default the digits'; Fashion-MNIST's in full mode).
    """
    prompts, labels = class_prompts(per_digit, template, words)
    generator = seeded_generator(seed)
    images = torch.cat([
        generate(pipe, prompts[i:i + batch_size], guidance_scale=guidance_scale, generator=generator,
                 num_inference_steps=num_inference_steps, negative_prompt=negative_prompt).float().cpu()
        for i in range(0, len(prompts), batch_size)])  # (N, 3, 64, 64) in [0, 1]
    return class_accuracy(classifier, white_on_black(images), labels)


def class_prompts(per_class: int = 1, template: str | None = None, words=None) -> tuple[list[str], torch.Tensor]:
    """``per_class`` prompts for each class, class by class: ``(prompts, labels)`` with labels (10 · per_class,).

    ``prompts[i]`` is ``captions.caption(labels[i], template, words)``: "a handwritten digit zero" twice,
    then "… one" twice, … for ``per_class=2``. The batch ``prompt_adherence`` generates.
    """
    if not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"per_class={per_class!r} must be a positive int (images per class).")
    words = words or captions.DIGIT_WORDS
    labels = torch.arange(len(words)).repeat_interleave(per_class)  # (10 · per_class,)
    return [captions.caption(int(c), template or captions.ZERO_SHOT_TEMPLATE, words) for c in labels], labels
