"""course_utils.class_sampling: guidance on class labels and the sampling loop."""

import pytest
import torch
from diffusers import DDIMScheduler, DDPMScheduler

from course_utils.checks import class_conditioned_unet
from course_utils.class_unet import recipes, sampling

RECIPE = recipes.get_recipe("course_smoke")


@pytest.fixture(scope="module")
def model():
    model = RECIPE.build_unet(seed=0)
    with torch.no_grad():  # a random class embedding, so that classes really differ
        model.class_embedding.weight.normal_(generator=torch.Generator().manual_seed(0))
    return model.eval()


def ddim():
    return DDIMScheduler.from_config(RECIPE.make_noise_scheduler().config)


def test_guidance_combine_formula():
    generator = torch.Generator().manual_seed(0)
    null, cond = torch.randn(2, 1, 4, 4, generator=generator), torch.randn(2, 1, 4, 4, generator=generator)
    assert torch.equal(sampling.guidance_combine(null, cond, 0.0), null)
    assert torch.allclose(sampling.guidance_combine(null, cond, 1.0), cond, atol=1e-6)
    assert torch.allclose(sampling.guidance_combine(null, cond, 3.0), null + 3 * (cond - null), atol=1e-6)


def test_one_batched_pass_equals_two_separate_passes(model):
    sample, labels = torch.randn(3, 1, 32, 32, generator=torch.Generator().manual_seed(0)), torch.tensor([0, 4, 9])
    with torch.no_grad():
        got = sampling.guided_noise_pred(model, sample, 500, labels, guidance_scale=2.5)
        cond = model(sample, 500, class_labels=labels).sample
        null = model(sample, 500, class_labels=torch.full_like(labels, recipes.NULL_CLASS)).sample
    assert torch.allclose(got, null + 2.5 * (cond - null), atol=1e-4)  # batched vs separate: float rounding
    assert not torch.allclose(cond, null, atol=1e-3)  # the label really changes the prediction


def test_loop_equals_a_hand_written_loop(model):
    labels = torch.tensor([1, 7])
    got = sampling.sample_class_conditioned(model, ddim(), labels, guidance_scale=3.0, num_inference_steps=10,
                                            generator=torch.Generator().manual_seed(5))
    scheduler = ddim()
    scheduler.set_timesteps(10)
    x = torch.randn(2, 1, 32, 32, generator=torch.Generator().manual_seed(5))
    null = torch.full_like(labels, 10)
    with torch.no_grad():
        for t in scheduler.timesteps:
            eps_c = model(x, t, class_labels=labels).sample
            eps_n = model(x, t, class_labels=null).sample
            x = scheduler.step(eps_n + 3.0 * (eps_c - eps_n), t, x).prev_sample
    diff = (got - (x / 2 + 0.5).clamp(0, 1)).abs().max().item()
    assert diff < 1e-3, diff  # batched vs separate passes round differently; 10 steps compound it


def test_output_range_shape_and_reproducibility(model):
    kwargs = dict(guidance_scale=2.0, num_inference_steps=5)
    a = sampling.sample_class_conditioned(model, ddim(), [0, 1, 2], generator=torch.Generator().manual_seed(0), **kwargs)
    b = sampling.sample_class_conditioned(model, ddim(), [0, 1, 2], generator=torch.Generator().manual_seed(0), **kwargs)
    c = sampling.sample_class_conditioned(model, ddim(), [0, 1, 2], generator=torch.Generator().manual_seed(1), **kwargs)
    assert a.shape == (3, 1, 32, 32) and a.dtype == torch.float32 and a.device.type == "cpu"
    assert a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_ddpm_sampler_with_a_generator_is_reproducible(model):
    def run():
        return sampling.sample_class_conditioned(model, DDPMScheduler.from_config(ddim().config), [3], guidance_scale=1.5,
                                                 num_inference_steps=8, generator=torch.Generator().manual_seed(0))

    assert torch.equal(run(), run())


