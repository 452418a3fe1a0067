"""The language the course prints and draws in: English, or a translated edition's (``COURSE_LANG``).

Nothing is imported here; import a module, e.g. ``from course_utils.i18n.lookup import t``.
"""

__all__ = ["lookup", "zh"]
