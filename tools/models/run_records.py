"""The records of a run of ``train_mini_sd.py`` that outlive its process: wall times, loss curves, finished stages.

A run of several hours spans work sessions, and a session's machine may be fresh. The work folder
keeps checkpoints and wall times (``wall_seconds.json``) while it lasts; a finished CLIP, VAE or UNet
is also kept in ``tools/models/mini-sd-stages/`` (float16 weights, figures, loss curve; for the UNet
also the compositional curve measured while it trained), which is committed, so a run on a fresh
machine loads it instead of training it again. Delete that folder once the models ship.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from course_utils.training.checkpoints import latest_checkpoint

ROOT = Path(__file__).resolve().parents[2]

# A dry run (--steps-scale, --digits) keeps its stages in its work folder instead.
PLACES = dict(stages=ROOT / "tools" / "models" / "mini-sd-stages")


def wall_seconds(work: Path, stage: str, seconds: float) -> float:
    """This run's seconds for ``stage`` added to earlier runs' (``work/wall_seconds.json``): a resumed stage's total."""
    record = work / "wall_seconds.json"
    totals = json.loads(record.read_text()) if record.exists() else {}
    totals[stage] = round(totals.get(stage, 0.0) + seconds, 1)
    record.write_text(json.dumps(totals))
    return totals[stage]


def kept_stage(stage: str, model) -> dict | None:
    """A finished stage kept in the stages folder: its weights loaded into ``model``, its figures returned; else None."""
    from safetensors.torch import load_file

    weights, record = PLACES["stages"] / f"{stage}.safetensors", PLACES["stages"] / f"{stage}.json"
    if not (weights.exists() and record.exists()):
        return None
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in load_file(str(weights)).items()})
    print(f"{stage}: finished earlier, loaded from {weights}")
    return json.loads(record.read_text())


def keep_stage(stage: str, model, figures: dict, work: Path, curve: list | None = None) -> None:
    """Keep a finished stage in the stages folder (float16 weights, figures, loss curve) and round ``model`` the same way.

    ``curve``: the loss per 10 steps, when the work folder's checkpoints do not hold all of it.

    Rounding the live model too makes a run that trains the stage and a later run that loads it continue
    from the same weights (and the float16 weights are the ones that ship).
    """
    from safetensors.torch import save_file

    PLACES["stages"].mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().half() if v.is_floating_point() else v.detach().cpu()
             for k, v in model.state_dict().items()}
    save_file({k: v.contiguous() for k, v in state.items()}, str(PLACES["stages"] / f"{stage}.safetensors"))
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    curve = curve if curve is not None else loss_curves(work).get("losses", {}).get(stage)
    (PLACES["stages"] / f"{stage}.json").write_text(json.dumps(dict(figures, loss_curve=curve), indent=1))


def loss_curves(work: Path, every: int = 10) -> dict:
    """Each stage's loss per step, read back from its last checkpoint (or its kept stage), averaged over ``every`` steps."""
    curves = {}
    for stage in ("clip", "clip_image", "vae", "unet"):
        path = latest_checkpoint(work / stage)
        if path is None and (PLACES["stages"] / f"{stage}.json").exists():
            curves[stage] = json.loads((PLACES["stages"] / f"{stage}.json").read_text())["loss_curve"]
        elif path is not None:
            losses = torch.load(path / "training_state.pt", weights_only=True)["losses"].float()
            usable = len(losses) // every * every
            curves[stage] = [round(x, 5) for x in losses[:usable].view(-1, every).mean(dim=1).tolist()]
    return dict(every=every, losses=curves)
