"""Sampling a class-conditioned UNet, with classifier-free guidance on class labels (notebook 02).

Guidance (Ho & Salimans 2022): ε̂ = ε_null + s · (ε_class − ε_null), where ε_null is the
prediction for the "no label" class (id ``num_class_embeds − 1``, see ``course_utils.class_unet.recipes``). Both
predictions come from one forward pass on a doubled batch, as diffusers' pipelines do.
``tests/class_unet/test_sampling.py`` proves the loop equals a step-by-step hand-written one.
"""

from __future__ import annotations

import inspect
import math
import numbers
import operator

import numpy as np
import torch

USUAL_GUIDANCE_MAX = 20  # guidance on class labels is usually 0–20; far beyond, the samples blow up


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


def check_class_labels(model, class_labels) -> torch.Tensor:
    """Class labels as a (B,) long tensor of real classes (never the null class), with errors that name the fix."""
    null_id = null_class_id(model)
    try:
        class_labels = torch.as_tensor(class_labels)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"class_labels must be a list (or tensor) of int class ids, e.g. [0, 3, 7], got "
                        f"{class_labels!r}.") from None
    if class_labels.ndim != 1 or class_labels.numel() == 0:
        raise ValueError(f"class_labels must be a non-empty list of class ids, one per image (got shape "
                         f"{tuple(class_labels.shape)}); e.g. [0, 1, 2] for three images.")
    if class_labels.is_floating_point() or class_labels.is_complex() or class_labels.dtype == torch.bool:
        raise ValueError("class_labels must be integer class ids such as [0, 3, 7], not floats or bools.")
    if (class_labels == null_id).any():
        raise ValueError(f"Class id {null_id} is the null class: it means \"no label\" (guidance's unconditional "
                         f"branch), not a class, so it would give an unconditional image; got "
                         f"{class_labels.tolist()}. The classes are ids 0–{null_id - 1}. For an unconditional "
                         "sample, pass any class id with guidance_scale=0 (ε̂ = ε_null).")
    if class_labels.min() < 0 or class_labels.max() > null_id:
        raise ValueError(f"Class ids must lie in [0, {null_id - 1}] for this model (id {null_id} is the null class, "
                         f"\"no label\"); got {class_labels.tolist()}. Use ids from 0 to {null_id - 1}.")
    return class_labels.long()


def check_guidance_scale(guidance_scale) -> float:
    """A finite number ≥ 0 that float32 can hold (numpy numbers accepted), with errors that name the fix."""
    if isinstance(guidance_scale, torch.Tensor) and guidance_scale.numel() == 1 and guidance_scale.dtype != torch.bool:
        guidance_scale = guidance_scale.item()  # a one-number tensor, e.g. from a schedule of scales
    if isinstance(guidance_scale, (bool, np.bool_)) or not isinstance(guidance_scale, numbers.Real):
        raise TypeError(f"guidance_scale must be a number such as 3.0 (0 = unconditional, 1 = no guidance), got "
                        f"{type(guidance_scale).__name__} ({guidance_scale!r}).")
    guidance_scale = guidance_scale if type(guidance_scale) in (int, float) else float(guidance_scale)
    if not (math.isfinite(guidance_scale) and guidance_scale >= 0):  # NaN and ∞ would make every pixel NaN
        raise ValueError(f"guidance_scale={guidance_scale!r} must be a finite number ≥ 0 (0 = unconditional, "
                         "1 = no guidance).")
    if guidance_scale > torch.finfo(torch.float32).max:  # the guided prediction is computed in float32
        raise ValueError(f"guidance_scale={guidance_scale:g} is larger than float32 can hold: the guided prediction "
                         f"would overflow to inf/NaN. Use a guidance_scale in the usual 0–{USUAL_GUIDANCE_MAX} range "
                         "(0 = unconditional, 1 = no guidance).")
    return guidance_scale


