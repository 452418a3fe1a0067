"""Self-checking exercises of notebook 06 (training a miniature SD), checked against the libraries.

Same contract as every check (``course_utils.verdicts``; re-exported by ``course_utils.checks``):
each ``check_*`` returns True, False (with a hint) or None (stub not attempted) and never raises.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_utils.checks.class_conditioned_unet import timestep_draws_hint
from course_utils.checks.verdicts import assert_close, matches, run_check
from course_utils.i18n.lookup import t


def _small_clip(seed: int = 0):
    from transformers import CLIPConfig, CLIPModel

    config = CLIPConfig(
        text_config=dict(vocab_size=99, max_position_embeddings=16, hidden_size=16, intermediate_size=32,
                         num_hidden_layers=1, num_attention_heads=2, projection_dim=8, bos_token_id=0,
                         eos_token_id=98, pad_token_id=98),
        vision_config=dict(image_size=16, patch_size=8, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                           num_attention_heads=2, projection_dim=8),
        projection_dim=8)
    torch.manual_seed(seed)
    return CLIPModel(config).eval()


def _clip_batch(generator):
    input_ids = torch.randint(0, 98, (6, 16), generator=generator)  # (B, L)
    input_ids[:, -1] = 98  # the highest id ends each text (CLIP pools the end-of-text token)
    pixel_values = torch.randn(6, 3, 16, 16, generator=generator)  # (B, 3, H, W)
    return input_ids, pixel_values


def check_warmup_cosine(multiplier_fn) -> bool | None:
    """``multiplier_fn(step, warmup_steps, num_steps)`` = diffusers' ``get_cosine_schedule_with_warmup`` factor."""
    from diffusers.optimization import get_cosine_schedule_with_warmup

    def test():
        for warmup, total in ((10, 100), (0, 50), (25, 40)):
            optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
            schedule = get_cosine_schedule_with_warmup(optimizer, warmup, total)
            for step in range(total):
                expected = schedule.lr_lambdas[0](step)
                got = float(multiplier_fn(step, warmup, total))
                assert abs(got - expected) < 1e-6, (
                    t("at step {step} of {total} (warm-up {warmup}) you give {got:.4f}, diffusers {expected:.4f}.",
                      step=step, total=total, warmup=warmup, got=got, expected=expected)
                    + t(" Warm-up: step / warmup_steps; then ½ (1 + cos(π · progress)), progress from 0 to 1."))

    return run_check(t("warm-up + cosine learning-rate schedule"), test)


EMBEDDING_LENGTHS = torch.tensor([0.2, 6.0, 0.5, 4.0, 0.3, 9.0])  # one factor per caption, and per image (6 each)


def check_zero_shot(classify_fn) -> bool | None:
    """``classify_fn(image_embeds (N, D), class_text_embeds (C, D))`` → class ids (N,) = CLIP's logits_per_image argmax."""
    from course_utils.mini_sd.mini_clip import image_embeds, text_embeds

    def test():
        model = _small_clip(seed=1)
        input_ids, pixel_values = _clip_batch(torch.Generator().manual_seed(1))
        with torch.no_grad():
            expected = model(input_ids=input_ids, pixel_values=pixel_values).logits_per_image.argmax(dim=1)
            # Embeddings of very different lengths, as real ones can be: only the direction may decide,
            # so a plain dot product (or normalising the images alone) picks other classes.
            text = text_embeds(model, input_ids) * EMBEDDING_LENGTHS[:, None]  # (C, D)
            image = image_embeds(model, pixel_values) * EMBEDDING_LENGTHS.flip(0)[:, None]  # (N, D)
            got = classify_fn(image, text)
        got = torch.as_tensor(got)
        assert got.shape == expected.shape, t("return one class id per image, shape {shape}.",
                                              shape=tuple(expected.shape))
        assert torch.equal(got.long(), expected), (
            t("some images got another class than CLIP gives them.")
            + t(" Normalise both embeddings to unit length before the dot product (cosine similarity), then take the "
                "argmax over the classes."))

    return run_check(t("zero-shot classification"), test)


