"""Loading the models: SD v1.5 from the hub in full mode, the shipped miniature SD in mini mode.

Both modes go through the same ``from_pretrained`` calls; only the model id differs (a hub id,
or the local folder ``course_utils.pretrained`` assembles from the weights inside the package).
The device is checked before anything loads; a shipped file that cannot be read becomes a
``DamagedFileError`` that names it and the fix.
"""

from __future__ import annotations

import contextlib

import torch

from course_utils import config, pretrained
from course_utils.errors import explain_oom, hub_errors


def sd_model_id(mode: str | None = None) -> str:
    """The hub id (full) or the local folder (mini) holding SD v1's components."""
    return config.SD_MODEL_ID if config.get_mode(mode) == "full" else str(pretrained.mini_sd_dir())


def clip_model_id(mode: str | None = None) -> str:
    """CLIP ViT-B/32 from the hub (full) or the mini CLIP whose text tower is the mini SD's text encoder."""
    return config.CLIP_MODEL_ID if config.get_mode(mode) == "full" else str(pretrained.mini_clip_dir())


@contextlib.contextmanager
def _loading_errors(model_id: str, mode: str | None = None):
    """Hub failures (full mode) and unreadable shipped files (mini mode) as errors that say what to do."""
    with hub_errors(model_id):
        if config.get_mode(mode) == "mini":
            with pretrained.damaged_files(model_id):
                yield
        else:
            yield


def _checked_device(device) -> torch.device:
    return config.check_device(device) if device is not None else config.get_device()


def load_tokenizer(mode: str | None = None):
    """SD v1's CLIP tokenizer: 49,408 tokens, 77 positions. Identical ids in both modes."""
    from transformers import CLIPTokenizer

    model_id = sd_model_id(mode)
    with _loading_errors(model_id, mode):
        return CLIPTokenizer.from_pretrained(model_id, subfolder="tokenizer")


def load_pipeline(mode: str | None = None, device=None, dtype: torch.dtype | str | None = None):
    """A ``StableDiffusionPipeline`` on ``device`` in ``dtype`` (fp16 on cuda by default).

    ``dtype`` may be named: ``"float32"``, ``"float16"`` or ``"bfloat16"``. A device this machine lacks
    is refused before anything loads.
    """
    from diffusers import StableDiffusionPipeline

    device = _checked_device(device)
    dtype = config.as_dtype(dtype) or config.get_dtype(device)
    model_id = sd_model_id(mode)
    with _loading_errors(model_id, mode):
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

    device = _checked_device(device)
    model_id = clip_model_id(mode)
    with _loading_errors(model_id, mode):
        # dtype explicitly: transformers ≥ 5 would otherwise keep the stored dtype (the mini CLIP is stored in float16)
        model = CLIPModel.from_pretrained(model_id, use_safetensors=True, dtype=torch.float32)
        processor = CLIPProcessor.from_pretrained(model_id)
    with explain_oom():
        return model.to(device).eval(), processor
