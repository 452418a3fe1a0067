"""course_utils.lora.low_rank: LoRA written by hand equals peft's LoRA (outputs, parameter counts, merged
weights, initialisation), both on a small attention block and on a tiny diffusers UNet."""

import copy
import math

import pytest
import torch
from peft import LoraConfig, PeftModel, get_peft_model
from peft.tuners.lora import LoraLayer
from torch import nn

from course_utils import config
from course_utils.lora import low_rank
from course_utils.lora.low_rank import (
    UNET_ATTENTION_TARGETS,
    LoRALinear,
    add_lora,
    count_lora_parameters,
    merge_lora,
)

RANK, ALPHA = 4, 8  # α/r = 2: a missing or upside-down scaling shows


class AttentionBlock(nn.Module):
    """One cross-attention with diffusers' layer names (to_q, to_k, to_v, to_out.0) and a feed-forward layer."""

    def __init__(self, dim=12, context_dim=6, inner_dim=16):
        super().__init__()
        self.to_q = nn.Linear(dim, inner_dim, bias=False)
        self.to_k = nn.Linear(context_dim, inner_dim, bias=False)
        self.to_v = nn.Linear(context_dim, inner_dim, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(inner_dim, dim), nn.Dropout(0.0)])
        self.ff = nn.Linear(dim, dim)

    def forward(self, hidden_states, encoder_hidden_states):
        q = self.to_q(hidden_states)  # (B, N, inner)
        k, v = self.to_k(encoder_hidden_states), self.to_v(encoder_hidden_states)  # (B, M, inner)
        attention = (q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])).softmax(dim=-1)  # (B, N, M)
        hidden_states = hidden_states + self.to_out[1](self.to_out[0](attention @ v))  # (B, N, dim)
        return hidden_states + self.ff(hidden_states)


def attention_block():
    torch.manual_seed(0)
    return AttentionBlock()


