"""Loading the models: SD v1.5 from the hub in full mode, the shipped miniature SD in mini mode.

Both modes go through the same ``from_pretrained`` calls; only the model id differs (a hub id,
or the local folder ``course_utils.pretrained`` assembles from the weights inside the package).
"""

from __future__ import annotations

import torch

from course_utils import config, pretrained
from course_utils.errors import explain_oom, hub_errors


def sd_model_id(mode: str | None = None) -> str:
    """The hub id (full) or the local folder (mini) holding SD v1's components."""
    return config.SD_MODEL_ID if config.get_mode(mode) == "full" else str(pretrained.mini_sd_dir())


def clip_model_id(mode: str | None = None) -> str:
    """CLIP ViT-B/32 from the hub (full) or the mini CLIP whose text tower is the mini SD's text encoder."""
    return config.CLIP_MODEL_ID if config.get_mode(mode) == "full" else str(pretrained.mini_clip_dir())


def load_tokenizer(mode: str | None = None):
    """SD v1's CLIP tokenizer: 49,408 tokens, 77 positions. Identical ids in both modes."""
    from transformers import CLIPTokenizer

    model_id = sd_model_id(mode)
    with hub_errors(model_id):
        return CLIPTokenizer.from_pretrained(model_id, subfolder="tokenizer")


def load_pipeline(mode: str | None = None, device=None, dtype: torch.dtype | None = None):
    """A ``StableDiffusionPipeline`` on ``device`` in ``dtype`` (fp16 on cuda by default)."""
    from diffusers import StableDiffusionPipeline

    device = torch.device(device) if device is not None else config.get_device()
    dtype = dtype or config.get_dtype(device)
    model_id = sd_model_id(mode)
    with hub_errors(model_id):
        pipe = StableDiffusionPipeline.from_pretrained(
            model_id,
            dtype=dtype,
            use_safetensors=True,
            # The safety checker is a second ~300M-parameter CLIP model that blacks out flagged
            # images. It teaches nothing about diffusion and costs memory a free GPU lacks, so
            # the course leaves it out; keep it in anything you publish.
            safety_checker=None,
            requires_safety_checker=False,
        )
    pipe.set_progress_bar_config(disable=True)
    with explain_oom():
        return pipe.to(device)


def load_clip(mode: str | None = None, device=None):
    """Both CLIP towers and their processor: ``(CLIPModel, CLIPProcessor)`` in fp32."""
    from transformers import CLIPModel, CLIPProcessor

    device = torch.device(device) if device is not None else config.get_device()
    model_id = clip_model_id(mode)
    with hub_errors(model_id):
        # dtype explicitly: transformers ≥ 5 would otherwise keep the stored dtype (the mini CLIP is stored in float16)
        model = CLIPModel.from_pretrained(model_id, use_safetensors=True, dtype=torch.float32)
        processor = CLIPProcessor.from_pretrained(model_id)
    with explain_oom():
        return model.to(device).eval(), processor
