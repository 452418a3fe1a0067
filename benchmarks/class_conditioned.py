"""Benchmark: the book chapter's class-conditioned UNet recipe vs this course's, on CPU.

Both recipes (course_utils/unet_recipes.py) train on the offline stand-in data for the same
wall-clock budget; then each samples with its own sampler (book: DDPM, 1000 steps, no guidance;
course: DDIM, 50 steps, classifier-free guidance) and a small classifier trained on the real
training images scores the samples. On the course model, DDPM with 1000 steps is also run with
the same guidance, for the DDIM-vs-DDPM time ratio and accuracy difference. Every figure printed
is measured; with --runs N the summary is the median over N runs (seeds 0..N−1). "final loss" is
the mean training loss of the last 20 steps. A run takes about twice the budget plus sampling, and
DDPM with 1000 steps is slow on a CPU: expect several extra minutes per run on a 2-core machine.

    COURSE_MODE=smoke HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 python benchmarks/class_conditioned.py \\
        --budget-seconds 600 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from course_utils import data, evaluation, training, unet_recipes
from course_utils.sampling import sample_class_conditioned


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-seconds", type=float, required=True,
                        help="wall-clock training time per recipe and run")
    parser.add_argument("--runs", type=int, default=3, help="repeats (seeds 0..runs-1); the median is reported")
    parser.add_argument("--samples-per-class", type=int, default=3, help="generated images per class and sampler")
    parser.add_argument("--classifier-steps", type=int, default=300, help="training steps of the scoring classifier")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.budget_seconds <= 0 or args.runs < 1 or args.samples_per_class < 1 or args.classifier_steps < 1:
        parser.error("--budget-seconds, --runs, --samples-per-class and --classifier-steps must be positive")
    return args


def timed_samples(model, recipe, labels, *, sampler, num_inference_steps, guidance_scale, seed):
    """Generate one image per label; return (images in [0, 1], seconds per image)."""
    start = time.perf_counter()
    images = sample_class_conditioned(model, recipe.make_sampler(sampler), labels, guidance_scale=guidance_scale,
                                      num_inference_steps=num_inference_steps,
                                      generator=torch.Generator().manual_seed(seed))
    return images, (time.perf_counter() - start) / len(labels)


def run_recipe(recipe, train_tensors, classifier, labels, budget, seed):
    """Train for ``budget`` seconds, sample with the recipe's own sampler, score the samples."""
    model = recipe.build_unet(seed)
    start = time.perf_counter()
    losses = training.train_class_conditioned(
        model, train_tensors, noise_scheduler=recipe.make_noise_scheduler(), num_steps=recipe.num_steps,
        batch_size=recipe.batch_size, learning_rate=recipe.learning_rate, label_dropout=recipe.label_dropout,
        seed=seed, device="cpu", progress=False, max_seconds=budget)
    train_seconds = time.perf_counter() - start
    images, per_image = timed_samples(model, recipe, labels, sampler=recipe.sampler, seed=seed,
                                      num_inference_steps=recipe.num_inference_steps,
                                      guidance_scale=recipe.guidance_scale)
    tail = losses[-20:]
    result = {"steps": len(losses), "train_s": train_seconds, "final_loss": sum(tail) / len(tail),
              "accuracy": evaluation.class_accuracy(classifier, images, labels).overall,
              "sample_s_per_image": per_image}
    return model, result


def one_run(seed, train_tensors, classifier, args):
    labels = torch.arange(unet_recipes.NUM_CLASSES).repeat(args.samples_per_class)  # (10 · k,)
    results, models = {}, {}
    for name in ("book", "course"):
        models[name], results[name] = run_recipe(unet_recipes.get_recipe(name), train_tensors, classifier,
                                                 labels, args.budget_seconds, seed)
    # the same (course) model, sampled with DDPM for all 1000 steps, same guidance
    course = unet_recipes.get_recipe("course")
    images, per_image = timed_samples(models["course"], course, labels, sampler="ddpm", num_inference_steps=1000,
                                      guidance_scale=course.guidance_scale, seed=seed)
    ddpm_accuracy = evaluation.class_accuracy(classifier, images, labels).overall
    results["same_model"] = {"ddpm_over_ddim_time": per_image / results["course"]["sample_s_per_image"],
                             "ddim_minus_ddpm_accuracy": results["course"]["accuracy"] - ddpm_accuracy,
                             "ddpm_accuracy": ddpm_accuracy}
    return results


def print_results(title, results):
    print(f"\n{title}")
    print(f"  {'recipe':<8} {'steps':>6} {'final loss':>11} {'class acc.':>11} {'sampling s/image':>17}"
          "   (final loss: mean of the last 20 steps)")
    for name in ("book", "course"):
        r = results[name]
        print(f"  {name:<8} {r['steps']:>6.0f} {r['final_loss']:>11.4f} {r['accuracy']:>11.1%} "
              f"{r['sample_s_per_image']:>17.3f}")
    same = results["same_model"]
    print(f"  course model, DDIM-50 vs DDPM-1000: DDPM takes {same['ddpm_over_ddim_time']:.1f}× as long per image; "
          f"accuracy DDIM − DDPM = {same['ddim_minus_ddpm_accuracy']:+.1%} (DDPM: {same['ddpm_accuracy']:.1%})")


def median_results(runs):
    def med(get):
        return statistics.median(get(r) for r in runs)

    out = {name: {k: med(lambda r, n=name, k=k: r[n][k]) for k in runs[0][name]} for name in ("book", "course")}
    out["same_model"] = {k: med(lambda r, k=k: r["same_model"][k]) for k in runs[0]["same_model"]}
    return out


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU; stand-in data (smoke mode); "
          f"budget {args.budget_seconds:g} s per recipe, {args.runs} run(s), "
          f"{args.samples_per_class} samples per class")
    for name in ("book", "course"):
        r = unet_recipes.get_recipe(name)
        print(f"  {name}: {r.unet['block_out_channels']}, batch {r.batch_size}, lr {r.learning_rate:g}, "
              f"{r.sampler.upper()}-{r.num_inference_steps}, guidance {r.guidance_scale:g}")
    train_tensors = training.to_training_tensors(data.load_fashion_mnist("train", mode="smoke"))
    test_images, test_labels = training.to_training_tensors(data.load_fashion_mnist("test", mode="smoke"))
    classifier = evaluation.train_classifier(train_tensors, steps=args.classifier_steps, batch_size=64,
                                             learning_rate=3e-3, width=16, seed=0, device="cpu")
    reference = evaluation.class_accuracy(classifier, (test_images + 1) / 2, test_labels).overall
    print(f"scoring classifier: {reference:.1%} accuracy on {len(test_labels)} real test images")

    runs = []
    for seed in range(args.runs):
        runs.append(one_run(seed, train_tensors, classifier, args))
        print_results(f"run {seed + 1}/{args.runs} (seed {seed})", runs[-1])
    if args.runs > 1:
        print_results(f"MEDIAN over {args.runs} runs", median_results(runs))


if __name__ == "__main__":
    main()
