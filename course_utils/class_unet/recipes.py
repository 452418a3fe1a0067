"""Model configs and training settings for the class-conditioned UNet of notebook 02.

Four recipes, one home: ``course`` (full mode, sized for a free Colab T4), ``course_mini`` (the
same family, sized for a CPU: the offline mode's shipped checkpoint), ``course_smoke`` (a tiny
model for tests and the resume demonstration) and ``book`` (the recipe of the book chapter this
course follows, trained by ``benchmarks/class_conditioned.py`` for comparison).

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
    prediction_type: str = "epsilon"  # what the UNet predicts: "epsilon" (ε) or "v_prediction" (v)
    min_snr_gamma: float | None = None  # min-SNR-γ loss weighting (objectives.min_snr_weights)
    warmup_steps: int = 0  # linear learning-rate warm-up (train_loop.learning_rate_at)
    decay: bool = False  # cosine learning-rate decay to 10 % after the warm-up
    max_grad_norm: float | None = None  # gradient clipping
    ema_decay: float | None = None  # EMA of the weights; sampling uses the average
    flip: bool = True  # mirror half the training images (clothes yes; digits no: a mirrored 7 is no 7)
    clip_sample: bool = True  # the samplers' clamp of the predicted x̂₀ to [−1, 1] (diffusers' default)

    def training_kwargs(self) -> dict:
        """The keyword arguments of ``course_utils.class_unet.training.train_class_conditioned`` that this recipe fixes."""
        return dict(num_steps=self.num_steps, batch_size=self.batch_size, learning_rate=self.learning_rate,
                    label_dropout=self.label_dropout, flip=self.flip, min_snr_gamma=self.min_snr_gamma,
                    warmup_steps=self.warmup_steps, decay=self.decay, max_grad_norm=self.max_grad_norm,
                    ema_decay=self.ema_decay)

    def build_unet(self, seed: int = 0):
        """A freshly initialised ``UNet2DModel`` (the same weights for the same seed)."""
        from diffusers import UNet2DModel

        with torch.random.fork_rng(devices=[]):  # do not disturb the caller's random numbers
            torch.manual_seed(seed)
            return UNet2DModel(**self.unet)

    def make_noise_scheduler(self):
        """The training scheduler: ``DDPMScheduler`` with 1000 steps and this recipe's betas."""
        from diffusers import DDPMScheduler

        return DDPMScheduler(num_train_timesteps=1000, beta_schedule=self.beta_schedule,
                             prediction_type=self.prediction_type)

    def make_sampler(self, kind: str | None = None):
        """A sampling scheduler (DDPM or DDIM) with the training scheduler's betas and target.

        ``clip_sample`` is the recipe's: diffusers' DDPM/DDIM default (True) clamps the predicted
        x̂₀ to [−1, 1] but keeps the unclamped ε for the step, which with v-prediction and strong
        guidance pulls samples off their class (measured in ``tools/models/train_class_unet.py``'s card).
        """
        from diffusers import DDIMScheduler, DDPMScheduler

        kind = kind or self.sampler
        if kind not in SAMPLERS:
            raise ValueError(f"sampler {kind!r} is not known here; use one of {SAMPLERS}.")
        cls = DDIMScheduler if kind == "ddim" else DDPMScheduler
        return cls.from_config(self.make_noise_scheduler().config, clip_sample=self.clip_sample)


def _unet(block_out_channels, down_block_types, up_block_types, layers_per_block, norm_num_groups,
          num_class_embeds=NUM_CLASSES + 1, add_attention=True, **extra) -> dict:
    return dict(**extra,
        sample_size=IMAGE_SIZE, in_channels=1, out_channels=1,
        block_out_channels=tuple(block_out_channels), down_block_types=tuple(down_block_types),
        up_block_types=tuple(up_block_types), layers_per_block=layers_per_block,
        norm_num_groups=norm_num_groups, num_class_embeds=num_class_embeds, add_attention=add_attention,
    )


_COURSE_TRAINING = dict(  # the course's levers, shared by its two real recipes (README: what each is worth)
    beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction", min_snr_gamma=5.0, decay=True,
    max_grad_norm=1.0, ema_decay=0.999, label_dropout=0.1, sampler="ddim", guidance_scale=3.0, clip_sample=False,
)
_COURSE_BLOCKS = dict(down_block_types=("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"),  # attention at 8×8 only
                      up_block_types=("AttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
                      resnet_time_scale_shift="scale_shift")  # the embedding scales and shifts the features

RECIPES = {
    # Offline (mini) mode: trained on a 2-core CPU in about 15 minutes by tools/models/train_class_unet.py,
    # shipped in course_utils/shipped/class-unet/ (model card in its step folder). Self-attention only at the
    # 8×8 level (64 positions), where it is cheap; v-prediction with min-SNR-5 weights; a high
    # learning rate made safe by warm-up, cosine decay and gradient clipping; an EMA of the weights.
    "course_mini": Recipe(
        name="course_mini",
        unet=_unet((16, 32, 64), layers_per_block=1, norm_num_groups=8, **_COURSE_BLOCKS),
        batch_size=32, num_steps=3000, learning_rate=3e-3, warmup_steps=100, num_inference_steps=10, flip=False,
        note="course recipe, offline size (CPU)", **_COURSE_TRAINING,
    ),
    # Full mode: the same recipe family, twice as wide, on Fashion-MNIST's 60,000 images with a
    # bigger batch, for a free Colab T4 with fp16 autocast (its time there is an estimate: README).
    "course": Recipe(
        name="course",
        unet=_unet((32, 64, 128), layers_per_block=2, norm_num_groups=8, **_COURSE_BLOCKS),
        batch_size=128, num_steps=6000, learning_rate=2e-3, warmup_steps=200, num_inference_steps=50,
        note="course recipe, full size (GPU)", **_COURSE_TRAINING,
    ),
    # The resume demonstration and the unit tests: the same kind of model, shrunk (no attention at
    # all), a few steps; it learns nothing worth sampling.
    "course_smoke": Recipe(
        name="course_smoke",
        unet=_unet((8, 16), ("DownBlock2D", "DownBlock2D"), ("UpBlock2D", "UpBlock2D"),
                   layers_per_block=1, norm_num_groups=4, add_attention=False),
        beta_schedule="squaredcos_cap_v2", batch_size=16, num_steps=30, learning_rate=2e-3,
        label_dropout=0.1, sampler="ddim", num_inference_steps=50, guidance_scale=2.0,
        clip_sample=False, note="tiny recipe for tests and the resume demonstration",
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
    """``course`` in full mode, ``course_mini`` in mini mode (``smoke`` is mini's former name)."""
    if mode not in ("full", "mini", "smoke"):
        raise ValueError(f"mode={mode!r}: use 'full' or 'mini' (see config.get_mode()).")
    return RECIPES["course" if mode == "full" else "course_mini"]
