"""course_utils.objectives: ε/v targets and min-SNR weights equal diffusers' own."""

import pytest
import torch
from diffusers import DDPMScheduler
from diffusers.training_utils import compute_snr

from course_utils.class_unet import recipes
from course_utils.diffusion import objectives


def scheduler(prediction_type="epsilon"):
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type=prediction_type)


TIMESTEPS = torch.tensor([0, 1, 10, 250, 500, 900, 999])


def test_v_target_equals_get_velocity_and_epsilon_target_is_the_noise():
    generator = torch.Generator().manual_seed(0)
    clean, noise = torch.randn(2, 7, 1, 8, 8, generator=generator)
    v = objectives.training_target(scheduler("v_prediction"), clean, noise, TIMESTEPS)
    assert torch.allclose(v, scheduler().get_velocity(clean, noise, TIMESTEPS), atol=1e-6)
    assert torch.equal(objectives.training_target(scheduler(), clean, noise, TIMESTEPS), noise)


@pytest.mark.parametrize("prediction_type, denominator", [("epsilon", lambda s: s), ("v_prediction", lambda s: s + 1)])
def test_min_snr_weights_follow_hang_et_al(prediction_type, denominator):
    ratio = compute_snr(scheduler(), TIMESTEPS)
    expected = torch.minimum(ratio, torch.full_like(ratio, 5.0)) / denominator(ratio)
    weights = objectives.min_snr_weights(scheduler(prediction_type), TIMESTEPS, 5.0)
    assert torch.allclose(weights, expected, rtol=1e-5)
    assert weights[0] < weights[-2]  # the nearly clean timestep counts less than a noisy one


def test_weighted_v_loss_by_hand():
    recipe = recipes.get_recipe("course_smoke")
    model, sched = recipe.build_unet(), scheduler("v_prediction")
    images, labels = torch.rand(4, 1, 32, 32) * 2 - 1, torch.tensor([0, 1, 2, 10])
    torch.manual_seed(5)
    loss = objectives.diffusion_loss(model, sched, images, labels, min_snr_gamma=5.0)
    torch.manual_seed(5)
    noise = torch.randn_like(images)
    timesteps = torch.randint(0, 1000, (4,))
    with torch.no_grad():
        pred = model(sched.add_noise(images, noise, timesteps), timesteps, class_labels=labels).sample
    per_image = ((pred - sched.get_velocity(images, noise, timesteps)) ** 2).mean(dim=(1, 2, 3))
    weights = torch.clamp(compute_snr(sched, timesteps), max=5.0) / (compute_snr(sched, timesteps) + 1)
    assert torch.allclose(loss, (per_image * weights).mean(), rtol=1e-5)


def test_unknown_prediction_type_and_bad_gamma_name_the_fix():
    sample = scheduler("sample")
    with pytest.raises(ValueError, match="prediction_type='sample' is not taught here"):
        objectives.training_target(sample, torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2), torch.tensor([3]))
    with pytest.raises(ValueError, match="min_snr_gamma=-1 must be positive"):
        objectives.min_snr_weights(scheduler(), TIMESTEPS, -1)
