"""Images ↔ SD latents with the VAE (notebook 03 builds these steps by hand, then uses these).

Conventions, chosen once for the whole course:

* Images going in are PIL images (one or a list) or a float tensor ``(B, 3, H, W)`` / ``(3, H, W)``
  with values in **[0, 1]** (what ``decode_latents`` returns, so the two compose). The VAE itself
  wants [−1, 1]; the mapping happens here.
* ``encode_image`` returns *scaled* latents ``(B, 4, H/8, W/8)`` on the VAE's device, in its dtype
  (fp16 on cuda), ready for the UNet: ``latent_dist.sample() * vae.config.scaling_factor``.
* ``decode_latents`` takes scaled latents and returns images in [0, 1] as **float32 on the CPU**,
  ready to plot, compare or save, whatever the VAE's dtype and device.

``tests/test_vae.py`` proves the pre- and post-processing equal diffusers' ``VaeImageProcessor``.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image


def vae_scale_factor(vae) -> int:
    """Pixels per latent position along each side: 2 ** (number of blocks − 1) = 8 for SD v1."""
    return 2 ** (len(vae.config.block_out_channels) - 1)


def nearest_multiples(value: int, factor: int = 8) -> tuple[int, int]:
    """The multiples of ``factor`` just below (at least ``factor``) and just above ``value``."""
    return max(factor, value // factor * factor), -(-value // factor) * factor


def check_image_size(height: int, width: int, factor: int = 8) -> None:
    """Raise a ``ValueError`` naming the nearest valid sizes when H or W is not a multiple of ``factor``."""
    if height % factor == 0 and width % factor == 0 and height > 0 and width > 0:
        return
    (h_down, h_up), (w_down, w_up) = nearest_multiples(height, factor), nearest_multiples(width, factor)
    down, up = (h_down, w_down), (h_up, w_up)
    options = " or ".join(dict.fromkeys(f"{h}×{w}" for h, w in (down, up)))  # drop a repeat
    raise ValueError(
        f"The image is {height}×{width} (height×width), but the VAE shrinks each side {factor}× "
        f"so both must be multiples of {factor}. Resize or crop it to {options}, e.g. "
        f"`image.resize(({up[1]}, {up[0]}))` for a PIL image."
    )


def _pil_to_tensor(images: list[Image.Image]) -> torch.Tensor:
    sizes = {im.size for im in images}
    if len(sizes) != 1:
        raise ValueError(f"All images in a batch must have the same size; got {sorted(sizes)}. Resize them first.")
    arrays = [np.array(im.convert("RGB"), dtype=np.float32) / 255.0 for im in images]  # (H, W, 3) each
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2)  # (B, 3, H, W) in [0, 1]


def images_to_tensor(image) -> torch.Tensor:
    """PIL image(s) or a [0, 1] tensor → a float tensor ``(B, 3, H, W)`` in [0, 1] (validated)."""
    if isinstance(image, Image.Image):
        image = [image]
    if isinstance(image, (list, tuple)) and image and all(isinstance(im, Image.Image) for im in image):
        return _pil_to_tensor(list(image))
    if not isinstance(image, torch.Tensor):
        raise TypeError(
            f"Expected a PIL image, a list of PIL images or a tensor (B, 3, H, W) in [0, 1]; got "
            f"{type(image).__name__}. For a file use `PIL.Image.open(path).convert('RGB')`."
        )
    if image.ndim == 3:
        image = image[None]  # (3, H, W) → (1, 3, H, W)
    if image.ndim != 4 or image.shape[1] != 3:
        raise ValueError(f"Expected an RGB image tensor of shape (B, 3, H, W) or (3, H, W); got {tuple(image.shape)}. "
                         "A grayscale batch (B, 1, H, W) can be repeated: `image.repeat(1, 3, 1, 1)`.")
    if not image.is_floating_point():
        raise ValueError(f"Expected a float tensor in [0, 1]; got dtype {image.dtype}. Use `image.float() / 255`.")
    low, high = image.min().item(), image.max().item()
    if low < -1e-3 or high > 1 + 1e-3:
        hint = ""
        if low >= -1 - 1e-3 and high <= 1 + 1e-3:
            hint = " It looks like [−1, 1]: pass `(image + 1) / 2`."
        elif low >= 0 and high <= 255:
            hint = " It looks like 0..255: pass `image / 255`."
        raise ValueError(f"Image values must be in [0, 1], got min {low:.3g}, max {high:.3g}.{hint}")
    return image


@torch.no_grad()
def encode_image(vae, image, generator: torch.Generator | None = None) -> torch.Tensor:
    """Image(s) → scaled latents ``(B, 4, H/8, W/8)`` on ``vae.device`` in ``vae.dtype``.

    ``image``: PIL image(s) or a float tensor in [0, 1]. The latent is *sampled* from the encoder's
    distribution with ``generator`` (use ``torch.Generator().manual_seed(n)`` to repeat it), then
    multiplied by ``vae.config.scaling_factor`` (0.18215 for SD v1) to bring it near unit variance.
    """
    pixels = images_to_tensor(image)  # (B, 3, H, W) in [0, 1]
    check_image_size(pixels.shape[-2], pixels.shape[-1], vae_scale_factor(vae))
    pixels = pixels.to(device=vae.device, dtype=vae.dtype) * 2 - 1  # [0, 1] → [−1, 1], as the VAE was trained
    latent_dist = vae.encode(pixels).latent_dist  # a diagonal Gaussian: mean and log-variance
    return latent_dist.sample(generator=generator) * vae.config.scaling_factor  # (B, 4, H/8, W/8)


@torch.no_grad()
def decode_latents(vae, latents: torch.Tensor) -> torch.Tensor:
    """Scaled latents ``(B, 4, h, w)`` → images ``(B, 3, 8h, 8w)`` in [0, 1], float32 on the CPU."""
    if not isinstance(latents, torch.Tensor):
        raise TypeError(f"decode_latents takes a tensor of latents (B, 4, h, w); got {type(latents).__name__}.")
    if latents.ndim == 3:
        latents = latents[None]  # (4, h, w) → (1, 4, h, w)
    channels = vae.config.latent_channels
    if latents.ndim != 4 or latents.shape[1] != channels:
        raise ValueError(
            f"Expected latents of shape (B, {channels}, h, w); got {tuple(latents.shape)}. "
            "Pass the UNet's latents, not decoded images."
        )
    latents = latents.to(device=vae.device, dtype=vae.dtype) / vae.config.scaling_factor  # undo the scaling
    images = vae.decode(latents).sample  # (B, 3, 8h, 8w), roughly in [−1, 1]
    return (images.float().cpu() / 2 + 0.5).clamp(0, 1)  # [−1, 1] → [0, 1]


def to_pil(images: torch.Tensor) -> list[Image.Image]:
    """[0, 1] images ``(B, 3, H, W)`` (e.g. from ``decode_latents``) → a list of PIL images."""
    arrays = (images.detach().float().cpu().clamp(0, 1).permute(0, 2, 3, 1).numpy() * 255).round()
    return [Image.fromarray(a.astype(np.uint8)) for a in arrays]


def randn_noise(shape, generator, device, dtype) -> torch.Tensor:
    """Gaussian noise drawn as diffusers draws it (on the generator's device, then moved)."""
    from diffusers.utils.torch_utils import randn_tensor

    return randn_tensor(shape, generator=generator, device=device, dtype=dtype)
