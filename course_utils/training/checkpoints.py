"""Training checkpoints: everything needed to continue a run bit for bit, written so a crash never loses one.

A checkpoint is a folder ``step_XXXXXXXX`` holding the weights (``model.safetensors``), the
optimizer, the mixed-precision scaler, the data order and every random-number state
(``training_state.pt``, read back with ``torch.load(weights_only=True)``, so no pickled code), and
the model config and settings (``checkpoint.json``); with an EMA also ``ema_model.safetensors``.
Each is written to a temporary folder and renamed into place, so a crash mid-save leaves the
last good one intact; weights holding NaN or inf are never written, and only checkpoints older
than the new one are deleted. A newest checkpoint that cannot be read is reported, never skipped
or overwritten. ``slim_checkpoint`` makes the small shipping copy (float16 weights, no optimizer
state).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import torch

from course_utils.errors import DamagedFileError, MissingWeightsError, TrainingDivergedError
from course_utils.training.seeding import restore_rng_states, rng_states

PACKAGE = Path(__file__).resolve().parents[1]  # the installed course_utils folder, shipped checkpoint inside

CHECKPOINT_NAME = re.compile(r"^step_(\d{8})$")
CHECKPOINT_FILES = ("model.safetensors", "training_state.pt", "checkpoint.json")
EMA_FILE = "ema_model.safetensors"  # only when training keeps an EMA of the weights


def plain_config(mapping) -> dict:
    """A config as plain JSON data (tuples → lists), without private ``_`` keys."""
    mapping = mapping if isinstance(mapping, dict) else mapping.to_dict()  # diffusers' FrozenDict or a transformers config
    return json.loads(json.dumps({k: v for k, v in mapping.items() if not k.startswith("_")}, default=str))


def step_folders(checkpoint_dir) -> list[Path]:
    """Every ``step_XXXXXXXX`` folder in ``checkpoint_dir``, complete or not, newest first."""
    folder = Path(checkpoint_dir)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if CHECKPOINT_NAME.match(p.name) and p.is_dir()),
                  key=lambda p: p.name, reverse=True)


def _newest_complete(folders) -> Path | None:
    """The first of ``folders`` (newest first) that holds every file of a checkpoint, or None."""
    return next((p for p in folders if all((p / f).is_file() for f in CHECKPOINT_FILES)), None)


def latest_checkpoint(checkpoint_dir) -> Path | None:
    """The newest complete ``step_XXXXXXXX`` folder in ``checkpoint_dir``, or None."""
    return _newest_complete(step_folders(checkpoint_dir))


def check_checkpoint_dir(checkpoint_dir) -> Path:
    """``checkpoint_dir`` as a Path; refused before anything is read or written when it lies inside the package."""
    path = os.fspath(checkpoint_dir) if isinstance(checkpoint_dir, (str, os.PathLike)) else None
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"checkpoint_dir={checkpoint_dir!r} must be a folder's path (a str or pathlib.Path), "
                         "e.g. 'checkpoints/02_class_unet', or None to train without checkpoints.")
    folder = Path(path).expanduser()
    if PACKAGE in (folder.resolve(), *folder.resolve().parents):
        raise ValueError(f"checkpoint_dir={path!r} lies inside the installed course_utils package ({PACKAGE}): "
                         "training there would overwrite the shipped checkpoint and delete it when pruning. "
                         "Copy it to a folder of your own first and train there, e.g. `import shutil; from "
                         "course_utils import pretrained; shutil.copytree("
                         "pretrained.class_unet_checkpoint().parent, \"my-checkpoints\")`, then "
                         "checkpoint_dir=\"my-checkpoints\".")
    return folder


def check_writable(folder: Path) -> None:
    """Create ``folder`` and write and delete a probe file in it, so a bad folder fails before step 1, not after."""
    try:
        existing = next(p for p in (folder, *folder.parents) if p.exists() or p == p.parent)
    except OSError:  # a parent we may not look into: the mkdir below says so
        existing = folder.parent
    if existing.exists() and not existing.is_dir():
        raise ValueError(f"checkpoint_dir={str(folder)!r} cannot be a folder: {existing} is a file. Pass the path "
                         "of a folder (new or existing), e.g. 'checkpoints/my_run'.")
    probe = folder / f".write_probe_{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"checkpoints go here")
        probe.unlink()
    except OSError as err:
        raise type(err)(f"Checkpoints cannot be written to {folder} ({err.strerror or err}); nothing was trained. "
                        "Pass a checkpoint_dir you can write to (in Colab, one on Google Drive).") from err


def non_finite_weights(model, ema=None) -> list[str]:
    """The names of the model's floating-point tensors (and EMA averages) holding NaN or ±inf."""
    named = [(k, v) for k, v in model.state_dict().items() if v.is_floating_point()]
    if ema is not None:
        named += [(f"EMA of {name}", p) for (name, _), p in zip(model.named_parameters(), ema.shadow_params)]
    if not named:
        return []
    device = named[0][1].device
    finite = torch.stack([v.detach().isfinite().all().to(device) for _, v in named]).tolist()  # one sync, not one a tensor
    return [name for (name, _), ok in zip(named, finite) if not ok]


