"""How an exercise check turns the learner's attempt into a verdict (used by every ``checks_*`` module).

Every ``check_*`` returns True (correct), False (wrong, with a hint) or None (not attempted: the
stub still raises ``NotImplementedError``), and never raises, so an unfinished exercise cannot
stop the notebook.
"""

from __future__ import annotations

import torch

from course_utils.i18n.lookup import t


def run_check(name: str, test) -> bool | None:
    """Call ``test()``; turn its outcome into a friendly verdict."""
    try:
        test()
    except NotImplementedError:
        print(t("… {name}: not attempted yet. Fill in the function above and run this cell again.", name=name))
        return None
    except AssertionError as err:
        print(t("✗ {name}: not quite. {hint}", name=name, hint=err))
        return False
    except Exception as err:  # the learner's code crashed: show why, do not stop the notebook
        print(t("✗ {name}: your function raised {error}: {message}", name=name, error=type(err).__name__, message=err))
        return False
    print(t("✓ {name}: correct. Well done!", name=name))
    return True


def assert_close(got, expected, what: str, atol: float = 1e-5) -> None:
    """Assert two tensors match in shape and value, with a message a learner can act on.

    ``what`` names the tensor in the learner's words; pass it through ``t()`` too (it begins the message).
    """
    assert isinstance(got, torch.Tensor), t("{what} should be a torch.Tensor, got {type}.", what=what,
                                            type=type(got).__name__)
    assert got.shape == expected.shape, t("{what} has shape {shape}, expected {expected}.", what=what,
                                          shape=tuple(got.shape), expected=tuple(expected.shape))
    diff = (got.float() - expected.float()).abs().max().item()
    assert diff <= atol, t("{what} differs from the library by up to {diff:.3g} (allowed {atol:g}).", what=what,
                           diff=diff, atol=atol)


def matches(got, expected, atol: float = 1e-5) -> bool:
    """True when ``got`` is a tensor of ``expected``'s shape and values: used to recognise a typical mistake."""
    return (isinstance(got, torch.Tensor) and got.shape == expected.shape
            and (got.float() - expected.float()).abs().max().item() <= atol)
