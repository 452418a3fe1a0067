"""Self-checking exercises: run the learner's function against the library, print a verdict.

Every ``check_*`` returns True (correct), False (wrong, with a hint) or None (not attempted: the
stub still raises ``NotImplementedError``), and never raises, so an unfinished exercise cannot
stop the notebook.
"""

from __future__ import annotations

import torch


def run_check(name: str, test) -> bool | None:
    """Call ``test()``; turn its outcome into a friendly verdict."""
    try:
        test()
    except NotImplementedError:
        print(f"… {name}: not attempted yet. Fill in the function above and run this cell again.")
        return None
    except AssertionError as err:
        print(f"✗ {name}: not quite. {err}")
        return False
    except Exception as err:  # the learner's code crashed: show why, do not stop the notebook
        print(f"✗ {name}: your function raised {type(err).__name__}: {err}")
        return False
    print(f"✓ {name}: correct. Well done!")
    return True


def assert_close(got, expected, what: str, atol: float = 1e-5) -> None:
    """Assert two tensors match in shape and value, with a message a learner can act on."""
    assert isinstance(got, torch.Tensor), f"{what} should be a torch.Tensor, got {type(got).__name__}."
    assert got.shape == expected.shape, f"{what} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}."
    diff = (got.float() - expected.float()).abs().max().item()
    assert diff <= atol, f"{what} differs from the library by up to {diff:.3g} (allowed {atol:g})."


# --- notebook 01: noise schedules -------------------------------------------------------------

def check_add_noise(add_noise_fn) -> bool | None:
    """``add_noise_fn(x0, noise, timesteps, alphas_cumprod)`` must match ``DDPMScheduler.add_noise``."""
    from diffusers import DDPMScheduler

    def test():
        generator = torch.Generator().manual_seed(0)
        for kind in ("linear", "scaled_linear", "squaredcos_cap_v2"):
            scheduler = DDPMScheduler(beta_schedule=kind)
            x0 = torch.randn(4, 3, 8, 8, generator=generator)  # (B, C, H, W)
            noise = torch.randn(x0.shape, generator=generator)
            timesteps = torch.tensor([0, 10, 500, 999])
            got = add_noise_fn(x0, noise, timesteps, scheduler.alphas_cumprod)
            assert_close(got, scheduler.add_noise(x0, noise, timesteps), f"x_t ({kind} schedule)")

    return run_check("closed-form noising", test)


def check_alphas_cumprod(alphas_cumprod_fn) -> bool | None:
    """``alphas_cumprod_fn(betas)`` must match ``DDPMScheduler.alphas_cumprod``."""
    from diffusers import DDPMScheduler

    def test():
        for kind in ("linear", "scaled_linear", "squaredcos_cap_v2"):
            scheduler = DDPMScheduler(beta_schedule=kind)
            got = alphas_cumprod_fn(scheduler.betas.clone())
            assert_close(got, scheduler.alphas_cumprod, f"ᾱ ({kind} schedule)", atol=1e-6)

    return run_check("ᾱ from β", test)

# --- notebook 02: class-conditioned UNet ------------------------------------------------------

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
        assert isinstance(out, tuple) and len(out) == 3, "return a tuple (noisy_images, noise, timesteps)."
        noisy_images, noise, timesteps = out
        assert isinstance(noise, torch.Tensor) and noise.shape == clean_images.shape, (
            "noise must be a tensor shaped like clean_images: torch.randn_like(clean_images).")
        mean, std = noise.mean().item(), noise.std().item()
        assert abs(mean) < 0.05 and abs(std - 1) < 0.05, (
            f"the noise has mean {mean:.2f} and std {std:.2f}, but Gaussian noise has mean 0 and std 1. "
            + ("A mean near 0.5 means torch.rand_like (uniform); use torch.randn_like. "
               if abs(mean - 0.5) < 0.05 else ""))
        assert isinstance(timesteps, torch.Tensor) and timesteps.shape == (len(clean_images),), (
            "timesteps must be a tensor with one timestep per image, shape (B,).")
        assert not timesteps.is_floating_point(), "timesteps must be integers: use torch.randint."
        assert 0 <= timesteps.min() and timesteps.max() < 1000, "timesteps must lie in [0, 999]."
        assert len(timesteps.unique()) > 1, "draw a random timestep per image, not one for the whole batch."
        assert_close(noisy_images, scheduler.add_noise(clean_images, noise, timesteps), "noisy_images")

    return run_check("the noising step", test)


