"""`sample_class_conditioned` refuses the null class, wrong types and overflowing guidance, naming the fix."""

import numpy as np
import pytest
import torch
from diffusers import DDIMScheduler

from course_utils.class_unet import recipes, sampling

RECIPE = recipes.get_recipe("course_smoke")


@pytest.fixture(scope="module")
def model():
    return RECIPE.build_unet(seed=0).eval()


def ddim():
    return DDIMScheduler.from_config(RECIPE.make_noise_scheduler().config)


def sample(model, labels=(3,), **kwargs):
    kwargs = {"num_inference_steps": 2, "generator": torch.Generator().manual_seed(0), **kwargs}
    return sampling.sample_class_conditioned(model, ddim(), list(labels) if isinstance(labels, tuple) else labels,
                                             **kwargs)


# --- the null class is "no label", at every guidance scale --------------------------------------

@pytest.mark.parametrize("guidance_scale", [0.0, 1.0, 3.0])
@pytest.mark.parametrize("labels", [[recipes.NULL_CLASS], [0, recipes.NULL_CLASS], torch.tensor([recipes.NULL_CLASS])],
                         ids=["alone", "among", "tensor"])
def test_the_null_class_is_refused_as_a_label(model, labels, guidance_scale):
    with pytest.raises(ValueError, match=r'Class id 10 is the null class: it means "no label".*ids 0–9.*'
                                         r"unconditional sample, pass any class id with guidance_scale=0"):
        sample(model, labels, guidance_scale=guidance_scale)


# --- types: numpy numbers are fine, strings, floats and bools name the fix -----------------------

def test_numpy_numbers_give_the_same_images(model):
    plain = sample(model, (1, 2), guidance_scale=3.0, num_inference_steps=3)
    numpy = sample(model, np.array([1, 2]), guidance_scale=np.float32(3.0), num_inference_steps=np.int64(3))
    one_number_tensor = sample(model, (1, 2), guidance_scale=torch.tensor(3.0), num_inference_steps=3)
    assert torch.equal(plain, numpy) and torch.equal(plain, one_number_tensor)


@pytest.mark.parametrize("kwargs,match", [
    ({"guidance_scale": "3"}, r"guidance_scale must be a number such as 3.0.*got str"),
    ({"guidance_scale": True}, r"guidance_scale must be a number.*got bool"),
    ({"num_inference_steps": 5.0}, r"num_inference_steps=5.0 must be an int from 1 to 1000"),
    ({"num_inference_steps": "5"}, r"num_inference_steps='5' must be an int"),
    ({"num_inference_steps": True}, r"num_inference_steps=True must be an int"),
    ({"labels": "3"}, r"class_labels must be a list \(or tensor\) of int class ids"),
    ({"labels": ["3"]}, r"class_labels must be a list \(or tensor\) of int class ids"),
])
def test_wrong_types_name_the_fix(model, kwargs, match):
    with pytest.raises(TypeError, match=match):
        sample(model, kwargs.pop("labels", (3,)), **kwargs)


@pytest.mark.parametrize("generator,seed", [(0, 0), (42, 42), ("7", 7), (np.int64(5), 5), ("seed", 0)])
def test_a_seed_in_place_of_a_generator_shows_the_generator_to_write(model, generator, seed):
    with pytest.raises(TypeError, match=rf"generator must be one torch.Generator.*"
                                        rf"generator=torch.Generator\(\).manual_seed\({seed}\)"):
        sample(model, generator=generator)


def test_a_list_of_generators_is_refused(model):
    with pytest.raises(TypeError, match=r"generator must be one torch.Generator.*got list"):
        sample(model, (1, 2), generator=[torch.Generator(), torch.Generator()])


# --- guidance so large that it overflows --------------------------------------------------------

def test_guidance_beyond_float32_is_refused_up_front(model):
    with pytest.raises(ValueError, match=r"guidance_scale=1e\+39 is larger than float32 can hold.*0–20 range"):
        sample(model, guidance_scale=1e39)


def test_guidance_that_overflows_in_the_loop_names_guidance_scale_and_dtype(model):
    dtype = str(model.dtype).removeprefix("torch.")
    with pytest.raises(ValueError, match=rf"guided prediction overflowed at step \d+ of 4.*guidance_scale=1e\+30 "
                                         rf".*{dtype}'s range.*NaN/inf.*usual 0–20 range"):
        sample(model, guidance_scale=1e30, num_inference_steps=4)


def test_a_model_that_overflows_at_usual_guidance_is_not_blamed_on_guidance(model):
    hook = model.register_forward_hook(lambda module, args, output: type(output)(torch.full_like(output.sample, torch.nan)))
    try:
        with pytest.raises(FloatingPointError, match=r"NaN/inf at step 1 of 2.*guidance_scale=3 \(a usual value"):
            sample(model, guidance_scale=3.0)
    finally:
        hook.remove()
