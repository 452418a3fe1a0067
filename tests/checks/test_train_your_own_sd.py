"""Notebook 06's exercise checks: a right answer passes, a wrong one fails, a stub is 'not attempted'."""

import math

import pytest
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

    def images_only(image_embeds, text_embeds):
        return (F.normalize(image_embeds, dim=-1) @ text_embeds.T).argmax(dim=1)

    def texts_only(image_embeds, text_embeds):
        return (image_embeds @ F.normalize(text_embeds, dim=-1).T).argmax(dim=1)

    assert train_your_own_sd.check_zero_shot(right) is True
    assert train_your_own_sd.check_zero_shot(lambda i, t: torch.zeros(len(i), dtype=torch.long)) is False
    assert train_your_own_sd.check_zero_shot(stub) is None
    assert train_your_own_sd.check_zero_shot(unnormalised) is False
    assert train_your_own_sd.check_zero_shot(images_only) is False
    assert train_your_own_sd.check_zero_shot(texts_only) is True  # an image's length never changes its argmax


def training_step(unet, scheduler, latents, caption_ids, caption_states, empty_id, generator, drop_prob,
                  *, t_high=None, drop_below=True, target="scheduler", noise_fn=torch.randn, per_example=True,
                  use_generator=True, unet_sees="used_ids"):
    """The right training step, or (through the keywords) one of the usual wrong ones."""
    g = dict(generator=generator) if use_generator else {}
    batch = len(latents)
    high = scheduler.config.num_train_timesteps if t_high is None else t_high
    timesteps = torch.randint(0, high, (batch,), **g)
    noise = noise_fn(latents.shape, **g)
    draws = torch.rand(batch if per_example else 1, **g).expand(batch)
    dropped = draws < drop_prob if drop_below else draws > drop_prob
    used_ids = torch.where(dropped, torch.tensor(empty_id), caption_ids)
    noisy = scheduler.add_noise(latents, noise, timesteps)
    seen = used_ids if unet_sees == "used_ids" else caption_ids
    prediction = unet(noisy, timesteps, encoder_hidden_states=caption_states[seen]).sample
    velocity = scheduler.config.prediction_type == "v_prediction" and target == "scheduler"
    goal = scheduler.get_velocity(latents, noise, timesteps) if velocity else noise
    return F.mse_loss(prediction, goal), timesteps, noise, used_ids


@pytest.mark.parametrize("mistake, hint", [
    (dict(t_high=999), "upper bound is exclusive"),
    (dict(drop_below=False), "below"),
    (dict(target="noise"), "get_velocity"),
    (dict(noise_fn=torch.rand), "torch.randn"),
    (dict(per_example=False), "once per example"),
    (dict(use_generator=False), "generator"),
    (dict(unet_sees="caption_ids"), "caption_states[used_ids]"),
])
def test_training_step_check_names_the_usual_mistakes(mistake, hint, capsys):
    assert train_your_own_sd.check_training_step(training_step) is True
    capsys.readouterr()
    assert train_your_own_sd.check_training_step(lambda *a: training_step(*a, **mistake)) is False
    assert hint in capsys.readouterr().out
    assert train_your_own_sd.check_training_step(stub) is None


def held_out_right(digit, ink, background):
    return ink == digit % 7 or (ink, background) in ((1, 4), (3, 5), (0, 6))  # yellow/purple, blue/white, red/black


@pytest.mark.parametrize("wrong, hint", [
    (lambda d, i, b: i == d % 7, "three held-out pairs"),
    (lambda d, i, b: (i, b) in ((1, 4), (3, 5), (0, 6)), "d mod 7"),
    (lambda d, i, b: i == d or (i, b) in ((1, 4), (3, 5), (0, 6)), "wrap around"),
    (lambda d, i, b: i == d % 7 or (b, i) in ((1, 4), (3, 5), (0, 6)), "(ink, background)"),
])
def test_held_out_split_check_names_the_usual_mistakes(wrong, hint, capsys):
    assert train_your_own_sd.check_held_out_split(held_out_right) is True
    capsys.readouterr()
    assert train_your_own_sd.check_held_out_split(wrong) is False
    assert hint in capsys.readouterr().out
    assert train_your_own_sd.check_held_out_split(stub) is None