def check_guidance_combine(guidance_combine_fn) -> bool | None:
    """``guidance_combine_fn(noise_pred_null, noise_pred_class, guidance_scale)`` = ε_null + s·(ε_class − ε_null)."""
    from course_utils.class_sampling import guidance_combine

    def test():
        generator = torch.Generator().manual_seed(0)
        noise_pred_null = torch.randn(4, 1, 8, 8, generator=generator)
        noise_pred_class = torch.randn(4, 1, 8, 8, generator=generator)
        for scale in (0.0, 1.0, 2.5, 7.5):
            got = guidance_combine_fn(noise_pred_null, noise_pred_class, scale)
            expected = guidance_combine(noise_pred_null, noise_pred_class, scale)
            swapped = guidance_combine(noise_pred_class, noise_pred_null, scale)
            if isinstance(got, torch.Tensor) and got.shape == expected.shape and scale != 1.0:
                assert not torch.allclose(got, swapped, atol=1e-5), (
                    "ε_null and ε_class are swapped: start from ε_null and move towards ε_class.")
            assert_close(got, expected, f"the guided noise prediction (guidance_scale={scale})")

    return run_check("the guidance combine", test)

# --- notebook 03: the VAE and latent space ----------------------------------------------------

def check_latent_shape(latent_shape_fn, vae) -> bool | None:
    """``latent_shape_fn(vae, batch_size, height, width)`` must give the shape ``vae.encode`` produces."""

    def test():
        for batch_size, height, width in ((1, 16, 16), (2, 16, 24), (1, 32, 8)):
            pixels = torch.zeros(batch_size, 3, height, width, device=vae.device, dtype=vae.dtype)
            with torch.no_grad():
                expected = tuple(vae.encode(pixels).latent_dist.mean.shape)  # (B, C, H/f, W/f)
            got = tuple(int(n) for n in latent_shape_fn(vae, batch_size, height, width))
            assert got == expected, (
                f"for {batch_size} image(s) of {height}×{width} you gave {got}, the VAE makes {expected}. "
                "Read the channels and the downsampling from vae.config."
            )

    return run_check("latent shape", test)


def check_kl(kl_fn) -> bool | None:
    """``kl_fn(mean, logvar)`` must match ``DiagonalGaussianDistribution.kl()`` (one value per image)."""
    from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution

    def test():
        parameters = torch.randn(3, 8, 4, 4, generator=torch.Generator().manual_seed(0))  # (B, 2·4, h, w)
        latent_dist = DiagonalGaussianDistribution(parameters)
        got = kl_fn(latent_dist.mean, latent_dist.logvar)
        assert_close(got, latent_dist.kl(), "the KL (one number per image: sum over C, H, W)", atol=1e-4)

    return run_check("KL to a standard Gaussian", test)

# --- notebook 04: tokens, text embeddings, cross-attention ------------------------------------

def check_count_truncated(count_fn, tokenizer) -> bool | None:
    """``count_fn(tokenizer, prompt)`` must count the tokens that truncation to 77 positions drops."""

    def test():
        prompts = ["A photograph of a puppy", "word " * 75, "word " * 76, "a very long prompt, " * 30]
        for prompt in prompts:
            full_length = len(tokenizer(prompt, truncation=False).input_ids)  # start + words + end
            expected = max(0, full_length - tokenizer.model_max_length)
            got = count_fn(tokenizer, prompt)
            assert got == expected, (
                f"for a prompt of {full_length} tokens (start and end included) you said {got}, "
                f"truncation drops {expected}."
            )

    return run_check("tokens lost to truncation", test)


def check_similarity_matrix(similarity_fn) -> bool | None:
    """``similarity_fn(image_embeds, text_embeds)`` must give cosine similarities (images × texts)."""
    import torch.nn.functional as F

    def test():
        generator = torch.Generator().manual_seed(0)
        image_embeds = torch.randn(3, 16, generator=generator) * 5  # not unit length on purpose
        text_embeds = torch.randn(4, 16, generator=generator)
        expected = F.cosine_similarity(image_embeds[:, None, :], text_embeds[None, :, :], dim=-1)  # (3, 4)
        got = similarity_fn(image_embeds, text_embeds)
        assert_close(got, expected, "the similarity matrix (rows: images, columns: texts)", atol=1e-5)

    return run_check("cosine-similarity matrix", test)

