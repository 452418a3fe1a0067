"""Interactive controls with a static fallback.

In Jupyter or Colab a learner gets live ipywidgets. When no one can move a slider (notebooks
executed by nbval or ``make course``, or ``COURSE_WIDGETS=static``), or when nothing could show
them (plain ``python``, a terminal IPython: no notebook kernel), the same function is called for a
few fixed settings instead, so the HTML handouts still show what the widget would.
"""

from __future__ import annotations

import os

import ipywidgets as widgets
from IPython.display import display

from course_utils.i18n.lookup import t


def widgets_enabled() -> bool:
    """False when ``COURSE_WIDGETS=static`` (set by `make test` / `make course`)."""
    value = os.environ.get("COURSE_WIDGETS", "live").strip().lower()
    if value not in ("live", "static"):
        raise ValueError(f"COURSE_WIDGETS={value!r}: use 'live' or 'static'.")
    return value == "live"


def kernel_can_show_widgets() -> bool:
    """True inside a running notebook kernel (Jupyter, Colab, VS Code); False in plain python or terminal IPython."""
    from IPython import get_ipython

    shell = get_ipython()  # None outside IPython
    return shell is not None and getattr(shell, "kernel", None) is not None  # a terminal IPython has no kernel


def explore(fn, static_settings: list[dict], **controls):
    """Show ``fn`` under live ``controls``, or call it once per entry of ``static_settings``.

    ``controls`` are ipywidgets (or anything ``ipywidgets.interactive`` accepts);
    ``static_settings`` lists keyword arguments for the fallback, e.g. ``[{"t": 0}, {"t": 500}]``.
    Without a notebook kernel to display widgets (plain python), it falls back to the static settings.
    Returns the ``ipywidgets.interactive`` object (built in both cases, so it is always tested).
    """
    if not static_settings:
        raise ValueError("explore needs at least one static setting for the fallback.")
    unknown = {k for s in static_settings for k in s} - set(controls)
    if unknown:
        raise ValueError(f"static_settings name {sorted(unknown)}, which are not controls {sorted(controls)}.")
    panel = widgets.interactive(fn, **controls)
    live = widgets_enabled()
    if live and kernel_can_show_widgets():
        display(panel)
    else:
        why = (t("no notebook kernel to show widgets; run this in Jupyter or Colab to move the controls") if live
               else t("widgets off"))
        print(t("Static view ({why}): showing {n} fixed settings.", why=why, n=len(static_settings)))
        defaults = {k: w.value for k, w in zip(controls, panel.children) if hasattr(w, "value")}
        for setting in static_settings:
            fn(**{**defaults, **setting})
    return panel
