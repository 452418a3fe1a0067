"""``train_mini_sd.py --data DIR --out OUT``: a learner's captioned pictures in, a loadable pipeline out,
on one process and on two (torchrun on the CPU); a finished or half-finished run is never overwritten."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "models" / "train_mini_sd.py"
COLOURS = {"red": (220, 38, 38), "blue": (30, 90, 220), "green": (30, 160, 60), "yellow": (240, 210, 30)}


def picture_folder(folder: Path) -> Path:
    """Eight 40×40 pictures (resized to 32 by the trainer): a coloured square on white, captioned with its colour."""
    folder.mkdir()
    lines = []
    for i, (name, rgb) in enumerate(list(COLOURS.items()) * 2):
        pixels = np.full((40, 40, 3), 255, np.uint8)
        pixels[8 + i:28 + i, 10:30] = rgb
        Image.fromarray(pixels).save(folder / f"{i:02d}.png")
        lines.append(json.dumps({"file_name": f"{i:02d}.png", "text": f"a {name} square"}))
    (folder / "metadata.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def train(data: Path, out: Path, *extra, processes: int = 1):
    arguments = [str(TOOL), "--data", str(data), "--out", str(out), "--max-steps", "4", "--batch-size", "4",
                 "--resolution", "32", "--sample-every", "2", *extra]
    launcher = [sys.executable] if processes == 1 else [
        sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    env = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")
    return subprocess.run(launcher + arguments, env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("own")
    data = picture_folder(root / "pictures")
    done = train(data, root / "out")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return data, root / "out", done.stdout


def test_the_run_says_what_it_runs_on_and_what_it_changed(trained):
    _, _, stdout = trained
    assert "1 process (cpu); a global batch of 4" in stdout
    assert "8 pictures of 32×32" in stdout and "8 of 8 images were not 32×32" in stdout


def test_the_result_loads_with_from_pretrained_and_draws(trained):
    from diffusers import StableDiffusionPipeline

    _, out, _ = trained
    pipe = StableDiffusionPipeline.from_pretrained(out)
    assert pipe.unet.config.sample_size == 4 and pipe.vae.config.scaling_factor != 1.0
    image = pipe("a red square", num_inference_steps=2, output_type="pt",
                 generator=torch.Generator().manual_seed(0)).images
    assert image.shape == (1, 3, 32, 32) and torch.isfinite(image).all()
    record = json.loads((out / "training.json").read_text())
    assert record["steps"] == {"clip": 4, "vae": 4, "unet": 4} and record["pictures"] == 8
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["unet_step_000002.png", "unet_step_000004.png"]
    assert Image.open(out / "samples" / "unet_step_000004.png").size == (4 * 32, 32)  # one per distinct caption


def test_a_second_run_without_resume_is_refused_and_resume_finishes_alike(trained, tmp_path):
    data, out, _ = trained
    before = {p: p.stat().st_mtime_ns for p in (out / "checkpoints").rglob("*") if p.is_file()}
    refused = train(data, out)
    assert refused.returncode != 0 and "--resume" in refused.stderr and "nothing there is deleted" in refused.stderr
    assert before == {p: p.stat().st_mtime_ns for p in (out / "checkpoints").rglob("*") if p.is_file()}
    from safetensors.torch import load_file

    first = load_file(out / "unet" / "diffusion_pytorch_model.safetensors")
    resumed = train(data, out, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    again = load_file(out / "unet" / "diffusion_pytorch_model.safetensors")
    assert all(torch.equal(first[k], again[k]) for k in first)  # every stage reloaded, nothing retrained


def test_two_processes_train_the_same_pipeline_shape(tmp_path):
    data = picture_folder(tmp_path / "pictures")
    done = train(data, tmp_path / "out", processes=2)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 processes (cpu); a global batch of 4" in done.stdout
    assert done.stdout.count("8 pictures of 32×32") == 1  # only the main process speaks
    assert (tmp_path / "out" / "model_index.json").exists()


def test_a_bad_folder_stops_before_training_with_the_fix(tmp_path):
    (tmp_path / "pictures").mkdir()
    done = train(tmp_path / "pictures", tmp_path / "out")
    assert done.returncode != 0 and "DataFolderError" in done.stderr and "metadata.jsonl" in done.stderr
    assert not (tmp_path / "out" / "checkpoints").exists()


def test_init_from_the_shipped_mini_sd_starts_from_its_weights(tmp_path):
    from diffusers import StableDiffusionPipeline

    data = picture_folder(tmp_path / "pictures")
    done = train(data, tmp_path / "out", "--init-from", "mini-sd", "--max-steps", "1")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    from diffusers import UNet2DConditionModel

    from course_utils import pretrained

    pipe = StableDiffusionPipeline.from_pretrained(tmp_path / "out")

    start = UNet2DConditionModel.from_pretrained(pretrained.mini_sd_dir(), subfolder="unet")
    moved = max((a.float() - b.float()).abs().max().item()
                for a, b in zip(pipe.unet.state_dict().values(), start.state_dict().values()))
    assert 0 < moved < 0.05  # one small step away from the shipped UNet, not a fresh random one
