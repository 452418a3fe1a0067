"""The shipped class-conditioned UNet (notebook 02, recipe course_mini) and its model card."""

import json

import pytest
import torch
from safetensors.torch import load_file

from course_utils import errors, evaluation, pretrained
from course_utils.class_unet import recipes
from course_utils.class_unet.sampling import sample_class_conditioned
from course_utils.training import checkpoints

RECIPE = recipes.get_recipe("course_mini")


def test_the_shipped_checkpoint_is_a_slimmed_training_state_of_the_recipe():
    folder = pretrained.class_unet_checkpoint()
    names = {p.name for p in folder.iterdir()}
    assert set(checkpoints.CHECKPOINT_FILES) | {checkpoints.EMA_FILE} <= names
    meta = json.loads((folder / "checkpoint.json").read_text())
    assert meta["model_config"] == checkpoints.plain_config(RECIPE.build_unet().config)
    assert meta["step"] < RECIPE.num_steps  # left for notebook 02 to resume
    assert meta["settings"]["scheduler"] == checkpoints.plain_config(RECIPE.make_noise_scheduler().config)
    assert "slimmed" in meta  # checkpoints.slim_checkpoint: float16 weights, no optimizer state
    for name in ("model.safetensors", checkpoints.EMA_FILE):
        assert {v.dtype for v in load_file(str(folder / name)).values()} == {torch.float16}
    state = torch.load(folder / "training_state.pt", weights_only=True)
    assert state["optimizer"] is None and len(state["losses"]) == meta["step"]


def test_class_unet_loads_the_ema_weights_for_the_mini_recipe():
    model, recipe = pretrained.class_unet("mini")
    assert recipe is RECIPE and not model.training
    ema = load_file(str(pretrained.class_unet_checkpoint() / checkpoints.EMA_FILE))
    assert all(v.dtype == torch.float32 and torch.equal(v, ema[k].float()) for k, v in model.state_dict().items())


def test_the_model_card_meets_the_bar_it_states():
    figures = pretrained.model_card("class-unet")
    measured = figures["measured"]
    assert measured["accuracy_by_guidance"][str(RECIPE.guidance_scale)] >= 0.95
    assert measured["accuracy_by_guidance"]["0.0"] < 0.3  # unconditional: near chance, so the label does the work
    assert measured["resumed_to_end_accuracy"] >= 0.95
    card = (pretrained.class_unet_checkpoint() / "README.md").read_text()  # the card lies beside the weights
    assert f"{measured['accuracy_by_guidance'][str(RECIPE.guidance_scale)]:.1%}" in card


def test_seeded_samples_show_the_requested_digits():
    """The card's seeded check, repeated: 2 images per digit at the recipe's guidance and steps."""
    figures = pretrained.model_card("class-unet")["measured"]["seeded_check"]
    model, recipe = pretrained.class_unet("mini")
    labels = torch.arange(10).repeat(figures["per_class"])
    images = sample_class_conditioned(model, recipe.make_sampler(), labels, guidance_scale=recipe.guidance_scale,
                                      num_inference_steps=recipe.num_inference_steps,
                                      generator=torch.Generator().manual_seed(figures["seed"]))
    accuracy = evaluation.class_accuracy(pretrained.digit_classifier(), images, labels).overall
    assert accuracy >= 0.95
    assert accuracy == pytest.approx(figures["accuracy"], abs=0.051)  # at most one image in 20 differs


@pytest.mark.parametrize("name, clip", [("course_mini", False), ("course", False), ("course_smoke", False),
                                        ("book", True)])
def test_samplers_clip_sample_follows_the_recipe(name, clip):
    recipe = recipes.get_recipe(name)
    for kind in recipes.SAMPLERS:
        sampler = recipe.make_sampler(kind)
        assert sampler.config.clip_sample is clip
        assert sampler.config.prediction_type == recipe.prediction_type


def test_class_unet_errors_name_the_fix(tmp_path):
    with pytest.raises(errors.MissingWeightsError, match="train it in notebook 02"):
        pretrained.class_unet("full")
    with pytest.raises(errors.MissingWeightsError, match="train first"):
        pretrained.class_unet("mini", checkpoint_dir=tmp_path)
