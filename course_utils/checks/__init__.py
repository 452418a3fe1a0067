"""Self-checking exercises, one module per notebook; each check prints a verdict (``verdicts``).

Nothing is imported here; import a module, e.g. ``from course_utils.checks import cfg_sampling_loop``.
"""

__all__ = ["cfg_sampling_loop", "class_conditioned_unet", "noise_schedules", "tokens_and_text_embeddings",
           "lora_fine_tuning", "train_your_own_sd", "vae_latent_space", "verdicts"]
