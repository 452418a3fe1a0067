"""Shared helpers for the "Stable Diffusion, step by step" notebooks.

One module per concept: ``config`` (mode, device, dtype), ``models`` (pipeline and tokenizer),
``data`` (Fashion-MNIST and the sample photo), ``schedules`` (betas and the closed-form noising),
``plotting``, ``widgets``, ``checks`` (self-checking exercises) and ``sampling``.
"""

__version__ = "0.1.0"
