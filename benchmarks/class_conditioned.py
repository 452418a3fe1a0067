"""Benchmark: the book chapter's class-conditioned UNet recipe vs the course's, as learning curves on a CPU.

Each recipe (``course_utils/class_unet/recipes.py``) trains on mini mode's data (4,500 real MNIST
digits) with its own settings, and pauses at each mark (default 5, 10 and 15 minutes of training
wall time; evaluation is not counted). At each pause the model (its EMA weights when the recipe
keeps one) samples images of every digit with the recipe's own sampler and steps, at guidance 1
and at the recipe's guidance, and the shipped digit classifier (``pretrained.digit_classifier``,
≥ 95 % accurate on the real test digits) judges them; then training resumes from the checkpoint
it paused at. The summary is the median over seeds. Ablations of ``course_mini`` are named
``course_mini-<lever>`` (``ABLATIONS``). The README's table and plot:

    HF_HUB_OFFLINE=1 python benchmarks/class_conditioned.py --threads 2 --json build/bench.json --plot build/bench.png

``--json`` is rewritten after every evaluation point, so a killed run keeps what it measured;
``--merge A.json B.json`` combines such files (say, one recipe per machine) without training.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import evaluation, pretrained
from course_utils.class_unet import recipes, training
from course_utils.class_unet.sampling import sample_class_conditioned  # noqa: E402
from course_utils.data import sources, transforms

DEFAULT_RECIPES = ("book", "course_mini")
LOSS_TAIL = 50  # "loss" is the mean of the last 50 training losses
_MINI = recipes.RECIPES["course_mini"]
ABLATIONS = {  # lever → the course_mini fields that switch it off (``course_mini-<lever>``)
    "no_ema": dict(ema_decay=None),
    "no_min_snr": dict(min_snr_gamma=None),
    "epsilon": dict(prediction_type="epsilon"),
    "no_warmup_no_decay": dict(warmup_steps=0, decay=False),
    "no_scale_shift": dict(unet={**_MINI.unet, "resnet_time_scale_shift": "default"}),
    "linear_betas": dict(beta_schedule="linear"),
    "batch_64": dict(batch_size=64),
}
SUMMARY_KEYS = ("steps", "train_seconds", "loss", "accuracy_g1", "accuracy_guided", "seconds_per_image")


def resolve_recipe(name: str) -> recipes.Recipe:
    """A recipe of ``recipes.RECIPES``, or ``course_mini-<lever>``: course_mini without that lever."""
    if name in recipes.RECIPES:
        return recipes.RECIPES[name]
    base, _, lever = name.partition("-")
    if base == "course_mini" and lever in ABLATIONS:
        return dataclasses.replace(recipes.RECIPES["course_mini"], name=name, note=f"course_mini, {lever}",
                                   **ABLATIONS[lever])
    known = list(recipes.RECIPES) + [f"course_mini-{lever}" for lever in ABLATIONS]
    raise ValueError(f"No recipe called {name!r}; use one of {', '.join(known)}.")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipes", nargs="+", default=list(DEFAULT_RECIPES),
                        help="recipe names (recipes.RECIPES) or ablations course_mini-<lever>")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="one training run per seed")
    parser.add_argument("--marks-minutes", nargs="+", type=float, default=[5.0, 10.0, 15.0],
                        help="training minutes at which to pause and evaluate (increasing)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--samples-per-class", type=int, default=10, help="images per digit (course recipes)")
    parser.add_argument("--book-samples-per-class", type=int, default=1,
                        help="images per digit for the book (DDPM-1000: ~70 s per image on a 2-core CPU)")
    parser.add_argument("--json", type=Path, help="write every point measured so far here, after each point")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="JSON",
                        help="no training: combine files written by --json and print the tables")
    parser.add_argument("--plot", type=Path, help="PNG of accuracy at each recipe's guidance vs training minutes")
    args = parser.parse_args(argv)
    marks = args.marks_minutes
    if not all(math.isfinite(m) and m > 0 for m in marks) or marks != sorted(set(marks)):
        parser.error(f"--marks-minutes {' '.join(map(str, marks))}: give positive, increasing minutes, e.g. 5 10 15")
    for flag, values in (("seeds", args.seeds), ("recipes", args.recipes)):
        if len(set(values)) != len(values):
            parser.error(f"--{flag} {' '.join(map(str, values))} repeats a value; give each once")
    for flag in ("threads", "samples_per_class", "book_samples_per_class"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be a positive int")
    for name in args.recipes:
        try:
            resolve_recipe(name)
        except ValueError as error:
            parser.error(str(error))
    return args


# --- measuring ----------------------------------------------------------------------------------

def judge_samples(model, recipe, judge, *, per_class: int, guidance_scale: float, seed: int):
    """The judge's accuracy on ``per_class`` generated images of each digit, and seconds per image."""
    labels = torch.arange(recipes.NUM_CLASSES).repeat(per_class)  # (10·k,)
    start = time.perf_counter()
    images = sample_class_conditioned(model, recipe.make_sampler(), labels, guidance_scale=guidance_scale,
                                      num_inference_steps=recipe.num_inference_steps,
                                      generator=torch.Generator().manual_seed(seed))  # (10·k, 1, 32, 32) in [0, 1]
    seconds = (time.perf_counter() - start) / len(labels)
    return evaluation.class_accuracy(judge, images, labels).overall, seconds