# --- notebook 05: the classifier-free-guidance sampling loop ----------------------------------

def check_cfg_step(step_fn, pipe) -> bool | None:
    """``step_fn(unet, scheduler, latents, t, prompt_embeds, guidance_scale)`` → next latents.

    ``prompt_embeds`` is (2B, 77, D), unconditional first. Compared with the latents that
    ``pipe`` itself produces after its first two steps, using an Euler scheduler (whose
    ``scale_model_input`` really rescales, so skipping it is caught).
    """
    from diffusers import EulerDiscreteScheduler

    from course_utils.sd_loop_helpers import encode_text, randn_noise

    def test():
        prompt, scale, steps, seed = "a red bicycle in the snow", 7.5, 3, 0
        scheduler = EulerDiscreteScheduler.from_config(pipe.scheduler.config)
        with torch.no_grad():
            prompt_embeds = torch.cat([encode_text(pipe, [""]), encode_text(pipe, [prompt])])  # (2, 77, D)
            scheduler.set_timesteps(steps, device=pipe.device)
            size = pipe.unet.config.sample_size
            latents = randn_noise((1, pipe.unet.config.in_channels, size, size), torch.Generator().manual_seed(seed),
                                  pipe.device, prompt_embeds.dtype) * scheduler.init_noise_sigma
            ours = []
            for t in scheduler.timesteps[:2]:
                latents = step_fn(pipe.unet, scheduler, latents, t, prompt_embeds, scale)
                ours.append(latents)
        seen = []

        def record(_pipe, i, t, tensors):
            seen.append(tensors["latents"].clone())
            return tensors

        original = pipe.scheduler
        pipe.scheduler = EulerDiscreteScheduler.from_config(original.config)
        try:  # the library's answer: the pipeline's own latents after each step
            pipe(prompt, num_inference_steps=steps, guidance_scale=scale, output_type="latent",
                 generator=torch.Generator().manual_seed(seed), callback_on_step_end=record)
        finally:
            pipe.scheduler = original
        atol = 1e-4 if latents.dtype == torch.float32 else 5e-2
        for i, (got, expected) in enumerate(zip(ours, seen)):
            try:
                assert_close(got, expected, f"the latents after step {i + 1}", atol=atol)
            except AssertionError as err:
                raise AssertionError(
                    f"{err} Check the order: duplicate the latents, scheduler.scale_model_input, one "
                    "UNet call, chunk(2) into (uncond, text), combine, scheduler.step(...).prev_sample."
                ) from None

    return run_check("one full classifier-free-guidance step", test)


def check_img2img_timesteps(timesteps_fn, pipe) -> bool | None:
    """``timesteps_fn(scheduler, num_inference_steps, strength)`` → the timesteps img2img runs.

    Compared with ``StableDiffusionImg2ImgPipeline.get_timesteps`` for DDIM, PNDM (one extra
    warm-up timestep) and Heun (``order`` 2: two entries per step) at several strengths.
    """
    from diffusers import DDIMScheduler, HeunDiscreteScheduler, PNDMScheduler, StableDiffusionImg2ImgPipeline

    def test():
        steps = 10
        for scheduler_class in (DDIMScheduler, PNDMScheduler, HeunDiscreteScheduler):
            for strength in (0.3, 0.75, 1.0):
                library = StableDiffusionImg2ImgPipeline(**pipe.components)
                library.scheduler = scheduler_class.from_config(pipe.scheduler.config)
                library.scheduler.set_timesteps(steps)
                expected, _ = library.get_timesteps(steps, strength, "cpu")
                scheduler = scheduler_class.from_config(pipe.scheduler.config)
                scheduler.set_timesteps(steps)
                got = timesteps_fn(scheduler, steps, strength)
                name = f"{scheduler_class.__name__}, strength={strength}"
                assert isinstance(got, torch.Tensor), f"return a tensor of timesteps ({name})."
                assert got.tolist() == expected.tolist(), (
                    f"{name}: expected {expected.tolist()}, got {got.tolist()}. Keep the last "
                    "int(num_inference_steps * strength) steps, counting scheduler.order entries per step.")

    return run_check("img2img start timesteps", test)


# --- notebook 06: training a miniature SD (in their own module, re-exported here) --------------
from course_utils.checks_training import (  # noqa: E402, F401
    check_contrastive_loss,
    check_text_conditioned_loss,
    check_zero_shot,
)
