"""Exercise checks for notebook 04 (tokens, text embeddings, cross-attention)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from course_utils.checks.verdicts import assert_close, matches, run_check


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


def check_clip_loss(clip_loss_fn) -> bool | None:
    """``clip_loss_fn(image_embeds, text_embeds, logit_scale)`` must equal ``CLIPModel``'s contrastive loss.

    ``logit_scale`` is the learned log-temperature τ (the logits are e^τ times the cosine
    similarities); the reference is transformers' ``image_text_contrastive_loss``.
    """
    from transformers.models.clip.modeling_clip import image_text_contrastive_loss

    def test():
        generator = torch.Generator().manual_seed(0)
        image_embeds = torch.randn(5, 16, generator=generator) * 3  # not unit length on purpose
        text_embeds = image_embeds + torch.randn(5, 16, generator=generator) * 2  # pairs on the diagonal
        logit_scale = torch.tensor(math.log(1 / 0.07))  # CLIP's initial temperature
        unit_image, unit_text = F.normalize(image_embeds, dim=-1), F.normalize(text_embeds, dim=-1)
        logits_per_text = logit_scale.exp() * unit_text @ unit_image.T  # (texts, images)
        expected = image_text_contrastive_loss(logits_per_text)
        got = clip_loss_fn(image_embeds, text_embeds, logit_scale)
        labels = torch.arange(5)
        if matches(got, F.cross_entropy(logits_per_text.T, labels)) or matches(got, F.cross_entropy(logits_per_text, labels)):
            raise AssertionError("that is one direction only: average the images→texts and texts→images losses.")
        if matches(got, image_text_contrastive_loss(logit_scale * unit_text @ unit_image.T)):
            raise AssertionError("logit_scale is a logarithm: multiply the similarities by logit_scale.exp().")
        assert_close(got, expected, "the contrastive loss", atol=1e-5)

    return run_check("CLIP's contrastive loss", test)


def check_attention(attention_fn) -> bool | None:
    """``attention_fn(q, k, v)`` = softmax(QKᵀ/√d)·V per head; compared with ``F.scaled_dot_product_attention``."""

    def test():
        generator = torch.Generator().manual_seed(0)
        q = torch.randn(2, 8, 16, 40, generator=generator)  # (B, heads, image positions, d)
        k = torch.randn(2, 8, 77, 40, generator=generator)  # (B, heads, text tokens, d)
        v = torch.randn(2, 8, 77, 40, generator=generator)
        got = attention_fn(q, k, v)
        expected = F.scaled_dot_product_attention(q, k, v)  # (B, heads, 16, d)
        if matches(got, (q @ k.transpose(-2, -1)).softmax(dim=-1) @ v, atol=1e-4):
            raise AssertionError("the scores must be divided by √d (d = q.shape[-1]) before the softmax.")
        if matches(got, (q @ k.transpose(-2, -1) / math.sqrt(40)).softmax(dim=-2) @ v, atol=1e-4):
            raise AssertionError("softmax over the tokens (the last dimension, dim=-1): each image position's "
                                 "weights must sum to 1.")
        assert_close(got, expected, "the attention output (B, heads, queries, d)", atol=1e-4)

    return run_check("attention from Q, K, V", test)
