"""`course_utils.sd.generate.generate` is StableDiffusionPipeline's loop, bit for bit (notebook 05)."""

import warnings

import numpy as np
import pytest
import torch
from diffusers import (
    DDIMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    LMSDiscreteScheduler,
    PNDMScheduler,
    StableDiffusionImg2ImgPipeline,
)

from course_utils import config
from course_utils.checks import cfg_sampling_loop
from course_utils.data.sources import load_sample_photo
from course_utils.errors import CourseOutOfMemoryError
from course_utils.sd.generate import generate

SCHEDULERS = [DDIMScheduler, PNDMScheduler, EulerDiscreteScheduler, EulerAncestralDiscreteScheduler,
              LMSDiscreteScheduler, DPMSolverMultistepScheduler]
STOCHASTIC = [EulerAncestralDiscreteScheduler]  # their step() draws fresh noise from the generator
PROMPTS = ["a watercolor of a fox", "a lighthouse at night"]
STEPS = 3


@pytest.fixture
def sd_pipe(pipe):
    """The session's mini pipeline; the scheduler a test plugs in is put back afterwards."""
    original = pipe.scheduler
    yield pipe
    pipe.scheduler = original


def use(pipe, scheduler_class):
    pipe.scheduler = scheduler_class.from_config(pipe.scheduler.config)
    return pipe


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def reference(pipe, prompt, **kwargs):
    return pipe(prompt, output_type="pt", **kwargs).images


@pytest.mark.parametrize("scheduler_class", SCHEDULERS, ids=lambda c: c.__name__)
def test_generate_equals_pipeline_bit_for_bit(sd_pipe, scheduler_class):
    pipe = use(sd_pipe, scheduler_class)
    kwargs = dict(negative_prompt=["blurry", "low quality"], num_inference_steps=STEPS, guidance_scale=7.5)
    ours = generate(pipe, PROMPTS, generator=seeded(), **kwargs)
    theirs = reference(pipe, PROMPTS, generator=seeded(), **kwargs)
    assert ours.shape == (2, 3, 64, 64)
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize("scheduler_class", STOCHASTIC, ids=lambda c: c.__name__)
def test_stochastic_sampler_uses_the_generator_not_the_global_seed(sd_pipe, scheduler_class):
    pipe = use(sd_pipe, scheduler_class)
    torch.manual_seed(1)
    first = generate(pipe, PROMPTS[0], num_inference_steps=STEPS, generator=seeded(3))
    torch.manual_seed(2)  # a different global seed must not matter
    second = generate(pipe, PROMPTS[0], num_inference_steps=STEPS, generator=seeded(3))
    assert torch.equal(first, second)


def test_single_prompt_with_string_negative_prompt_and_odd_size(sd_pipe):
    kwargs = dict(negative_prompt="grainy", height=48, width=80, num_inference_steps=STEPS, guidance_scale=5.0)
    ours = generate(sd_pipe, "a red bicycle", generator=seeded(1), **kwargs)
    assert ours.shape == (1, 3, 48, 80)
    assert torch.equal(ours, reference(sd_pipe, "a red bicycle", generator=seeded(1), **kwargs))


def test_default_size_is_unet_sample_size_times_vae_factor(sd_pipe):
    ours = generate(sd_pipe, "a cat", num_inference_steps=1, generator=seeded())
    side = sd_pipe.unet.config.sample_size * sd_pipe.vae_scale_factor
    assert ours.shape == (1, 3, side, side)
    assert 0 <= ours.min() and ours.max() <= 1


def test_negative_prompt_changes_the_image(sd_pipe):
    plain = generate(sd_pipe, "a cat", num_inference_steps=STEPS, generator=seeded())
    negative = generate(sd_pipe, "a cat", negative_prompt="a dog", num_inference_steps=STEPS, generator=seeded())
    assert not torch.equal(plain, negative)


