"""img2img: start the denoising loop from a noised picture instead of pure noise (notebook 05).

``StableDiffusionImg2ImgPipeline`` encodes the image, noises its latents to the timestep that
``strength`` picks (the closed form of notebook 01), and runs only the last ``strength`` fraction
of the schedule. These are its steps, in its order, with its random draws.
"""

from __future__ import annotations

import torch

from course_utils.sd.latents import images_to_tensor, randn_noise


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
