"""Is the hand-written loop as fast as diffusers? Time `generate` against `StableDiffusionPipeline`.

    COURSE_MODE=smoke HF_HUB_OFFLINE=1 python benchmarks/sampling_loop.py --runs 7 --steps 20

Same model, prompt, seed and settings for both; the calls alternate (and which goes first
alternates too), so a machine that speeds up or slows down during the run affects both alike.
Prints the median time of each, the median of the per-run time ratios generate / pipeline
(goal ≤ 1.02), and the largest absolute difference between their images (0 means bit for bit).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from course_utils import config
from course_utils.sd.generate import generate
from course_utils.sd.loading import load_pipeline


def timed(fn, device: torch.device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    out = fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start, out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (≥ 5 recommended)")
    parser.add_argument("--steps", type=int, default=20, help="num_inference_steps")
    parser.add_argument("--guidance-scale", type=float, default=7.5)
    parser.add_argument("--prompt", default="a watercolor painting of a lighthouse at sunset")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1 (use 5 or more for a stable median)")

    pipe = load_pipeline()
    device = pipe.device
    settings = dict(num_inference_steps=args.steps, guidance_scale=args.guidance_scale)
    ours = lambda: generate(pipe, args.prompt, generator=torch.Generator().manual_seed(args.seed), **settings)
    theirs = lambda: pipe(args.prompt, generator=torch.Generator().manual_seed(args.seed), output_type="pt",
                          **settings).images
    with torch.no_grad():
        ours(), theirs()  # warm-up: first calls pay for allocations and kernel selection

        times = {"generate": [], "pipeline": []}
        outputs = {}
        for run in range(args.runs):
            order = [("generate", ours), ("pipeline", theirs)]
            for name, fn in order if run % 2 == 0 else order[::-1]:
                seconds, outputs[name] = timed(fn, device)
                times[name].append(seconds)

    ratios = [g / p for g, p in zip(times["generate"], times["pipeline"])]
    max_abs_diff = (outputs["generate"].float() - outputs["pipeline"].float()).abs().max().item()
    result = {
        "median_generate_s": statistics.median(times["generate"]),
        "median_pipeline_s": statistics.median(times["pipeline"]),
        "median_ratio": statistics.median(ratios),
        "max_abs_diff": max_abs_diff,
    }
    print(f"mode {config.get_mode()}, device {device}, dtype {pipe.unet.dtype}, "
          f"scheduler {type(pipe.scheduler).__name__}, {args.steps} steps, {args.runs} runs each, "
          f"image {tuple(outputs['generate'].shape)}")
    print(f"median time   generate {result['median_generate_s'] * 1000:9.1f} ms")
    print(f"median time   pipeline {result['median_pipeline_s'] * 1000:9.1f} ms")
    print(f"median ratio  generate / pipeline = {result['median_ratio']:.3f}  (goal ≤ 1.02)")
    print(f"max |generate − pipeline| = {max_abs_diff:.3g}" + ("  (bit for bit)" if max_abs_diff == 0 else ""))
    return result


if __name__ == "__main__":
    main()
