"""Does the shipped miniature SD compose? Digit, ink and background on seen and held-out combinations.

    HF_HUB_OFFLINE=1 python benchmarks/composition.py [--scales 1 3 7.5] [--repeats 3]

Generates an image for every (digit, ink, background) cell training showed (335) and for every
held-out cell ``--repeats`` times (85 each), PNDM 25 steps, 64×64, seed 0, with the canonical
prompt "a {ink} {word} on a {background} background" and with the phrasings training never used,
and prints how often the colour judge reads each attribute, and all three at once.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 3.0, 7.5])
    parser.add_argument("--repeats", type=int, default=3, help="images per held-out cell")
    args = parser.parse_args()
    from diffusers import StableDiffusionPipeline

    from course_utils import pretrained
    from course_utils.data.compositions import CANONICAL_TEMPLATE, UNSEEN_TEMPLATES
    from course_utils.sd.composition import seen_and_held_out

    pipe = StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    classifier = pretrained.digit_classifier()
    runs = [(f"canonical, guidance {s}", CANONICAL_TEMPLATE, s) for s in args.scales]
    runs.append(("unseen phrasings, guidance 7.5", list(UNSEEN_TEMPLATES["digit+ink+background"]), 7.5))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), CPU; PNDM 25 steps, 64×64, seed 0")
    print(f"{'prompts':<32} {'set':<9} {'digit':>6} {'ink':>6} {'bg':>6} {'all 3':>6} {'images':>6}")
    for name, template, scale in runs:
        start = time.perf_counter()
        result = seen_and_held_out(pipe, template=template, guidance_scale=scale, held_out_repeats=args.repeats,
                                   classifier=classifier)
        for which, a in result.items():
            print(f"{name:<32} {which:<9} {a.digit:6.1%} {a.ink:6.1%} {a.background:6.1%} {a.all_three:6.1%} "
                  f"{a.count:6d}")
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
