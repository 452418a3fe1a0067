"""Coloured digits: each digit drawn in an ink colour on a background colour, and what training never shows (C53).

To teach the miniature SD to *compose* (digit, ink colour, background colour), every digit is
drawn in one of seven palette colours on another. Some combinations are held out of training
and used only to measure composition: can the model draw a red zero when it never saw one?

* A digit's 28×28 intensity x = uint8 / 255 is padded to 32 and scaled ×2 to 64 px, as
  ``transforms.digits_to_rgb64`` lays out the white-on-black digits; each pixel is then
  ``background · (1 − x) + ink · x`` in sRGB [0, 1], returned in [−1, 1] (the VAE's range).
* Held out (never rendered for training): digit d in ink ``PALETTE[d mod 7]`` on any background
  (a red zero, a yellow one, …, a black six, a red seven, a yellow eight, a green nine), and the
  ink/background pairs yellow on purple, blue on white and red on black, with any digit.
* Of the 10 · 7 · 6 = 420 (digit, ink, background) cells, 335 are seen in training, 85 held out.

Colours are ids into ``PALETTE`` (0 = red … 6 = black); ``colour_id("red")`` turns a name into one.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from course_utils.arguments import whole_number
from course_utils.data.transforms import digits_to_gray32

# The palette, sRGB 0–255, in id order
PALETTE = {
    "red": (220, 38, 38),
    "yellow": (240, 210, 30),
    "green": (30, 160, 60),
    "blue": (30, 90, 220),
    "purple": (140, 50, 190),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
}
COLOUR_NAMES = tuple(PALETTE)  # ("red", "yellow", …): the words captions use
RED, YELLOW, GREEN, BLUE, PURPLE, WHITE, BLACK = range(len(PALETTE))
NUM_DIGITS = 10

# Ink/background pairs never seen in training, whatever the digit
HELD_OUT_PAIRS = ((YELLOW, PURPLE), (BLUE, WHITE), (RED, BLACK))


def palette_rgb() -> torch.Tensor:
    """The palette as ``(7, 3)`` floats in [0, 1], row i = colour id i."""
    return torch.tensor(list(PALETTE.values()), dtype=torch.float32) / 255  # (7, 3)


def colour_id(colour) -> int:
    """A colour id 0..6 from an id or a palette name ("red" → 0)."""
    if isinstance(colour, str):
        if colour not in PALETTE:
            raise ValueError(f"colour={colour!r} is not in the palette; use one of {COLOUR_NAMES}.")
        return COLOUR_NAMES.index(colour)
    index = whole_number(colour)
    if index is None or not 0 <= index < len(PALETTE):
        raise ValueError(f"colour={colour!r} is not a colour id; use 0..{len(PALETTE) - 1} or a name from {COLOUR_NAMES}.")
    return index


def held_out_ink(digit: int) -> int:
    """The ink colour digit ``digit`` is never drawn in during training: ``PALETTE[digit mod 7]``."""
    return _digit(digit) % len(PALETTE)


def is_held_out(digit: int, ink, background) -> bool:
    """Whether the cell (digit, ink, background) is kept out of training (ink and background differ)."""
    ink, background = colour_id(ink), colour_id(background)
    if ink == background:
        raise ValueError(f"ink and background are both {COLOUR_NAMES[ink]!r}; a digit is never drawn in its "
                         "background colour.")
    return ink == held_out_ink(digit) or (ink, background) in HELD_OUT_PAIRS


def all_cells() -> list[tuple[int, int, int]]:
    """Every (digit, ink, background) cell with ink ≠ background: 10 · 7 · 6 = 420, digit-major."""
    colours = range(len(PALETTE))
    return [(d, i, b) for d in range(NUM_DIGITS) for i in colours for b in colours if i != b]


def held_out_cells() -> list[tuple[int, int, int]]:
    """The cells training never shows, in ``all_cells`` order."""
    return [cell for cell in all_cells() if is_held_out(*cell)]


def cell_counts() -> dict[str, int]:
    """How many cells are seen in training and held out: ``{"seen": 335, "held_out": 85, "total": 420}``."""
    held_out = len(held_out_cells())
    return {"seen": len(all_cells()) - held_out, "held_out": held_out, "total": len(all_cells())}


def allowed_pairs(digit: int) -> tuple[tuple[int, int], ...]:
    """The (ink, background) pairs training may draw digit ``digit`` in: the 42 ordered pairs minus held-out ones.

    Digits whose held-out ink also starts a held-out pair (0, 1, 3, 7, 8) keep 34 pairs, the others 33.
    """
    return _allowed_pairs(_digit(digit))


@functools.lru_cache(maxsize=NUM_DIGITS)
def _allowed_pairs(digit: int) -> tuple[tuple[int, int], ...]:
    return tuple((i, b) for d, i, b in all_cells() if d == digit and not is_held_out(d, i, b))


def render_digits(pixels, ink, background) -> torch.Tensor:
    """uint8 digits ``(N, 28, 28)`` drawn in ``ink`` on ``background`` → float ``(N, 3, 64, 64)`` in [−1, 1].

    ``ink`` and ``background`` are colour ids (or names), one for all digits or one per digit
    (``(N,)``). Each pixel is ``background · (1 − x) + ink · x`` in sRGB [0, 1], x = uint8 / 255.
    Held-out cells render too: the judge's tests and the composition measurements need them.
    """
    ink, background = _colour_ids(ink, len(pixels)), _colour_ids(background, len(pixels))  # (N,), (N,)
    if (ink == background).any():
        raise ValueError("Some digits have the same ink and background colour; a digit is never drawn that way.")
    rgb = palette_rgb()
    return render_digits_rgb(pixels, rgb[ink], rgb[background])


def render_digits_rgb(pixels, ink_rgb: torch.Tensor, background_rgb: torch.Tensor) -> torch.Tensor:
    """Digits ``(N, 28, 28)`` in any sRGB colours: ``ink_rgb``, ``background_rgb`` ``(N, 3)`` or ``(3,)`` in [0, 1].

    Returns ``(N, 3, 64, 64)`` in [−1, 1], laid out as ``render_digits`` lays out palette colours.
    """
    x = (digits_to_gray32(pixels) + 1) / 2  # (N, 1, 32, 32) in [0, 1]: 2 background pixels per side
    x = F.interpolate(x, scale_factor=2, mode="nearest")  # (N, 1, 64, 64)
    ink_rgb = torch.as_tensor(ink_rgb, dtype=torch.float32).expand(len(x), 3).reshape(-1, 3, 1, 1)  # (N, 3, 1, 1)
    background_rgb = torch.as_tensor(background_rgb, dtype=torch.float32).expand(len(x), 3).reshape(-1, 3, 1, 1)
    if ink_rgb.min() < 0 or ink_rgb.max() > 1 or background_rgb.min() < 0 or background_rgb.max() > 1:
        raise ValueError("ink_rgb and background_rgb must be sRGB in [0, 1]; divide 0–255 values by 255.")
    images = background_rgb * (1 - x) + ink_rgb * x  # (N, 3, 64, 64) in [0, 1]
    return images * 2 - 1  # (N, 3, 64, 64) in [−1, 1]


def random_rgb_pairs(n: int, generator: torch.Generator, min_distance: float = 0.3) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` random (ink, background) sRGB pairs ``(n, 3)`` each, uniform in the colour cube, at least
    ``min_distance`` apart (Euclidean, in [0, 1] units) so the digit stays visible.

    Not palette colours: digits drawn this way teach a VAE to encode *any* two colours, so it is a
    general codec for two-colour pictures rather than a codec of the palette's pairs.
    """
    ink, background = torch.rand(n, 3, generator=generator), torch.rand(n, 3, generator=generator)  # (n, 3) each
    close = (ink - background).norm(dim=1) < min_distance  # (n,)
    while close.any():  # redraw the background of pairs too alike
        background[close] = torch.rand(int(close.sum()), 3, generator=generator)
        close = (ink - background).norm(dim=1) < min_distance
    return ink, background