def test_scale_zero_is_the_null_class_without_guidance(model):
    unconditional = sampling.sample_class_conditioned(model, ddim(), [4], guidance_scale=0.0, num_inference_steps=5,
                                                      generator=torch.Generator().manual_seed(2))
    scheduler = ddim()  # by hand: every step predicts with the null label alone
    scheduler.set_timesteps(5)
    x = torch.randn(1, 1, 32, 32, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        for t in scheduler.timesteps:
            x = scheduler.step(model(x, t, class_labels=torch.tensor([recipes.NULL_CLASS])).sample, t, x).prev_sample
    assert torch.allclose(unconditional, (x / 2 + 0.5).clamp(0, 1), atol=1e-5)


@pytest.mark.parametrize("labels, kwargs, message", [
    ([10], {"guidance_scale": 2.0}, r"Class id 10 is the null class.*no label.*0–9.*guidance_scale=0"),
    ([10], {"guidance_scale": 1.0}, r"Class id 10 is the null class.*no label.*0–9.*guidance_scale=0"),
    ([11], {"guidance_scale": 1.0}, r"\[0, 9\].*id 10 is the null class.*Use ids from 0 to 9"),
    ([-1], {}, "Class ids must lie in"),
    ([], {}, "non-empty list of class ids"),
    ([[0, 1]], {}, "one per image"),
    ([0.5], {}, "integer class ids"),
    ([0], {"num_inference_steps": 0}, "num_inference_steps=0 must be an int from 1 to 1000"),
    ([0], {"num_inference_steps": 1001}, "from 1 to 1000"),
    ([0], {"guidance_scale": -1.0}, "guidance_scale=-1.0 must be a finite number ≥ 0"),
    ([0], {"guidance_scale": float("nan")}, "guidance_scale=nan must be a finite number"),
    ([0], {"guidance_scale": float("inf")}, "guidance_scale=inf must be a finite number"),
])
def test_bad_inputs_name_the_fix(model, labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sampling.sample_class_conditioned(model, ddim(), labels, **kwargs)


def test_a_model_without_class_embeddings_is_refused():
    plain = recipes.Recipe(**{**RECIPE.__dict__, "unet": {**RECIPE.unet, "num_class_embeds": None}}).build_unet()
    with pytest.raises(ValueError, match=r"num_class_embeds=num_classes \+ 1"):
        sampling.sample_class_conditioned(plain, ddim(), [0])


def test_sampling_reexports_the_class_sampler():
    assert sampling.sample_class_conditioned is sampling.sample_class_conditioned


def test_check_guidance_combine_verdicts(capsys):
    assert class_conditioned_unet.check_guidance_combine(lambda null, cond, s: null + s * (cond - null)) is True
    assert class_conditioned_unet.check_guidance_combine(lambda null, cond, s: cond + s * (null - cond)) is False
    assert "swapped" in capsys.readouterr().out
    assert class_conditioned_unet.check_guidance_combine(lambda null, cond, s: s * cond) is False

    def stub(null, cond, s):
        raise NotImplementedError

    assert class_conditioned_unet.check_guidance_combine(stub) is None


def test_recipes_build_and_refuse_unknown_names():
    assert recipes.recipe_for_mode("smoke").name == recipes.recipe_for_mode("mini").name == "course_mini"
    assert recipes.recipe_for_mode("full").name == "course"
    book = recipes.get_recipe("book")
    assert book.unet["block_out_channels"] == (32, 64, 128, 256) and book.unet["norm_num_groups"] == 8
    assert book.batch_size == 256 and book.sampler == "ddpm" and book.num_inference_steps == 1000
    assert recipes.get_recipe("course").unet["num_class_embeds"] == recipes.NULL_CLASS + 1
    assert isinstance(RECIPE.make_sampler("ddpm"), DDPMScheduler)
    with pytest.raises(ValueError, match="use one of"):
        recipes.get_recipe("nope")
    with pytest.raises(ValueError, match="use one of"):
        RECIPE.make_sampler("euler")