def test_same_seed_same_image_other_seed_other_image(sd_pipe):
    a = generate(sd_pipe, "a cat", num_inference_steps=2, generator=seeded(5))
    b = generate(sd_pipe, "a cat", num_inference_steps=2, generator=seeded(5))
    c = generate(sd_pipe, "a cat", num_inference_steps=2, generator=seeded(6))
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("guidance_scale,unet_batch", [(0.0, 2), (1.0, 2), (1.5, 4), (7.5, 4)])
def test_guidance_at_most_one_runs_only_the_text_branch(sd_pipe, guidance_scale, unet_batch):
    batches = []
    hook = sd_pipe.unet.register_forward_hook(lambda module, args, output: batches.append(args[0].shape[0]))
    try:
        ours = generate(sd_pipe, PROMPTS, num_inference_steps=2, guidance_scale=guidance_scale, generator=seeded())
    finally:
        hook.remove()
    assert set(batches) == {unet_batch}  # 2 prompts: one branch → 2, both branches → 4
    theirs = reference(sd_pipe, PROMPTS, num_inference_steps=2, guidance_scale=guidance_scale, generator=seeded())
    assert torch.equal(ours, theirs)


def test_callback_sees_every_step_like_the_pipeline(sd_pipe):
    pipe = use(sd_pipe, EulerAncestralDiscreteScheduler)
    ours, theirs = [], []
    generate(pipe, "a cat", num_inference_steps=STEPS, generator=seeded(),
             callback=lambda i, t, latents: ours.append((i, int(t), latents.clone())))

    def record(_pipe, i, t, tensors):
        theirs.append((i, int(t), tensors["latents"].clone()))
        return tensors

    pipe("a cat", num_inference_steps=STEPS, generator=seeded(), output_type="latent", callback_on_step_end=record)
    assert [i for i, _, _ in ours] == list(range(STEPS))
    assert [t for _, t, _ in ours] == pipe.scheduler.timesteps.tolist()
    for (i, t, latents), (j, u, expected) in zip(ours, theirs, strict=True):
        assert (i, t) == (j, u) and latents.shape == (1, 4, 8, 8)
        assert torch.equal(latents, expected)


# --- img2img -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def photo():
    return load_sample_photo(64)


@pytest.mark.parametrize("scheduler_class", SCHEDULERS, ids=lambda c: c.__name__)
def test_img2img_equals_img2img_pipeline(sd_pipe, photo, scheduler_class):
    pipe = use(sd_pipe, scheduler_class)
    img2img = StableDiffusionImg2ImgPipeline(**pipe.components, requires_safety_checker=False)
    img2img.set_progress_bar_config(disable=True)
    kwargs = dict(num_inference_steps=5, strength=0.6, guidance_scale=7.5, negative_prompt="blurry")
    ours = generate(pipe, "an oil painting of flowers", image=photo, generator=seeded(2), **kwargs)
    theirs = img2img("an oil painting of flowers", image=photo, generator=seeded(2), output_type="pt", **kwargs).images
    assert ours.shape == theirs.shape == (1, 3, 64, 64)
    torch.testing.assert_close(ours, theirs, **config.tolerance(theirs))
    assert torch.equal(ours, theirs)  # on CPU it is even bit for bit


def test_img2img_strength_sets_how_many_steps_run(sd_pipe, photo):
    pipe = use(sd_pipe, DDIMScheduler)
    for strength, expected_steps in [(1.0, 10), (0.5, 5), (0.25, 2)]:
        steps = []
        generate(pipe, "flowers", image=photo, strength=strength, num_inference_steps=10, generator=seeded(),
                 callback=lambda i, t, latents, steps=steps: steps.append(int(t)))
        assert len(steps) == expected_steps
        assert steps == pipe.scheduler.timesteps[-expected_steps:].tolist()  # the last, least noisy ones


