"""Sampling loops: class-conditioned sampling (notebook 02) and the annotated CFG loop (05)."""

from course_utils.class_sampling import sample_class_conditioned  # noqa: F401  (notebook 02)
