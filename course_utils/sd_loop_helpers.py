"""The parts `sampling.generate` calls so that its loop fits on one screen.

Each helper does what diffusers' ``StableDiffusionPipeline`` / ``StableDiffusionImg2ImgPipeline``
(0.42) do at the same point, with the same operations in the same order and the same random
draws, which is why ``generate`` reproduces the pipelines bit for bit. Bad input is refused here
with a message that says how to fix it.
"""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import torch

from course_utils.vae import images_to_tensor, nearest_multiples

# --- checking the arguments -------------------------------------------------------------------

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


# --- text --------------------------------------------------------------------------------------

def warn_if_truncated(tokenizer, texts: list[str], what: str = "prompt") -> None:
    """CLIP reads 77 tokens (start + 75 + end); warn with the words beyond that."""
    limit = tokenizer.model_max_length
    for i, text in enumerate(texts):
        ids = tokenizer(text, truncation=False).input_ids  # start, ..., end (untruncated)
        if len(ids) > limit:
            cut = tokenizer.decode(ids[limit - 1 : -1])  # what falls after position 76
            warnings.warn(
                f"{what}[{i}] is {len(ids)} tokens long but CLIP reads only {limit}; this part was cut "
                f"and has no effect: {cut!r}. Shorten the prompt, or move important words to the front.",
                stacklevel=3,
            )


def encode_text(pipe, texts: list[str], what: str = "prompt") -> torch.Tensor:
    """Tokenize to 77 ids and run CLIP's text encoder: the encoder_hidden_states (B, 77, D)."""
    tokenizer, text_encoder = pipe.tokenizer, pipe.text_encoder
    warn_if_truncated(tokenizer, texts, what)
    tokens = tokenizer(texts, padding="max_length", max_length=tokenizer.model_max_length,
                       truncation=True, return_tensors="pt")
    input_ids = tokens.input_ids.to(pipe.device)  # (B, 77)
    mask = tokens.attention_mask.to(pipe.device) if getattr(text_encoder.config, "use_attention_mask", False) else None
    hidden_states = text_encoder(input_ids, attention_mask=mask)[0]  # (B, 77, D), D = 768 in SD v1
    return hidden_states.to(dtype=text_encoder.dtype, device=pipe.device)


# --- img2img -----------------------------------------------------------------------------------

def image_to_tensor(image) -> torch.Tensor:
    """PIL image(s), or a (3, H, W) / (B, 3, H, W) tensor in [0, 1] → (B, 3, H, W) in [−1, 1]."""
    return 2.0 * images_to_tensor(image) - 1.0  # [0, 1] → [−1, 1], the VAE's range (checks in vae.py)


def img2img_timesteps(scheduler, num_inference_steps: int, strength: float) -> torch.Tensor:
    """Keep the last ``strength`` fraction of the schedule: the image is noised to its first step."""
    steps_to_run = int(num_inference_steps * strength)  # ≤ num_inference_steps as strength ≤ 1
    first = (num_inference_steps - steps_to_run) * scheduler.order
    if hasattr(scheduler, "set_begin_index"):  # Euler/LMS/DPM count their position from here
        scheduler.set_begin_index(first)
    return scheduler.timesteps[first:]


def noised_image_latents(pipe, image, t_start, batch_size, generator, dtype) -> torch.Tensor:
    """Encode the image, scale, and noise it to timestep ``t_start`` (the closed form of notebook 01)."""
    vae = pipe.vae
    image = image.to(device=pipe.device, dtype=dtype)  # (n, 3, H, W)
    latents = vae.encode(image).latent_dist.sample(generator)  # (n, 4, H/8, W/8)
    latents = vae.config.scaling_factor * latents
    if batch_size % latents.shape[0]:
        raise ValueError(f"Got {latents.shape[0]} images for {batch_size} prompts: pass one image, or one per prompt.")
    latents = torch.cat([latents] * (batch_size // latents.shape[0]))  # (B, 4, H/8, W/8)
    noise = randn_noise(latents.shape, generator, pipe.device, dtype)
    return pipe.scheduler.add_noise(latents, noise, t_start.repeat(batch_size))


# --- scheduler ---------------------------------------------------------------------------------

def randn_noise(shape, generator, device, dtype) -> torch.Tensor:
    """Gaussian noise drawn as diffusers draws it (on the generator's device, then moved)."""
    from diffusers.utils.torch_utils import randn_tensor

    return randn_tensor(shape, generator=generator, device=device, dtype=dtype)


def step_kwargs(scheduler, generator) -> dict:
    """DDIM takes ``eta``; stochastic samplers (DDPM, Euler a, …) take the generator for fresh noise."""
    accepted = inspect.signature(scheduler.step).parameters
    kwargs = {}
    if "eta" in accepted:
        kwargs["eta"] = 0.0  # DDIM's η = 0: deterministic
    if "generator" in accepted:
        kwargs["generator"] = generator
    return kwargs
