"""Captions for coloured digits: a small grammar that names some of digit, ink and background (C53).

A caption names the digit and, or not, its ink and background colours ("a red seven on a blue
background", "the digit seven in red ink", "a handwritten digit seven"). An attribute the caption
leaves out is left free: the model may draw any colour there. Templates use the fields ``{word}``
("seven"), ``{numeral}`` ("7"), ``{ink}`` and ``{background}`` (palette names, "red").

* ``TRAIN_TEMPLATES``: the phrasings seen in training, per attribute subset; the first of each is
  the canonical one the notebooks prompt with (``canonical_prompt``). The digit-only phrasings are
  ``captions.CAPTION_TEMPLATES``, so the plain prompts of notebooks 05–06 stay valid captions.
* ``UNSEEN_TEMPLATES``: phrasings training never uses, to measure whether prompts generalise (C45).
* ``draw_captions``: a random caption per training image; ``caption_dropout`` of them become
  ``""`` so one UNet also learns the unconditional prediction for guidance (C41).
* Full mode colours Fashion-MNIST's clothes the same way and captions them with the same grammar
  about clothes ("a red coat on a blue background"): ``grammar(words)`` picks the phrasings by the
  class names, and every function here takes ``words``.
"""

from __future__ import annotations

import operator
import string

import torch

from course_utils.data import captions
from course_utils.data.captions import CLOTHES_WORDS, DIGIT_WORDS
from course_utils.data.colours import COLOUR_NAMES, colour_id

# Which attributes a caption names; the digit is always named
SUBSETS = ("digit", "digit+ink", "digit+background", "digit+ink+background")


# Captions seen in training, per subset; the first of each subset is its canonical phrasing
TRAIN_TEMPLATES = {
    "digit": captions.CAPTION_TEMPLATES,
    "digit+ink": (
        "a {ink} {word}",
        "the digit {word} in {ink} ink",
        "a handwritten {ink} {numeral}",
        "the number {word} written in {ink}",
    ),
    "digit+background": (
        "the digit {word} on a {background} background",
        "a handwritten {numeral} on {background}",
        "the number {word}, {background} background",
    ),
    "digit+ink+background": (
        "a {ink} {word} on a {background} background",
        "the digit {word} in {ink} ink on a {background} background",
        "a handwritten {ink} {numeral} on {background}",
        "a {background} background with a {ink} {word}",
        "the number {word} written in {ink} on {background}",
    ),
}


# Phrasings no training caption uses: do the prompts still work? (C45)
UNSEEN_TEMPLATES = {
    "digit": captions.UNSEEN_TEMPLATES,
    "digit+ink": ("{word} coloured {ink}", "please draw {word} with {ink} paint"),
    "digit+background": ("{word} against {background}", "a picture of {numeral} over a {background} backdrop"),
    "digit+ink+background": (
        "{ink} {word} against a {background} backdrop",
        "please draw {word} with {ink} paint on {background} paper",
        "a {background} picture showing the numeral {numeral} in {ink}",
    ),
}


CANONICAL_TEMPLATE = TRAIN_TEMPLATES["digit+ink+background"][0]  # "a {ink} {word} on a {background} background"


# Full mode's coloured Fashion-MNIST: the same grammar about clothes ("digit" stands for the class)
CLOTHES_TRAIN_TEMPLATES = {
    "digit": captions.CLOTHES_TEMPLATES,
    "digit+ink": ("a {ink} {word}", "a photo of a {ink} {word}", "a {word} in {ink}"),
    "digit+background": ("a {word} on a {background} background", "a photo of a {word} on {background}"),
    "digit+ink+background": (
        CANONICAL_TEMPLATE,
        "a photo of a {ink} {word} on {background}",
        "a {background} background with a {ink} {word}",
        "a {word} in {ink} on a {background} background",
    ),
}
CLOTHES_UNSEEN_TEMPLATES = {
    "digit": captions.CLOTHES_UNSEEN_TEMPLATES,
    "digit+ink": ("{word} coloured {ink}",),
    "digit+background": ("{word} against {background}",),
    "digit+ink+background": ("{ink} {word} against a {background} backdrop",
                             "a {background} picture showing a {word} in {ink}"),
}


def grammar(words=DIGIT_WORDS) -> tuple[dict, dict]:
    """The phrasings for a set of class names: ``(seen in training, kept out)``, each a dict subset → templates."""
    words = tuple(words)
    if words == DIGIT_WORDS:
        return TRAIN_TEMPLATES, UNSEEN_TEMPLATES
    if words == CLOTHES_WORDS:
        return CLOTHES_TRAIN_TEMPLATES, CLOTHES_UNSEEN_TEMPLATES
    raise ValueError(f"No caption grammar for the class names {words[:3]}…; the course has one for the digits "
                     "(captions.DIGIT_WORDS) and one for Fashion-MNIST (captions.CLOTHES_WORDS).")


