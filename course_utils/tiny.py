"""Tiny, randomly initialised stand-ins with Stable Diffusion v1's structure (smoke mode).

They are built once with a fixed seed and saved in the hub's folder layout, so smoke mode loads
them through exactly the same ``from_pretrained`` calls that full mode uses for SD v1.5.
The numbers they produce are meaningless; the shapes, dtypes and code paths are the real ones.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

import torch

TINY_VERSION = "v1"  # bump when a config below changes, so caches rebuild
CLIP_VOCAB_FILE = "bpe_simple_vocab_16e6.txt.gz"
N_MERGES = 49152 - 256 - 2  # CLIP keeps the first 48,894 merges of the BPE file


def cache_root() -> Path:
    root = os.environ.get("COURSE_CACHE") or Path.home() / ".cache" / "course_utils"
    return Path(root)


def tiny_sd_dir() -> Path:
    """Folder holding the tiny SD v1 model (built on first use, a few seconds)."""
    path = cache_root() / f"tiny-sd-v1-{TINY_VERSION}"
    if not (path / "model_index.json").exists():
        _build_atomically(path, _save_tiny_sd)
    return path


def tiny_clip_dir() -> Path:
    """Folder holding a tiny two-tower CLIP model and processor (notebook 04, smoke mode)."""
    path = cache_root() / f"tiny-clip-{TINY_VERSION}"
    if not (path / "config.json").exists():
        _build_atomically(path, _save_tiny_clip)
    return path


def _build_atomically(path: Path, build) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".building-"))
    try:
        build(tmp)
        if path.exists():  # another process finished first
            shutil.rmtree(tmp)
        else:
            tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _clip_bpe_file() -> Path:
    spec = importlib.util.find_spec("clip")  # locate, do not import (it imports torchvision)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "Smoke mode builds the real CLIP tokenizer from the BPE file inside the PyPI package "
            "`openai-clip`. Install it without its dependencies: "
            "`pip install --no-deps openai-clip==1.0.1`."
        )
    return Path(next(iter(spec.submodule_search_locations))) / CLIP_VOCAB_FILE


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte-level BPE: map each of the 256 bytes to a printable character."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes)))


def save_clip_tokenizer_files(folder: Path) -> None:
    """Write vocab.json, merges.txt and tokenizer_config.json as the hub's SD tokenizer has them."""
    lines = gzip.open(_clip_bpe_file()).read().decode("utf-8").split("\n")
    merges = lines[1 : N_MERGES + 1]  # line 0 is a version header
    byte_chars = list(_bytes_to_unicode().values())
    tokens = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m.split()) for m in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]  # ids 49406 and 49407
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    config = {
        "tokenizer_class": "CLIPTokenizer",
        "model_max_length": 77,
        "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>",
        "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2))


def _tiny_text_config():
    from transformers import CLIPTextConfig

    # SD v1: vocab 49,408, 77 positions (hidden 768, 12 layers in the real model)
    return CLIPTextConfig(
        vocab_size=49408, max_position_embeddings=77, hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, bos_token_id=49406, eos_token_id=49407,
        pad_token_id=49407, projection_dim=32,
    )


def _save_tiny_sd(folder: Path) -> None:
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPImageProcessor, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(  # SD v1: 4→4 channels, cross-attention on a 77-token context
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=1,
        block_out_channels=(32, 64),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, attention_head_dim=4, norm_num_groups=8,
    )
    vae = AutoencoderKL(  # 4 blocks → 3 downsamplings → factor 8, 4 latent channels
        in_channels=3, out_channels=3, latent_channels=4, sample_size=64, layers_per_block=1,
        block_out_channels=(8, 16, 32, 32), norm_num_groups=8,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
        scaling_factor=0.18215,
    )
    text_encoder = CLIPTextModel(_tiny_text_config())
    save_clip_tokenizer_files(folder / "tokenizer")
    tokenizer = CLIPTokenizer.from_pretrained(folder / "tokenizer")
    scheduler = PNDMScheduler(  # SD v1.5's own scheduler config
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
        num_train_timesteps=1000, set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1,
    )
    feature_extractor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    pipe = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=None, feature_extractor=feature_extractor, requires_safety_checker=False,
    )
    pipe.save_pretrained(folder, safe_serialization=True)


def _save_tiny_clip(folder: Path) -> None:
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    torch.manual_seed(0)
    config = CLIPConfig(
        text_config=_tiny_text_config().to_dict(),
        vision_config=dict(image_size=32, patch_size=8, hidden_size=32, intermediate_size=64,
                           num_hidden_layers=2, num_attention_heads=4, projection_dim=32),
        projection_dim=32,
    )
    CLIPModel(config).save_pretrained(folder, safe_serialization=True)
    save_clip_tokenizer_files(folder)
    processor = CLIPProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=CLIPTokenizer.from_pretrained(folder),
    )
    processor.save_pretrained(folder)
