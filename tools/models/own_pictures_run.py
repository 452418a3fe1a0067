"""``train_mini_sd.py --data DIR --out OUT``: the mini SD trained on a folder of your own captioned pictures.

The folder is in the ``datasets`` imagefolder layout (``metadata.jsonl`` with ``file_name`` and
``text``; see ``course_utils.data.image_folder``). The three parts train in the course's order —
mini CLIP, mini VAE, UNet on the VAE's scaled latents — with the functions of
``course_utils.mini_sd.own_pictures``, checkpointing into ``OUT/checkpoints``; every
``--sample-every`` UNet steps a grid of samples for a few of your captions is written to
``OUT/samples``. The result is a pipeline folder: ``StableDiffusionPipeline.from_pretrained(OUT)``.

Several processes (``torchrun --nproc_per_node N`` or ``accelerate launch --num_processes N``)
share every batch (``--batch-size`` is the global batch); only the first process prints and writes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from course_utils import pretrained
from course_utils.data.image_folder import load_image_folder
from course_utils.mini_sd import mini_clip, mini_vae, own_pictures, text_unet
from course_utils.mini_sd.tokenizer import save_clip_tokenizer_files
from course_utils.sd.architecture import SD15_SCHEDULER_CONFIG
from course_utils.training.checkpoints import latest_checkpoint

DEFAULT_STEPS = dict(clip=1000, vae=2000, unet=4000)


def add_arguments(parser) -> None:
    group = parser.add_argument_group("your own pictures (--data)")
    group.add_argument("--data", type=Path, help="a folder of pictures with metadata.jsonl (file_name, text)")
    group.add_argument("--out", type=Path, help="where checkpoints, sample grids and the finished pipeline go")
    group.add_argument("--max-steps", type=int, default=None,
                       help=f"the most steps of each stage (default {DEFAULT_STEPS})")
    group.add_argument("--batch-size", type=int, default=32, help="the global batch, shared by the processes")
    group.add_argument("--resolution", type=int, default=64, help="the pictures' side in pixels, a multiple of 8")
    group.add_argument("--resume", action="store_true", help="continue the run whose checkpoints are in --out")
    group.add_argument("--init-from", choices=["mini-sd"], default=None,
                       help="start from the shipped mini SD instead of random weights")
    group.add_argument("--sample-every", type=int, default=250, help="UNet steps between sample grids")


def check_out(args) -> None:
    """Refuse to start over a run's checkpoints unless --resume: nothing trained is ever overwritten."""
    if args.out is None:
        raise SystemExit("--data needs --out: the folder for checkpoints, samples and the finished pipeline.")
    checkpoints = args.out / "checkpoints"
    if checkpoints.is_dir() and any(checkpoints.iterdir()) and not args.resume:
        raise SystemExit(f"{args.out} already holds a run's checkpoints. Pass --resume to continue that run, or "
                         "choose another --out; nothing there is deleted or overwritten.")


def starting_models(args, tokenizer_dir: Path):
    """CLIP, VAE and UNet: random (as the course builds them) or the shipped mini SD's (``--init-from``)."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPModel

    latent_side = args.resolution // 8
    if args.init_from == "mini-sd":
        clip = CLIPModel.from_pretrained(pretrained.mini_clip_dir())
        vae = AutoencoderKL.from_pretrained(pretrained.mini_sd_dir(), subfolder="vae")
        unet = UNet2DConditionModel.from_pretrained(pretrained.mini_sd_dir(), subfolder="unet")
        unet.register_to_config(sample_size=latent_side)
        return clip.float(), vae.float(), unet.float()
    clip = mini_clip.build_mini_clip(seed=0)
    unet = text_unet.build_mini_unet(clip.config.text_config.hidden_size, seed=0, sample_size=latent_side)
    return clip, mini_vae.build_mini_vae(seed=0), unet


def save_samples(pipe, prompts: list[str], path: Path) -> None:
    """One image per prompt, side by side: guidance 7.5, 25 PNDM steps, seed 0."""
    images = pipe(prompts, num_inference_steps=25, guidance_scale=7.5, output_type="np",
                  generator=torch.Generator().manual_seed(0)).images  # (P, R, R, 3) in [0, 1]
    row = (np.concatenate(list(images), axis=1) * 255).round().astype(np.uint8)  # (R, P·R, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(row).save(path)


def build_pipeline(vae, text_encoder, tokenizer, unet):
    """The parts as a ``StableDiffusionPipeline`` with SD v1.5's scheduler config (PNDM), no safety checker."""
    from diffusers import PNDMScheduler, StableDiffusionPipeline

    return StableDiffusionPipeline(vae=vae.eval(), text_encoder=text_encoder.eval(), tokenizer=tokenizer,
                                   unet=unet.eval(), scheduler=PNDMScheduler.from_config(SD15_SCHEDULER_CONFIG),
                                   safety_checker=None, feature_extractor=mini_clip.image_processor(),
                                   requires_safety_checker=False)


