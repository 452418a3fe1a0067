"""course_utils.training: data tensors, the loss, and checkpoint/resume that is exact."""

import json
import random

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from course_utils.checks import class_conditioned_unet
from course_utils.class_unet import recipes, training
from course_utils.data import sources, transforms
from course_utils.diffusion import objectives
from course_utils.training import checkpoints

RECIPE = recipes.get_recipe("course_smoke")


def tiny_data(n=24):
    generator = torch.Generator().manual_seed(1)
    images = torch.rand(n, 1, 32, 32, generator=generator) * 2 - 1  # (N, 1, 32, 32)
    return images, torch.arange(n) % 10


def train(model, num_steps=None, **kwargs):
    settings = dict(noise_scheduler=RECIPE.make_noise_scheduler(), num_steps=num_steps, batch_size=4,
                    learning_rate=1e-3, label_dropout=0.3, seed=0, device="cpu", progress=False)
    return training.train_class_conditioned(model, tiny_data(), **{**settings, **kwargs})


def assert_same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for name in sa:
        assert torch.equal(sa[name], sb[name]), f"{name} differs"


def test_to_training_tensors_pads_and_scales():
    dataset = sources.load_fashion_mnist("train").select(range(5))
    images, labels = transforms.to_training_tensors(dataset)
    assert images.shape == (5, 1, 32, 32) and labels.tolist() == dataset["label"]
    assert images.min() >= -1 and images.max() <= 1
    border = torch.ones(32, 32, dtype=torch.bool)
    border[2:30, 2:30] = False
    assert (images[:, 0][:, border] == -1).all()  # the padding is black
    original = torch.tensor(np.asarray(dataset[0]["image"]), dtype=torch.float32)  # (28, 28) 0..255
    assert torch.allclose(images[0, 0, 2:30, 2:30], original / 127.5 - 1)


def test_random_flip_mirrors_some_images_reproducibly():
    images = torch.arange(64 * 4, dtype=torch.float32).reshape(64, 1, 2, 2)
    out = transforms.random_flip(images, torch.Generator().manual_seed(0))
    flipped = (out == images.flip(-1)).flatten(1).all(1)
    kept = (out == images).flatten(1).all(1)
    assert (flipped | kept).all() and flipped.any() and kept.any()
    assert torch.equal(out, transforms.random_flip(images, torch.Generator().manual_seed(0)))


def test_drop_labels_uses_the_null_class_at_the_given_rate():
    labels = torch.arange(4000) % 10
    dropped = training.drop_labels(labels, 10, 0.1, torch.Generator().manual_seed(0))
    changed = dropped != labels
    assert (dropped[changed] == 10).all() and (dropped[~changed] == labels[~changed]).all()
    assert 0.08 < changed.float().mean() < 0.12
    assert torch.equal(training.drop_labels(labels, 10, 0.0, torch.Generator()), labels)


def test_diffusion_loss_is_mse_on_the_added_noise():
    model, scheduler = RECIPE.build_unet(), RECIPE.make_noise_scheduler()
    images, labels = tiny_data(4)
    torch.manual_seed(3)
    loss = objectives.diffusion_loss(model, scheduler, images, labels)
    torch.manual_seed(3)
    noise = torch.randn_like(images)
    timesteps = torch.randint(0, 1000, (4,))
    pred = model(scheduler.add_noise(images, noise, timesteps), timesteps, class_labels=labels).sample
    assert torch.allclose(loss, ((pred - noise) ** 2).mean())


def test_resume_after_three_steps_equals_six_uninterrupted(tmp_path):
    reference = RECIPE.build_unet()
    losses = train(reference, 6)
    resumed = RECIPE.build_unet()
    first = train(resumed, 3, checkpoint_dir=tmp_path)
    torch.manual_seed(123), random.seed(123), np.random.seed(123)  # disturb every global RNG
    torch.rand(10), random.random(), np.random.rand()
    again = RECIPE.build_unet()  # a new model object, as after a runtime restart
    losses_resumed = train(again, 6, checkpoint_dir=tmp_path)
    assert losses_resumed[:3] == first and losses_resumed == losses
    assert_same_weights(reference, again)


