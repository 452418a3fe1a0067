"""Exercise checks for notebook 03 (the VAE and latent space)."""

from __future__ import annotations

import torch

from course_utils.checks.verdicts import assert_close, run_check
from course_utils.i18n.lookup import t

# LDM's first-stage autoencoders (the latent-diffusion repository's model table): kl-f4 keeps 3 latent
# channels, kl-f8 (SD v1's) 4, kl-f16 16. The check builds tiny untrained VAEs shaped like each.
LDM_FAMILY = ((4, 3), (8, 4), (16, 16))  # (downsampling factor f, latent channels)


def ldm_shaped_vae(factor: int, latent_channels: int):
    """A tiny untrained ``AutoencoderKL`` with downsampling ``factor`` (a power of 2) and ``latent_channels``."""
    from diffusers import AutoencoderKL

    blocks = factor.bit_length()  # every block but the last halves the size: f = 2^(blocks − 1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return AutoencoderKL(in_channels=3, out_channels=3, latent_channels=latent_channels, layers_per_block=1,
                             block_out_channels=(8,) * blocks, norm_num_groups=4,
                             down_block_types=("DownEncoderBlock2D",) * blocks,
                             up_block_types=("UpDecoderBlock2D",) * blocks)


def _latent_shape_hint(got, expected, factor: int, height: int) -> str:
    """What a wrong latent shape usually means: every mistake found, one sentence each, each led by the space
    that follows the sentence before it (Chinese sentences need none)."""
    if len(got) != 4:
        return t(" Return four numbers: (batch, channels, height / f, width / f).")
    hints = []
    if got[0] != expected[0]:
        hints.append(t(" The first number is the batch size."))
    if got[1] != expected[1]:
        hints.append(t(" The channel count is vae.config.latent_channels; it is 4 only for SD v1's VAE."))
    implied = height / got[2] if got[2] else None
    if implied == 8 and factor != 8:
        hints.append(t(" This VAE downsamples by f = {factor}, not 8: work f out from vae.config, do not write it "
                       "down.", factor=factor))
    elif implied == 2 * factor:
        hints.append(t(" One halving too many: the last block of the encoder keeps its size."))
    return "".join(hints) or t(" Read the channels and the downsampling from vae.config.")


def check_latent_shape(latent_shape_fn, vae) -> bool | None:
    """``latent_shape_fn(vae, batch_size, height, width)`` must give the shape ``vae.encode`` produces.

    It is tried on ``vae`` and on tiny VAEs shaped like LDM's kl-f4, kl-f8 and kl-f16, so a shape written
    down for one VAE fails on the others.
    """

    def test():
        vaes = [(t("this notebook's VAE"), vae)] + [
            (t("an f = {f} VAE with {c} latent channels (like LDM's kl-f{f})", f=f, c=c), ldm_shaped_vae(f, c))
            for f, c in LDM_FAMILY]
        for name, model in vaes:
            factor = 2 ** (len(model.config.block_out_channels) - 1)
            for batch_size, height, width in ((1, 32, 32), (2, 32, 48), (1, 64, 16)):
                pixels = torch.zeros(batch_size, 3, height, width, device=model.device, dtype=model.dtype)
                with torch.no_grad():
                    expected = tuple(model.encode(pixels).latent_dist.mean.shape)  # (B, C, H/f, W/f)
                got = tuple(int(n) for n in latent_shape_fn(model, batch_size, height, width))
                assert got == expected, (
                    t("{name}, {batch_size} image(s) of {height}×{width}: you gave {got}, the VAE makes {expected}.",
                      name=name, batch_size=batch_size, height=height, width=width, got=got, expected=expected)
                    + _latent_shape_hint(got, expected, factor, height))

    return run_check(t("latent shape"), test)


def check_kl(kl_fn) -> bool | None:
    """``kl_fn(mean, logvar)`` must match ``DiagonalGaussianDistribution.kl()`` (one value per image)."""
    from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution

    def test():
        parameters = torch.randn(3, 8, 4, 4, generator=torch.Generator().manual_seed(0))  # (B, 2·4, h, w)
        latent_dist = DiagonalGaussianDistribution(parameters)
        got = kl_fn(latent_dist.mean, latent_dist.logvar)
        assert_close(got, latent_dist.kl(), t("the KL (one number per image: sum over C, H, W)"), atol=1e-4)

    return run_check(t("KL to a standard Gaussian"), test)


def check_scaling_factor(scaling_factor_fn) -> bool | None:
    """``scaling_factor_fn(latents)`` → one number s such that s · latents has standard deviation 1."""

    def test():
        generator = torch.Generator().manual_seed(0)
        for spread, shift in ((1 / 0.18215, 0.0), (2.0, 0.5), (0.25, -1.0)):
            latents = torch.randn(8, 4, 8, 8, generator=generator) * spread + shift  # (B, 4, h, w)
            latents[:, 1] *= 3  # channels with different spreads: one factor must still fit all of them
            got = scaling_factor_fn(latents)
            got = torch.as_tensor(got, dtype=torch.float32)
            assert got.numel() == 1, t("return one number for all latents, not {n}: SD uses a single scaling_factor "
                                       "for every channel.", n=got.numel())
            expected = 1 / latents.flatten().std()
            if abs(got.item() - 1 / expected.item()) < 1e-3 * (1 / expected.item()):
                raise AssertionError(t("you returned the standard deviation; the factor *multiplies* the latents "
                                       "to bring their std to 1, so it is 1 / std."))
            assert abs(got.item() - expected.item()) <= 1e-3 * expected.item(), (
                t("you gave {got:.5f}, 1 / std of all the latents' values is {expected:.5f}.", got=got.item(),
                  expected=expected.item()))

    return run_check(t("the scaling factor"), test)
