"""Model configs and training settings for the class-conditioned UNet of notebook 02.

Three recipes, one home: ``course`` (full mode, sized for a free Colab T4), ``course_smoke``
(the same design shrunk so CI runs it on a CPU in seconds) and ``book`` (the recipe of the
book chapter this course follows, trained by ``benchmarks/class_conditioned.py`` for
comparison).

Class ids: the 10 clothing classes are 0..9. Course models have ``num_class_embeds = 11``: id
``NULL_CLASS = 10`` means "no label". Training swaps a label for it with probability
``label_dropout``, so one model also learns unconditional denoising, which classifier-free
guidance needs. The book's model has ``num_class_embeds = 10`` and no null class.
"""

from __future__ import annotations

import dataclasses

import torch

NUM_CLASSES = 10
NULL_CLASS = NUM_CLASSES  # the extra class id meaning "no label"
IMAGE_SIZE = 32  # Fashion-MNIST's 28×28, padded by 2 pixels on each side
SAMPLERS = ("ddpm", "ddim")


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A UNet config plus how to train it and how to sample from it."""

    name: str
    unet: dict  # keyword arguments for diffusers.UNet2DModel
    beta_schedule: str  # DDPMScheduler's beta_schedule for training
    batch_size: int
    num_steps: int
    learning_rate: float
    label_dropout: float  # probability a training label becomes NULL_CLASS
    sampler: str  # "ddpm" or "ddim"
    num_inference_steps: int
    guidance_scale: float  # 1.0 = no guidance
    note: str = ""

    def build_unet(self, seed: int = 0):
        """A freshly initialised ``UNet2DModel`` (the same weights for the same seed)."""
        from diffusers import UNet2DModel

        with torch.random.fork_rng(devices=[]):  # do not disturb the caller's random numbers
            torch.manual_seed(seed)
            return UNet2DModel(**self.unet)

    def make_noise_scheduler(self):
        """The training scheduler: ``DDPMScheduler`` with 1000 steps and this recipe's betas."""
        from diffusers import DDPMScheduler

        return DDPMScheduler(num_train_timesteps=1000, beta_schedule=self.beta_schedule)

    def make_sampler(self, kind: str | None = None):
        """A sampling scheduler (DDPM or DDIM) sharing the training scheduler's betas."""
        from diffusers import DDIMScheduler, DDPMScheduler

        kind = kind or self.sampler
        if kind not in SAMPLERS:
            raise ValueError(f"sampler {kind!r} is not known here; use one of {SAMPLERS}.")
        cls = DDIMScheduler if kind == "ddim" else DDPMScheduler
        return cls.from_config(self.make_noise_scheduler().config)


def _unet(block_out_channels, down_block_types, up_block_types, layers_per_block, norm_num_groups,
          num_class_embeds=NUM_CLASSES + 1, add_attention=True) -> dict:
    return dict(
        sample_size=IMAGE_SIZE, in_channels=1, out_channels=1,
        block_out_channels=tuple(block_out_channels), down_block_types=tuple(down_block_types),
        up_block_types=tuple(up_block_types), layers_per_block=layers_per_block,
        norm_num_groups=norm_num_groups, num_class_embeds=num_class_embeds, add_attention=add_attention,
    )


RECIPES = {
    # Full mode. Self-attention only at the 8×8 level (64 positions), where it is cheap; a
    # cosine schedule; a larger learning rate than the book's; DDIM with 50 steps and guidance.
    # Intended for ~10 minutes on a free Colab T4 with fp16 autocast. UNMEASURED on a T4 so far:
    # see the README's performance section for what has been measured.
    "course": Recipe(
        name="course",
        unet=_unet((32, 64, 128), ("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
                   ("AttnUpBlock2D", "UpBlock2D", "UpBlock2D"), layers_per_block=2, norm_num_groups=8),
        beta_schedule="squaredcos_cap_v2", batch_size=128, num_steps=6000, learning_rate=1e-3,
        label_dropout=0.1, sampler="ddim", num_inference_steps=50, guidance_scale=2.0,
        note="course recipe (full mode; T4 time and accuracy unmeasured)",
    ),
    # Smoke mode (CI on a CPU): the same kind of model, shrunk (no attention at all); it learns
    # little in so few steps.
    "course_smoke": Recipe(
        name="course_smoke",
        unet=_unet((8, 16), ("DownBlock2D", "DownBlock2D"), ("UpBlock2D", "UpBlock2D"),
                   layers_per_block=1, norm_num_groups=4, add_attention=False),
        beta_schedule="squaredcos_cap_v2", batch_size=16, num_steps=30, learning_rate=2e-3,
        label_dropout=0.1, sampler="ddim", num_inference_steps=50, guidance_scale=2.0,
        note="smoke recipe (tiny; numbers are meaningless)",
    ),
    # The book chapter's recipe: diffusers' default UNet2DModel blocks (attention at 16×16, 8×8
    # and 4×4) with block_out_channels (32, 64, 128, 256), norm_num_groups 8, 10 class
    # embeddings (no null class, no guidance), linear betas, batch 256, DDPM with 1000 steps.
    # The learning rate (AdamW 3e-4) is our reading of the chapter.
    "book": Recipe(
        name="book",
        unet=_unet((32, 64, 128, 256), ("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"),
                   ("AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"), layers_per_block=2,
                   norm_num_groups=8, num_class_embeds=NUM_CLASSES),
        beta_schedule="linear", batch_size=256, num_steps=6000, learning_rate=3e-4,
        label_dropout=0.0, sampler="ddpm", num_inference_steps=1000, guidance_scale=1.0,
        note="book chapter recipe",
    ),
}


def get_recipe(name: str) -> Recipe:
    """Look a recipe up by name, with an error listing the names that exist."""
    if name not in RECIPES:
        raise ValueError(f"No recipe called {name!r}; use one of {', '.join(RECIPES)}.")
    return RECIPES[name]


def recipe_for_mode(mode: str) -> Recipe:
    """``course`` in full mode, ``course_smoke`` in mini mode (``smoke`` is mini's former name)."""
    if mode not in ("full", "mini", "smoke"):
        raise ValueError(f"mode={mode!r}: use 'full' or 'mini' (see config.get_mode()).")
    return RECIPES["course" if mode == "full" else "course_smoke"]
