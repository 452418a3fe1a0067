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


@pytest.fixture
def gpu(monkeypatch):
    """A machine with a CUDA GPU, as far as mode selection asks."""
    monkeypatch.setattr(config, "get_device", lambda: torch.device("cuda"))


def test_auto_without_gpu_picks_mini_and_says_how_to_get_full(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(config, "get_device", lambda: torch.device("cpu"))
    monkeypatch.setattr(config, "full_weights_cached", lambda: True)  # not even cached weights tip it to full
    monkeypatch.setattr(config, "hub_reachable", lambda: True)
    assert config.get_mode() == "mini"
    assert config.mode_reason() == ("COURSE_MODE=auto and no GPU, so using mini mode; set COURSE_MODE=full to run "
                                    "SD v1.5 on the CPU anyway")
    assert "no GPU, so using mini mode" in config.banner()


def test_auto_honours_course_device_cpu_on_a_gpu_machine(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(config, "full_weights_cached", lambda: True)
    assert config.get_mode() == "mini" and "no GPU" in config.mode_reason()


def test_full_stays_one_variable_away_without_gpu(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "full")
    monkeypatch.setattr(config, "get_device", lambda: torch.device("cpu"))
    monkeypatch.setattr(config, "full_weights_cached", lambda: False)
    monkeypatch.setattr(config, "hub_reachable", lambda: True)
    assert config.get_mode() == "full"


def test_auto_falls_back_to_mini_when_hub_unreachable(monkeypatch, gpu):
    from huggingface_hub import constants

    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(config, "full_weights_cached", lambda: False)
    monkeypatch.setattr(config, "hub_reachable", lambda: False)
    assert config.get_mode() == "mini"
    assert config.mode_reason() == "COURSE_MODE=auto and the model hub is unreachable, so using mini mode"


def test_auto_offline_says_offline_mode_was_asked_for(monkeypatch, gpu):
    from huggingface_hub import constants

    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(config, "full_weights_cached", lambda: False)
    assert config.get_mode() == "mini"
    assert config.mode_reason() == ("COURSE_MODE=auto and offline mode was asked for (HF_HUB_OFFLINE=1), "
                                    "so using mini mode")
    assert "unreachable" not in config.mode_reason()
    config._resolved.cache_clear()
    monkeypatch.setenv("COURSE_MODE", "full")
    with pytest.raises(errors.HubUnreachableError, match=r"HF_HUB_OFFLINE=1\) and SD v1.5 is not cached"):
        config.get_mode()


def test_auto_picks_full_when_hub_answers(monkeypatch, gpu):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(config, "full_weights_cached", lambda: False)
    monkeypatch.setattr(config, "hub_reachable", lambda: True)
    assert config.get_mode() == "full"


def test_auto_picks_full_when_weights_cached(monkeypatch, gpu):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(config, "full_weights_cached", lambda: True)
    monkeypatch.setattr(config, "hub_reachable", lambda: False)
    assert config.get_mode() == "full"


def test_auto_on_apple_gpu_keeps_the_gpu_rules(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setattr(config, "get_device", lambda: torch.device("mps"))
    monkeypatch.setattr(config, "full_weights_cached", lambda: True)
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
        with pytest.raises(ValueError, match="no CUDA GPU.*unset it or set it to cpu.*Runtime > Change runtime type"):
            config.get_device()


def test_check_device_refuses_what_this_machine_lacks(monkeypatch):
    assert config.check_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert config.check_device("cuda:0") == torch.device("cuda:0")
    with pytest.raises(ValueError, match=r"device='cuda:1' but this machine has 1 CUDA GPU"):
        config.check_device("cuda:1")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device='mps' but MPS"):
        config.check_device("mps")
    with pytest.raises(ValueError, match="cpu, cuda, cuda:N or mps"):
        config.check_device("gpu")


def test_dtype_names_become_torch_dtypes():
    assert config.as_dtype("bfloat16") is torch.bfloat16 and config.as_dtype(" Float16 ") is torch.float16
    assert config.as_dtype(torch.float32) is torch.float32 and config.as_dtype(None) is None
    with pytest.raises(ValueError, match="'float32', 'float16', 'bfloat16'"):
        config.as_dtype("fp16")


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
