"""The shared package of the notebook course "Stable Diffusion, step by step", one folder per part.

Top level: ``config`` (mode, device, dtype), ``errors``, ``cache``, ``plotting``, ``widgets``,
``evaluation`` (the judges) and ``pretrained`` (the shipped weights). Folders: ``data``,
``diffusion`` (01–02), ``class_unet`` (02), ``sd`` (03–05), ``mini_sd`` (06), ``training`` (the
shared loop) and ``checks`` (the exercises). Importing the package imports none of them.
"""

__version__ = "0.1.0"
__all__ = ["arguments", "cache", "checks", "class_unet", "colour_judge", "config", "data", "diagrams", "diffusion", "errors", "evaluation", "mini_sd",
           "plotting", "pretrained", "sd", "training", "widgets"]

# Two harmless library notices, silenced as soon as the course is imported: (1) without torchvision
# (the course needs none, and there is no CPU build of it for every machine) transformers uses
# its PIL image processors and says so; (2) diffusers warns on `.to(dtype)` for models that keep
# no module in float32 (its list is empty: "should be kept in float32: []").
_HARMLESS = ("requires torchvision (not installed)", "should be kept in float32: []")


def _drop_harmless_notices() -> None:
    import logging

    for name in ("transformers", "diffusers"):
        for handler in logging.getLogger(name).handlers:
            handler.addFilter(lambda record: not any(text in record.getMessage() for text in _HARMLESS))


def _follow_the_hubs_progress_bar_switch() -> None:
    """HF_HUB_DISABLE_PROGRESS_BARS=1 (set by `make course`) silences transformers' and the hub's
    bars; diffusers has no such switch, so its "Loading pipeline components..." bar is turned off here."""
    import os

    if os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS", "").strip().upper() in {"1", "ON", "YES", "TRUE"}:
        _diffusers_logging.disable_progress_bar()


try:
    from diffusers.utils import logging as _diffusers_logging
    from transformers.utils import logging as _transformers_logging

    _transformers_logging.get_logger(), _diffusers_logging.get_logger()  # make sure their handlers exist
    _drop_harmless_notices()
    _follow_the_hubs_progress_bar_switch()
except ImportError:  # pragma: no cover - the libraries are dependencies; keep `import course_utils` working
    pass