def evaluate(model, recipe, judge, *, per_class: int, seed: int) -> dict:
    """Accuracy at guidance 1 and at the recipe's guidance (one measurement when that is 1), s/image at the latter."""
    accuracy_g1, seconds = judge_samples(model, recipe, judge, per_class=per_class, guidance_scale=1.0, seed=seed)
    accuracy_guided = accuracy_g1
    if recipe.guidance_scale != 1.0:
        accuracy_guided, seconds = judge_samples(model, recipe, judge, per_class=per_class,
                                                 guidance_scale=recipe.guidance_scale, seed=seed)
    return dict(accuracy_g1=round(accuracy_g1, 4), accuracy_guided=round(accuracy_guided, 4),
                guidance_scale=recipe.guidance_scale, seconds_per_image=round(seconds, 4),
                sampler=f"{recipe.sampler.upper()}-{recipe.num_inference_steps}", images_per_class=per_class)


def learning_curve(recipe, seed: int, marks, images_labels, judge, *, per_class: int):
    """Train ``recipe`` from ``seed``, pausing at each mark (minutes of training) to evaluate; yields a dict per mark."""
    with tempfile.TemporaryDirectory(prefix="bench-class-unet-") as checkpoint_dir:
        model, losses, trained = None, [], 0.0
        for minutes in marks:
            left = minutes * 60 - trained  # ≤ 0 only if the last step ran past this mark too
            if len(losses) < recipe.num_steps and (model is None or left > 0):
                model = recipe.build_unet(seed)  # a fresh model: the call resumes from the checkpoint
                start = time.perf_counter()
                losses = training.train_class_conditioned(
                    model, images_labels, noise_scheduler=recipe.make_noise_scheduler(), checkpoint_dir=checkpoint_dir,
                    checkpoint_every=recipe.num_steps, seed=seed, device="cpu", progress=False,
                    max_seconds=left, **recipe.training_kwargs())  # returns holding the EMA weights, if any
                trained += time.perf_counter() - start
            tail = losses[-LOSS_TAIL:]
            point = dict(recipe=recipe.name, seed=seed, minutes=minutes, train_seconds=round(trained, 1),
                         steps=len(losses), loss=round(sum(tail) / len(tail), 5), finished=len(losses) >= recipe.num_steps)
            yield point | evaluate(model, recipe, judge, per_class=per_class, seed=seed)


def machine_info(threads: int, judge_accuracy: float, judged: int) -> dict:
    return dict(platform=platform.platform(), processor=platform.processor() or platform.machine(),
                cpus=os.cpu_count(), python=platform.python_version(), torch=torch.__version__, threads=threads,
                judge_accuracy=round(judge_accuracy, 4), judge_test_digits=judged)


