"""Exercise checks of notebook 02 (the class-conditioned UNet): timestep embedding, a ResBlock that
takes the timestep, noising, guidance.

Each ``check_*`` runs the learner's function against diffusers and prints a verdict
(``course_utils.checks.verdicts``): True, False with a hint, or None for an untouched stub.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_utils.checks.verdicts import assert_close, matches, run_check
from course_utils.i18n.lookup import t


def check_timestep_embedding(embedding_fn) -> bool | None:
    """``embedding_fn(timesteps, dim, flip_sin_to_cos, freq_shift)`` must match ``get_timestep_embedding``."""
    from diffusers.models.embeddings import get_timestep_embedding

    def test():
        timesteps = torch.tensor([0, 1, 7, 250, 999])  # (B,)
        for dim in (8, 32, 320):
            for flip, shift in ((True, 0), (False, 1)):
                got = embedding_fn(timesteps, dim, flip_sin_to_cos=flip, freq_shift=shift)
                expected = get_timestep_embedding(timesteps, dim, flip_sin_to_cos=flip, downscale_freq_shift=shift)
                half = dim // 2
                swapped = torch.cat([expected[:, half:], expected[:, :half]], dim=-1)
                if matches(got, swapped, atol=1e-4):
                    raise AssertionError(t("with flip_sin_to_cos={flip} the halves are the wrong way round: "
                                           "flip_sin_to_cos=True puts the cosines first.", flip=flip))
                assert_close(got, expected, t("the embedding (dim={dim}, flip_sin_to_cos={flip}, freq_shift={shift})",
                                              dim=dim, flip=flip, shift=shift), atol=1e-4)

    return run_check(t("the sinusoidal timestep embedding"), test)


def timestep_draws_hint(timesteps, num_train_timesteps: int) -> str | None:
    """What is wrong with a large batch of training timesteps (uniform over 0 … T − 1), or None when they look right."""
    last = num_train_timesteps - 1
    if timesteps.min() < 0 or timesteps.max() > last:
        return t("timesteps must lie in 0 … {last} (the scheduler's num_train_timesteps is {num_train_timesteps}).",
                 last=last, num_train_timesteps=num_train_timesteps)
    if timesteps.max() < last:
        return (t("among {n:,} draws not one t = {last}: torch.randint's upper bound is exclusive, so randint(0, "
                  "{last}) never draws the noisiest step.", n=len(timesteps), last=last)
                + t(" Use num_train_timesteps as the bound."))
    if timesteps.min() > 0:
        return t("among {n:,} draws not one t = 0: draw every t from 0 to {last}.", n=len(timesteps), last=last)
    if abs(timesteps.float().mean().item() - last / 2) > 0.05 * num_train_timesteps:
        return t("the timesteps are not uniform over 0 … T − 1: every step should be equally likely.")
    return None


def check_noising_step(noising_step_fn) -> bool | None:
    """``noising_step_fn(clean_images, noise_scheduler)`` → ``(noisy_images, noise, timesteps)``.

    As in training: Gaussian noise like the images, one random integer timestep per image, and
    the noisy images must equal ``noise_scheduler.add_noise`` for that noise and those timesteps.
    """
    from diffusers import DDPMScheduler

    def test():
        scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2")
        clean_images = torch.rand(512, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
        out = noising_step_fn(clean_images, scheduler)
        assert isinstance(out, tuple) and len(out) == 3, t("return a tuple (noisy_images, noise, timesteps).")
        noisy_images, noise, timesteps = out
        assert isinstance(noise, torch.Tensor) and noise.shape == clean_images.shape, (
            t("noise must be a tensor shaped like clean_images: torch.randn_like(clean_images)."))
        mean, std = noise.mean().item(), noise.std().item()
        assert abs(mean) < 0.05 and abs(std - 1) < 0.05, (
            t("the noise has mean {mean:.2f} and std {std:.2f}, but Gaussian noise has mean 0 and std 1.",
              mean=mean, std=std)
            + (t(" A mean near 0.5 means torch.rand_like (uniform); use torch.randn_like.")
               if abs(mean - 0.5) < 0.05 else "") + " ")
        assert isinstance(timesteps, torch.Tensor) and timesteps.shape == (len(clean_images),), (
            t("timesteps must be a tensor with one timestep per image, shape (B,)."))
        assert not timesteps.is_floating_point(), t("timesteps must be integers: use torch.randint.")
        assert 0 <= timesteps.min() and timesteps.max() < 1000, t("timesteps must lie in [0, 999].")
        assert len(timesteps.unique()) > 1, t("draw a random timestep per image, not one for the whole batch.")
        assert_close(noisy_images, scheduler.add_noise(clean_images, noise, timesteps), "noisy_images")
        # Many tiny images: every t from 0 to T − 1 must turn up, for a schedule of 1000 steps and one of 500.
        for num_train_timesteps in (1000, 500):
            scheduler = DDPMScheduler(num_train_timesteps=num_train_timesteps, beta_schedule="squaredcos_cap_v2")
            tiny = torch.zeros(20_000, 1, 2, 2)  # (B, 1, 2, 2): 20,000 draws for the price of a few
            try:
                timesteps = torch.as_tensor(noising_step_fn(tiny, scheduler)[2]).long()
            except IndexError:  # add_noise indexes alphas_cumprod, which has num_train_timesteps entries
                raise AssertionError(t("timesteps must lie in 0 … {last} (the scheduler's num_train_timesteps is "
                                       "{num_train_timesteps}).", last=num_train_timesteps - 1,
                                       num_train_timesteps=num_train_timesteps)
                                     + t(" Use num_train_timesteps as the bound.")) from None
            hint = timestep_draws_hint(timesteps, num_train_timesteps)
            assert hint is None, hint

    return run_check(t("the noising step"), test)


RESBLOCK_LAYERS = ("norm1", "conv1", "time_emb_proj", "norm2", "conv2", "conv_shortcut")  # diffusers' names
RESBLOCK_MISTAKES = ("before_norm1", "before_conv1", "after_norm2", "no_temb_act", "no_act1", "no_act2",
                     "no_residual", "no_temb")  # typical wrong ResBlocks: resblock_hint names what to change


def resblock_hint(mistake: str) -> str:
    """What to change in a ResBlock that made ``mistake`` (one of ``RESBLOCK_MISTAKES``), in the edition's language."""
    add_to_conv1 = t(" Add it to conv1's output (it then has out_channels channels, as time_emb_proj does), "
                     "before norm2.")
    return {
        "before_norm1": t("the time embedding is added to the block's input, before norm1 and conv1.") + add_to_conv1,
        "before_conv1": t("the time embedding is added before conv1.") + add_to_conv1,
        "after_norm2": t("the time embedding is added after norm2.")
                       + t(" Add it to conv1's output before norm2, so the normalisation sees the sum."),
        "no_temb_act": t("time_emb_proj gets the embedding as it comes.")
                       + t(" Apply SiLU first: time_emb_proj(SiLU(temb))."),
        "no_act1": t("the SiLU between {norm} and {conv} is missing: each conv comes after GroupNorm, then SiLU.",
                     norm="norm1", conv="conv1"),
        "no_act2": t("the SiLU between {norm} and {conv} is missing: each conv comes after GroupNorm, then SiLU.",
                     norm="norm2", conv="conv2"),
        "no_residual": t("the residual is missing: return conv2's output plus the input (through conv_shortcut when "
                         "the channel counts differ)."),
        "no_temb": t("the output does not depend on the time embedding: add time_emb_proj(SiLU(temb)), reshaped to "
                     "(B, C, 1, 1), to conv1's output."),
    }[mistake]


