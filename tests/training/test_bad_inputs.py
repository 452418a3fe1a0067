"""What the training loop does with bad input: nothing a learner trained is lost, and the error names the fix.

Most tests fit a ``torch.nn.Linear`` through ``train_loop`` with a custom ``loss_fn`` (milliseconds a run);
the class UNet tests use the tiny ``course_smoke`` recipe, and one resumes the shipped checkpoint.
"""

import errno
import math
import os
import pathlib
import re
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from course_utils import pretrained
from course_utils.class_unet import recipes, training
from course_utils.data import sources, transforms
from course_utils.errors import DamagedFileError, MissingWeightsError, TrainingDivergedError
from course_utils.training import checkpoints
from course_utils.training.loop import train_loop

SMOKE = recipes.get_recipe("course_smoke")


def examples(n=16):
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(n, 4, generator=generator)  # (N, 4)
    return inputs, inputs @ torch.randn(4, 2, generator=generator)  # (N, 2) a linear target


def mse(model, index):
    inputs, targets = examples()
    return ((model(inputs[index]) - targets[index]) ** 2).mean()


def fit(model=None, loss_fn=None, **kwargs):
    """Fit a Linear(4, 2) (or ``model``) with the course's loop: float32 on the CPU, no progress bar."""
    model = model if model is not None else linear()
    loss_fn = loss_fn or (lambda index, generator: mse(model, index))
    settings = dict(num_examples=16, num_steps=6, batch_size=4, learning_rate=1e-2, settings={"model": "linear"},
                    device="cpu", dtype=torch.float32, progress=False)
    return train_loop(model, loss_fn, **{**settings, **kwargs})


def linear(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Linear(4, 2)


def nan_at_call(model, call):
    """A loss_fn that returns NaN on its ``call``-th call (1-based), the mean squared error otherwise."""
    calls = {"n": 0}

    def loss_fn(index, generator):
        calls["n"] += 1
        loss = mse(model, index)
        return loss * float("nan") if calls["n"] == call else loss

    return loss_fn


def assert_same_weights(a, b):
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def all_finite(folder):
    return all(v.isfinite().all() for v in load_file(str(folder / "model.safetensors")).values())


def truncate(path, keep=None):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2 if keep is None else keep])


# --- 1. a diverging run stops at the first NaN or inf and keeps the last finite checkpoint -----------------


def test_a_nan_loss_stops_the_run_names_the_fix_and_the_checkpoint_before_it_resumes(tmp_path):
    reference = linear()
    reference_losses = fit(reference)
    model = linear()
    with pytest.raises(TrainingDivergedError, match=r"loss became nan at step 5 of 6 \(learning_rate=0\.01, "
                       r"float32, no autocast\).*÷10 to learning_rate=0\.001.*step_00000004, is kept"):
        fit(model, nan_at_call(model, 5), checkpoint_dir=tmp_path, checkpoint_every=2)
    assert [p.name for p in checkpoints.step_folders(tmp_path)] == ["step_00000004"]
    assert all_finite(tmp_path / "step_00000004")
    again = linear(seed=7)  # the loss_fn fixed, the same call resumes and matches the uninterrupted run
    assert fit(again, checkpoint_dir=tmp_path, checkpoint_every=2) == reference_losses
    assert_same_weights(reference, again)


def test_a_huge_learning_rate_on_the_class_unet_keeps_the_last_finite_checkpoint(tmp_path):
    generator = torch.Generator().manual_seed(1)
    data = torch.rand(24, 1, 32, 32, generator=generator) * 2 - 1, torch.arange(24) % 10  # (N, 1, 32, 32), (N,)
    settings = dict(noise_scheduler=SMOKE.make_noise_scheduler(), num_steps=6, batch_size=4, learning_rate=1e6,
                    device="cpu", progress=False, checkpoint_dir=tmp_path, checkpoint_every=1)
    with pytest.raises(TrainingDivergedError, match=r"learning_rate=1e\+06.*÷10 to learning_rate=100000.*fresh checkpoint_dir"):
        training.train_class_conditioned(SMOKE.build_unet(), data, **settings)
    folders = checkpoints.step_folders(tmp_path)
    assert len(folders) == 1 and all_finite(folders[0])  # the steps before the NaN, never one holding it