def run(args) -> dict:
    """Every recipe and seed (seed by seed, so a killed run holds both recipes); returns the results."""
    torch.set_num_threads(args.threads)
    # the data are digits: a mirrored 7 is no 7, so no recipe flips them here (the book's flip suits clothes)
    chosen = [dataclasses.replace(resolve_recipe(name), flip=False) for name in args.recipes]
    images_labels = transforms.to_training_tensors(sources.load_fashion_mnist("train", mode="mini"))
    test_images, test_labels = transforms.to_training_tensors(sources.load_fashion_mnist("test", mode="mini"))
    judge = pretrained.digit_classifier()
    judge_accuracy = evaluation.class_accuracy(judge, (test_images + 1) / 2, test_labels).overall
    results = {"machines": [machine_info(torch.get_num_threads(), judge_accuracy, len(test_labels))], "points": []}
    print(describe_machines(results))
    for recipe in chosen:
        print(f"  {recipe.name}: {recipe.unet['block_out_channels']}, batch {recipe.batch_size}, lr "
              f"{recipe.learning_rate:g}, {recipe.num_steps} steps at most, {recipe.sampler.upper()}-"
              f"{recipe.num_inference_steps}, guidance {recipe.guidance_scale:g}")
    for seed in args.seeds:
        for recipe in chosen:
            per_class = args.book_samples_per_class if recipe.name == "book" else args.samples_per_class
            for point in learning_curve(recipe, seed, args.marks_minutes, images_labels, judge, per_class=per_class):
                results["points"].append(point)
                print(format_point(point), flush=True)
                if args.json:
                    write_json(results, args.json)
    return results


# --- reporting ----------------------------------------------------------------------------------

def describe_machines(results) -> str:
    lines = [f"{m['platform']} ({m['processor']}, {m['cpus']} CPUs), Python {m['python']}, torch {m['torch']}, "
             f"{m['threads']} threads; judge: {m['judge_accuracy']:.1%} accurate on {m['judge_test_digits']} real "
             "test digits" for m in results["machines"]]
    if any(m["judge_accuracy"] < 0.95 for m in results["machines"]):
        lines.append("WARNING: the judge is below 95% on real digits, so its verdicts on generated ones are weak.")
    return "\n".join(lines)


def format_point(p: dict) -> str:
    guided = f", g={p['guidance_scale']:g} {p['accuracy_guided']:.1%}" if p["guidance_scale"] != 1.0 else ""
    done = f" (finished at step {p['steps']}: no more training)" if p["finished"] else ""
    return (f"  {p['recipe']} seed {p['seed']} at {p['minutes']:g} min: {p['steps']} steps in {p['train_seconds']:.0f} s"
            f"{done}, loss {p['loss']:.4f}, accuracy g=1 {p['accuracy_g1']:.1%}{guided}, "
            f"{p['seconds_per_image']:.3f} s/image ({p['sampler']}, {p['images_per_class']}/digit)")


def summarize(results) -> list[dict]:
    """One row per recipe and mark: the median over seeds of ``SUMMARY_KEYS``, and the number of seeds."""
    groups: dict[tuple, list] = {}
    for p in results["points"]:
        groups.setdefault((p["recipe"], p["minutes"]), []).append(p)
    order = list(dict.fromkeys(p["recipe"] for p in results["points"]))  # recipes in the order they ran
    rows = [dict(recipe=recipe, minutes=minutes, seeds=len(points), guidance_scale=points[0]["guidance_scale"],
                 sampler=points[0]["sampler"], finished=sum(p["finished"] for p in points),
                 **{k: statistics.median(p[k] for p in points) for k in SUMMARY_KEYS})
            for (recipe, minutes), points in groups.items()]
    return sorted(rows, key=lambda r: (order.index(r["recipe"]), r["minutes"]))


