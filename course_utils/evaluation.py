""""Did it work?": a small classifier, trained on real images, scores generated ones (notebook 02).

The classifier is a small CNN trained on the real training images (padded to 32×32, random
horizontal flips, like the diffusion model's data). If generated images of class c are
classified as c, the model learned what the classes look like. Images here are in [0, 1], the
range ``sample_class_conditioned`` returns.
"""

from __future__ import annotations

import dataclasses
import math

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import config
from course_utils.data.transforms import as_image_label_tensors, random_flip, rgb64_to_gray32
from course_utils.i18n.lookup import pad, t


def build_classifier(num_classes: int = 10, width: int = 32) -> nn.Sequential:
    """Three conv blocks (32 → 16 → 8 → 4 px) and a linear layer; ``width`` sets the channels."""
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"width={width!r} must be a positive int (e.g. 8 for a quick test, 32 for real).")

    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]

    return nn.Sequential(
        *block(1, width), nn.MaxPool2d(2),  # (B, w, 16, 16)
        *block(width, 2 * width), nn.MaxPool2d(2),  # (B, 2w, 8, 8)
        *block(2 * width, 4 * width), nn.MaxPool2d(2), nn.Flatten(),  # (B, 4w · 4 · 4)
        nn.Linear(4 * width * 16, num_classes),  # (B, num_classes) logits
    )


def train_classifier(dataset, *, steps: int, batch_size: int = 128, learning_rate: float = 2e-3,
                     width: int = 32, num_classes: int = 10, seed: int = 0, device=None,
                     progress: bool = False, flip: bool = True) -> nn.Sequential:
    """Train ``build_classifier`` on real images (a dataset or ``(images, labels)`` in [−1, 1]).

    Returns the classifier in eval mode on ``device``; it expects images in [0, 1]. ``flip``
    mirrors training images at random (right for clothes; digits turn into other shapes, so
    the digit classifier trains with ``flip=False``).
    """
    images, labels = as_image_label_tensors(dataset)  # (N, 1, 32, 32) in [−1, 1], (N,)
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r} must be a positive int.")
    if not isinstance(batch_size, int) or not 1 < batch_size <= len(images):
        raise ValueError(f"batch_size={batch_size!r} must be an int from 2 to the dataset size "
                         f"({len(images)} images); use a smaller batch_size.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"Labels run up to {int(labels.max())} but num_classes={num_classes}; "
                         "pass num_classes=max label + 1.")
    device = torch.device(device) if device is not None else config.get_device()
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        classifier = build_classifier(num_classes, width).to(device).train()
    optimizer = torch.optim.AdamW(classifier.parameters(), lr=learning_rate)
    from tqdm.auto import tqdm

    for _ in tqdm(range(steps), disable=not progress, desc="classifier"):
        index = torch.randint(0, len(images), (batch_size,), generator=generator)
        batch = images[index]
        batch = (random_flip(batch, generator) if flip else batch).to(device)  # (B, 1, 32, 32)
        logits = classifier((batch + 1) / 2)  # the classifier sees [0, 1]
        loss = F.cross_entropy(logits, labels[index].to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return classifier.eval()


@torch.no_grad()
def predict_classes(classifier: nn.Module, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Most likely class per image; ``images`` (N, 1, 32, 32) in [0, 1]. Returns (N,) on the CPU."""
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 1:
        raise ValueError("images must be a (N, 1, H, W) tensor in [0, 1], like sample_class_conditioned returns.")
    if images.numel() and (images.min() < -1e-3 or images.max() > 1 + 1e-3):
        raise ValueError(f"images span [{images.min():.2f}, {images.max():.2f}] but the classifier expects "
                         "[0, 1]; map [−1, 1] tensors with (images + 1) / 2.")
    classifier.eval()
    device = next(classifier.parameters()).device
    chunks = [classifier(images[i:i + batch_size].to(device)).argmax(dim=1).cpu()
              for i in range(0, len(images), batch_size)]
    return torch.cat(chunks) if chunks else torch.zeros(0, dtype=torch.long)


@dataclasses.dataclass(frozen=True)
class ClassAccuracy:
    """Overall and per-class accuracy (per-class is nan for a class with no images)."""

    overall: float
    per_class: tuple[float, ...]
    counts: tuple[int, ...]

    def table(self, class_names=None) -> str:
        names = class_names or [str(i) for i in range(len(self.per_class))]
        rows = [f"  {pad(name, 22)} {acc:6.1%}  " + t("({n} images)", n=n)
                for name, acc, n in zip(names, self.per_class, self.counts) if n > 0]
        return "\n".join(rows + [f"  {pad(t('overall'), 22)} {self.overall:6.1%}  " + t("({n} images)", n=sum(self.counts))])


def class_accuracy(classifier: nn.Module, images: torch.Tensor, labels, num_classes: int = 10) -> ClassAccuracy:
    """How often the classifier agrees with ``labels`` (the classes the images were meant to be)."""
    labels = torch.as_tensor(labels).long().cpu()
    if labels.shape != (len(images),):
        raise ValueError(f"Got {labels.numel()} labels for {len(images)} images; pass one label per image.")
    if len(images) == 0:
        raise ValueError("class_accuracy needs at least one image.")
    correct = predict_classes(classifier, images) == labels  # (N,)
    per_class, counts = [], []
    for c in range(num_classes):
        mine = labels == c
        counts.append(int(mine.sum()))
        per_class.append(correct[mine].float().mean().item() if mine.any() else math.nan)
    return ClassAccuracy(correct.float().mean().item(), tuple(per_class), tuple(counts))


def generated_classes(classifier: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The class the classifier reads in each generated RGB image ``(N, 3, H, W)`` in [0, 1]: ``(N,)``.

    The images are turned grey and pooled to the classifier's 32×32 (``course_utils.data.transforms.rgb64_to_gray32``).
    """
    return predict_classes(classifier, rgb64_to_gray32(images))