def test_resume_is_exact_with_ema_clipping_warmup_and_decay(tmp_path):
    levers = dict(warmup_steps=2, decay=True, max_grad_norm=0.5, ema_decay=0.9, min_snr_gamma=5.0, flip=False)
    reference = RECIPE.build_unet()
    losses = train(reference, 6, **levers)
    paused = RECIPE.build_unet()
    first = train(paused, 6, checkpoint_dir=tmp_path, stop_at_step=3, **levers)  # the schedule still spans 6
    assert len(first) == 3 and checkpoints.latest_checkpoint(tmp_path).name == "step_00000003"
    assert (checkpoints.latest_checkpoint(tmp_path) / checkpoints.EMA_FILE).is_file()
    again = RECIPE.build_unet()
    assert train(again, 6, checkpoint_dir=tmp_path, **levers) == losses
    assert_same_weights(reference, again)  # both hold the EMA weights now
    raw = load_file(str(checkpoints.latest_checkpoint(tmp_path) / "model.safetensors"))
    assert any(not torch.equal(raw[k], v) for k, v in again.state_dict().items())  # EMA ≠ raw weights


def test_ema_is_diffusers_emamodel_fed_the_weights_after_every_step(monkeypatch):
    from diffusers.training_utils import EMAModel

    model = RECIPE.build_unet()
    weights_after_each_step = []
    adamw_step = torch.optim.AdamW.step

    def recording_step(self, *args, **kwargs):
        out = adamw_step(self, *args, **kwargs)
        # requires_grad as the parameters have it: EMAModel.step copies, not averages, frozen tensors
        weights_after_each_step.append([p.detach().clone().requires_grad_(True) for p in model.parameters()])
        return out

    monkeypatch.setattr(torch.optim.AdamW, "step", recording_step)
    train(model, 3, ema_decay=0.9)
    ema = EMAModel(RECIPE.build_unet().parameters(), decay=0.9)  # starts from the initial weights
    for weights in weights_after_each_step:
        ema.step(weights)
    assert len(weights_after_each_step) == 3
    assert all(torch.equal(a, b) for a, b in zip(ema.shadow_params, model.parameters()))


