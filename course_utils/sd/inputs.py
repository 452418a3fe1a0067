"""Checking what a learner passes to ``generate``, with messages that say how to fix it.

Each check refuses what diffusers' pipelines would refuse (or silently get wrong) at the same
point: prompts, negative prompts, sizes that are not multiples of the VAE's factor, step counts,
guidance, strength and generators. numpy numbers are accepted wherever a Python int or float is.
"""

from __future__ import annotations

import math
import numbers
import operator

import numpy as np
import torch

from course_utils.arguments import whole_number
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


USUAL_GUIDANCE_MAX = 20  # SD's guidance_scale is usually 1–20 (7.5 by default); far beyond, latents blow up


def as_whole_number(value, name: str, hint: str) -> int:
    """An int, or anything ``operator.index`` accepts (numpy integers); never a bool, float or string."""
    number = whole_number(value)
    if number is not None:
        return number
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        fix = f"write {name}={int(value)}"
    elif isinstance(value, str) and value.strip().isdigit():
        fix = f"write {name}={value.strip()}, without quotes"
    elif isinstance(value, (bool, np.bool_)):
        fix = f"pass a number for {name}, not True/False"
    else:
        fix = f"pass a whole number, e.g. {hint}"
    raise TypeError(f"{name}={value!r} must be a whole number (an int), got {type(value).__name__}: {fix}.")


def as_real_number(value, name: str, example: str):
    """A Python int or float as it is (so the arithmetic is the pipeline's), a numpy number as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, str):
            try:
                float(value)
                fix = f"write {name}={value.strip()}, without quotes"
            except ValueError:
                fix = f"e.g. {name}={example}"
        elif isinstance(value, torch.Tensor) and value.numel() == 1:
            fix = f"take the number out of the tensor: {name}=x.item()"
        else:
            fix = f"e.g. {name}={example}"
        raise TypeError(f"{name} must be a number such as {example}, got {type(value).__name__} ({value!r}): {fix}.")
    return value if type(value) in (int, float) else float(value)


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
    height = as_whole_number(height, "height", f"height={pipe.unet.config.sample_size * factor}")
    width = as_whole_number(width, "width", f"width={pipe.unet.config.sample_size * factor}")
    for name, value in (("height", height), ("width", width)):
        if value <= 0:
            raise ValueError(f"{name}={value!r} must be a positive int, a multiple of {factor} (SD v1: 512).")
        if value % factor:
            fix = f"resize the image so its {name} is " if image is not None else f"use {name}="
            raise ValueError(
                f"{name}={value} is not a multiple of {factor}: the VAE shrinks images {factor}× per side, "
                f"so {fix}{suggest_sizes(value, factor)}."
            )
    return height, width


def max_inference_steps(scheduler) -> int:
    """The most steps ``scheduler`` can take: one per training timestep, less ``steps_offset`` when the
    timesteps are spaced "leading" (SD's DDIM and PNDM: t = i · 1000 // steps + 1 would reach t = 1000)."""
    config = scheduler.config
    if getattr(config, "timestep_spacing", "leading") == "leading":
        return config.num_train_timesteps - (getattr(config, "steps_offset", 0) or 0)
    return config.num_train_timesteps


def check_numbers(num_inference_steps, guidance_scale, strength, img2img: bool, *,
                  max_steps: int | None = None, dtype: torch.dtype | None = None) -> tuple:
    """Validate the step count, guidance and strength; returns them with numpy numbers made Python ones.

    ``max_steps``: the scheduler's ``max_inference_steps`` (None: no upper bound); ``dtype``: the
    UNet's, whose range the guided prediction must stay in (None: not checked).
    """
    num_inference_steps = as_whole_number(num_inference_steps, "num_inference_steps", "num_inference_steps=30")
    guidance_scale = as_real_number(guidance_scale, "guidance_scale", "7.5")
    strength = as_real_number(strength, "strength", "0.6")
    if num_inference_steps < 1:
        raise ValueError(f"num_inference_steps={num_inference_steps!r} must be an int ≥ 1 (SD uses 20–50).")
    if max_steps is not None and num_inference_steps > max_steps:
        raise ValueError(
            f"num_inference_steps={num_inference_steps} is more than this scheduler can take: it has {max_steps} "
            "timesteps to visit, and more steps collapse onto the same ones (minutes of work for a ruined image). "
            f"The maximum is num_inference_steps={max_steps}; SD uses 20–50."
        )
    if not math.isfinite(guidance_scale):
        raise ValueError(
            f"guidance_scale={guidance_scale} is not a finite number: the guided prediction "
            "ε_uncond + s · (ε_text − ε_uncond) would be NaN or infinite, and so would every pixel. "
            "Use a finite guidance_scale ≥ 0: 7.5 is SD's default."
        )
    if dtype is not None and guidance_scale > torch.finfo(dtype).max:
        dtype_name = str(dtype).removeprefix("torch.")
        raise ValueError(
            f"guidance_scale={guidance_scale:g} is larger than {dtype_name} can hold ({torch.finfo(dtype).max:.4g}): "
            "the guided prediction ε_uncond + s · (ε_text − ε_uncond) would overflow to inf/NaN, and so would "
            f"every pixel. Use a guidance_scale in the usual 1–{USUAL_GUIDANCE_MAX} range: 7.5 is SD's default."
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
    return num_inference_steps, guidance_scale, strength


def check_generator(generator, batch_size: int) -> None:
    """None, a ``torch.Generator``, or (as diffusers allows) one generator per prompt."""
    if generator is None or isinstance(generator, torch.Generator):
        return
    if isinstance(generator, (list, tuple)) and generator and all(isinstance(g, torch.Generator) for g in generator):
        if len(generator) != batch_size:
            raise ValueError(f"Got {len(generator)} generators for {batch_size} prompts: pass one torch.Generator, "
                             "or one per prompt.")
        return
    seed = seed_in(generator)
    raise TypeError(
        f"generator must be a torch.Generator, got {type(generator).__name__} ({generator!r}). To fix the "
        f"seed, pass `generator=torch.Generator().manual_seed({0 if seed is None else seed})`"
        + (" (any int seed in place of 0)." if seed is None else ".")
    )


def seeded_generator(seed, name: str = "seed") -> torch.Generator:
    """``torch.Generator().manual_seed(seed)`` for an int seed (numpy integers too), refusing the rest by name."""
    seed = as_whole_number(seed, name, f"{name}=0")
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"{name}={seed} is outside the 64-bit range torch's generators take; use e.g. {name}=0.")
    return torch.Generator().manual_seed(seed)


def seed_in(value) -> int | None:
    """The int seed a learner meant by ``0``, ``np.int64(0)`` or ``"0"`` in place of a generator; else None."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


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
