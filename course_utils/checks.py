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