def test_img2img_accepts_a_tensor_in_0_1(sd_pipe, photo):
    as_tensor = torch.from_numpy(np.asarray(photo).astype(np.float32) / 255).permute(2, 0, 1)  # (3, H, W)
    img2img = StableDiffusionImg2ImgPipeline(**sd_pipe.components, requires_safety_checker=False)
    img2img.set_progress_bar_config(disable=True)
    kwargs = dict(num_inference_steps=STEPS, strength=0.5)
    from_tensor = generate(sd_pipe, "flowers", image=as_tensor, generator=seeded(), **kwargs)
    theirs = img2img("flowers", image=as_tensor, generator=seeded(), output_type="pt", **kwargs).images
    assert torch.equal(from_tensor, theirs)
    # the same pixels as a PIL image: equal up to float rounding (the tensors' memory layouts differ),
    # carried through encode, denoise and decode: each guided step amplifies it, and decoding divides the latents by
    # the scaling factor (×3.8 for the mini VAE), so it grows past float32's default 100 ulps, and to several ulps in
    # float16/bfloat16
    from_pil = generate(sd_pipe, "flowers", image=photo, generator=seeded(), **kwargs)
    torch.testing.assert_close(from_tensor, from_pil, **config.tolerance(from_pil, ulps=1000, low_precision_ulps=32))


def test_img2img_one_image_for_two_prompts(sd_pipe, photo):
    images = generate(sd_pipe, PROMPTS, image=photo, num_inference_steps=STEPS, generator=seeded())
    assert images.shape == (2, 3, 64, 64)


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,error,match", [
    (dict(height=60), ValueError, r"height=60 is not a multiple of 8.*height=56 or 64"),
    (dict(width=100), ValueError, r"width=100 .*width=96 or 104"),
    (dict(height=0), ValueError, r"positive int"),
    (dict(guidance_scale=-2.0), ValueError, r"guidance_scale=-2.0 is negative.*guidance_scale ≥ 0"),
    (dict(strength=0.0), ValueError, r"strength=0.0 must be in \(0, 1\]"),
    (dict(strength=1.5), ValueError, r"strength=1.5 must be in \(0, 1\]"),
    (dict(num_inference_steps=0), ValueError, r"num_inference_steps=0 must be an int ≥ 1"),
    (dict(negative_prompt=["a", "b", "c"]), ValueError, r"negative_prompt has 3 entries but prompt has 1"),
    (dict(negative_prompt=[]), ValueError, r"negative_prompt is an empty list"),
])
def test_bad_arguments_name_the_fix(sd_pipe, kwargs, error, match):
    with pytest.raises(error, match=match):
        generate(sd_pipe, "a cat", num_inference_steps=kwargs.pop("num_inference_steps", 2), **kwargs)


@pytest.mark.parametrize("guidance_scale", [float("nan"), float("inf"), -float("inf")])
def test_guidance_scale_must_be_finite(tiny_pipe, guidance_scale):
    with pytest.raises(ValueError, match=rf"guidance_scale={guidance_scale} is not a finite number.*NaN.*7.5"):
        generate(tiny_pipe, "a cat", guidance_scale=guidance_scale, num_inference_steps=1)
    with pytest.raises(TypeError, match=r"guidance_scale must be a number such as 7.5, got str"):
        generate(tiny_pipe, "a cat", guidance_scale="7.5", num_inference_steps=1)


@pytest.mark.parametrize("generator", ["seed", 0, np.random.default_rng(0)], ids=["str", "int", "numpy"])
def test_generator_must_be_a_torch_generator(tiny_pipe, generator):
    with pytest.raises(TypeError, match=r"generator must be a torch.Generator.*generator=torch.Generator\(\).manual_seed\(0\)"):
        generate(tiny_pipe, "a cat", num_inference_steps=1, generator=generator)


def test_one_generator_per_prompt_as_diffusers_allows(tiny_pipe):
    kwargs = dict(height=32, width=32, num_inference_steps=1)
    ours = generate(tiny_pipe, PROMPTS, generator=[seeded(1), seeded(2)], **kwargs)
    assert torch.equal(ours, reference(tiny_pipe, PROMPTS, generator=[seeded(1), seeded(2)], **kwargs))
    with pytest.raises(ValueError, match=r"Got 1 generators for 2 prompts: pass one torch.Generator, or one per prompt"):
        generate(tiny_pipe, PROMPTS, generator=[seeded()], **kwargs)


