"""course_utils.data.compositions: captions that name digit, ink and background, or only some of them."""

import pytest
import torch

from course_utils.data import captions, colours, compositions
from course_utils.data.colours import BLUE, RED


def every_caption(templates):
    """Every caption the templates write, over all 420 cells and each template's subset."""
    return {compositions.compose_caption(d, i, b, t) for d, i, b in colours.all_cells()
            for options in templates.values() for t in options}


def test_canonical_prompts():
    assert compositions.canonical_prompt(7, "red", "blue") == "a red seven on a blue background"
    assert compositions.canonical_prompt(7, RED, BLUE) == compositions.compose_caption(7, RED, BLUE)
    assert compositions.canonical_prompt(0, ink="yellow") == "a yellow zero"
    assert compositions.canonical_prompt(8, background="black") == "the digit eight on a black background"
    assert compositions.canonical_prompt(7) == "a handwritten digit seven" == captions.caption(7)
    assert compositions.CANONICAL_TEMPLATE == "a {ink} {word} on a {background} background"


def test_plain_digit_prompts_stay_valid_captions():
    assert compositions.TRAIN_TEMPLATES["digit"] == captions.CAPTION_TEMPLATES
    assert compositions.template_subset("a handwritten digit {word}") == "digit"
    assert compositions.compose_caption(7, template="a handwritten digit {word}") == "a handwritten digit seven"
    # a colour the template leaves out is ignored: the caption leaves it free
    assert compositions.compose_caption(7, RED, BLUE, "the number {numeral}") == "the number 7"


def test_every_template_names_its_subset():
    assert tuple(compositions.TRAIN_TEMPLATES) == tuple(compositions.UNSEEN_TEMPLATES) == compositions.SUBSETS
    for templates in (compositions.TRAIN_TEMPLATES, compositions.UNSEEN_TEMPLATES):
        for subset, options in templates.items():
            assert len(options) >= 2 and all(compositions.template_subset(t) == subset for t in options)


def test_unseen_phrasings_never_appear_in_training():
    train, unseen = every_caption(compositions.TRAIN_TEMPLATES), every_caption(compositions.UNSEEN_TEMPLATES)
    assert train.isdisjoint(unseen)
    assert len(train) > 1000 and len(unseen) > 500
    assert max(len(c.split()) for c in train | unseen) <= 16  # well within CLIP's 77 tokens


def test_captions_name_the_right_colours():
    for template in compositions.TRAIN_TEMPLATES["digit+ink+background"]:
        words = compositions.compose_caption(3, "green", "white", template).replace(",", "").split()
        assert {"three", "3"} & set(words) and "green" in words and "white" in words
    assert compositions.compose_caption(3, "green", "white", "a {background} background with a {ink} {word}") \
        == "a white background with a green three"


@pytest.mark.parametrize("template, args, match", [
    ("a {ink} {word}", (7, None, None), "ink colour"),
    ("a {ink} {word} on {background}", (7,), "ink and background"),
    ("a {colour} {word}", (7, RED, BLUE), "only"),
    ("a {ink} thing", (7, RED, BLUE), "names no digit"),
    ("a {ink} {word", (7, RED, BLUE), "format string"),
    ("a {ink} {word}", (10, RED, BLUE), "not a class id; use an int 0..9"),
    ("a {ink} {word}", (7, "pink", BLUE), "palette"),
])
def test_mistakes_are_explained(template, args, match):
    with pytest.raises(ValueError, match=match):
        compositions.compose_caption(*args, template=template)


