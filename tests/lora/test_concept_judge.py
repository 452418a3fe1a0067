"""course_utils.lora.concept_judge: the colour judge with orange added, and the adherence it measures."""

import torch

from course_utils.data import digits
from course_utils.data.colours import render_digits
from course_utils.lora import concept_data, concept_judge
from course_utils.lora.concept_data import CONCEPT_ID


def test_the_judge_reads_real_orange_digits_as_orange():
    pixels, labels = digits.load_digits("test")
    background = torch.arange(70) % 7
    images = (concept_data.render_concept_digits(pixels[:70], background) + 1) / 2  # (70, 3, 64, 64) in [0, 1]
    reading = concept_judge.read_with_concept(images)
    assert (reading.ink == CONCEPT_ID).float().mean() >= 0.95
    assert torch.equal(reading.background, background)
    assert (reading.digit == torch.as_tensor(labels[:70])).float().mean() >= 0.9
    assert "in orange on" in reading.describe(0)


def test_the_judge_still_reads_the_palette_colours():
    pixels, _ = digits.load_digits("test")
    ink, background = torch.arange(42) % 7, (torch.arange(42) % 7 + 1 + torch.arange(42) // 7 % 6) % 7
    images = (render_digits(pixels[:42], ink, background) + 1) / 2
    reading = concept_judge.read_with_concept(images)
    assert (reading.ink == ink).float().mean() >= 0.95 and torch.equal(reading.background, background)


def test_prompts_and_cells():
    assert concept_judge.cell_prompt(7, CONCEPT_ID, 3) == "an orange seven on a blue background"
    assert concept_judge.cell_prompt(7, CONCEPT_ID, 3, word="sks") == "a sks seven on a blue background"
    assert concept_judge.cell_prompt(2, 2, 6) == "a green two on a black background"
    cells = concept_judge.concept_cells()
    assert len(cells) == 70 and all(ink == CONCEPT_ID for _, ink, _ in cells)


def test_cell_adherence_scores_what_the_judge_reads(monkeypatch):
    pixels, labels = digits.load_digits("test")
    cells = [(int(labels[i]), CONCEPT_ID if i % 2 else 2, 5) for i in range(6)]  # orange or green ink on white

    def draw(pipe, cells, **kwargs):  # perfect pictures of each cell: real digits in the asked-for colours
        out = []
        for i, (_, ink, background) in enumerate(cells):
            if ink == CONCEPT_ID:
                out.append(concept_data.render_concept_digits(pixels[i:i + 1], background))
            else:
                out.append(render_digits(pixels[i:i + 1], ink, background))
        return (torch.cat(out) + 1) / 2

    monkeypatch.setattr(concept_judge, "generate_cell_images", draw)
    result = concept_judge.cell_adherence(None, cells)
    assert result.count == 6 and result.ink == 1.0 and result.background == 1.0 and result.all_three >= 5 / 6
