"""Exercise checks of notebook 01 (noise schedules): β from ᾱ, the reverse step, v-prediction.

Each ``check_*`` runs the learner's function against diffusers and prints a verdict
(``course_utils.checks.verdicts``): True, False with a hint, or None for an untouched stub.
"""

from __future__ import annotations

import torch

from course_utils.checks.verdicts import assert_close, matches, run_check

KINDS = ("linear", "scaled_linear", "squaredcos_cap_v2")


def check_betas_from_alphas_cumprod(betas_fn) -> bool | None:
    """``betas_fn(alphas_cumprod)`` must give back ``DDPMScheduler.betas`` (β_t = 1 − ᾱ_t / ᾱ_{t−1})."""
    from diffusers import DDPMScheduler

    def test():
        for kind in KINDS:
            scheduler = DDPMScheduler(beta_schedule=kind)
            got = betas_fn(scheduler.alphas_cumprod.clone())
            expected = scheduler.betas
            if isinstance(got, torch.Tensor) and got.shape[0] == expected.shape[0] - 1:
                raise AssertionError(
                    f"you returned {got.shape[0]} betas for {expected.shape[0]} timesteps. diffusers' "
                    "alphas_cumprod[0] is already after one noising step, so β at index 0 is 1 − alphas_cumprod[0].")
            assert_close(got, expected, f"β ({kind} schedule)", atol=1e-5)

    return run_check("β from ᾱ", test)


def check_posterior_step(posterior_step_fn) -> bool | None:
    """``posterior_step_fn(sample, pred_original_sample, t, betas, alphas_cumprod, noise)`` → x_{t−1}.

    Compared with ``DDPMScheduler.step`` told that the model predicts the clean image
    (``prediction_type="sample"``), with the same noise: DDPM eq. 6–7, posterior mean and variance.
    """
    from diffusers import DDPMScheduler

    def test():
        generator = torch.Generator().manual_seed(0)
        for kind in ("linear", "scaled_linear"):
            scheduler = DDPMScheduler(beta_schedule=kind, prediction_type="sample", clip_sample=False)
            for t in (999, 500, 10, 1, 0):
                sample = torch.randn(2, 3, 8, 8, generator=generator)  # x_t, (B, C, H, W)
                pred_original_sample = torch.randn(2, 3, 8, 8, generator=generator)  # x̂_0
                noise = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(t))  # z
                expected = scheduler.step(pred_original_sample, t, sample,
                                          generator=torch.Generator().manual_seed(t)).prev_sample
                got = posterior_step_fn(sample, pred_original_sample, t, scheduler.betas, scheduler.alphas_cumprod, noise)
                hint = (" At t = 0 the step lands on the clean image: ᾱ_prev = 1 and no noise is added."
                        if t == 0 else " Mean: DDPM eq. 7; standard deviation √β̃_t; then + σ·noise.")
                try:
                    assert_close(got, expected, f"x_(t−1) at timestep {t} ({kind})", atol=1e-3)
                except AssertionError as err:
                    raise AssertionError(f"{err}{hint}") from None

    return run_check("the reverse (posterior) step", test)


def check_velocity(velocity_fn) -> bool | None:
    """``velocity_fn(x0, noise, timesteps, alphas_cumprod)`` must match ``DDPMScheduler.get_velocity``."""
    from diffusers import DDPMScheduler

    def test():
        generator = torch.Generator().manual_seed(0)
        for kind in KINDS:
            scheduler = DDPMScheduler(beta_schedule=kind)
            x0 = torch.randn(4, 3, 8, 8, generator=generator)  # (B, C, H, W)
            noise = torch.randn(x0.shape, generator=generator)
            timesteps = torch.tensor([0, 10, 500, 999])
            got = velocity_fn(x0, noise, timesteps, scheduler.alphas_cumprod)
            expected = scheduler.get_velocity(x0, noise, timesteps)
            if matches(got, -expected):
                raise AssertionError("the sign is flipped: v = √ᾱ·ε − √(1−ᾱ)·x₀.")
            assert_close(got, expected, f"v ({kind} schedule)")

    return run_check("the v-prediction target", test)
