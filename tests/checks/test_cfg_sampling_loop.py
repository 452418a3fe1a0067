"""Notebook 05's DDIM exercise check: the right step passes, each usual mistake fails with its own hint,
an untouched stub is 'not attempted'; the img2img check builds its pipeline without diffusers' warning."""

import logging
import math

import pytest
import torch

from course_utils.checks import cfg_sampling_loop


def stub(*args):
    raise NotImplementedError


def ddim_step(scheduler, noise_pred, t, sample, *, abar=None, step=None, final=None, clip=False):
    """A DDIM step (η = 0) with one ingredient swappable for a usual mistake."""
    abar = scheduler.alphas_cumprod if abar is None else abar
    step = scheduler.config.num_train_timesteps // scheduler.num_inference_steps if step is None else step
    prev_t = t - step
    final = scheduler.final_alpha_cumprod if final is None else final
    abar_prev = abar[prev_t] if prev_t >= 0 else final
    pred_original_sample = (sample - (1 - abar[t]).sqrt() * noise_pred) / abar[t].sqrt()
    if clip:
        pred_original_sample = pred_original_sample.clamp(-1, 1)
    prev_sample = abar_prev.sqrt() * pred_original_sample + (1 - abar_prev).sqrt() * noise_pred
    return prev_sample, pred_original_sample


def wrap_around(scheduler, noise_pred, t, sample):
    """ᾱ_prev = alphas_cumprod[t_prev] even when t_prev < 0: index −82 is near the noisy end."""
    step = scheduler.config.num_train_timesteps // scheduler.num_inference_steps
    return ddim_step(scheduler, noise_pred, t, sample, final=scheduler.alphas_cumprod[t - step])


WRONG = {
    "alphas": (lambda s, e, t, x: ddim_step(s, e, t, x, abar=s.alphas), "scheduler.alphas"),
    "float division": (lambda s, e, t, x: ddim_step(s, e, t, x, step=s.config.num_train_timesteps / s.num_inference_steps),
                       "whole numbers"),
    "int(t − T/N)": (lambda s, e, t, x: ddim_step(s, e, t, x, step=math.ceil(s.config.num_train_timesteps / s.num_inference_steps)),
                     "off by one"),
    "one step too few": (lambda s, e, t, x: ddim_step(s, e, t, x, step=s.config.num_train_timesteps // s.num_inference_steps - 1),
                         "off by one"),
    "clamps x̂₀": (lambda s, e, t, x: ddim_step(s, e, t, x, clip=True), "clip_sample=False"),
    "ᾱ_prev = 1 at the end": (lambda s, e, t, x: ddim_step(s, e, t, x, final=torch.tensor(1.0)), "not 1"),
    "wraps around": (wrap_around, "wraps around"),
    "rounds T/N": (lambda s, e, t, x: ddim_step(s, e, t, x, step=round(s.config.num_train_timesteps / s.num_inference_steps)),
                   "off by one"),  # 83 for 12 steps (right by luck), 143 for 7 (not 142)
    "step of 83 by heart": (lambda s, e, t, x: ddim_step(s, e, t, x, step=83), "x_t_prev at t"),
    "only x_t_prev": (lambda s, e, t, x: ddim_step(s, e, t, x)[0], "two tensors"),
    "swapped outputs": (lambda s, e, t, x: ddim_step(s, e, t, x)[::-1], "x̂₀ at t"),
}


def test_the_right_step_passes_and_a_stub_is_not_attempted(capsys):
    assert cfg_sampling_loop.check_ddim_scheduler_step(ddim_step) is True
    assert cfg_sampling_loop.check_ddim_scheduler_step(stub) is None
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("name", WRONG)
def test_each_usual_mistake_fails_with_its_hint(name, capsys):
    wrong, hint = WRONG[name]
    assert cfg_sampling_loop.check_ddim_scheduler_step(wrong) is False
    assert hint in capsys.readouterr().out


def test_the_check_steps_where_integer_division_matters():
    """1000 / N must not be whole, or a step written with / (then rounded either way) would pass."""
    assert 1000 % cfg_sampling_loop.DDIM_STEPS != 0


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_img2img_check_builds_its_pipeline_without_the_safety_checker_warning(tiny_pipe):
    def right(scheduler, num_inference_steps, strength):
        n_run = int(num_inference_steps * strength)
        return scheduler.timesteps[(num_inference_steps - n_run) * scheduler.order:]

    records = _Records()
    diffusers_logger = logging.getLogger("diffusers")  # the library's loggers pass their records up to it
    diffusers_logger.addHandler(records)
    try:
        assert cfg_sampling_loop.check_img2img_timesteps(right, tiny_pipe) is True
    finally:
        diffusers_logger.removeHandler(records)
    assert not [m for m in records.messages if "safety checker" in m]
