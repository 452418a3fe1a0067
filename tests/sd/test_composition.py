"""course_utils.sd.composition: prompts for (digit, ink, background) cells, generated and read back by the judge."""

import pytest
import torch

from course_utils import pretrained
from course_utils.data import colours
from course_utils.sd import composition


def test_evaluation_cells_split_seen_and_held_out():
    seen, held = composition.evaluation_cells(held_out=False), composition.evaluation_cells(held_out=True, repeats=3)
    assert len(seen) == 335 and len(held) == 3 * 85
    assert not any(colours.is_held_out(*c) for c in seen) and all(colours.is_held_out(*c) for c in held)
    assert held[:3] == [held[0]] * 3  # each cell repeated in place


def test_cell_prompts_use_templates_in_turn():
    cells = [(7, colours.RED, colours.BLUE), (0, colours.GREEN, colours.WHITE)]
    assert composition.cell_prompts(cells) == ["a red seven on a blue background", "a green zero on a white background"]
    mixed = composition.cell_prompts(cells, ["{ink} {word} against a {background} backdrop", "a {ink} {word}"])
    assert mixed == ["red seven against a blue backdrop", "a green zero"]


def test_composition_adherence_judges_what_it_generated(pipe, monkeypatch):
    """The judge scores the very images generated for the cells: rendering the cells' true pictures instead of
    generating must score 100%, and their colours swapped 0% on ink and background."""
    from course_utils.data.digits import load_digits

    pixels, labels = load_digits("test")
    picks = [int((torch.as_tensor(labels) == d).nonzero()[0]) for d in (3, 7)]
    cells = [(3, colours.GREEN, colours.PURPLE), (7, colours.YELLOW, colours.BLUE)]

    def rendered(pipe, cells, swap=False, **kwargs):
        ink, background = torch.tensor([c[1] for c in cells]), torch.tensor([c[2] for c in cells])
        if swap:
            ink, background = background, ink
        return (colours.render_digits(pixels[picks], ink, background) + 1) / 2

    monkeypatch.setattr(composition, "generate_cells", rendered)
    right = composition.composition_adherence(pipe, cells, classifier=pretrained.digit_classifier())
    assert right.all_three == 1.0 and right.count == 2
    monkeypatch.setattr(composition, "generate_cells", lambda pipe, cells, **kw: rendered(pipe, cells, swap=True))
    swapped = composition.composition_adherence(pipe, cells, classifier=pretrained.digit_classifier())
    assert swapped.ink == swapped.background == swapped.all_three == 0.0
    with pytest.raises(ValueError, match="evaluation_cells"):
        composition.composition_adherence(pipe, [])


def test_generate_cells_is_seeded(pipe):
    cells = [(1, colours.BLUE, colours.YELLOW)]
    a = composition.generate_cells(pipe, cells, num_inference_steps=2, seed=3)
    b = composition.generate_cells(pipe, cells, num_inference_steps=2, seed=3)
    assert a.shape == (1, 3, 64, 64) and torch.equal(a, b) and 0 <= a.min() and a.max() <= 1


def test_seen_and_held_out_counts_each_set(pipe, monkeypatch):
    """Seen cells once, held-out cells ``held_out_repeats`` times, each judged on its own images."""
    from course_utils.data.digits import load_digits

    pixels, labels = load_digits("test")
    first = {d: int((torch.as_tensor(labels) == d).nonzero()[0]) for d in range(10)}

    def rendered(pipe, cells, **kwargs):  # each cell's true picture, but held-out cells in another ink
        def ink_of(d, i, b):
            return next(c for c in range(7) if c not in (i, b)) if colours.is_held_out(d, i, b) else i

        digit = [d for d, _, _ in cells]
        ink, background = [ink_of(*c) for c in cells], [b for _, _, b in cells]
        return (colours.render_digits(pixels[[first[d] for d in digit]], ink, background) + 1) / 2

    monkeypatch.setattr(composition, "generate_cells", rendered)
    result = composition.seen_and_held_out(pipe, held_out_repeats=2, classifier=pretrained.digit_classifier())
    assert result["seen"].count == 335 and result["held_out"].count == 170
    assert result["seen"].ink == 1.0 and result["seen"].all_three > 0.9
    assert result["held_out"].ink < 0.2 and result["held_out"].digit > 0.9
