"""Training a class-conditioned UNet (notebook 02): data tensors, the loss, a resumable loop.

Checkpoints (``checkpoint_dir``) hold everything needed to continue bit for bit: the weights
(``model.safetensors``), the optimizer, the mixed-precision scaler, the data order and every
random-number state (``training_state.pt``, read back with ``torch.load(weights_only=True)``,
so no pickled code), and the model config and settings (``checkpoint.json``). Each checkpoint
is written to a temporary folder and renamed into place, so a crash mid-save leaves the last
good one intact. ``tests/test_training.py`` proves 3 steps + resume to 6 equals 6 steps on CPU.
``slim_checkpoint`` makes the small shipping copy (float16 weights, no optimizer state).
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import numpy as np
import torch

from course_utils import config
from course_utils.objectives import diffusion_loss  # noqa: F401 (part of this module's API)
from course_utils.train_loop import train_loop

CHECKPOINT_NAME = re.compile(r"^step_(\d{8})$")
CHECKPOINT_FILES = ("model.safetensors", "training_state.pt", "checkpoint.json")
EMA_FILE = "ema_model.safetensors"  # only when training keeps an EMA of the weights


# --- data -------------------------------------------------------------------------------------

def to_training_tensors(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows with a 28×28 ``image`` and a ``label`` → images (N, 1, 32, 32) in [−1, 1], labels (N,).

    Each image is padded with 2 black pixels per side (28 → 32) and scaled x ↦ x / 127.5 − 1.
    """
    pixels = np.stack([np.asarray(image, dtype=np.uint8) for image in dataset["image"]])  # (N, H, W)
    if pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise ValueError(f"Expected 28×28 grayscale images, got an array of shape {pixels.shape}; "
                         "pass load_fashion_mnist(...) or (images, labels) tensors.")
    pixels = np.pad(pixels, ((0, 0), (2, 2), (2, 2)))  # (N, 32, 32), zeros = black border
    images = torch.from_numpy(pixels).float().div(127.5).sub(1.0).unsqueeze(1)  # (N, 1, 32, 32)
    return images, torch.as_tensor(np.asarray(dataset["label"]), dtype=torch.long)