def test_the_class_unet_takes_numpy_numbers_and_refuses_a_string_dropout(tmp_path):
    generator = torch.Generator().manual_seed(1)
    data = torch.rand(8, 1, 32, 32, generator=generator) * 2 - 1, torch.arange(8) % 10  # (N, 1, 32, 32), (N,)
    settings = dict(noise_scheduler=SMOKE.make_noise_scheduler(), num_steps=np.int64(2), batch_size=np.int64(4),
                    learning_rate=np.float32(1e-3), label_dropout=np.float32(0.1), seed=np.int64(1), device="cpu",
                    progress=False, checkpoint_dir=tmp_path, checkpoint_every=np.int64(1))
    assert len(training.train_class_conditioned(SMOKE.build_unet(), data, **settings)) == 2
    with pytest.raises(ValueError, match=r"label_dropout='0\.1' must be in \[0, 1\)"):
        training.train_class_conditioned(SMOKE.build_unet(), data, **{**settings, "label_dropout": "0.1"})


def test_finite_loss_but_nan_weights_are_never_saved(tmp_path):
    model = linear()
    calls = {"n": 0}

    def nan_gradient_at_call_3(index, generator):
        calls["n"] += 1
        loss = mse(model, index)
        if calls["n"] == 3:  # the loss stays finite, its gradient is 0·∞ = NaN: √|w − w| at 0
            loss = loss + (model.weight - model.weight.detach()).abs().sqrt().sum()
        return loss

    with pytest.raises(TrainingDivergedError, match=r"After step 3 of 6 weight .*hold NaN or inf.*step_00000002"):
        fit(model, nan_gradient_at_call_3, checkpoint_dir=tmp_path, checkpoint_every=1)
    assert [p.name for p in checkpoints.step_folders(tmp_path)] == ["step_00000002"]
    assert all_finite(tmp_path / "step_00000002")


@pytest.mark.parametrize("dtype, advice", [(torch.float16, "float16 autocast.*train in bfloat16 or float32"),
                                           (torch.bfloat16, "bfloat16 autocast.*train in float32")])
def test_divergence_under_autocast_suggests_a_wider_dtype(dtype, advice):
    model = linear()
    with pytest.raises(TrainingDivergedError, match=r"loss became inf at step 1 .*" + advice):
        fit(model, lambda index, generator: mse(model, index) * float("inf"), dtype=dtype)


def test_save_checkpoint_refuses_nan_weights_and_keeps_the_older_one(tmp_path):
    fit(checkpoint_dir=tmp_path, num_steps=2)
    model, optimizer = linear(), None
    with torch.no_grad():
        model.weight[0, 0] = float("nan")
    with pytest.raises(TrainingDivergedError, match="Not saving step 3: weight"):
        checkpoints.save_checkpoint(tmp_path, 3, model, optimizer, None, torch.Generator(), {}, [], None, 0)
    assert [p.name for p in tmp_path.iterdir()] == ["step_00000002"]


def test_a_checkpoint_holding_nan_weights_is_refused_on_resume(tmp_path):
    fit(checkpoint_dir=tmp_path, num_steps=2)
    weights = tmp_path / "step_00000002" / "model.safetensors"
    save_file({k: torch.full_like(v, float("nan")) for k, v in load_file(str(weights)).items()}, str(weights))
    with pytest.raises(TrainingDivergedError, match=r"step_00000002 holds NaN or inf.*delete step_00000002"):
        fit(checkpoint_dir=tmp_path)


def test_a_loss_fn_that_returns_no_scalar_is_refused():
    model = linear()
    with pytest.raises(ValueError, match=r"loss_fn returned Tensor \(4,\); it must return a scalar tensor"):
        fit(model, lambda index, generator: ((model(examples()[0][index]) - 1) ** 2).mean(1))


@pytest.mark.parametrize("kwargs, message", [
    ({"learning_rate": float("inf")}, "learning_rate=inf must be positive and finite"),
    ({"learning_rate": float("nan")}, "learning_rate=nan must be positive and finite"),
    ({"learning_rate": "1e-3"}, r"learning_rate='1e-3' must be positive and finite, e\.g\. 1e-3 \(a number, not the string"),
    ({"learning_rate": True}, "learning_rate=True must be positive and finite"),
    ({"learning_rate": 10**400}, "must be positive and finite"),
    ({"max_grad_norm": float("inf")}, "max_grad_norm=inf must be positive and finite"),
    ({"max_grad_norm": "1.0"}, "max_grad_norm='1.0' must be positive and finite"),
    ({"ema_decay": float("nan")}, "ema_decay=nan must lie strictly between 0 and 1"),
    ({"ema_decay": "0.9"}, "ema_decay='0.9' must lie strictly between 0 and 1"),
    ({"max_seconds": float("inf")}, "max_seconds=inf must be positive and finite, or None"),
    ({"max_seconds": False}, "max_seconds=False must be positive and finite"),
    ({"weight_decay": float("nan")}, "weight_decay=nan must be a finite number ≥ 0"),
    ({"num_steps": 6.0}, r"num_steps=6\.0 must be a positive int, e\.g\. num_steps=100"),
    ({"num_steps": "6"}, r"num_steps='6' must be a positive int \(a number, not the string '6'\)"),
    ({"num_steps": True}, "num_steps=True must be a positive int"),
    ({"batch_size": 4.0}, r"batch_size=4\.0 must be an int from 1 to the dataset size \(16 examples\)"),
    ({"checkpoint_every": "2"}, "checkpoint_every='2' must be a positive int"),
    ({"warmup_steps": 1.5}, r"warmup_steps=1\.5 must be an int from 0 to num_steps=6"),
    ({"stop_at_step": 2.0}, r"stop_at_step=2\.0 must be an int from 1 to num_steps=6"),
    ({"seed": -1}, r"seed=-1 must be an int from 0 to 2\*\*32 − 1"),
    ({"seed": "0"}, "seed='0' must be an int"),
    ({"checkpoint_dir": 3}, r"checkpoint_dir=3 must be a folder's path"),
])
def test_bad_settings_are_refused_with_the_fix(kwargs, message):
    calls = []
    with pytest.raises(ValueError, match=message):
        fit(loss_fn=lambda index, generator: calls.append(index), **kwargs)
    assert calls == []  # refused before the first step


