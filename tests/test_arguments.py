"""course_utils.arguments: numpy numbers pass as numbers; bools, strings and non-finite values do not."""

import math

import numpy as np
import pytest
import torch

from course_utils.arguments import finite_real, whole_number


@pytest.mark.parametrize("value, expected", [(3, 3), (np.int64(7), 7), (torch.tensor(5), 5), (np.uint8(2), 2)])
def test_whole_numbers_come_back_as_python_ints(value, expected):
    got = whole_number(value)
    assert got == expected and type(got) is int


@pytest.mark.parametrize("value", [True, np.bool_(False), 3.0, "3", None, torch.tensor(1.5), [1]])
def test_what_is_not_a_whole_number_gives_none(value):
    assert whole_number(value) is None


@pytest.mark.parametrize("value, expected", [(0.5, 0.5), (np.float32(0.25), 0.25), (2, 2.0), (np.int64(3), 3.0)])
def test_finite_reals_come_back_as_python_floats(value, expected):
    got = finite_real(value)
    assert got == expected and type(got) is float


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, np.float64("nan"), True, "1e-3", 10**400, None])
def test_what_is_not_a_finite_real_gives_none(value):
    assert finite_real(value) is None
