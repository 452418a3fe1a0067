"""LoRA (notebook 07): fine-tuning a frozen model through small low-rank updates of its weights,
written by hand and shown to equal peft's.

Nothing is imported here; import a module, e.g. ``from course_utils.lora import low_rank``.
"""

__all__ = ["low_rank"]
