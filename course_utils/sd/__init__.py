"""Stable Diffusion v1's parts as the course takes them apart (notebooks 03–05): loading, the architecture,
latents, text, cross-attention maps, and the sampling loop written out.

Nothing is imported here; import a module, e.g. ``from course_utils.sd import adherence``.
"""

__all__ = ["adherence", "architecture", "attention_maps", "composition", "generate", "img2img", "inputs", "latents", "loading", "text"]
