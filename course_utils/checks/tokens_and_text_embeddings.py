"""Exercise checks for notebook 04 (tokens, text embeddings, cross-attention)."""

from __future__ import annotations

import copy
import math
from unittest import mock

import torch
import torch.nn.functional as F

from course_utils.checks.verdicts import assert_close, matches, run_check
from course_utils.i18n.lookup import t


def check_count_truncated(count_fn, tokenizer) -> bool | None:
    """``count_fn(tokenizer, prompt)`` must count the tokens that truncation to 77 positions drops."""

    def test():
        prompts = ["A photograph of a puppy", "word " * 75, "word " * 76, "a very long prompt, " * 30]
        for prompt in prompts:
            full_length = len(tokenizer(prompt, truncation=False, verbose=False).input_ids)  # start + words + end
            expected = max(0, full_length - tokenizer.model_max_length)
            got = count_fn(tokenizer, prompt)
            assert got == expected, t("for a prompt of {length} tokens (start and end included) you said {got}, "
                                      "truncation drops {expected}.", length=full_length, got=got, expected=expected)

    return run_check(t("tokens lost to truncation"), test)


def check_clip_loss(clip_loss_fn) -> bool | None:
    """``clip_loss_fn(image_embeds, text_embeds, logit_scale)`` must equal ``CLIPModel``'s contrastive loss.

    ``logit_scale`` is CLIP's learned λ = log(1/τ), the logarithm of the inverse temperature: the logits
    are e^λ = 1/τ times the cosine similarities (Radford et al., 2021). The reference is transformers'
    ``image_text_contrastive_loss``.
    """
    from transformers.models.clip.modeling_clip import image_text_contrastive_loss

    def test():
        generator = torch.Generator().manual_seed(0)
        image_embeds = torch.randn(5, 16, generator=generator) * 3  # not unit length on purpose
        text_embeds = image_embeds + torch.randn(5, 16, generator=generator) * 2  # pairs on the diagonal
        logit_scale = torch.tensor(math.log(1 / 0.07))  # λ at CLIP's start: temperature τ = 0.07
        unit_image, unit_text = F.normalize(image_embeds, dim=-1), F.normalize(text_embeds, dim=-1)
        logits_per_text = logit_scale.exp() * unit_text @ unit_image.T  # (texts, images)
        expected = image_text_contrastive_loss(logits_per_text)
        got = clip_loss_fn(image_embeds, text_embeds, logit_scale)
        labels = torch.arange(5)
        if matches(got, F.cross_entropy(logits_per_text.T, labels)) or matches(got, F.cross_entropy(logits_per_text, labels)):
            raise AssertionError(t("that is one direction only: average the images→texts and texts→images losses."))
        if matches(got, image_text_contrastive_loss(logit_scale * unit_text @ unit_image.T)):
            raise AssertionError(t("logit_scale is a logarithm: multiply the similarities by logit_scale.exp()."))
        assert_close(got, expected, t("the contrastive loss"), atol=1e-5)

    return run_check(t("CLIP's contrastive loss"), test)


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
            raise AssertionError(t("the scores must be divided by √d (d = q.shape[-1]) before the softmax."))
        if matches(got, (q @ k.transpose(-2, -1) / math.sqrt(40)).softmax(dim=-2) @ v, atol=1e-4):
            raise AssertionError(t("softmax over the tokens (the last dimension, dim=-1): each image position's "
                                   "weights must sum to 1."))
        assert_close(got, expected, t("the attention output (B, heads, queries, d)"), atol=1e-4)

    return run_check(t("attention from Q, K, V"), test)


class _DoItByHand:
    """An attention processor that refuses to run: the exercise rebuilds the module's output by hand."""

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, **kwargs):
        raise AssertionError(t("the module itself is switched off inside the check: compute the output from "
                               "attn.to_q, attn.to_k, attn.to_v, attn.heads and attn.to_out."))


def _fused_attention_refused(*args, **kwargs):
    """Stands in for ``F.scaled_dot_product_attention`` while the learner's function runs."""
    raise AssertionError(t("F.scaled_dot_product_attention does the √d, the softmax and the weighted sum for you, and "
                           "it is what the check compares with: write softmax(QKᵀ/√d)·V yourself."))


