"""Showing images: PIL images, numpy arrays or tensors in [−1, 1] or [0, 1], single or batched."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image


def to_numpy_image(image) -> np.ndarray:
    """One image as an (H, W) or (H, W, 3) float array in [0, 1]."""
    if isinstance(image, Image.Image):
        return np.asarray(image, dtype=np.float32) / 255.0
    if isinstance(image, torch.Tensor):
        image = image.detach().float().cpu()
        if image.ndim == 3 and image.shape[0] in (1, 3, 4):  # (C, H, W) → (H, W, C)
            image = image.permute(1, 2, 0)
        image = image.numpy()
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3):
        raise ValueError(f"Cannot show an array of shape {image.shape}; expected (H, W), (H, W, C) or (C, H, W).")
    if image.min() < 0:  # the model's range [−1, 1] → [0, 1]
        image = (image + 1) / 2
    elif image.max() > 1.0 + 1e-6:  # uint8-style 0..255
        image = image / 255.0
    return np.clip(image, 0.0, 1.0)


def _as_list(images) -> list:
    if isinstance(images, (Image.Image, np.ndarray)) or (
        isinstance(images, torch.Tensor) and images.ndim <= 3
    ):
        if isinstance(images, np.ndarray) and images.ndim == 4:
            return list(images)
        return [images]
    if isinstance(images, torch.Tensor):  # (B, C, H, W)
        return list(images)
    return list(images)


def image_grid(images, titles=None, nrows: int | None = None, ncols: int | None = None,
               size: float = 2.0, cmap: str = "gray", suptitle: str | None = None):
    """Draw one image or a batch in a grid and return the matplotlib figure (not shown)."""
    images = _as_list(images)
    if not images:
        raise ValueError("show_images got no images.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"Got {len(titles)} titles for {len(images)} images.")
    n = len(images)
    if ncols is None:
        ncols = n if nrows is None else math.ceil(n / nrows)
    nrows = nrows or math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(to_numpy_image(images[i]), cmap=cmap, vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_images(images, titles=None, nrows: int | None = None, ncols: int | None = None,
                size: float = 2.0, cmap: str = "gray", suptitle: str | None = None) -> None:
    """Show one image or a batch in a grid (see ``image_grid`` for the arguments)."""
    image_grid(images, titles, nrows, ncols, size, cmap, suptitle)
    plt.show()


def show_image(image, title: str | None = None, size: float = 4.0) -> None:
    """Show a single image."""
    show_images([image], titles=None if title is None else [title], size=size)
