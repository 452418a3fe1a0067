"""The mini SD's text-conditioned UNet and its training (notebook 06, C44).

Stable Diffusion's UNet is trained exactly as notebook 02's, with two changes: it denoises
*latents* (the VAE's, times ``scaling_factor``) instead of pixels, and it is conditioned on the
text encoder's hidden states through cross-attention instead of on a class label:

    L = E_{z, c, ε, t} ‖ε − ε_θ(√ᾱ_t · z + √(1 − ᾱ_t) · ε, t, τ(c))‖²      (LDM paper, eq. 3)

where τ(c) is the frozen text encoder's output for caption c. ``caption_dropout`` of the captions
are replaced by "" so the same UNet learns the unconditional prediction that classifier-free
guidance subtracts. Betas are SD v1.5's ``scaled_linear`` (0.00085 → 0.012 over 1000 steps).

Training reads a ``LatentTable`` (``course_utils.mini_sd.latent_table``): each row an image's q(z|x),
encoded once. With coloured rows the caption of each image is drawn from
``compositions.draw_caption_ids`` (naming some of digit, ink and background); plain rows get
``captions.caption_ids`` (the digit only). ``caption_states`` are the text encoder's outputs for
that caption table plus "" last, computed once: the text encoder is frozen, as in SD.
"""

from __future__ import annotations

import torch

from course_utils.data.captions import DIGIT_WORDS, caption_ids
from course_utils.data.compositions import caption_table, draw_caption_ids
from course_utils.diffusion.objectives import diffusion_loss
from course_utils.training.loop import train_loop

# SD v1.5's scheduler_config.json (PNDMScheduler); training uses the same betas with DDPMScheduler.
SD15_BETAS = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")


def build_mini_unet(cross_attention_dim: int, seed: int = 0, sample_size: int = 8):
    """SD v1's UNet design shrunk: 4→4 latent channels on 8×8 (``sample_size``), cross-attention in every block."""
    from diffusers import UNet2DConditionModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return UNet2DConditionModel(  # SD v1.5: (320, 640, 1280, 1280), 2 layers, 768-d context, 64×64 latents
            sample_size=sample_size, in_channels=4, out_channels=4, layers_per_block=1,
            block_out_channels=(64, 128), norm_num_groups=32,
            down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
            cross_attention_dim=cross_attention_dim, attention_head_dim=8,
        )


def noise_scheduler():
    """DDPMScheduler with SD v1.5's betas: the forward process the UNet is trained against."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(**SD15_BETAS)


@torch.no_grad()
def caption_embeddings(text_encoder, tokenizer, captions: list[str]) -> torch.Tensor:
    """The frozen text encoder's last hidden states for each caption: (N, 77, D)."""
    ids = tokenizer(captions, padding="max_length", max_length=tokenizer.model_max_length,
                    truncation=True, return_tensors="pt").input_ids  # (N, 77)
    return text_encoder(ids.to(text_encoder.device))[0].float().cpu()  # (N, 77, D)


def train_text_unet(unet, table, caption_states: torch.Tensor, *, scaling_factor: float, num_steps: int,
                    words=DIGIT_WORDS,
                    batch_size: int = 128, learning_rate: float = 1e-3, caption_dropout: float = 0.1, seed: int = 0,
                    device=None, checkpoint_dir=None, checkpoint_every: int = 250, progress: bool = True,
                    max_seconds=None, stop_at_step=None, ema_decay=None) -> list[float]:
    """Train on latents sampled from each row's q(z|x) every step, with a random caption per row.

    ``table``: a ``LatentTable`` from ``course_utils.mini_sd.latent_table.encode_digits``.
    ``caption_states``: ``caption_embeddings`` of the captions plus "" last: for coloured rows
    ``compositions.caption_table(words=words) + [""]`` (3,001, 77, D for the digits); for plain rows
    ``all_captions() + [""]`` (T · 10 + 1, 77, D), every (template, class) caption, template-major.
    ``words``: the class names of coloured rows (the digits' by default).
    ``ema_decay`` (e.g. 0.999): keep an exponential moving average of the weights and return holding it.
    """
    coloured = table.ink is not None
    expected = len(caption_table(words=words)) + 1 if coloured else None
    if caption_states.ndim != 3 or (len(caption_states) != expected if coloured else len(caption_states) % 10 != 1):
        want = "compositions.caption_table() + ['']" if coloured else "all_captions() + ['']"
        raise ValueError(f"caption_states must hold the embeddings of {want}, (captions + 1, 77, D); got shape "
                         f"{tuple(caption_states.shape)}. Use caption_embeddings(text_encoder, tokenizer, {want}).")
    num_templates = len(caption_states) // 10
    if caption_states.shape[-1] != unet.config.cross_attention_dim:
        raise ValueError(f"The text encoder's width {caption_states.shape[-1]} differs from the UNet's "
                         f"cross_attention_dim={unet.config.cross_attention_dim}; build the UNet with the text width.")
    scheduler = noise_scheduler()
    device = torch.device(device) if device is not None else unet.device
    rows = table.to(device)  # the whole table on the training device: a step only indexes it
    states = caption_states.to(device)

    def loss_fn(index, generator):
        eps = torch.randn(rows.means[index].shape, generator=generator).to(device)
        latents = (rows.means[index] + rows.stds[index] * eps) * scaling_factor  # (B, 4, 8, 8), ~unit variance
        if coloured:  # (B,) a caption naming some of digit, ink, background; "" for ~10 %
            which = draw_caption_ids(table.digit[index], table.ink[index], table.background[index], generator,
                                     caption_dropout, words=words)
        else:
            which = caption_ids(table.digit[index], generator, caption_dropout, num_templates)
        return diffusion_loss(unet, scheduler, latents, encoder_hidden_states=states[which.to(device)],
                              generator=generator)

    settings = dict(model="mini_unet", caption_dropout=caption_dropout, scaling_factor=scaling_factor,
                    betas=SD15_BETAS, coloured=coloured)
    return train_loop(unet, loss_fn, num_examples=len(table), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=min(200, num_steps // 10),
                      decay=True, checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every, seed=seed,
                      device=device, progress=progress, max_seconds=max_seconds, stop_at_step=stop_at_step,
                      ema_decay=ema_decay, desc="mini UNet")
