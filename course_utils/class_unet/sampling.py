"""Sampling a class-conditioned UNet, with classifier-free guidance on class labels (notebook 02).

Guidance (Ho & Salimans 2022): ε̂ = ε_null + s · (ε_class − ε_null), where ε_null is the
prediction for the "no label" class (id ``num_class_embeds − 1``, see ``course_utils.class_unet.recipes``). Both
predictions come from one forward pass on a doubled batch, as diffusers' pipelines do.
``tests/class_unet/test_sampling.py`` proves the loop equals a step-by-step hand-written one.
"""

from __future__ import annotations

import inspect
import math

import torch


def null_class_id(model) -> int:
    """The id meaning "no label": the last class embedding (``num_class_embeds − 1``)."""
    num_class_embeds = getattr(model.config, "num_class_embeds", None)
    if not num_class_embeds:
        raise ValueError("This model has no class embedding; build it with "
                         "UNet2DModel(num_class_embeds=num_classes + 1, ...) (the +1 is the null class).")
    return num_class_embeds - 1


def guidance_combine(noise_pred_null: torch.Tensor, noise_pred_class: torch.Tensor,
                     guidance_scale: float) -> torch.Tensor:
    """ε̂ = ε_null + s · (ε_class − ε_null): s = 0 is unconditional, s = 1 plain conditional."""
    return noise_pred_null + guidance_scale * (noise_pred_class - noise_pred_null)


def guided_noise_pred(model, sample: torch.Tensor, timestep, class_labels: torch.Tensor,
                      guidance_scale: float) -> torch.Tensor:
    """The (guided) noise prediction for one step; one forward pass in every case."""
    if guidance_scale == 1.0:  # ε_null + 1·(ε_class − ε_null) = ε_class: skip the null half
        return model(sample, timestep, class_labels=class_labels).sample.float()
    null_labels = torch.full_like(class_labels, null_class_id(model))  # (B,)
    model_input = torch.cat([sample, sample])  # (2B, C, H, W)
    labels = torch.cat([class_labels, null_labels])  # (2B,)
    noise_pred = model(model_input, timestep, class_labels=labels).sample.float()  # (2B, C, H, W)
    noise_pred_class, noise_pred_null = noise_pred.chunk(2)  # 2 × (B, C, H, W)
    return guidance_combine(noise_pred_null, noise_pred_class, guidance_scale)


def check_class_labels(model, class_labels, guidance_scale: float) -> torch.Tensor:
    """Class labels as a (B,) long tensor, with errors that name the fix."""
    num_class_embeds = null_class_id(model) + 1
    class_labels = torch.as_tensor(class_labels)
    if class_labels.ndim != 1 or class_labels.numel() == 0:
        raise ValueError(f"class_labels must be a non-empty list of class ids, one per image (got shape "
                         f"{tuple(class_labels.shape)}); e.g. [0, 1, 2] for three images.")
    if class_labels.is_floating_point() or class_labels.dtype == torch.bool:
        raise ValueError("class_labels must be integer class ids such as [0, 3, 7], not floats or bools.")
    if guidance_scale != 1.0:
        usable, why = num_class_embeds - 1, f" (id {num_class_embeds - 1} is the null class guidance needs)"
    else:
        usable, why = num_class_embeds, ""
    if class_labels.min() < 0 or class_labels.max() >= usable:
        raise ValueError(f"Class ids must lie in [0, {usable - 1}] for this model{why}; got "
                         f"{class_labels.tolist()}. Use ids from 0 to {usable - 1}.")
    return class_labels.long()


@torch.no_grad()
def sample_class_conditioned(model, noise_scheduler, class_labels, *, guidance_scale: float = 1.0,
                             num_inference_steps: int = 50, generator: torch.Generator | None = None,
                             progress: bool = False) -> torch.Tensor:
    """Generate one image per class label from pure noise; returns (B, C, H, W) in [0, 1] on the CPU.

    ``noise_scheduler`` picks the sampler (``DDPMScheduler``, ``DDIMScheduler``, …; its
    timesteps are set here). ``guidance_scale`` 1.0 means no guidance; other values use the
    null class. A CPU ``generator`` gives the same images on every device.
    """
    # 1. check the inputs
    class_labels = check_class_labels(model, class_labels, guidance_scale)
    if not (math.isfinite(guidance_scale) and guidance_scale >= 0):  # NaN and ∞ would make every pixel NaN
        raise ValueError(f"guidance_scale={guidance_scale!r} must be a finite number ≥ 0 (0 = unconditional, "
                         "1 = no guidance).")
    num_train_timesteps = noise_scheduler.config.num_train_timesteps
    if not isinstance(num_inference_steps, int) or not 1 <= num_inference_steps <= num_train_timesteps:
        raise ValueError(f"num_inference_steps={num_inference_steps!r} must be an int from 1 to "
                         f"{num_train_timesteps} (e.g. 50 for DDIM, {num_train_timesteps} for DDPM).")
    device, dtype = model.device, model.dtype
    class_labels = class_labels.to(device)

    # 2. set the timesteps, draw the starting noise (on the CPU when the generator is there)
    noise_scheduler.set_timesteps(num_inference_steps, device=device)
    shape = (len(class_labels), model.config.in_channels, model.config.sample_size, model.config.sample_size)
    gen_device = generator.device if generator is not None else device
    sample = torch.randn(shape, generator=generator, device=gen_device, dtype=torch.float32).to(device)  # (B, C, H, W)
    sample = sample * noise_scheduler.init_noise_sigma
    step_kwargs = {"generator": generator} if "generator" in inspect.signature(noise_scheduler.step).parameters else {}

    # 3. the loop: predict noise (guided), step to a slightly cleaner sample
    from tqdm.auto import tqdm

    for t in tqdm(noise_scheduler.timesteps, disable=not progress, desc="sampling"):
        model_input = noise_scheduler.scale_model_input(sample, t).to(dtype)
        noise_pred = guided_noise_pred(model, model_input, t, class_labels, guidance_scale)
        sample = noise_scheduler.step(noise_pred, t, sample, **step_kwargs).prev_sample  # (B, C, H, W)

    # 4. [−1, 1] → [0, 1]
    return (sample.float() / 2 + 0.5).clamp(0, 1).cpu()
