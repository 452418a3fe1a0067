"""`generate` refuses what would waste minutes or give a NaN picture, and takes numpy numbers as Python ones."""

import numpy as np
import pytest
import torch
from diffusers import DDIMScheduler

from course_utils.sd.generate import generate
from course_utils.sd.inputs import seeded_generator

SMALL = dict(height=32, width=32)  # the tiny random SD at 32×32: each call takes milliseconds


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def dtype_name(pipe):
    return str(pipe.unet.dtype).removeprefix("torch.")


@pytest.fixture
def image():
    return torch.rand(1, 3, 32, 32, generator=seeded())  # (1, 3, H, W) in [0, 1]


@pytest.fixture
def ten_step_pipe(tiny_pipe):
    """The tiny SD with a DDIM scheduler of 10 training timesteps, so that the maximum is cheap to run."""
    original = tiny_pipe.scheduler
    tiny_pipe.scheduler = DDIMScheduler.from_config(original.config, num_train_timesteps=10)
    yield tiny_pipe
    tiny_pipe.scheduler = original


# --- 1. more steps than the scheduler has timesteps ----------------------------------------------

@pytest.mark.parametrize("steps", [5000, np.int64(1000)], ids=["int", "numpy"])
def test_more_steps_than_timesteps_is_refused_at_once(tiny_pipe, image, steps):
    # SD's PNDM counts its timesteps from steps_offset=1, "leading": 1000 steps would reach t = 1000
    match = rf"num_inference_steps={int(steps)} is more than this scheduler can take.*num_inference_steps=999"
    with pytest.raises(ValueError, match=match):
        generate(tiny_pipe, "a cat", num_inference_steps=steps, **SMALL)
    with pytest.raises(ValueError, match=match):  # img2img: the same schedule, the same limit
        generate(tiny_pipe, "a cat", image=image, num_inference_steps=steps, strength=0.5)


def test_the_maximum_itself_still_equals_the_pipeline(ten_step_pipe, image):
    ours = generate(ten_step_pipe, "a cat", num_inference_steps=9, generator=seeded(), **SMALL)
    theirs = ten_step_pipe("a cat", num_inference_steps=9, generator=seeded(), output_type="pt", **SMALL).images
    assert torch.equal(ours, theirs)
    with pytest.raises(ValueError, match=r"num_inference_steps=10 is more .*maximum is num_inference_steps=9"):
        generate(ten_step_pipe, "a cat", num_inference_steps=10, **SMALL)  # diffusers: IndexError at t = 10
    with pytest.raises(ValueError, match=r"maximum is num_inference_steps=9"):
        generate(ten_step_pipe, "a cat", image=image, num_inference_steps=10)


def test_trailing_timesteps_allow_one_step_per_timestep(ten_step_pipe):
    ten_step_pipe.scheduler = DDIMScheduler.from_config(ten_step_pipe.scheduler.config, timestep_spacing="trailing")
    ours = generate(ten_step_pipe, "a cat", num_inference_steps=10, generator=seeded(), **SMALL)
    theirs = ten_step_pipe("a cat", num_inference_steps=10, generator=seeded(), output_type="pt", **SMALL).images
    assert torch.equal(ours, theirs)
    with pytest.raises(ValueError, match=r"maximum is num_inference_steps=10"):
        generate(ten_step_pipe, "a cat", num_inference_steps=11, **SMALL)


# --- 2. guidance so large that it overflows ------------------------------------------------------

def test_guidance_beyond_the_dtype_is_refused_before_any_work(tiny_pipe):
    calls = []
    hook = tiny_pipe.unet.register_forward_hook(lambda *args: calls.append(1))
    try:
        with pytest.raises(ValueError, match=rf"guidance_scale=1e\+39 is larger than {dtype_name(tiny_pipe)} can hold"
                           r".*overflow.*usual 1–20 range"):
            generate(tiny_pipe, "a cat", guidance_scale=1e39, num_inference_steps=2, **SMALL)
    finally:
        hook.remove()
    assert calls == []


def test_guidance_that_overflows_in_the_loop_names_guidance_scale_and_dtype(tiny_pipe):
    # float32 holds 1e30, so no check up front can tell; the first step's latents are ~1e29 and the
    # next UNet call turns them into NaN. (In float16, 1e30 is refused up front, with the same advice.)
    with pytest.raises(ValueError, match=rf"guidance_scale=1e\+30 .*{dtype_name(tiny_pipe)}.*NaN.*usual 1–20 range"):
        generate(tiny_pipe, "a cat", guidance_scale=1e30, num_inference_steps=4, generator=seeded(), **SMALL)


