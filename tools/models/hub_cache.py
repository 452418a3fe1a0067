"""Write model and dataset repos into a local Hugging Face cache, in the layout a download leaves there.

``huggingface_hub`` keeps each repo as ``<HF_HOME>/hub/models--<org>--<name>/snapshots/<commit>/<files>``
with ``refs/main`` holding the commit; with ``HF_HUB_OFFLINE=1``, ``from_pretrained("<org>/<name>")``
resolves ``main`` through that file and reads the snapshot. ``datasets.load_dataset`` offline reads
the Arrow files a first, online call prepared in ``<HF_HOME>/datasets/<org>___<name>/<config>/<version>/<commit>/``.
``tools/models/rehearse_full_size.py`` uses these writers to rehearse full mode without a network.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

REHEARSAL_COMMIT = hashlib.sha1(b"sd-step-by-step rehearsal: random weights, not the hub's").hexdigest()


def snapshot_dir(hf_home: Path, repo_id: str, repo_type: str = "model") -> Path:
    """Create (and return) the snapshot folder of ``repo_id`` and point ``refs/main`` at it."""
    repo = Path(hf_home) / "hub" / f"{repo_type}s--{repo_id.replace('/', '--')}"
    folder = repo / "snapshots" / REHEARSAL_COMMIT
    folder.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(REHEARSAL_COMMIT)
    return folder


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def write_clip_tokenizer(folder: Path) -> None:
    """CLIP's BPE tokenizer files with the settings of SD v1.5's ``tokenizer/tokenizer_config.json``."""
    from course_utils.mini_sd.tokenizer import save_clip_tokenizer_files
    from course_utils.sd import architecture

    save_clip_tokenizer_files(folder)
    write_json(folder / "tokenizer_config.json", architecture.SD15_TOKENIZER_CONFIG)
    specials = ("bos_token", "eos_token", "pad_token", "unk_token")
    write_json(folder / "special_tokens_map.json", {k: architecture.SD15_TOKENIZER_CONFIG[k] for k in specials})


def write_sd_repo(hf_home: Path, repo_id: str, unet, vae, text_encoder) -> Path:
    """SD v1's pipeline folder: the three models as given, the scheduler, tokenizer and feature
    extractor configs of ``course_utils.sd.architecture``, and ``model_index.json``. The safety checker's folder is
    left out: the course loads with ``safety_checker=None``, which makes diffusers skip it."""
    from diffusers import PNDMScheduler

    from course_utils.sd import architecture

    folder = snapshot_dir(hf_home, repo_id)
    for name, model in (("unet", unet), ("vae", vae), ("text_encoder", text_encoder)):
        model.save_pretrained(folder / name, safe_serialization=True)
    PNDMScheduler.from_config(architecture.SD15_SCHEDULER_CONFIG).save_pretrained(folder / "scheduler")
    write_clip_tokenizer(folder / "tokenizer")
    write_json(folder / "feature_extractor" / "preprocessor_config.json", architecture.SD15_FEATURE_EXTRACTOR_CONFIG)
    write_json(folder / "model_index.json", architecture.SD15_MODEL_INDEX)
    return folder


def write_clip_repo(hf_home: Path, repo_id: str, clip) -> Path:
    """A two-tower CLIP repo: weights, config, the image processor's config and the tokenizer."""
    from course_utils.sd import architecture

    folder = snapshot_dir(hf_home, repo_id)
    clip.save_pretrained(folder, safe_serialization=True)
    write_json(folder / "preprocessor_config.json", architecture.CLIP_VIT_B32_PREPROCESSOR_CONFIG)
    write_clip_tokenizer(folder)
    return folder


def dataset_card(config_name: str, features, splits: dict[str, int], note: str) -> str:
    """A dataset README whose YAML header says what the hub's says: configs, features, split sizes."""
    import yaml

    label_names = features["label"].names
    header = {
        "configs": [{"config_name": config_name, "default": True, "data_files": [
            {"split": split, "path": f"{config_name}/{split}-*"} for split in splits]}],
        "dataset_info": {"config_name": config_name, "features": [
            {"name": "image", "dtype": "image"},
            {"name": "label", "dtype": {"class_label": {"names": {str(i): n for i, n in enumerate(label_names)}}}}],
            "splits": [{"name": split, "num_examples": n} for split, n in splits.items()]},
    }
    return "---\n" + yaml.safe_dump(header, sort_keys=False, allow_unicode=True) + "---\n\n" + note + "\n"


def write_image_dataset(hf_home: Path, repo_id: str, config_name: str, splits: dict, features, note: str) -> Path:
    """An image-classification dataset as the hub stores it (README + one parquet file per split) and as
    ``load_dataset`` prepares it on first use (Arrow files in the datasets cache), so it loads offline.

    ``splits`` maps a split name to ``(images, labels)``: PIL images and class ids.
    """
    import datasets
    from datasets.packaged_modules.parquet.parquet import Parquet

    folder = snapshot_dir(hf_home, repo_id, "dataset")
    files = {}
    for split, (images, labels) in splits.items():
        files[split] = [str(folder / config_name / f"{split}-00000-of-00001.parquet")]
        Path(files[split][0]).parent.mkdir(parents=True, exist_ok=True)
        datasets.Dataset.from_dict({"image": images, "label": labels}, features=features).to_parquet(files[split][0])
    sizes = {split: len(labels) for split, (_, labels) in splits.items()}
    (folder / "README.md").write_text(dataset_card(config_name, features, sizes, note))
    # what an online load_dataset(repo_id) leaves in the datasets cache, built from the same files
    prepared = Path(hf_home) / "datasets" / repo_id.replace("/", "___") / config_name / "0.0.0" / REHEARSAL_COMMIT
    builder = Parquet(dataset_name=repo_id.split("/")[-1], config_name=config_name, data_files=files,
                      features=features, hash=REHEARSAL_COMMIT, cache_dir=str(Path(hf_home) / "datasets" / ".tmp"))
    builder.download_and_prepare(output_dir=str(prepared))
    for leftover in prepared.parent.glob("*.lock"):
        leftover.unlink()
    return folder
