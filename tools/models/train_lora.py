"""Train the LoRA the course ships: the mini SD learns a colour it never saw, orange (notebook 07).

Runs the functions notebook 07 teaches, in its order:

1. the concept's pictures: 20 real test digits (2 per class, never used to train the mini SD) in
   orange ink on the palette's backgrounds, captioned "an orange seven on a blue background"
   (``course_utils.lora.concept_data``), and 20 more in palette colours with their usual captions
   (DreamBooth's prior preservation), encoded once by the frozen VAE and text encoder;
2. before: the judge with the palette plus orange (``course_utils.lora.concept_judge``) reads one
   picture per orange cell (10 digits × 7 backgrounds) and per 5th seen palette cell, at guidance 3,
   and reads 70 real orange digits before and after a round trip through the VAE;
3. a rank-4 LoRA on the UNet's attention projections with peft, trained with the course's loop
   (``course_utils.lora.training``), saved alone as ``pytorch_lora_weights.safetensors``;
4. the same LoRA trained again with the rare token "sks" in the captions instead of "orange"
   (DreamBooth's trick), saved as ``pytorch_lora_weights_sks.safetensors``;
5. after: both LoRAs loaded with ``pipe.load_lora_weights`` and measured on the same cells and seeds;
   the figures go to ``figures.json`` and the model card ``README.md``.

    OMP_NUM_THREADS=2 python tools/models/train_lora.py                       # about 6 minutes on 2 idle CPU cores
    python tools/models/train_lora.py --out /tmp/lora-check --steps 50      # a quick dry run elsewhere
    python tools/models/train_lora.py --rehearse-full-size                  # one LoRA step on SD v1.5's size

``--rehearse-full-size`` builds SD v1.5's UNet (``course_utils.sd.architecture``, random weights: it
proves the plumbing, not the pictures), gives it the same LoRA and runs one training step on a
512-px latent, reporting the LoRA's size, the time and the peak memory; ``--write-rehearsal`` adds
them to the shipped ``figures.json`` and model card.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from course_utils import pretrained  # noqa: E402
from course_utils.colour_judge import composition_accuracy  # noqa: E402
from course_utils.data import digits  # noqa: E402
from course_utils.lora import concept_data, concept_judge, training  # noqa: E402
from course_utils.lora.low_rank import UNET_ATTENTION_TARGETS  # noqa: E402
from course_utils.mini_sd import mini_vae  # noqa: E402
from course_utils.sd.composition import evaluation_cells  # noqa: E402

OUT = pretrained.SHIPPED / "mini-sd-lora-orange"
RECIPE = dict(rank=4, alpha=4, per_digit=2, preserve_per_digit=2, steps=1000, batch_size=20, learning_rate=1e-3, seed=0)
MEASURE = dict(guidance_scale=3.0, num_inference_steps=25, seed=0, seen_every=5)  # guidance 3: the mini SD's best
WEIGHT_NAMES = {concept_data.CONCEPT_WORD: training.LORA_WEIGHT_NAME,
                concept_data.RARE_TOKEN: f"pytorch_lora_weights_{concept_data.RARE_TOKEN}.safetensors"}


def load_mini_pipeline():
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32, safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def measure_cells(pipe, cells, classifier, word=concept_data.CONCEPT_WORD) -> dict:
    """One picture per cell, read by the judge: accuracies, and the median distance of the ink to orange."""
    settings = {k: MEASURE[k] for k in ("guidance_scale", "num_inference_steps", "seed")}
    images = concept_judge.generate_cell_images(pipe, cells, word=word, **settings)
    reading = concept_judge.read_with_concept(images, classifier)
    digit, ink, background = (torch.tensor(column) for column in zip(*cells))
    figures = accuracy_dict(composition_accuracy(reading, digit, ink, background))
    inks = torch.bincount(reading.ink, minlength=len(concept_data.CONCEPT_NAMES))
    figures["inks_read"] = dict(zip(concept_data.CONCEPT_NAMES, inks.tolist()))
    figures["ink_distance_to_orange"] = round(concept_judge.distance_to_concept(reading).median().item(), 1)
    return figures


def measure(pipe, classifier, words=tuple(WEIGHT_NAMES)) -> dict:
    """The judge's reading of every orange cell prompted with each of ``words``, and of every 5th seen palette cell."""
    figures = {word: measure_cells(pipe, concept_judge.concept_cells(), classifier, word) for word in words}
    seen = evaluation_cells(held_out=False)[::MEASURE["seen_every"]]
    figures["seen_palette_cells"] = measure_cells(pipe, seen, classifier)
    return figures


