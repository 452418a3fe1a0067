"""A miniature SD VAE trained on digits (notebook 06, C43): ``AutoencoderKL``, ×8, 4 latent channels.

The encoder maps a 64×64 RGB image to a diagonal Gaussian over 4×8×8 latents (a mean and a
log-variance per number); the decoder maps a latent back to pixels. The loss (Kingma & Welling
2014; weighted as the LDM autoencoders are, Rombach et al. 2022, appendix G) is, per image,

    L = Σ_pixels (x − D(z))² + β · KL(q(z|x) ‖ N(0, I)),   z ~ q(z|x),   β = 10⁻⁶,

both terms *summed* over the image and its latent, then averaged over the batch. Summing both
keeps β's meaning: averaged over the 12,288 numbers of a 64×64 RGB image instead, the same β
would weigh the KL 12,288× more and squeeze the latents towards N(0, I). With so small a β the
latents keep detail and their spread is whatever training makes it. SD's own VAE adds two terms
this one leaves out: a perceptual (LPIPS) loss and a patch-GAN discriminator, which make
reconstructions sharp where plain pixel losses blur textures.

With ``labels``, training draws every digit in a fresh random ink and background colour each step
(``course_utils.data.colours``; held-out cells never), so the VAE learns colour as well as shape.
With ``random_colour_fraction`` > 0, that share of each batch is drawn in random sRGB colours
instead of palette ones. A VAE trained only on the palette's allowed pairs becomes a codec of those
pairs: it cannot encode a pair it never saw (yellow on purple comes back in the wrong colours),
which would cap what the UNet can learn of held-out cells before it starts. SD's VAE is a general
image codec, trained on any pictures; random colours make the mini VAE one for two-colour digits,
while the text-to-image parts (the mini CLIP and the UNet) still never see a held-out cell.

The latents' spread is set by training, not by design, so after training ``latent_scaling_factor``
measures it: 1 / std of the latents, the way SD's 0.18215 was chosen, so that ``z · scaling_factor``
has unit variance, matching the N(0, I) noise the diffusion model mixes it with.
"""

from __future__ import annotations

import torch

from course_utils.data.colours import random_rgb_pairs, render_digits_rgb, render_training_batch
from course_utils.data.transforms import digits_to_rgb64
from course_utils.training.loop import train_loop


def build_mini_vae(seed: int = 0):
    """SD v1's VAE design shrunk: 4 blocks (3 downsamplings → ×8), 4 latent channels, 64×64 RGB."""
    from diffusers import AutoencoderKL

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return AutoencoderKL(  # SD v1.5: block_out_channels (128, 256, 512, 512), layers_per_block 2
            in_channels=3, out_channels=3, latent_channels=4, sample_size=64, layers_per_block=1,
            block_out_channels=(16, 32, 64, 64), norm_num_groups=8,
            down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
            scaling_factor=1.0,  # replaced by latent_scaling_factor(...) after training
        )


def vae_loss(vae, images: torch.Tensor, generator: torch.Generator, kl_weight: float = 1e-6):
    """(loss, reconstruction error, KL) per image, averaged over a batch of images (B, 3, H, W) in [−1, 1]."""
    posterior = vae.encode(images).latent_dist  # mean, log-variance: 2 × (B, 4, H/8, W/8)
    noise = torch.randn(posterior.mean.shape, generator=generator).to(images.device)
    latents = posterior.mean + posterior.std * noise  # z ~ q(z|x), the reparameterisation trick
    reconstruction = vae.decode(latents).sample  # (B, 3, H, W)
    squared_error = (reconstruction.float() - images.float()).pow(2).flatten(1).sum(dim=1).mean()  # Σ over pixels
    kl = posterior.kl().mean()  # KL(q(z|x) ‖ N(0, I)): Σ over the latent, averaged over the batch
    return squared_error + kl_weight * kl, squared_error.detach(), kl.detach()


