"""The diffusion process itself (notebooks 01–02): noise schedules and the training objective.

Nothing is imported here; import a module, e.g. ``from course_utils.diffusion import objectives``.
"""

__all__ = ["objectives", "schedules"]
