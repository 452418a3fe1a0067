"""Mode, device and dtype selection: the one place the course decides where it runs.

``COURSE_MODE`` picks between ``full`` (real SD v1.5 weights and Fashion-MNIST from the hub)
and ``mini`` (offline: a miniature Stable Diffusion with SD v1's design, trained by the course
on 4,500 of 5,000 real handwritten digits and shipped inside the package). ``smoke``, the offline mode's
former name, still works and means ``mini``. ``auto`` (the default) picks full on a GPU that can
reach the hub (or has SD v1.5 cached), else mini. Only the model ids, the data source and a few
sizes differ between modes, never the teaching code.

``COURSE_DEVICE`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``) and ``COURSE_DTYPE`` (``float32``,
``float16``, ``bfloat16``) override the device and dtype the course would pick, so a CPU can
rehearse what a GPU runs in float16 (``make test-dtypes``).
"""

from __future__ import annotations

import functools
import os
import sys
import urllib.request

import torch

from course_utils.errors import MINI_HINT, HubUnreachableError
from course_utils.i18n.lookup import language, t

# Model and dataset ids: these constants are the only place they are written.
SD_MODEL_ID = "stable-diffusion-v1-5/stable-diffusion-v1-5"
FASHION_MNIST_ID = "zalando-datasets/fashion_mnist"
CLIP_MODEL_ID = "openai/clip-vit-base-patch32"  # the full CLIP (both towers), for notebook 04

VALID_MODES = ("auto", "full", "mini", "smoke")
OLD_MODE_NAMES = {"smoke": "mini"}  # the offline mode was called smoke before it was trained

def in_colab() -> bool:
    return "google.colab" in sys.modules


def _requested_mode() -> str:
    mode = os.environ.get("COURSE_MODE", "auto").strip().lower() or "auto"
    if mode not in VALID_MODES:
        raise ValueError(
            f"COURSE_MODE={mode!r} is not a valid mode; use one of {', '.join(VALID_MODES)}."
        )
    return mode


def offline_requested() -> bool:
    """True when ``HF_HUB_OFFLINE=1`` asks the Hugging Face libraries never to use the network."""
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


@functools.lru_cache(maxsize=1)
def hub_reachable(timeout: float = 3.0) -> bool:
    """True when the model hub answers within ``timeout`` seconds (and offline mode is off)."""
    from huggingface_hub import constants

    if offline_requested():
        return False
    try:
        urllib.request.urlopen(constants.ENDPOINT, timeout=timeout)  # noqa: S310 (fixed https URL)
        return True
    except Exception:
        return False


def full_weights_cached() -> bool:
    """True when SD v1.5's files are already in the local Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    path = try_to_load_from_cache(SD_MODEL_ID, "unet/config.json")
    return isinstance(path, str)


def _resolve(mode: str) -> tuple[str, str]:
    """Return (resolved mode, reason) for a requested mode."""
    if mode in OLD_MODE_NAMES:
        return OLD_MODE_NAMES[mode], t("COURSE_MODE={mode}, the former name of {new}", mode=mode, new=OLD_MODE_NAMES[mode])
    if mode == "mini":
        return "mini", "COURSE_MODE=mini"
    if mode == "auto" and get_device().type == "cpu":  # SD v1.5 on a CPU: a 4 GB download, minutes per image
        return "mini", t("COURSE_MODE=auto and no GPU, so using mini mode; set COURSE_MODE=full to run SD v1.5 "
                         "on the CPU anyway")
    if full_weights_cached():
        return "full", t("COURSE_MODE={mode}, SD v1.5 weights found in the local cache", mode=mode)
    if hub_reachable():
        return "full", t("COURSE_MODE={mode}, model hub reachable", mode=mode)
    why = ("offline mode was asked for (HF_HUB_OFFLINE=1)" if offline_requested()
           else "the model hub is unreachable")
    if mode == "full":
        raise HubUnreachableError(
            "COURSE_MODE=full needs the Hugging Face hub (or SD v1.5 in the local cache), but "
            f"{why} and SD v1.5 is not cached. Check your internet connection, unset "
            "HF_HUB_OFFLINE, or switch to mini mode. " + MINI_HINT
        )
    why_here = t("offline mode was asked for (HF_HUB_OFFLINE=1)") if offline_requested() else t("the model hub is unreachable")
    return "mini", t("COURSE_MODE=auto and {why}, so using mini mode", why=why_here)


@functools.lru_cache(maxsize=None)
def _resolved(mode: str, lang: str = "en") -> tuple[str, str]:
    """``_resolve`` once per mode and language (the reason is text in the edition's language)."""
    return _resolve(mode)


def get_mode(mode: str | None = None) -> str:
    """Resolve ``mode`` (or ``COURSE_MODE``) to ``"full"`` or ``"mini"`` (``"smoke"`` is read as mini).

    ``auto`` (the default) means full on a GPU (``get_device()``, so ``COURSE_DEVICE`` counts) when the hub
    answers quickly or the weights are cached, else mini. Raises ``ValueError`` for an unknown name and ``HubUnreachableError`` when full
    mode is impossible.
    """
    if mode is None:
        mode = _requested_mode()
    elif mode not in VALID_MODES:
        raise ValueError(f"mode={mode!r} is not a valid mode; use one of {', '.join(VALID_MODES)}.")
    return _resolved(mode, language())[0]


def mode_reason(mode: str | None = None) -> str:
    return _resolved(mode or _requested_mode(), language())[1]


COLAB_GPU_HINT = "in Colab choose Runtime > Change runtime type > T4 GPU, then run the setup cell again"


def check_device(device, name: str = "device") -> torch.device:
    """``device`` as a ``torch.device``, checked to exist on this machine (before minutes of loading).

    ``name`` is what set it (``device``, ``COURSE_DEVICE``), for the message.
    """
    fix = ("unset it or set it to cpu" if name == "COURSE_DEVICE"
           else "leave it out (the course then picks one, or the one COURSE_DEVICE names) or pass 'cpu'")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"{name}={device!r} is not a device torch knows; use cpu, cuda, cuda:N or mps.") from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{name}={str(device)!r} but no CUDA GPU is visible here: {fix}; {COLAB_GPU_HINT}.")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise ValueError(f"{name}={str(device)!r} but this machine has {torch.cuda.device_count()} CUDA GPU(s), "
                         f"numbered from 0: {fix}.")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"{name}={str(device)!r} but MPS (Apple's GPU) is not available here: {fix}.")
    return device