def _tiny_text_unet():
    from diffusers import UNet2DConditionModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return UNet2DConditionModel(sample_size=8, in_channels=4, out_channels=4, layers_per_block=1,
                                    block_out_channels=(32, 64), cross_attention_dim=16, attention_head_dim=4,
                                    norm_num_groups=8, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D")).eval()


def _reference_loss(unet, scheduler, latents, caption_states, timesteps, noise, used_ids):
    """The loss a training step with these draws must give: MSE to ε, or to v for a v-prediction scheduler."""
    noisy = scheduler.add_noise(latents, noise, timesteps)  # √ᾱ_t z + √(1 − ᾱ_t) ε
    prediction = unet(noisy, timesteps, encoder_hidden_states=caption_states[used_ids]).sample
    target = noise if scheduler.config.prediction_type == "epsilon" else scheduler.get_velocity(latents, noise, timesteps)
    return F.mse_loss(prediction, target)


def _draws_hint(timesteps, dropped, drop_prob: float, num_train_timesteps: int) -> str | None:
    """What is wrong with a large batch's random draws, or None when they look right."""
    if (hint := timestep_draws_hint(timesteps, num_train_timesteps)) is not None:
        return hint
    share = dropped.float().mean().item()
    if share in (0.0, 1.0):
        return t("{share:.0%} of the captions were dropped: draw once per example (torch.rand(B) < drop_prob), "
                 "not once for the whole batch.", share=share)
    if abs(share - (1 - drop_prob)) < 0.03 and drop_prob < 0.5:
        return t("you dropped {share:.0%} of the captions, not {drop_prob:.0%}: drop a caption when its random "
                 "number is *below* drop_prob.", share=share, drop_prob=drop_prob)
    if abs(share - drop_prob) > 0.03:
        return t("{share:.1%} of the captions were replaced by the empty one; expected about {drop_prob:.0%}.",
                 share=share, drop_prob=drop_prob)
    return None


def check_training_step(step_fn) -> bool | None:
    """``step_fn(unet, scheduler, latents, caption_ids, caption_states, empty_id, generator, drop_prob)``.

    It must return ``(loss, timesteps, noise, used_ids)``: t uniform over every training step (0 … T − 1),
    fresh Gaussian noise, each caption replaced by the empty one with probability ``drop_prob`` (one draw per
    example), all drawn from ``generator``; and the loss diffusers' noising and the scheduler's target give
    for exactly those draws (ε, or v for ``prediction_type="v_prediction"``).
    """
    from diffusers import DDPMScheduler

    def test():
        unet = _tiny_text_unet()
        generator = torch.Generator().manual_seed(0)
        caption_states = torch.randn(11, 77, 16, generator=generator)  # (10 captions + "", 77, D)
        empty_id, drop_prob = 10, 0.1
        small_drop_prob = 0.5  # in the small batch, so that some of its 16 captions are surely dropped
        for prediction_type in ("epsilon", "v_prediction"):
            scheduler = DDPMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                      prediction_type=prediction_type)
            latents = torch.randn(16, 4, 8, 8, generator=generator)  # (B, 4, h, w) clean scaled latents
            caption_ids = torch.arange(16) % 10  # (B,) rows of caption_states
            with torch.no_grad():
                loss, timesteps, noise, used_ids = step_fn(unet, scheduler, latents, caption_ids, caption_states,
                                                           empty_id, torch.Generator().manual_seed(1), small_drop_prob)
                assert isinstance(loss, torch.Tensor) and loss.ndim == 0, t("return the loss as a 0-d tensor first.")
                timesteps, used_ids = torch.as_tensor(timesteps).long(), torch.as_tensor(used_ids).long()
                assert timesteps.shape == (16,) and used_ids.shape == (16,) and noise.shape == latents.shape, (
                    t("return one timestep and one caption id per example, and noise shaped like the latents."))
                kept = used_ids != empty_id
                assert torch.equal(used_ids[kept], caption_ids[kept]), (
                    t("a caption that is not dropped must stay the example's own caption id."))
                expected = _reference_loss(unet, scheduler, latents, caption_states, timesteps, noise, used_ids)
                undropped = _reference_loss(unet, scheduler, latents, caption_states, timesteps, noise, caption_ids)
            if (~kept).any() and matches(loss, undropped, atol=1e-6) and not matches(loss, expected, atol=1e-6):
                raise AssertionError(t("the UNet saw every example's own caption: feed it the captions after "
                                       "dropout, caption_states[used_ids], so the dropped ones really are empty."))
            target = (t("ε (the noise)") if prediction_type == "epsilon"
                      else "v = √ᾱ_t ε − √(1 − ᾱ_t) z (scheduler.get_velocity)")  # a formula: the same in every language
            assert_close(loss, expected, t("the loss with prediction_type={prediction_type!r}, whose target is {target}",
                                           prediction_type=prediction_type, target=target), atol=1e-5)
        # Many draws at once: the distributions, with a model too cheap to matter.
        many = 20_000
        latents = torch.zeros(many, 4, 8, 8)

        class Echo(torch.nn.Module):  # returns its input: the statistics below need no real UNet
            def forward(self, sample, timestep, encoder_hidden_states=None):
                return type("Output", (), {"sample": sample})()

        with torch.no_grad():
            _, timesteps, noise, used_ids = step_fn(Echo(), scheduler, latents, torch.zeros(many, dtype=torch.long),
                                                    caption_states, empty_id, torch.Generator().manual_seed(2),
                                                    drop_prob)
            again = step_fn(Echo(), scheduler, latents, torch.zeros(many, dtype=torch.long), caption_states,
                            empty_id, torch.Generator().manual_seed(2), drop_prob)
        timesteps, used_ids = torch.as_tensor(timesteps).long(), torch.as_tensor(used_ids).long()
        hint = _draws_hint(timesteps, used_ids == empty_id, drop_prob, scheduler.config.num_train_timesteps)
        assert hint is None, hint
        assert abs(noise.mean().item()) < 0.02 and abs(noise.std().item() - 1) < 0.02, (
            t("the noise must be standard Gaussian: torch.randn, not torch.rand."))
        assert torch.equal(torch.as_tensor(again[1]).long(), timesteps) and torch.equal(again[2], noise), (
            t("draw everything from the generator you are given (generator=generator), so a step can be repeated."))

    return run_check(t("a training step with caption dropout"), test)


