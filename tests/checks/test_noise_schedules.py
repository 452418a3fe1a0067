"""Notebook 01's exercise "x₀ and ε from v": the right answer passes; each usual wrong answer fails
with a hint that names it; an untouched stub is reported as not attempted."""

import pytest
import torch

from course_utils.checks import noise_schedules

check = noise_schedules.check_x0_and_noise_from_velocity


def abar_at(alphas_cumprod, timesteps):
    return alphas_cumprod[timesteps].reshape(-1, 1, 1, 1)  # (B, 1, 1, 1)


def right(sample, velocity, timesteps, alphas_cumprod):
    abar = abar_at(alphas_cumprod, timesteps)
    return abar.sqrt() * sample - (1 - abar).sqrt() * velocity, (1 - abar).sqrt() * sample + abar.sqrt() * velocity


def returned_the_other_way_round(sample, velocity, timesteps, alphas_cumprod):
    x0, noise = right(sample, velocity, timesteps, alphas_cumprod)
    return noise, x0


def signs_flipped(sample, velocity, timesteps, alphas_cumprod):
    abar = abar_at(alphas_cumprod, timesteps)
    return abar.sqrt() * sample + (1 - abar).sqrt() * velocity, (1 - abar).sqrt() * sample - abar.sqrt() * velocity


def x0_sign_flipped_only(sample, velocity, timesteps, alphas_cumprod):
    x0, noise = right(sample, velocity, timesteps, alphas_cumprod)
    abar = abar_at(alphas_cumprod, timesteps)
    return abar.sqrt() * sample + (1 - abar).sqrt() * velocity, noise


def roots_swapped(sample, velocity, timesteps, alphas_cumprod):
    abar = abar_at(alphas_cumprod, timesteps)
    return (1 - abar).sqrt() * sample - abar.sqrt() * velocity, abar.sqrt() * sample + (1 - abar).sqrt() * velocity


def velocity_taken_for_noise(sample, velocity, timesteps, alphas_cumprod):
    abar = abar_at(alphas_cumprod, timesteps)
    return (sample - (1 - abar).sqrt() * velocity) / abar.sqrt(), velocity


def index_one_before(sample, velocity, timesteps, alphas_cumprod):
    return right(sample, velocity, timesteps - 1, alphas_cumprod)  # the maths' ᾱ_t read as alphas_cumprod[t − 1]


def index_one_after(sample, velocity, timesteps, alphas_cumprod):
    return right(sample, velocity, timesteps + 1, alphas_cumprod)  # runs past the end at timestep 999


def without_the_per_sample_shape(sample, velocity, timesteps, alphas_cumprod):
    abar = alphas_cumprod[timesteps]  # (B,): broadcasts against the images' last axis, not the batch
    return abar.sqrt() * sample - (1 - abar).sqrt() * velocity, (1 - abar).sqrt() * sample + abar.sqrt() * velocity


def squares_instead_of_roots(sample, velocity, timesteps, alphas_cumprod):
    abar = abar_at(alphas_cumprod, timesteps)
    return abar * sample - (1 - abar) * velocity, (1 - abar) * sample + abar * velocity


def noise_first_then_divide(sample, velocity, timesteps, alphas_cumprod):
    abar = abar_at(alphas_cumprod, timesteps)
    noise = (1 - abar).sqrt() * sample + abar.sqrt() * velocity
    return (sample - (1 - abar).sqrt() * noise) / abar.sqrt(), noise  # right on paper; float32 at t = 999 is not


def one_tensor(sample, velocity, timesteps, alphas_cumprod):
    return right(sample, velocity, timesteps, alphas_cumprod)[0]


def stub(sample, velocity, timesteps, alphas_cumprod):
    raise NotImplementedError


def test_the_right_answer_passes(capsys):
    assert check(right) is True
    assert "correct" in capsys.readouterr().out


def test_a_right_answer_in_float64_or_as_a_list_passes():
    assert check(lambda *args: [t.double() for t in right(*[a.double() if a.is_floating_point() else a
                                                            for a in args])]) is True


def test_an_untouched_stub_is_not_attempted(capsys):
    assert check(stub) is None
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (returned_the_other_way_round, "x₀ first"),
    (signs_flipped, "sign is flipped"),
    (x0_sign_flipped_only, "sign is flipped"),
    (roots_swapped, "wrong way round"),
    (velocity_taken_for_noise, "v is not ε"),
    (index_one_before, "alphas_cumprod[t]"),
    (index_one_after, "IndexError"),
    (without_the_per_sample_shape, "RuntimeError"),
    (squares_instead_of_roots, "differs from the library"),
    (one_tensor, "return two tensors"),
    (noise_first_then_divide, "without a division"),
])
def test_each_usual_wrong_answer_fails_with_its_hint(wrong, hint, capsys):
    assert check(wrong) is False
    out = capsys.readouterr().out
    assert "not quite" in out or "raised" in out
    assert hint in out


def test_the_check_leaves_the_learners_inputs_unchanged_for_the_library():
    """A function that works in place must not corrupt what the library's answer is computed from."""
    def in_place(sample, velocity, timesteps, alphas_cumprod):
        x0, noise = right(sample, velocity, timesteps, alphas_cumprod)
        sample.zero_(), velocity.zero_(), alphas_cumprod.zero_()
        return x0, noise

    assert check(in_place) is True


def test_the_velocity_it_inverts_is_diffusers_get_velocity():
    """The exercise's v is the library's: the right answer inverts DDPMScheduler.get_velocity exactly."""
    from diffusers import DDPMScheduler

    scheduler = DDPMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
    x0, noise = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8)
    timesteps = torch.tensor([3, 700])
    sample, velocity = scheduler.add_noise(x0, noise, timesteps), scheduler.get_velocity(x0, noise, timesteps)
    got_x0, got_noise = right(sample, velocity, timesteps, scheduler.alphas_cumprod)
    torch.testing.assert_close(got_x0, x0, atol=1e-5, rtol=0)
    torch.testing.assert_close(got_noise, noise, atol=1e-5, rtol=0)
