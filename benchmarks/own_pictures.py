"""How long does training the mini SD on your own pictures take? Seconds per step of each stage.

    OMP_NUM_THREADS=2 python benchmarks/own_pictures.py [--resolution 64] [--batch-size 32] [--steps 10]
    python benchmarks/own_pictures.py --device cuda

Writes a folder of 64 synthetic captioned pictures (a coloured square on white), reads it with
``load_image_folder`` and times ``--steps`` steps of each stage of ``train_mini_sd.py --data``
(mini CLIP, mini VAE, UNet; after 2 untimed warm-up steps) on one process, then prints seconds per
step and what the default step counts would take.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "models"))


def picture_folder(folder: Path, count: int = 64) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    names = {"red": (220, 38, 38), "blue": (30, 90, 220), "green": (30, 160, 60), "yellow": (240, 210, 30)}
    lines = []
    for i in range(count):
        name = list(names)[i % len(names)]
        pixels = np.full((96, 96, 3), 255, np.uint8)
        x, y = rng.integers(0, 48, size=2)
        pixels[y:y + 48, x:x + 48] = names[name]
        Image.fromarray(pixels).save(folder / f"{i:03d}.png")
        lines.append(json.dumps({"file_name": f"{i:03d}.png", "text": f"a {name} square"}))
    (folder / "metadata.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def seconds_per_step(train, steps: int) -> float:
    train(2)  # warm-up: allocations, first-call costs
    start = time.perf_counter()
    train(steps)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    from own_pictures_run import DEFAULT_STEPS
    from transformers import CLIPTokenizer

    from course_utils.data.image_folder import load_image_folder
    from course_utils.mini_sd import mini_clip, mini_vae, own_pictures, text_unet
    from course_utils.mini_sd.tokenizer import save_clip_tokenizer_files

    with tempfile.TemporaryDirectory() as tmp:
        data = load_image_folder(picture_folder(Path(tmp)), args.resolution)
        save_clip_tokenizer_files(Path(tmp) / "tokenizer")
        tokenizer = CLIPTokenizer.from_pretrained(Path(tmp) / "tokenizer")
    clip, vae = mini_clip.build_mini_clip(), mini_vae.build_mini_vae()
    unet = text_unet.build_mini_unet(clip.config.text_config.hidden_size, sample_size=args.resolution // 8)
    options = dict(batch_size=args.batch_size, device=args.device, progress=False)
    timed = dict(
        clip=seconds_per_step(lambda n: own_pictures.train_clip_on_pictures(
            clip, tokenizer, data.images, data.captions, num_steps=n, **options), args.steps),
        vae=seconds_per_step(lambda n: own_pictures.train_vae_on_pictures(
            vae, data.images, num_steps=n, **options), args.steps))
    latents = own_pictures.PictureLatents(vae.eval(), clip.text_model.eval(), tokenizer, data.images, data.captions)
    timed["unet"] = seconds_per_step(lambda n: own_pictures.train_unet_on_pictures(
        unet, latents, scaling_factor=latents.scaling_factor(), num_steps=n, **options), args.steps)
    gpu = torch.cuda.get_device_name() if args.device.startswith("cuda") else "no GPU"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {platform.machine()}, {gpu}; "
          f"{args.resolution}×{args.resolution}, global batch {args.batch_size}, 1 process, {args.steps} timed steps")
    total = 0.0
    for stage, per_step in timed.items():
        minutes = per_step * DEFAULT_STEPS[stage] / 60
        total += minutes
        print(f"{stage:>5}: {per_step:.3f} s/step → {DEFAULT_STEPS[stage]:,} default steps ≈ {minutes:.1f} min")
    print(f"all three stages at the default steps ≈ {total:.0f} min")


if __name__ == "__main__":
    main()
