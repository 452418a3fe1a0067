"""Self-checking exercises of notebook 06 (training a miniature SD), checked against the libraries.

Same contract as every check (``course_utils.verdicts``; re-exported by ``course_utils.checks``):
each ``check_*`` returns True, False (with a hint) or None (stub not attempted) and never raises.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_utils.checks.verdicts import assert_close, run_check


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
                    f"at step {step} of {total} (warm-up {warmup}) you give {got:.4f}, diffusers {expected:.4f}. "
                    "Warm-up: step / warmup_steps; then ½ (1 + cos(π · progress)), progress from 0 to 1.")

    return run_check("warm-up + cosine learning-rate schedule", test)


def check_zero_shot(classify_fn) -> bool | None:
    """``classify_fn(image_embeds (N, D), class_text_embeds (C, D))`` → class ids (N,) = CLIP's logits_per_image argmax."""
    from course_utils.mini_sd.mini_clip import image_embeds, text_embeds

    def test():
        model = _small_clip(seed=1)
        input_ids, pixel_values = _clip_batch(torch.Generator().manual_seed(1))
        with torch.no_grad():
            expected = model(input_ids=input_ids, pixel_values=pixel_values).logits_per_image.argmax(dim=1)
            got = classify_fn(image_embeds(model, pixel_values), text_embeds(model, input_ids))
        got = torch.as_tensor(got)
        assert got.shape == expected.shape, f"return one class id per image, shape {tuple(expected.shape)}."
        assert torch.equal(got.long(), expected), (
            "some images got another class than CLIP gives them. Normalise both embeddings to unit length "
            "before the dot product (cosine similarity), then take the argmax over the classes.")

    return run_check("zero-shot classification", test)


def check_text_conditioned_loss(loss_fn) -> bool | None:
    """``loss_fn(unet, scheduler, latents, encoder_hidden_states, noise, timesteps)`` = noise-prediction MSE."""
    from diffusers import DDPMScheduler, UNet2DConditionModel

    def test():
        torch.manual_seed(0)
        unet = UNet2DConditionModel(sample_size=8, in_channels=4, out_channels=4, layers_per_block=1,
                                    block_out_channels=(32, 64), cross_attention_dim=16, attention_head_dim=4,
                                    norm_num_groups=8, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D")).eval()
        scheduler = DDPMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
        generator = torch.Generator().manual_seed(0)
        latents = torch.randn(3, 4, 8, 8, generator=generator)  # (B, 4, h, w)
        states = torch.randn(3, 77, 16, generator=generator)  # (B, 77, D)
        noise = torch.randn(3, 4, 8, 8, generator=generator)
        timesteps = torch.tensor([5, 500, 990])
        with torch.no_grad():
            noisy = scheduler.add_noise(latents, noise, timesteps)
            expected = F.mse_loss(unet(noisy, timesteps, encoder_hidden_states=states).sample, noise)
            got = loss_fn(unet, scheduler, latents, states, noise, timesteps)
        assert isinstance(got, torch.Tensor) and got.ndim == 0, "return the mean squared error as a 0-d tensor."
        assert_close(got, expected, "the loss", atol=1e-6)

    return run_check("text-conditioned noise-prediction loss", test)
