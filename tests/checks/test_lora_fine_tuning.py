"""Notebook 07's exercise checks: a right answer passes, each usual wrong one fails with its hint, and an
untouched stub is reported as not attempted."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import lora_fine_tuning
from course_utils.lora import low_rank


def stub(*args):
    raise NotImplementedError


# --- the forward pass: h = W0 x + bias + (α/r) · B A x -----------------------------------------

def forward_right(x, weight, bias, lora_A, lora_B, alpha):
    rank = lora_A.shape[0]
    return F.linear(x, weight, bias) + (x @ lora_A.T @ lora_B.T) * (alpha / rank)


FORWARD_MISTAKES = {
    "no scaling": (lambda x, w, b, A, B, alpha: F.linear(x, w, b) + x @ A.T @ B.T, "alpha / r"),
    "α alone": (lambda x, w, b, A, B, alpha: F.linear(x, w, b) + alpha * (x @ A.T @ B.T), "not α alone"),
    "r/α": (lambda x, w, b, A, B, alpha: F.linear(x, w, b) + A.shape[0] / alpha * (x @ A.T @ B.T), "upside down"),
    "no base output": (lambda x, w, b, A, B, alpha: alpha / A.shape[0] * (x @ A.T @ B.T), "frozen layer's own output"),
    "no bias": (lambda x, w, b, A, B, alpha: x @ w.T + alpha / A.shape[0] * (x @ A.T @ B.T), "bias"),
    "A and B swapped": (lambda x, w, b, A, B, alpha: F.linear(x, w, b) + alpha / A.shape[0] * (x @ B.T @ A.T),
                        "x @ lora_A.T @ lora_B.T"),
    "not transposed": (lambda x, w, b, A, B, alpha: F.linear(x, w, b) + alpha / A.shape[0] * (x @ A @ B),
                       "x @ lora_A.T @ lora_B.T"),
}


def test_lora_forward_right_passes_and_stub_is_not_attempted(capsys):
    assert lora_fine_tuning.check_lora_forward(forward_right) is True
    assert "✓" in capsys.readouterr().out
    assert lora_fine_tuning.check_lora_forward(stub) is None
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("mistake", FORWARD_MISTAKES)
def test_lora_forward_mistakes_fail_with_their_hint(mistake, capsys):
    forward_wrong, hint = FORWARD_MISTAKES[mistake]
    assert lora_fine_tuning.check_lora_forward(forward_wrong) is False
    assert hint in capsys.readouterr().out


def test_the_reference_is_peft_and_the_course_layer_agrees():
    """The check's peft layer computes what ``LoRALinear`` computes, with B random (not zero)."""
    peft_model = lora_fine_tuning._peft_lora_model(12, 10, 4, 8, seed=0)
    weight, bias, lora_A, lora_B = lora_fine_tuning._layer_tensors(peft_model)
    assert torch.count_nonzero(lora_B) == lora_B.numel()
    mine = low_rank.LoRALinear(nn.Linear(12, 10), rank=4, alpha=8)
    with torch.no_grad():
        for mine_tensor, theirs in zip((mine.base_layer.weight, mine.base_layer.bias, mine.lora_A, mine.lora_B),
                                       (weight, bias, lora_A, lora_B)):
            mine_tensor.copy_(theirs)
        x = torch.randn(3, 12)
        torch.testing.assert_close(mine(x), peft_model.base_model.model["proj"](x))
        torch.testing.assert_close(forward_right(x, weight, bias, lora_A, lora_B, 8), mine(x))


# --- the parameter count: r · (in + out) per targeted layer -----------------------------------

def count_right(model, target_names, rank):
    return low_rank.count_lora_parameters(model, target_names, rank)


def count_by_hand(model, target_names, rank, per_layer=lambda layer, r: r * (layer.in_features + layer.out_features),
                  matches=lambda name, target: name.endswith("." + target)):
    return sum(per_layer(layer, rank) for name, layer in model.named_modules()
               if isinstance(layer, nn.Linear) and any(matches(name, t) for t in target_names))