def _split_hint(wrong: list[tuple[int, int, int, bool]]) -> str:
    """What a wrong held-out split usually means, from the cells it got wrong: (digit, ink, background, expected)."""
    from course_utils.data.colours import COLOUR_NAMES, HELD_OUT_PAIRS, held_out_ink

    missed_pairs = [c for c in wrong if c[3] and (c[1], c[2]) in HELD_OUT_PAIRS and c[1] != held_out_ink(c[0])]
    reversed_pairs = [c for c in wrong if not c[3] and (c[2], c[1]) in HELD_OUT_PAIRS]
    missed_inks = [c for c in wrong if c[3] and c[1] == held_out_ink(c[0])]
    (d, i, b, expected), name = wrong[0], COLOUR_NAMES
    if reversed_pairs:
        return t("the pairs are (ink, background): yellow ink on a purple background is held out, purple ink on "
                 "yellow is seen.")
    if missed_inks and all(c[0] >= 7 for c in missed_inks):
        return t("digits 7, 8 and 9 wrap around the seven colours: the ink is the palette's colour number d mod 7.")
    if missed_inks:
        return t("a {ink} {digit} on {background} is held out by the ink rule: digit d is never drawn in colour "
                 "number d mod 7, whatever the background.", ink=name[i], digit=d, background=name[b])
    if missed_pairs:
        return t("{ink} ink on a {background} background is one of the three held-out pairs, for every digit.",
                 ink=name[i], background=name[b])
    if expected:
        return t("a {ink} {digit} on {background} should be held out; only the two rules hold a cell out.",
                 ink=name[i], digit=d, background=name[b])
    return t("a {ink} {digit} on {background} should be seen; only the two rules hold a cell out.",
             ink=name[i], digit=d, background=name[b])


def check_held_out_split(is_held_out_fn) -> bool | None:
    """``is_held_out_fn(digit, ink, background)`` (colour ids 0 = red … 6 = black) → True for the held-out cells.

    Compared with ``course_utils.data.colours.is_held_out`` on all 420 cells, with the count of held-out cells.
    """
    from course_utils.data.colours import all_cells, cell_counts, is_held_out

    def test():
        wrong = []
        for digit, ink, background in all_cells():
            expected = is_held_out(digit, ink, background)
            if bool(is_held_out_fn(digit, ink, background)) != expected:
                wrong.append((digit, ink, background, expected))
        if wrong:
            counted = cell_counts()["held_out"] - sum(1 if c[3] else -1 for c in wrong)
            raise AssertionError(t("{wrong} of 420 cells are on the wrong side: you hold out {counted}, the course "
                                   "{held_out}.", wrong=len(wrong), counted=counted, held_out=cell_counts()["held_out"])
                                 + t(" Hint: {hint}", hint=_split_hint(wrong)))

    return run_check(t("the held-out split"), test)
