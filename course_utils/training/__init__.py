"""The course's one resumable training loop, its checkpoints, and seeding.

Nothing is imported here; import a module, e.g. ``from course_utils.training import checkpoints``.
"""

__all__ = ["checkpoints", "loop", "seeding"]
