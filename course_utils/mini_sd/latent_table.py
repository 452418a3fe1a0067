"""Encode the training set once: every digit in every allowed colour pair, as latent distributions (C44, C53).

Stable Diffusion trains its UNet on latents, and the VAE is frozen by then, so each image's
q(z|x) never changes: encode it once, store the mean and standard deviation, and let every
UNet step draw z = mean + std · ε afresh (the same z ~ q(z|x) as encoding on the fly, without
running the encoder each step). With colours, "each image" is each (digit, ink, background)
that training may show: the 4,500 training digits × their 33 or 34 allowed pairs = 150,750 rows
of 4×8×8 means and standard deviations (154 MB each in float32). A UNet step then costs only the UNet.
"""

from __future__ import annotations

import dataclasses

import torch

from course_utils.arguments import whole_number
from course_utils.data.colours import allowed_pairs, render_digits
from course_utils.data.transforms import digits_to_rgb64
from course_utils.mini_sd.mini_vae import encode_latent_dist


@dataclasses.dataclass(frozen=True)
class LatentTable:
    """One row per training image: q(z|x)'s mean and std ``(R, 4, 8, 8)``, its digit and colours ``(R,)``.

    ``ink`` and ``background`` are palette ids, or None for white-on-black digits.
    """

    means: torch.Tensor
    stds: torch.Tensor
    digit: torch.Tensor
    ink: torch.Tensor | None = None
    background: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.digit)

    def to(self, device) -> "LatentTable":
        return LatentTable(*(None if v is None else v.to(device) for v in dataclasses.astuple(self)))


def encode_digits(vae, pixels, labels, colours: bool = True, batch_size: int = 256, progress: bool = False,
                  pairs_per_digit: int | None = None, seed: int = 0) -> LatentTable:
    """The table of every training image: each digit in each of its allowed ink/background pairs
    (``colours``), or each digit once, white on black.

    ``pairs_per_digit``: only that many of each digit's allowed pairs, drawn at random (``seed``), for
    a short live run on a CPU; None keeps all of them (33 or 34).
    """
    labels = torch.as_tensor(labels).long()  # (N,)
    if pairs_per_digit is not None and (whole_number(pairs_per_digit) is None or whole_number(pairs_per_digit) < 1):
        raise ValueError(f"pairs_per_digit={pairs_per_digit!r} must be a positive int (e.g. 2), or None for all pairs.")
    if not colours:
        means, stds = encode_latent_dist(vae, digits_to_rgb64(pixels), batch_size)
        return LatentTable(means, stds, labels)
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for n in range(len(labels)):
        pairs = allowed_pairs(int(labels[n]))
        keep = range(len(pairs)) if pairs_per_digit is None else \
            torch.randperm(len(pairs), generator=generator)[:pairs_per_digit].sort().values.tolist()
        rows += [(n, *pairs[k]) for k in keep]
    index, ink, background = (torch.tensor(column) for column in zip(*rows))  # (R,) each
    means, stds = [], []
    from tqdm.auto import tqdm

    for i in tqdm(range(0, len(rows), batch_size), disable=not progress, desc="encoding"):
        part = slice(i, i + batch_size)
        images = render_digits(pixels[index[part].numpy()], ink[part], background[part])  # (b, 3, 64, 64)
        mean, std = encode_latent_dist(vae, images, batch_size)
        means.append(mean)
        stds.append(std)
    return LatentTable(torch.cat(means), torch.cat(stds), labels[index], ink, background)
