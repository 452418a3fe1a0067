"""Data: Fashion-MNIST (full mode) or a digits stand-in with the same shape (smoke mode)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from course_utils import config
from course_utils.errors import hub_errors

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
DIGIT_CLASSES = tuple(f"digit {i} (stand-in)" for i in range(10))
SPLITS = ("train", "test")
SAMPLE_PHOTOS = ("flower", "china")


def load_fashion_mnist(split: str = "train", mode: str | None = None):
    """A ``datasets.Dataset`` with ``image`` (PIL "L", 28×28) and ``label`` (ClassLabel, 10 names).

    Full mode: Fashion-MNIST from the hub (60,000 train / 10,000 test). Smoke mode: scikit-learn's
    bundled 8×8 digits upscaled to 28×28, with the same features, so code cannot tell them apart.
    """
    if config.get_mode(mode) == "full":
        import datasets

        with hub_errors(config.FASHION_MNIST_ID):
            return datasets.load_dataset(config.FASHION_MNIST_ID, split=split)
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is not available offline; use one of {SPLITS}.")
    return _digits_standin(split)


def _digits_standin(split: str):
    import datasets
    from sklearn.datasets import load_digits

    digits = load_digits()  # 1,797 real handwritten digits, 8×8, values 0..16
    is_test = np.arange(len(digits.target)) % 5 == 0  # a fixed 80/20 split
    keep = is_test if split == "test" else ~is_test
    pixels = (digits.images[keep] * (255 / 16)).astype(np.uint8)  # (N, 8, 8)
    images = [Image.fromarray(p, mode="L").resize((28, 28), Image.BILINEAR) for p in pixels]
    features = datasets.Features(
        {"image": datasets.Image(), "label": datasets.ClassLabel(names=list(DIGIT_CLASSES))}
    )
    return datasets.Dataset.from_dict(
        {"image": images, "label": digits.target[keep].tolist()}, features=features
    )


def load_sample_photo(size: int = 512, name: str = "flower") -> Image.Image:
    """A real RGB photo, centre-cropped to a square ``size``×``size`` (shipped with scikit-learn)."""
    from sklearn.datasets import load_sample_image

    if name not in SAMPLE_PHOTOS:
        raise ValueError(f"name={name!r} is not a sample photo; use one of {SAMPLE_PHOTOS}.")
    if not isinstance(size, int) or size < 8:
        raise ValueError(f"size={size!r} must be an int ≥ 8 (SD v1 uses 512; smoke mode 64).")
    photo = Image.fromarray(load_sample_image(f"{name}.jpg"))  # (427, 640, 3) uint8
    side = min(photo.size)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    square = photo.crop((left, top, left + side, top + side))
    return square.resize((size, size), Image.LANCZOS)
