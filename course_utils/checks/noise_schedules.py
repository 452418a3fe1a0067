"""Exercise checks of notebook 01 (noise schedules): β from ᾱ, the reverse step, reading x₀ and ε from v.

Each ``check_*`` runs the learner's function against diffusers and prints a verdict
(``course_utils.checks.verdicts``): True, False with a hint, or None for an untouched stub.
"""

from __future__ import annotations

import torch

from course_utils.checks.verdicts import assert_close, matches, run_check
from course_utils.i18n.lookup import t

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
                    t("you returned {got} betas for {expected} timesteps.", got=got.shape[0], expected=expected.shape[0])
                    + t(" diffusers' alphas_cumprod[0] is already after one noising step, so β at index 0 is "
                        "1 − alphas_cumprod[0]."))
            assert_close(got, expected, t("β ({kind} schedule)", kind=kind), atol=1e-5)

    return run_check(t("β from ᾱ"), test)


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
            for timestep in (999, 500, 10, 1, 0):
                sample = torch.randn(2, 3, 8, 8, generator=generator)  # x_t, (B, C, H, W)
                pred_original_sample = torch.randn(2, 3, 8, 8, generator=generator)  # x̂_0
                noise = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(timestep))  # z
                expected = scheduler.step(pred_original_sample, timestep, sample,
                                          generator=torch.Generator().manual_seed(timestep)).prev_sample
                got = posterior_step_fn(sample, pred_original_sample, timestep, scheduler.betas,
                                        scheduler.alphas_cumprod, noise)
                hint = (t(" At t = 0 the step lands on the clean image: ᾱ_prev = 1 and no noise is added.")
                        if timestep == 0 else t(" Mean: DDPM eq. 7; standard deviation √β̃_t; then + σ·noise."))
                try:
                    assert_close(got, expected, t("x_(t−1) at timestep {t} ({kind})", t=timestep, kind=kind),
                                 atol=1e-3)
                except AssertionError as err:
                    raise AssertionError(f"{err}{hint}") from None

    return run_check(t("the reverse (posterior) step"), test)


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
                raise AssertionError(t("the sign is flipped: v = √ᾱ·ε − √(1−ᾱ)·x₀."))
            assert_close(got, expected, t("v ({kind} schedule)", kind=kind))

    return run_check(t("the v-prediction target"), test)


def _per_sample(alphas_cumprod, timesteps):
    """ᾱ at each sample's timestep, shaped to broadcast over images: (B, 1, 1, 1)."""
    return alphas_cumprod[timesteps].reshape(-1, 1, 1, 1)


def _usual_mistakes(sample, velocity, timesteps, alphas_cumprod):
    """(what the mistake gives for x₀ and ε, the hint that names it), for the answers learners often write."""
    abar = _per_sample(alphas_cumprod, timesteps)
    a, b = abar.sqrt(), (1 - abar).sqrt()  # √ᾱ, √(1−ᾱ)
    x0, noise = a * sample - b * velocity, b * sample + a * velocity  # the right answer
    earlier = _per_sample(alphas_cumprod, timesteps - 1)  # alphas_cumprod[t − 1]: at t = 0 it wraps to the end
    a_early, b_early = earlier.sqrt(), (1 - earlier).sqrt()
    return [
        ((noise, x0), t("you returned (ε, x₀); return x₀ first, then ε.")),
        ((a * sample + b * velocity, b * sample - a * velocity),
         t("a sign is flipped: check each sign against x_t = √ᾱ·x₀ + √(1−ᾱ)·ε and v = √ᾱ·ε − √(1−ᾱ)·x₀.")),
        ((b * sample - a * velocity, a * sample + b * velocity),
         t("√ᾱ and √(1−ᾱ) are the wrong way round: x₀ is mostly x_t when ᾱ is near 1 (little noise).")),
        (((sample - b * velocity) / a, velocity),
         t("v is not ε: v mixes ε and x₀, so x_t − √(1−ᾱ)·v does not undo the noising.")),
        ((a_early * sample - b_early * velocity, b_early * sample + a_early * velocity),
         t("index alphas_cumprod with the timestep itself: alphas_cumprod[t] is ᾱ for diffusers' timestep t.")),
    ]


