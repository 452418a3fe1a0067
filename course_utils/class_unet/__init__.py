"""Notebook 02's class-conditioned UNet: its recipes, its training, and sampling it with guidance on labels.

Nothing is imported here; import a module, e.g. ``from course_utils.class_unet import recipes``.
"""

__all__ = ["recipes", "sampling", "training"]
