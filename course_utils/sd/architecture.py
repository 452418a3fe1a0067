"""Stable Diffusion v1.5's component configs, written once, as the hub repo has them.

Each dict is the JSON file named in its comment from ``stable-diffusion-v1-5/stable-diffusion-v1-5``
(the model ``config.SD_MODEL_ID`` names) or ``openai/clip-vit-base-patch32`` (``config.CLIP_MODEL_ID``),
without the bookkeeping keys (``_diffusers_version``, ``transformers_version``, ``_name_or_path``).
Notebook 04's anatomy section reads them, ``tools/models/rehearse_full_size.py`` builds the full-size
architecture from them, and ``build_on_meta`` builds a component without allocating its weights
(the ``meta`` device holds shapes only), so its size can be counted in a fraction of a second.
"""

from __future__ import annotations

import torch

# stable-diffusion-v1-5/stable-diffusion-v1-5: model_index.json (the pipeline's parts)
SD15_MODEL_INDEX = {
    "_class_name": "StableDiffusionPipeline",
    "feature_extractor": ["transformers", "CLIPImageProcessor"],
    "safety_checker": ["stable_diffusion", "StableDiffusionSafetyChecker"],
    "scheduler": ["diffusers", "PNDMScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
}

# stable-diffusion-v1-5/stable-diffusion-v1-5: unet/config.json
SD15_UNET_CONFIG = {
    "_class_name": "UNet2DConditionModel",
    "act_fn": "silu",
    "attention_head_dim": 8,  # despite the name: 8 heads per attention layer (head size 40–160)
    "block_out_channels": [320, 640, 1280, 1280],
    "center_input_sample": False,
    "cross_attention_dim": 768,  # = the text encoder's hidden_size
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "sample_size": 64,  # latents of 64×64 = images of 512×512
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
}

# stable-diffusion-v1-5/stable-diffusion-v1-5: vae/config.json (scaling_factor is not in the file;
# AutoencoderKL's default, 0.18215, is SD v1's)
SD15_VAE_CONFIG = {
    "_class_name": "AutoencoderKL",
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],  # 4 blocks, 3 downsamplings: factor 8
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "sample_size": 512,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
}

# stable-diffusion-v1-5/stable-diffusion-v1-5: text_encoder/config.json (the text tower of
# openai/clip-vit-large-patch14; bos/eos/pad ids are the file's legacy values, the tokenizer's are
# 49406/49407/49407)
SD15_TEXT_ENCODER_CONFIG = {
    "architectures": ["CLIPTextModel"],
    "attention_dropout": 0.0,
    "bos_token_id": 0,
    "dropout": 0.0,
    "eos_token_id": 2,
    "hidden_act": "quick_gelu",
    "hidden_size": 768,
    "initializer_factor": 1.0,
    "initializer_range": 0.02,
    "intermediate_size": 3072,
    "layer_norm_eps": 1e-05,
    "max_position_embeddings": 77,
    "model_type": "clip_text_model",
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "pad_token_id": 1,
    "projection_dim": 768,
    "torch_dtype": "float32",
    "vocab_size": 49408,
}

# stable-diffusion-v1-5/stable-diffusion-v1-5: scheduler/scheduler_config.json
SD15_SCHEDULER_CONFIG = {
    "_class_name": "PNDMScheduler",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}

# stable-diffusion-v1-5/stable-diffusion-v1-5: tokenizer/tokenizer_config.json (the settings; the file
# writes the special tokens as AddedToken dicts with these contents; the vocabulary and merges are
# CLIP's BPE, rebuilt by course_utils.mini_sd.tokenizer)
SD15_TOKENIZER_CONFIG = {
    "add_prefix_space": False,
    "bos_token": "<|startoftext|>",
    "do_lower_case": True,
    "eos_token": "<|endoftext|>",
    "errors": "replace",
    "model_max_length": 77,
    "pad_token": "<|endoftext|>",
    "tokenizer_class": "CLIPTokenizer",
    "unk_token": "<|endoftext|>",
}

