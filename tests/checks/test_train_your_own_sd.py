"""Notebook 06's exercise checks: a right answer passes, a wrong one fails, a stub is 'not attempted'."""

import math

import torch
import torch.nn.functional as F

from course_utils.checks import train_your_own_sd


def stub(*args):
    raise NotImplementedError


def test_warmup_cosine_check():
    def right(step, warmup_steps, num_steps):
        if step < warmup_steps:
            return step / max(1, warmup_steps)
        progress = (step - warmup_steps) / max(1, num_steps - warmup_steps)
        return max(0.0, 0.5 * (1 + math.cos(math.pi * progress)))

    assert train_your_own_sd.check_warmup_cosine(right) is True
    assert train_your_own_sd.check_warmup_cosine(lambda step, w, n: 1.0) is False
    assert train_your_own_sd.check_warmup_cosine(stub) is None


def test_zero_shot_check():
    def right(image_embeds, text_embeds):
        return (F.normalize(image_embeds, dim=-1) @ F.normalize(text_embeds, dim=-1).T).argmax(dim=1)

    def unnormalised(image_embeds, text_embeds):
        return (image_embeds @ text_embeds.T).argmax(dim=1)

    assert train_your_own_sd.check_zero_shot(right) is True
    assert train_your_own_sd.check_zero_shot(lambda i, t: torch.zeros(len(i), dtype=torch.long)) is False
    assert train_your_own_sd.check_zero_shot(stub) is None
    assert train_your_own_sd.check_zero_shot(unnormalised) in (True, False)  # may agree by chance; must not raise


def test_text_conditioned_loss_check():
    def right(unet, scheduler, latents, states, noise, timesteps):
        noisy = scheduler.add_noise(latents, noise, timesteps)
        return F.mse_loss(unet(noisy, timesteps, encoder_hidden_states=states).sample, noise)

    def predicts_latents(unet, scheduler, latents, states, noise, timesteps):
        noisy = scheduler.add_noise(latents, noise, timesteps)
        return F.mse_loss(unet(noisy, timesteps, encoder_hidden_states=states).sample, latents)

    assert train_your_own_sd.check_text_conditioned_loss(right) is True
    assert train_your_own_sd.check_text_conditioned_loss(predicts_latents) is False
    assert train_your_own_sd.check_text_conditioned_loss(stub) is None
