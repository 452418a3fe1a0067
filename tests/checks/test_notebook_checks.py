"""The exercise checks of notebooks 01–05: a right answer passes, a typical wrong one fails with a
hint, and an untouched stub is reported as not attempted."""

import math

import pytest
import torch
import torch.nn.functional as F

from course_utils.checks import (
    cfg_sampling_loop,
    class_conditioned_unet,
    noise_schedules,
    tokens_and_text_embeddings,
    train_your_own_sd,
    vae_latent_space,
)


def stub(*args, **kwargs):
    raise NotImplementedError


def verdicts(check, right, wrong, *extra):
    return check(right, *extra), check(wrong, *extra), check(stub, *extra)


# --- notebook 01 -----------------------------------------------------------------------------

def betas_right(alphas_cumprod):
    previous = torch.cat([torch.ones(1), alphas_cumprod[:-1]])  # ᾱ_{t−1}, with ᾱ = 1 before the first step
    return 1 - alphas_cumprod / previous


def test_check_betas_from_alphas_cumprod(capsys):
    def one_short(alphas_cumprod):
        return 1 - alphas_cumprod[1:] / alphas_cumprod[:-1]

    assert verdicts(noise_schedules.check_betas_from_alphas_cumprod, betas_right, lambda a: 1 - a) == (True, False, None)
    assert noise_schedules.check_betas_from_alphas_cumprod(one_short) is False
    assert "alphas_cumprod[0]" in capsys.readouterr().out


def posterior_right(sample, pred_original_sample, t, betas, alphas_cumprod, noise):
    abar_t = alphas_cumprod[t]
    abar_prev = alphas_cumprod[t - 1] if t > 0 else torch.tensor(1.0)
    mean = (abar_prev.sqrt() * betas[t] / (1 - abar_t) * pred_original_sample
            + (1 - betas[t]).sqrt() * (1 - abar_prev) / (1 - abar_t) * sample)
    variance = (1 - abar_prev) / (1 - abar_t) * betas[t]
    return mean + variance.sqrt() * noise if t > 0 else mean


def test_check_posterior_step(capsys):
    def noise_at_zero(sample, pred_original_sample, t, betas, alphas_cumprod, noise):
        out = posterior_right(sample, pred_original_sample, max(t, 1), betas, alphas_cumprod, noise)
        return out if t > 0 else out + betas[0].sqrt() * noise

    def beta_variance(sample, pred_original_sample, t, betas, alphas_cumprod, noise):
        mean = posterior_right(sample, pred_original_sample, t, betas, alphas_cumprod, 0 * noise)
        return mean + betas[t].sqrt() * noise

    assert verdicts(noise_schedules.check_posterior_step, posterior_right, beta_variance) == (True, False, None)
    assert noise_schedules.check_posterior_step(noise_at_zero) is False
    assert "no noise" in capsys.readouterr().out


def test_check_velocity(capsys):
    def right(x0, noise, timesteps, alphas_cumprod):
        abar = alphas_cumprod[timesteps].reshape(-1, 1, 1, 1)
        return abar.sqrt() * noise - (1 - abar).sqrt() * x0

    def flipped(x0, noise, timesteps, alphas_cumprod):
        return -right(x0, noise, timesteps, alphas_cumprod)

    assert verdicts(noise_schedules.check_velocity, right, flipped) == (True, False, None)
    assert "sign" in capsys.readouterr().out


# --- notebook 02 -----------------------------------------------------------------------------

def embedding_right(timesteps, dim, flip_sin_to_cos=True, freq_shift=0):
    half = dim // 2
    freqs = torch.exp(-math.log(10_000) * torch.arange(half) / (half - freq_shift))  # (half,)
    angles = timesteps.float()[:, None] * freqs[None]  # (B, half)
    sin, cos = angles.sin(), angles.cos()
    return torch.cat([cos, sin] if flip_sin_to_cos else [sin, cos], dim=-1)  # (B, dim)


def test_check_timestep_embedding(capsys):
    def never_flips(timesteps, dim, flip_sin_to_cos=True, freq_shift=0):
        return embedding_right(timesteps, dim, False, freq_shift)

    def ignores_shift(timesteps, dim, flip_sin_to_cos=True, freq_shift=0):
        return embedding_right(timesteps, dim, flip_sin_to_cos, 0)

    assert verdicts(class_conditioned_unet.check_timestep_embedding, embedding_right, never_flips) == (True, False, None)
    assert "cosines first" in capsys.readouterr().out
    assert class_conditioned_unet.check_timestep_embedding(ignores_shift) is False


# --- notebook 03 -----------------------------------------------------------------------------

def latent_shape_right(vae, batch_size, height, width):
    factor = 2 ** (len(vae.config.block_out_channels) - 1)
    return batch_size, vae.config.latent_channels, height // factor, width // factor


