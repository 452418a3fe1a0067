"""Exercise checks for notebook 05 (the classifier-free-guidance sampling loop)."""

from __future__ import annotations

import torch

from course_utils.checks.verdicts import assert_close, matches, run_check
from course_utils.i18n.lookup import t

# SD v1.5's scheduler settings (stable-diffusion-v1-5/stable-diffusion-v1-5: scheduler/scheduler_config.json)
SD15_BETAS = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, num_train_timesteps=1000)
DDIM_STEPS = 12  # 1000 / 12 is not a whole number: a step computed without integer division is caught


def check_ddim_step(ddim_step_fn) -> bool | None:
    """``ddim_step_fn(noise_pred, t, prev_t, sample, alphas_cumprod)`` must equal ``DDIMScheduler.step`` (η = 0).

    ``prev_t`` below 0 means "the clean image" (ᾱ = 1, ``set_alpha_to_one=True``).
    """
    from diffusers import DDIMScheduler

    def test():
        scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012,
                                  clip_sample=False, set_alpha_to_one=True, steps_offset=1)
        scheduler.set_timesteps(10)
        step = scheduler.config.num_train_timesteps // scheduler.num_inference_steps
        generator = torch.Generator().manual_seed(0)
        for timestep in scheduler.timesteps[[0, 4, -1]].tolist():
            sample = torch.randn(2, 4, 8, 8, generator=generator)  # x_t, (B, 4, h, w)
            noise_pred = torch.randn(2, 4, 8, 8, generator=generator)  # ε̂
            expected = scheduler.step(noise_pred, timestep, sample, eta=0.0).prev_sample
            got = ddim_step_fn(noise_pred, timestep, timestep - step, sample, scheduler.alphas_cumprod)
            hint = (t(" This is the last step: prev_t < 0, use ᾱ_prev = 1.") if timestep - step < 0
                    else t(" First x̂₀ = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t, then √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂."))
            try:
                assert_close(got, expected, t("x at t_prev = {prev_t}", prev_t=timestep - step), atol=1e-4)
            except AssertionError as err:
                raise AssertionError(f"{err}{hint}") from None

    return run_check(t("the DDIM step"), test)


def _ddim_update(noise_pred, sample, abar_t, abar_prev, clip=False):
    """DDIM's η = 0 step from ᾱ at t and t_prev (DDIM eq. 12): (x_{t_prev}, x̂₀)."""
    pred_original_sample = (sample - (1 - abar_t).sqrt() * noise_pred) / abar_t.sqrt()  # x̂₀
    if clip:
        pred_original_sample = pred_original_sample.clamp(-1, 1)
    return abar_prev.sqrt() * pred_original_sample + (1 - abar_prev).sqrt() * noise_pred, pred_original_sample


def _ddim_mistakes(scheduler, noise_pred, timestep: int, sample) -> dict[str, torch.Tensor]:
    """What the usual wrong answers return as x_{t_prev} at ``timestep``, each under the hint that explains it."""
    step = scheduler.config.num_train_timesteps // scheduler.num_inference_steps
    abar, prev_t = scheduler.alphas_cumprod, timestep - step
    abar_prev = abar[prev_t] if prev_t >= 0 else scheduler.final_alpha_cumprod
    mistakes = {
        t("ᾱ is scheduler.alphas_cumprod (the product ᾱ_t = α_1·…·α_t), not scheduler.alphas (one step's α_t)."):
            _ddim_update(noise_pred, sample, scheduler.alphas[timestep], scheduler.alphas[max(prev_t, 0)])[0],
        t("SD's config has clip_sample=False: its latents are not confined to [−1, 1], so x̂₀ must not be "
          "clamped (clip x̂₀ only when scheduler.config.clip_sample is True)."):
            _ddim_update(noise_pred, sample, abar[timestep], abar_prev, clip=True)[0],
    }
    for wrong_prev in (prev_t - 1, prev_t + 1):
        if wrong_prev >= 0:
            mistakes[t("t_prev is off by one: it is t − num_train_timesteps // num_inference_steps = {t} − {step} = "
                       "{prev_t}, not {wrong_prev} (integer division, as diffusers does; print scheduler.timesteps).",
                       t=timestep, step=step, prev_t=prev_t, wrong_prev=wrong_prev)] = \
                _ddim_update(noise_pred, sample, abar[timestep], abar[wrong_prev])[0]
    if prev_t < 0:
        mistakes[t("At the last step t_prev = {prev_t} < 0: use ᾱ_prev = scheduler.final_alpha_cumprod (SD's "
                   "set_alpha_to_one=False makes it alphas_cumprod[0]), not 1.", prev_t=prev_t)] = \
            _ddim_update(noise_pred, sample, abar[timestep], torch.tensor(1.0))[0]
        mistakes[t("At the last step t_prev = {prev_t} < 0: use ᾱ_prev = scheduler.final_alpha_cumprod (SD's "
                   "set_alpha_to_one=False makes it alphas_cumprod[0]); a negative index wraps around to the "
                   "schedule's noisy end.", prev_t=prev_t)] = \
            _ddim_update(noise_pred, sample, abar[timestep], abar[prev_t])[0]
    return mistakes


