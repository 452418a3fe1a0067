"""Cross-attention maps: where in the image each prompt token is read (notebook 04, C27).

In every transformer block of SD's UNet, ``attn2`` lets each latent position (a query) attend over
the 77 text tokens (keys and values). Its attention probabilities

    P = softmax(Q Kᵀ / √d)      (Vaswani et al. 2017, eq. 1), per head: (B, heads, h·w, 77)

have one row per latent position (how that position splits its attention over the tokens) and one
column per token: column k, reshaped to h × w, is a map of where token k is read. Prompt-to-prompt
(Hertz et al. 2022) and Attend-and-Excite (Chefer et al. 2023) record these maps the same way: a
diffusers attention processor that computes the softmax explicitly and keeps it.

* ``cross_attention_probs``: P for one ``Attention`` module, written out.
* ``AttentionRecorder``: a processor that computes ``attn2``'s output from P (so the output does not
  change) and adds P, averaged over heads, to a running sum per layer.
* ``record_cross_attention(unet)``: installs a recorder on every ``attn2`` and restores the old
  processors on exit.
* ``token_maps``: the recorded maps averaged over calls, heads and layers at the latent resolution.
* ``mass_on``: the share of each token's map that falls on a region (e.g. a digit's ink).
* ``ink_region``: where a coloured drawing's ink is, found by colour, on the maps' grid.
"""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F

from course_utils.colour_judge import background_colour, check_images, ink_colour


def cross_attention_probs(attn, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor,
                          attention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """softmax(Q Kᵀ / √d) of a diffusers ``Attention`` module: (B, heads, queries, tokens).

    ``hidden_states``: (B, queries, query_dim), the image positions; ``encoder_hidden_states``:
    (B, tokens, cross_attention_dim), the text. ``attn.scale`` is 1/√d unless a model sets another.
    """
    batch = hidden_states.shape[0]
    if attn.norm_cross:
        encoder_hidden_states = attn.norm_encoder_hidden_states(encoder_hidden_states)
    query = attn.head_to_batch_dim(attn.to_q(hidden_states))  # (B·heads, queries, d)
    key = attn.head_to_batch_dim(attn.to_k(encoder_hidden_states))  # (B·heads, tokens, d)
    if attention_mask is not None:
        attention_mask = attn.prepare_attention_mask(attention_mask, key.shape[1], batch)
    probs = attn.get_attention_scores(query, key, attention_mask)  # (B·heads, queries, tokens), rows sum to 1
    return probs.view(batch, attn.heads, *probs.shape[1:])  # (B, heads, queries, tokens)


class AttentionRecorder:
    """A diffusers attention processor for cross-attention that keeps its probabilities.

    The output is computed as the default processor computes it, from the same P:
    out = W_O · concat_heads(P V). Each call adds P averaged over heads, (B, queries, tokens), to
    ``sums[name]`` and counts the call, so a 50-step run costs the memory of one map per layer.
    """

    def __init__(self, name: str, sums: dict, counts: dict):
        self.name, self.sums, self.counts = name, sums, counts

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None,
                 *args, **kwargs):
        if encoder_hidden_states is None:
            raise ValueError(f"{self.name}: AttentionRecorder is for cross-attention (attn2), which reads the text, but "
                             "this call got no encoder_hidden_states. Install it only on attn2 layers (as "
                             "record_cross_attention does) and call the UNet with encoder_hidden_states=(B, 77, D).")
        if hidden_states.ndim != 3 or attn.group_norm is not None or attn.spatial_norm is not None:
            raise NotImplementedError(f"{self.name}: only the attention of SD's transformer blocks (hidden_states of "
                                      "shape (B, h·w, C), no group or spatial norm) is supported; record an SD "
                                      "UNet2DConditionModel such as pipe.unet.")
        residual = hidden_states  # (B, queries, query_dim)
        probs = cross_attention_probs(attn, hidden_states, encoder_hidden_states, attention_mask)  # (B, heads, q, T)
        context = attn.norm_encoder_hidden_states(encoder_hidden_states) if attn.norm_cross else encoder_hidden_states
        value = attn.head_to_batch_dim(attn.to_v(context))  # (B·heads, tokens, d)
        mixed = torch.bmm(probs.flatten(0, 1), value)  # (B·heads, queries, d): each position's mix of the tokens
        out = attn.to_out[1](attn.to_out[0](attn.batch_to_head_dim(mixed)))  # (B, queries, query_dim)
        if attn.residual_connection:
            out = out + residual
        out = out / attn.rescale_output_factor

        head_mean = probs.detach().float().mean(dim=1)  # (B, queries, tokens)
        self.sums[self.name] = self.sums.get(self.name, 0) + head_mean
        self.counts[self.name] = self.counts.get(self.name, 0) + 1
        return out