def resblock_with_mistake(block, x, temb, mistake: str | None = None) -> torch.Tensor:
    """diffusers' ``ResnetBlock2D`` forward (``time_embedding_norm="default"``) with one ``RESBLOCK_MISTAKES`` made.

    ``mistake=None`` is the right forward; the check uses the others to name what a wrong answer did.
    """
    emb = block.time_emb_proj(temb if mistake == "no_temb_act" else F.silu(temb))[:, :, None, None]  # (B, C_out, 1, 1)
    h = x + emb if mistake == "before_norm1" else x  # (B, C_in, H, W)
    h = block.norm1(h)
    h = h if mistake == "no_act1" else F.silu(h)
    if mistake == "before_conv1":
        h = h + emb
    h = block.conv1(h)  # (B, C_out, H, W)
    if mistake not in ("before_norm1", "before_conv1", "after_norm2", "no_temb"):
        h = h + emb  # the time embedding, one number per channel, added to every pixel
    h = block.norm2(h)
    if mistake == "after_norm2":
        h = h + emb
    h = block.conv2(h if mistake == "no_act2" else F.silu(h))
    if mistake == "no_residual":
        return h
    return h + (x if block.conv_shortcut is None else block.conv_shortcut(x))


def _reference_resblock(in_channels: int, out_channels: int, temb_channels: int, groups: int):
    """A ``ResnetBlock2D`` with random weights, its norms' scales and shifts random too (so none is a no-op)."""
    from diffusers.models.resnet import ResnetBlock2D

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(in_channels * 100 + out_channels)
        block = ResnetBlock2D(in_channels=in_channels, out_channels=out_channels, temb_channels=temb_channels,
                              groups=groups, eps=1e-5)
        for norm in (block.norm1, block.norm2):
            torch.nn.init.uniform_(norm.weight, 0.5, 1.5)
            torch.nn.init.uniform_(norm.bias, -0.5, 0.5)
    return block.eval()


