"""Where every model the course ships lives, and how it is loaded.

The package carries small trained models in ``course_utils/shipped/`` (safetensors, float16
storage, each folder with a model card ``README.md``), made by the scripts in ``tools/``:

* ``mini-sd/``: the miniature Stable Diffusion (``tools/models/train_mini_sd.py``) in the hub's layout
  (``model_index.json``, ``unet/``, ``vae/``, ``text_encoder/``, ``scheduler/``, ``feature_extractor/``);
* ``mini-clip/``: its two-tower CLIP without the text tower, which *is* the mini SD's text encoder
  and ships once, there (``save_mini_clip``; ``mini_clip_dir`` puts it back in the cache copy);
* ``digit-classifier/``: the CNN that judges generated digits;
* ``mini-sd-lora-orange/``: notebook 07's LoRA that teaches the mini SD's UNet the word "orange"
  (``tools/models/train_lora.py``; ``pipe.load_lora_weights``), and the same LoRA trained on a rare token;
* ``class-unet/``: notebook 02's class-conditioned UNet (recipe ``course_mini``,
  ``tools/models/train_class_unet.py``): a training checkpoint (``step_XXXXXXXX/``: weights, EMA weights,
  data order, random states, and the model card), so a learner can *resume* it; slimmed to 3 MB
  for shipping (``course_utils.training.checkpoints.slim_checkpoint``: float16 weights, no optimizer state).

All of ``shipped/`` stays within 20 MB (``tests/test_mini_sd.py``).

The tokenizer files (5 MB) are not shipped: the real CLIP tokenizer is written from the BPE file
inside the PyPI package ``openai-clip`` when a model folder is first assembled in the cache
(``COURSE_CACHE``, default ``~/.cache/course_utils``), so ``from_pretrained`` finds SD's layout.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
from pathlib import Path

import torch

from course_utils import config, evaluation
from course_utils.cache import build_atomically, cache_root, intact
from course_utils.class_unet import recipes
from course_utils.errors import DamagedFileError, MissingWeightsError
from course_utils.mini_sd.tokenizer import save_clip_tokenizer_files
from course_utils.training.checkpoints import EMA_FILE, latest_checkpoint, plain_config

SHIPPED = Path(__file__).parent / "shipped"
TRAIN_HINT = ("Reinstall the course (`pip install --force-reinstall sd-step-by-step`) or rebuild the weights "
              "with `python tools/models/train_mini_sd.py` from a checkout.")


def shipped_dir(name: str) -> Path:
    """The folder of shipped model ``name``, checked to hold its config and weights."""
    known = sorted(p.name for p in SHIPPED.iterdir() if p.is_dir()) if SHIPPED.is_dir() else []
    folder = SHIPPED / name
    if name not in known:
        raise MissingWeightsError(f"No shipped model called {name!r} in {SHIPPED} (found: {known or 'none'}). "
                                  + TRAIN_HINT)
    if not list(folder.rglob("*.safetensors")):
        raise MissingWeightsError(f"The shipped model {name!r} has no weights file (*.safetensors) in {folder}. "
                                  + TRAIN_HINT)
    return folder


def _digest(folder: Path) -> str:
    """A hash of a folder's file names and whole contents, so a shipped model changed anywhere is assembled afresh.

    Hashing the shipped ~17 MB takes a moment, so it is done once per process (and again only when a
    file's size or modification time changes).
    """
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    stamp = tuple((p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _content_digest(folder, stamp)


@functools.lru_cache(maxsize=None)
def _content_digest(folder: Path, stamp: tuple) -> str:
    h = hashlib.sha256()
    for name, *_ in stamp:
        data = (folder / name).read_bytes()
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:16]


def _assembled(name: str, tokenizer_subfolder: str | None, add_text_tower: bool = False) -> Path:
    """Copy a shipped model to the cache and add the CLIP tokenizer files (built once).

    A cache copy with a file missing or cut short (``cache.intact``) is built again.
    ``add_text_tower``: put the mini SD's text encoder back into the mini CLIP's weights
    (``save_mini_clip`` ships the tower once, in ``mini-sd/text_encoder/``).
    """
    source = shipped_dir(name)
    text_encoder = shipped_dir("mini-sd") / "text_encoder" if add_text_tower else None
    digest = _digest(source) + (_digest(text_encoder)[:6] if add_text_tower else "")
    target = cache_root() / f"{name}-{digest}"

    def build(tmp: Path) -> None:
        shutil.copytree(source, tmp, dirs_exist_ok=True)
        save_clip_tokenizer_files(tmp / tokenizer_subfolder if tokenizer_subfolder else tmp)
        if add_text_tower:
            _merge_text_tower(tmp / "model.safetensors", text_encoder / "model.safetensors")

    if not intact(target):
        with damaged_files(source, *([text_encoder] if add_text_tower else [])):
            build_atomically(target, build, replace=True)
    return target


def mini_sd_dir() -> Path:
    """The miniature SD in the hub's layout: ``StableDiffusionPipeline.from_pretrained(mini_sd_dir())``."""
    return _assembled("mini-sd", "tokenizer")


def mini_clip_dir() -> Path:
    """The mini CLIP (both towers) and its processor: ``CLIPModel.from_pretrained(mini_clip_dir())``."""
    return _assembled("mini-clip", None, add_text_tower=True)


TEXT_TOWER = "text_model."  # the prefix of the text tower's weights inside a CLIPModel


def save_mini_clip(clip, folder: Path) -> None:
    """Save the mini CLIP in float16 without its text tower, which ships once, as the mini SD's text encoder."""
    from safetensors.torch import load_file, save_file

    to_float16_storage(clip).save_pretrained(folder, safe_serialization=True)
    weights = load_file(str(folder / "model.safetensors"))
    save_file({k: v for k, v in weights.items() if not k.startswith(TEXT_TOWER)}, str(folder / "model.safetensors"),
              metadata={"format": "pt"})


def _merge_text_tower(clip_file: Path, text_encoder_file: Path) -> None:
    """Write a CLIPModel's whole state back: its shipped part plus the text encoder's weights, prefixed."""
    from safetensors.torch import load_file, save_file

    weights = load_file(str(clip_file))
    tower = {TEXT_TOWER + k.removeprefix(TEXT_TOWER): v for k, v in load_file(str(text_encoder_file)).items()}
    save_file({**weights, **tower}, str(clip_file), metadata={"format": "pt"})


def card_dir(name: str) -> Path:
    """The folder of a shipped model's card (``README.md``) and ``figures.json``: beside its weights,
    which for notebook 02's checkpoint is the ``step_XXXXXXXX`` folder."""
    return class_unet_checkpoint() if name == "class-unet" else shipped_dir(name)


def model_card(name: str) -> dict:
    """The measured figures recorded with a shipped model (``figures.json`` beside its card)."""
    path = card_dir(name) / "figures.json"
    if not path.exists():
        raise MissingWeightsError(f"{path} is missing. " + TRAIN_HINT)
    return json.loads(path.read_text())


# What a truncated or corrupt file raises, however deep inside diffusers or transformers (they wrap it in an
# OSError or ValueError whose __cause__ is one of these).
def _damage_errors() -> tuple:
    from safetensors import SafetensorError

    return SafetensorError, json.JSONDecodeError, UnicodeDecodeError


def _unreadable(path: Path) -> str | None:
    """Why a weights (safetensors) or config (JSON) file cannot be read, or None when it reads."""
    from safetensors import safe_open

    try:
        if path.suffix == ".safetensors":
            with safe_open(str(path), "pt"):  # reads and checks the header: a cut-off file fails here
                pass
        elif path.suffix == ".json":
            json.loads(path.read_text())
    except _damage_errors() as err:
        return str(err)
    return None


def _cache_copy(path: Path) -> tuple[Path, Path | None] | None:
    """For a file in the course's cache (``<cache>/<name>-<digest>/...``): its folder there and the shipped
    file it was copied from (None for files the course writes itself, such as the tokenizer's); else None."""
    try:
        top, *rest = path.relative_to(cache_root()).parts
    except ValueError:
        return None
    original = SHIPPED / top.rsplit("-", 1)[0] / Path(*rest)
    return cache_root() / top, (original if original.is_file() else None)


def _damage_message(path: Path, why: str, hint: str) -> str:
    copy = _cache_copy(path)
    if copy is not None:
        folder, original = copy
        if original is not None and (original_why := _unreadable(original)):  # damaged where it ships
            path, why = original, original_why
        else:  # only the copy is damaged
            return (f"{path} cannot be read: it is truncated or corrupt ({why}). It is in the course's cache copy of "
                    f"the shipped weights: delete {folder} and run again to have it copied afresh.")
    return f"{path} cannot be read: it is truncated or corrupt ({why}). " + hint


@contextlib.contextmanager
def damaged_files(*folders, hint: str = TRAIN_HINT):
    """Re-raise a truncated or corrupt weights or config file in ``folders`` as ``DamagedFileError``,
    naming the file and the fix (``hint``); every other error passes through unchanged."""
    try:
        yield
    except DamagedFileError:
        raise
    except Exception as err:
        cause = err
        while cause is not None and not isinstance(cause, _damage_errors()):
            cause = cause.__cause__ or cause.__context__
        found = [(p, why) for folder in folders for p in sorted(Path(folder).rglob("*"))
                 if cause is not None and (why := _unreadable(p))]
        if not found:  # not a damaged file, or not one of these folders': not ours to explain
            raise
        raise DamagedFileError(_damage_message(*found[0], hint)) from err


def digit_classifier(device=None):
    """The shipped digit classifier (``evaluation.build_classifier``): (N, 1, 32, 32) in [0, 1] → logits."""
    from safetensors.torch import load_file

    folder = shipped_dir("digit-classifier")
    with damaged_files(folder):
        meta = json.loads((folder / "config.json").read_text())
        state = load_file(str(folder / "model.safetensors"))
    classifier = evaluation.build_classifier(meta["num_classes"], meta["width"])
    classifier.load_state_dict({k: v.float() for k, v in state.items()})
    return classifier.to(device or "cpu").eval()


def save_digit_classifier(classifier, folder: Path, width: int, num_classes: int = 10) -> None:
    """Write a classifier as ``model.safetensors`` + ``config.json`` (used by the training script)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in classifier.state_dict().items()}
    save_file({k: (v.half() if v.is_floating_point() else v) for k, v in state.items()}, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps({"num_classes": num_classes, "width": width}, indent=1))


CLASS_UNET_HINT = ("Reinstall the course, or rebuild it with `python tools/models/train_class_unet.py` from a checkout "
                   "(about 15 minutes on a 2-core CPU).")


def class_unet_checkpoint() -> Path:
    """The shipped training checkpoint of notebook 02's UNet (a ``step_XXXXXXXX`` folder)."""
    folder = latest_checkpoint(SHIPPED / "class-unet")
    if folder is None:
        raise MissingWeightsError(f"No training checkpoint (step_XXXXXXXX/) in {SHIPPED / 'class-unet'}. "
                                  + CLASS_UNET_HINT)
    return folder


def class_unet(mode: str | None = None, checkpoint_dir=None):
    """Notebook 02's trained class-conditioned UNet and its recipe: ``(UNet2DModel, Recipe)``.

    Mini mode loads the shipped checkpoint; ``checkpoint_dir`` loads the newest checkpoint there
    instead (any mode; a full-mode model is trained by notebook 02 itself). The weights are the EMA
    average when the run kept one (what sampling uses), otherwise the raw weights. float32, on the CPU.
    """
    from safetensors.torch import load_file

    mode = mode or config.get_mode()
    recipe = recipes.recipe_for_mode(mode)
    if checkpoint_dir is None:
        if mode == "full":
            raise MissingWeightsError("No class UNet is shipped for full mode: train it in notebook 02 and pass "
                                      "its checkpoint_dir (CHECKPOINT_DIR there) to class_unet().")
        folder = class_unet_checkpoint()
    else:
        folder = latest_checkpoint(checkpoint_dir)
        if folder is None:
            raise MissingWeightsError(f"No complete checkpoint (step_XXXXXXXX/) in {checkpoint_dir}; train first "
                                      "with course_utils.class_unet.training.train_class_conditioned(..., checkpoint_dir=...).")
    hint = CLASS_UNET_HINT if checkpoint_dir is None else (
        f"It was written by a training run of yours: delete {folder} and train again.")
    weights = folder / (EMA_FILE if (folder / EMA_FILE).exists() else "model.safetensors")
    with damaged_files(folder, hint=hint):
        meta = json.loads((folder / "checkpoint.json").read_text())
        state = load_file(str(weights))
    if meta["model_config"] != plain_config(recipe.build_unet().config):
        raise MissingWeightsError(f"The checkpoint in {folder} was not made with the {recipe.name!r} recipe's "
                                  f"model config. " + CLASS_UNET_HINT)
    model = recipe.build_unet()
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.eval(), recipe


def to_float16_storage(model: torch.nn.Module) -> torch.nn.Module:
    """Halve a model's size on disk; ``from_pretrained(..., dtype=torch.float32)`` upcasts it again."""
    return model.to(torch.float16)