# stable-diffusion-v1-5/stable-diffusion-v1-5: feature_extractor/preprocessor_config.json (only the
# safety checker uses it; the course loads without one)
SD15_FEATURE_EXTRACTOR_CONFIG = {
    "crop_size": 224,
    "do_center_crop": True,
    "do_convert_rgb": True,
    "do_normalize": True,
    "do_resize": True,
    "feature_extractor_type": "CLIPFeatureExtractor",
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "resample": 3,
    "size": 224,
}

# openai/clip-vit-base-patch32: config.json (both towers; notebook 04's CLIP similarity)
CLIP_VIT_B32_CONFIG = {
    "architectures": ["CLIPModel"],
    "initializer_factor": 1.0,
    "logit_scale_init_value": 2.6592,
    "model_type": "clip",
    "projection_dim": 512,
    "text_config": {
        "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0, "eos_token_id": 2,
        "hidden_act": "quick_gelu", "hidden_size": 512, "initializer_factor": 1.0,
        "initializer_range": 0.02, "intermediate_size": 2048, "layer_norm_eps": 1e-05,
        "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 8,
        "num_hidden_layers": 12, "pad_token_id": 1, "projection_dim": 512, "vocab_size": 49408,
    },
    "vision_config": {
        "attention_dropout": 0.0, "dropout": 0.0, "hidden_act": "quick_gelu", "hidden_size": 768,
        "image_size": 224, "initializer_factor": 1.0, "initializer_range": 0.02,
        "intermediate_size": 3072, "layer_norm_eps": 1e-05, "model_type": "clip_vision_model",
        "num_attention_heads": 12, "num_hidden_layers": 12, "patch_size": 32, "projection_dim": 512,
    },
}

# openai/clip-vit-base-patch32: preprocessor_config.json (SD's feature extractor above, without do_convert_rgb)
CLIP_VIT_B32_PREPROCESSOR_CONFIG = {k: v for k, v in SD15_FEATURE_EXTRACTOR_CONFIG.items() if k != "do_convert_rgb"}

# The published sizes (the original Stable Diffusion repository's README, CompVis/stable-diffusion: "its 860M UNet and 123M text encoder")
SD15_PARAM_COUNTS = {"unet": 859_520_964, "vae": 83_653_863, "text_encoder": 123_060_480}
COMPONENTS = tuple(SD15_PARAM_COUNTS)
CLIP_VIT_B32_PARAM_COUNT = 151_277_313  # openai/clip-vit-base-patch32, both towers and projections


def public(config: dict) -> dict:
    """The config without bookkeeping keys (``_class_name``, ``architectures``, ``model_type``, ...)."""
    skip = {"architectures", "model_type", "torch_dtype"}
    return {k: v for k, v in config.items() if not k.startswith("_") and k not in skip}


def build(component: str):
    """SD v1.5's ``unet``, ``vae`` or ``text_encoder`` with random weights, on the current default device."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    if component == "unet":
        return UNet2DConditionModel(**public(SD15_UNET_CONFIG))
    if component == "vae":
        return AutoencoderKL(**public(SD15_VAE_CONFIG))
    if component == "text_encoder":
        return CLIPTextModel(CLIPTextConfig(**public(SD15_TEXT_ENCODER_CONFIG)))
    raise ValueError(f"component={component!r} is not one of SD v1.5's models; use one of {', '.join(COMPONENTS)}.")


def build_clip():
    """CLIP ViT-B/32 (both towers) with random weights, on the current default device."""
    from transformers import CLIPConfig, CLIPModel

    return CLIPModel(CLIPConfig(**public(CLIP_VIT_B32_CONFIG)))


def build_on_meta(component: str):
    """The same, on the ``meta`` device: every shape, no memory, no weights (cannot run)."""
    with torch.device("meta"):
        return build(component)


def count_parameters(model) -> int:
    """Number of parameters (shared tensors counted once, as ``model.parameters()`` does)."""
    return sum(p.numel() for p in model.parameters())
