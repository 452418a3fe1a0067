"""How fast the shipped miniature SD loads and draws on a CPU (issue: ≤ 5 s to load, ≤ 1 s per image).

    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 python benchmarks/mini_sd.py --runs 5

Prints the time to load ``StableDiffusionPipeline.from_pretrained`` from the shipped folder (the
first load in a fresh cache assembles the folder and writes the tokenizer files; later loads do
not), and the time for one 64×64 image with 25 PNDM steps at guidance 7.5, with ``generate`` and
with the pipeline, as medians over ``--runs`` runs, with the number of torch threads used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["COURSE_CACHE"] = tempfile.mkdtemp(prefix="mini-sd-bench-")  # a fresh cache: the first load assembles
    from diffusers import StableDiffusionPipeline

    from course_utils import pretrained
    from course_utils.sd.generate import generate

    first = timed(lambda: StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32))
    loads = [timed(lambda: StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32))
             for _ in range(args.runs)]
    pipe = StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    prompt = "a handwritten digit seven"
    generate(pipe, prompt, num_inference_steps=25)  # warm-up
    ours = [timed(lambda i=i: generate(pipe, prompt, num_inference_steps=25, generator=torch.Generator().manual_seed(i)))
            for i in range(args.runs)]
    theirs = [timed(lambda i=i: pipe(prompt, num_inference_steps=25, generator=torch.Generator().manual_seed(i)))
              for i in range(args.runs)]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), CPU, {args.runs} runs")
    print(f"load, first (assembles the cache folder): {first:.2f} s")
    print(f"load, median of later loads:             {statistics.median(loads):.2f} s")
    print(f"one 64×64 image, 25 PNDM steps, s = 7.5: generate {statistics.median(ours):.3f} s, "
          f"pipeline {statistics.median(theirs):.3f} s (medians)")


if __name__ == "__main__":
    main()
