import pytest
import torch
from diffusers import DDPMScheduler

from course_utils.diffusion import schedules

KINDS = list(schedules.BETA_RANGES)


def library_scheduler(kind: str, T: int = 1000) -> DDPMScheduler:
    start, end = schedules.BETA_RANGES[kind]
    extra = {} if start is None else {"beta_start": start, "beta_end": end}
    return DDPMScheduler(num_train_timesteps=T, beta_schedule=kind, **extra)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("T", [1000, 50])
def test_betas_and_alphas_cumprod_equal_diffusers(kind, T):
    sched = library_scheduler(kind, T)
    betas = schedules.make_betas(kind, T)
    assert torch.equal(betas, sched.betas)
    assert torch.equal(schedules.alphas_cumprod_from_betas(betas), sched.alphas_cumprod)


@pytest.mark.parametrize("kind", KINDS)
def test_add_noise_equals_ddpm_scheduler(kind):
    sched = library_scheduler(kind)
    g = torch.Generator().manual_seed(0)
    x0 = torch.randn(5, 3, 16, 16, generator=g)
    noise = torch.randn(x0.shape, generator=g)
    t = torch.tensor([0, 1, 250, 998, 999])
    ours = schedules.add_noise(x0, noise, t, sched.alphas_cumprod)
    assert torch.allclose(ours, sched.add_noise(x0, noise, t), atol=1e-6, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("t", [0, 500, 999])
def test_predict_x0_equals_ddpm_step_prediction(kind, t):
    sched = library_scheduler(kind)
    sched.register_to_config(clip_sample=False)  # the step clips x0 to [-1, 1] by default
    g = torch.Generator().manual_seed(1)
    x_t, noise = torch.randn(2, 3, 8, 8, generator=g), torch.randn(2, 3, 8, 8, generator=g)
    library = sched.step(noise, t, x_t, generator=g).pred_original_sample
    assert torch.allclose(schedules.predict_x0(x_t, noise, t, sched.alphas_cumprod), library, rtol=1e-5, atol=1e-5)
    if t < 999:  # at t = 999 the cosine ᾱ is 2e-9: inverting it in float32 amplifies rounding
        x0 = torch.randn(2, 3, 8, 8, generator=g)
        noisy = schedules.add_noise(x0, noise, t, sched.alphas_cumprod)
        assert torch.allclose(schedules.predict_x0(noisy, noise, t, sched.alphas_cumprod), x0, atol=1e-3)


def test_add_noise_broadcasts_a_single_timestep():
    sched = library_scheduler("linear")
    x0, noise = torch.ones(3, 1, 4, 4), torch.zeros(3, 1, 4, 4)
    out = schedules.add_noise(x0, noise, 10, sched.alphas_cumprod)
    assert torch.allclose(out, sched.alphas_cumprod[10].sqrt() * x0)


def test_snr_decreases_with_t():
    a = schedules.alphas_cumprod_from_betas(schedules.make_betas("scaled_linear"))
    s = schedules.snr(a)
    assert (s[1:] < s[:-1]).all()


def test_unknown_schedule_named():
    with pytest.raises(ValueError, match="linear, scaled_linear, squaredcos_cap_v2"):
        schedules.make_betas("cosine")
    with pytest.raises(ValueError, match="≥ 2"):
        schedules.make_betas("linear", 1)


def test_bad_timesteps_and_shapes_are_explained():
    a = schedules.alphas_cumprod_from_betas(schedules.make_betas("linear"))
    x = torch.zeros(2, 1, 4, 4)
    with pytest.raises(ValueError, match=r"\[0, 999\]"):
        schedules.add_noise(x, x, torch.tensor([0, 1000]), a)
    with pytest.raises(ValueError, match=r"\[0, 999\]"):
        schedules.add_noise(x, x, torch.tensor([-1, 3]), a)
    with pytest.raises(ValueError, match="randn_like"):
        schedules.add_noise(x, torch.zeros(2, 1, 4, 5), torch.tensor([1, 2]), a)
    with pytest.raises(ValueError, match="integers"):
        schedules.add_noise(x, x, torch.tensor([0.5, 1.0]), a)
    with pytest.raises(ValueError, match="one per sample"):
        schedules.add_noise(x, x, torch.tensor([1, 2, 3]), a)
