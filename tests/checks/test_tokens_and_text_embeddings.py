"""Notebook 04's cross-attention exercise: its check accepts the right answer and rejects each usual slip."""

import math

import pytest
import torch
import torch.nn.functional as F

from course_utils.checks import tokens_and_text_embeddings


def cross_attention(attn, hidden_states, context, *, scale_by="head", softmax_dim=-1, project=True, transpose=True):
    """The right answer; each keyword makes one of the usual slips."""
    batch, n_queries, _ = hidden_states.shape
    heads = attn.heads

    def split(x):
        if transpose:
            return x.view(batch, x.shape[1], heads, -1).transpose(1, 2)  # (B, heads, length, d)
        return x.view(batch, heads, x.shape[1], -1)

    q, k, v = split(attn.to_q(hidden_states)), split(attn.to_k(context)), split(attn.to_v(context))
    d = {"head": q.shape[-1], "all heads": q.shape[-1] * heads, "none": 1}[scale_by]
    weights = (q @ k.transpose(-2, -1) / math.sqrt(d)).softmax(dim=softmax_dim)
    mixed = weights @ v  # (B, heads, queries, d)
    merged = (mixed.transpose(1, 2) if transpose else mixed).reshape(batch, n_queries, -1)
    return attn.to_out[0](merged) if project else merged


def with_sdpa(attn, hidden_states, context):
    """PyTorch's fused attention on hand-split heads: it skips the √d and the softmax the exercise is about."""
    batch, n_queries, _ = hidden_states.shape
    q, k, v = (x.view(batch, x.shape[1], attn.heads, -1).transpose(1, 2)
               for x in (attn.to_q(hidden_states), attn.to_k(context), attn.to_v(context)))
    merged = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, n_queries, -1)
    return attn.to_out[0](merged)


def one_head(attn, hidden_states, context):
    """Single-head attention over the full width: no split into heads at all."""
    q, k, v = attn.to_q(hidden_states), attn.to_k(context), attn.to_v(context)
    return attn.to_out[0]((q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(dim=-1) @ v)


def test_the_right_answer_passes(capsys):
    assert tokens_and_text_embeddings.check_cross_attention(cross_attention) is True
    assert "correct" in capsys.readouterr().out


def test_the_fused_attention_is_refused(capsys):
    assert tokens_and_text_embeddings.check_cross_attention(with_sdpa) is False
    assert "write softmax(QKᵀ/√d)·V yourself" in capsys.readouterr().out
    assert F.scaled_dot_product_attention.__name__ == "scaled_dot_product_attention"  # put back after the check


@pytest.mark.parametrize("wrong, hint", [
    (lambda a, h, c: cross_attention(a, h, c, scale_by="none"), "√d"),
    (lambda a, h, c: cross_attention(a, h, c, scale_by="all heads"), "one head's width"),
    (one_head, "one head's width"),
    (lambda a, h, c: cross_attention(a, h, c, softmax_dim=-2), "over the tokens"),
    (lambda a, h, c: cross_attention(a, h, c, project=False), "to_out[0]"),
    (lambda a, h, c: cross_attention(a, h, c, transpose=False), "transpose(1, 2)"),
], ids=["no-sqrt-d", "sqrt-of-all-heads", "one-head", "softmax-over-queries", "no-output-projection",
        "heads-without-transpose"])
def test_each_usual_slip_fails_with_its_hint(wrong, hint, capsys):
    assert tokens_and_text_embeddings.check_cross_attention(wrong) is False
    out = capsys.readouterr().out
    assert "not quite" in out and hint in out


def test_calling_the_module_is_refused(capsys):
    def shortcut(attn, hidden_states, context):
        return attn(hidden_states, encoder_hidden_states=context)

    assert tokens_and_text_embeddings.check_cross_attention(shortcut) is False
    assert "switched off" in capsys.readouterr().out


def test_an_untouched_stub_is_not_attempted(capsys):
    def stub(attn, hidden_states, context):
        raise NotImplementedError

    assert tokens_and_text_embeddings.check_cross_attention(stub) is None
    assert "not attempted" in capsys.readouterr().out


def test_the_check_compares_with_diffusers_module():
    """The reference is the module's own processor: the right answer equals it on SD-shaped weights too."""
    from diffusers.models.attention_processor import Attention

    torch.manual_seed(0)
    attn = Attention(query_dim=320, cross_attention_dim=768, heads=8, dim_head=40).eval()  # SD v1's first attn2
    hidden_states, context = torch.randn(1, 16, 320), torch.randn(1, 77, 768)
    with torch.no_grad():
        assert torch.allclose(cross_attention(attn, hidden_states, context),
                              attn(hidden_states, encoder_hidden_states=context), atol=1e-5, rtol=1e-4)