def train_mini_vae(vae, pixels, labels=None, *, num_steps: int, batch_size: int = 64, learning_rate: float = 2e-3,
                   kl_weight: float = 1e-6, seed: int = 0, device=None, checkpoint_dir=None,
                   checkpoint_every: int = 250, progress: bool = True, max_seconds=None,
                   stop_at_step=None, random_colour_fraction: float = 0.0) -> list[float]:
    """Train the VAE on digits (uint8 (N, 28, 28)); returns the loss of every step.

    ``labels`` ((N,) digits): draw each digit in a random allowed ink/background pair every step;
    without them the digits stay white on black. ``random_colour_fraction`` (with ``labels``): the
    share of each batch drawn in random sRGB colours instead (``colours.random_rgb_pairs``).
    """
    if not 0.0 <= random_colour_fraction <= 1.0:
        raise ValueError(f"random_colour_fraction={random_colour_fraction!r} must lie in [0, 1], e.g. 0.5.")
    if random_colour_fraction and labels is None:
        raise ValueError("random_colour_fraction needs labels: pass the digits' labels to draw them in colour.")
    plain = digits_to_rgb64(pixels) if labels is None else None  # (N, 3, 64, 64) in [−1, 1]
    labels = None if labels is None else torch.as_tensor(labels).long()

    def loss_fn(index, generator):
        if labels is None:
            images = plain[index]
        else:  # (B, 3, 64, 64): a new colour pair per digit and step
            images = render_training_batch(pixels[index.numpy()], labels[index], generator)[0]
            n_random = round(random_colour_fraction * len(index))  # the batch's first n_random digits
            if n_random:
                ink, background = random_rgb_pairs(n_random, generator)  # (n, 3) each
                images[:n_random] = render_digits_rgb(pixels[index[:n_random].numpy()], ink, background)
        return vae_loss(vae, images.to(vae.device), generator, kl_weight)[0]

    settings = dict(model="mini_vae", kl_weight=kl_weight, loss="summed per image", coloured=labels is not None)
    if random_colour_fraction:
        settings["random_colour_fraction"] = random_colour_fraction
    return train_loop(vae, loss_fn, num_examples=len(pixels), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=min(100, num_steps // 10),
                      decay=True, checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every, seed=seed,
                      device=device, progress=progress, max_seconds=max_seconds, stop_at_step=stop_at_step,
                      desc="mini VAE")


@torch.no_grad()
def encode_latent_dist(vae, images: torch.Tensor, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Unscaled latent means and standard deviations, each (N, 4, H/8, W/8), on the CPU."""
    means, stds = [], []
    for i in range(0, len(images), batch_size):
        dist = vae.encode(images[i:i + batch_size].to(vae.device, vae.dtype)).latent_dist
        means.append(dist.mean.float().cpu())
        stds.append(dist.std.float().cpu())
    return torch.cat(means), torch.cat(stds)


def latent_scaling_factor(vae, images: torch.Tensor, generator: torch.Generator | None = None) -> float:
    """1 / std of sampled (unscaled) latents of ``images``: SD v1 measured 0.18215 this way."""
    return scaling_factor_of(*encode_latent_dist(vae, images), generator)


def scaling_factor_of(means: torch.Tensor, stds: torch.Tensor, generator: torch.Generator | None = None) -> float:
    """1 / std of latents sampled from q(z|x) = N(means, stds²), e.g. a ``LatentTable``'s rows."""
    latents = means + stds * torch.randn(means.shape, generator=generator)
    return 1.0 / latents.std().item()


@torch.no_grad()
def psnr(reconstruction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Peak signal-to-noise ratio per image in dB, for images in [0, 1]: 10 · log10(1 / MSE)."""
    mse = (reconstruction.float() - target.float()).pow(2).flatten(1).mean(dim=1)  # (N,)
    return 10 * torch.log10(1.0 / mse.clamp_min(1e-10))


@torch.no_grad()
def round_trip(vae, images: torch.Tensor) -> torch.Tensor:
    """``images`` (N, 3, H, W) in [−1, 1] through the VAE: the posterior mean decoded, (N, 3, H, W) in [0, 1]."""
    reconstruction = vae.decode(vae.encode(images).latent_dist.mean).sample  # (N, 3, H, W), about [−1, 1]
    return (reconstruction / 2 + 0.5).clamp(0, 1)


@torch.no_grad()
def round_trip_psnr(vae, images: torch.Tensor) -> torch.Tensor:
    """PSNR per image (N,) of ``round_trip`` against ``images`` (N, 3, H, W) in [−1, 1], as the model card scores it."""
    return psnr(round_trip(vae, images), images / 2 + 0.5)
