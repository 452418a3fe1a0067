"""Training the mini SD's three parts on your own captioned pictures (notebook 06, last section).

The same recipe as the digits, with each picture paired with its own caption instead of a
caption drawn from a grammar: the mini CLIP learns the captions' words contrastively, the mini
VAE learns to reconstruct the pictures, and the UNet learns to denoise their scaled latents given
the caption's hidden states (LDM eq. 3), with 10 % of the captions dropped to "" so that one UNet
also learns the unconditional prediction classifier-free guidance needs. Pictures come from
``course_utils.data.image_folder.load_image_folder``: (N, 3, R, R) in [−1, 1], R a multiple of 8.

Every function trains through the course's one loop (``course_utils.training.loop``), so it
checkpoints, resumes, and runs unchanged on one process or several (``batch_size`` is the
global batch). ``tools/models/train_mini_sd.py --data DIR --out OUT`` strings them together.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_utils.diffusion.objectives import diffusion_loss
from course_utils.mini_sd.mini_clip import contrastive_loss, image_embeds, text_embeds, tokenize_captions
from course_utils.mini_sd.mini_vae import encode_latent_dist, scaling_factor_of, vae_loss
from course_utils.mini_sd.text_unet import caption_embeddings, noise_scheduler
from course_utils.training.loop import train_loop

CLIP_SIZE = 64  # the mini CLIP's vision tower sees 64×64 images: other sizes are resized for it


def clip_view(images: torch.Tensor) -> torch.Tensor:
    """Pictures as the mini CLIP's vision tower takes them: (B, 3, R, R) → (B, 3, 64, 64), still in [−1, 1]."""
    if images.shape[-1] == CLIP_SIZE and images.shape[-2] == CLIP_SIZE:
        return images
    return F.interpolate(images, size=(CLIP_SIZE, CLIP_SIZE), mode="bilinear", antialias=True, align_corners=False)


def train_clip_on_pictures(clip, tokenizer, images: torch.Tensor, captions: list[str], *, num_steps: int,
                           batch_size: int = 64, learning_rate: float = 1e-3, **loop_options) -> list[float]:
    """Contrastive training, each picture (N, 3, R, R) against its own caption; returns every step's loss.

    ``loop_options``: ``checkpoint_dir``, ``checkpoint_every``, ``device``, ``progress``, ``seed``, …
    (``course_utils.training.loop.train_loop``).
    """
    pictures = clip_view(images)  # (N, 3, 64, 64)
    tokens = tokenize_captions(tokenizer, captions)  # (N, 77)

    def loss_fn(index, generator):
        return contrastive_loss(image_embeds(clip, pictures[index]),  # (B, 32)
                                text_embeds(clip, tokens[index]),  # (B, 32)
                                clip.logit_scale)

    return train_loop(clip, loss_fn, num_examples=len(captions), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=dict(model="mini_clip", data="own pictures"),
                      warmup_steps=min(100, num_steps // 10), decay=True, weight_decay=0.1, desc="mini CLIP",
                      **loop_options)


def train_vae_on_pictures(vae, images: torch.Tensor, *, num_steps: int, batch_size: int = 32,
                          learning_rate: float = 1e-3, kl_weight: float = 1e-6, **loop_options) -> list[float]:
    """Reconstruction + β·KL (``mini_vae.vae_loss``, summed per image) on the pictures (N, 3, R, R)."""

    def loss_fn(index, generator):
        return vae_loss(vae, images[index].to(vae.device), generator, kl_weight)[0]

    settings = dict(model="mini_vae", data="own pictures", kl_weight=kl_weight, loss="summed per image")
    return train_loop(vae, loss_fn, num_examples=len(images), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=min(100, num_steps // 10),
                      decay=True, desc="mini VAE", **loop_options)


class PictureLatents:
    """Every picture's q(z|x), encoded once by the frozen VAE, and its caption.

    ``means``, ``stds``: (N, 4, R/8, R/8) unscaled; ``caption_index``: (N,) rows of ``states``, the text
    encoder's hidden states of the distinct captions with "" last (``empty_index``).
    """

    def __init__(self, vae, text_encoder, tokenizer, images: torch.Tensor, captions: list[str], batch_size: int = 64):
        self.means, self.stds = encode_latent_dist(vae, images, batch_size)  # (N, 4, R/8, R/8) each
        distinct = sorted(set(captions))
        row = {text: i for i, text in enumerate(distinct)}
        self.caption_index = torch.tensor([row[text] for text in captions])  # (N,)
        self.states = caption_embeddings(text_encoder, tokenizer, distinct + [""])  # (distinct + 1, 77, D)
        self.empty_index = len(distinct)

    def __len__(self) -> int:
        return len(self.caption_index)

    def scaling_factor(self, generator: torch.Generator | None = None) -> float:
        """1 / std of latents sampled from every q(z|x): SD v1 chose its 0.18215 this way (LDM §4.3.2)."""
        return scaling_factor_of(self.means, self.stds, generator)


def train_unet_on_pictures(unet, latents: PictureLatents, *, scaling_factor: float, num_steps: int,
                           batch_size: int = 64, learning_rate: float = 1e-3, caption_dropout: float = 0.1,
                           **loop_options) -> list[float]:
    """Noise prediction on scaled latents z ~ q(z|x), conditioned on each picture's caption (LDM eq. 3)."""
    if latents.states.shape[-1] != unet.config.cross_attention_dim:
        raise ValueError(f"The text encoder's width {latents.states.shape[-1]} differs from the UNet's "
                         f"cross_attention_dim={unet.config.cross_attention_dim}; build the UNet with the text width.")
    scheduler = noise_scheduler()

    def loss_fn(index, generator):
        device = unet.device
        eps = torch.randn(latents.means[index].shape, generator=generator)
        z = ((latents.means[index] + latents.stds[index] * eps) * scaling_factor).to(device)  # (B, 4, R/8, R/8)
        dropped = torch.rand(len(index), generator=generator) < caption_dropout  # (B,) "" for ~10 %
        which = torch.where(dropped, torch.tensor(latents.empty_index), latents.caption_index[index])  # (B,)
        return diffusion_loss(unet, scheduler, z, encoder_hidden_states=latents.states[which].to(device),
                              generator=generator)

    settings = dict(model="mini_unet", data="own pictures", caption_dropout=caption_dropout,
                    scaling_factor=scaling_factor)
    return train_loop(unet, loss_fn, num_examples=len(latents), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=min(200, num_steps // 10),
                      decay=True, desc="mini UNet", **loop_options)
