"""What the course does with bad inputs: changed or damaged weights, a device this machine lacks, a dtype by name.

Each test works on a copy of the shipped weights in a temporary folder (``pretrained.SHIPPED`` points there)
and its own cache (``COURSE_CACHE``), so nothing the rest of the suite uses is touched.
"""

import json
import re
import shutil

import pytest
import torch
from diffusers import StableDiffusionPipeline

from course_utils import config, pretrained
from course_utils.errors import DamagedFileError
from course_utils.sd import loading

REAL_SHIPPED = pretrained.SHIPPED
UNET_WEIGHTS = "mini-sd/unet/diffusion_pytorch_model.safetensors"


@pytest.fixture
def shipped(monkeypatch, tmp_path):
    """A function copying shipped models into a temporary ``SHIPPED``, which it returns; the cache is temporary too."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(pretrained, "SHIPPED", tmp_path / "shipped")

    def copy(*names):
        for name in names:
            shutil.copytree(REAL_SHIPPED / name, tmp_path / "shipped" / name)
        return tmp_path / "shipped"

    return copy


def truncate(path, keep=1000):
    path.write_bytes(path.read_bytes()[:keep])


# --- 1. the cache copy of the shipped weights -----------------------------------------------------------


def test_a_change_anywhere_in_the_shipped_weights_gives_a_new_cache_copy(shipped):
    weights = shipped("mini-sd") / UNET_WEIGHTS
    before = pretrained.mini_sd_dir()
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # far beyond the first 4 KB, same size
    weights.write_bytes(bytes(data))
    after = pretrained.mini_sd_dir()
    assert after != before
    assert (after / "unet" / weights.name).read_bytes() == bytes(data)


def test_a_file_deleted_or_cut_short_in_the_cache_copy_is_restored(shipped):
    folder = shipped("mini-sd")
    copy = pretrained.mini_sd_dir()
    (copy / "unet" / "config.json").unlink()
    (copy / "tokenizer" / "vocab.json").unlink()
    assert pretrained.mini_sd_dir() == copy
    assert (copy / "unet" / "config.json").read_bytes() == (folder / "mini-sd" / "unet" / "config.json").read_bytes()
    assert (copy / "tokenizer" / "vocab.json").is_file()
    truncate(copy / "vae" / "diffusion_pytorch_model.safetensors")
    assert pretrained.mini_sd_dir() == copy
    restored = copy / "vae" / "diffusion_pytorch_model.safetensors"
    assert restored.read_bytes() == (folder / "mini-sd" / "vae" / restored.name).read_bytes()
    assert not [p for p in copy.parent.iterdir() if p.name.startswith(".")]  # no temporary folders left


# --- 2. damaged shipped files ---------------------------------------------------------------------------


def test_damaged_digit_classifier_names_the_file_and_the_fix(shipped):
    folder = shipped("digit-classifier") / "digit-classifier"
    truncate(folder / "model.safetensors")
    with pytest.raises(DamagedFileError, match=r"digit-classifier/model\.safetensors cannot be read.*force-reinstall"):
        pretrained.digit_classifier()
    shutil.copy(REAL_SHIPPED / "digit-classifier" / "model.safetensors", folder / "model.safetensors")
    (folder / "config.json").write_text('{"num_classes": 10, "wid')
    with pytest.raises(DamagedFileError, match=r"digit-classifier/config\.json cannot be read.*train_mini_sd\.py"):
        pretrained.digit_classifier()


def test_damaged_class_unet_names_the_file_and_the_fix(shipped):
    step = pretrained.latest_checkpoint(shipped("class-unet") / "class-unet")
    truncate(step / "ema_model.safetensors", keep=100_000)
    with pytest.raises(DamagedFileError, match=r"ema_model\.safetensors cannot be read.*train_class_unet\.py"):
        pretrained.class_unet(mode="mini")


@pytest.mark.parametrize("damaged", [UNET_WEIGHTS, "mini-sd/unet/config.json", "mini-sd/model_index.json"])
def test_damaged_mini_sd_names_the_shipped_file(shipped, damaged):
    path = shipped("mini-sd") / damaged
    truncate(path, keep=path.stat().st_size // 2)
    with pytest.raises(DamagedFileError, match=re.escape(str(path)) + ".*force-reinstall.*train_mini_sd.py"):
        loading.load_pipeline(mode="mini", device="cpu")


@pytest.mark.parametrize("damaged", ["mini-clip/model.safetensors", "mini-clip/config.json",
                                     "mini-sd/text_encoder/model.safetensors"])
def test_damaged_mini_clip_names_the_shipped_file(shipped, damaged):
    path = shipped("mini-sd", "mini-clip") / damaged
    truncate(path, keep=path.stat().st_size // 2)
    with pytest.raises(DamagedFileError, match=re.escape(str(path)) + ".*force-reinstall"):
        loading.load_clip(mode="mini", device="cpu")


def test_a_damaged_cache_copy_of_good_weights_says_to_delete_it(shipped):
    shipped("mini-sd")
    copy = pretrained.mini_sd_dir()
    weights = copy / "unet" / "diffusion_pytorch_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[:8] = b"\xff" * 8  # a header length no file has; the size is unchanged, so the copy looks whole
    weights.write_bytes(bytes(data))
    with pytest.raises(DamagedFileError, match=f"{re.escape(str(weights))} cannot be read.*cache copy.*delete {re.escape(str(copy))} "):
        loading.load_pipeline(mode="mini", device="cpu")


def test_other_errors_pass_through_unchanged(tmp_path):
    with pytest.raises(RuntimeError, match="unrelated") as caught:
        with pretrained.damaged_files(tmp_path):
            raise RuntimeError("unrelated")
    assert type(caught.value) is RuntimeError
    with pytest.raises(OSError, match="no such model"):
        with pretrained.damaged_files(tmp_path):
            raise OSError("no such model")


def test_a_file_error_from_elsewhere_is_not_blamed_on_good_weights(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(json.JSONDecodeError):
        with pretrained.damaged_files(tmp_path):
            json.loads("{not json")


# --- 3. device and dtype --------------------------------------------------------------------------------


@pytest.fixture
def no_loading(monkeypatch):
    """``StableDiffusionPipeline.from_pretrained`` records its arguments and loads nothing."""
    calls = []

    def record(cls, model_id, **kwargs):
        calls.append(kwargs)
        raise LookupError("loading stopped by the test")

    monkeypatch.setattr(StableDiffusionPipeline, "from_pretrained", classmethod(record))
    return calls


@pytest.mark.parametrize("device, unavailable", [("cuda", "cuda"), ("cuda:0", "cuda"), ("mps", "mps")])
def test_a_device_this_machine_lacks_is_refused_before_loading(monkeypatch, no_loading, device, unavailable):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: unavailable != "cuda")
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0 if unavailable == "cuda" else 1)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: unavailable != "mps")
    with pytest.raises(ValueError, match=f"device='{device}' but .* not available|device='{device}' but no CUDA GPU"):
        loading.load_pipeline(mode="mini", device=device)
    with pytest.raises(ValueError, match=f"device='{device}'"):
        loading.load_clip(mode="mini", device=device)
    assert no_loading == []


def test_missing_gpu_message_names_course_device_and_colab(monkeypatch, no_loading):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"no CUDA GPU.*COURSE_DEVICE.*'cpu'.*Runtime > Change runtime type"):
        loading.load_pipeline(mode="mini", device="cuda")
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    with pytest.raises(ValueError, match=r"COURSE_DEVICE='cuda' but no CUDA GPU.*unset it or set it to cpu.*Colab"):
        loading.load_pipeline(mode="mini")
    assert no_loading == []


@pytest.mark.parametrize("name, dtype", [("float32", torch.float32), ("float16", torch.float16),
                                         ("bfloat16", torch.bfloat16), ("Float16", torch.float16),
                                         (torch.float16, torch.float16)])
def test_dtype_by_name_is_used(no_loading, name, dtype):
    with pytest.raises(LookupError):
        loading.load_pipeline(mode="mini", device="cpu", dtype=name)
    assert no_loading[0]["dtype"] == dtype


@pytest.mark.parametrize("bad", ["fp16", "half", "float64", 16])
def test_unknown_dtype_lists_the_allowed_ones(no_loading, bad):
    with pytest.raises(ValueError, match=r"'float32', 'float16', 'bfloat16'"):
        loading.load_pipeline(mode="mini", device="cpu", dtype=bad)
    assert no_loading == []


def test_dtype_none_is_the_course_default(no_loading):
    with pytest.raises(LookupError):
        loading.load_pipeline(mode="mini", device="cpu")
    assert no_loading[0]["dtype"] == config.get_dtype("cpu")

