"""Checking what a learner passes to ``generate``, with messages that say how to fix it.

Each check refuses what diffusers' pipelines would refuse (or silently get wrong) at the same
point: prompts, negative prompts, sizes that are not multiples of the VAE's factor, step counts,
guidance, strength and generators.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from course_utils.sd.latents import nearest_multiples


def as_prompt_list(prompt, name: str = "prompt") -> list[str]:
    """``"a cat"`` → ``["a cat"]``; a list is checked to hold at least one string."""
    if isinstance(prompt, str):
        return [prompt]
    if not isinstance(prompt, (list, tuple)) or not all(isinstance(p, str) for p in prompt):
        raise TypeError(f"{name} must be a string or a list of strings, got {type(prompt).__name__}.")
    if len(prompt) == 0:
        raise ValueError(f"{name} is an empty list: pass at least one string, e.g. ['a photo of a cat'].")
    return list(prompt)


def suggest_sizes(value: int, factor: int) -> str:
    below, above = nearest_multiples(value, factor)
    return f"{below} or {above}" if below < value else f"{below}"


def check_size(pipe, height, width, image) -> tuple[int, int]:
    """Default (unet.sample_size × vae_scale_factor, or the image's size) and validate H, W."""
    factor = pipe.vae_scale_factor  # 8 for SD: the VAE halves the size three times
    if image is not None:
        image_h, image_w = image.shape[-2:]
        if (height or image_h, width or image_w) != (image_h, image_w):  # None or 0: use the image's
            raise ValueError(
                f"height/width ({height}×{width}) differ from the image ({image_h}×{image_w}). Leave "
                "them out (img2img uses the image's size) or resize the image first, e.g. "
                "`image.resize((width, height))`."
            )
        height, width = image_h, image_w
    height = pipe.unet.config.sample_size * factor if height is None else height
    width = pipe.unet.config.sample_size * factor if width is None else width
    for name, value in (("height", height), ("width", width)):
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name}={value!r} must be a positive int, a multiple of {factor} (SD v1: 512).")
        if value % factor:
            fix = f"resize the image so its {name} is " if image is not None else f"use {name}="
            raise ValueError(
                f"{name}={value} is not a multiple of {factor}: the VAE shrinks images {factor}× per side, "
                f"so {fix}{suggest_sizes(value, factor)}."
            )
    return height, width


def check_numbers(num_inference_steps, guidance_scale, strength, img2img: bool) -> None:
    if not isinstance(num_inference_steps, int) or num_inference_steps < 1:
        raise ValueError(f"num_inference_steps={num_inference_steps!r} must be an int ≥ 1 (SD uses 20–50).")
    if isinstance(guidance_scale, bool) or not isinstance(guidance_scale, (int, float)):
        raise TypeError(f"guidance_scale must be a number such as 7.5, got {type(guidance_scale).__name__}.")
    if not math.isfinite(guidance_scale):
        raise ValueError(
            f"guidance_scale={guidance_scale} is not a finite number: the guided prediction "
            "ε_uncond + s · (ε_text − ε_uncond) would be NaN or infinite, and so would every pixel. "
            "Use a finite guidance_scale ≥ 0: 7.5 is SD's default."
        )
    if guidance_scale < 0:
        raise ValueError(
            f"guidance_scale={guidance_scale} is negative, which pushes images away from the prompt. "
            "Use guidance_scale ≥ 0: 7.5 is SD's default, and any value ≤ 1 turns guidance off."
        )
    if not 0 < strength <= 1:
        raise ValueError(
            f"strength={strength} must be in (0, 1]: 1 ignores the image almost entirely, small values "
            "keep it nearly unchanged. Try strength=0.6."
        )
    if img2img and int(num_inference_steps * strength) < 1:
        raise ValueError(
            f"strength={strength} × num_inference_steps={num_inference_steps} leaves no denoising step "
            f"to run. Raise strength or num_inference_steps (e.g. num_inference_steps={int(np.ceil(1 / strength))})."
        )


def check_generator(generator, batch_size: int) -> None:
    """None, a ``torch.Generator``, or (as diffusers allows) one generator per prompt."""
    if generator is None or isinstance(generator, torch.Generator):
        return
    if isinstance(generator, (list, tuple)) and generator and all(isinstance(g, torch.Generator) for g in generator):
        if len(generator) != batch_size:
            raise ValueError(f"Got {len(generator)} generators for {batch_size} prompts: pass one torch.Generator, "
                             "or one per prompt.")
        return
    raise TypeError(
        f"generator must be a torch.Generator, got {type(generator).__name__} ({generator!r}). To fix the "
        "seed, pass `generator=torch.Generator().manual_seed(0)` (any int seed in place of 0)."
    )


def work_description(batch_size: int, height: int, width: int, do_cfg: bool, pipe) -> str:
    """What a generate call asks of memory, in words: sizes, batch, dtype, device (for the OOM message)."""
    unet_batch = 2 * batch_size if do_cfg else batch_size
    latent = (unet_batch, pipe.unet.config.in_channels, height // pipe.vae_scale_factor, width // pipe.vae_scale_factor)
    mib = np.prod(latent) * torch.empty((), dtype=pipe.unet.dtype).element_size() / 2**20
    size = f"{mib / 1024:,.1f} GiB" if mib >= 1024 else f"{mib:.2g} MiB"
    return (f"Generating {batch_size} image(s) of {height}×{width} px in {str(pipe.unet.dtype).replace('torch.', '')} "
            f"on {pipe.device} (the UNet sees a batch of {unet_batch}" + (", both guidance branches" if do_cfg else "")
            + f"; its input latents {tuple(latent)} alone take {size})")


def negative_prompt_list(negative_prompt, batch_size: int) -> list[str]:
    """The texts of the unconditional branch: "" per prompt, or the negative prompt(s)."""
    if negative_prompt is None:
        return [""] * batch_size
    if isinstance(negative_prompt, str):
        return [negative_prompt] * batch_size
    negatives = as_prompt_list(negative_prompt, "negative_prompt")
    if len(negatives) != batch_size:
        raise ValueError(
            f"negative_prompt has {len(negatives)} entries but prompt has {batch_size}: pass one "
            "negative prompt per prompt, or a single string to use for all of them."
        )
    return negatives
