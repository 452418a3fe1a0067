"""The miniature Stable Diffusion trained by the course (notebook 06): its CLIP, VAE, the latent
table its UNet trains on, the text-conditioned UNet, and the real CLIP tokenizer's files.

Nothing is imported here; import a module, e.g. ``from course_utils.mini_sd import mini_clip``.
"""

__all__ = ["latent_table", "mini_clip", "mini_vae", "text_unet", "tokenizer"]
