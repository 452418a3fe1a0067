"""The miniature Stable Diffusion trained by the course (notebook 06): its CLIP, VAE, the latent
table its UNet trains on, the text-conditioned UNet, the real CLIP tokenizer's files, and the same
parts trained on a learner's own captioned pictures.

Nothing is imported here; import a module, e.g. ``from course_utils.mini_sd import mini_clip``.
"""

__all__ = ["latent_table", "mini_clip", "mini_vae", "own_pictures", "text_unet", "tokenizer"]
