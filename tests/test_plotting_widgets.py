import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from course_utils import plotting  # noqa: E402
from course_utils import widgets as course_widgets  # noqa: E402


def test_to_numpy_maps_ranges():
    assert plotting.to_numpy_image(torch.full((3, 2, 2), -1.0)).max() == 0.0
    assert plotting.to_numpy_image(torch.ones(1, 2, 2)).shape == (2, 2)
    pil = Image.new("RGB", (4, 4), (255, 0, 0))
    assert plotting.to_numpy_image(pil)[0, 0].tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="shape"):
        plotting.to_numpy_image(np.zeros((2, 2, 2, 2, 2)))


def test_show_images_grid_and_titles():
    fig = plotting.image_grid(torch.rand(5, 3, 8, 8), titles=list("abcde"), ncols=3)
    assert len(fig.axes) == 6 and fig.axes[0].get_title() == "a"
    assert plotting.show_images([Image.new("L", (8, 8))]) is None
    with pytest.raises(ValueError, match="titles"):
        plotting.show_images(torch.rand(2, 1, 8, 8), titles=["x"])


def test_explore_static_fallback_calls_each_setting(monkeypatch):
    monkeypatch.setenv("COURSE_WIDGETS", "static")
    seen = []
    panel = course_widgets.explore(lambda t, kind: seen.append((t, kind)),
                                   [{"t": 0}, {"t": 999, "kind": "linear"}],
                                   t=widgets.IntSlider(value=5, min=0, max=999),
                                   kind=widgets.Dropdown(options=["cosine", "linear"]))
    assert isinstance(panel, widgets.interactive)
    assert (0, "cosine") in seen and (999, "linear") in seen


def test_explore_rejects_unknown_settings(monkeypatch):
    monkeypatch.setenv("COURSE_WIDGETS", "static")
    with pytest.raises(ValueError, match="not controls"):
        course_widgets.explore(lambda t: None, [{"s": 1}], t=widgets.IntSlider())
    monkeypatch.setenv("COURSE_WIDGETS", "sometimes")
    with pytest.raises(ValueError, match="live"):
        course_widgets.widgets_enabled()


class _Shell:
    """Stands in for IPython's shell: a notebook kernel's has a ``kernel``, a terminal IPython's has none."""

    def __init__(self, kernel):
        self.kernel = kernel


def _explore_live(monkeypatch, shell="real"):
    import IPython

    monkeypatch.setenv("COURSE_WIDGETS", "live")
    if shell == "real":  # pytest runs in plain python: IPython's own answer, no stand-in
        assert IPython.get_ipython() is None
    else:
        monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    shown, seen = [], []
    monkeypatch.setattr(course_widgets, "display", shown.append)
    panel = course_widgets.explore(lambda t: seen.append(t), [{"t": 1}, {"t": 2}], t=widgets.IntSlider(value=5))
    return panel, shown, seen


@pytest.mark.parametrize("shell", ["real", _Shell(kernel=None)], ids=["plain python", "terminal IPython"])
def test_explore_without_a_notebook_kernel_falls_back_to_static(monkeypatch, capsys, shell):
    panel, shown, seen = _explore_live(monkeypatch, shell)
    assert shown == []  # no widget repr such as "interactive(children=(...": nothing could show it
    assert seen[-2:] == [1, 2]
    out = capsys.readouterr().out
    assert "Static view (no notebook kernel to show widgets; run this in Jupyter or Colab" in out
    assert "interactive(" not in out and isinstance(panel, widgets.interactive)


def test_explore_in_a_notebook_kernel_shows_the_live_widget(monkeypatch):
    panel, shown, seen = _explore_live(monkeypatch, _Shell(kernel=object()))
    assert shown == [panel]
    assert seen == [5]  # only the widget's own first call, with the slider's value: no static settings

