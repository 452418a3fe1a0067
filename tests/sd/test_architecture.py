"""course_utils.sd.architecture: SD v1.5's configs build models of exactly the published sizes."""

import json

import pytest
import torch

from course_utils.sd import architecture


@pytest.mark.parametrize("component", architecture.COMPONENTS)
def test_each_component_on_meta_has_the_published_parameter_count(component):
    model = architecture.build_on_meta(component)
    assert next(model.parameters()).device.type == "meta"  # shapes only, no memory
    assert architecture.count_parameters(model) == architecture.SD15_PARAM_COUNTS[component]


def test_clip_vit_b32_on_meta_has_its_parameter_count():
    with torch.device("meta"):
        clip = architecture.build_clip()
    assert architecture.count_parameters(clip) == architecture.CLIP_VIT_B32_PARAM_COUNT
    assert clip.config.vision_config.patch_size == 32 and clip.config.projection_dim == 512


def test_configs_agree_with_each_other():
    unet, vae, text = architecture.SD15_UNET_CONFIG, architecture.SD15_VAE_CONFIG, architecture.SD15_TEXT_ENCODER_CONFIG
    assert unet["cross_attention_dim"] == text["hidden_size"] == 768  # the UNet attends to CLIP's states
    assert unet["in_channels"] == vae["latent_channels"] == 4
    vae_scale_factor = 2 ** (len(vae["block_out_channels"]) - 1)  # 8
    assert unet["sample_size"] * vae_scale_factor == vae["sample_size"] == 512
    assert text["max_position_embeddings"] == architecture.SD15_TOKENIZER_CONFIG["model_max_length"] == 77


def test_configs_are_plain_json_data():
    for name in ("SD15_UNET_CONFIG", "SD15_VAE_CONFIG", "SD15_TEXT_ENCODER_CONFIG", "SD15_SCHEDULER_CONFIG",
                 "CLIP_VIT_B32_CONFIG"):
        config = getattr(architecture, name)
        assert isinstance(config, dict) and json.loads(json.dumps(config)) == config, name


def test_unknown_component_is_named():
    with pytest.raises(ValueError, match="unet, vae, text_encoder"):
        architecture.build_on_meta("safety_checker")