def test_interruption_mid_run_loses_only_steps_since_the_last_checkpoint(tmp_path):
    reference = RECIPE.build_unet()
    train(reference, 6)
    crashing = RECIPE.build_unet()
    calls = {"n": 0}
    forward = crashing.forward

    def crash_on_fifth_call(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # the runtime disconnects during step 5
        return forward(*args, **kwargs)

    crashing.forward = crash_on_fifth_call
    with pytest.raises(KeyboardInterrupt):
        train(crashing, 6, checkpoint_dir=tmp_path, checkpoint_every=2)
    assert checkpoints.latest_checkpoint(tmp_path).name == "step_00000004"
    again = RECIPE.build_unet()
    train(again, 6, checkpoint_dir=tmp_path, checkpoint_every=2)
    assert_same_weights(reference, again)


def test_a_slimmed_checkpoint_is_a_quarter_the_size_and_resumes_with_fresh_moments(tmp_path, capsys):
    from diffusers.training_utils import EMAModel

    levers = dict(warmup_steps=2, decay=True, max_grad_norm=0.5, ema_decay=0.9, flip=False)
    reference_losses = train(RECIPE.build_unet(), 6, **levers)
    train(RECIPE.build_unet(), 6, checkpoint_dir=tmp_path / "full", stop_at_step=3, **levers)
    full = checkpoints.latest_checkpoint(tmp_path / "full")
    slim = checkpoints.slim_checkpoint(full, tmp_path / "slim")
    assert slim == tmp_path / "slim" / full.name and checkpoints.latest_checkpoint(tmp_path / "slim") == slim

    def size(folder):
        return sum(p.stat().st_size for p in folder.iterdir())

    assert size(slim) < 0.3 * size(full)
    assert torch.load(slim / "training_state.pt", weights_only=True)["optimizer"] is None
    # loading it: float16-rounded weights and EMA in the float32 model, AdamW with no moments yet
    model = RECIPE.build_unet(seed=5)
    optimizer = torch.optim.AdamW(model.parameters())
    ema = EMAModel(model.parameters(), decay=0.9)
    settings = json.loads((slim / "checkpoint.json").read_text())["settings"]
    step, _, _, _ = checkpoints.load_checkpoint(tmp_path / "slim", model, optimizer, torch.amp.GradScaler("cpu"),
                                             torch.Generator(), settings, "cpu", ema)
    assert step == 3 and not optimizer.state and "no optimizer state" in capsys.readouterr().out
    saved, saved_ema = load_file(str(full / "model.safetensors")), load_file(str(full / checkpoints.EMA_FILE))
    assert all(torch.equal(v, saved[k].half().float()) for k, v in model.state_dict().items())
    names = [name for name, _ in model.named_parameters()]
    assert all(p.dtype == torch.float32 and torch.equal(p, saved_ema[n].half().float())
               for n, p in zip(names, ema.shadow_params))
    # resuming it: the history and the data order carry on, the run finishes
    losses = train(RECIPE.build_unet(), 6, checkpoint_dir=tmp_path / "slim", **levers)
    assert len(losses) == 6 and losses[:3] == reference_losses[:3]


def test_checkpoint_files_are_safetensors_json_and_weights_only(tmp_path):
    model = RECIPE.build_unet()
    train(model, 4, checkpoint_dir=tmp_path, checkpoint_every=2)
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert folders == ["step_00000004"]  # older and temporary folders are cleaned up
    folder = tmp_path / "step_00000004"
    weights = load_file(str(folder / "model.safetensors"))
    assert all(torch.equal(weights[k], v) for k, v in model.state_dict().items())
    state = torch.load(folder / "training_state.pt", weights_only=True)
    assert {"optimizer", "scaler", "rng", "losses", "order", "position"} <= state.keys()
    assert {"python", "numpy", "torch", "data"} <= state["rng"].keys()
    meta = json.loads((folder / "checkpoint.json").read_text())
    assert meta["step"] == 4 and meta["model_config"]["block_out_channels"] == list(RECIPE.unet["block_out_channels"])


def test_a_crash_while_saving_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    train(RECIPE.build_unet(), 2, checkpoint_dir=tmp_path, checkpoint_every=2)
    real_save = torch.save

    def crash(*args, **kwargs):
        real_save(*args, **kwargs)
        raise OSError("disk vanished")  # after writing, before the rename

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError):
        train(RECIPE.build_unet(), 4, checkpoint_dir=tmp_path, checkpoint_every=2)
    monkeypatch.setattr(torch, "save", real_save)
    assert checkpoints.latest_checkpoint(tmp_path).name == "step_00000002"
    reference, again = RECIPE.build_unet(), RECIPE.build_unet()
    train(reference, 4)
    train(again, 4, checkpoint_dir=tmp_path, checkpoint_every=2)
    assert_same_weights(reference, again)


def test_finished_run_reloads_without_training(tmp_path):
    model = RECIPE.build_unet()
    losses = train(model, 3, checkpoint_dir=tmp_path)
    again = RECIPE.build_unet()
    assert train(again, 3, checkpoint_dir=tmp_path) == losses
    assert_same_weights(model, again)
    with pytest.raises(ValueError, match="past num_steps"):
        train(RECIPE.build_unet(), 2, checkpoint_dir=tmp_path)


def test_a_checkpoint_from_another_model_config_is_refused(tmp_path):
    train(RECIPE.build_unet(), 2, checkpoint_dir=tmp_path)
    other = recipes.Recipe(**{**RECIPE.__dict__, "unet": {**RECIPE.unet, "block_out_channels": (8, 8)}})
    with pytest.raises(ValueError, match="different model config.*block_out_channels.*fresh checkpoint_dir"):
        train(other.build_unet(), 4, checkpoint_dir=tmp_path)
    with pytest.raises(ValueError, match="different training settings.*batch_size"):
        train(RECIPE.build_unet(), 4, checkpoint_dir=tmp_path, batch_size=2)