def test_a_model_that_overflows_at_usual_guidance_is_not_blamed_on_guidance(tiny_pipe):
    def nan_output(module, args, output):
        return (torch.full_like(output[0], float("nan")),)

    hook = tiny_pipe.unet.register_forward_hook(nan_output)
    try:
        with pytest.raises(FloatingPointError, match=rf"NaN/inf at step 1 of .* in {dtype_name(tiny_pipe)}, with "
                           r"guidance_scale=7.5 \(a usual value.*float32"):
            generate(tiny_pipe, "a cat", num_inference_steps=2, generator=seeded(), **SMALL)
    finally:
        hook.remove()


def test_a_large_but_usual_guidance_runs_to_the_end(tiny_pipe):
    seen = []
    generate(tiny_pipe, "a cat", guidance_scale=20.0, num_inference_steps=3, generator=seeded(),
             callback=lambda i, t, latents: seen.append(bool(torch.isfinite(latents).all())), **SMALL)
    assert len(seen) == len(tiny_pipe.scheduler.timesteps) and all(seen)  # PNDM: 3 steps, 4 timesteps


# --- 3. wrong types, and numpy numbers --------------------------------------------------------------

def test_numpy_numbers_are_taken_as_python_ones(tiny_pipe, image):
    plain = generate(tiny_pipe, "a cat", num_inference_steps=2, guidance_scale=7.5, generator=seeded(), **SMALL)
    numpy = generate(tiny_pipe, "a cat", num_inference_steps=np.int64(2), guidance_scale=np.float32(7.5),
                     height=np.int32(32), width=np.int64(32), generator=seeded())
    assert torch.equal(plain, numpy)
    plain = generate(tiny_pipe, "a cat", image=image, strength=0.5, num_inference_steps=4, generator=seeded())
    numpy = generate(tiny_pipe, "a cat", image=image, strength=np.float64(0.5), num_inference_steps=np.int16(4),
                     guidance_scale=np.float64(7.5), generator=seeded())
    assert torch.equal(plain, numpy)


@pytest.mark.parametrize("kwargs,match", [
    (dict(height=32.0), r"height=32.0 must be a whole number \(an int\), got float: write height=32"),
    (dict(width="32"), r"width='32' must be a whole number.*got str: write width=32, without quotes"),
    (dict(height=True), r"height=True must be a whole number.*got bool: pass a number for height, not True/False"),
    (dict(num_inference_steps=2.5), r"num_inference_steps=2.5 must be a whole number.*e.g. num_inference_steps=30"),
    (dict(num_inference_steps="20"), r"write num_inference_steps=20, without quotes"),
    (dict(num_inference_steps=np.True_), r"got bool_?: pass a number"),
    (dict(guidance_scale="7.5"), r"guidance_scale must be a number such as 7.5, got str.*write guidance_scale=7.5, "
                                 r"without quotes"),
    (dict(guidance_scale=None), r"guidance_scale must be a number such as 7.5, got NoneType"),
    (dict(guidance_scale=torch.tensor(7.5)), r"got Tensor.*guidance_scale=x.item\(\)"),
    (dict(strength="0.5"), r"strength must be a number such as 0.6, got str.*write strength=0.5, without quotes"),
    (dict(strength=True), r"strength must be a number such as 0.6, got bool"),
])
def test_wrong_types_name_the_fix(tiny_pipe, kwargs, match):
    with pytest.raises(TypeError, match=match):
        generate(tiny_pipe, "a cat", **{"num_inference_steps": 1, **SMALL, **kwargs})


@pytest.mark.parametrize("generator,seed", [(42, 42), ("42", 42), (np.int64(7), 7), ("my seed", 0), (1.5, 0)])
def test_a_seed_in_place_of_a_generator_shows_the_generator_to_write(tiny_pipe, generator, seed):
    with pytest.raises(TypeError, match=rf"generator must be a torch.Generator.*"
                                        rf"generator=torch.Generator\(\).manual_seed\({seed}\)"):
        generate(tiny_pipe, "a cat", num_inference_steps=1, generator=generator, **SMALL)


def test_a_seed_must_be_a_whole_number():
    assert torch.equal(torch.randn(3, generator=seeded_generator(np.int64(4))), torch.randn(3, generator=seeded(4)))
    with pytest.raises(TypeError, match=r"seed='0' must be a whole number.*write seed=0, without quotes"):
        seeded_generator("0")
    with pytest.raises(TypeError, match=r"seed=1.5 must be a whole number.*e.g. seed=0"):
        seeded_generator(1.5)
    with pytest.raises(ValueError, match=r"seed=18446744073709551616 is outside the 64-bit range"):
        seeded_generator(2**64)