def run(args) -> None:
    from accelerate import PartialState
    from transformers import CLIPTokenizer

    state = PartialState(cpu=str(args.device).startswith("cpu"))  # CPU processes need cpu=True to find each other
    main, processes, device_type = state.is_main_process, state.num_processes, state.device.type
    say = print if main else (lambda *a, **k: None)

    def wait_for_everyone():  # one process: nothing to wait for (and training leaves no accelerate state behind)
        if processes > 1:
            state.wait_for_everyone()

    check_out(args)
    say(f"{processes} process{'es' if processes > 1 else ''} ({device_type}); a global batch of {args.batch_size}")
    data = load_image_folder(args.data, args.resolution, min_images=args.batch_size)
    say(f"{len(data)} pictures of {args.resolution}×{args.resolution} from {args.data}")
    for note in data.notes:
        say("  note:", note)
    steps = {k: v if args.max_steps is None else max(1, min(v, args.max_steps)) for k, v in DEFAULT_STEPS.items()}
    checkpoints, start = args.out / "checkpoints", time.perf_counter()
    if main:
        save_clip_tokenizer_files(args.out / "tokenizer")
    wait_for_everyone()
    tokenizer = CLIPTokenizer.from_pretrained(args.out / "tokenizer")
    clip, vae, unet = starting_models(args, args.out / "tokenizer")
    options = dict(device=args.device, progress=main)

    # 1. the mini CLIP: each picture against its own caption
    losses = dict(clip=own_pictures.train_clip_on_pictures(
        clip, tokenizer, data.images, data.captions, num_steps=steps["clip"], batch_size=args.batch_size,
        checkpoint_dir=checkpoints / "clip", checkpoint_every=250, **options))
    # 2. the mini VAE, then every picture's q(z|x) and the scaling factor
    losses["vae"] = own_pictures.train_vae_on_pictures(
        vae, data.images, num_steps=steps["vae"], batch_size=args.batch_size, checkpoint_dir=checkpoints / "vae",
        checkpoint_every=250, **options)
    vae.eval().requires_grad_(False)
    text_encoder = clip.text_model.eval().requires_grad_(False)
    latents = own_pictures.PictureLatents(vae, text_encoder, tokenizer, data.images, data.captions)
    factor = latents.scaling_factor(torch.Generator().manual_seed(0))
    if (started := latest_checkpoint(checkpoints / "unet")) is not None:  # resuming: the factor it trained with
        factor = json.loads((started / "checkpoint.json").read_text())["settings"]["scaling_factor"]
    vae.register_to_config(scaling_factor=factor)
    say(f"scaling_factor = {factor:.4f} (1 / std of the latents; SD v1: 0.18215)")
    # 3. the UNet, a sample grid every --sample-every steps
    prompts = sorted(set(data.captions))[:4]
    stops = sorted(set(range(args.sample_every, steps["unet"], args.sample_every)) | {steps["unet"]})
    for stop in stops:
        losses["unet"] = own_pictures.train_unet_on_pictures(
            unet, latents, scaling_factor=factor, num_steps=steps["unet"], batch_size=args.batch_size,
            checkpoint_dir=checkpoints / "unet", checkpoint_every=args.sample_every, stop_at_step=stop, **options)
        if main:
            save_samples(build_pipeline(vae, clip.text_model, tokenizer, unet), prompts,
                         args.out / "samples" / f"unet_step_{stop:06d}.png")
    # 4. the finished pipeline, loadable with StableDiffusionPipeline.from_pretrained(OUT)
    if main:
        build_pipeline(vae, clip.text_model, tokenizer, unet).save_pretrained(args.out)
        record = dict(data=str(args.data), pictures=len(data), resolution=args.resolution, notes=data.notes,
                      processes=processes, batch_size=args.batch_size, steps=steps, scaling_factor=factor,
                      final_loss={k: float(np.mean(v[-20:])) for k, v in losses.items()},
                      seconds=round(time.perf_counter() - start, 1), init_from=args.init_from)
        (args.out / "training.json").write_text(json.dumps(record, indent=1))
        say(f"done: StableDiffusionPipeline.from_pretrained({str(args.out)!r}); samples in {args.out / 'samples'}")
    wait_for_everyone()
