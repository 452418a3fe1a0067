"""LoRA (notebook 07): fine-tuning a frozen model through small low-rank updates of its weights,
written by hand and shown to equal peft's (``low_rank``), trained on a UNet with peft (``training``) to teach
the mini SD a new colour (``concept_data``), measured with the colour judge plus that colour (``concept_judge``).

Nothing is imported here; import a module, e.g. ``from course_utils.lora import low_rank``.
"""

__all__ = ["concept_data", "concept_judge", "low_rank", "training"]
