"""course_utils.colour_judge: reading digit, ink and background back from coloured digits."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils import colour_judge, evaluation, pretrained
from course_utils.data import colours, transforms
from course_utils.data.digits import load_digits


@pytest.fixture(scope="module")
def classifier():
    return pretrained.digit_classifier()


@pytest.fixture(scope="module")
def test_set():
    """The 500 test digits, each in 4 colour pairs (2,000 images): its held-out ink on a random background,
    a held-out pair (yellow on purple, blue on white, red on black in turn), and two random allowed pairs."""
    pixels, labels = load_digits("test")
    labels = torch.as_tensor(labels)  # (500,)
    generator = torch.Generator().manual_seed(0)
    ink_held = torch.tensor([colours.held_out_ink(int(d)) for d in labels])  # (500,)
    background_held = (ink_held + torch.randint(1, 7, (500,), generator=generator)) % 7  # any other colour
    pairs = torch.tensor(colours.HELD_OUT_PAIRS)[torch.arange(500) % 3]  # (500, 2)
    (ink_a, background_a), (ink_b, background_b) = (colours.sample_colours(labels, generator) for _ in range(2))
    ink = torch.cat([ink_held, pairs[:, 0], ink_a, ink_b])  # (2000,)
    background = torch.cat([background_held, pairs[:, 1], background_a, background_b])  # (2000,)
    digit = labels.repeat(4)  # (2000,)
    images = (colours.render_digits(np.tile(pixels, (4, 1, 1)), ink, background) + 1) / 2  # (2000, 3, 64, 64)
    return images, digit, ink, background


@pytest.fixture(scope="module")
def test_reading(classifier, test_set):
    """What the judge reads in the 2,000 test images."""
    return colour_judge.read_images(test_set[0], classifier)


def test_judge_reads_rendered_test_digits(test_set, test_reading):
    _, digit, ink, background = test_set
    held_out = torch.tensor([colours.is_held_out(*map(int, cell)) for cell in zip(digit, ink, background)])
    assert held_out[:1000].all() and not held_out[1000:].any()
    accuracy = colour_judge.composition_accuracy(test_reading, digit, ink, background)
    print(f"\ncolour judge on the 500 test digits in 4 colour pairs each:\n{accuracy.table()}")
    assert accuracy.count == 2000
    assert accuracy.ink == accuracy.background == 1.0  # exact renders: the colours are always right
    assert accuracy.all_three >= 0.95  # measured 98.8%: the digit classifier's own accuracy on these digits


def test_judge_reads_every_colour_pair(classifier):
    pixels, labels = load_digits("test")
    pairs = [(i, b) for i in range(7) for b in range(7) if i != b]  # all 42
    ink, background = (torch.tensor([p[k] for p in pairs]).repeat(20) for k in (0, 1))  # (840,)
    digit = torch.as_tensor(labels[:20]).repeat_interleave(42)  # (840,)
    images = (colours.render_digits(np.repeat(pixels[:20], 42, axis=0), ink, background) + 1) / 2
    reading = colour_judge.read_images(images, classifier)
    assert torch.equal(reading.ink, ink) and torch.equal(reading.background, background)
    # the projection gives back the same white-on-black digit whatever the colours
    per_pair = (reading.digit == digit).view(20, 42)
    assert (per_pair == per_pair[:, :1]).all()


def test_judge_tolerates_noise_and_blur(classifier, test_set):
    images, digit, ink, background = (t[1000:1300] for t in test_set)
    generator = torch.Generator().manual_seed(1)
    noisy = (images + 0.05 * torch.randn(images.shape, generator=generator)).clamp(0, 1)
    blurred = F.avg_pool2d(F.pad(images, (1, 1, 1, 1), mode="replicate"), 3, stride=1)  # 3×3 box blur
    for changed in (noisy, blurred, images * 0.85):  # noise, blur, a darker picture
        assert colour_judge.judge_images(changed, digit, ink, background, classifier).all_three >= 0.95


def test_swapped_colours_are_wrong(classifier, test_set):
    images, digit, ink, background = (t[1000:1500] for t in test_set)
    swapped = (colours.render_digits(load_digits("test")[0], background, ink) + 1) / 2  # ink ↔ background
    accuracy = colour_judge.judge_images(swapped, digit, ink, background, classifier)
    assert accuracy.ink == accuracy.background == accuracy.all_three == 0.0
    assert accuracy.digit >= 0.95  # the digit still reads right: only the colours are wrong


def test_usual_wrong_answers_score_zero(classifier, test_set, test_reading):
    _, digit, ink, background = test_set
    # another digit in the right colours
    assert colour_judge.composition_accuracy(test_reading, (digit + 1) % 10, ink, background).digit < 0.05
    images, digit, ink, background = (t[1000:1100] for t in test_set)
    # an empty picture: only the background colour
    empty = images[:, :, :1, :1].expand_as(images).clone()
    reading = colour_judge.read_images(empty, classifier)
    assert torch.equal(reading.background, background) and torch.equal(reading.ink, background)
    assert colour_judge.composition_accuracy(reading, digit, ink, background).all_three == 0.0
    # the plain white-on-black digit, where a red seven on blue was asked for
    plain = (transforms.digits_to_rgb64(load_digits("test")[0][:100]) + 1) / 2
    wanted = torch.full((100,), colours.RED), torch.full((100,), colours.BLUE)
    accuracy = colour_judge.judge_images(plain, digit, *wanted, classifier)
    assert accuracy.ink == accuracy.background == accuracy.all_three == 0.0


def test_white_on_black_reads_as_the_digit_classifier_does(classifier):
    pixels, _ = load_digits("test")
    plain = (transforms.digits_to_rgb64(pixels[:100]) + 1) / 2  # (100, 3, 64, 64)
    reading = colour_judge.read_images(plain, classifier)
    assert (reading.ink == colours.WHITE).all() and (reading.background == colours.BLACK).all()
    assert torch.equal(reading.digit, evaluation.generated_classes(classifier, plain))
    assert reading.describe(0).startswith("a ") and reading.describe(0).endswith(" in white on black")


def test_ink_pixels_lie_inside_the_strokes():
    """The judge takes the ink colour from the 2% of pixels farthest from the background: fewer than
    the strokes of any test digit hold, so the median is a stroke colour even for a thin 1."""
    pixels, _ = load_digits("test")
    strokes = (transforms.digits_to_rgb64(pixels)[:, 0] > 0).float().mean(dim=(1, 2))  # (500,): share with x > 0.5
    assert strokes.min() >= 0.03 >= 1.5 * colour_judge.INK_FRACTION


def test_nearest_palette_colour():
    rgb = colours.palette_rgb()
    assert torch.equal(colour_judge.nearest_palette_colour(rgb), torch.arange(7))
    near = (rgb + torch.tensor([0.08, -0.08, 0.08])).clamp(0, 1)  # every colour a little off
    assert torch.equal(colour_judge.nearest_palette_colour(near), torch.arange(7))


def test_bad_input_is_explained(classifier, test_set):
    images = test_set[0][:2]
    with pytest.raises(ValueError, match=r"\(images \+ 1\) / 2"):
        colour_judge.read_images(images * 2 - 1, classifier)
    with pytest.raises(ValueError, match="multiple of 32"):
        colour_judge.read_images(images[:, :, :60, :60], classifier)
    with pytest.raises(ValueError, match="one of each"):
        colour_judge.judge_images(images, [1], [0, 0], [1, 1], classifier)


def test_white_on_black_undoes_the_colours():
    """Any ink on any background comes back as the white-on-black digit the classifier was trained on."""
    pixels = load_digits("test")[0][:20]
    ink, background = torch.arange(20) % 7, (torch.arange(20) + 3) % 7
    images = (colours.render_digits(pixels, ink, background) + 1) / 2  # (20, 3, 64, 64) in [0, 1]
    plain = (transforms.digits_to_gray32(pixels) + 1) / 2  # (20, 1, 32, 32)
    assert (colour_judge.white_on_black(images) - plain).abs().mean() < 0.02