def format_table(rows) -> str:
    """The summary as a Markdown table, plus how much longer the book takes per image than course_mini."""
    lines = ["Median over seeds. loss: mean of the last 50 training losses, each recipe's own objective (compare "
             "within a recipe); accuracy: the judge's, on generated digits; s/image: sampling at the recipe's guidance.",
             "", "| recipe | minutes | steps | loss | accuracy g=1 | accuracy at recipe's g | s/image | sampler | seeds |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        done = f" ({r['finished']} finished)" if r["finished"] else ""
        lines.append(f"| {r['recipe']} | {r['minutes']:g} | {r['steps']:.0f}{done} | {r['loss']:.4f} | "
                     f"{r['accuracy_g1']:.1%} | {r['accuracy_guided']:.1%} (g={r['guidance_scale']:g}) | "
                     f"{r['seconds_per_image']:.3f} | {r['sampler']} | {r['seeds']} |")
    per_image = {name: statistics.median(r["seconds_per_image"] for r in rows if r["recipe"] == name)
                 for name in ("book", "course_mini") if any(r["recipe"] == name for r in rows)}
    if len(per_image) == 2 and per_image["course_mini"] > 0:
        lines += ["", f"Sampling: book takes {per_image['book'] / per_image['course_mini']:.1f}× as long per image as "
                      f"course_mini ({per_image['book']:.2f} s vs {per_image['course_mini']:.3f} s; medians over marks)."]
    return "\n".join(lines)


def plot(results, path) -> Path:
    """Accuracy at each recipe's guidance vs training minutes: median line, each seed a faint point, chance at 10 %."""
    from matplotlib.figure import Figure  # no pyplot: no global state, PNG written by the Agg backend

    path = Path(path)
    rows = summarize(results)
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    for name in dict.fromkeys(r["recipe"] for r in rows):
        mine = [r for r in rows if r["recipe"] == name]
        (line,) = ax.plot([r["minutes"] for r in mine], [100 * r["accuracy_guided"] for r in mine], marker="o",
                          label=f"{name} (g={mine[0]['guidance_scale']:g}, median of {max(r['seeds'] for r in mine)})")
        seeds = [p for p in results["points"] if p["recipe"] == name]
        ax.scatter([p["minutes"] for p in seeds], [100 * p["accuracy_guided"] for p in seeds], color=line.get_color(),
                   alpha=0.3, s=14, linewidths=0)
    ax.axhline(10, color="grey", linestyle="--", linewidth=1, label="chance (10%)")
    marks = sorted({r["minutes"] for r in rows}) or [1.0]
    ax.set(xlabel="training time (minutes)", ylabel="generated digits judged correct (%)", ylim=(0, 102),
           xlim=(0, 1.05 * marks[-1]), xticks=marks, title="Class accuracy vs training time (CPU)")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def write_json(results, path) -> None:
    """Write atomically (a temporary file, then rename), so a kill mid-write keeps the previous file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=1))
    tmp.replace(path)


def merge(paths) -> dict:
    """Combine files written by ``--json``; a later file's point for the same recipe, seed and mark wins."""
    machines, points = [], {}
    for path in map(Path, paths):
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist; pass files written by this script's --json.")
        results = json.loads(path.read_text())
        if not isinstance(results, dict) or "points" not in results:
            raise ValueError(f"{path} holds no 'points'; pass files written by this script's --json.")
        machines += [m for m in results.get("machines", []) if m not in machines]
        points.update({(p["recipe"], p["seed"], p["minutes"]): p for p in results["points"]})
    return {"machines": machines, "points": list(points.values())}


def main(argv=None) -> dict:
    args = parse_args(argv)
    results = merge(args.merge) if args.merge else run(args)
    if args.merge:
        print(describe_machines(results))
        if args.json:
            write_json(results, args.json)
    print("\n" + format_table(summarize(results)))
    if args.plot:
        print(f"\nplot: {plot(results, args.plot)}")
    return results


if __name__ == "__main__":
    main()
