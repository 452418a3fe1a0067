"""Exercise checks of notebook 02 (the class-conditioned UNet): timestep embedding, noising, guidance.

Each ``check_*`` runs the learner's function against diffusers and prints a verdict
(``course_utils.checks.verdicts``): True, False with a hint, or None for an untouched stub.
"""

from __future__ import annotations

import torch

from course_utils.checks.verdicts import assert_close, matches, run_check


def check_timestep_embedding(embedding_fn) -> bool | None:
    """``embedding_fn(timesteps, dim, flip_sin_to_cos, freq_shift)`` must match ``get_timestep_embedding``."""
    from diffusers.models.embeddings import get_timestep_embedding

    def test():
        timesteps = torch.tensor([0, 1, 7, 250, 999])  # (B,)
        for dim in (8, 32, 320):
            for flip, shift in ((True, 0), (False, 1)):
                got = embedding_fn(timesteps, dim, flip_sin_to_cos=flip, freq_shift=shift)
                expected = get_timestep_embedding(timesteps, dim, flip_sin_to_cos=flip, downscale_freq_shift=shift)
                half = dim // 2
                swapped = torch.cat([expected[:, half:], expected[:, :half]], dim=-1)
                if matches(got, swapped, atol=1e-4):
                    raise AssertionError(f"with flip_sin_to_cos={flip} the halves are the wrong way round: "
                                         "flip_sin_to_cos=True puts the cosines first.")
                assert_close(got, expected, f"the embedding (dim={dim}, flip_sin_to_cos={flip}, freq_shift={shift})",
                             atol=1e-4)

    return run_check("the sinusoidal timestep embedding", test)


def check_noising_step(noising_step_fn) -> bool | None:
    """``noising_step_fn(clean_images, noise_scheduler)`` → ``(noisy_images, noise, timesteps)``.

    As in training: Gaussian noise like the images, one random integer timestep per image, and
    the noisy images must equal ``noise_scheduler.add_noise`` for that noise and those timesteps.
    """
    from diffusers import DDPMScheduler

    def test():
        scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2")
        clean_images = torch.rand(512, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
        out = noising_step_fn(clean_images, scheduler)
        assert isinstance(out, tuple) and len(out) == 3, "return a tuple (noisy_images, noise, timesteps)."
        noisy_images, noise, timesteps = out
        assert isinstance(noise, torch.Tensor) and noise.shape == clean_images.shape, (
            "noise must be a tensor shaped like clean_images: torch.randn_like(clean_images).")
        mean, std = noise.mean().item(), noise.std().item()
        assert abs(mean) < 0.05 and abs(std - 1) < 0.05, (
            f"the noise has mean {mean:.2f} and std {std:.2f}, but Gaussian noise has mean 0 and std 1. "
            + ("A mean near 0.5 means torch.rand_like (uniform); use torch.randn_like. "
               if abs(mean - 0.5) < 0.05 else ""))
        assert isinstance(timesteps, torch.Tensor) and timesteps.shape == (len(clean_images),), (
            "timesteps must be a tensor with one timestep per image, shape (B,).")
        assert not timesteps.is_floating_point(), "timesteps must be integers: use torch.randint."
        assert 0 <= timesteps.min() and timesteps.max() < 1000, "timesteps must lie in [0, 999]."
        assert len(timesteps.unique()) > 1, "draw a random timestep per image, not one for the whole batch."
        assert_close(noisy_images, scheduler.add_noise(clean_images, noise, timesteps), "noisy_images")

    return run_check("the noising step", test)


def check_guidance_combine(guidance_combine_fn) -> bool | None:
    """``guidance_combine_fn(noise_pred_null, noise_pred_class, guidance_scale)`` = ε_null + s·(ε_class − ε_null)."""
    from course_utils.class_unet.sampling import guidance_combine

    def test():
        generator = torch.Generator().manual_seed(0)
        noise_pred_null = torch.randn(4, 1, 8, 8, generator=generator)
        noise_pred_class = torch.randn(4, 1, 8, 8, generator=generator)
        for scale in (0.0, 1.0, 2.5, 7.5):
            got = guidance_combine_fn(noise_pred_null, noise_pred_class, scale)
            expected = guidance_combine(noise_pred_null, noise_pred_class, scale)
            swapped = guidance_combine(noise_pred_class, noise_pred_null, scale)
            if scale != 1.0 and matches(got, swapped):
                raise AssertionError("ε_null and ε_class are swapped: start from ε_null and move towards ε_class.")
            assert_close(got, expected, f"the guided noise prediction (guidance_scale={scale})")

    return run_check("the guidance combine", test)
