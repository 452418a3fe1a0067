import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from matplotlib.text import Annotation, Text  # noqa: E402

from course_utils import diagrams  # noqa: E402

TRAINING = ["image", "VAE encoder\n→ latent x₀", "add noise ε\nat random t", "UNet(xₜ, t, text)\n→ ε̂", "loss\n‖ε − ε̂‖²"]
SAMPLING = ["prompt → CLIP\ntext encoder", "Gaussian noise\n(in place of x_T)", "UNet + scheduler\n(loop ×37)", "clean latent\nx₀",
            "VAE decoder\n→ image"]


@pytest.fixture
def flows():
    fig = diagrams.stable_diffusion_flows(37)
    fig.canvas.draw()  # lay the text out, so its size on the page can be measured
    yield fig
    plt.close(fig)


def labels_of(ax):
    """The boxes' text objects, left to right (the arrows are annotations without text)."""
    return [text for text in ax.texts if not isinstance(text, Annotation)]


def box_labels(ax):
    return [text.get_text() for text in labels_of(ax)]


def test_both_flows_carry_their_labels_in_order(flows):
    top, bottom = flows.axes
    assert box_labels(top) == TRAINING
    assert box_labels(bottom) == SAMPLING
    assert top.get_title(loc="left").startswith("Training")
    assert bottom.get_title(loc="left") == "Sampling: start from noise, remove a little at each of 37 steps"


def test_every_text_is_large_enough_to_read_in_a_handout(flows):
    assert not any(ax.axison for ax in flows.axes)  # no ticks or tick labels are drawn
    hidden = {id(t) for ax in flows.axes for axis in (ax.xaxis, ax.yaxis) for t in axis.findobj(Text)}
    texts = [t for t in flows.findobj(Text) if t.get_text() and id(t) not in hidden]  # all text on the page
    assert len(texts) == 12  # ten box labels, two row titles
    assert min(t.get_fontsize() for t in texts) >= 11


def test_each_label_fits_inside_its_box_and_boxes_are_joined_by_arrows(flows):
    renderer = flows.canvas.get_renderer()
    for ax in flows.axes:
        boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
        assert len(boxes) == len(labels_of(ax)) == 5
        for box, text in zip(boxes, labels_of(ax)):
            inside, outside = text.get_window_extent(renderer), box.get_window_extent(renderer)
            assert outside.x0 < inside.x0 and inside.x1 < outside.x1, text.get_text()
            assert outside.y0 < inside.y0 and inside.y1 < outside.y1, text.get_text()
        arrows = [child for child in ax.texts if isinstance(child, Annotation) and child.arrow_patch is not None]
        assert len(arrows) == 4


def test_draw_flow_spaces_any_number_of_boxes():
    fig, ax = plt.subplots()
    boxes = diagrams.draw_flow(ax, "three", ["a", "b", "c"], "white")
    centres = [box.get_x() + box.get_width() / 2 for box in boxes]
    assert centres == pytest.approx([diagrams.ROW_WIDTH * (i + 0.5) / 3 for i in range(3)])
    assert ax.get_title(loc="left") == "three"
    plt.close(fig)
