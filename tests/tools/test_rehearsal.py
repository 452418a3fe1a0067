"""tools/models/rehearse_full_size.py: full mode's models at full size, and a hub-layout cache full mode loads offline."""

import os
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "models"))
import hub_cache  # noqa: E402
import rehearse_full_size  # noqa: E402


def test_full_size_parts_built_on_meta_have_the_published_counts():
    models = rehearse_full_size.build_components("meta")  # shapes only: no memory, a second or two
    assert all(next(m.parameters()).device.type == "meta" for m in models.values())
    assert rehearse_full_size.parameter_counts(models) == rehearse_full_size.expected_counts() == {
        "unet": 859_520_964, "vae": 83_653_863, "text_encoder": 123_060_480, "clip": 151_277_313}


def test_the_fashion_mnist_standin_has_the_published_layout():
    splits = rehearse_full_size.fashion_mnist_standin({"train": 12, "test": 3})
    images, labels = splits["train"]
    assert len(images) == len(labels) == 12 and images[0].size == (28, 28) and images[0].mode == "L"
    assert set(labels) <= set(range(10)) and rehearse_full_size.STANDIN_SIZES == {"train": 60_000, "test": 10_000}


LOAD_IN_FULL_MODE = """
import torch
from course_utils import config
from course_utils.data import sources
from course_utils.sd import loading
from course_utils.sd.generate import generate
assert config.get_mode() == "full", config.mode_reason()
pipe = loading.load_pipeline(device="cpu")
images = generate(pipe, "a cat", height=32, width=32, num_inference_steps=1, generator=torch.Generator().manual_seed(0))
clip, processor = loading.load_clip(device="cpu")
logits = clip(**processor(text=["a cat"], images=[sources.load_sample_photo(64)], return_tensors="pt")).logits_per_image
test = sources.load_fashion_mnist("test")
print(config.mode_reason(), tuple(images.shape), tuple(logits.shape), len(test), test.features["label"].names[0])
"""


def tiny_clip():
    """CLIP's two towers, tiny, but with ViT-B/32's 224-px input and 32-px patches (its processor's size)."""
    from transformers import CLIPConfig, CLIPModel

    text = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, projection_dim=16)
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, image_size=224,
                  patch_size=32, projection_dim=16)
    return CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=16))


def test_the_cache_written_in_the_hubs_layout_loads_offline_through_the_course_code(tmp_path):
    import datasets
    from transformers import CLIPTextModel

    from course_utils import config
    from course_utils.data import sources
    from course_utils.mini_sd import mini_clip, mini_vae, text_unet

    torch.manual_seed(0)
    hub_cache.write_sd_repo(tmp_path, config.SD_MODEL_ID, text_unet.build_mini_unet(mini_clip.TEXT_HIDDEN),
                            mini_vae.build_mini_vae(), CLIPTextModel(mini_clip.mini_clip_config().text_config))
    hub_cache.write_clip_repo(tmp_path, config.CLIP_MODEL_ID, tiny_clip())
    features = datasets.Features({"image": datasets.Image(),
                                  "label": datasets.ClassLabel(names=list(sources.FASHION_MNIST_CLASSES))})
    splits = rehearse_full_size.fashion_mnist_standin({"train": 20, "test": 10})
    hub_cache.write_image_dataset(tmp_path, config.FASHION_MNIST_ID, "fashion_mnist", splits, features, "stand-in")

    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_CACHE", "HF_DATASETS_CACHE", "HUGGINGFACE_HUB_CACHE")}
    env.update(HF_HOME=str(tmp_path), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", COURSE_MODE="full",
               PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", LOAD_IN_FULL_MODE], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == (
        "COURSE_MODE=full, SD v1.5 weights found in the local cache (1, 3, 32, 32) (1, 1) 10 T - shirt / top")
