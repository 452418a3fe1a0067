"""LoRA fine-tuning of a Stable Diffusion UNet on a handful of captioned pictures, the diffusers and peft way (notebook 07).

What diffusers' ``train_text_to_image_lora.py`` and ``train_dreambooth_lora.py`` do, with the course's
pieces:

1. ``add_unet_lora``: freeze the UNet and give its attention projections LoRA layers with peft
   (``unet.add_adapter(LoraConfig(...))``); B starts at zero, so the model starts unchanged. The
   trainable weights are kept in float32 even when the UNet is float16 (diffusers' ``cast_training_params``).
2. ``encode_examples``: the pictures through the frozen VAE (q(z|x)'s mean and std) and the captions
   through the frozen text encoder, once: only the UNet's LoRA layers change, so nothing else is recomputed.
3. ``train_lora``: the course's one training loop (``course_utils.training.loop``: AdamW, warm-up,
   checkpoints and resume, mixed precision, several processes) on the noise-prediction loss of LDM
   eq. 3, updating only the LoRA layers (``lora_layers``), which are all that a checkpoint stores.
4. ``save_lora``: the LoRA weights alone, in diffusers' layout (``pytorch_lora_weights.safetensors``,
   keys ``unet.…lora_A.weight``), which ``pipe.load_lora_weights(folder)`` loads into any pipeline
   with the same UNet.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from torch import nn

from course_utils.diffusion.objectives import diffusion_loss
from course_utils.lora.low_rank import UNET_ATTENTION_TARGETS
from course_utils.mini_sd.mini_vae import encode_latent_dist
from course_utils.mini_sd.text_unet import caption_embeddings
from course_utils.training.loop import train_loop

LORA_WEIGHT_NAME = "pytorch_lora_weights.safetensors"  # the file name diffusers writes and looks for


def lora_config(rank: int = 4, alpha: float | None = None, target_modules=UNET_ATTENTION_TARGETS):
    """peft's ``LoraConfig`` for SD's UNet: rank r, α (default r: a scale α/r of 1), the attention projections."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha if alpha is not None else rank, target_modules=list(target_modules))


def add_unet_lora(unet, rank: int = 4, alpha: float | None = None, target_modules=UNET_ATTENTION_TARGETS,
                  seed: int = 0) -> int:
    """Freeze ``unet`` and add peft LoRA layers to ``target_modules``, in place; returns how many numbers now train.

    ``seed`` draws the random A matrices, so that a run can be repeated.
    """
    unet.requires_grad_(False)  # W0 everywhere stays as it is
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        unet.add_adapter(lora_config(rank, alpha, target_modules))  # lora_A random, lora_B zeros: ΔW = 0 at first
    trainable = [p for p in unet.parameters() if p.requires_grad]
    for parameter in trainable:
        parameter.data = parameter.data.float()  # train in float32 even in a float16 UNet, as diffusers' scripts do
    return sum(p.numel() for p in trainable)


def lora_layers(unet) -> nn.ModuleDict:
    """The UNet's LoRA layers (peft's ``lora_A`` and ``lora_B``) gathered in one module, shared, not copied.

    Training this module trains the UNet's LoRA and nothing else: its parameters are the optimizer's,
    its state dict is what a checkpoint stores (a few hundred kB instead of the whole UNet).
    """
    found = {name.replace(".", "__"): module for name, module in unet.named_modules()
             if name.rsplit(".", 1)[-1] in ("lora_A", "lora_B")}
    if not found:
        raise ValueError("This UNet has no LoRA layers; add them first with add_unet_lora(unet).")
    return nn.ModuleDict(found)


@dataclasses.dataclass(frozen=True)
class EncodedExamples:
    """Captioned pictures, encoded once by the frozen VAE and text encoder.

    Args:
        means: (N, 4, H/8, W/8) unscaled latent means of q(z|x).
        stds: (N, 4, H/8, W/8) their standard deviations.
        states: (N, 77, D) the text encoder's last hidden states of each picture's caption.
    """

    means: torch.Tensor
    stds: torch.Tensor
    states: torch.Tensor

    def __len__(self) -> int:
        return len(self.means)


