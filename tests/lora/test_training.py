"""course_utils.lora.training: peft LoRA on a UNet, trained with the course's loop, saved for load_lora_weights."""

import pytest
import torch
from diffusers import StableDiffusionPipeline

from course_utils.checks.lora_fine_tuning import tiny_attention_unet
from course_utils.lora import training
from course_utils.lora.low_rank import UNET_ATTENTION_TARGETS, count_lora_parameters
from course_utils.mini_sd.text_unet import noise_scheduler


def fixed_inputs(unet, batch=2):
    generator = torch.Generator().manual_seed(3)
    sample = torch.randn(batch, 4, 8, 8, generator=generator)  # (B, 4, h, w)
    context = torch.randn(batch, 5, unet.config.cross_attention_dim, generator=generator)  # (B, tokens, D)
    return sample, torch.tensor([10, 600][:batch]), context


def predict(unet, inputs):
    with torch.no_grad():
        return unet(inputs[0], inputs[1], encoder_hidden_states=inputs[2]).sample


def random_examples(unet, n=6, tokens=5):
    generator = torch.Generator().manual_seed(4)
    return training.EncodedExamples(torch.randn(n, 4, 8, 8, generator=generator), torch.full((n, 4, 8, 8), 0.05),
                                    torch.randn(n, tokens, unet.config.cross_attention_dim, generator=generator))


def test_add_unet_lora_starts_from_the_unchanged_model():
    unet = tiny_attention_unet()
    before = predict(unet, fixed_inputs(unet))
    expected = count_lora_parameters(tiny_attention_unet(), UNET_ATTENTION_TARGETS, 4)
    assert training.add_unet_lora(unet, rank=4) == expected
    assert torch.equal(predict(unet, fixed_inputs(unet)), before)  # B = 0
    trainable = {n for n, p in unet.named_parameters() if p.requires_grad}
    assert trainable and all(".lora_A." in n or ".lora_B." in n for n in trainable)
    layers = training.lora_layers(unet)
    assert {id(p) for p in layers.parameters()} == {id(p) for p in unet.parameters() if p.requires_grad}


def test_lora_weights_train_in_float32_inside_a_float16_unet():
    unet = tiny_attention_unet().half()
    training.add_unet_lora(unet, rank=2)
    dtypes = {p.dtype for p in unet.parameters() if p.requires_grad}
    assert dtypes == {torch.float32} and next(unet.conv_in.parameters()).dtype == torch.float16


def test_no_lora_layers_and_mismatched_examples_are_refused():
    with pytest.raises(ValueError, match="add_unet_lora"):
        training.lora_layers(tiny_attention_unet())
    with pytest.raises(ValueError, match="one caption per picture"):
        training.encode_examples(None, None, None, torch.zeros(2, 3, 64, 64), ["a red seven"])


def test_training_changes_only_the_lora_and_resumes_bit_for_bit(tmp_path):
    def run(steps_per_call, folder):
        unet = tiny_attention_unet()
        training.add_unet_lora(unet, rank=4)
        frozen = {n: p.detach().clone() for n, p in unet.named_parameters() if not p.requires_grad}
        losses = []
        for stop in steps_per_call:
            losses = training.train_lora(unet, random_examples(unet), noise_scheduler(), scaling_factor=0.5,
                                         num_steps=stop, batch_size=3, learning_rate=1e-2, device="cpu",
                                         checkpoint_dir=folder, checkpoint_every=2, progress=False)
        assert all(torch.equal(p, frozen[n]) for n, p in unet.named_parameters() if not p.requires_grad)
        return unet, losses

    whole, losses = run([4], tmp_path / "whole")
    resumed, resumed_losses = run([2, 4], tmp_path / "resumed")
    assert len(losses) == 4 and resumed_losses == losses
    lora_B = {n: p for n, p in whole.named_parameters() if ".lora_B." in n}
    assert any(p.abs().sum() > 0 for p in lora_B.values())  # B left zero: the model changed
    assert all(torch.equal(p, dict(resumed.named_parameters())[n]) for n, p in whole.named_parameters())


def test_saved_lora_loads_into_a_pipeline_with_load_lora_weights(tiny_sd_dir, tmp_path):
    pipe = StableDiffusionPipeline.from_pretrained(tiny_sd_dir, dtype=torch.float32, safety_checker=None,
                                                   requires_safety_checker=False)
    unet = pipe.unet
    inputs = fixed_inputs(unet)
    base = predict(unet, inputs)
    training.add_unet_lora(unet, rank=4)
    with torch.no_grad():  # a trained-looking LoRA: random B
        for name, parameter in unet.named_parameters():
            if ".lora_B." in name:
                parameter.normal_(std=0.05)
    trained = predict(unet, inputs)
    path = training.save_lora(unet, tmp_path / "lora")
    assert path.name == training.LORA_WEIGHT_NAME and path.stat().st_size < 200_000
    fresh = StableDiffusionPipeline.from_pretrained(tiny_sd_dir, dtype=torch.float32, safety_checker=None,
                                                    requires_safety_checker=False)
    fresh.load_lora_weights(tmp_path / "lora")
    loaded = predict(fresh.unet, inputs)
    assert not torch.allclose(trained, base, atol=1e-4)
    assert torch.allclose(loaded, trained, atol=2e-3)  # the file holds float16