def template_subset(template: str) -> str:
    """The attribute subset a template names, e.g. ``"digit+ink"`` for "a {ink} {word}"."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as err:
        raise ValueError(f"template={template!r} is not a format string: {err}.") from err
    unknown = fields - {"word", "numeral", "ink", "background"}
    if unknown:
        raise ValueError(f"template={template!r} uses {sorted(unknown)}; only {{word}}, {{numeral}}, {{ink}} and "
                         "{background} are allowed.")
    if not fields & {"word", "numeral"}:
        raise ValueError(f"template={template!r} names no digit: write {{word}} or {{numeral}} in it, "
                         f"e.g. {CANONICAL_TEMPLATE!r}.")
    return "+".join(["digit"] + [name for name in ("ink", "background") if name in fields])


def compose_caption(digit: int, ink=None, background=None, template: str = CANONICAL_TEMPLATE,
                    words=DIGIT_WORDS) -> str:
    """The caption of class ``digit`` drawn in ``ink`` on ``background``, written with ``template``.

    Colours are ids or palette names. A colour the template does not name may be None (it is left
    free); one the template names must be given. ``words``: the class names (``{word}``).
    """
    subset = template_subset(template)
    values = {"ink": ink, "background": background}
    missing = [name for name in ("ink", "background") if name in subset and values[name] is None]
    if missing:
        raise ValueError(f"template={template!r} names the {' and '.join(missing)} colour; pass it.")
    try:
        index = None if isinstance(digit, bool) else operator.index(digit)  # an int, NumPy or 0-d torch integer
    except TypeError:
        index = None
    if index is None or not 0 <= index < len(words):
        raise ValueError(f"digit={digit!r} is not a class id; use an int 0..{len(words) - 1}.")
    colour_words = {name: COLOUR_NAMES[colour_id(value)] for name, value in values.items() if value is not None}
    return template.format(word=words[index], numeral=index, **colour_words)


def canonical_prompt(digit: int, ink=None, background=None, words=DIGIT_WORDS) -> str:
    """The notebooks' prompt: "a red seven on a blue background"; naming fewer attributes uses that
    subset's canonical phrasing ("a red seven", "the digit seven on a blue background",
    "a handwritten digit seven")."""
    subset = "+".join(["digit"] + [name for name, value in (("ink", ink), ("background", background))
                                   if value is not None])
    return compose_caption(digit, ink, background, grammar(words)[0][subset][0], words)


def _named(subset: str) -> tuple[int, int]:
    """How many ink and background colours a subset's captions distinguish: 7 if named, else 1."""
    return tuple(len(COLOUR_NAMES) if name in subset else 1 for name in ("ink", "background"))


def caption_table(templates: dict | None = None, words=DIGIT_WORDS) -> list[str]:
    """Every caption ``draw_caption_ids`` can draw, in its index order (``TRAIN_TEMPLATES``: 3,000 captions).

    Subset by subset, template by template, then class, ink, background (a colour the subset does
    not name counts once). The empty caption is not listed: its id is ``len(caption_table())``.
    Embedding this table once lets training look captions up instead of encoding them each step.
    ``templates`` default to the training phrasings of ``grammar(words)``.
    """
    templates = templates or grammar(words)[0]
    table = []
    for subset in SUBSETS:
        inks, backgrounds = _named(subset)
        for template in templates[subset]:
            table += [compose_caption(d, i if inks > 1 else None, b if backgrounds > 1 else None, template, words)
                      for d in range(len(words)) for i in range(inks) for b in range(backgrounds)]
    return table


def draw_caption_ids(labels, ink, background, generator: torch.Generator, caption_dropout: float = 0.0,
                     templates: dict | None = None, words=DIGIT_WORDS) -> torch.Tensor:
    """A random caption per training image, as an index into ``caption_table(templates)`` (C41, C53).

    Args:
        labels: ``(N,)`` digits 0..9.
        ink: ``(N,)`` ink colour ids of the images.
        background: ``(N,)`` background colour ids.
        generator: draws which attributes each caption names (the four subsets equally often), the
            template within the subset (uniformly), and the dropout: 3 · N numbers per call.
        caption_dropout: probability in [0, 1) that a caption becomes ``""``, id ``len(caption_table())``
            (SD-style training uses 0.1).
        templates: phrasings per subset, default the training phrasings of ``grammar(words)``.
        words: the class names.
    Returns: ``(N,)`` long ids.
    """
    if not 0 <= caption_dropout < 1:
        raise ValueError(f"caption_dropout={caption_dropout!r} must be in [0, 1); SD-style training uses 0.1.")
    templates = templates or grammar(words)[0]
    labels, ink, background = (torch.as_tensor(v).long().cpu().reshape(-1) for v in (labels, ink, background))
    if not len(labels) == len(ink) == len(background):
        raise ValueError(f"Got {len(labels)} labels, {len(ink)} inks and {len(background)} backgrounds; "
                         "pass one of each per image.")
    n = len(labels)
    subset = torch.randint(0, len(SUBSETS), (n,), generator=generator)  # (N,) which attributes to name
    pick = torch.rand(n, generator=generator)  # (N,) which template within the subset
    drop = torch.rand(n, generator=generator) < caption_dropout  # (N,) caption → ""
    # Where each (subset, template) block starts in the table, and its shape (10 digits × inks × backgrounds)
    counts = torch.tensor([len(templates[s]) for s in SUBSETS])  # (4,) templates per subset
    shapes = torch.tensor([_named(s) for s in SUBSETS])  # (4, 2): colours each subset distinguishes
    block = len(words) * shapes.prod(dim=1)  # (4,) captions per template
    subset_start = torch.cumsum(counts * block, 0) - counts * block  # (4,)
    k = torch.minimum((pick * counts[subset]).long(), counts[subset] - 1)  # (N,) template within the subset
    inks, backgrounds = shapes[subset, 0], shapes[subset, 1]  # (N,), (N,)
    within = (labels * inks + ink * (inks > 1)) * backgrounds + background * (backgrounds > 1)  # (N,)
    ids = subset_start[subset] + k * block[subset] + within  # (N,)
    return torch.where(drop, torch.full_like(ids, int((counts * block).sum())), ids)


def draw_captions(labels, ink, background, generator: torch.Generator, caption_dropout: float = 0.0,
                  templates: dict | None = None, words=DIGIT_WORDS) -> list[str]:
    """``draw_caption_ids`` as strings: a random caption for each training image, ``""`` when dropped."""
    table = caption_table(templates, words) + [""]
    return [table[i] for i in draw_caption_ids(labels, ink, background, generator, caption_dropout, templates, words)]