def check_x0_and_noise_from_velocity(recover_fn) -> bool | None:
    """``recover_fn(sample, velocity, timesteps, alphas_cumprod)`` → ``(x0, noise)``, the inverse of v-prediction.

    ``sample`` is x_t from ``DDPMScheduler.add_noise`` and ``velocity`` is v from ``DDPMScheduler.get_velocity``
    (v = √ᾱ·ε − √(1−ᾱ)·x₀, Salimans & Ho 2022); the answer must give back the x₀ and ε they were made from,
    and x₀ must equal the library's own reading of v (``DDPMScheduler.step`` with ``prediction_type="v_prediction"``).
    """
    from diffusers import DDPMScheduler

    def test():
        generator = torch.Generator().manual_seed(0)
        timesteps = torch.tensor([0, 1, 10, 500, 998, 999])  # both ends: an off-by-one shows there
        for kind in KINDS:
            scheduler = DDPMScheduler(beta_schedule=kind, prediction_type="v_prediction", clip_sample=False)
            x0 = torch.randn(len(timesteps), 3, 8, 8, generator=generator)  # (B, C, H, W)
            noise = torch.randn(x0.shape, generator=generator)  # ε, (B, C, H, W)
            sample = scheduler.add_noise(x0, noise, timesteps)  # x_t
            velocity = scheduler.get_velocity(x0, noise, timesteps)  # v
            library_x0 = torch.cat([scheduler.step(velocity[i:i + 1], int(step), sample[i:i + 1]).pred_original_sample
                                    for i, step in enumerate(timesteps)])  # (B, C, H, W)
            got = recover_fn(sample.clone(), velocity.clone(), timesteps.clone(), scheduler.alphas_cumprod.clone())
            assert isinstance(got, (tuple, list)) and len(got) == 2, (
                t("return two tensors, (x0, noise); got {type}.", type=type(got).__name__))
            for wrong, hint in _usual_mistakes(sample, velocity, timesteps, scheduler.alphas_cumprod):
                for mine, right, mistaken in zip(got, (x0, noise), wrong):  # x₀, then ε
                    if not matches(mine, right, atol=1e-4) and matches(mine, mistaken, atol=1e-4):
                        raise AssertionError(hint)
            abar = _per_sample(scheduler.alphas_cumprod, timesteps)
            divided = (sample - (1 - abar).sqrt() * got[1]) / abar.sqrt()  # x₀ solved from x_t with the learner's ε
            if not matches(got[0], x0, atol=1e-4) and matches(got[0], divided, atol=1e-4):
                smallest = scheduler.alphas_cumprod[timesteps].min().item()
                raise AssertionError(t("x₀ = (x_t − √(1−ᾱ)·ε) / √ᾱ is right on paper, but at t = 999 the {kind} "
                                       "schedule has ᾱ = {abar:.1e}, and dividing by √ᾱ multiplies float32's "
                                       "rounding error by {gain:.0e}. Combine x_t and v without a division: "
                                       "(√ᾱ, √(1−ᾱ)) and (−√(1−ᾱ), √ᾱ) are the rows of a rotation.",
                                       kind=kind, abar=smallest, gain=smallest ** -0.5))
            assert_close(got[0], x0, t("x₀ ({kind} schedule)", kind=kind), atol=1e-4)
            assert_close(got[0], library_x0, t("x₀ against DDPMScheduler.step ({kind} schedule)", kind=kind),
                         atol=1e-4)
            assert_close(got[1], noise, t("ε ({kind} schedule)", kind=kind), atol=1e-4)

    return run_check(t("x₀ and ε from v"), test)