def _cross_attention(attn, hidden_states, context, *, heads=None, scale=None, softmax_dim=-1,
                     transpose_heads=True, output_projection=True):
    """The module's output by hand, or one of the usual slips (each keyword changes one step)."""
    heads = heads or attn.heads
    batch, n_queries, _ = hidden_states.shape

    def split(x):  # (B, length, heads · d) → (B, heads, length, d)
        if transpose_heads:
            return x.view(batch, x.shape[1], heads, -1).transpose(1, 2)
        return x.view(batch, heads, x.shape[1], -1)  # the slip: positions and heads mixed up

    q, k, v = split(attn.to_q(hidden_states)), split(attn.to_k(context)), split(attn.to_v(context))
    scale = q.shape[-1] ** -0.5 if scale is None else scale  # 1/√d, d = per-head width
    weights = (q @ k.transpose(-2, -1) * scale).softmax(dim=softmax_dim)  # (B, heads, queries, tokens)
    mixed = weights @ v  # (B, heads, queries, d)
    merged = mixed.transpose(1, 2).reshape(batch, n_queries, -1) if transpose_heads else mixed.reshape(batch, n_queries, -1)
    return attn.to_out[0](merged) if output_projection else merged


def check_cross_attention(cross_attention_fn) -> bool | None:
    """``cross_attention_fn(attn, hidden_states, context)`` must return what a diffusers ``Attention`` returns.

    The check builds ``Attention(query_dim=64, cross_attention_dim=48, heads=4, dim_head=16)`` with random
    weights, runs the module itself (diffusers' processor, ``F.scaled_dot_product_attention``) for the
    reference, and hands the learner a copy of the same weights whose processor refuses to run;
    ``F.scaled_dot_product_attention`` refuses too while the learner's function runs. It
    recognises the usual slips: no 1/√d, the width of all heads in place of one head's, the softmax over
    the queries instead of the tokens, heads split without the transpose, and a missing output projection.
    """
    from diffusers.models.attention_processor import Attention

    def test():
        generator = torch.Generator().manual_seed(0)
        attn = Attention(query_dim=64, cross_attention_dim=48, heads=4, dim_head=16, out_bias=True).eval()
        with torch.no_grad():
            for parameter in attn.parameters():
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.25)
            hidden_states = torch.randn(2, 16, 64, generator=generator)  # (B, image positions, query_dim)
            context = torch.randn(2, 77, 48, generator=generator)  # (B, text tokens, cross_attention_dim)
            expected = attn(hidden_states, encoder_hidden_states=context)  # (B, 16, 64): diffusers' own
            theirs = copy.deepcopy(attn)
            theirs.set_processor(_DoItByHand())
            with mock.patch.object(F, "scaled_dot_product_attention", _fused_attention_refused):
                got = cross_attention_fn(theirs, hidden_states.clone(), context.clone())

            def slip(**change):
                return matches(got, _cross_attention(attn, hidden_states, context, **change), atol=1e-4)

            d, inner_dim = 16, 64
            if slip(scale=1.0):
                raise AssertionError(t("the scores must be divided by √d before the softmax; without it the "
                                       "softmax is far too peaked."))
            if slip(scale=inner_dim ** -0.5) or slip(heads=1):
                raise AssertionError(t("d is one head's width (inner_dim / heads = {inner_dim} / 4 = {d}), not "
                                       "the width of all heads together: split Q, K and V into attn.heads heads "
                                       "and scale each head's scores by 1/√d.", inner_dim=inner_dim, d=d))
            if slip(softmax_dim=-2) or slip(softmax_dim=1):
                raise AssertionError(t("the softmax runs over the tokens (the last axis of the scores, dim=-1): "
                                       "each image position's weights over the text must sum to 1."))
            if slip(output_projection=False):
                raise AssertionError(t("after merging the heads, apply the output projection W_O: attn.to_out[0] "
                                       "(a Linear with a bias; to_out[1] is dropout)."))
            if slip(transpose_heads=False):
                raise AssertionError(t("the heads were split with a plain view(B, heads, length, d): view as "
                                       "(B, length, heads, d), then transpose(1, 2); merge back the same way."))
            assert_close(got, expected, t("the cross-attention output (B, queries, query_dim)"), atol=1e-4)

    return run_check(t("cross-attention by hand"), test)