def test_draw_captions_mixes_subsets_and_templates():
    n = 2000
    labels = torch.arange(10).repeat(n // 10)
    ink, background = colours.sample_colours(labels, torch.Generator().manual_seed(0))
    drawn = compositions.draw_captions(labels, ink, background, torch.Generator().manual_seed(1))
    again = compositions.draw_captions(labels, ink, background, torch.Generator().manual_seed(1))
    assert drawn == again and len(drawn) == n and "" not in drawn
    templates = {t: s for s, options in compositions.TRAIN_TEMPLATES.items() for t in options}
    used = {}
    for caption, d, i, b in zip(drawn, labels.tolist(), ink.tolist(), background.tolist()):
        matches = [t for t in templates if compositions.compose_caption(d, i, b, t) == caption]
        assert matches, caption  # each caption is a training template filled with the image's own attributes
        used[matches[0]] = used.get(matches[0], 0) + 1
    assert set(used) == set(templates)  # every template is drawn
    per_subset = {s: sum(k for t, k in used.items() if templates[t] == s) for s in compositions.SUBSETS}
    assert all(abs(k / n - 0.25) < 0.04 for k in per_subset.values()), per_subset  # each subset a quarter


def test_caption_dropout_for_guidance():
    n = 4000
    labels, ink, background = torch.zeros(n, dtype=torch.long), torch.zeros(n, dtype=torch.long), torch.ones(n)
    generator = torch.Generator().manual_seed(0)
    drawn = compositions.draw_captions(labels, ink, background, generator, caption_dropout=0.1)
    assert abs(drawn.count("") / n - 0.1) < 0.02
    # the same 3 · N numbers are drawn whatever the dropout, so the stream after the call does not depend on it
    plain = torch.Generator().manual_seed(0)
    compositions.draw_captions(labels, ink, background, plain, caption_dropout=0.0)
    assert torch.equal(torch.rand(3, generator=generator), torch.rand(3, generator=plain))
    with pytest.raises(ValueError, match="0.1"):
        compositions.draw_captions(labels, ink, background, generator, caption_dropout=1.0)
    with pytest.raises(ValueError, match="one of each"):
        compositions.draw_captions(labels[:3], ink[:2], background[:3], generator)


def test_unseen_templates_can_be_drawn_for_evaluation():
    drawn = compositions.draw_captions([7], [RED], [BLUE], torch.Generator().manual_seed(0),
                                       templates=compositions.UNSEEN_TEMPLATES)
    assert drawn[0] in every_caption({"any": [t for ts in compositions.UNSEEN_TEMPLATES.values() for t in ts]})


def test_caption_table_lists_each_drawable_caption_once():
    table = compositions.caption_table()
    assert len(table) == len(set(table)) == 3000  # 60 digit-only + 280 + 210 + 2,450
    assert table[0] == "a handwritten digit zero" and "a red seven on a blue background" in table
    labels = torch.arange(10).repeat(300)
    ink, background = colours.sample_colours(labels, torch.Generator().manual_seed(0))
    ids = compositions.draw_caption_ids(labels, ink, background, torch.Generator().manual_seed(2), caption_dropout=0.1)
    assert ids.min() >= 0 and ids.max() == len(table)  # len(table) is the dropped caption ""
    assert len(set(ids.tolist())) > 1000  # the draw reaches much of the table, not a corner of it


def test_clothes_get_the_same_grammar_about_clothes():
    """Full mode colours Fashion-MNIST: the same subsets and canonical phrasing, with the clothes' names."""
    train, unseen = compositions.grammar(captions.CLOTHES_WORDS)
    assert set(train) == set(unseen) == set(compositions.SUBSETS)
    assert compositions.canonical_prompt(4, RED, BLUE, words=captions.CLOTHES_WORDS) == "a red coat on a blue background"
    assert all("{numeral}" not in t for options in train.values() for t in options)  # a coat has no numeral
    table = compositions.caption_table(words=captions.CLOTHES_WORDS)
    assert len(table) == len(set(table)) and "a photo of a sandal" in table
    drawn = compositions.draw_captions([4] * 50, [RED] * 50, [BLUE] * 50, torch.Generator().manual_seed(0),
                                       words=captions.CLOTHES_WORDS)
    kept_out = {compositions.compose_caption(4, RED, BLUE, t, captions.CLOTHES_WORDS) for ts in unseen.values() for t in ts}
    assert all("coat" in c for c in drawn) and not set(drawn) & kept_out and set(drawn) <= set(table)
    with pytest.raises(ValueError, match="CLOTHES_WORDS"):
        compositions.grammar(("cat", "dog"))