COUNT_MISTAKES = {
    "full matrix": (lambda m, t, r: count_by_hand(m, t, r, lambda layer, r: r * layer.in_features * layer.out_features),
                    "full matrix"),
    "only A": (lambda m, t, r: count_by_hand(m, t, r, lambda layer, r: r * layer.in_features), "lora_A (r × in_features) only"),
    "only B": (lambda m, t, r: count_by_hand(m, t, r, lambda layer, r: r * layer.out_features), "lora_B (out_features × r) only"),
    "last part of the name": (lambda m, t, r: count_by_hand(m, t, r, matches=lambda name, t: name.split(".")[-1] == t),
                              "name.endswith('.' + target)"),
    "one target": (lambda m, t, r: count_by_hand(m, t[:1], r), "only some of target_names"),
    "rank written down": (lambda m, t, r: count_by_hand(m, t, 4), "count for rank 4: use the rank argument"),
}


def test_lora_parameter_count_right_passes_and_stub_is_not_attempted(capsys):
    assert lora_fine_tuning.check_lora_parameter_count(count_right) is True
    assert lora_fine_tuning.check_lora_parameter_count(lambda m, t, r: torch.tensor(count_right(m, t, r))) is True
    assert lora_fine_tuning.check_lora_parameter_count(stub) is None
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("mistake", COUNT_MISTAKES)
def test_lora_parameter_count_mistakes_fail_with_their_hint(mistake, capsys):
    count_wrong, hint = COUNT_MISTAKES[mistake]
    assert lora_fine_tuning.check_lora_parameter_count(count_wrong) is False
    assert hint in capsys.readouterr().out


def test_a_count_that_is_not_a_whole_number_is_explained(capsys):
    assert lora_fine_tuning.check_lora_parameter_count(lambda m, t, r: float(count_right(m, t, r))) is False
    assert "whole number" in capsys.readouterr().out


# --- merging: W0 + (α/r) · B A --------------------------------------------------------------

def merge_right(weight, lora_A, lora_B, alpha, rank):
    return weight + (alpha / rank) * lora_B @ lora_A


MERGE_MISTAKES = {
    "no scaling": (lambda w, A, B, alpha, r: w + B @ A, "alpha / rank"),
    "α alone": (lambda w, A, B, alpha, r: w + alpha * B @ A, "not α alone"),
    "r/α": (lambda w, A, B, alpha, r: w + r / alpha * B @ A, "upside down"),
    "ΔW alone": (lambda w, A, B, alpha, r: alpha / r * B @ A, "W0 + ΔW"),
    "A·B": (lambda w, A, B, alpha, r: w + alpha / r * A @ B, "lora_B @ lora_A"),
    "transposed": (lambda w, A, B, alpha, r: (w + alpha / r * B @ A).T, "transpose"),
}


def test_lora_merge_right_passes_and_stub_is_not_attempted(capsys):
    assert lora_fine_tuning.check_lora_merge(merge_right) is True
    assert lora_fine_tuning.check_lora_merge(stub) is None
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("mistake", MERGE_MISTAKES)
def test_lora_merge_mistakes_fail_with_their_hint(mistake, capsys):
    merge_wrong, hint = MERGE_MISTAKES[mistake]
    assert lora_fine_tuning.check_lora_merge(merge_wrong) is False
    assert hint in capsys.readouterr().out


def test_a_learner_writing_into_the_weight_in_place_still_passes():
    def merge_in_place(weight, lora_A, lora_B, alpha, rank):
        weight += (alpha / rank) * lora_B @ lora_A
        return weight

    assert lora_fine_tuning.check_lora_merge(merge_in_place) is True


def test_the_checks_leave_the_notebooks_random_numbers_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    lora_fine_tuning.check_lora_forward(forward_right)
    lora_fine_tuning.check_lora_merge(merge_right)
    assert torch.equal(torch.rand(3), expected)