def test_check_latent_shape_needs_the_config(capsys):
    """A shape written down for SD v1's VAE (4 channels, f = 8) passes on it and fails on LDM's other shapes."""
    vae = vae_latent_space.ldm_shaped_vae(8, 4)

    def sd_only(vae, batch_size, height, width):
        return batch_size, 4, height // 8, width // 8

    def channels_fixed(vae, batch_size, height, width):
        return (batch_size, 4) + tuple(latent_shape_right(vae, batch_size, height, width)[2:])

    def one_too_many(vae, batch_size, height, width):
        factor = 2 ** len(vae.config.block_out_channels)
        return batch_size, vae.config.latent_channels, height // factor, width // factor

    assert verdicts(vae_latent_space.check_latent_shape, latent_shape_right, sd_only, vae) == (True, False, None)
    assert "not 8" in capsys.readouterr().out
    assert vae_latent_space.check_latent_shape(channels_fixed, vae) is False
    assert "latent_channels" in capsys.readouterr().out
    assert vae_latent_space.check_latent_shape(one_too_many, vae) is False
    assert "One halving too many" in capsys.readouterr().out


def test_check_scaling_factor(capsys):
    def per_channel(latents):
        return 1 / latents.std(dim=(0, 2, 3))

    assert verdicts(vae_latent_space.check_scaling_factor, lambda z: 1 / z.std(), lambda z: z.std()) == (True, False, None)
    assert "1 / std" in capsys.readouterr().out
    assert vae_latent_space.check_scaling_factor(per_channel) is False
    assert "single" in capsys.readouterr().out


# --- notebook 04 -----------------------------------------------------------------------------

def test_check_clip_loss(capsys):
    def right(image_embeds, text_embeds, logit_scale):
        logits = logit_scale.exp() * F.normalize(image_embeds, dim=-1) @ F.normalize(text_embeds, dim=-1).T
        labels = torch.arange(len(logits))
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2

    def one_direction(image_embeds, text_embeds, logit_scale):
        logits = logit_scale.exp() * F.normalize(image_embeds, dim=-1) @ F.normalize(text_embeds, dim=-1).T
        return F.cross_entropy(logits, torch.arange(len(logits)))

    def not_normalised(image_embeds, text_embeds, logit_scale):
        logits = logit_scale.exp() * image_embeds @ text_embeds.T
        labels = torch.arange(len(logits))
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2

    assert verdicts(tokens_and_text_embeddings.check_clip_loss, right, one_direction) == (True, False, None)
    assert "one direction" in capsys.readouterr().out
    assert tokens_and_text_embeddings.check_clip_loss(not_normalised) is False


def test_check_attention(capsys):
    def right(q, k, v):
        return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(dim=-1) @ v

    def unscaled(q, k, v):
        return (q @ k.transpose(-2, -1)).softmax(dim=-1) @ v

    assert verdicts(tokens_and_text_embeddings.check_attention, right, unscaled) == (True, False, None)
    assert "√d" in capsys.readouterr().out


# --- notebook 05 -----------------------------------------------------------------------------

def ddim_right(noise_pred, t, prev_t, sample, alphas_cumprod):
    abar_t = alphas_cumprod[t]
    abar_prev = alphas_cumprod[prev_t] if prev_t >= 0 else torch.tensor(1.0)
    pred_original_sample = (sample - (1 - abar_t).sqrt() * noise_pred) / abar_t.sqrt()
    return abar_prev.sqrt() * pred_original_sample + (1 - abar_prev).sqrt() * noise_pred


def test_check_ddim_step(capsys):
    def wraps_around(noise_pred, t, prev_t, sample, alphas_cumprod):
        abar_t, abar_prev = alphas_cumprod[t], alphas_cumprod[prev_t]  # prev_t < 0 wraps to the schedule's end
        pred_original_sample = (sample - (1 - abar_t).sqrt() * noise_pred) / abar_t.sqrt()
        return abar_prev.sqrt() * pred_original_sample + (1 - abar_prev).sqrt() * noise_pred

    assert verdicts(cfg_sampling_loop.check_ddim_step, ddim_right, wraps_around) == (True, False, None)
    assert "last step" in capsys.readouterr().out


def test_check_rescale_noise_cfg(capsys):
    def right(noise_cfg, noise_pred_text, guidance_rescale):
        dims = list(range(1, noise_cfg.ndim))
        rescaled = noise_cfg * noise_pred_text.std(dim=dims, keepdim=True) / noise_cfg.std(dim=dims, keepdim=True)
        return guidance_rescale * rescaled + (1 - guidance_rescale) * noise_cfg

    def whole_batch(noise_cfg, noise_pred_text, guidance_rescale):
        rescaled = noise_cfg * noise_pred_text.std() / noise_cfg.std()
        return guidance_rescale * rescaled + (1 - guidance_rescale) * noise_cfg

    assert verdicts(cfg_sampling_loop.check_rescale_noise_cfg, right, whole_batch) == (True, False, None)
    assert "per image" in capsys.readouterr().out


CHECK_MODULES = (noise_schedules, class_conditioned_unet, vae_latent_space, tokens_and_text_embeddings,
                 cfg_sampling_loop, train_your_own_sd)


@pytest.mark.parametrize("check", [getattr(m, n) for m in CHECK_MODULES for n in dir(m) if n.startswith("check_")],
                         ids=lambda check: check.__name__)
def test_every_check_has_a_docstring(check):
    assert check.__doc__
