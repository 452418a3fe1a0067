"""Train the miniature Stable Diffusion the course ships (and the classifier that judges it).

Runs the very functions notebook 06 teaches, in its order: a digit classifier (the judge), the
mini CLIP (contrastive, on coloured digits and captions naming digit, ink and background), the
mini VAE (reconstruction + KL, weighted as LDM weighs them, then the scaling factor), the latent
table (every training digit in every allowed colour pair, encoded once), and the text-conditioned
UNet on scaled latents. Every stage checkpoints into ``--work-dir`` and resumes from there when the
script is run again; the UNet's weights at a few steps along the run are kept in
``--work-dir/curve`` to measure how composition emerges. The results are written in the hub's
layout to ``course_utils/shipped/`` (float16 storage); ``tools/models/mini_sd_report.py`` then
measures every figure and writes the model card.

    OMP_NUM_THREADS=2 python tools/models/train_mini_sd.py --work-dir /tmp/mini-sd-work
    python tools/models/train_mini_sd.py --device cuda --work-dir /tmp/mini-sd-work   # on a GPU

With ``--data DIR --out OUT`` it trains the same three parts on your own captioned pictures instead
(``tools/models/own_pictures_run.py``), on one process or several:

    python tools/models/train_mini_sd.py --data my_pictures --out my-mini-sd --max-steps 500
    torchrun --nproc_per_node 2 tools/models/train_mini_sd.py --data my_pictures --out my-mini-sd   # 2 CPU processes
    accelerate launch --num_processes 2 tools/models/train_mini_sd.py --device cuda --data my_pictures --out my-mini-sd
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import shutil
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # own_pictures_run beside this script

import own_pictures_run  # noqa: E402
from run_records import PLACES, keep_stage, kept_stage, loss_curves, wall_seconds  # noqa: E402

from course_utils import evaluation, pretrained  # noqa: E402
from course_utils.data import digits, transforms  # noqa: E402
from course_utils.data.compositions import caption_table  # noqa: E402
from course_utils.mini_sd import latent_table, mini_clip, mini_vae, text_unet  # noqa: E402
from course_utils.mini_sd.tokenizer import save_clip_tokenizer_files  # noqa: E402
from course_utils.training.checkpoints import latest_checkpoint  # noqa: E402

# clip: the 2,621 steps a 1,400-second budget fitted on the 2-core machine; vae: enough for ≥ 28 dB PSNR;
# unet: about 90 minutes on the 2 cores (4,000 steps left held-out composition still rising)
# clip_image: the kept CLIP again with its text tower locked (the UNet reads that tower), until it names the digit
STEPS = dict(classifier=600, clip=2621, clip_image=6000, vae=9000, unet=6000)
EMA_DECAY = dict(unet=0.999)  # the UNet samples with an exponential moving average of its weights
VAE_RANDOM_COLOURS = dict(fraction=0.5)  # the VAE's extra steps: this share of each batch in random sRGB colours
CURVE_GUIDANCE = 3.0  # the guidance scale the curve is measured at: the scale the notebooks use in mini mode
BATCH = dict(classifier=128, clip=128, clip_image=128, vae=32, unet=128)
LEARNING_RATE = dict(clip=1e-3, clip_image=1e-3, vae=1e-3, unet=1e-3)
LIMIT = dict(digits=None, curve_cells=None)  # a dry run (--digits): the UNet's first N digits, 20 cells per curve set
CURVE = (0.05, 0.1, 0.2, 0.4, 0.7)  # fractions of the UNet's steps whose weights are kept for the curve
TOKENIZER_FILES = ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def clip_tokenizer(work: Path):
    from transformers import CLIPTokenizer

    save_clip_tokenizer_files(work / "tokenizer")
    return CLIPTokenizer.from_pretrained(work / "tokenizer")


def fit_to_budget(stage: str, trial, budgets: dict, work: Path) -> None:
    """With a time budget for ``stage``, cut its steps to what fits: ``trial(n)`` trains a throwaway copy n steps.

    The plan is kept in ``work/steps.json``, so a resumed run trains the same number of steps.
    """
    plan_file = work / "steps.json"
    plan = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    if stage in plan:
        STEPS[stage] = plan[stage]
        print(f"{stage}: {STEPS[stage]} steps, as planned in {plan_file}")
        return
    if stage in budgets:
        t0 = time.perf_counter()
        trial(20)
        per_step = (time.perf_counter() - t0) / 20  # includes the first steps' warm-up: an overestimate
        STEPS[stage] = max(1, min(STEPS[stage], int(budgets[stage] / per_step)))
        print(f"{stage}: {per_step * 1000:.1f} ms per step → {STEPS[stage]} steps in {budgets[stage]} s")
    plan_file.write_text(json.dumps(dict(plan, **{stage: STEPS[stage]})))


def train_judge(work: Path, figures: dict, device) -> torch.nn.Module:
    """The judge, trained once and kept: every figure it reads stays comparable across later runs."""
    classifier = evaluation.build_classifier(10, width=32)
    if (kept := kept_stage("classifier", classifier)) is not None:
        figures["classifier"] = {k: v for k, v in kept.items() if k != "loss_curve"}
        return classifier.eval()
    px, lb = digits.load_digits("train")
    t0 = time.perf_counter()
    classifier = evaluation.train_classifier((transforms.digits_to_gray32(px), torch.as_tensor(lb)),
                                             steps=STEPS["classifier"], batch_size=BATCH["classifier"],
                                             flip=False, device=device, progress=True).cpu()
    test_px, test_lb = digits.load_digits("test")
    acc = evaluation.class_accuracy(classifier, (transforms.digits_to_gray32(test_px) + 1) / 2, test_lb).overall
    figures["classifier"] = dict(steps=STEPS["classifier"], batch_size=BATCH["classifier"], test_accuracy=acc,
                                 seconds=round(time.perf_counter() - t0, 1))
    print(f"digit classifier: {acc:.1%} on the {len(test_lb)} real test digits")
    keep_stage("classifier", classifier, figures["classifier"], work, curve=[])
    return classifier


def train_clip(work: Path, tokenizer, figures: dict, device, budgets: dict):
    px, lb = digits.load_digits("train")
    clip = mini_clip.build_mini_clip(seed=0)
    if (kept := kept_stage("clip", clip)) is not None:
        figures["clip"] = {k: v for k, v in kept.items() if k != "loss_curve"}
        return clip.cpu()
    fit_to_budget("clip", lambda n: mini_clip.train_mini_clip(copy.deepcopy(clip), tokenizer, px, lb, colours=True,
                  num_steps=n, batch_size=BATCH["clip"], device=device, progress=False), budgets, work)
    t0 = time.perf_counter()
    losses = mini_clip.train_mini_clip(clip, tokenizer, px, lb, colours=True, num_steps=STEPS["clip"],
                                       batch_size=BATCH["clip"], learning_rate=LEARNING_RATE["clip"],
                                       checkpoint_dir=work / "clip", checkpoint_every=1000, device=device)
    figures["clip"] = dict(steps=STEPS["clip"], batch_size=BATCH["clip"], learning_rate=LEARNING_RATE["clip"],
                           final_loss=sum(losses[-20:]) / 20,
                           seconds=wall_seconds(work, "clip", time.perf_counter() - t0))
    print(f"mini CLIP: final loss {figures['clip']['final_loss']:.3f}")
    keep_stage("clip", clip, figures["clip"], work)
    return clip.cpu()


def train_clip_image(work: Path, clip, figures: dict, tokenizer, device):
    """The kept CLIP trained on with its text tower locked: the image tower, projections and temperature learn on.

    The text tower's weights, and so the UNet's conditioning, stay exactly as they were (checked).
    """
    text_before = {k: v.clone() for k, v in clip.text_model.state_dict().items()}
    if (kept := kept_stage("clip_image", clip)) is None:
        px, lb = digits.load_digits("train")
        t0 = time.perf_counter()
        losses = mini_clip.train_mini_clip(clip, tokenizer, px, lb, colours=True, lock_text=True,
                                           num_steps=STEPS["clip_image"], batch_size=BATCH["clip_image"],
                                           learning_rate=LEARNING_RATE["clip_image"], checkpoint_dir=work / "clip_image",
                                           checkpoint_every=500, device=device)
        kept = dict(steps=STEPS["clip_image"], batch_size=BATCH["clip_image"],
                    learning_rate=LEARNING_RATE["clip_image"], final_loss=sum(losses[-20:]) / 20,
                    seconds=wall_seconds(work, "clip_image", time.perf_counter() - t0))
        print(f"mini CLIP, text tower locked: final loss {kept['final_loss']:.3f}")
        keep_stage("clip_image", clip, kept, work)
    clip = clip.cpu()
    assert all(torch.equal(text_before[k].cpu(), v) for k, v in clip.text_model.state_dict().items()), \
        "the text tower changed while it was locked"
    figures["clip_image"] = {k: v for k, v in kept.items() if k != "loss_curve"}
    return clip


def train_vae_more(vae, kept: dict, work: Path, figures: dict, device, more: int):
    """``more`` steps on the kept VAE, a new warm-up and cosine cycle at half the learning rate, kept again.

    A share of each batch (``--vae-random-colours``, default half) is drawn in random sRGB colours, so
    the VAE learns to encode any two colours, the held-out pairs included, without a held-out palette cell.

    A kept stage holds weights, not the optimizer, so the extra steps start a new cycle (a warm
    restart); the record adds their steps and seconds to the first run's.
    """
    px, lb = digits.load_digits("train")
    number = len(kept.get("cycles", [])) + 1  # this cycle's: its checkpoints, seed and wall time
    t0 = time.perf_counter()
    losses = mini_vae.train_mini_vae(vae, px, lb, num_steps=more, batch_size=BATCH["vae"],
                                     learning_rate=LEARNING_RATE["vae"] / 2, checkpoint_dir=work / f"vae_more_{number}",
                                     checkpoint_every=500, seed=number, device=device,
                                     random_colour_fraction=VAE_RANDOM_COLOURS["fraction"])
    cycle = dict(steps=more, learning_rate=LEARNING_RATE["vae"] / 2,
                 random_colour_fraction=VAE_RANDOM_COLOURS["fraction"],
                 final_loss=sum(losses[-20:]) / 20,
                 seconds=wall_seconds(work, f"vae_more_{number}", time.perf_counter() - t0))
    record = {k: v for k, v in kept.items() if k != "loss_curve"}
    record = dict(record, cycles=record.get("cycles", []) + [cycle], final_loss=cycle["final_loss"],
                  steps=record["steps"] + more, seconds=round(record["seconds"] + cycle["seconds"], 1))
    figures["vae"] = record
    curve = (kept.get("loss_curve") or []) + [round(sum(losses[i:i + 10]) / 10, 5) for i in range(0, len(losses) // 10 * 10, 10)]
    keep_stage("vae", vae, record, work, curve=curve)
    print(f"mini VAE: {more} more steps, final loss {cycle['final_loss']:.2f}")
    return vae


def train_vae(work: Path, figures: dict, device, budgets: dict, more: int = 0):
    px, lb = digits.load_digits("train")
    vae = mini_vae.build_mini_vae(seed=0)
    if (kept := kept_stage("vae", vae)) is not None:
        figures["vae"] = {k: v for k, v in kept.items() if k != "loss_curve"}
        return train_vae_more(vae, kept, work, figures, device, more) if more else vae
    fit_to_budget("vae", lambda n: mini_vae.train_mini_vae(copy.deepcopy(vae), px, lb, num_steps=n,
                  batch_size=BATCH["vae"], device=device, progress=False), budgets, work)
    t0 = time.perf_counter()
    losses = mini_vae.train_mini_vae(vae, px, lb, num_steps=STEPS["vae"], batch_size=BATCH["vae"],
                                     learning_rate=LEARNING_RATE["vae"], checkpoint_dir=work / "vae",
                                     checkpoint_every=1000, device=device)
    figures["vae"] = dict(steps=STEPS["vae"], batch_size=BATCH["vae"], learning_rate=LEARNING_RATE["vae"],
                          kl_weight=1e-6, final_loss=sum(losses[-20:]) / 20,
                          seconds=wall_seconds(work, "vae", time.perf_counter() - t0))
    print(f"mini VAE: final loss {figures['vae']['final_loss']:.2f} (squared error summed per image)")
    keep_stage("vae", vae, figures["vae"], work)
    return vae


def curve_point(step: int, vae, text_encoder, tokenizer, unet, classifier, work: Path) -> dict:
    """Composition at ``CURVE_GUIDANCE`` of the UNet at ``step`` (335 seen + 255 held-out images), kept in work/curve.json.

    Measured while training, so the curve survives even when the run's work folder does not.
    """
    from course_utils.sd.composition import composition_adherence, evaluation_cells

    record = work / "curve.json"
    points = json.loads(record.read_text()) if record.exists() else []
    if (done := next((p for p in points if p["step"] == step), None)) is not None:
        return done
    pipe = own_pictures_run.build_pipeline(vae, text_encoder, tokenizer, unet)
    pipe.set_progress_bar_config(disable=True)
    cells = dict(seen=evaluation_cells(False), held_out=evaluation_cells(True, repeats=3))  # as the model card's
    with torch.no_grad():
        result = {name: composition_adherence(pipe, cells[name][:LIMIT["curve_cells"]], guidance_scale=CURVE_GUIDANCE,
                                              classifier=classifier.to(unet.device)) for name in cells}
    point = dict(step=step, guidance_scale=CURVE_GUIDANCE, **{f"{name}_{attribute}": getattr(result[name], attribute)
                               for name in ("seen", "held_out") for attribute in ("digit", "ink", "background")},
                 seen=result["seen"].all_three, held_out=result["held_out"].all_three)
    record.write_text(json.dumps(points + [point], indent=1))
    unet.train()
    print(f"curve: step {step}: all three right on {point['seen']:.1%} of seen, {point['held_out']:.1%} of "
          "held-out combinations")
    return point


def train_unet(work: Path, vae, text_encoder, tokenizer, classifier, figures: dict, device, budgets: dict):
    unet = text_unet.build_mini_unet(text_encoder.config.hidden_size, seed=0)
    if (kept := kept_stage("unet", unet)) is not None:  # finished in an earlier run: its factor and its curve
        vae.register_to_config(scaling_factor=kept["scaling_factor"])
        figures["unet"] = {k: v for k, v in kept.items() if k not in ("loss_curve", "curve")}
        figures["curve"] = kept["curve"]
        return unet, vae.cpu()
    px, lb = digits.load_digits("train")
    px, lb = px[:LIMIT["digits"]], lb[:LIMIT["digits"]]
    t0 = time.perf_counter()
    saved = work / "latent_table.pt"  # a resumed run reads the table instead of encoding it again
    if saved.exists():
        table = latent_table.LatentTable(**torch.load(saved, weights_only=True))
    else:
        table = latent_table.encode_digits(vae, px, lb, colours=True, batch_size=1024, progress=True)  # 150,750 rows
        torch.save(dict(vars(table)), saved)
    factor = mini_vae.scaling_factor_of(table.means, table.stds, torch.Generator().manual_seed(0))
    vae.register_to_config(scaling_factor=factor)  # SD v1 measured its 0.18215 this way
    if (started := latest_checkpoint(work / "unet")) is not None:  # resuming: the factor the UNet trained with
        settings = json.loads((started / "checkpoint.json").read_text())["settings"]
        vae.register_to_config(scaling_factor=settings["scaling_factor"])
    encode_seconds = wall_seconds(work, "encode", time.perf_counter() - t0)
    print(f"latent table: {len(table)} rows in {encode_seconds} s; scaling_factor {vae.config.scaling_factor:.4f}")
    states = text_unet.caption_embeddings(text_encoder, tokenizer, caption_table() + [""])  # (3001, 77, 32)
    fit_to_budget("unet", lambda n: text_unet.train_text_unet(copy.deepcopy(unet), table, states, scaling_factor=1.0,
                  num_steps=n, batch_size=BATCH["unet"], device=device, progress=False), budgets, work)
    t0 = time.perf_counter()
    curve = work / "curve"
    curve.mkdir(parents=True, exist_ok=True)
    stops = sorted({max(1, round(f * STEPS["unet"])) for f in CURVE} | {STEPS["unet"]})
    for stop in stops:
        losses = text_unet.train_text_unet(unet, table, states, scaling_factor=vae.config.scaling_factor,
                                           num_steps=STEPS["unet"], batch_size=BATCH["unet"],
                                           learning_rate=LEARNING_RATE["unet"], checkpoint_dir=work / "unet",
                                           checkpoint_every=500, device=device, stop_at_step=stop,
                                           ema_decay=EMA_DECAY["unet"])
        from safetensors.torch import save_file

        kept = curve / f"unet_step_{stop:06d}.safetensors"
        if kept.exists() and stop < STEPS["unet"]:  # a resumed run passes earlier stops: keep their weights
            continue
        save_file({k: v.detach().half().cpu().contiguous() for k, v in unet.state_dict().items()}, str(kept))
        if stop < STEPS["unet"]:  # the finished UNet is measured below, on its float16 weights
            curve_point(stop, vae, text_encoder, tokenizer, unet, classifier, work)
    figures["unet"] = dict(steps=STEPS["unet"], batch_size=BATCH["unet"], learning_rate=LEARNING_RATE["unet"],
                           ema_decay=EMA_DECAY["unet"],
                           table_rows=len(table), encode_seconds=encode_seconds,
                           final_loss=sum(losses[-50:]) / 50,
                           seconds=wall_seconds(work, "unet", time.perf_counter() - t0),
                           curve_steps=stops, scaling_factor=vae.config.scaling_factor)
    keep_stage("unet", unet, figures["unet"], work)  # rounds the UNet to its float16 weights
    figures["curve"] = [curve_point(stop, vae, text_encoder, tokenizer, unet, classifier, work) for stop in stops]
    record = PLACES["stages"] / "unet.json"
    record.write_text(json.dumps(dict(json.loads(record.read_text()), curve=figures["curve"]), indent=1))
    return unet.cpu(), vae.cpu()


def save_all(clip, vae, unet, text_encoder, tokenizer, classifier) -> None:
    from transformers import CLIPProcessor

    out = pretrained.SHIPPED
    for name in ("mini-sd", "mini-clip", "digit-classifier"):
        shutil.rmtree(out / name, ignore_errors=True)
    pipe = own_pictures_run.build_pipeline(vae, text_encoder, tokenizer, unet)
    pretrained.to_float16_storage(pipe)
    pipe.save_pretrained(out / "mini-sd", safe_serialization=True)
    shutil.rmtree(out / "mini-sd" / "tokenizer")  # rebuilt from openai-clip's BPE file on first use
    pretrained.save_mini_clip(clip, out / "mini-clip")  # the text tower ships once, as the pipeline's text encoder
    CLIPProcessor(image_processor=mini_clip.image_processor(), tokenizer=tokenizer).save_pretrained(out / "mini-clip")
    for name in TOKENIZER_FILES:
        (out / "mini-clip" / name).unlink(missing_ok=True)
    pretrained.save_digit_classifier(classifier, out / "digit-classifier", width=32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/mini-sd-work"))
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--steps-scale", type=float, default=1.0, help="multiply every stage's steps (a quick dry run)")
    parser.add_argument("--digits", type=int, default=None, help="a dry run: the UNet's table holds only N digits")
    parser.add_argument("--budget", default="", help="seconds per stage, e.g. clip=60,vae=90,unet=240: each stage "
                        "trains at most as many steps as fit (timed on 20 trial steps)")
    parser.add_argument("--more-vae-steps", type=int, default=0,
                        help="train the kept VAE this many more steps (a new cosine cycle) before going on")
    parser.add_argument("--vae-random-colours", type=float, default=0.5,
                        help="with --more-vae-steps: the share of each batch drawn in random sRGB colours")
    parser.add_argument("--stop-after", choices=["clip", "clip_image", "vae"], default=None, help="stop once this stage is kept")
    own_pictures_run.add_arguments(parser)
    args = parser.parse_args()
    if args.data is not None:
        own_pictures_run.run(args)
        return
    for name in STEPS:
        STEPS[name] = max(1, round(STEPS[name] * args.steps_scale))
    LIMIT["digits"] = args.digits
    VAE_RANDOM_COLOURS["fraction"] = args.vae_random_colours
    LIMIT["curve_cells"] = None if args.digits is None else 20
    if args.steps_scale != 1.0 or args.digits is not None:
        PLACES["stages"] = args.work_dir / "stages"
    budgets = {k: float(v) for k, v in (item.split("=") for item in args.budget.split(",") if item)}
    torch.manual_seed(0)
    start = time.perf_counter()
    command = " ".join(["python tools/models/train_mini_sd.py"] + sys.argv[1:])
    gpu = torch.cuda.get_device_name() if str(args.device).startswith("cuda") else "no GPU"
    figures = dict(command=command, torch=torch.__version__,
                   machine=f"{platform.machine()}, {torch.get_num_threads()} torch threads, {gpu}")
    tokenizer = clip_tokenizer(args.work_dir)
    classifier = train_judge(args.work_dir, figures, args.device)
    clip = train_clip(args.work_dir, tokenizer, figures, args.device, budgets)
    if args.stop_after == "clip":
        return
    clip = train_clip_image(args.work_dir, clip, figures, tokenizer, args.device)
    text_encoder = clip.text_model  # SD v1 uses CLIP's text tower as its text encoder
    if args.stop_after == "clip_image":
        return
    vae = train_vae(args.work_dir, figures, args.device, budgets, more=args.more_vae_steps)
    if args.stop_after == "vae":
        return
    unet, vae = train_unet(args.work_dir, vae, text_encoder.to(args.device), tokenizer, classifier, figures,
                           args.device, budgets)
    figures["train_seconds_total"] = wall_seconds(args.work_dir, "total", time.perf_counter() - start)
    figures["loss_curves"] = loss_curves(args.work_dir)
    save_all(clip.cpu(), vae, unet, text_encoder.cpu(), tokenizer, classifier)
    (pretrained.SHIPPED / "mini-sd" / "figures.json").write_text(json.dumps(figures, indent=1))
    print(json.dumps({k: v for k, v in figures.items() if k != "loss_curves"}, indent=1))


if __name__ == "__main__":
    main()