class CrossAttentionRecord:
    """What ``record_cross_attention`` collects: per ``attn2`` layer, a sum of head-averaged P and a count."""

    def __init__(self):
        self.sums: dict[str, torch.Tensor] = {}  # layer name → (B, queries, tokens)
        self.counts: dict[str, int] = {}  # layer name → calls (one per denoising step)

    def mean(self, name: str) -> torch.Tensor:
        """Layer ``name``'s P averaged over heads and calls: (B, queries, tokens)."""
        self.check_not_empty()
        if name not in self.sums:
            raise KeyError(f"No layer {name!r} was recorded; the recorded layers are {sorted(self.sums)}.")
        return self.sums[name] / self.counts[name]

    def check_not_empty(self) -> None:
        """Refuse to read maps when no UNet call ran while the recorder was installed."""
        if not self.sums:
            raise ValueError(
                "Nothing was recorded: no UNet call ran inside `with record_cross_attention(unet) as record:` "
                "(or record.reset() cleared it). Run the pipeline or the UNet inside the with block, with the "
                "same UNet you passed in (pipe.unet for a pipeline), then read the maps; after the block is fine."
            )

    def reset(self) -> None:
        self.sums.clear()
        self.counts.clear()


@contextlib.contextmanager
def record_cross_attention(unet):
    """Within the block, every ``attn2`` of ``unet`` records its attention; yields a ``CrossAttentionRecord``."""
    check_has_cross_attention(unet)
    original = dict(unet.attn_processors)  # "down_blocks.0.attentions.0.transformer_blocks.0.attn2.processor" → …
    record = CrossAttentionRecord()
    processors = {
        name: AttentionRecorder(name.removesuffix(".processor"), record.sums, record.counts)
        if name.endswith("attn2.processor") else processor
        for name, processor in original.items()
    }
    unet.set_attn_processor(processors)
    try:
        yield record
    finally:
        unet.set_attn_processor(original)


def check_has_cross_attention(unet) -> None:
    """Refuse, with the fix, what has no ``attn2`` to record: a pipeline, a UNet2DModel, a UNet without text."""
    kind = type(unet).__name__
    if not hasattr(unet, "attn_processors") or not hasattr(unet, "set_attn_processor"):
        if hasattr(unet, "unet"):
            raise TypeError(f"record_cross_attention takes the UNet, not the {kind}: use "
                            "record_cross_attention(pipe.unet).")
        raise TypeError(f"A {kind} has no cross-attention to record: record_cross_attention needs a text-conditioned "
                        "UNet2DConditionModel (SD's pipe.unet), whose attn2 layers read the prompt. A UNet2DModel "
                        "(such as notebook 02's class-conditioned one) is conditioned without text, so it has no "
                        "token maps.")
    if not any(name.endswith("attn2.processor") for name in unet.attn_processors):
        blocks = getattr(getattr(unet, "config", None), "down_block_types", None)
        raise ValueError(f"This {kind} has no cross-attention (attn2) layers" + (f" (its blocks are {list(blocks)})"
                         if blocks else "") + ", so nothing reads the text and there are no token maps to record. "
                         "Record SD's UNet (pipe.unet), or build one with CrossAttnDownBlock2D/CrossAttnUpBlock2D "
                         "blocks and a cross_attention_dim.")


