"""course_utils.data.colours: the palette, the held-out cells, rendering and the colour sampler."""

from fractions import Fraction

import numpy as np
import pytest
import torch

from course_utils.data import colours, transforms
from course_utils.data.colours import BLACK, BLUE, GREEN, PURPLE, RED, WHITE, YELLOW


@pytest.fixture(scope="module")
def digits():
    from course_utils.data.digits import load_digits

    pixels, labels = load_digits("test")
    return pixels[:40], labels[:40]


def test_palette_in_order():
    assert colours.COLOUR_NAMES == ("red", "yellow", "green", "blue", "purple", "white", "black")
    assert list(colours.PALETTE.values()) == [(220, 38, 38), (240, 210, 30), (30, 160, 60), (30, 90, 220),
                                              (140, 50, 190), (245, 245, 245), (15, 15, 15)]
    assert (RED, YELLOW, GREEN, BLUE, PURPLE, WHITE, BLACK) == tuple(range(7))
    rgb = colours.palette_rgb()
    assert rgb.shape == (7, 3) and torch.allclose(rgb[BLUE] * 255, torch.tensor([30.0, 90.0, 220.0]))
    assert colours.colour_id("purple") == PURPLE and colours.colour_id(np.int64(3)) == BLUE
    for bad in ("pink", 7, -1, 1.0, True):
        with pytest.raises(ValueError, match="palette|colour id"):
            colours.colour_id(bad)


def test_held_out_inks_per_digit():
    """A red zero, a yellow one, a green two, a blue three, a purple four, a white five, a black six,
    a red seven, a yellow eight, a green nine: held out on any background."""
    expected = ["red", "yellow", "green", "blue", "purple", "white", "black", "red", "yellow", "green"]
    assert [colours.COLOUR_NAMES[colours.held_out_ink(d)] for d in range(10)] == expected
    for digit, ink in enumerate(expected):
        assert all(colours.is_held_out(digit, ink, bg) for bg in colours.COLOUR_NAMES if bg != ink)
    assert not colours.is_held_out(0, "yellow", "blue") and not colours.is_held_out(7, GREEN, RED)


def test_held_out_pairs_for_every_digit():
    for digit in range(10):
        assert colours.is_held_out(digit, "yellow", "purple")
        assert colours.is_held_out(digit, "blue", "white")
        assert colours.is_held_out(digit, "red", "black")
    # the reversed pairs are seen (unless the ink is the digit's held-out ink)
    assert not colours.is_held_out(2, "purple", "yellow") and not colours.is_held_out(2, "black", "red")
    assert colours.is_held_out(torch.tensor(4), PURPLE, YELLOW)  # a purple four, any background


def test_same_colour_and_bad_digit_are_explained():
    with pytest.raises(ValueError, match="never drawn"):
        colours.is_held_out(3, "red", "red")
    with pytest.raises(ValueError, match="not a digit"):
        colours.is_held_out(10, "red", "blue")


def test_counts_seen_and_held_out():
    cells = colours.all_cells()
    assert len(cells) == len(set(cells)) == 420  # 10 digits · 7 inks · 6 backgrounds
    assert colours.cell_counts() == {"seen": 335, "held_out": 85, "total": 420}
    # digits 0, 1, 3, 7, 8: their held-out ink starts a held-out pair, so 6 + 2 held out, 34 allowed
    assert [len(colours.allowed_pairs(d)) for d in range(10)] == [34, 34, 33, 34, 33, 33, 33, 34, 34, 33]
    for digit in range(10):
        allowed = set(colours.allowed_pairs(digit))
        held = {(i, b) for d, i, b in colours.held_out_cells() if d == digit}
        assert allowed.isdisjoint(held) and len(allowed | held) == 42
        assert all(ink != colours.held_out_ink(digit) for ink, _ in allowed)


def test_render_follows_the_formula(digits):
    pixels, _ = digits
    ink = torch.arange(len(pixels)) % 7
    background = (ink + 1 + torch.arange(len(pixels)) % 6) % 7  # never the ink
    images = colours.render_digits(pixels, ink, background)
    assert images.shape == (len(pixels), 3, 64, 64) and images.dtype == torch.float32
    assert images.min() >= -1 and images.max() <= 1
    x = (transforms.digits_to_rgb64(pixels)[:, :1] + 1) / 2  # (N, 1, 64, 64): the white-on-black layout
    rgb = colours.palette_rgb()
    expected = rgb[background][:, :, None, None] * (1 - x) + rgb[ink][:, :, None, None] * x
    torch.testing.assert_close((images + 1) / 2, expected)
    border = (images[:, :, :4, :] + 1) / 2  # 2 padding pixels at 32 → 4 rows at 64: background only
    torch.testing.assert_close(border, rgb[background][:, :, None, None].expand_as(border))


def test_render_takes_one_colour_for_all_and_checks_them(digits):
    pixels, _ = digits
    red_on_blue = colours.render_digits(pixels[:3], "red", "blue")
    torch.testing.assert_close(red_on_blue, colours.render_digits(pixels[:3], [RED] * 3, np.array([BLUE] * 3)))
    with pytest.raises(ValueError, match="never drawn"):
        colours.render_digits(pixels[:3], "red", [BLUE, RED, BLUE])
    with pytest.raises(ValueError, match="one per digit"):
        colours.render_digits(pixels[:3], "red", [BLUE, WHITE])


