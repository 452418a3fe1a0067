"""Stable Diffusion's sampling loop, written out and proven equal to diffusers' pipelines (notebook 05).

``generate`` does what ``StableDiffusionPipeline`` (and, given an image, ``StableDiffusionImg2ImgPipeline``)
does, with the same operations in the same order and the same random draws, so it returns the
pipeline's images bit for bit (``tests/sd/test_generate.py``). Its argument checks live in
``course_utils.sd.inputs``, the text encoding in ``course_utils.sd.text``, img2img's start in
``course_utils.sd.img2img``.
"""

from __future__ import annotations

import inspect

import torch

from course_utils.errors import explain_oom
from course_utils.sd.img2img import image_to_tensor, img2img_timesteps, noised_image_latents
from course_utils.sd.inputs import (
    USUAL_GUIDANCE_MAX,
    as_prompt_list,
    check_generator,
    check_numbers,
    check_size,
    max_inference_steps,
    negative_prompt_list,
    work_description,
)
from course_utils.sd.latents import randn_noise
from course_utils.sd.text import encode_text


def step_kwargs(scheduler, generator) -> dict:
    """DDIM takes ``eta``; stochastic samplers (DDPM, Euler a, …) take the generator for fresh noise."""
    accepted = inspect.signature(scheduler.step).parameters
    kwargs = {}
    if "eta" in accepted:
        kwargs["eta"] = 0.0  # DDIM's η = 0: deterministic
    if "generator" in accepted:
        kwargs["generator"] = generator
    return kwargs


def overflow_error(step: int, num_steps: int, t, guidance_scale, do_cfg: bool, unet_pred: torch.Tensor,
                   guided_pred: torch.Tensor, dtype: torch.dtype) -> Exception:
    """Why the latents became NaN/inf at ``step``: guidance pushed them out of range, or the model overflowed."""
    where = f"at step {step + 1} of {num_steps} (t={int(t)})"
    dtype_name = str(dtype).removeprefix("torch.")
    guidance_overflowed = bool(torch.isfinite(unet_pred).all()) and not bool(torch.isfinite(guided_pred).all())
    if do_cfg and (guidance_overflowed or guidance_scale > USUAL_GUIDANCE_MAX):
        return ValueError(
            f"The guided prediction overflowed {where}: guidance_scale={guidance_scale:g} scales "
            f"(ε_text − ε_uncond) so far that the latents left {dtype_name}'s range (at most "
            f"{torch.finfo(dtype).max:.4g}) and became NaN/inf, and so would every pixel. Use a guidance_scale "
            f"in the usual 1–{USUAL_GUIDANCE_MAX} range: 7.5 is SD's default."
        )
    return FloatingPointError(
        f"The latents became NaN/inf {where} in {dtype_name}, with guidance_scale={guidance_scale:g} (a usual "
        "value, so guidance is not the cause): the UNet or the scheduler overflowed. In float16 or bfloat16, "
        "load the pipeline in float32 (`load_pipeline(dtype=torch.float32)`); in float32, check that the "
        "weights loaded correctly (a damaged or half-trained UNet can give NaN)."
    )


