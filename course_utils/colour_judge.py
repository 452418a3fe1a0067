"""The colour judge: which digit, ink colour and background colour did a generated picture draw? (C53)

It reads a coloured digit (``course_utils.data.colours``) in three steps:

1. background: the palette colour nearest to the median colour of the border ring, which holds
   no ink (the 2 padding pixels per side of the 32×32 layout, 4 px at 64);
2. ink: the palette colour nearest to the median colour of the pixels farthest (in RGB) from the
   border's median colour: the 2% of the image farthest away, fewer than any digit's strokes hold
   (every test digit has at least 3% of its pixels at x > 0.5);
3. digit: each pixel is projected on the segment from the background to the ink colour,
   x = clamp(⟨p − bg, ink − bg⟩ / |ink − bg|², 0, 1), which turns the picture back into a
   white-on-black digit; pooled to ``(N, 1, 32, 32)`` it goes to the shipped digit classifier.

Images are ``(N, 3, H, W)`` in [0, 1] (what ``generate`` returns), H = W a multiple of 32.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import torch
import torch.nn.functional as F

from course_utils import pretrained
from course_utils.data.colours import COLOUR_NAMES, palette_rgb
from course_utils.evaluation import predict_classes
from course_utils.i18n.lookup import pad, t

INK_FRACTION = 0.02  # the share of pixels, farthest from the background, whose median is the ink colour


@dataclasses.dataclass(frozen=True)
class ColourReading:
    """What the judge read in each image: ids ``(N,)`` and the measured colours ``(N, 3)`` in [0, 1]."""

    digit: torch.Tensor  # (N,) 0..9
    ink: torch.Tensor  # (N,) palette ids
    background: torch.Tensor  # (N,) palette ids
    ink_rgb: torch.Tensor  # (N, 3) the median colour of the farthest pixels
    background_rgb: torch.Tensor  # (N, 3) the median colour of the border
    colour_names: ClassVar[tuple[str, ...]] = COLOUR_NAMES  # what the ids name (a subclass may add colours)

    def describe(self, i: int) -> str:
        """Image ``i`` in words: "a 7 in red on blue" (in the edition's language; the colour names stay the
        prompts' English words). Every edition's text starts with two characters that may be cut off:
        ``describe(i)[2:]`` is "7 in red on blue"."""
        return t("a {digit} in {ink} on {background}", digit=int(self.digit[i]), ink=self.colour_names[self.ink[i]],
                 background=self.colour_names[self.background[i]])


@dataclasses.dataclass(frozen=True)
class CompositionAccuracy:
    """How often the judge read the intended digit, ink, background, and all three at once."""

    digit: float
    ink: float
    background: float
    all_three: float
    count: int

    def table(self) -> str:
        rows = [(t("digit"), self.digit), (t("ink colour"), self.ink), (t("background colour"), self.background),
                (t("all three"), self.all_three)]
        return "\n".join(f"  {pad(name, 18)} {value:6.1%}" for name, value in rows) + "\n  " + t("({n} images)", n=self.count)


def nearest_palette_colour(rgb: torch.Tensor) -> torch.Tensor:
    """Colours ``(N, 3)`` in [0, 1] → the id of the nearest palette colour (Euclidean in sRGB), ``(N,)``."""
    return torch.cdist(rgb.float(), palette_rgb()).argmin(dim=1)  # (N,)


def background_colour(images: torch.Tensor) -> torch.Tensor:
    """The median colour ``(N, 3)`` of each image's border ring (H/16 pixels wide: 4 px at 64)."""
    width = images.shape[-1] // 16
    ring = torch.ones(images.shape[-2:], dtype=torch.bool)
    ring[width:-width, width:-width] = False  # (H, W): True on the border
    return images[:, :, ring].median(dim=2).values  # (N, 3)


def ink_colour(images: torch.Tensor, background_rgb: torch.Tensor) -> torch.Tensor:
    """The median colour ``(N, 3)`` of the ``INK_FRACTION`` of pixels farthest (in RGB) from ``background_rgb``."""
    pixels = images.flatten(2)  # (N, 3, H·W)
    distance = (pixels - background_rgb[:, :, None]).norm(dim=1)  # (N, H·W)
    k = max(1, round(INK_FRACTION * pixels.shape[-1]))
    farthest = distance.topk(k, dim=1).indices  # (N, k)
    chosen = pixels.gather(2, farthest[:, None, :].expand(-1, 3, -1))  # (N, 3, k)
    return chosen.median(dim=2).values  # (N, 3)


def ink_intensity(images: torch.Tensor, ink_rgb: torch.Tensor, background_rgb: torch.Tensor) -> torch.Tensor:
    """White-on-black intensity ``(N, 1, 32, 32)`` in [0, 1]: each pixel projected on the background→ink segment."""
    along = (ink_rgb - background_rgb)[:, :, None, None]  # (N, 3, 1, 1)
    offset = images - background_rgb[:, :, None, None]  # (N, 3, H, W)
    length2 = (along**2).sum(dim=1, keepdim=True).clamp(min=1e-6)  # (N, 1, 1, 1): |ink − bg|²
    x = ((offset * along).sum(dim=1, keepdim=True) / length2).clamp(0, 1)  # (N, 1, H, W)
    return F.adaptive_avg_pool2d(x, 32)  # (N, 1, 32, 32)


def check_images(images) -> None:
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 3 \
            or images.shape[-1] != images.shape[-2] or images.shape[-1] % 32:
        raise ValueError("images must be a (N, 3, H, W) tensor in [0, 1] with H = W a multiple of 32 "
                         f"(the mini model draws 64×64); got {getattr(images, 'shape', type(images))}.")
    if images.numel() and (images.min() < -1e-3 or images.max() > 1 + 1e-3):
        raise ValueError(f"images span [{images.min():.2f}, {images.max():.2f}] but the judge expects [0, 1]; "
                         "map [−1, 1] tensors with (images + 1) / 2.")


@torch.no_grad()
def measure_colours(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Steps 1–3 before the classifier: ``(background_rgb (N, 3), ink_rgb (N, 3), white on black (N, 1, 32, 32))``."""
    check_images(images)
    images = images.float().cpu()
    # 1. background: the border's median colour
    background_rgb = background_colour(images)  # (N, 3)
    # 2. ink: the median colour of the pixels farthest from the background
    ink_rgb = ink_colour(images, background_rgb)  # (N, 3)
    # 3. back to white on black, for the classifier
    return background_rgb, ink_rgb, ink_intensity(images, ink_rgb, background_rgb)


def white_on_black(images: torch.Tensor) -> torch.Tensor:
    """Any coloured digit ``(N, 3, H, W)`` in [0, 1] back to a white-on-black one ``(N, 1, 32, 32)``: the classifier's input."""
    return measure_colours(images)[2]


@torch.no_grad()
def read_images(images: torch.Tensor, classifier=None) -> ColourReading:
    """Read each image's digit, ink and background (ids into ``PALETTE``); ``images`` ``(N, 3, H, W)`` in [0, 1].

    ``classifier``: the digit classifier, default the shipped one (``pretrained.digit_classifier()``).
    """
    background_rgb, ink_rgb, intensity = measure_colours(images)  # (N, 3), (N, 3), (N, 1, 32, 32)
    if classifier is None:
        classifier = pretrained.digit_classifier()
    digit = predict_classes(classifier, intensity)  # (N,)
    return ColourReading(digit, nearest_palette_colour(ink_rgb), nearest_palette_colour(background_rgb),
                         ink_rgb, background_rgb)


def composition_accuracy(reading: ColourReading, digit, ink, background) -> CompositionAccuracy:
    """Score a ``read_images`` result against the intended digit, ink and background (each ``(N,)`` ids)."""
    intended = [torch.as_tensor(v).long().cpu().reshape(-1) for v in (digit, ink, background)]
    n = len(reading.digit)
    if n == 0 or any(len(v) != n for v in intended):
        raise ValueError(f"Got {[len(v) for v in intended]} intended digits/inks/backgrounds for {n} images; "
                         "pass one of each per image (and at least one image).")
    right = [read == want for read, want in zip((reading.digit, reading.ink, reading.background), intended)]
    all_three = right[0] & right[1] & right[2]  # (N,)
    return CompositionAccuracy(*(r.float().mean().item() for r in (*right, all_three)), count=n)


def judge_images(images: torch.Tensor, digit, ink, background, classifier=None) -> CompositionAccuracy:
    """Read ``images`` (``(N, 3, H, W)`` in [0, 1]) and score them against what they were meant to show."""
    return composition_accuracy(read_images(images, classifier), digit, ink, background)
