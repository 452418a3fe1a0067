import json

import pytest
import torch
from diffusers import StableDiffusionPipeline

from course_utils import config, errors, pretrained
from course_utils.errors import CourseOutOfMemoryError, GatedModelError, explain_oom, hub_errors
from course_utils.mini_sd import tokenizer as tokenizer_files
from course_utils.sd import loading

PUPPY_IDS = [49406, 320, 8853, 539, 320, 6829, 49407]


def test_tokenizer_gives_clip_ids(tokenizer):
    assert tokenizer("A photograph of a puppy").input_ids == PUPPY_IDS
    assert len(tokenizer) == 49408
    assert tokenizer.model_max_length == 77


def test_tokenizer_pads_and_truncates_at_77(tokenizer):
    long_prompt = " ".join(["puppy"] * 200)
    ids = tokenizer(long_prompt, padding="max_length", truncation=True, max_length=77).input_ids
    assert len(ids) == 77 and ids[0] == 49406 and ids[-1] == 49407
    short = tokenizer("a puppy", padding="max_length", max_length=77).input_ids
    assert len(short) == 77 and short[3:] == [49407] * 74


def test_tokenizer_files_match_hub_layout():
    folder = pretrained.mini_sd_dir() / "tokenizer"
    vocab = json.loads((folder / "vocab.json").read_text())
    assert vocab["<|startoftext|>"] == 49406 and vocab["<|endoftext|>"] == 49407
    assert (folder / "merges.txt").read_text().splitlines()[0].startswith("#version")


def test_mini_pipeline_has_sd_v1_structure(pipe):
    assert isinstance(pipe, StableDiffusionPipeline)
    assert pipe.unet.config.in_channels == 4 and pipe.unet.config.out_channels == 4
    assert pipe.vae.config.latent_channels == 4
    assert 2 ** (len(pipe.vae.config.block_out_channels) - 1) == 8  # VAE factor 8
    assert 0.05 < pipe.vae.config.scaling_factor < 5  # measured after training (SD v1's: 0.18215)
    assert pipe.text_encoder.config.max_position_embeddings == 77
    assert pipe.text_encoder.config.vocab_size == 49408
    assert pipe.unet.config.cross_attention_dim == pipe.text_encoder.config.hidden_size
    sched = pipe.scheduler.config
    assert (sched.beta_start, sched.beta_end, sched.beta_schedule) == (0.00085, 0.012, "scaled_linear")
    assert pipe.safety_checker is None


def test_mini_pipeline_loads_via_from_pretrained(monkeypatch):
    calls = []
    original = StableDiffusionPipeline.from_pretrained.__func__

    def spy(cls, model_id, **kwargs):
        calls.append((model_id, kwargs))
        return original(cls, model_id, **kwargs)

    monkeypatch.setattr(StableDiffusionPipeline, "from_pretrained", classmethod(spy))
    loading.load_pipeline(mode="mini", device="cpu")
    (model_id, kwargs), = calls
    assert model_id == str(pretrained.mini_sd_dir())
    assert kwargs["use_safetensors"] is True and kwargs["dtype"] == config.get_dtype("cpu")  # COURSE_DTYPE or float32
    assert list(pretrained.mini_sd_dir().glob("unet/*.safetensors"))


def test_full_mode_uses_hub_id(monkeypatch):
    monkeypatch.setattr(config, "get_mode", lambda mode=None: "full")
    assert loading.sd_model_id() == config.SD_MODEL_ID


def test_mini_pipeline_runs_end_to_end(pipe):
    out = pipe("a puppy", num_inference_steps=2, output_type="pt",
               generator=torch.Generator().manual_seed(0)).images
    assert out.shape == (1, 3, 64, 64)
    assert 0 <= out.min() and out.max() <= 1


def test_gated_model_error_names_the_fix():
    import httpx
    from huggingface_hub.errors import GatedRepoError

    response = httpx.Response(401, request=httpx.Request("GET", "http://localhost/gated"))
    with pytest.raises(GatedModelError, match="accept its terms.*login"):
        with hub_errors("some/gated-model"):
            raise GatedRepoError("401 gated", response=response)


def test_offline_hub_error_says_mini_mode():
    from huggingface_hub.errors import LocalEntryNotFoundError

    with pytest.raises(errors.HubUnreachableError, match="COURSE_MODE"):
        with hub_errors(config.SD_MODEL_ID):
            raise LocalEntryNotFoundError("not cached")


def test_full_load_offline_raises_clear_error():
    # HF_HUB_OFFLINE=1: forcing full mode must fail with the course's message, not a raw traceback.
    from huggingface_hub import constants

    if not constants.HF_HUB_OFFLINE:
        pytest.skip("only meaningful offline (make test MODE=mini)")
    with pytest.raises(errors.HubUnreachableError, match="mini"):
        loading.load_pipeline(mode="full")


def test_out_of_memory_is_explained():
    with pytest.raises(CourseOutOfMemoryError, match="attention_slicing"):
        with explain_oom():
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    with pytest.raises(RuntimeError, match="unrelated"):
        with explain_oom():
            raise RuntimeError("unrelated")


def test_running_out_of_ram_is_explained_like_the_gpu():
    cpu_allocator = ("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
                     "you tried to allocate 80000000000 bytes. Error code 12 (Cannot allocate memory)")
    with pytest.raises(CourseOutOfMemoryError, match=r"^Decoding 4 images: The computer ran out of memory \(RAM.*80000000000 bytes"):
        with explain_oom("Decoding 4 images"):
            raise RuntimeError(cpu_allocator)
    with pytest.raises(CourseOutOfMemoryError, match=r"ran out of memory \(RAM"):
        with explain_oom():
            raise MemoryError()
    with pytest.raises(CourseOutOfMemoryError, match=r"^The GPU ran out of memory"):
        with explain_oom(device="cuda"):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


def test_load_clip_gives_float32_whatever_the_stored_dtype(monkeypatch, tmp_path):
    # transformers ≥ 5 keeps the stored dtype unless told; the mini CLIP is stored in float16
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel

    tiny = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, projection_dim=8)
    CLIPModel(CLIPConfig(text_config=tiny, vision_config={**tiny, "image_size": 32, "patch_size": 16},
                         projection_dim=8)).half().save_pretrained(tmp_path, safe_serialization=True)
    CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(tmp_path)
    tokenizer_files.save_clip_tokenizer_files(tmp_path)
    monkeypatch.setattr(loading, "clip_model_id", lambda mode=None: str(tmp_path))
    clip, _ = loading.load_clip(device="cpu")
    assert {p.dtype for p in clip.parameters()} == {torch.float32}


def test_missing_openai_clip_names_the_package(monkeypatch):
    monkeypatch.setattr(tokenizer_files.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install --no-deps openai-clip"):
        tokenizer_files._clip_bpe_file()


def test_loading_prints_no_torchvision_notice():
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("torchvision") is not None:
        pytest.skip("torchvision installed: transformers has nothing to say")
    code = "from course_utils.sd import loading; loading.load_pipeline(mode='mini', device='cpu'); loading.load_clip(mode='mini', device='cpu')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "requires torchvision" not in result.stderr
    unfiltered = "from transformers import CLIPImageProcessor"
    probe = subprocess.run([sys.executable, "-c", unfiltered], capture_output=True, text=True, timeout=300)
    assert "requires torchvision" in probe.stderr  # the notice exists: the filter is what hides it
