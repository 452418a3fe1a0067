"""Self-checking exercises: one import for the notebooks (``checks.check_...``).

Each check runs the learner's function against diffusers / transformers and prints a verdict
(``course_utils.verdicts``). The checks live next to the concept they test:

* ``checks_diffusion`` — notebooks 01–02: schedules, the reverse step, v-prediction, timestep
  embeddings, the noising step, the guidance combine;
* ``checks_latents`` — notebook 03: latent shapes, the KL term, the scaling factor;
* ``checks_text`` — notebook 04: truncation, CLIP's contrastive loss, attention;
* ``checks_sampling`` — notebook 05: the DDIM step, img2img's timesteps, guidance rescaling;
* ``checks_training`` — notebook 06: the learning-rate schedule, zero-shot classification, the
  text-conditioned training loss.
"""

from course_utils.checks_diffusion import (  # noqa: F401
    check_betas_from_alphas_cumprod,
    check_guidance_combine,
    check_noising_step,
    check_posterior_step,
    check_timestep_embedding,
    check_velocity,
)
from course_utils.checks_latents import check_kl, check_latent_shape, check_scaling_factor  # noqa: F401
from course_utils.checks_sampling import (  # noqa: F401
    check_ddim_step,
    check_img2img_timesteps,
    check_rescale_noise_cfg,
)
from course_utils.checks_text import check_attention, check_clip_loss, check_count_truncated  # noqa: F401
from course_utils.checks_training import (  # noqa: F401
    check_text_conditioned_loss,
    check_warmup_cosine,
    check_zero_shot,
)
from course_utils.verdicts import assert_close, run_check  # noqa: F401