def check_ddim_scheduler_step(ddim_step_fn) -> bool | None:
    """``ddim_step_fn(scheduler, noise_pred, t, sample)`` → ``(prev_sample, pred_original_sample)``.

    The learner finds t_prev, ᾱ_t and ᾱ_prev from a ``DDIMScheduler`` with SD v1.5's settings (after
    ``set_timesteps(12)``, then ``set_timesteps(7)``) and must match ``DDIMScheduler.step(..., eta=0)`` at
    the first, a middle and the last step of each. Typical mistakes are named: ``alphas`` for
    ``alphas_cumprod``, t_prev off by one (no integer division), clamping x̂₀ although ``clip_sample`` is
    False, the last step's ᾱ_prev.
    """
    from diffusers import DDIMScheduler

    def test():
        scheduler = DDIMScheduler(**SD15_BETAS, clip_sample=False, set_alpha_to_one=False, steps_offset=1)
        generator = torch.Generator().manual_seed(0)
        # 12 steps as in the notebook, then 7, where 1000 / 7 rounds (143) differently from 1000 // 7 (142)
        # and no step size learnt by heart for 12 fits.
        for num_steps, index in ((DDIM_STEPS, 0), (DDIM_STEPS, DDIM_STEPS // 2), (DDIM_STEPS, -1),
                                 (7, 0), (7, 3), (7, -1)):
            scheduler.set_timesteps(num_steps)
            timestep = scheduler.timesteps[index]  # a 0-d tensor, as a loop over timesteps gives it
            sample = torch.randn(2, 4, 8, 8, generator=generator)  # x_t, (B, 4, h, w)
            noise_pred = torch.randn(2, 4, 8, 8, generator=generator)  # ε̂
            expected = scheduler.step(noise_pred, timestep, sample, eta=0.0)
            try:
                got = ddim_step_fn(scheduler, noise_pred.clone(), timestep, sample.clone())
            except IndexError as err:  # a float t_prev cannot index alphas_cumprod
                raise AssertionError(t("indexing failed at t = {t} ({error}).", t=int(timestep), error=err)
                                     + t(" Timesteps are whole numbers: t_prev = t − num_train_timesteps // "
                                         "num_inference_steps.")) from None
            assert isinstance(got, (tuple, list)) and len(got) == 2, (
                t("return two tensors, (prev_sample, pred_original_sample), as DDIMScheduler.step does."))
            prev_sample, pred_original_sample = got
            for hint, wrong in _ddim_mistakes(scheduler, noise_pred, int(timestep), sample).items():
                if matches(prev_sample, wrong, atol=1e-4):
                    raise AssertionError(t("at t = {t}: {hint}", t=int(timestep), hint=hint))
            assert_close(pred_original_sample, expected.pred_original_sample, t("x̂₀ at t = {t}", t=int(timestep)),
                         atol=1e-4)
            assert_close(prev_sample, expected.prev_sample, t("x_t_prev at t = {t}", t=int(timestep)), atol=1e-4)

    return run_check(t("the DDIM scheduler step"), test)


def check_img2img_timesteps(timesteps_fn, pipe) -> bool | None:
    """``timesteps_fn(scheduler, num_inference_steps, strength)`` → the timesteps img2img runs.

    Compared with ``StableDiffusionImg2ImgPipeline.get_timesteps`` for DDIM, PNDM (one extra
    warm-up timestep) and Heun (``order`` 2: two entries per step) at several strengths.
    """
    from diffusers import DDIMScheduler, HeunDiscreteScheduler, PNDMScheduler, StableDiffusionImg2ImgPipeline

    def test():
        steps = 10
        for scheduler_class in (DDIMScheduler, PNDMScheduler, HeunDiscreteScheduler):
            for strength in (0.3, 0.75, 1.0):
                # pipe was loaded without a safety checker: say so, or diffusers warns each time
                library = StableDiffusionImg2ImgPipeline(**pipe.components, requires_safety_checker=False)
                library.scheduler = scheduler_class.from_config(pipe.scheduler.config)
                library.scheduler.set_timesteps(steps)
                expected, _ = library.get_timesteps(steps, strength, "cpu")
                scheduler = scheduler_class.from_config(pipe.scheduler.config)
                scheduler.set_timesteps(steps)
                got = timesteps_fn(scheduler, steps, strength)
                name = f"{scheduler_class.__name__}, strength={strength}"  # code: the same in every language
                assert isinstance(got, torch.Tensor), t("return a tensor of timesteps ({name}).", name=name)
                assert got.tolist() == expected.tolist(), (
                    t("{name}: expected {expected}, got {got}.", name=name, expected=expected.tolist(), got=got.tolist())
                    + t(" Keep the last int(num_inference_steps * strength) steps, counting scheduler.order entries "
                        "per step."))

    return run_check(t("img2img start timesteps"), test)


def check_rescale_noise_cfg(rescale_fn) -> bool | None:
    """``rescale_fn(noise_cfg, noise_pred_text, guidance_rescale)`` must match diffusers' ``rescale_noise_cfg``."""
    from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion import rescale_noise_cfg

    def test():
        generator = torch.Generator().manual_seed(0)
        noise_pred_text = torch.randn(3, 4, 8, 8, generator=generator)  # (B, 4, h, w)
        noise_pred_text[1] *= 2  # images with different spreads: the std is per image
        noise_cfg = noise_pred_text * 3 + torch.randn(3, 4, 8, 8, generator=generator)
        for guidance_rescale in (0.0, 0.7, 1.0):
            got = rescale_fn(noise_cfg.clone(), noise_pred_text.clone(), guidance_rescale)
            expected = rescale_noise_cfg(noise_cfg.clone(), noise_pred_text.clone(), guidance_rescale=guidance_rescale)
            whole = guidance_rescale * noise_cfg * noise_pred_text.std() / noise_cfg.std() + (1 - guidance_rescale) * noise_cfg
            if guidance_rescale and matches(got, whole):
                raise AssertionError(t("take the standard deviation per image (over all dims but the batch, "
                                       "keepdim=True), not over the whole batch."))
            assert_close(got, expected, t("the rescaled prediction (guidance_rescale={guidance_rescale})",
                                          guidance_rescale=guidance_rescale), atol=1e-5)

    return run_check(t("guidance rescale"), test)
