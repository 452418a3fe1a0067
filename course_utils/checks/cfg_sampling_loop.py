"""Exercise checks for notebook 05 (the classifier-free-guidance sampling loop)."""

from __future__ import annotations

import torch

from course_utils.checks.verdicts import assert_close, matches, run_check


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
        for t in scheduler.timesteps[[0, 4, -1]].tolist():
            sample = torch.randn(2, 4, 8, 8, generator=generator)  # x_t, (B, 4, h, w)
            noise_pred = torch.randn(2, 4, 8, 8, generator=generator)  # ε̂
            expected = scheduler.step(noise_pred, t, sample, eta=0.0).prev_sample
            got = ddim_step_fn(noise_pred, t, t - step, sample, scheduler.alphas_cumprod)
            hint = (" This is the last step: prev_t < 0, use ᾱ_prev = 1." if t - step < 0
                    else " First x̂₀ = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t, then √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂.")
            try:
                assert_close(got, expected, f"x at t_prev = {t - step}", atol=1e-4)
            except AssertionError as err:
                raise AssertionError(f"{err}{hint}") from None

    return run_check("the DDIM step", test)


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
                library = StableDiffusionImg2ImgPipeline(**pipe.components)
                library.scheduler = scheduler_class.from_config(pipe.scheduler.config)
                library.scheduler.set_timesteps(steps)
                expected, _ = library.get_timesteps(steps, strength, "cpu")
                scheduler = scheduler_class.from_config(pipe.scheduler.config)
                scheduler.set_timesteps(steps)
                got = timesteps_fn(scheduler, steps, strength)
                name = f"{scheduler_class.__name__}, strength={strength}"
                assert isinstance(got, torch.Tensor), f"return a tensor of timesteps ({name})."
                assert got.tolist() == expected.tolist(), (
                    f"{name}: expected {expected.tolist()}, got {got.tolist()}. Keep the last "
                    "int(num_inference_steps * strength) steps, counting scheduler.order entries per step.")

    return run_check("img2img start timesteps", test)


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
                raise AssertionError("take the standard deviation per image (over all dims but the batch, "
                                     "keepdim=True), not over the whole batch.")
            assert_close(got, expected, f"the rescaled prediction (guidance_rescale={guidance_rescale})", atol=1e-5)

    return run_check("guidance rescale", test)
