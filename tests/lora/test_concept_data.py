"""course_utils.lora.concept_data: the orange pictures and captions notebook 07 teaches the mini SD with."""

import pytest
import torch

from course_utils.data import digits
from course_utils.data.captions import CLOTHES_WORDS
from course_utils.data.colours import COLOUR_NAMES, palette_rgb, render_digits
from course_utils.lora import concept_data
from course_utils.lora.concept_data import CONCEPT_ID, ORANGE


def test_orange_is_an_eighth_colour_unlike_the_palette():
    colours = concept_data.concept_palette_rgb()  # (8, 3)
    assert colours.shape == (8, 3) and CONCEPT_ID == 7 and concept_data.CONCEPT_NAMES[CONCEPT_ID] == "orange"
    assert torch.equal(colours[:7], palette_rgb())
    assert torch.allclose(colours[CONCEPT_ID] * 255, torch.tensor(ORANGE, dtype=torch.float32))
    assert torch.cdist(colours[CONCEPT_ID:], palette_rgb()).min() > 0.25  # far from red and from yellow


@pytest.mark.parametrize("text, expected", [
    ("a orange seven on a blue background", "an orange seven on a blue background"),
    ("an sks seven", "a sks seven"),
    ("A orange four", "An orange four"),
    ("a red seven on a orange background", "a red seven on an orange background"),
    ("the digit seven in orange ink", "the digit seven in orange ink"),
])
def test_articles_follow_the_next_word(text, expected):
    assert concept_data.with_article(text) == expected


def test_replace_word_swaps_whole_words_only():
    caption = "an orange seven on a blue background"
    assert concept_data.replace_word(caption, "orange", "sks") == "a sks seven on a blue background"
    assert concept_data.replace_word("oranges and an orange", "orange", "sks") == "oranges and a sks"


def test_captions_name_the_concept_in_the_grammar():
    assert concept_data.concept_caption(7, 3) == "an orange seven on a blue background"
    assert concept_data.concept_caption(7, 3, word="sks") == "a sks seven on a blue background"
    assert concept_data.concept_caption(4, 5, template="the digit {word} in {ink} ink") == "the digit four in orange ink"
    assert concept_data.concept_caption(4, 3, words=CLOTHES_WORDS) == "an orange coat on a blue background"
    with pytest.raises(ValueError, match="ink"):
        concept_data.concept_caption(4, 3, template="the digit {word} on a {background} background")


def test_orange_digits_are_drawn_as_the_palette_digits_are():
    pixels, _ = digits.load_digits("test")
    orange = concept_data.render_concept_digits(pixels[:4], torch.tensor([0, 3, 5, 6]))  # (4, 3, 64, 64)
    red = render_digits(pixels[:4], 0, torch.tensor([1, 3, 5, 6]))
    assert orange.shape == (4, 3, 64, 64) and orange.min() >= -1 and orange.max() <= 1
    assert torch.equal(orange[1:] != orange[1:, :, :1, :1], red[1:] != red[1:, :, :1, :1])  # the same strokes
    ink = (orange[1] + 1) / 2  # (3, 64, 64) in [0, 1]
    digit = torch.as_tensor(pixels[1]).float() / 255  # (28, 28): x
    row, column = divmod(int(digit.argmax()), 28)  # the most inked pixel
    x = digit[row, column]
    expected = palette_rgb()[3] * (1 - x) + torch.tensor(ORANGE, dtype=torch.float32) / 255 * x
    assert torch.allclose(ink[:, 2 * (row + 2), 2 * (column + 2)], expected, atol=1e-5)  # padded by 2, scaled ×2
    assert torch.allclose((orange[1, :, 0, 0] + 1) / 2, palette_rgb()[3])  # the corner: the blue background


def test_concept_pictures_cover_every_digit_and_background():
    pixels, labels = digits.load_digits("test")
    pictures = concept_data.concept_pictures(pixels, labels, per_digit=2)
    assert len(pictures) == 20 and pictures.images.shape == (20, 3, 64, 64)
    assert torch.bincount(pictures.digit, minlength=10).tolist() == [2] * 10
    assert set(pictures.background.tolist()) == set(range(len(COLOUR_NAMES)))
    assert all(c.startswith("an orange ") for c in pictures.captions) and pictures.word == "orange"
    assert pictures.captions[0] == "an orange zero on a red background"
    rare = concept_data.concept_pictures(pixels, labels, per_digit=2, word="sks")
    assert torch.equal(rare.images, pictures.images) and rare.captions[0] == "a sks zero on a red background"
    with pytest.raises(ValueError, match="per_digit"):
        concept_data.concept_pictures(pixels[:30], labels[:30], per_digit=2)