def _model_config(model) -> dict:
    return plain_config(getattr(model, "config", {}))  # a plain torch module has none


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
    if bad := non_finite_weights(model, ema):  # a diverged run: keep the last finite checkpoint instead
        raise TrainingDivergedError(f"Not saving step {step}: {bad[0]} (and {len(bad) - 1} more tensors) hold NaN "
                                    f"or inf. The checkpoints already in {folder} are kept.")
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
    meta = {"step": step, "model_config": _model_config(model), "settings": settings}
    (tmp / "checkpoint.json").write_text(json.dumps(meta, indent=1))
    tmp.rename(final)  # atomic: readers see the whole checkpoint or none of it
    for old in folder.iterdir():  # older checkpoints and crashed saves; never a newer checkpoint
        if (CHECKPOINT_NAME.match(old.name) and old.name < final.name) or old.name.startswith(".tmp_step_"):
            shutil.rmtree(old, ignore_errors=True)
    return final


def load_checkpoint(checkpoint_dir, model, optimizer, scaler, data_generator, settings, device, ema=None):
    """Restore the newest checkpoint into the given objects; None when there is none yet.

    A newest checkpoint with a file missing (``MissingWeightsError``), truncated or corrupt
    (``DamagedFileError``) is reported, naming the file and any older complete checkpoint, never
    skipped: the next save would delete it.
    """
    from safetensors.torch import load_file

    folders = step_folders(checkpoint_dir)
    if not folders:
        return None
    path = folders[0]
    older = _newest_complete(folders[1:])
    for name in (*CHECKPOINT_FILES, *([EMA_FILE] if ema is not None else [])):
        if not (path / name).is_file():
            raise MissingWeightsError(_damage_message(path / name, "it is missing", older))
    with _reading(path / "checkpoint.json", older):
        meta = json.loads((path / "checkpoint.json").read_text())
        step, saved_config, saved_settings = int(meta["step"]), dict(meta["model_config"]), dict(meta["settings"])
    _compare(saved_config, _model_config(model), "model config", checkpoint_dir,
             "build the model with the saved config (UNet2DModel.from_config(...))")
    _compare(saved_settings, json.loads(json.dumps(settings)), "training settings", checkpoint_dir,
             "pass the same settings and data as before")
    with _reading(path / "model.safetensors", older):
        model.load_state_dict(load_file(str(path / "model.safetensors"), device=str(device)))
    with _reading(path / "training_state.pt", older):
        state = torch.load(path / "training_state.pt", map_location="cpu", weights_only=True)
        if state["optimizer"] is not None:
            optimizer.load_state_dict(state["optimizer"])
        else:  # a slimmed checkpoint (``slim_checkpoint``): AdamW starts its moments from zero
            print(f"{path.name} holds no optimizer state: AdamW's moment estimates restart from zero.")
        if state["scaler"]:  # empty when saved without a GPU (the scaler was off)
            scaler.load_state_dict(state["scaler"])
        restore_rng_states(state["rng"], data_generator)
        resumed = step, state["losses"].tolist(), state["order"], int(state["position"])
    if ema is not None:
        with _reading(path / EMA_FILE, older):
            ema_weights = load_file(str(path / EMA_FILE), device=str(device))
            ema.shadow_params = [ema_weights[name].to(p.dtype) for name, p in model.named_parameters()]
            ema.optimization_step = int(state["ema_step"])
    if bad := non_finite_weights(model, ema):  # written before the course refused to save such weights
        raise TrainingDivergedError(f"The checkpoint {path} holds NaN or inf in {bad[0]} (and {len(bad) - 1} more "
                                    "tensors): its run diverged. " + _delete_hint(path, older))
    return resumed


def _delete_hint(path: Path, older: Path | None) -> str:
    if older is not None:
        return (f"An older complete checkpoint, {older.name}, is in the same folder: delete {path.name} "
                f"(`shutil.rmtree(\"{path}\")`) to resume from it, or pass a fresh checkpoint_dir.")
    return (f"No older checkpoint is there: delete {path.name} (`shutil.rmtree(\"{path}\")`) to train from "
            "step 0 in the same folder, or pass a fresh checkpoint_dir.")


def _damage_message(file: Path, why: str, older: Path | None) -> str:
    return f"{file} cannot be read: {why}. " + _delete_hint(file.parent, older)


@contextlib.contextmanager
def _reading(file: Path, older: Path | None):
    """Re-raise what a truncated, corrupt or foreign checkpoint file raises as ``DamagedFileError``."""
    from safetensors import SafetensorError

    try:
        yield
    except (torch.OutOfMemoryError, PermissionError):  # a RuntimeError and an OSError, but not the file's fault
        raise
    except (SafetensorError, json.JSONDecodeError, UnicodeDecodeError, pickle.UnpicklingError, EOFError, OSError,
            RuntimeError, KeyError, IndexError, TypeError, ValueError, AttributeError) as err:  # torch.load: OSError
        why = f"it is truncated, corrupt or not a checkpoint file ({type(err).__name__}: {str(err).strip()[:200]})"
        raise DamagedFileError(_damage_message(file, why, older)) from err


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