def test_max_seconds_stops_after_the_step_that_ran_out_of_time():
    assert len(train(RECIPE.build_unet(), 50, max_seconds=1e-9)) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size=0 must be an int from 1 to the dataset size"),
    ({"batch_size": 25}, "use a smaller batch_size"),
    ({"num_steps": 0}, "num_steps=0 must be a positive int"),
    ({"label_dropout": 1.0}, r"label_dropout=1.0 must be in \[0, 1\)"),
    ({"learning_rate": 0}, "learning_rate=0 must be positive"),
    ({"warmup_steps": 3}, "warmup_steps=3 must be an int from 0 to num_steps=2"),
    ({"max_grad_norm": 0}, "max_grad_norm=0 must be positive"),
    ({"ema_decay": 1.0}, "ema_decay=1.0 must lie strictly between 0 and 1"),
    ({"stop_at_step": 3}, "stop_at_step=3 must be an int from 1 to num_steps=2"),
    ({"min_snr_gamma": 0}, "min_snr_gamma=0 must be positive"),
])
def test_bad_settings_name_the_fix(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train(RECIPE.build_unet(), **{"num_steps": 2, **kwargs})


def test_bad_labels_and_models_name_the_fix():
    images, labels = tiny_data()
    settings = dict(noise_scheduler=RECIPE.make_noise_scheduler(), num_steps=1, batch_size=4,
                    learning_rate=1e-3, device="cpu", progress=False)
    model = RECIPE.build_unet()
    with pytest.raises(ValueError, match="null class; build it with num_class_embeds=12"):
        training.train_class_conditioned(model, (images, labels.clamp(max=9) + 1), **settings)
    no_classes = recipes.Recipe(**{**RECIPE.__dict__, "unet": {**RECIPE.unet, "num_class_embeds": None}})
    with pytest.raises(ValueError, match=r"num_class_embeds=num_classes \+ 1"):
        training.train_class_conditioned(no_classes.build_unet(), (images, labels), **settings)
    with pytest.raises(ValueError, match="pad 28×28 to 32×32"):
        training.train_class_conditioned(model, (images[:, :, :28, :28], labels), **settings)
    with pytest.raises(ValueError, match="labels must be N=24 integers"):
        training.train_class_conditioned(model, (images, labels[:5]), **settings)


def noising_step(clean_images, noise_scheduler, *, noise_fn=torch.randn_like, high=None, low=0):
    """The right noising step, or (through the keywords) one of the usual wrong ones."""
    noise = noise_fn(clean_images)
    high = noise_scheduler.config.num_train_timesteps if high is None else high
    timesteps = torch.randint(low, high, (clean_images.shape[0],))
    return noise_scheduler.add_noise(clean_images, noise, timesteps), noise, timesteps


def test_check_noising_step_accepts_randn_and_rejects_rand(capsys):
    def stub(clean_images, noise_scheduler):
        raise NotImplementedError

    assert class_conditioned_unet.check_noising_step(noising_step) is True
    assert class_conditioned_unet.check_noising_step(lambda x, s: noising_step(x, s, noise_fn=torch.rand_like)) is False
    assert "torch.rand_like (uniform)" in capsys.readouterr().out
    assert class_conditioned_unet.check_noising_step(stub) is None


@pytest.mark.parametrize("mistake, hint", [
    (dict(high=999), "upper bound is exclusive"),  # randint(0, 999) never draws t = 999
    (dict(high=1000), "num_train_timesteps is 500"),  # 1000 learnt by heart instead of the scheduler's own T
    (dict(high=10), "upper bound is exclusive"),
    (dict(low=1), "not one t = 0"),
], ids=["never-999", "hard-coded-1000", "only-small-t", "never-0"])
def test_check_noising_step_needs_every_timestep(mistake, hint, capsys):
    assert class_conditioned_unet.check_noising_step(lambda x, s: noising_step(x, s, **mistake)) is False
    assert hint in capsys.readouterr().out
