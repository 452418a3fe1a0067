"""Numbers as the course accepts them in arguments: Python's and numpy's alike, never a bool or a string.

A learner's ``batch_size`` may come out of numpy (``np.int64(32)``) and a guidance scale out of a
numpy array; both are fine. ``True`` is an int to Python but never a step count, and ``"32"`` is
text: callers turn a ``None`` from here into an error that names the fix.
"""

from __future__ import annotations

import math
import numbers
import operator


def whole_number(value) -> int | None:
    """``value`` as a Python int when it is an integer (int, numpy or 0-d torch integer); else None."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # Python's and numpy's booleans
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def finite_real(value) -> float | None:
    """``value`` as a Python float when it is a finite real number (numpy's too); else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        value = float(value)
    except OverflowError:  # an int beyond float's range
        return None
    return value if math.isfinite(value) else None
