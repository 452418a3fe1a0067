"""COURSE_DTYPE reaches every place a dtype is chosen: loading, sampling, training (autocast).

These tests build a miniature SD with random weights (``tiny_sd_dir`` in conftest.py), so they
run without the shipped weights. ``make test-dtypes`` runs the whole suite under float16 and
bfloat16 as well.
"""

import pytest
import torch

from course_utils import config
from course_utils.sd import loading
from course_utils.sd.generate import generate
from course_utils.training.loop import train_loop

LOW_PRECISION = [torch.float16, torch.bfloat16]


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


@pytest.mark.parametrize("dtype", [torch.float32, *LOW_PRECISION], ids=name)
def test_course_dtype_overrides_the_default_on_every_device(monkeypatch, dtype):
    monkeypatch.setenv("COURSE_DTYPE", name(dtype))
    assert config.get_dtype("cpu") == config.get_dtype("cuda") == dtype
    assert "set by COURSE_DTYPE" in config.dtype_reason()


def test_without_course_dtype_the_device_decides(monkeypatch):
    monkeypatch.delenv("COURSE_DTYPE", raising=False)
    assert config.get_dtype("cpu") == torch.float32 and config.get_dtype("cuda") == torch.float16


@pytest.mark.parametrize("bad", ["fp16", "half", "float64", "int8", "torch.float16"])
def test_bad_course_dtype_names_the_choices(monkeypatch, bad):
    monkeypatch.setenv("COURSE_DTYPE", bad)
    with pytest.raises(ValueError, match=rf"COURSE_DTYPE='{bad}'.*float32, float16, bfloat16.*unset it"):
        config.get_dtype()


def test_tolerance_scales_with_the_dtype():
    tol = {dtype: config.tolerance(dtype)["atol"] for dtype in (torch.float32, *LOW_PRECISION)}
    assert tol[torch.float32] == pytest.approx(100 * 2**-23)  # float32 arithmetic: ulps of float32's epsilon
    assert tol[torch.float32] < tol[torch.float16] < tol[torch.bfloat16]
    # arithmetic in float32, then one rounding to float16 (epsilon 2^-10): LOW_PRECISION_ULPS of those
    assert config.tolerance(torch.ones(2, dtype=torch.float16), ulps=10)["rtol"] == pytest.approx(
        10 * 2**-23 + config.LOW_PRECISION_ULPS * 2**-10)
    assert config.tolerance(torch.float64, ulps=1)["atol"] == 2**-52
    assert config.tolerance(torch.bfloat16, ulps=0, low_precision_ulps=1)["atol"] == 2**-7
    with pytest.raises(ValueError, match="torch.equal"):
        config.tolerance(torch.ones(2, dtype=torch.long))


@pytest.fixture
def tiny_pipe_loader(monkeypatch, tiny_sd_dir):
    """``load_pipeline`` as the course calls it, reading the tiny random SD instead of the shipped one."""
    monkeypatch.setattr(loading, "sd_model_id", lambda mode=None: str(tiny_sd_dir))
    return lambda: loading.load_pipeline(device="cpu")


@pytest.mark.parametrize("dtype", LOW_PRECISION, ids=name)
def test_course_dtype_reaches_load_pipeline_and_generate(monkeypatch, tiny_pipe_loader, dtype):
    monkeypatch.setenv("COURSE_DTYPE", name(dtype))
    pipe = tiny_pipe_loader()
    assert {pipe.unet.dtype, pipe.vae.dtype, pipe.text_encoder.dtype} == {dtype}
    seen = []
    hook = pipe.unet.register_forward_hook(lambda module, args, output: seen.append((args[0].dtype, output[0].dtype)))
    try:
        images = generate(pipe, "a cat", height=32, width=32, num_inference_steps=1, generator=seeded())
    finally:
        hook.remove()
    assert seen and set(seen) == {(dtype, dtype)}  # latents in, noise prediction out: all in COURSE_DTYPE
    assert images.dtype == dtype and images.isfinite().all() and 0 <= images.min() and images.max() <= 1
    reference = pipe("a cat", height=32, width=32, num_inference_steps=1, generator=seeded(), output_type="pt").images
    assert torch.equal(images, reference)  # the same operations: bit for bit in any dtype on the CPU


class TinyModel(torch.nn.Linear):
    config = {"in_features": 4, "out_features": 1}  # checkpoints store the model's config


def record_autocast(num_steps=3, **kwargs):
    """Train a tiny linear model and record, inside each step's loss, what autocast was doing."""
    model = TinyModel(4, 1)
    data = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))
    seen = []

    def loss_fn(index, generator):
        output = model(data[index.to(data.device)])  # (B, 1)
        seen.append((torch.is_autocast_enabled("cpu"), output.dtype))
        return output.float().pow(2).mean()

    losses = train_loop(model, loss_fn, num_examples=8, num_steps=num_steps, batch_size=4, learning_rate=1e-2,
                        settings={}, device="cpu", progress=False, **kwargs)
    return seen, losses, model


@pytest.mark.parametrize("dtype", LOW_PRECISION, ids=name)
def test_course_dtype_reaches_training_autocast(monkeypatch, dtype):
    monkeypatch.setenv("COURSE_DTYPE", name(dtype))
    seen, losses, model = record_autocast()
    assert seen == [(True, dtype)] * 3  # the forward pass ran under autocast in COURSE_DTYPE
    assert model.weight.dtype == torch.float32  # the weights the optimizer updates stay float32
    assert all(torch.isfinite(torch.tensor(losses)))


def test_float32_trains_without_autocast(monkeypatch):
    monkeypatch.setenv("COURSE_DTYPE", "float32")
    seen, _, _ = record_autocast()
    assert seen == [(False, torch.float32)] * 3


def test_float16_training_uses_a_gradient_scaler_and_resumes(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DTYPE", "float16")
    _, straight, _ = record_autocast(num_steps=4)
    record_autocast(num_steps=2, checkpoint_dir=tmp_path, checkpoint_every=2)
    state = torch.load(next(tmp_path.glob("step_*")) / "training_state.pt", weights_only=True)
    assert state["scaler"]["scale"] > 1  # float16: the loss is scaled up so small gradients survive
    _, resumed, _ = record_autocast(num_steps=4, checkpoint_dir=tmp_path, checkpoint_every=2)
    assert resumed == straight


def test_a_dtype_that_cannot_be_trained_in_is_refused():
    with pytest.raises(ValueError, match="torch.float32, torch.float16 or torch.bfloat16"):
        record_autocast(dtype=torch.float64)
