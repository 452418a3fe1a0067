"""Turn the failures learners actually meet into messages that name the fix."""

from __future__ import annotations

import contextlib

import torch

from course_utils.config import MINI_HINT, HubUnreachableError


class GatedModelError(RuntimeError):
    """The hub refused a download because the model needs accepted terms or a login."""


class CourseOutOfMemoryError(RuntimeError):
    """The accelerator ran out of memory; the message lists what to turn down."""


OOM_ADVICE = (
    "The GPU ran out of memory. Fixes, cheapest first: (1) restart the runtime to free memory "
    "held by earlier cells; (2) use fp16 (`dtype=torch.float16`, the default on cuda); "
    "(3) call `pipe.enable_attention_slicing()`; (4) generate fewer images at once or at a "
    "smaller height/width (multiples of 8); (5) in Colab, check Runtime > Change runtime type "
    "shows a GPU."
)


@contextlib.contextmanager
def hub_errors(repo_id: str):
    """Re-raise hub failures (offline, gated, missing) as errors that say what to do."""
    from huggingface_hub.errors import (
        GatedRepoError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
    )

    try:
        yield
    except GatedRepoError as err:
        raise GatedModelError(
            f"{repo_id} is gated: open https://huggingface.co/{repo_id} while logged in, accept "
            "its terms, then log in here with `from huggingface_hub import login; login()` "
            "(or set HF_TOKEN). " + MINI_HINT
        ) from err
    except RepositoryNotFoundError as err:
        raise RuntimeError(
            f"{repo_id} was not found on the hub (or needs a login). Check the id in "
            "course_utils/config.py and your HF_TOKEN."
        ) from err
    except (LocalEntryNotFoundError, OfflineModeIsEnabled, ConnectionError) as err:
        raise HubUnreachableError(
            f"Could not download {repo_id}: the hub is unreachable and it is not cached. "
            + MINI_HINT
        ) from err


@contextlib.contextmanager
def explain_oom():
    """Catch a CUDA/MPS out-of-memory error and raise one that says how to fix it."""
    try:
        yield
    except torch.OutOfMemoryError as err:
        raise CourseOutOfMemoryError(OOM_ADVICE) from err
    except RuntimeError as err:  # MPS and older builds raise a plain RuntimeError
        if "out of memory" not in str(err).lower():
            raise
        raise CourseOutOfMemoryError(OOM_ADVICE) from err