@torch.no_grad()
def vae_ceiling(pipe, classifier) -> dict:
    """What the judge reads in real orange pictures, one per orange cell, before and after a VAE round trip."""
    px, lb = digits.load_digits("test")
    pictures = concept_data.concept_pictures(px, lb, per_digit=len(concept_data.CONCEPT_NAMES) - 1)  # 70: every cell
    decoded = mini_vae.round_trip(pipe.vae, pictures.images)  # (70, 3, 64, 64) in [0, 1]
    figures = {}
    for name, images in (("real", (pictures.images + 1) / 2), ("vae_round_trip", decoded)):
        reading = concept_judge.read_with_concept(images, classifier)
        orange = reading.ink == concept_data.CONCEPT_ID
        figures[name] = dict(ink=round(orange.float().mean().item(), 4), per_background={
            name: round(orange[pictures.background == b].float().mean().item(), 4)
            for b, name in enumerate(concept_data.CONCEPT_NAMES[:-1])})
    return figures


def accuracy_dict(result) -> dict:
    return dict(digit=round(result.digit, 4), ink=round(result.ink, 4), background=round(result.background, 4),
                all_three=round(result.all_three, 4), count=result.count)


def train_one(word: str, out: Path, steps: int, work: Path) -> dict:
    """A fresh UNet with a LoRA, trained on the pictures captioned with ``word``, saved under its weight name."""
    from diffusers import DDPMScheduler

    pipe = load_mini_pipeline()
    pictures = concept_pictures(word)
    px, lb = digits.load_digits("test")
    kept_images, kept_captions = concept_data.preservation_pictures(px, lb, per_digit=RECIPE["preserve_per_digit"],
                                                                    skip=RECIPE["per_digit"])
    captions = pictures.captions + kept_captions  # the concept's pictures, then what the model knew (prior preservation)
    examples = training.encode_examples(pipe.vae, pipe.text_encoder, pipe.tokenizer,
                                        torch.cat([pictures.images, kept_images]), captions)
    trainable = training.add_unet_lora(pipe.unet, RECIPE["rank"], RECIPE["alpha"])
    start = time.perf_counter()
    losses = training.train_lora(pipe.unet, examples, DDPMScheduler.from_config(pipe.scheduler.config),
                                 scaling_factor=pipe.vae.config.scaling_factor, num_steps=steps,
                                 batch_size=RECIPE["batch_size"], learning_rate=RECIPE["learning_rate"],
                                 seed=RECIPE["seed"], device="cpu", checkpoint_dir=work / word, checkpoint_every=100)
    seconds = time.perf_counter() - start
    path = training.save_lora(pipe.unet, out, WEIGHT_NAMES[word])
    every = 10
    curve = [round(sum(losses[i:i + every]) / every, 5) for i in range(0, len(losses) // every * every, every)]
    return dict(word=word, captions_example=captions[:3], preservation_example=kept_captions[:2], trainable=trainable, seconds=round(seconds, 1),
                bytes=path.stat().st_size, loss_curve=curve, loss_every=every)


def concept_pictures(word: str):
    """The concept's pictures from the test digits, captioned with ``word``."""
    px, lb = digits.load_digits("test")
    return concept_data.concept_pictures(px, lb, per_digit=RECIPE["per_digit"], word=word)


def train_and_measure(out: Path, steps: int, work: Path) -> dict:
    pictures = concept_pictures(concept_data.CONCEPT_WORD)
    classifier = pretrained.digit_classifier()
    pipe = load_mini_pipeline()
    print("measuring the mini SD before any LoRA …")
    ceiling = vae_ceiling(pipe, classifier)
    before = measure(pipe, classifier)
    runs = {word: train_one(word, out, steps, work) for word in WEIGHT_NAMES}
    after = {}
    for word, weight_name in WEIGHT_NAMES.items():
        pipe.load_lora_weights(out, weight_name=weight_name, adapter_name=word)
        print(f"measuring with the {word!r} LoRA …")
        after[word] = measure(pipe, classifier, words=(word,))
        pipe.unload_lora_weights()
    unet_file = pretrained.shipped_dir("mini-sd") / "unet" / "diffusion_pytorch_model.safetensors"
    return dict(recipe=dict(RECIPE, steps=steps, targets=list(UNET_ATTENTION_TARGETS), pictures=len(pictures), preservation_pictures=RECIPE["preserve_per_digit"] * 10,
                            pictures_from=f"the 500 test digits (never used to train the mini SD): the first {RECIPE['per_digit']} of each class",
                            orange_rgb=list(concept_data.ORANGE)),
                measure=MEASURE, judge_on_real_pictures=ceiling, before=before, after=after, runs=runs,
                unet_bytes=unet_file.stat().st_size, unet_parameters=sum(p.numel() for p in pipe.unet.parameters()),
                machine=f"{platform.machine()}, {torch.get_num_threads()} torch threads, no GPU",
                torch=torch.__version__, command="OMP_NUM_THREADS=2 python tools/models/train_lora.py")


def rehearse_full_size() -> dict:
    """One LoRA training step on SD v1.5's UNet at 512 px (random weights), with time and peak memory."""
    from course_utils.mini_sd import text_unet
    from course_utils.sd import architecture

    start = time.perf_counter()
    unet = architecture.build("unet")  # 859,520,964 random float32 weights
    built = time.perf_counter() - start
    trainable = training.add_unet_lora(unet, RECIPE["rank"], RECIPE["alpha"])
    generator = torch.Generator().manual_seed(0)
    examples = training.EncodedExamples(torch.randn(1, 4, 64, 64, generator=generator),  # a 512-px picture's latent
                                        torch.full((1, 4, 64, 64), 0.01), torch.randn(1, 77, 768, generator=generator))
    start = time.perf_counter()
    losses = training.train_lora(unet, examples, text_unet.noise_scheduler(), scaling_factor=0.18215, num_steps=1,
                                 batch_size=1, learning_rate=1e-4, device="cpu", progress=False)
    step_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        size = training.save_lora(unet, tmp).stat().st_size
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # ru_maxrss is in kB on Linux
    return dict(unet_parameters=architecture.SD15_PARAM_COUNTS["unet"], trainable=trainable, lora_bytes=size,
                loss=round(losses[0], 4), build_seconds=round(built, 1), step_seconds=round(step_seconds, 1),
                peak_memory_gb=round(peak_gb, 1), batch=1, resolution=512, dtype="float32",
                machine=f"{platform.machine()}, {torch.get_num_threads()} torch thread(s), no GPU")


def percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def vae_sentence(real: dict) -> str:
    """What the VAE round trips say about how much orange a UNet LoRA can reach, from the measured share."""
    if real["vae_round_trip"]["ink"] >= 0.9:
        return ("The mini SD's VAE was trained on random colours as well as its palette and draws orange back as "
                "orange: what keeps the LoRA's pictures from being read as orange is the UNet, not the decoder.")
    return ("The VAE decodes orange strokes with red or yellow edges, which the judge's farthest-pixel rule picks up "
            "on some backgrounds: a LoRA on the UNet cannot draw more orange than the frozen decoder can.")


def model_card(f: dict) -> str:
    """The README.md of the shipped LoRA, from its figures."""
    r, orange, sks = f["recipe"], f["runs"]["orange"], f["runs"]["sks"]
    rows = []
    for label, block, word in (("the mini SD alone", f["before"], "orange"), ("the mini SD alone", f["before"], "sks"),
                               ("with the `orange` LoRA", f["after"]["orange"], "orange"),
                               ("with the `sks` LoRA", f["after"]["sks"], "sks")):
        inks = block[word]["inks_read"]
        warm = (inks["orange"] + inks["red"] + inks["yellow"]) / block[word]["count"]
        rows.append(f"| {label} | {word} | {percent(block[word]['ink'])} | {percent(warm)} | "
                    f"{block[word]['ink_distance_to_orange']:.0f} | {percent(block[word]['all_three'])} | "
                    f"{percent(block['seen_palette_cells']['all_three'])} |")
    real = f["judge_on_real_pictures"]
    per_background = ", ".join(f"{name} {percent(v)}" for name, v in real["vae_round_trip"]["per_background"].items())
    n_seen = f["before"]["seen_palette_cells"]["count"]
    rehearsal = f.get("full_size_rehearsal")
    rehearsal_text = "" if rehearsal is None else (
        f"\n**Full-size rehearsal** (`--rehearse-full-size`, random weights): the same rank-{r['rank']} LoRA on SD v1.5's "
        f"UNet ({rehearsal['unet_parameters']:,} parameters) trains {rehearsal['trainable']:,} numbers and saves "
        f"{rehearsal['lora_bytes'] / 1e6:.1f} MB (float16); one training step at 512 px, batch 1, float32 on the CPU "
        f"took {rehearsal['step_seconds']} s and {rehearsal['peak_memory_gb']} GB peak memory on {rehearsal['machine']}, shared with other jobs.\n")
    return f"""# LoRA: the mini SD learns the colour orange (course model card)

A rank-{r['rank']} LoRA for the course's miniature Stable Diffusion (`../mini-sd`), trained by
`tools/models/train_lora.py` with the functions notebook 07 teaches. With it, the mini SD draws digits in
**orange** (sRGB {', '.join(map(str, r['orange_rgb']))}), a colour it never saw, from prompts such as "an orange seven on a
blue background". A second file, `{WEIGHT_NAMES['sks']}`, is the same LoRA trained with DreamBooth's rare
token "sks" in the captions instead of the word "orange".

```python
pipe = StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir())
pipe.load_lora_weights(pretrained.shipped_dir("mini-sd-lora-orange"))   # pytorch_lora_weights.safetensors
```

**Data.** {r['pictures']} pictures: {r['pictures_from']}, drawn in orange ink on the palette's seven
backgrounds in turn (background · (1 − x) + orange · x at 64×64, `concept_data.concept_pictures`), each with one
caption, e.g. {', '.join(repr(c) for c in orange['captions_example'][:2])}
(`sks` run: {sks['captions_example'][0]!r}). **Prior preservation** (DreamBooth's, with real pictures instead of
the model's own samples): {r['preservation_pictures']} more test digits, {r['preserve_per_digit']} of each class, each in a random
palette pair the mini SD was trained on, captioned as it was trained, e.g. {orange['preservation_example'][0]!r};
the two sets are trained on together, with equal weight.

**Recipe.** peft `LoraConfig(r={r['rank']}, lora_alpha={r['alpha']}, target_modules={r['targets']})` through
`unet.add_adapter`: every self- and cross-attention projection of the UNet; {orange['trainable']:,} trainable
numbers, {orange['trainable'] / f['unet_parameters']:.2%} of the UNet's {f['unet_parameters']:,}. The VAE, the text
encoder and every UNet weight stay frozen. AdamW, learning rate {r['learning_rate']:g} after a linear warm-up,
batch {r['batch_size']}, {r['steps']} steps, seed {r['seed']}, noise-prediction MSE on scaled latents (no caption dropout).
Wall time: {orange['seconds']} s (`orange`) and {sks['seconds']} s (`sks`) on {f['machine']} (torch {f['torch']});
command: `{f['command']}`. Other jobs shared the machine's cores during the run, so the wall times are upper bounds.

**Size.** `{WEIGHT_NAMES['orange']}`: {orange['bytes']:,} bytes (float16), against {f['unet_bytes']:,} bytes for the
UNet's own weights file ({orange['bytes'] / f['unet_bytes']:.1%}).

**Measured** (the colour judge with the palette plus orange, `concept_judge.cell_adherence`; one picture per cell,
guidance {f['measure']['guidance_scale']}, PNDM {f['measure']['num_inference_steps']} steps, seed {f['measure']['seed']};
"orange cells": 10 digits × 7 backgrounds = 70 prompts "a(n) {{word}} {{digit}} on a {{background}} background";
"palette cells": every {f['measure']['seen_every']}th of the 335 (digit, ink, background) cells the mini SD was trained
on, {n_seen} prompts; the ink distance is measured in sRGB units 0–255, and red and yellow lie 98 and 81 from orange):

| model | word in the prompts | ink read as orange | read as orange, red or yellow | median ink distance to orange | all three right | palette cells: all three right |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

**What the judge can read.** On the 70 real orange pictures (one per cell, from the test digits) the judge reads
orange ink in {percent(real['real']['ink'])}; after a round trip through the mini SD's VAE (encode, decode the
posterior mean) in {percent(real['vae_round_trip']['ink'])} ({per_background}). {vae_sentence(real)}
{rehearsal_text}
All figures are in `figures.json`, written by the same script.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the LoRA files, figures.json and README.md go")
    parser.add_argument("--steps", type=int, default=RECIPE["steps"])
    parser.add_argument("--work-dir", type=Path, default=None, help="checkpoints (default: a temporary folder)")
    parser.add_argument("--rehearse-full-size", action="store_true", help="one LoRA step on SD v1.5's UNet, then stop")
    parser.add_argument("--write-rehearsal", action="store_true", help="with --rehearse-full-size: add it to the card")
    parser.add_argument("--card-only", action="store_true", help="rewrite README.md from figures.json")
    args = parser.parse_args()
    if args.card_only:
        (args.out / "README.md").write_text(model_card(json.loads((args.out / "figures.json").read_text())))
        return
    if args.rehearse_full_size:
        rehearsal = rehearse_full_size()
        print(json.dumps(rehearsal, indent=1))
        if args.write_rehearsal:
            figures = json.loads((args.out / "figures.json").read_text())
            figures["full_size_rehearsal"] = rehearsal
            (args.out / "figures.json").write_text(json.dumps(figures, indent=1))
            (args.out / "README.md").write_text(model_card(figures))
        return
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="lora-work-"))
    previous = args.out / "figures.json"
    rehearsal = json.loads(previous.read_text()).get("full_size_rehearsal") if previous.exists() else None
    figures = train_and_measure(args.out, args.steps, work)
    if rehearsal:  # the full-size rehearsal does not depend on the mini SD: keep it
        figures["full_size_rehearsal"] = rehearsal
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "figures.json").write_text(json.dumps(figures, indent=1))
    (args.out / "README.md").write_text(model_card(figures))
    print(model_card(figures))


if __name__ == "__main__":
    main()