def check_generator(generator) -> None:
    """None or one ``torch.Generator`` (the whole batch's noise comes from it)."""
    if generator is None or isinstance(generator, torch.Generator):
        return
    seed = None
    if isinstance(generator, str) and generator.strip().lstrip("-").isdigit():
        seed = int(generator)
    elif not isinstance(generator, (bool, np.bool_)):
        try:
            seed = operator.index(generator)
        except TypeError:
            pass
    example = f"torch.Generator().manual_seed({0 if seed is None else seed})"
    raise TypeError(f"generator must be one torch.Generator (or None), got {type(generator).__name__} "
                    f"({generator!r}). To fix the seed, pass `generator={example}`"
                    + (" (any int seed in place of 0)." if seed is None else "."))


def overflow_error(step: int, num_steps: int, t, guidance_scale: float, dtype: torch.dtype) -> Exception:
    """Why the sample became NaN/inf: guidance far outside its usual range, or the model overflowed."""
    where = f"at step {step + 1} of {num_steps} (t={int(t)})"
    dtype_name = str(dtype).removeprefix("torch.")
    if guidance_scale > USUAL_GUIDANCE_MAX:
        return ValueError(f"The guided prediction overflowed {where}: guidance_scale={guidance_scale:g} scales "
                          f"(ε_class − ε_null) so far that the sample left {dtype_name}'s range and became NaN/inf. "
                          f"Use a guidance_scale in the usual 0–{USUAL_GUIDANCE_MAX} range (0 = unconditional, "
                          "1 = no guidance).")
    return FloatingPointError(f"The sample became NaN/inf {where} in {dtype_name}, with guidance_scale="
                              f"{guidance_scale:g} (a usual value, so guidance is not the cause): the model overflowed. "
                              "In float16 or bfloat16 run the model in float32 (`model.float()`); in float32, "
                              "check the weights (a diverged training run gives NaN).")


@torch.no_grad()
def sample_class_conditioned(model, noise_scheduler, class_labels, *, guidance_scale: float = 1.0,
                             num_inference_steps: int = 50, generator: torch.Generator | None = None,
                             progress: bool = False) -> torch.Tensor:
    """Generate one image per class label from pure noise; returns (B, C, H, W) in [0, 1] on the CPU.

    ``noise_scheduler`` picks the sampler (``DDPMScheduler``, ``DDIMScheduler``, …; its
    timesteps are set here). ``class_labels``: real classes only (the null class is refused: for an
    unconditional sample use ``guidance_scale=0``). ``guidance_scale`` 1.0 means no guidance; other
    values use the null class. A CPU ``generator`` gives the same images on every device.
    """
    # 1. check the inputs
    class_labels = check_class_labels(model, class_labels)
    guidance_scale = check_guidance_scale(guidance_scale)
    check_generator(generator)
    num_train_timesteps = noise_scheduler.config.num_train_timesteps
    steps_message = (f"num_inference_steps={num_inference_steps!r} must be an int from 1 to {num_train_timesteps} "
                     f"(e.g. 50 for DDIM, {num_train_timesteps} for DDPM).")
    if isinstance(num_inference_steps, (bool, np.bool_)):
        raise TypeError(steps_message)
    try:
        num_inference_steps = operator.index(num_inference_steps)  # numpy integers are fine
    except TypeError:
        raise TypeError(steps_message) from None
    if not 1 <= num_inference_steps <= num_train_timesteps:
        raise ValueError(steps_message)
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

    for i, t in enumerate(tqdm(noise_scheduler.timesteps, disable=not progress, desc="sampling")):
        model_input = noise_scheduler.scale_model_input(sample, t).to(dtype)
        noise_pred = guided_noise_pred(model, model_input, t, class_labels, guidance_scale)
        sample = noise_scheduler.step(noise_pred, t, sample, **step_kwargs).prev_sample  # (B, C, H, W)
        if not torch.isfinite(sample).all():  # one cheap check per step instead of an all-NaN picture
            raise overflow_error(i, len(noise_scheduler.timesteps), t, guidance_scale, dtype)

    # 4. [−1, 1] → [0, 1]
    return (sample.float() / 2 + 0.5).clamp(0, 1).cpu()
