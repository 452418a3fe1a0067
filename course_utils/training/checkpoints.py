"""Training checkpoints: everything needed to continue a run bit for bit, written so a crash never loses one.

A checkpoint is a folder ``step_XXXXXXXX`` holding the weights (``model.safetensors``), the
optimizer, the mixed-precision scaler, the data order and every random-number state
(``training_state.pt``, read back with ``torch.load(weights_only=True)``, so no pickled code), and
the model config and settings (``checkpoint.json``); with an EMA also ``ema_model.safetensors``.
Each is written to a temporary folder and renamed into place, so a crash mid-save leaves the
last good one intact. ``slim_checkpoint`` makes the small shipping copy (float16 weights, no
optimizer state).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import torch

from course_utils.training.seeding import restore_rng_states, rng_states

CHECKPOINT_NAME = re.compile(r"^step_(\d{8})$")


CHECKPOINT_FILES = ("model.safetensors", "training_state.pt", "checkpoint.json")


EMA_FILE = "ema_model.safetensors"  # only when training keeps an EMA of the weights


def plain_config(mapping) -> dict:
    """A config as plain JSON data (tuples → lists), without private ``_`` keys."""
    mapping = mapping if isinstance(mapping, dict) else mapping.to_dict()  # diffusers' FrozenDict or a transformers config
    return json.loads(json.dumps({k: v for k, v in mapping.items() if not k.startswith("_")}, default=str))


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
                "rng": rng_states(data_generator), "losses": torch.tensor(losses, dtype=torch.float64),
                "order": order.cpu(), "position": position}, tmp / "training_state.pt")
    meta = {"step": step, "model_config": plain_config(model.config), "settings": settings}
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
    _compare(meta["model_config"], plain_config(model.config), "model config", checkpoint_dir,
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
    restore_rng_states(state["rng"], data_generator)
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