def test_running_out_of_ram_names_sizes_batch_and_dtype(tiny_pipe):
    # 8,000,000 px per side: the first latent tensor alone is terabytes, so the CPU allocator refuses at once.
    dtype = str(tiny_pipe.unet.dtype).removeprefix("torch.")
    with pytest.raises(CourseOutOfMemoryError, match=rf"1 image\(s\) of 8000000×8000000 px in {dtype} on cpu "
                       r"\(the UNet sees a batch of 2, both guidance branches.*GiB\).*ran out of memory \(RAM.*smaller height/width"):
        generate(tiny_pipe, "a cat", height=8_000_000, width=8_000_000, num_inference_steps=1)


def test_bad_prompts_name_the_fix(sd_pipe):
    with pytest.raises(ValueError, match=r"prompt is an empty list.*at least one"):
        generate(sd_pipe, [])
    with pytest.raises(TypeError, match=r"prompt must be a string or a list of strings"):
        generate(sd_pipe, 42)


def test_bad_images_name_the_fix(sd_pipe, photo):
    with pytest.raises(TypeError, match=r"PIL image.*PIL.Image.open"):
        generate(sd_pipe, "a cat", image="photo.jpg")
    with pytest.raises(ValueError, match=r"height=60 is not a multiple of 8.*resize the image"):
        generate(sd_pipe, "a cat", image=load_sample_photo(60))
    with pytest.raises(ValueError, match=r"differ from the image.*resize"):
        generate(sd_pipe, "a cat", image=photo, height=128)
    with pytest.raises(ValueError, match=r"values must be in \[0, 1\].*\(image \+ 1\) / 2"):
        generate(sd_pipe, "a cat", image=torch.full((1, 3, 64, 64), -0.5))
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\).*got \(1, 1, 64, 64\).*repeat"):
        generate(sd_pipe, "a cat", image=torch.zeros(1, 1, 64, 64))
    with pytest.raises(ValueError, match=r"leaves no denoising step.*num_inference_steps=5"):
        generate(sd_pipe, "a cat", image=photo, strength=0.2, num_inference_steps=3)


def test_long_prompt_warns_with_the_words_that_were_cut(sd_pipe):
    prompt = "a photo of " + " ".join(["cat"] * 73) + " wearing golden sunglasses"
    assert len(sd_pipe.tokenizer(prompt).input_ids) > 77
    with pytest.warns(UserWarning, match=r"prompt\[0\] is \d+ tokens long but CLIP reads only 77.*golden sunglasses"):
        ours = generate(sd_pipe, prompt, num_inference_steps=2, generator=seeded())
    # what is cut has no effect: the pipeline (which truncates the same way) agrees
    assert torch.equal(ours, reference(sd_pipe, prompt, num_inference_steps=2, generator=seeded()))
    with pytest.warns(UserWarning, match=r"negative_prompt\[0\] is .*golden sunglasses"):
        generate(sd_pipe, "a cat", negative_prompt=prompt, num_inference_steps=1, generator=seeded())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a short prompt must not warn
        generate(sd_pipe, "a cat", num_inference_steps=1, generator=seeded())


# --- the notebook's self-checking exercises ----------------------------------------------------

def test_check_img2img_timesteps_tells_right_from_wrong(pipe, capsys):
    def right(scheduler, num_inference_steps, strength):
        n_run = int(num_inference_steps * strength)
        return scheduler.timesteps[(num_inference_steps - n_run) * scheduler.order:]

    def ignores_order(scheduler, num_inference_steps, strength):  # wrong for Heun (order 2)
        n_run = int(num_inference_steps * strength)
        return scheduler.timesteps[num_inference_steps - n_run:]

    def rounds(scheduler, num_inference_steps, strength):  # round() instead of int(): 7.5 → 8
        n_run = round(num_inference_steps * strength)
        return scheduler.timesteps[(num_inference_steps - n_run) * scheduler.order:]

    def stub(scheduler, num_inference_steps, strength):
        raise NotImplementedError

    assert cfg_sampling_loop.check_img2img_timesteps(right, pipe) is True
    assert cfg_sampling_loop.check_img2img_timesteps(ignores_order, pipe) is False
    assert "HeunDiscreteScheduler" in capsys.readouterr().out
    assert cfg_sampling_loop.check_img2img_timesteps(rounds, pipe) is False
    assert cfg_sampling_loop.check_img2img_timesteps(stub, pipe) is None
