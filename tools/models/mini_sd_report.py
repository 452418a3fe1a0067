"""Measure the shipped miniature Stable Diffusion and write its model card.

Every figure is measured on the models as shipped (float16 storage, loaded back in float32) on
this machine's CPU, with the course's own judges: the digit classifier and the colour judge
(``course_utils.colour_judge``). Reads the training figures ``train_mini_sd.py`` left in
``mini-sd/figures.json``, among them the compositional curve at guidance 3 measured while the UNet
trained. Writes ``figures.json`` and ``README.md`` of ``mini-sd`` and ``mini-clip``.

    OMP_NUM_THREADS=2 python tools/models/mini_sd_report.py
    OMP_NUM_THREADS=2 python tools/models/mini_sd_report.py --palette-only-vae FOLDER   # + that VAE's held-out pairs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from course_utils import evaluation, pretrained  # noqa: E402
from course_utils.data import captions, digits, transforms  # noqa: E402
from course_utils.data.colours import (  # noqa: E402
    COLOUR_NAMES,
    HELD_OUT_PAIRS,
    evaluation_colours,
    render_digits,
)
from course_utils.data.compositions import CANONICAL_TEMPLATE, UNSEEN_TEMPLATES  # noqa: E402
from course_utils.mini_sd import mini_clip, mini_vae  # noqa: E402
from course_utils.sd.adherence import prompt_adherence  # noqa: E402
from course_utils.sd.composition import seen_and_held_out  # noqa: E402
from course_utils.sd.generate import generate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # mini_sd_card beside this script
from mini_sd_card import HELD_OUT_REPEATS, require_curve_at_3, write_card  # noqa: E402

SCALES = (1.0, 3.0, 7.5)
PHRASING_SCALES = (3.0, 7.5)  # unseen phrasings and plain digit prompts


def as_dict(accuracy) -> dict:
    return dict(digit=accuracy.digit, ink=accuracy.ink, background=accuracy.background,
                all_three=accuracy.all_three, count=accuracy.count)


def composition(pipe, classifier, template, scale: float) -> dict:
    result = seen_and_held_out(pipe, template=template, guidance_scale=scale, held_out_repeats=HELD_OUT_REPEATS,
                               classifier=classifier)
    print(f"guidance {scale}, {template if isinstance(template, str) else 'unseen phrasings'}: all three "
          f"seen {result['seen'].all_three:.1%}, held-out {result['held_out'].all_three:.1%}")
    return {name: as_dict(accuracy) for name, accuracy in result.items()}


def one_image_seconds(pipe) -> float:
    """Median of 3 runs: one 64×64 image, 25 PNDM steps, guidance 7.5, on one CPU thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    times = []
    for seed in range(4):
        t0 = time.perf_counter()
        generate(pipe, ["a red seven on a blue background"], guidance_scale=7.5, num_inference_steps=25,
                 generator=torch.Generator().manual_seed(seed))
        times.append(time.perf_counter() - t0)
    torch.set_num_threads(threads)
    return statistics.median(times[1:])  # the first run warms up