def test_numpy_numbers_are_accepted_and_resume_like_python_ones(tmp_path):
    reference = linear()
    losses = fit(reference, num_steps=6, seed=3)
    as_numpy = dict(num_steps=np.int64(6), batch_size=np.int32(4), learning_rate=np.float64(1e-2),
                    checkpoint_every=np.int64(2), warmup_steps=np.int64(0), stop_at_step=np.int64(3), seed=np.int64(3))
    assert fit(checkpoint_dir=tmp_path, **as_numpy) == losses[:3]
    again = linear(seed=5)  # resumed with plain Python numbers: the stored settings are plain numbers too
    assert fit(again, checkpoint_dir=tmp_path, num_steps=6, checkpoint_every=2, seed=3) == losses
    assert_same_weights(reference, again)
    assert fit(num_steps=1, learning_rate=np.float32(1e-2), seed=3) == losses[:1]  # before the first update


# --- 2. a checkpoint_dir inside the installed package ---------------------------------------------------


def listing(folder):
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


@pytest.mark.parametrize("inside", ["shipped/class-unet", "shipped/class-unet/step_00002990", "my-run",
                                    "training/../shipped/class-unet", "."])
def test_a_checkpoint_dir_inside_the_package_is_refused_before_anything_is_touched(inside):
    shipped = checkpoints.PACKAGE / "shipped" / "class-unet"
    before = listing(shipped)
    calls = []
    with pytest.raises(ValueError, match=r"inside the installed course_utils package.*delete it when pruning.*"
                       + re.escape('shutil.copytree(pretrained.class_unet_checkpoint().parent, "my-checkpoints")')):
        fit(loss_fn=lambda index, generator: calls.append(index), checkpoint_dir=str(checkpoints.PACKAGE / inside))
    assert calls == [] and listing(shipped) == before and not (checkpoints.PACKAGE / "my-run").exists()
    assert pretrained.class_unet_checkpoint().parent == shipped  # the name the message gives is the real one


def test_the_shipped_checkpoint_copied_as_the_message_says_resumes(tmp_path):
    recipe = recipes.get_recipe("course_mini")
    shipped = pretrained.class_unet_checkpoint()
    before = listing(shipped.parent)
    shutil.copytree(pretrained.class_unet_checkpoint().parent, tmp_path / "my-checkpoints")
    step = int(shipped.name.removeprefix("step_"))
    data = transforms.to_training_tensors(sources.load_fashion_mnist("train", mode="mini"))
    losses = training.train_class_conditioned(
        recipe.build_unet(), data, noise_scheduler=recipe.make_noise_scheduler(), checkpoint_dir=tmp_path / "my-checkpoints",
        seed=0, device="cpu", progress=False, stop_at_step=step + 1, **recipe.training_kwargs())
    assert len(losses) == step + 1 and math.isfinite(losses[-1])
    assert [p.name for p in checkpoints.step_folders(tmp_path / "my-checkpoints")] == [f"step_{step + 1:08d}"]
    assert listing(shipped.parent) == before


# --- 3. damaged checkpoint files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["model.safetensors", "training_state.pt", "checkpoint.json", checkpoints.EMA_FILE])
@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_checkpoint_file_names_the_file_and_the_fix(tmp_path, name, damage):
    fit(checkpoint_dir=tmp_path, num_steps=4, checkpoint_every=2, ema_decay=0.9)
    path = tmp_path / "step_00000004" / name
    if damage == "truncated":
        truncate(path)
    else:
        path.write_bytes(b"" if damage == "empty" else b"\x00not a checkpoint\xff" * 10)
    with pytest.raises(DamagedFileError, match=re.escape(str(path)) + r" cannot be read: it is truncated, corrupt "
                       r".*No older checkpoint is there: delete step_00000004 .*shutil\.rmtree.*fresh checkpoint_dir"):
        fit(checkpoint_dir=tmp_path, num_steps=6, checkpoint_every=2, ema_decay=0.9)
    assert path.exists()  # nothing was pruned or overwritten