def test_sampler_draws_only_allowed_pairs_afresh_each_call():
    labels = torch.arange(10).repeat(100)  # (1000,)
    generator = torch.Generator().manual_seed(0)
    first = colours.sample_colours(labels, generator)
    second = colours.sample_colours(labels, generator)
    again = colours.sample_colours(labels, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip(first, again))  # the generator decides
    assert not torch.equal(first[0], second[0])  # a new call, new colours
    for ink, background in (first, second):
        assert ink.shape == background.shape == (1000,) and ink.dtype == torch.long
        assert not any(colours.is_held_out(int(d), int(i), int(b)) for d, i, b in zip(labels, ink, background))


def test_sampler_is_uniform_over_each_digits_allowed_pairs():
    n = 34_000
    ink, background = colours.sample_colours(torch.full((n,), 3), torch.Generator().manual_seed(1))
    counts = torch.bincount(ink * 7 + background, minlength=49).view(7, 7)
    allowed = colours.allowed_pairs(3)
    assert {(int(i), int(b)) for i, b in zip(*counts.nonzero(as_tuple=True))} == set(allowed)
    share = torch.tensor([counts[i, b] for i, b in allowed]).float() / n
    assert (share - 1 / 34).abs().max() < 0.004  # each pair 2.9% ± 0.4 (binomial σ ≈ 0.09%)


def test_marginal_colour_frequencies():
    """With the digits equally frequent, uniform allowed pairs give these ink and background shares
    (uniform would be 1/7 = 14.3%):

    ink:        red 12.0%, yellow 12.0%, green 14.3%, blue 13.5%, purple 16.1%, white 16.1%, black 16.1%
    background: red 15.5%, yellow 15.5%, green 15.5%, blue 15.2%, purple 12.8%, white 12.5%, black 12.8%

    Red and yellow inks are rarer (each is held out for two digits and starts a held-out pair);
    purple, white and black backgrounds are rarer (each ends a held-out pair).
    """
    ink_share, background_share = [Fraction(0)] * 7, [Fraction(0)] * 7
    for digit in range(10):
        pairs = colours.allowed_pairs(digit)
        for ink, background in pairs:
            ink_share[ink] += Fraction(1, 10 * len(pairs))
            background_share[background] += Fraction(1, 10 * len(pairs))
    assert [round(float(s), 3) for s in ink_share] == [0.120, 0.120, 0.143, 0.135, 0.161, 0.161, 0.161]
    assert [round(float(s), 3) for s in background_share] == [0.155, 0.155, 0.155, 0.152, 0.128, 0.125, 0.128]

    n = 100_000  # the sampler matches, to sampling noise (σ ≈ 0.1%)
    ink, background = colours.sample_colours(torch.arange(10).repeat(n // 10), torch.Generator().manual_seed(2))
    measured = torch.bincount(ink, minlength=7).float() / n, torch.bincount(background, minlength=7).float() / n
    print("ink", [f"{s:.3f}" for s in measured[0].tolist()], "background", [f"{s:.3f}" for s in measured[1].tolist()])
    assert (measured[0] - torch.tensor([float(s) for s in ink_share])).abs().max() < 0.005
    assert (measured[1] - torch.tensor([float(s) for s in background_share])).abs().max() < 0.005


def test_training_batch_renders_the_sampled_colours(digits):
    pixels, labels = digits
    images, ink, background = colours.render_training_batch(pixels, labels, torch.Generator().manual_seed(3))
    expected = colours.sample_colours(labels, torch.Generator().manual_seed(3))
    assert torch.equal(ink, expected[0]) and torch.equal(background, expected[1])
    torch.testing.assert_close(images, colours.render_digits(pixels, ink, background))
    with pytest.raises(ValueError, match="digits 0..9"):
        colours.sample_colours(torch.tensor([3, 10]), torch.Generator())


def test_render_rgb_matches_the_palette_render_and_checks_its_range(digits):
    pixels, _ = digits
    rgb = colours.palette_rgb()
    torch.testing.assert_close(colours.render_digits_rgb(pixels[:4], rgb[RED], rgb[BLUE]),
                               colours.render_digits(pixels[:4], "red", "blue"))
    orange = torch.tensor([250, 130, 20]) / 255
    images = colours.render_digits_rgb(pixels[:2], orange.expand(2, 3), rgb[[WHITE, BLACK]])  # (2, 3) per digit
    assert (images[1, :, 0, 0] + 1) / 2 == pytest.approx(rgb[BLACK].tolist())  # a border pixel: the background
    with pytest.raises(ValueError, match="divide 0–255 values by 255"):
        colours.render_digits_rgb(pixels[:2], torch.tensor([250.0, 130, 20]), rgb[BLUE])


def test_random_rgb_pairs_are_spread_out_apart_and_seeded():
    ink, background = colours.random_rgb_pairs(4000, torch.Generator().manual_seed(0))
    assert ink.shape == background.shape == (4000, 3)
    assert ((ink - background).norm(dim=1) >= 0.3).all()
    assert 0 <= ink.min() and ink.max() <= 1 and 0 <= background.min() and background.max() <= 1
    assert ink.mean(0) == pytest.approx([0.5] * 3, abs=0.02)  # uniform in the cube, not the palette's 7 points
    assert len(torch.unique((ink * 255).round(), dim=0)) > 3900
    again = colours.random_rgb_pairs(4000, torch.Generator().manual_seed(0))
    assert torch.equal(again[0], ink) and torch.equal(again[1], background)
