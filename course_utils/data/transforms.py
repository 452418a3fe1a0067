"""Turning 28×28 images into the tensors the models train on, and generated images back.

* 28 → 32: each digit (or garment) is padded with 2 black pixels per side, so the UNet's three
  halvings (32 → 16 → 8 → 4) divide evenly; notebook 02 trains on these ``(N, 1, 32, 32)`` tensors.
* 32 → 64 RGB: the mini SD draws 64×64 RGB images, a ×2 nearest-neighbour scaling of the padded
  digit repeated over three channels, so a generated sample maps back onto MNIST's layout exactly.
* ``random_flip``: the left–right augmentation (right for clothes, wrong for digits).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def to_training_tensors(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows with a 28×28 ``image`` and a ``label`` → images (N, 1, 32, 32) in [−1, 1], labels (N,).

    Each image is padded with 2 black pixels per side (28 → 32) and scaled x ↦ x / 127.5 − 1.
    """
    pixels = np.stack([np.asarray(image, dtype=np.uint8) for image in dataset["image"]])  # (N, H, W)
    if pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise ValueError(f"Expected 28×28 grayscale images, got an array of shape {pixels.shape}; "
                         "pass load_fashion_mnist(...) or (images, labels) tensors.")
    return digits_to_gray32(pixels), torch.as_tensor(np.asarray(dataset["label"]), dtype=torch.long)


def as_image_label_tensors(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """Accept a dataset (rows with image/label) or an ``(images, labels)`` pair of tensors."""
    if isinstance(dataset, (tuple, list)) and len(dataset) == 2:
        images, labels = dataset
        if not (isinstance(images, torch.Tensor) and images.ndim == 4):
            raise ValueError("images must be a (N, C, H, W) tensor; make it with to_training_tensors(dataset).")
        labels = torch.as_tensor(labels)
        if labels.shape != (images.shape[0],) or labels.is_floating_point():
            raise ValueError(f"labels must be N={images.shape[0]} integers, got shape {tuple(labels.shape)}.")
        return images, labels.long()
    return to_training_tensors(dataset)


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror each image left–right with probability ½ (draws from ``generator``)."""
    flip = torch.rand(images.shape[0], generator=generator) < 0.5  # (B,)
    flip = flip.to(images.device).view(-1, 1, 1, 1)  # (B, 1, 1, 1)
    return torch.where(flip, images.flip(-1), images)


def digits_to_rgb64(pixels) -> torch.Tensor:
    """uint8 digits ``(N, 28, 28)`` → float ``(N, 3, 64, 64)`` in [−1, 1] (pad to 32, scale ×2, RGB)."""
    images = F.interpolate(digits_to_gray32(pixels), scale_factor=2, mode="nearest")  # (N, 1, 64, 64)
    return images.repeat(1, 3, 1, 1)  # (N, 3, 64, 64)


def digits_to_gray32(pixels) -> torch.Tensor:
    """uint8 digits ``(N, 28, 28)`` → ``(N, 1, 32, 32)`` in [−1, 1]: x ↦ x / 127.5 − 1, 2 black pixels per side.

    Notebook 02's training tensors and the digit classifier's input; ``digits_to_rgb64`` scales it up.
    """
    pixels = torch.as_tensor(np.asarray(pixels))
    if pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise ValueError(f"Expected 28×28 digits (N, 28, 28), got shape {tuple(pixels.shape)}; use load_digits().")
    images = pixels.float().div(127.5).sub(1.0).unsqueeze(1)  # (N, 1, 28, 28) in [−1, 1]
    return F.pad(images, (2, 2, 2, 2), value=-1.0)  # (N, 1, 32, 32): black border


def rgb64_to_gray32(images: torch.Tensor) -> torch.Tensor:
    """Generated ``(N, 3, 64, 64)`` images in [0, 1] → ``(N, 1, 32, 32)`` in [0, 1] for the digit classifier."""
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 3 or images.shape[-1] % 32:
        raise ValueError("images must be a (N, 3, H, W) tensor in [0, 1] with H = W a multiple of 32 "
                         f"(the mini model draws 64×64); got {getattr(images, 'shape', type(images))}.")
    gray = images.float().mean(dim=1, keepdim=True)  # (N, 1, H, W)
    return F.adaptive_avg_pool2d(gray, 32)  # (N, 1, 32, 32)