@torch.no_grad()
def encode_examples(vae, text_encoder, tokenizer, images: torch.Tensor, captions: list[str],
                    batch_size: int = 8) -> EncodedExamples:
    """``images`` ``(N, 3, H, W)`` in [−1, 1] and their N captions → ``EncodedExamples`` on the CPU."""
    if len(images) != len(captions) or not len(captions):
        raise ValueError(f"Got {len(images)} pictures and {len(captions)} captions; pass one caption per picture.")
    means, stds = encode_latent_dist(vae, images, batch_size)  # (N, 4, H/8, W/8) each
    return EncodedExamples(means, stds, caption_embeddings(text_encoder, tokenizer, list(captions)))


def train_lora(unet, examples: EncodedExamples, noise_scheduler, *, scaling_factor: float, num_steps: int,
               batch_size: int = 8, learning_rate: float = 1e-3, seed: int = 0, device=None, checkpoint_dir=None,
               checkpoint_every: int = 100, progress: bool = True, max_seconds: float | None = None) -> list[float]:
    """Train the LoRA layers ``add_unet_lora`` gave ``unet`` on ``examples``; returns every step's loss.

    Args:
        unet: a UNet with LoRA layers, already on ``device``.
        examples: the pictures and captions, from ``encode_examples``.
        noise_scheduler: the training noise schedule (SD v1: DDPMScheduler with scaled_linear betas).
        scaling_factor: the VAE's ``scaling_factor``: latents are z · scaling_factor.
        num_steps: optimizer steps in total (a second call with the same ``checkpoint_dir`` resumes).
        batch_size: pictures per step, at most len(examples).
        learning_rate: AdamW's rate after a warm-up of a tenth of the steps (at most 100); constant after it.
        seed: data order, noise, timesteps.
        checkpoint_dir: where the LoRA layers, optimizer and random states are saved every ``checkpoint_every`` steps.
    """
    device = torch.device(device) if device is not None else unet.device
    means, stds, states = (t.to(device) for t in (examples.means, examples.stds, examples.states))

    def loss_fn(index, generator):
        eps = torch.randn(means[index].shape, generator=generator).to(device)
        latents = (means[index] + stds[index] * eps) * scaling_factor  # (B, 4, h, w): z ~ q(z|x), scaled
        return diffusion_loss(unet, noise_scheduler, latents, encoder_hidden_states=states[index].to(unet.dtype),
                              generator=generator)  # LDM eq. 3: ‖ε − ε_θ(z_t, t, τ(c))‖²

    layers = lora_layers(unet)
    config = unet.peft_config["default"]
    settings = dict(model="unet_lora", rank=config.r, alpha=config.lora_alpha, targets=sorted(config.target_modules),
                    trainable=sum(p.numel() for p in layers.parameters()),
                    examples=len(examples), scaling_factor=scaling_factor)
    return train_loop(layers, loss_fn, num_examples=len(examples), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=min(100, num_steps // 10),
                      seed=seed, device=device, checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
                      progress=progress, max_seconds=max_seconds, desc="LoRA")


def lora_state_dict(unet, dtype: torch.dtype = torch.float16) -> dict[str, torch.Tensor]:
    """The UNet's LoRA weights in diffusers' naming (``…to_q.lora_A.weight``), on the CPU in ``dtype``."""
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft.utils import get_peft_model_state_dict

    state = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    return {k: v.detach().to("cpu", dtype).contiguous() for k, v in state.items()}


def save_lora(unet, folder, weight_name: str = LORA_WEIGHT_NAME, dtype: torch.dtype = torch.float16) -> Path:
    """Write the UNet's LoRA weights alone where ``pipe.load_lora_weights(folder, weight_name=...)`` finds them."""
    from diffusers import StableDiffusionPipeline

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    StableDiffusionPipeline.save_lora_weights(folder, unet_lora_layers=lora_state_dict(unet, dtype),
                                              weight_name=weight_name, safe_serialization=True)
    return folder / weight_name
