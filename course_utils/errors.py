"""The course's errors: the failures learners actually meet, turned into messages that name the fix."""

from __future__ import annotations

import contextlib

import torch

MINI_HINT = (
    "To run the course offline on the shipped miniature Stable Diffusion, set the environment "
    "variable before importing course_utils, e.g. `import os; os.environ['COURSE_MODE'] = 'mini'` "
    "(or `COURSE_MODE=mini jupyter lab`)."
)


class HubUnreachableError(RuntimeError):
    """Full mode was asked for, but the model hub cannot be reached and nothing is cached."""


class MissingWeightsError(FileNotFoundError):
    """A shipped model's or a checkpoint's files are missing."""


class DamagedFileError(RuntimeError):
    """A weights file, checkpoint or config exists but cannot be read (truncated, corrupt, not what it
    claims to be); the message names the file and how to get a good copy."""


class TrainingDivergedError(FloatingPointError):
    """The training loss became NaN or infinite; the message names the learning rate and dtype to lower."""


class GatedModelError(RuntimeError):
    """The hub refused a download because the model needs accepted terms or a login."""


class CourseOutOfMemoryError(RuntimeError):
    """The GPU or the computer's RAM ran out of memory; the message lists what to turn down."""


class DataFolderError(ValueError):
    """A learner's folder of captioned images cannot be read; the message names the file and the fix."""


OOM_ADVICE = (
    "The GPU ran out of memory. Fixes, cheapest first: (1) restart the runtime to free memory "
    "held by earlier cells; (2) use fp16 (`dtype=torch.float16`, the default on cuda); "
    "(3) call `pipe.enable_attention_slicing()`; (4) generate fewer images at once or at a "
    "smaller height/width (multiples of 8); (5) in Colab, check Runtime > Change runtime type "
    "shows a GPU."
)
CPU_OOM_ADVICE = (
    "The computer ran out of memory (RAM; this ran on the CPU). Fixes, cheapest first: (1) generate "
    "fewer images at once or at a smaller height/width (multiples of 8; SD v1 is made for 512×512): "
    "activations grow with height × width, attention with its square; (2) call "
    "`pipe.enable_attention_slicing()`; (3) restart the kernel or close other programs to free RAM; "
    "(4) use a GPU if you have one."
)
# How each device's allocator words it: CUDA/MPS "out of memory", torch's CPU allocator
# "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes".
OOM_MARKERS = ("out of memory", "can't allocate memory")


def _oom_message(err: BaseException, what: str, device) -> str:
    text = str(err)
    on_cpu = torch.device(device).type == "cpu" if device is not None else (
        "CPUAllocator" in text or isinstance(err, MemoryError))
    advice = CPU_OOM_ADVICE if on_cpu else OOM_ADVICE
    return (f"{what}: " if what else "") + advice + f" (The original error: {text.strip()[:200]})"


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
def explain_oom(what: str = "", device=None):
    """Catch an out-of-memory error (GPU or RAM) and raise one that says how to fix it.

    ``what`` describes the work (sizes, batch, dtype) and starts the message; ``device`` picks
    the GPU or the CPU advice (by default it is read from the error).
    """
    try:
        yield
    except (torch.OutOfMemoryError, MemoryError) as err:
        raise CourseOutOfMemoryError(_oom_message(err, what, device)) from err
    except RuntimeError as err:  # MPS, the CPU allocator and older builds raise a plain RuntimeError
        if not any(marker in str(err).lower() for marker in OOM_MARKERS):
            raise
        raise CourseOutOfMemoryError(_oom_message(err, what, device)) from err