def measure(figures: dict) -> None:
    require_curve_at_3(figures)  # before the long measurements, not only when the card is written
    from diffusers import StableDiffusionPipeline
    from transformers import CLIPModel, CLIPTokenizer

    t0 = time.perf_counter()
    pipe = StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32)
    figures["load_seconds"] = round(time.perf_counter() - t0, 2)
    pipe.set_progress_bar_config(disable=True)
    classifier = pretrained.digit_classifier()
    test_px, test_lb = digits.load_digits("test")
    figures["classifier"]["test_accuracy"] = evaluation.class_accuracy(
        classifier, (transforms.digits_to_gray32(test_px) + 1) / 2, test_lb).overall
    ink, background = evaluation_colours(len(test_lb))
    # the mini CLIP, zero-shot per attribute
    tokenizer = CLIPTokenizer.from_pretrained(pretrained.mini_clip_dir())
    clip = CLIPModel.from_pretrained(pretrained.mini_clip_dir(), dtype=torch.float32)
    figures["clip"]["zero_shot"] = mini_clip.attribute_accuracy(clip, tokenizer, test_px, test_lb, ink, background)
    print("mini CLIP zero-shot:", figures["clip"]["zero_shot"])
    # the VAE on held-out coloured digits
    images = render_digits(test_px, ink, background)  # (500, 3, 64, 64) in [−1, 1]
    figures["vae"]["test_psnr_db"] = mini_vae.round_trip_psnr(pipe.vae, images).mean().item()
    figures["vae"]["scaling_factor"] = pipe.vae.config.scaling_factor
    print(f"VAE: {figures['vae']['test_psnr_db']:.2f} dB, scaling factor {pipe.vae.config.scaling_factor:.4f}")
    figures["vae"]["held_out_pairs"] = held_out_pair_round_trips(pipe.vae, classifier)
    # composition, plain digit prompts, unseen phrasings
    figures["composition"] = {str(s): composition(pipe, classifier, CANONICAL_TEMPLATE, s) for s in SCALES}
    figures["unseen_phrasings"] = {str(s): composition(pipe, classifier, list(UNSEEN_TEMPLATES["digit+ink+background"]), s)
                                   for s in PHRASING_SCALES}
    figures["plain_digit_prompts"] = {str(s): {
        t: prompt_adherence(pipe, classifier, template=t, guidance_scale=s, per_digit=20, seed=0).overall
        for t in (captions.ZERO_SHOT_TEMPLATE, *captions.UNSEEN_TEMPLATES)} for s in PHRASING_SCALES}
    print("plain digit prompts:", figures["plain_digit_prompts"])
    figures["one_image_seconds_one_core"] = round(one_image_seconds(pipe), 3)


def held_out_pair_round_trips(vae, classifier) -> dict:
    """PSNR and the judge's ink on VAE round trips of the 500 test digits in each held-out ink/background pair.

    The UNet only ever sees a cell through the VAE: a pair the VAE cannot encode, the UNet cannot learn.
    """
    from course_utils import colour_judge

    test_px, _ = digits.load_digits("test")
    result = {}
    for ink, background in HELD_OUT_PAIRS:
        images = render_digits(test_px, ink, background)  # (500, 3, 64, 64) in [−1, 1]
        decoded = mini_vae.round_trip(vae, images)  # (500, 3, 64, 64) in [0, 1]
        reading = colour_judge.read_images(decoded, classifier)
        result[f"{COLOUR_NAMES[ink]} on {COLOUR_NAMES[background]}"] = dict(
            psnr_db=mini_vae.psnr(decoded, images / 2 + 0.5).mean().item(),
            ink_read_right=(reading.ink == ink).float().mean().item(),
            background_read_right=(reading.background == background).float().mean().item())
    print("VAE round trips of the held-out pairs:", result)
    return result


def main() -> None:
    import platform

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--card-only", action="store_true", help="write the model cards from figures.json")
    parser.add_argument("--palette-only-vae", type=Path, default=None,
                        help="a VAE folder saved after the palette-only steps: measure its held-out pair round trips too")
    args = parser.parse_args()
    figures = json.loads((pretrained.SHIPPED / "mini-sd" / "figures.json").read_text())
    if not args.card_only:
        figures["report_machine"] = f"{platform.machine()}, {torch.get_num_threads()} torch threads, no GPU"
        measure(figures)
        if args.palette_only_vae:
            from diffusers import AutoencoderKL

            before = AutoencoderKL.from_pretrained(args.palette_only_vae, dtype=torch.float32)
            figures["vae"]["palette_only"] = dict(
                held_out_pairs=held_out_pair_round_trips(before, pretrained.digit_classifier()))
        (pretrained.SHIPPED / "mini-sd" / "figures.json").write_text(json.dumps(figures, indent=1))
    write_card(figures)
    print(json.dumps({k: v for k, v in figures.items() if k != "loss_curves"}, indent=1))


if __name__ == "__main__":
    main()
