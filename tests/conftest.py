"""Shared fixtures. The suite runs offline in mini mode (`make test` sets the environment)."""

import os

import pytest

os.environ.setdefault("COURSE_MODE", "mini")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def pipe():
    from course_utils.sd.loading import load_pipeline

    return load_pipeline(mode="mini")


@pytest.fixture(scope="session")
def tokenizer():
    from course_utils.sd.loading import load_tokenizer

    return load_tokenizer(mode="mini")


@pytest.fixture(scope="session")
def tiny_sd_dir(tmp_path_factory):
    """A miniature SD with random weights, saved in the hub's layout: for tests that must run without
    the shipped weights (the mini SD's architecture, SD v1.5's scheduler and tokenizer)."""
    import torch
    from diffusers import PNDMScheduler, StableDiffusionPipeline
    from transformers import CLIPTextModel, CLIPTokenizer

    from course_utils.mini_sd import mini_clip, mini_vae, text_unet
    from course_utils.mini_sd.tokenizer import save_clip_tokenizer_files
    from course_utils.sd import architecture

    folder = tmp_path_factory.mktemp("tiny-sd")
    save_clip_tokenizer_files(folder / "tokenizer")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        text_encoder = CLIPTextModel(mini_clip.mini_clip_config().text_config)
    pipe = StableDiffusionPipeline(
        vae=mini_vae.build_mini_vae(), text_encoder=text_encoder,
        tokenizer=CLIPTokenizer.from_pretrained(folder / "tokenizer"),
        unet=text_unet.build_mini_unet(cross_attention_dim=mini_clip.TEXT_HIDDEN),
        scheduler=PNDMScheduler.from_config(architecture.SD15_SCHEDULER_CONFIG),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture(scope="session")
def tiny_pipe(tiny_sd_dir):
    """The tiny random SD loaded as ``load_pipeline`` loads (CPU, the course's dtype)."""
    from diffusers import StableDiffusionPipeline

    from course_utils import config

    pipe = StableDiffusionPipeline.from_pretrained(tiny_sd_dir, dtype=config.get_dtype("cpu"), safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe
