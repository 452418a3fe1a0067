"""The shipped LoRA (course_utils/shipped/mini-sd-lora-orange): complete, tiny, loadable, and true to its card."""

import json

import pytest
import torch
from safetensors.torch import load_file

from course_utils import pretrained
from course_utils.data import digits
from course_utils.lora import concept_data, concept_judge, training
from course_utils.mini_sd import mini_vae

FILES = (training.LORA_WEIGHT_NAME, f"pytorch_lora_weights_{concept_data.RARE_TOKEN}.safetensors")


@pytest.fixture(scope="module")
def folder():
    return pretrained.shipped_dir("mini-sd-lora-orange")


def test_the_lora_ships_with_its_card_and_is_tiny(folder):
    for name in FILES + ("README.md", "figures.json"):
        assert (folder / name).exists(), name
    unet_bytes = (pretrained.shipped_dir("mini-sd") / "unet" / "diffusion_pytorch_model.safetensors").stat().st_size
    for name in FILES:
        weights = load_file(str(folder / name))
        assert all(key.startswith("unet.") and ".lora" in key for key in weights)
        assert len(weights) == 2 * 56  # A and B for each of the mini UNet's 56 attention projections
        assert (folder / name).stat().st_size < 0.02 * unet_bytes


def test_the_card_records_what_the_notebook_asserts(folder):
    card = json.loads((folder / "figures.json").read_text())
    assert card["recipe"]["rank"] == 4 and card["recipe"]["targets"] == ["to_q", "to_k", "to_v", "to_out.0"]
    for word in (concept_data.CONCEPT_WORD, concept_data.RARE_TOKEN):
        before, after = card["before"][word], card["after"][word][word]
        assert before["ink"] <= 0.1 and after["ink"] >= before["ink"] + 0.1
        assert after["ink_distance_to_orange"] < 0.6 * before["ink_distance_to_orange"]
    assert card["runs"]["orange"]["loss_curve"][-1] < card["runs"]["orange"]["loss_curve"][0]


def test_the_judges_reading_of_real_orange_pictures_reproduces(pipe, folder):
    card = json.loads((folder / "figures.json").read_text())["judge_on_real_pictures"]
    pixels, labels = digits.load_digits("test")
    pictures = concept_data.concept_pictures(pixels, labels, per_digit=7)  # one per digit and background
    decoded = mini_vae.round_trip(pipe.vae, pictures.images)  # (70, 3, 64, 64) in [0, 1]
    for name, images in (("real", (pictures.images + 1) / 2), ("vae_round_trip", decoded)):
        orange = (concept_judge.read_with_concept(images).ink == concept_data.CONCEPT_ID).float().mean().item()
        assert orange == pytest.approx(card[name]["ink"], abs=1e-4), name


def test_the_lora_loads_with_load_lora_weights_and_changes_the_unet(pipe, folder):
    sample = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    states = torch.randn(1, 77, pipe.unet.config.cross_attention_dim, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        base = pipe.unet(sample, 500, encoder_hidden_states=states).sample
        pipe.load_lora_weights(folder, adapter_name="orange")
        try:
            adapted = pipe.unet(sample, 500, encoder_hidden_states=states).sample
        finally:
            pipe.unload_lora_weights()
        again = pipe.unet(sample, 500, encoder_hidden_states=states).sample
    assert not torch.allclose(adapted, base, atol=1e-4) and torch.equal(again, base)
