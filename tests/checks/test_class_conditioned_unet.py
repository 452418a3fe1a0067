"""Notebook 02's exercise checks: the right answer passes, each usual wrong one fails with a hint
that names it, and an untouched stub is reported as not attempted."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import class_conditioned_unet as checks


class ResBlockLayers(nn.Module):
    """The layers of diffusers' ResnetBlock2D, under its names (as notebook 02 gives them to the learner)."""

    def __init__(self, in_channels, out_channels, temb_channels, groups=8, eps=1e-5):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=eps)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_channels, out_channels)
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=eps)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def shortcut(self, x):
        return x if self.conv_shortcut is None else self.conv_shortcut(x)


class RightResBlock(ResBlockLayers):
    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.shortcut(x)


class AddedToTheInput(ResBlockLayers):  # the embedding before the first norm
    def forward(self, x, temb):
        h = x + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv1(F.silu(self.norm1(h)))
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.shortcut(x)


class AddedBeforeTheFirstConv(ResBlockLayers):
    def forward(self, x, temb):
        h = F.silu(self.norm1(x)) + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(self.conv1(h))))
        return h + self.shortcut(x)


class AddedAfterTheSecondNorm(ResBlockLayers):
    def forward(self, x, temb):
        h = self.norm2(self.conv1(F.silu(self.norm1(x))))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        return self.conv2(F.silu(h)) + self.shortcut(x)


class NoActivationOnTheEmbedding(ResBlockLayers):
    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x))) + self.time_emb_proj(temb)[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h))) + self.shortcut(x)


class NoActivationAfterTheFirstNorm(ResBlockLayers):
    def forward(self, x, temb):
        h = self.conv1(self.norm1(x)) + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h))) + self.shortcut(x)


class NoActivationAfterTheSecondNorm(ResBlockLayers):
    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x))) + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        return self.conv2(self.norm2(h)) + self.shortcut(x)


class NoResidual(ResBlockLayers):
    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x))) + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h)))


class IgnoresTheTimestep(ResBlockLayers):
    def forward(self, x, temb):
        return self.conv2(F.silu(self.norm2(self.conv1(F.silu(self.norm1(x)))))) + self.shortcut(x)


class Unattempted(ResBlockLayers):
    def forward(self, x, temb):
        raise NotImplementedError


class OwnLayerNames(nn.Module):
    def __init__(self, in_channels, out_channels, temb_channels, groups=8):
        super().__init__()
        self.first_norm = nn.GroupNorm(groups, in_channels)

    def forward(self, x, temb):
        return x


def test_the_right_resblock_passes_on_diffusers_weights():
    assert checks.check_resblock(RightResBlock) is True


def test_the_right_resblock_equals_diffusers_own_forward():
    from diffusers.models.resnet import ResnetBlock2D

    torch.manual_seed(0)
    reference = ResnetBlock2D(in_channels=8, out_channels=16, temb_channels=32, groups=4, eps=1e-5).eval()
    x, temb = torch.randn(2, 8, 8, 8), torch.randn(2, 32)
    with torch.no_grad():
        expected = reference(x, temb)
        assert torch.allclose(checks.resblock_with_mistake(reference, x, temb), expected, atol=1e-5)
        ours = RightResBlock(8, 16, 32, groups=4)
        ours.load_state_dict(reference.state_dict())
        assert torch.allclose(ours(x, temb), expected, atol=1e-5)


@pytest.mark.parametrize("wrong, hint", [
    (AddedToTheInput, "before norm1 and conv1"),
    (AddedBeforeTheFirstConv, "before conv1"),
    (AddedAfterTheSecondNorm, "after norm2"),
    (NoActivationOnTheEmbedding, "time_emb_proj(SiLU(temb))"),
    (NoActivationAfterTheFirstNorm, "between norm1 and conv1"),
    (NoActivationAfterTheSecondNorm, "between norm2 and conv2"),
    (NoResidual, "residual is missing"),
    (IgnoresTheTimestep, "does not depend on the time embedding"),
], ids=lambda value: value.__name__ if isinstance(value, type) else "")
def test_each_usual_wrong_resblock_fails_with_its_hint(wrong, hint, capsys):
    assert checks.check_resblock(wrong) is False
    assert hint in capsys.readouterr().out


def test_layers_under_other_names_are_refused_with_diffusers_names(capsys):
    assert checks.check_resblock(OwnLayerNames) is False
    assert "time_emb_proj" in capsys.readouterr().out


def test_an_unattempted_resblock_is_not_a_failure():
    assert checks.check_resblock(Unattempted) is None


def guidance_right(noise_pred_null, noise_pred_class, guidance_scale):
    return noise_pred_null + guidance_scale * (noise_pred_class - noise_pred_null)


def guidance_from_ho_salimans(noise_pred_null, noise_pred_class, guidance_scale):
    w = guidance_scale - 1  # diffusers' s = w + 1
    return (1 + w) * noise_pred_class - w * noise_pred_null


def test_the_guidance_combine_accepts_both_ways_of_writing_it():
    assert checks.check_guidance_combine(guidance_right) is True
    assert checks.check_guidance_combine(guidance_from_ho_salimans) is True


@pytest.mark.parametrize("wrong, hint", [
    (lambda null, cond, s: (1 + s) * cond - s * null, "w = s − 1"),  # s taken for w
    (lambda null, cond, s: (2 + s) * cond - (1 + s) * null, "not s + 1"),  # w = s + 1
    (lambda null, cond, s: cond + s * (null - cond), "swapped"),
], ids=["s taken for w", "w = s + 1", "swapped"])
def test_each_usual_wrong_guidance_fails_with_its_hint(wrong, hint, capsys):
    assert checks.check_guidance_combine(wrong) is False
    assert hint in capsys.readouterr().out


def test_an_unattempted_guidance_combine_is_not_a_failure():
    def stub(noise_pred_null, noise_pred_class, guidance_scale):
        raise NotImplementedError

    assert checks.check_guidance_combine(stub) is None