def check_resblock(block_cls) -> bool | None:
    """``block_cls(in_channels, out_channels, temb_channels, groups=...)`` must compute ``ResnetBlock2D``.

    The block has diffusers' layer names (``RESBLOCK_LAYERS``); the check loads a diffusers block's
    weights into it and compares outputs, with the channel count kept (no shortcut conv) and doubled.
    A typical mistake (``RESBLOCK_MISTAKES``: embedding added before norm1 or conv1 or after norm2, a
    missing SiLU, no residual) gets a hint naming it.
    """
    temb_channels, groups = 32, 4

    def test():
        for in_channels, out_channels in ((16, 16), (8, 16)):
            reference = _reference_resblock(in_channels, out_channels, temb_channels, groups)
            try:
                ours = block_cls(in_channels, out_channels, temb_channels, groups=groups)
            except TypeError as err:
                raise AssertionError(t("build the block as block_cls(in_channels, out_channels, temb_channels, "
                                       "groups=...) ({error}).", error=err)) from None
            try:
                missing, unexpected = ours.load_state_dict(reference.state_dict(), strict=False)
            except RuntimeError as err:
                raise AssertionError(t("diffusers' weights do not fit your layers' shapes: {error}",
                                       error=err)) from None
            assert not missing and not unexpected, (
                t("name the layers as diffusers does ({layers}); missing {missing}, unexpected {unexpected}.",
                  layers=", ".join(RESBLOCK_LAYERS), missing=missing, unexpected=unexpected))
            ours.eval()
            generator = torch.Generator().manual_seed(out_channels)
            x = torch.randn(2, in_channels, 8, 8, generator=generator)  # (B, C_in, H, W)
            temb = torch.randn(2, temb_channels, generator=generator)  # (B, temb_channels)
            with torch.no_grad():
                got = ours(x, temb)
                expected = reference(x, temb)  # (B, C_out, H, W)
                if not matches(got, expected, atol=1e-4):
                    for mistake in RESBLOCK_MISTAKES:
                        try:
                            wrong = resblock_with_mistake(reference, x, temb, mistake)
                        except RuntimeError:  # this mistake is impossible with these channel counts
                            continue
                        if matches(got, wrong, atol=1e-4):
                            raise AssertionError(resblock_hint(mistake))
            assert_close(got, expected, t("the block's output (in_channels={in_channels}, out_channels={out_channels})",
                                          in_channels=in_channels, out_channels=out_channels), atol=1e-4)

    return run_check(t("the ResBlock with the time embedding"), test)


def check_guidance_combine(guidance_combine_fn) -> bool | None:
    """``guidance_combine_fn(noise_pred_null, noise_pred_class, guidance_scale)`` in diffusers' convention.

    ``guidance_scale`` is s = w + 1, where w is Ho & Salimans' weight in (1 + w)·ε_class − w·ε_null;
    the result must be ε_null + s·(ε_class − ε_null). Taking s for w, or swapping the two
    predictions, gets a hint naming the mistake.
    """
    from course_utils.class_unet.sampling import guidance_combine

    def ho_salimans(null, cond, w):
        return (1 + w) * cond - w * null

    def test():
        mistakes = {  # what a wrong answer computes for scale s → its hint
            "s taken for w": (lambda null, cond, s: ho_salimans(null, cond, s),
                              t("you used guidance_scale as Ho & Salimans' w.")
                              + t(" diffusers' s is w + 1 (s = 1 is plain conditional, no guidance), so w = s − 1; "
                                  "check: guidance_scale=1 must give ε_class.")),
            "w = s + 1": (lambda null, cond, s: ho_salimans(null, cond, s + 1),
                          t("s = w + 1 means w = s − 1, not s + 1; check: guidance_scale=0 must give ε_null.")),
            "swapped": (lambda null, cond, s: guidance_combine(cond, null, s),
                        t("ε_null and ε_class are swapped: start from ε_null and move towards ε_class.")),
        }
        generator = torch.Generator().manual_seed(0)
        noise_pred_null = torch.randn(4, 1, 8, 8, generator=generator)  # (B, C, H, W)
        noise_pred_class = torch.randn(4, 1, 8, 8, generator=generator)
        scales = (0.0, 1.0, 2.5, 7.5)
        got = {s: guidance_combine_fn(noise_pred_null, noise_pred_class, s) for s in scales}
        for wrong, hint in mistakes.values():
            if all(matches(got[s], wrong(noise_pred_null, noise_pred_class, s)) for s in scales):
                raise AssertionError(hint)
        for s in scales:
            assert_close(got[s], guidance_combine(noise_pred_null, noise_pred_class, s),
                         t("the guided noise prediction (guidance_scale={s})", s=s))

    return run_check(t("the guidance combine"), test)
