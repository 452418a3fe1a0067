"""Noise schedules and the closed-form forward process (DDPM, Ho et al. 2020).

Written by hand to be read; ``tests/test_schedules.py`` proves both equal diffusers'
``DDPMScheduler`` (``betas``, ``alphas_cumprod``, ``add_noise``) for every schedule.
"""

from __future__ import annotations

import math

import torch

# The schedules the course compares, with the beta range each is used with.
BETA_RANGES = {
    "linear": (1e-4, 0.02),  # DDPM
    "scaled_linear": (0.00085, 0.012),  # Stable Diffusion v1
    "squaredcos_cap_v2": (None, None),  # cosine (Nichol & Dhariwal 2021); no range needed
}


def make_betas(kind: str, num_train_timesteps: int = 1000, beta_start=None, beta_end=None) -> torch.Tensor:
    """β_1..β_T for ``kind`` as a float32 tensor of length ``num_train_timesteps``."""
    if kind not in BETA_RANGES:
        raise ValueError(f"Unknown schedule {kind!r}; use one of {', '.join(BETA_RANGES)}.")
    if not isinstance(num_train_timesteps, int) or num_train_timesteps < 2:
        raise ValueError(f"num_train_timesteps={num_train_timesteps!r} must be an int ≥ 2 (SD uses 1000).")
    default_start, default_end = BETA_RANGES[kind]
    beta_start = default_start if beta_start is None else beta_start
    beta_end = default_end if beta_end is None else beta_end
    T = num_train_timesteps
    if kind == "linear":  # evenly spaced betas
        return torch.linspace(beta_start, beta_end, T, dtype=torch.float32)
    if kind == "scaled_linear":  # evenly spaced square roots of beta
        return torch.linspace(beta_start**0.5, beta_end**0.5, T, dtype=torch.float32) ** 2
    # cosine (Nichol & Dhariwal 2021, eq. 17): ᾱ_t = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), s = 0.008;
    # β_t = 1 − ᾱ_t/ᾱ_{t−1} = 1 − f(t)/f(t−1) (f(0) cancels), capped at 0.999
    def alpha_bar(t: float) -> float:  # f at t/T
        return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2

    betas = [min(1 - alpha_bar((i + 1) / T) / alpha_bar(i / T), 0.999) for i in range(T)]
    return torch.tensor(betas, dtype=torch.float32)


def alphas_cumprod_from_betas(betas: torch.Tensor) -> torch.Tensor:
    """ᾱ_t = ∏_{s≤t} (1 − β_s)."""
    return torch.cumprod(1.0 - betas, dim=0)


def _check_inputs(x: torch.Tensor, noise: torch.Tensor, timesteps, alphas_cumprod: torch.Tensor) -> torch.Tensor:
    if x.shape != noise.shape:
        raise ValueError(f"x0 has shape {tuple(x.shape)} but noise has {tuple(noise.shape)}; "
                         "make the noise with torch.randn_like(x0).")
    timesteps = torch.as_tensor(timesteps, device=x.device)
    if timesteps.is_floating_point():
        raise ValueError("timesteps must be integers (e.g. torch.randint(0, 1000, (B,))).")
    if timesteps.ndim > 1 or (timesteps.ndim == 1 and len(timesteps) not in (1, x.shape[0])):
        raise ValueError(f"Got {timesteps.numel()} timesteps for a batch of {x.shape[0]}: "
                         "pass one per sample, shape (B,), or a single int.")
    T = len(alphas_cumprod)
    if timesteps.numel() and (timesteps.min() < 0 or timesteps.max() >= T):
        raise ValueError(f"timesteps must lie in [0, {T - 1}]; got min {int(timesteps.min())}, "
                         f"max {int(timesteps.max())}.")
    return timesteps.reshape(-1)


def _per_sample(values: torch.Tensor, timesteps: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Pick values[t] per sample and shape it (B, 1, 1, …) to broadcast against x."""
    picked = values.to(device=x.device, dtype=x.dtype)[timesteps]  # (B,)
    return picked.reshape(-1, *([1] * (x.ndim - 1)))  # (B, 1, 1, 1)


def add_noise(x0: torch.Tensor, noise: torch.Tensor, timesteps, alphas_cumprod: torch.Tensor) -> torch.Tensor:
    """x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε   (DDPM eq. 4, reparameterised)."""
    timesteps = _check_inputs(x0, noise, timesteps, alphas_cumprod)
    alphas_cumprod = alphas_cumprod.to(device=x0.device)
    sqrt_alpha_prod = _per_sample(alphas_cumprod**0.5, timesteps, x0)  # (B, 1, 1, 1)
    sqrt_one_minus = _per_sample((1 - alphas_cumprod) ** 0.5, timesteps, x0)  # (B, 1, 1, 1)
    return sqrt_alpha_prod * x0 + sqrt_one_minus * noise  # (B, C, H, W)


def predict_x0(x_t: torch.Tensor, noise: torch.Tensor, timesteps, alphas_cumprod: torch.Tensor) -> torch.Tensor:
    """The inverse: x_0 = (x_t − √(1 − ᾱ_t) · ε) / √ᾱ_t."""
    timesteps = _check_inputs(x_t, noise, timesteps, alphas_cumprod)
    alphas_cumprod = alphas_cumprod.to(device=x_t.device)
    sqrt_alpha_prod = _per_sample(alphas_cumprod**0.5, timesteps, x_t)
    sqrt_one_minus = _per_sample((1 - alphas_cumprod) ** 0.5, timesteps, x_t)
    return (x_t - sqrt_one_minus * noise) / sqrt_alpha_prod


def snr(alphas_cumprod: torch.Tensor) -> torch.Tensor:
    """Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) (Kingma et al. 2021)."""
    return alphas_cumprod / (1 - alphas_cumprod)