def token_maps(record: CrossAttentionRecord, latent_size: tuple[int, int], batch_index: int = -1,
               resolutions: tuple[int, ...] | None = None) -> torch.Tensor:
    """One map per token, (tokens, h, w) at the latent resolution: P averaged over calls, heads and layers.

    Each layer's map (its queries are an h_l × w_l grid, h_l = h / 2^level) is resized bilinearly to
    the latent's h × w before the layers are averaged. ``batch_index``: which prompt of the batch
    (with classifier-free guidance the pipeline's batch is [unconditional, text], so −1 is the text).
    ``resolutions``: keep only layers whose grid height is one of these (None: all layers).
    """
    record.check_not_empty()
    height, width = latent_size
    batch = next(iter(record.sums.values())).shape[0]
    if not -batch <= batch_index < batch:
        raise IndexError(f"batch_index={batch_index}, but the recorded batch has {batch} entries (with guidance the "
                         "pipeline's batch is [unconditional, text]: −1 is the text, 0 the unconditional branch).")
    maps, heights = [], set()
    for name in record.sums:
        layer = record.mean(name)[batch_index]  # (queries, tokens)
        scale = round((height * width / layer.shape[0]) ** 0.5)  # 1, 2, 4, 8: how far down the UNet this layer is
        grid = (height // scale, width // scale) if scale else (0, 0)
        if grid[0] * grid[1] != layer.shape[0]:
            raise ValueError(f"{name}: {layer.shape[0]} queries do not form a grid of the latent's {latent_size}: "
                             "pass the latent size of the run you recorded, (height // 8, width // 8) for SD.")
        heights.add(grid[0])
        if resolutions is not None and grid[0] not in resolutions:
            continue
        layer = layer.T.reshape(1, -1, *grid)  # (1, tokens, h_l, w_l)
        maps.append(F.interpolate(layer, size=latent_size, mode="bilinear", align_corners=False)[0])  # (tokens, h, w)
    if not maps:
        raise ValueError(f"No recorded layer has a grid of height in resolutions={resolutions}; the recorded "
                         f"layers' heights are {sorted(heights)}: pick from those, or resolutions=None for all.")
    return torch.stack(maps).mean(dim=0)  # (tokens, h, w)


def mass_on(maps: torch.Tensor, region: torch.Tensor) -> torch.Tensor:
    """Share of each token's attention that falls on ``region``: Σ map·region / Σ map, shape (tokens,).

    ``maps``: (tokens, h, w), non-negative; ``region``: (h, w) weights in [0, 1] (e.g. the fraction of
    ink in each latent cell). A token that attended everywhere equally would get region.mean().
    """
    if region.shape != maps.shape[1:]:
        raise ValueError(f"region {tuple(region.shape)} must have the maps' size {tuple(maps.shape[1:])}")
    region = region.to(maps)
    return (maps * region).sum(dim=(1, 2)) / maps.sum(dim=(1, 2))  # (tokens,)


def ink_region(images: torch.Tensor, size: tuple[int, int], threshold: float = 0.5) -> torch.Tensor:
    """Fraction of ink in each cell of a ``size`` grid, ``(h, w)``: the ink found by its colour, not its brightness.

    ``images``: one picture ``(1, 3, H, W)`` in [0, 1] of a drawing in one ink colour on one background colour
    (the mini SD's digits; H = W a multiple of 32). The colours are read as ``course_utils.colour_judge`` reads
    them: the background is the border's median colour, the ink the median colour of the pixels farthest from
    it. Each pixel p is projected on the segment from the background colour to the ink colour,

        x = clamp(⟨p − bg, ink − bg⟩ / |ink − bg|², 0, 1)      (0 on the background, 1 on the ink),

    and counts as ink where x > ``threshold``. A dark ink on a light background (black on white) is found as
    surely as a light one on a dark background, which a brightness threshold gets backwards.
    """
    check_images(images)
    if images.shape[0] != 1:
        raise ValueError(f"ink_region reads one picture, got a batch of {images.shape[0]}: pass images[k:k + 1].")
    images = images.detach().float().cpu()
    background_rgb = background_colour(images)  # (1, 3): the border's median colour
    ink_rgb = ink_colour(images, background_rgb)  # (1, 3): the median of the pixels farthest from it
    along = (ink_rgb - background_rgb)[0, :, None, None]  # (3, 1, 1): background → ink
    offset = images[0] - background_rgb[0, :, None, None]  # (3, H, W)
    x = (offset * along).sum(dim=0) / (along**2).sum().clamp(min=1e-6)  # (H, W): 0 on the background, 1 on the ink
    ink = (x > threshold).float()  # (H, W) 1 on the strokes
    return F.adaptive_avg_pool2d(ink[None, None], size)[0, 0]  # (h, w) share of each cell that is ink