def get_device() -> torch.device:
    """cuda → mps → cpu, or whatever ``COURSE_DEVICE`` names (e.g. ``cpu``, ``cuda:1``)."""
    wanted = os.environ.get("COURSE_DEVICE", "").strip()
    if wanted:
        return check_device(wanted, "COURSE_DEVICE")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def as_dtype(dtype) -> torch.dtype | None:
    """A ``torch.dtype`` (or None) as given; one of the names ``float32``, ``float16``, ``bfloat16`` as its dtype."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, str) and dtype.strip().lower() in DTYPES:
        return DTYPES[dtype.strip().lower()]
    raise ValueError(f"dtype={dtype!r} is not a dtype the course runs in; use one of {', '.join(map(repr, DTYPES))} "
                     "(or torch.float32, torch.float16, torch.bfloat16), or None for config.get_dtype().")


def _requested_dtype() -> torch.dtype | None:
    wanted = os.environ.get("COURSE_DTYPE", "").strip()
    if not wanted:
        return None
    if wanted.lower() not in DTYPES:
        raise ValueError(
            f"COURSE_DTYPE={wanted!r} is not a dtype the course runs in; use one of {', '.join(DTYPES)}, "
            "or unset it (float16 on a GPU, float32 elsewhere)."
        )
    return DTYPES[wanted.lower()]


def get_dtype(device: torch.device | str | None = None) -> torch.dtype:
    """fp16 on cuda (half the memory, tensor cores), fp32 everywhere else, or what ``COURSE_DTYPE`` names.

    The dtype the models are loaded in (``course_utils.sd.loading.load_pipeline``) and that training autocasts to
    (``train_loop``); ``float32`` means no autocast.
    """
    requested = _requested_dtype()
    if requested is not None:
        return requested
    device = torch.device(device) if device is not None else get_device()
    return torch.float16 if device.type == "cuda" else torch.float32


def dtype_reason() -> str:
    """Why ``get_dtype`` answers what it does, for the banner."""
    return t("set by COURSE_DTYPE") if _requested_dtype() is not None else t("the default: float16 on cuda, float32 elsewhere")


# The rounding a float16 or bfloat16 result adds when it is stored, in units of its own epsilon. Measured
# on the CPU (make test-dtypes, the notebooks' asserts): at most 2 for the same computation done twice;
# a slightly different input carried through a whole pipeline (encode, denoise, decode) reached 17.
LOW_PRECISION_ULPS = 8


def tolerance(like: torch.Tensor | torch.dtype | None = None, ulps: float = 100,
              low_precision_ulps: float = LOW_PRECISION_ULPS) -> dict[str, float]:
    """``dict(atol=..., rtol=...)`` for ``torch.allclose``: the gap rounding alone may open in this dtype.

    Two routes to the same number (by hand and the library, batched and one by one) round
    differently. The unit of rounding is a dtype's machine epsilon ε, the gap between 1 and the next
    number: float32 1.2e-7, float16 9.8e-4, bfloat16 7.8e-3. Arithmetic runs in float32 (or better)
    even for float16 and bfloat16 tensors, and a chain of operations accumulates ``ulps`` units of
    float32's ε; a float16 or bfloat16 result then rounds once more, ``low_precision_ulps`` of its own.
    ``like`` is the tensor (its dtype and device), the dtype computed in, or None for ``get_dtype()``.
    On a GPU whose float32 convolutions use TF32 (10 mantissa bits, cuDNN's default) float32 rounds like TF32.
    """
    if like is None or isinstance(like, torch.dtype):
        dtype, device = like or get_dtype(), None
    else:
        dtype, device = like.dtype, like.device
    if not dtype.is_floating_point:
        raise ValueError(f"tolerance() is for floating-point tensors; got {dtype}. Compare integers with torch.equal.")
    arithmetic = torch.float64 if dtype == torch.float64 else torch.float32
    eps = torch.finfo(arithmetic).eps
    if dtype == torch.float32 and device is not None and device.type == "cuda" and torch.backends.cudnn.allow_tf32:
        eps = 2.0**-10  # TF32
    tol = ulps * eps
    if dtype in (torch.float16, torch.bfloat16):
        tol += low_precision_ulps * torch.finfo(dtype).eps
    return {"atol": tol, "rtol": tol}


def library_versions() -> dict[str, str]:
    import importlib.metadata as md

    names = ["torch", "diffusers", "transformers", "datasets"]
    return {name: md.version(name) for name in names}


def outdated_libraries() -> list[str]:
    """Installed libraries older than this package's declared lower bounds (pyproject.toml)."""
    import importlib.metadata as md

    from packaging.requirements import Requirement

    try:
        requirements = md.requires("sd-step-by-step") or []
    except md.PackageNotFoundError:  # running from a checkout without `pip install -e .`
        return []
    problems = []
    for line in requirements:
        req = Requirement(line)
        if req.marker is not None:  # extras such as [dev]
            continue
        try:
            installed = md.version(req.name)
        except md.PackageNotFoundError:
            problems.append(f"{req.name} is not installed: run `pip install '{req}'`")
            continue
        if not req.specifier.contains(installed, prereleases=True):
            problems.append(
                f"{req.name} {installed} is older than the course needs ({req.specifier}): "
                f"run `pip install -U '{req}'` and restart the runtime"
            )
    return problems


def banner(mode: str | None = None) -> str:
    """Print (and return) one block saying mode, why, device, dtype and library versions.

    In a translated edition (``COURSE_LANG``) it also sets up that language's font for figures.
    """
    resolved = get_mode(mode)
    device = get_device()
    lines = [
        t("Course mode : {mode}  ({reason})", mode=resolved.upper(), reason=mode_reason(mode)),
        t("Device      : {device}", device=device) + ("" if device.type != "cpu" else t("  (no GPU found)")),
        t("Dtype       : {dtype}  ({reason})", dtype=str(get_dtype(device)).replace("torch.", ""), reason=dtype_reason()),
        t("Libraries   : ") + ", ".join(f"{k} {v}" for k, v in library_versions().items()),
    ]
    for problem in outdated_libraries():
        lines.append("OLD LIBRARY: " + problem)
    if device.type == "cpu" and in_colab():
        lines.append(t("No GPU: in Colab choose Runtime > Change runtime type > T4 GPU, then run this cell "
                       "again. Full mode on a CPU works but takes minutes per image."))
    if resolved == "mini":
        lines.append(t("MINI MODE: a miniature Stable Diffusion with SD v1's design (CLIP text encoder, VAE x8 "
                       "with 4 latent channels, UNet with cross-attention, 77-token prompts), trained by this "
                       "course on 4,500 of 5,000 real handwritten digits (MNIST; the other 500 are kept for "
                       "testing) and shipped with it. It draws 64x64 "
                       "digits in an ink colour on a background colour (\"a red seven on a blue background\"), "
                       "not photos; notebook 02 uses the same digits, white on black, in place of Fashion-MNIST."))
    text = "\n".join(lines)
    print(text)
    from course_utils.i18n.fonts import use_edition_font

    use_edition_font(language())  # the Chinese edition: Chinese glyphs in figures, a missing one an error
    return text
