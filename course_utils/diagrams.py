"""Diagrams the notebooks draw, one function per diagram; each returns its figure (not shown).

Text is set at ``FONT_SIZE`` points or more, large enough to read in a printed handout.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

FONT_SIZE = 12  # box labels; row titles are one point larger
ROW_WIDTH, ROW_HEIGHT = 10.0, 2.0  # a row of boxes, in its axes' data units
BOX_WIDTH, BOX_HEIGHT = 1.6, 1.0  # one box, in the same units


def draw_flow(ax, title: str, labels: list[str], colour: str) -> list[FancyBboxPatch]:
    """Draw ``labels`` as boxes spaced evenly from left to right, joined by arrows; return the boxes."""
    ax.set_xlim(0, ROW_WIDTH)
    ax.set_ylim(0, ROW_HEIGHT)
    ax.axis("off")
    ax.set_title(title, loc="left", fontsize=FONT_SIZE + 1)
    pitch = ROW_WIDTH / len(labels)  # distance between box centres
    middle = ROW_HEIGHT / 2
    boxes = []
    for i, label in enumerate(labels):
        centre = pitch * (i + 0.5)
        box = FancyBboxPatch((centre - BOX_WIDTH / 2, middle - BOX_HEIGHT / 2), BOX_WIDTH, BOX_HEIGHT,
                             boxstyle="round,pad=0.05", fc=colour, ec="k")
        ax.add_patch(box)
        ax.text(centre, middle, label, ha="center", va="center", fontsize=FONT_SIZE)
        if i:  # an arrow from the previous box's right edge to this box's left edge
            ax.annotate("", xy=(centre - BOX_WIDTH / 2 - 0.06, middle),
                        xytext=(centre - pitch + BOX_WIDTH / 2 + 0.06, middle), arrowprops=dict(arrowstyle="->", lw=1.5))
        boxes.append(box)
    return boxes


def stable_diffusion_flows(num_inference_steps: int):
    """Stable Diffusion's two flows as one figure: training (top row) and sampling (bottom row).

    Training encodes an image, noises its latent at a random timestep and scores the UNet's noise
    prediction; sampling starts from a Gaussian-noise latent (in place of x_T, which for SD v1 still
    holds a trace of the image), loops UNet + scheduler, then decodes.

    Args:
        num_inference_steps: how many times the sampling loop runs; shown in the bottom row.
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 4.2))
    draw_flow(top, "Training: learn to predict the noise that was added", [
        "image", "VAE encoder\n→ latent x₀", "add noise ε\nat random t", "UNet(xₜ, t, text)\n→ ε̂", "loss\n‖ε − ε̂‖²"],
        "#cde4f7")
    draw_flow(bottom, f"Sampling: start from noise, remove a little at each of {num_inference_steps} steps", [
        "prompt → CLIP\ntext encoder", "Gaussian noise\n(in place of x_T)",
        f"UNet + scheduler\n(loop ×{num_inference_steps})",
        "clean latent\nx₀", "VAE decoder\n→ image"], "#f7e3cd")
    fig.tight_layout()
    return fig