def as_image_label_tensors(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """Accept a dataset (rows with image/label) or an ``(images, labels)`` pair of tensors."""
    if isinstance(dataset, (tuple, list)) and len(dataset) == 2:
        images, labels = dataset
        if not (isinstance(images, torch.Tensor) and images.ndim == 4):
            raise ValueError("images must be a (N, C, H, W) tensor; make it with to_training_tensors(dataset).")
        labels = torch.as_tensor(labels)
        if labels.shape != (images.shape[0],) or labels.is_floating_point():
            raise ValueError(f"labels must be N={images.shape[0]} integers, got shape {tuple(labels.shape)}.")
        return images, labels.long()
    return to_training_tensors(dataset)


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror each image left–right with probability ½ (draws from ``generator``)."""
    flip = torch.rand(images.shape[0], generator=generator) < 0.5  # (B,)
    flip = flip.to(images.device).view(-1, 1, 1, 1)  # (B, 1, 1, 1)
    return torch.where(flip, images.flip(-1), images)


def drop_labels(labels: torch.Tensor, null_class: int, label_dropout: float,
                generator: torch.Generator) -> torch.Tensor:
    """Replace each label by ``null_class`` with probability ``label_dropout``."""
    drop = torch.rand(labels.shape[0], generator=generator) < label_dropout  # (B,)
    return torch.where(drop.to(labels.device), torch.full_like(labels, null_class), labels)


# --- the loop ---------------------------------------------------------------------------------

def train_class_conditioned(model, dataset, *, noise_scheduler, num_steps: int, batch_size: int,
                            learning_rate: float, label_dropout: float = 0.1, flip: bool = True,
                            min_snr_gamma: float | None = None,
                            warmup_steps: int = 0, decay: bool = False, max_grad_norm: float | None = None,
                            ema_decay: float | None = None, checkpoint_dir=None, checkpoint_every: int = 250,
                            seed: int = 0, device=None, progress: bool = True, max_seconds: float | None = None,
                            stop_at_step: int | None = None) -> list[float]:
    """Train ``model`` (a class-conditioned ``UNet2DModel``) for ``num_steps`` steps in total.

    Returns the loss of every step from step 0. With ``checkpoint_dir`` it saves every
    ``checkpoint_every`` steps and at the end, and a later call with the same folder resumes
    from the last checkpoint (an interruption costs at most ``checkpoint_every`` steps).
    A fresh start seeds Python's, numpy's and torch's global generators with ``seed``. Mixed
    precision follows ``config.get_dtype`` (float16 autocast with a gradient scaler on cuda;
    ``COURSE_DTYPE`` overrides it; see ``train_loop``). ``max_seconds`` stops early after that
    much wall-clock time, ``stop_at_step`` once that step is reached (checkpointed, so the same
    call resumes later; the learning-rate schedule still spans ``num_steps``). The null class is
    ``num_class_embeds − 1``. ``flip`` mirrors half the images (right for clothes, wrong for
    digits: a mirrored 7 is no 7). The target (ε or v) is ``noise_scheduler.config.prediction_type``;
    ``min_snr_gamma`` weights the loss (``objectives``); ``warmup_steps``, ``decay``,
    ``max_grad_norm`` and ``ema_decay`` are ``train_loop``'s. With ``ema_decay`` the model holds the
    EMA weights when the call returns.
    """
    # 1. check the inputs
    images, labels = as_image_label_tensors(dataset)
    null_class = _check_model_and_labels(model, images, labels, label_dropout)
    settings = dict(label_dropout=label_dropout, flip=flip, min_snr_gamma=min_snr_gamma,
                    scheduler=_plain(noise_scheduler.config))
    device = torch.device(device) if device is not None else config.get_device()
    images, labels = images.to(device), labels.to(device)

    # 2. one step's loss: batch → (flip) → drop labels → (weighted) MSE on the target
    def loss_fn(index, generator):
        index = index.to(device)
        clean_images = random_flip(images[index], generator) if flip else images[index]  # (B, 1, 32, 32)
        class_labels = drop_labels(labels[index], null_class, label_dropout, generator)  # (B,)
        return diffusion_loss(model, noise_scheduler, clean_images, class_labels, min_snr_gamma)

    # 3. the shared resumable loop (course_utils.train_loop)
    return train_loop(model, loss_fn, num_examples=len(images), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=warmup_steps, decay=decay,
                      weight_decay=0.01, max_grad_norm=max_grad_norm, ema_decay=ema_decay,
                      checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every, seed=seed,
                      device=device, progress=progress, max_seconds=max_seconds, stop_at_step=stop_at_step)


def _check_model_and_labels(model, images, labels, label_dropout) -> int:
    num_class_embeds = getattr(model.config, "num_class_embeds", None)
    if not num_class_embeds:
        raise ValueError("This model has no class embedding; build it with "
                         "UNet2DModel(num_class_embeds=num_classes + 1, ...) (the +1 is the null class).")
    if not 0 <= label_dropout < 1:
        raise ValueError(f"label_dropout={label_dropout!r} must be in [0, 1); the course uses 0.1.")
    if images.shape[1:] != (model.config.in_channels, model.config.sample_size, model.config.sample_size):
        raise ValueError(f"Images of shape {tuple(images.shape[1:])} do not fit a model with in_channels="
                         f"{model.config.in_channels}, sample_size={model.config.sample_size}; pad 28×28 to "
                         "32×32 with to_training_tensors(dataset), or change the model config.")
    usable = num_class_embeds - 1 if label_dropout > 0 else num_class_embeds
    if labels.min() < 0 or labels.max() >= usable:
        raise ValueError(f"Labels run from {int(labels.min())} to {int(labels.max())}, but the model has "
                         f"num_class_embeds={num_class_embeds}" + (" with the last id kept for the null class"
                         if label_dropout > 0 else "") + f"; build it with num_class_embeds="
                         f"{int(labels.max()) + (2 if label_dropout > 0 else 1)}.")
    return num_class_embeds - 1


# --- checkpoints ------------------------------------------------------------------------------

def _plain(mapping) -> dict:
    """A config as plain JSON data (tuples → lists), without private ``_`` keys."""
    mapping = mapping if isinstance(mapping, dict) else mapping.to_dict()  # diffusers' FrozenDict or a transformers config
    return json.loads(json.dumps({k: v for k, v in mapping.items() if not k.startswith("_")}, default=str))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # CPU and every cuda device


def _rng_states(data_generator: torch.Generator) -> dict:
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    states = {"python": random.getstate(), "torch": torch.get_rng_state(), "data": data_generator.get_state(),
              "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                        "has_gauss": int(has_gauss), "gauss": float(gauss)}}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def _restore_rng_states(states: dict, data_generator: torch.Generator) -> None:
    random.setstate(states["python"])
    n = states["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["gauss"]))
    torch.set_rng_state(states["torch"])
    data_generator.set_state(states["data"])
    if "cuda" in states and torch.cuda.is_available() and len(states["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(states["cuda"])


def latest_checkpoint(checkpoint_dir) -> Path | None:
    """The newest complete ``step_XXXXXXXX`` folder in ``checkpoint_dir``, or None."""
    folder = Path(checkpoint_dir)
    if not folder.is_dir():
        return None
    done = [p for p in folder.iterdir() if CHECKPOINT_NAME.match(p.name)
            and all((p / f).is_file() for f in CHECKPOINT_FILES)]
    return max(done, key=lambda p: p.name) if done else None


def ema_state_dict(model, ema) -> dict:
    """The model's state dict with every parameter replaced by its EMA (on the CPU, contiguous)."""
    averaged = dict(zip((name for name, _ in model.named_parameters()), ema.shadow_params))
    return {k: averaged.get(k, v).detach().to("cpu").contiguous() for k, v in model.state_dict().items()}


def save_checkpoint(checkpoint_dir, step, model, optimizer, scaler, data_generator, settings,
                    losses, order, position, ema=None) -> Path:
    """Write ``step_XXXXXXXX`` atomically (temp folder, then rename), then delete older ones.

    With ``ema`` (diffusers' ``EMAModel``) its averaged weights go to ``ema_model.safetensors``,
    a full state dict that ``model.load_state_dict`` accepts (``pretrained.class_unet`` does).
    """
    from safetensors.torch import save_file

    folder = Path(checkpoint_dir)
    final, tmp = folder / f"step_{step:08d}", folder / f".tmp_step_{step:08d}"
    if final.exists():
        return final
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    weights = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    save_file(weights, str(tmp / "model.safetensors"))
    if ema is not None:
        save_file(ema_state_dict(model, ema), str(tmp / EMA_FILE))
    torch.save({"ema_step": ema.optimization_step if ema is not None else -1,
                "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(),
                "rng": _rng_states(data_generator), "losses": torch.tensor(losses, dtype=torch.float64),
                "order": order.cpu(), "position": position}, tmp / "training_state.pt")
    meta = {"step": step, "model_config": _plain(model.config), "settings": settings}
    (tmp / "checkpoint.json").write_text(json.dumps(meta, indent=1))
    tmp.rename(final)  # atomic: readers see the whole checkpoint or none of it
    for old in folder.iterdir():
        if old != final and (CHECKPOINT_NAME.match(old.name) or old.name.startswith(".tmp_step_")):
            shutil.rmtree(old, ignore_errors=True)
    return final


def load_checkpoint(checkpoint_dir, model, optimizer, scaler, data_generator, settings, device, ema=None):
    """Restore the newest checkpoint into the given objects; None when there is none yet."""
    from safetensors.torch import load_file

    path = latest_checkpoint(checkpoint_dir)
    if path is None:
        return None
    meta = json.loads((path / "checkpoint.json").read_text())
    _compare(meta["model_config"], _plain(model.config), "model config", checkpoint_dir,
             "build the model with the saved config (UNet2DModel.from_config(...))")
    _compare(meta["settings"], json.loads(json.dumps(settings)), "training settings", checkpoint_dir,
             "pass the same settings and data as before")
    model.load_state_dict(load_file(str(path / "model.safetensors"), device=str(device)))
    state = torch.load(path / "training_state.pt", map_location="cpu", weights_only=True)
    if state["optimizer"] is not None:
        optimizer.load_state_dict(state["optimizer"])
    else:  # a slimmed checkpoint (``slim_checkpoint``): AdamW starts its moments from zero
        print(f"{path.name} holds no optimizer state: AdamW's moment estimates restart from zero.")
    if state["scaler"]:  # empty when saved without a GPU (the scaler was off)
        scaler.load_state_dict(state["scaler"])
    _restore_rng_states(state["rng"], data_generator)
    if ema is not None:
        ema_weights = load_file(str(path / EMA_FILE), device=str(device))
        ema.shadow_params = [ema_weights[name].to(p.dtype) for name, p in model.named_parameters()]
        ema.optimization_step = int(state["ema_step"])
    return meta["step"], state["losses"].tolist(), state["order"], state["position"]


def slim_checkpoint(source, target_dir) -> Path:
    """Copy checkpoint folder ``source`` into ``target_dir`` in a quarter of the space, for shipping.

    The weights and their EMA are stored as float16, and the optimizer and scaler states are left
    out (AdamW's two moments are two more copies of the weights). Everything else is kept: step,
    data order, random states, settings. ``load_checkpoint`` resumes it with fresh AdamW moments,
    so the continued run is close to the uninterrupted one, not equal to it bit for bit.
    """
    from safetensors.torch import load_file, save_file

    source = Path(source)
    final, tmp = Path(target_dir) / source.name, Path(target_dir) / f".tmp_{source.name}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("model.safetensors", EMA_FILE):
        if (source / name).exists():
            weights = load_file(str(source / name))
            save_file({k: v.half() if v.is_floating_point() else v for k, v in weights.items()}, str(tmp / name))
    state = torch.load(source / "training_state.pt", map_location="cpu", weights_only=True)
    torch.save(dict(state, optimizer=None, scaler={}), tmp / "training_state.pt")
    meta = json.loads((source / "checkpoint.json").read_text())
    meta["slimmed"] = "weights and EMA stored as float16; no optimizer or scaler state"
    (tmp / "checkpoint.json").write_text(json.dumps(meta, indent=1))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final


def _compare(saved: dict, now: dict, what: str, checkpoint_dir, fix: str) -> None:
    diffs = [f"{k}: saved {saved.get(k)!r}, now {now.get(k)!r}" for k in sorted(set(saved) | set(now))
             if saved.get(k) != now.get(k)]
    if diffs:
        raise ValueError(f"The checkpoint in {checkpoint_dir} was made with a different {what} ("
                         + "; ".join(diffs[:4]) + f"). Use a fresh checkpoint_dir, or {fix}.")