def sample_colours(labels, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A uniformly random allowed (ink, background) pair for each digit in ``labels`` (N,): ``(ink, background)``.

    Each call draws afresh from ``generator`` (N numbers, whatever the digits), so an image gets new
    colours every epoch. Never returns a held-out cell.
    """
    labels = torch.as_tensor(labels).long().cpu()  # (N,)
    if labels.ndim != 1 or (labels.numel() and (labels.min() < 0 or labels.max() >= NUM_DIGITS)):
        raise ValueError(f"labels must be (N,) digits 0..9, got shape {tuple(labels.shape)}.")
    table, counts = _allowed_table()  # (10, 34, 2), (10,)
    u = torch.rand(labels.shape, generator=generator)  # (N,) in [0, 1)
    choice = torch.minimum((u * counts[labels]).long(), counts[labels] - 1)  # (N,): a pair index below the digit's count
    pairs = table[labels, choice]  # (N, 2)
    return pairs[:, 0], pairs[:, 1]


def evaluation_colours(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded (ink, background) pair for each of ``n`` test digits, drawn from all 42 ordered pairs.

    Held-out pairs included: the pairs the model card measures the VAE and the mini CLIP on.
    Returns ``(ink (n,), background (n,))`` with ink ≠ background everywhere.
    """
    g = torch.Generator().manual_seed(seed)
    ink = torch.randint(0, len(PALETTE), (n,), generator=g)  # (n,)
    background = (ink + 1 + torch.randint(0, len(PALETTE) - 1, (n,), generator=g)) % len(PALETTE)  # (n,), ≠ ink
    return ink, background


def render_training_batch(pixels, labels, generator: torch.Generator):
    """Training digits in fresh random allowed colours: ``(images (N, 3, 64, 64) in [−1, 1], ink (N,), background (N,))``."""
    ink, background = sample_colours(labels, generator)
    return render_digits(pixels, ink, background), ink, background


@functools.lru_cache(maxsize=1)
def _allowed_table() -> tuple[torch.Tensor, torch.Tensor]:
    """Every digit's allowed pairs, padded to the longest list: ``(10, 34, 2)`` ids and ``(10,)`` counts."""
    lists = [allowed_pairs(d) for d in range(NUM_DIGITS)]
    width = max(len(pairs) for pairs in lists)
    table = torch.tensor([list(pairs) + [pairs[-1]] * (width - len(pairs)) for pairs in lists])  # (10, width, 2)
    return table, torch.tensor([len(pairs) for pairs in lists])


def _colour_ids(colours, n: int) -> torch.Tensor:
    """One colour id per image, ``(n,)``, from one id/name or a sequence of them."""
    if isinstance(colours, str) or whole_number(colours) is not None:
        return torch.full((n,), colour_id(colours), dtype=torch.long)
    ids = torch.as_tensor([colour_id(c) for c in (colours.tolist() if hasattr(colours, "tolist") else colours)],
                          dtype=torch.long)
    if ids.shape != (n,):
        raise ValueError(f"Got {ids.numel()} colours for {n} digits; pass one colour, or one per digit.")
    return ids


def _digit(digit) -> int:
    index = whole_number(digit)
    if index is None or not 0 <= index < NUM_DIGITS:
        raise ValueError(f"digit={digit!r} is not a digit; use 0..9.")
    return index
