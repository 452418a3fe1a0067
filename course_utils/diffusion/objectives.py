"""The diffusion training objective (notebooks 02 and 06): what the UNet predicts, and how each timestep counts.

Two choices, each computed by diffusers' own helpers (notebook 02 writes both by hand and checks them):

* **The target** (``noise_scheduler.config.prediction_type``). ``"epsilon"``: the added noise ε
  (DDPM, Ho et al. 2020). ``"v_prediction"``: the velocity v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ (Salimans &
  Ho 2022, section 4; diffusers' ``DDPMScheduler.get_velocity``). Both carry the same information,
  but v stays a sensible target at the noisiest timesteps, where predicting ε ≈ x_t is trivial.
* **min-SNR-γ weighting** (Hang et al. 2023). With SNR(t) = ᾱ_t / (1 − ᾱ_t), each image's squared
  error is weighted by min(SNR, γ)/SNR for ε, or min(SNR, γ)/(SNR + 1) for v (diffusers'
  ``training_utils.compute_snr`` and its text-to-image example), so the nearly clean timesteps,
  whose gradients fight those of the others, count less. γ = 5 is the paper's default.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from diffusers.training_utils import compute_snr

PREDICTION_TYPES = ("epsilon", "v_prediction")


def min_snr_weights(noise_scheduler, timesteps: torch.Tensor, gamma: float) -> torch.Tensor:
    """Per-image loss weights (B,): min(SNR, γ)/SNR for ε-prediction, min(SNR, γ)/(SNR + 1) for v."""
    prediction_type = check_prediction_type(noise_scheduler)
    if not gamma > 0:
        raise ValueError(f"min_snr_gamma={gamma!r} must be positive (Hang et al. use 5), or None for no weighting.")
    ratio = compute_snr(noise_scheduler, timesteps)  # (B,) SNR(t) = ᾱ_t / (1 − ᾱ_t)
    clipped = torch.clamp(ratio, max=gamma)  # min(SNR, γ)
    return clipped / ratio if prediction_type == "epsilon" else clipped / (ratio + 1.0)


def training_target(noise_scheduler, clean_images: torch.Tensor, noise: torch.Tensor,
                    timesteps: torch.Tensor) -> torch.Tensor:
    """What the model must output: ε itself, or v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ (same shape as the images)."""
    if check_prediction_type(noise_scheduler) == "epsilon":
        return noise
    return noise_scheduler.get_velocity(clean_images, noise, timesteps)  # notebook 02 writes it by hand


def check_prediction_type(noise_scheduler) -> str:
    prediction_type = noise_scheduler.config.prediction_type
    if prediction_type not in PREDICTION_TYPES:
        raise ValueError(f"prediction_type={prediction_type!r} is not taught here; build the scheduler with "
                         f"prediction_type in {PREDICTION_TYPES}.")
    return prediction_type


def diffusion_loss(model, noise_scheduler, clean_images: torch.Tensor, class_labels: torch.Tensor | None = None,
                   min_snr_gamma: float | None = None, *, encoder_hidden_states: torch.Tensor | None = None,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Noise the images at random timesteps and score the model's prediction of the target.

    Without ``min_snr_gamma`` this is DDPM's "L_simple" (eq. 14): the plain MSE between the target
    (ε, or v) and the prediction. With it, each image's MSE is weighted by ``min_snr_weights``.
    The condition is ``class_labels`` (notebook 02's UNet) or ``encoder_hidden_states``, the text
    encoder's states (B, 77, D) (notebook 06's UNet on latents: LDM's conditional objective, eq. 3). ε and t come from
    ``generator`` (drawn on the CPU) when one is given, else from torch's global generator.
    """
    batch_size, device = clean_images.shape[0], clean_images.device
    num_train_timesteps = noise_scheduler.config.num_train_timesteps
    if generator is None:
        noise = torch.randn_like(clean_images)  # ε ~ N(0, I): randn, not rand (M01)
        timesteps = torch.randint(0, num_train_timesteps, (batch_size,), device=device)  # (B,) one t per image
    else:
        noise = torch.randn(clean_images.shape, generator=generator).to(device)
        timesteps = torch.randint(0, num_train_timesteps, (batch_size,), generator=generator).to(device)
    noisy_images = noise_scheduler.add_noise(clean_images, noise, timesteps)  # √ᾱ_t x₀ + √(1 − ᾱ_t) ε, (B, C, H, W)
    target = training_target(noise_scheduler, clean_images, noise, timesteps)  # (B, C, H, W)
    condition = (dict(class_labels=class_labels) if encoder_hidden_states is None
                 else dict(encoder_hidden_states=encoder_hidden_states))
    model_pred = model(noisy_images, timesteps, **condition).sample.float()  # (B, C, H, W)
    if min_snr_gamma is None:
        return F.mse_loss(model_pred, target.float())
    per_image = F.mse_loss(model_pred, target.float(), reduction="none").mean(dim=(1, 2, 3))  # (B,)
    return (per_image * min_snr_weights(noise_scheduler, timesteps, min_snr_gamma)).mean()
