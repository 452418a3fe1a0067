"""Exercise checks for notebook 03 (the VAE and latent space)."""

from __future__ import annotations

import torch

from course_utils.checks.verdicts import assert_close, run_check


def check_latent_shape(latent_shape_fn, vae) -> bool | None:
    """``latent_shape_fn(vae, batch_size, height, width)`` must give the shape ``vae.encode`` produces."""

    def test():
        for batch_size, height, width in ((1, 16, 16), (2, 16, 24), (1, 32, 8)):
            pixels = torch.zeros(batch_size, 3, height, width, device=vae.device, dtype=vae.dtype)
            with torch.no_grad():
                expected = tuple(vae.encode(pixels).latent_dist.mean.shape)  # (B, C, H/f, W/f)
            got = tuple(int(n) for n in latent_shape_fn(vae, batch_size, height, width))
            assert got == expected, (
                f"for {batch_size} image(s) of {height}×{width} you gave {got}, the VAE makes {expected}. "
                "Read the channels and the downsampling from vae.config."
            )

    return run_check("latent shape", test)


def check_kl(kl_fn) -> bool | None:
    """``kl_fn(mean, logvar)`` must match ``DiagonalGaussianDistribution.kl()`` (one value per image)."""
    from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution

    def test():
        parameters = torch.randn(3, 8, 4, 4, generator=torch.Generator().manual_seed(0))  # (B, 2·4, h, w)
        latent_dist = DiagonalGaussianDistribution(parameters)
        got = kl_fn(latent_dist.mean, latent_dist.logvar)
        assert_close(got, latent_dist.kl(), "the KL (one number per image: sum over C, H, W)", atol=1e-4)

    return run_check("KL to a standard Gaussian", test)


def check_scaling_factor(scaling_factor_fn) -> bool | None:
    """``scaling_factor_fn(latents)`` → one number s such that s · latents has standard deviation 1."""

    def test():
        generator = torch.Generator().manual_seed(0)
        for spread, shift in ((1 / 0.18215, 0.0), (2.0, 0.5), (0.25, -1.0)):
            latents = torch.randn(8, 4, 8, 8, generator=generator) * spread + shift  # (B, 4, h, w)
            latents[:, 1] *= 3  # channels with different spreads: one factor must still fit all of them
            got = scaling_factor_fn(latents)
            got = torch.as_tensor(got, dtype=torch.float32)
            assert got.numel() == 1, (f"return one number for all latents, not {got.numel()}: SD uses a single "
                                      "scaling_factor for every channel.")
            expected = 1 / latents.flatten().std()
            if abs(got.item() - 1 / expected.item()) < 1e-3 * (1 / expected.item()):
                raise AssertionError("you returned the standard deviation; the factor *multiplies* the latents "
                                     "to bring their std to 1, so it is 1 / std.")
            assert abs(got.item() - expected.item()) <= 1e-3 * expected.item(), (
                f"you gave {got.item():.5f}, 1 / std of all the latents' values is {expected.item():.5f}.")

    return run_check("the scaling factor", test)