@torch.no_grad()
def generate(pipe, prompt, *, negative_prompt=None, height=None, width=None, num_inference_steps=30,
             guidance_scale=7.5, generator=None, image=None, strength=0.8, callback=None) -> torch.Tensor:
    """Stable Diffusion's classifier-free-guidance sampling loop, written out: images (B, 3, H, W) in [0, 1].

    Uses ``pipe``'s tokenizer, text_encoder, unet, scheduler and vae, and returns exactly what
    ``pipe(..., output_type="pt").images`` returns for the same arguments and seed. With ``image``
    it is img2img (``StableDiffusionImg2ImgPipeline``): the image is encoded, noised to the step
    that ``strength`` picks, and denoised from there. ``negative_prompt`` is one string for all
    prompts or one per prompt. ``callback(i, t, latents)`` runs after every step. Running out of
    memory (GPU or RAM) raises a ``CourseOutOfMemoryError`` that names the sizes, batch and dtype;
    latents that overflow to NaN/inf (a far too large ``guidance_scale``) raise at that step.
    """
    prompts = as_prompt_list(prompt)
    negatives = negative_prompt_list(negative_prompt, len(prompts))
    image = image_to_tensor(image) if image is not None else None  # (n, 3, H, W) in [−1, 1]
    height, width = check_size(pipe, height, width, image)
    unet, scheduler, vae, device = pipe.unet, pipe.scheduler, pipe.vae, pipe.device
    num_inference_steps, guidance_scale, strength = check_numbers(  # numpy numbers → Python ones
        num_inference_steps, guidance_scale, strength, img2img=image is not None,
        max_steps=max_inference_steps(scheduler), dtype=unet.dtype)
    check_generator(generator, len(prompts))
    do_cfg = guidance_scale > 1  # as diffusers: s ≤ 1 means no guidance, so no unconditional branch
    with explain_oom(work_description(len(prompts), height, width, do_cfg, pipe), device):
        # 1. Encode the prompts, and for guidance the negative (or empty "") prompts too
        prompt_embeds = encode_text(pipe, prompts)  # (B, 77, D)
        if do_cfg:
            negative_embeds = encode_text(pipe, negatives, "negative_prompt")  # (B, 77, D)
            # 2. One batch for both branches: unconditional first, then text-conditioned
            prompt_embeds = torch.cat([negative_embeds, prompt_embeds])  # (2B, 77, D)

        # 3. Timesteps, noisiest first (25 PNDM steps: 961, 921, 921, 881, ..., 41, 1; PLMS repeats one to warm up)
        scheduler.set_timesteps(num_inference_steps, device=device)
        timesteps = scheduler.timesteps  # (num_inference_steps,), one more for PNDM

        # 4. Starting latents: pure noise × init_noise_sigma, or (img2img) the image noised to the first timestep
        batch_size, latent_size = len(prompts), (height // pipe.vae_scale_factor, width // pipe.vae_scale_factor)
        if image is None:
            shape = (batch_size, unet.config.in_channels, *latent_size)
            latents = randn_noise(shape, generator, device, prompt_embeds.dtype)  # (B, 4, H/8, W/8)
            latents = latents * scheduler.init_noise_sigma  # 1 for DDIM/PNDM; about σ_max for Euler/LMS
        else:
            timesteps = img2img_timesteps(scheduler, num_inference_steps, strength)  # the last `strength` of them
            latents = noised_image_latents(pipe, image, timesteps[:1], batch_size, generator, prompt_embeds.dtype)
        extra_step_kwargs = step_kwargs(scheduler, generator)

        # 5. The denoising loop: one UNet call per step serves both branches
        for i, t in enumerate(timesteps):
            latent_model_input = torch.cat([latents] * 2) if do_cfg else latents  # (2B, 4, H/8, W/8)
            latent_model_input = scheduler.scale_model_input(latent_model_input, t)  # Euler/LMS: ÷ √(σ² + 1)
            noise_pred = unet(latent_model_input, t, encoder_hidden_states=prompt_embeds, return_dict=False)[0]  # (2B, 4, H/8, W/8)
            unet_pred = noise_pred  # kept only to say, should the latents overflow, what overflowed
            if do_cfg:
                noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)  # 2 × (B, 4, H/8, W/8)
                noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
            latents = scheduler.step(noise_pred, t, latents, **extra_step_kwargs, return_dict=False)[0]  # (B, 4, H/8, W/8)
            if not torch.isfinite(latents).all():  # one cheap check per step instead of an all-NaN picture
                raise overflow_error(i, len(timesteps), t, guidance_scale, do_cfg, unet_pred, noise_pred, unet.dtype)
            if callback is not None:
                callback(i, t, latents)

        # 6. Undo the scaling factor, decode to pixels, map [−1, 1] → [0, 1]
        images = vae.decode(latents / vae.config.scaling_factor, return_dict=False)[0]  # (B, 3, H, W)
    return (images / 2 + 0.5).clamp(0, 1)