def test_a_damaged_newest_checkpoint_points_to_an_older_complete_one(tmp_path):
    reference = linear()
    reference_losses = fit(reference)
    fit(checkpoint_dir=tmp_path, num_steps=6, stop_at_step=2)
    shutil.copytree(tmp_path / "step_00000002", tmp_path / "kept")
    fit(checkpoint_dir=tmp_path, num_steps=6, stop_at_step=4)  # prunes step 2 …
    (tmp_path / "kept").rename(tmp_path / "step_00000002")  # … so put it back, as a crash mid-prune leaves it
    truncate(tmp_path / "step_00000004" / "training_state.pt")
    with pytest.raises(DamagedFileError, match=r"training_state\.pt cannot be read.*An older complete checkpoint, "
                       r"step_00000002, is in the same folder: delete step_00000004"):
        fit(checkpoint_dir=tmp_path)
    shutil.rmtree(tmp_path / "step_00000004")  # the fix the message names
    again = linear(seed=3)
    assert fit(again, checkpoint_dir=tmp_path) == reference_losses
    assert_same_weights(reference, again)


@pytest.mark.parametrize("name", checkpoints.CHECKPOINT_FILES)
def test_a_checkpoint_missing_a_file_is_reported_not_skipped_and_overwritten(tmp_path, name):
    fit(checkpoint_dir=tmp_path, num_steps=2)
    (tmp_path / "step_00000002" / name).unlink()
    with pytest.raises(MissingWeightsError, match=re.escape(name) + r" cannot be read: it is missing.*delete step_00000002"):
        fit(checkpoint_dir=tmp_path)
    assert (tmp_path / "step_00000002").is_dir()


def test_a_checkpoint_json_without_its_keys_is_damaged(tmp_path):
    fit(checkpoint_dir=tmp_path, num_steps=2)
    (tmp_path / "step_00000002" / "checkpoint.json").write_text('{"step": 2}')
    with pytest.raises(DamagedFileError, match=r"checkpoint\.json cannot be read.*KeyError"):
        fit(checkpoint_dir=tmp_path)


# --- 4. a checkpoint folder that cannot be written ------------------------------------------------------


def counting_loss():
    model, calls = linear(), []

    def loss_fn(index, generator):
        calls.append(index)
        return mse(model, index)

    return model, loss_fn, calls


@pytest.mark.parametrize("where", ["file/checkpoints", "file"])
def test_a_checkpoint_dir_at_or_under_a_file_fails_before_step_1(tmp_path, where):
    (tmp_path / "file").write_text("not a folder")
    model, loss_fn, calls = counting_loss()
    with pytest.raises(ValueError, match=re.escape(f"{tmp_path / 'file'} is a file. Pass the path of a folder")):
        fit(model, loss_fn, checkpoint_dir=tmp_path / where)
    assert calls == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write to read-only folders")
def test_a_read_only_checkpoint_dir_fails_before_step_1(tmp_path):
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    model, loss_fn, calls = counting_loss()
    try:
        with pytest.raises(PermissionError, match=re.escape(f"cannot be written to {read_only / 'run'}")
                           + ".*nothing was trained"):
            fit(model, loss_fn, checkpoint_dir=read_only / "run")
    finally:
        read_only.chmod(0o755)
    assert calls == []


def test_a_read_only_file_system_fails_before_step_1(tmp_path, monkeypatch):
    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(pathlib.Path, "write_bytes", read_only)  # runs as root too, unlike chmod
    model, loss_fn, calls = counting_loss()
    with pytest.raises(OSError, match=re.escape(f"Checkpoints cannot be written to {tmp_path / 'run'} (Read-only file "
                                                "system); nothing was trained. Pass a checkpoint_dir you can write to")):
        fit(model, loss_fn, checkpoint_dir=tmp_path / "run")
    assert calls == []


def test_the_write_probe_leaves_nothing_behind_and_a_finished_run_reloads_without_writing(tmp_path, monkeypatch):
    losses = fit(checkpoint_dir=tmp_path / "run", num_steps=2)
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["step_00000002"]

    def no_writes(folder):
        raise AssertionError("a finished run needs no writable folder")

    monkeypatch.setattr("course_utils.training.loop.check_writable", no_writes)
    assert fit(checkpoint_dir=tmp_path / "run", num_steps=2) == losses
