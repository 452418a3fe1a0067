import pytest
import torch

from course_utils import config, errors


@pytest.fixture(autouse=True)
def fresh_cache():
    config._resolved.cache_clear()
    config.hub_reachable.cache_clear()
    yield
    config._resolved.cache_clear()
    config.hub_reachable.cache_clear()


def test_mini_mode_from_environment(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "mini")
    assert config.get_mode() == "mini"


def test_smoke_is_the_old_name_of_mini(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "smoke")
    assert config.get_mode() == "mini"
    assert "former name of mini" in config.mode_reason()
    assert config.get_mode("smoke") == "mini"


def test_bad_mode_lists_valid_ones(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "turbo")
    with pytest.raises(ValueError, match="auto, full, mini, smoke"):
        config.get_mode()
    with pytest.raises(ValueError, match="auto, full, mini, smoke"):
        config.get_mode("fast")


def test_auto_falls_back_to_mini_offline(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(config, "full_weights_cached", lambda: False)
    monkeypatch.setattr(config, "hub_reachable", lambda: False)
    assert config.get_mode() == "mini"
    assert "unreachable" in config.mode_reason()


def test_auto_picks_full_when_hub_answers(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(config, "full_weights_cached", lambda: False)
    monkeypatch.setattr(config, "hub_reachable", lambda: True)
    assert config.get_mode() == "full"


def test_auto_picks_full_when_weights_cached(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(config, "full_weights_cached", lambda: True)
    monkeypatch.setattr(config, "hub_reachable", lambda: False)
    assert config.get_mode() == "full"


def test_full_without_hub_says_how_to_switch(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "full")
    monkeypatch.setattr(config, "full_weights_cached", lambda: False)
    monkeypatch.setattr(config, "hub_reachable", lambda: False)
    with pytest.raises(errors.HubUnreachableError, match="COURSE_MODE.*mini"):
        config.get_mode()


def test_hub_unreachable_when_offline_flag_set():
    # HF_HUB_OFFLINE=1 is set for the smoke suite: the check must not even try the network.
    from huggingface_hub import constants

    if not constants.HF_HUB_OFFLINE:
        pytest.skip("only meaningful offline (make test MODE=mini)")
    assert config.hub_reachable() is False


def test_device_override_and_errors(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert config.get_device() == torch.device("cpu")
    monkeypatch.setenv("COURSE_DEVICE", "gpu0")
    with pytest.raises(ValueError, match="cpu, cuda, cuda:N or mps"):
        config.get_device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("COURSE_DEVICE", "cuda")
        with pytest.raises(ValueError, match="no CUDA GPU"):
            config.get_device()


def test_dtype_follows_device(monkeypatch):
    monkeypatch.delenv("COURSE_DTYPE", raising=False)  # `make test-dtypes` sets it; tests/test_dtypes.py covers it
    assert config.get_dtype("cpu") == torch.float32
    assert config.get_dtype("cuda") == torch.float16


def test_banner_names_mode_device_and_versions(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_MODE", "mini")
    text = config.banner()
    assert "MINI MODE" in text and "handwritten digits" in text and "not photos" in text and "Device" in text and "diffusers" in text and "torch" in text
    assert text in capsys.readouterr().out


def test_ids_live_in_config():
    assert config.SD_MODEL_ID == "stable-diffusion-v1-5/stable-diffusion-v1-5"
    assert config.FASHION_MNIST_ID == "zalando-datasets/fashion_mnist"


def test_outdated_library_is_named_with_the_fix(monkeypatch):
    import importlib.metadata as md

    real_version = md.version
    monkeypatch.setattr(md, "version", lambda name: "0.1.0" if name == "diffusers" else real_version(name))
    problems = config.outdated_libraries()
    assert any("diffusers 0.1.0 is older" in p and "pip install -U" in p for p in problems)
    monkeypatch.setattr(md, "version", real_version)
    assert config.outdated_libraries() == []


def test_colab_without_gpu_is_told_how_to_switch(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "smoke")
    monkeypatch.setattr(config, "in_colab", lambda: True)
    monkeypatch.setattr(config, "get_device", lambda: torch.device("cpu"))
    assert "Runtime > Change runtime type" in config.banner()