def tiny_unet():
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    return UNet2DConditionModel(
        sample_size=8, block_out_channels=(32, 64), layers_per_block=1, norm_num_groups=8, cross_attention_dim=16,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"))


def run(model):
    """The model's output on fixed inputs."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        if isinstance(model.get_base_model() if isinstance(model, PeftModel) else model, AttentionBlock):
            return model(torch.randn(2, 5, 12, generator=generator), torch.randn(2, 3, 6, generator=generator))
        sample = torch.randn(2, 4, 8, 8, generator=generator)  # (B, 4, h, w)
        context = torch.randn(2, 5, 16, generator=generator)  # (B, tokens, cross_attention_dim)
        return model(sample, torch.tensor([10, 500]), encoder_hidden_states=context).sample


def peft_config():
    return LoraConfig(r=RANK, lora_alpha=ALPHA, target_modules=list(UNET_ATTENTION_TARGETS), init_lora_weights=True)


def with_peft(model, how):
    """(the model to call, the module tree holding peft's LoRA layers) for get_peft_model or add_adapter."""
    model = copy.deepcopy(model)
    if how == "get_peft_model":
        peft_model = get_peft_model(model, peft_config())
        return peft_model, peft_model.base_model.model
    model.add_adapter(peft_config())  # diffusers' way, as SD LoRA training scripts do
    return model, model


def peft_layers(tree):
    return {name: layer for name, layer in tree.named_modules() if isinstance(layer, LoraLayer)}


def trained_pair(model, how="get_peft_model"):
    """peft's LoRA with random A and B, and the course's with the same A and B copied in."""
    theirs, tree = with_peft(model, how)
    generator = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for layer in peft_layers(tree).values():
            layer.lora_B["default"].weight.copy_(torch.randn(layer.lora_B["default"].weight.shape, generator=generator))
    mine = copy.deepcopy(model)
    add_lora(mine, UNET_ATTENTION_TARGETS, RANK, ALPHA)
    with torch.no_grad():
        for name, layer in peft_layers(tree).items():
            mine.get_submodule(name).lora_A.copy_(layer.lora_A["default"].weight)  # (r, in_features)
            mine.get_submodule(name).lora_B.copy_(layer.lora_B["default"].weight)  # (out_features, r)
    return theirs, mine


MODELS = {"attention block": attention_block, "tiny UNet": tiny_unet}
CASES = [("attention block", "get_peft_model"), ("tiny UNet", "get_peft_model"), ("tiny UNet", "add_adapter")]


@pytest.mark.parametrize("model_name, how", CASES)
def test_lora_wraps_the_layers_peft_wraps_and_gives_its_outputs(model_name, how):
    model = MODELS[model_name]()
    theirs, mine = trained_pair(model, how)
    wrapped = sorted(name for name, layer in mine.named_modules() if isinstance(layer, LoRALinear))
    assert wrapped == sorted(peft_layers(with_peft(model, how)[1]))
    expected = run(theirs)
    assert not torch.allclose(expected, run(model), **config.tolerance(expected))  # B ≠ 0: the update counts
    torch.testing.assert_close(run(mine), expected, **config.tolerance(expected))


@pytest.mark.parametrize("model_name", MODELS)
def test_a_fresh_lora_model_is_exactly_the_base_model(model_name):
    model = MODELS[model_name]()
    mine = copy.deepcopy(model)
    add_lora(mine, UNET_ATTENTION_TARGETS, RANK, ALPHA)
    assert torch.equal(run(mine), run(model))  # B = 0: W0 x + (α/r) · 0 · A x
    assert torch.equal(run(with_peft(model, "get_peft_model")[0]), run(model))


@pytest.mark.parametrize("model_name, how", CASES)
def test_trainable_parameters_match_peft_and_the_count_from_shapes(model_name, how):
    model = MODELS[model_name]()
    theirs, mine = trained_pair(model, how)
    trainable = {name: p.numel() for name, p in mine.named_parameters() if p.requires_grad}
    assert trainable and all(name.endswith((".lora_A", ".lora_B")) for name in trainable)
    peft_trainable = sum(p.numel() for p in theirs.parameters() if p.requires_grad)
    assert sum(trainable.values()) == peft_trainable == count_lora_parameters(model, UNET_ATTENTION_TARGETS, RANK)
    if how == "get_peft_model":
        assert theirs.get_nb_trainable_parameters()[0] == peft_trainable
    layers = [layer for layer in mine.modules() if isinstance(layer, LoRALinear)]
    assert sum(layer.num_trainable() for layer in layers) == peft_trainable
    assert count_lora_parameters(model, UNET_ATTENTION_TARGETS, RANK) == sum(
        low_rank.lora_parameter_count(layer.base_layer.in_features, layer.base_layer.out_features, RANK)
        for layer in layers)


def test_lora_parameter_count_is_r_times_in_plus_out():
    assert low_rank.lora_parameter_count(320, 768, 4) == 4 * (320 + 768)
    layer = LoRALinear(nn.Linear(320, 768), rank=4, alpha=4)
    assert layer.num_trainable() == 4 * (320 + 768) < 320 * 768


@pytest.mark.parametrize("model_name", MODELS)
def test_merge_lora_gives_peft_merge_and_unload_weights(model_name):
    model = MODELS[model_name]()
    theirs, mine = trained_pair(model)
    lora_output = run(mine)
    merged = merge_lora(mine)
    expected = theirs.merge_and_unload().state_dict()
    assert merged.state_dict().keys() == expected.keys() == model.state_dict().keys()
    for name, weight in expected.items():
        torch.testing.assert_close(merged.state_dict()[name], weight, **config.tolerance(weight))
    assert not any(isinstance(layer, LoRALinear) for layer in merged.modules())
    assert sum(p.numel() for p in merged.parameters()) == sum(p.numel() for p in model.parameters())
    torch.testing.assert_close(run(merged), lora_output, **config.tolerance(lora_output))


def test_merged_weight_is_w0_plus_scaled_b_a():
    torch.manual_seed(0)
    layer = LoRALinear(nn.Linear(10, 7), rank=3, alpha=6)
    with torch.no_grad():
        layer.lora_B.normal_()
    expected = layer.base_layer.weight + (6 / 3) * layer.lora_B @ layer.lora_A  # W0 + (α/r) B A
    torch.testing.assert_close(layer.merged_weight(), expected, **config.tolerance(expected))
    x = torch.randn(4, 10)
    torch.testing.assert_close(layer(x), x @ expected.T + layer.base_layer.bias, **config.tolerance(expected))


def test_initialisation_follows_peft_default():
    """A: kaiming-uniform (a = √5), uniform in ±1/√in_features as nn.Linear's own weights; B: zeros."""
    torch.manual_seed(0)
    base = nn.Linear(256, 384)
    theirs = get_peft_model(nn.Sequential(copy.deepcopy(base)), LoraConfig(r=64, lora_alpha=64, target_modules=["0"],
                                                                             init_lora_weights=True))
    peft_layer = theirs.base_model.model[0]
    mine = LoRALinear(copy.deepcopy(base), rank=64, alpha=64)
    bound = 1 / math.sqrt(256)
    for lora_A, lora_B in ((mine.lora_A, mine.lora_B), (peft_layer.lora_A["default"].weight,
                                                        peft_layer.lora_B["default"].weight)):
        assert lora_A.shape == (64, 256) and lora_B.shape == (384, 64)
        assert torch.count_nonzero(lora_B) == 0
        assert lora_A.abs().max() <= bound and lora_A.abs().max() > 0.99 * bound
        assert abs(lora_A.std().item() - bound / math.sqrt(3)) < 0.02 * bound  # a uniform's std: bound / √3
        assert abs(lora_A.mean().item()) < 0.03 * bound  # about 7 standard errors of the mean


def test_only_lora_a_and_b_are_trained():
    model = tiny_unet()
    replaced = add_lora(model, UNET_ATTENTION_TARGETS, RANK, ALPHA)
    assert len(replaced) == 4 * 2 * 4  # q, k, v, out × (self, cross) × 4 transformer blocks (1 down, 1 mid, 2 up)
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, LoRALinear):
                layer.lora_B.normal_()  # B = 0 would leave A without a gradient
    run_output = model(torch.randn(1, 4, 8, 8), 10, encoder_hidden_states=torch.randn(1, 5, 16)).sample
    run_output.square().mean().backward()
    with_grad = {name for name, p in model.named_parameters() if p.grad is not None}
    assert with_grad == {name for name, p in model.named_parameters() if p.requires_grad}
    assert with_grad == {f"{name}.{part}" for name in replaced for part in ("lora_A", "lora_B")}


BAD_RANKS = [0, -1, 13, 2.5, True, "4", None]


@pytest.mark.parametrize("rank", BAD_RANKS)
def test_a_bad_rank_is_refused_with_the_fix(rank):
    with pytest.raises(ValueError, match=r"rank=.*whole number from 1 to 12"):
        LoRALinear(nn.Linear(12, 16), rank=rank, alpha=4)
    model = attention_block()
    with pytest.raises(ValueError, match="rank"):
        add_lora(model, UNET_ATTENTION_TARGETS, rank, 4)
    assert not any(isinstance(layer, LoRALinear) for layer in model.modules())  # nothing half-done
    assert all(p.requires_grad for p in model.parameters())


def test_the_rank_is_checked_against_every_target():
    with pytest.raises(ValueError, match="from 1 to 6"):  # to_k and to_v read the 6-d context
        add_lora(attention_block(), UNET_ATTENTION_TARGETS, 8, 8)


@pytest.mark.parametrize("alpha", [0, -2, float("nan"), True, "8", None])
def test_a_bad_alpha_is_refused_with_the_fix(alpha):
    with pytest.raises(ValueError, match=r"alpha=.*positive number"):
        LoRALinear(nn.Linear(12, 16), rank=4, alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        add_lora(attention_block(), UNET_ATTENTION_TARGETS, 4, alpha)


def test_unknown_targets_list_linear_layers_that_exist():
    model = tiny_unet()
    for call in (lambda: add_lora(model, ("to_x", "attn"), RANK, ALPHA),
                 lambda: count_lora_parameters(model, ("to_x", "attn"), RANK)):
        with pytest.raises(ValueError, match="none of target_names") as err:
            call()
        assert "attn1.to_q'" in str(err.value) and "to_out.0'" in str(err.value)
    add_lora(model, UNET_ATTENTION_TARGETS, RANK, ALPHA)
    with pytest.raises(ValueError, match="merge_lora it first"):
        add_lora(model, UNET_ATTENTION_TARGETS, RANK, ALPHA)


def test_targets_match_whole_name_parts_as_peft_does():
    model = attention_block()
    assert add_lora(copy.deepcopy(model), "to_q", 2, 2) == ["to_q"]
    assert add_lora(copy.deepcopy(model), ["to_out.0", "ff"], 2, 2) == ["to_out.0", "ff"]
    with pytest.raises(ValueError):
        add_lora(copy.deepcopy(model), ["q", "o_k"], 2, 2)  # an ending must be whole parts of the name
