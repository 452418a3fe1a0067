"""Training notebook 02's class-conditioned UNet: labels dropped for guidance, the shared loop.

One step: a batch of images (flipped at random for clothes), each label replaced by the null
class with probability ``label_dropout`` (so the same UNet learns the unconditional prediction
guidance needs), then the diffusion loss (``course_utils.diffusion.objectives``). The loop itself
is the course's one resumable loop (``course_utils.training.loop``).
"""

from __future__ import annotations

import numbers

import torch

from course_utils import config
from course_utils.class_unet.sampling import null_class_id
from course_utils.data.transforms import as_image_label_tensors, random_flip
from course_utils.diffusion.objectives import diffusion_loss
from course_utils.training.checkpoints import plain_config
from course_utils.training.loop import train_loop


def drop_labels(labels: torch.Tensor, null_class: int, label_dropout: float,
                generator: torch.Generator) -> torch.Tensor:
    """Replace each label by ``null_class`` with probability ``label_dropout``."""
    drop = torch.rand(labels.shape[0], generator=generator) < label_dropout  # (B,)
    return torch.where(drop.to(labels.device), torch.full_like(labels, null_class), labels)


def train_class_conditioned(model, dataset, *, noise_scheduler, num_steps: int, batch_size: int,
                            learning_rate: float, label_dropout: float = 0.1, flip: bool = True,
                            min_snr_gamma: float | None = None,
                            warmup_steps: int = 0, decay: bool = False, max_grad_norm: float | None = None,
                            ema_decay: float | None = None, checkpoint_dir=None, checkpoint_every: int = 250,
                            seed: int = 0, device=None, progress: bool = True, max_seconds: float | None = None,
                            stop_at_step: int | None = None) -> list[float]:
    """Train ``model`` (a class-conditioned ``UNet2DModel``) for ``num_steps`` steps in total.

    Returns the loss of every step from step 0. With ``checkpoint_dir`` it saves every
    ``checkpoint_every`` steps and at the end, and a later call with the same folder resumes
    from the last checkpoint (an interruption costs at most ``checkpoint_every`` steps).
    A fresh start seeds Python's, numpy's and torch's global generators with ``seed``. Mixed
    precision follows ``config.get_dtype`` (float16 autocast with a gradient scaler on cuda;
    ``COURSE_DTYPE`` overrides it; see ``train_loop``). ``max_seconds`` stops early after that
    much wall-clock time, ``stop_at_step`` once that step is reached (checkpointed, so the same
    call resumes later; the learning-rate schedule still spans ``num_steps``). The null class is
    ``num_class_embeds − 1``. ``flip`` mirrors half the images (right for clothes, wrong for
    digits: a mirrored 7 is no 7). The target (ε or v) is ``noise_scheduler.config.prediction_type``;
    ``min_snr_gamma`` weights the loss (``objectives``); ``warmup_steps``, ``decay``,
    ``max_grad_norm`` and ``ema_decay`` are ``train_loop``'s. With ``ema_decay`` the model holds the
    EMA weights when the call returns.
    """
    # 1. check the inputs
    images, labels = as_image_label_tensors(dataset)
    null_class = _check_model_and_labels(model, images, labels, label_dropout)
    settings = dict(label_dropout=float(label_dropout), flip=flip, min_snr_gamma=min_snr_gamma,
                    scheduler=plain_config(noise_scheduler.config))
    device = torch.device(device) if device is not None else config.get_device()
    images, labels = images.to(device), labels.to(device)

    # 2. one step's loss: batch → (flip) → drop labels → (weighted) MSE on the target
    def loss_fn(index, generator):
        index = index.to(device)
        clean_images = random_flip(images[index], generator) if flip else images[index]  # (B, 1, 32, 32)
        class_labels = drop_labels(labels[index], null_class, label_dropout, generator)  # (B,)
        return diffusion_loss(model, noise_scheduler, clean_images, class_labels, min_snr_gamma)

    # 3. the shared resumable loop (course_utils.train_loop)
    return train_loop(model, loss_fn, num_examples=len(images), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=warmup_steps, decay=decay,
                      weight_decay=0.01, max_grad_norm=max_grad_norm, ema_decay=ema_decay,
                      checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every, seed=seed,
                      device=device, progress=progress, max_seconds=max_seconds, stop_at_step=stop_at_step)


def _check_model_and_labels(model, images, labels, label_dropout) -> int:
    num_class_embeds = null_class_id(model) + 1  # refuses a model without a class embedding
    if isinstance(label_dropout, bool) or not isinstance(label_dropout, numbers.Real) or not 0 <= label_dropout < 1:
        raise ValueError(f"label_dropout={label_dropout!r} must be in [0, 1); the course uses 0.1.")
    if images.shape[1:] != (model.config.in_channels, model.config.sample_size, model.config.sample_size):
        raise ValueError(f"Images of shape {tuple(images.shape[1:])} do not fit a model with in_channels="
                         f"{model.config.in_channels}, sample_size={model.config.sample_size}; pad 28×28 to "
                         "32×32 with to_training_tensors(dataset), or change the model config.")
    usable = num_class_embeds - 1 if label_dropout > 0 else num_class_embeds
    if labels.min() < 0 or labels.max() >= usable:
        raise ValueError(f"Labels run from {int(labels.min())} to {int(labels.max())}, but the model has "
                         f"num_class_embeds={num_class_embeds}" + (" with the last id kept for the null class"
                         if label_dropout > 0 else "") + f"; build it with num_class_embeds="
                         f"{int(labels.max()) + (2 if label_dropout > 0 else 1)}.")
    return num_class_embeds - 1
