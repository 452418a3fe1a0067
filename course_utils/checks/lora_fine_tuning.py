"""Exercise checks for notebook 07 (LoRA): the LoRA forward pass, the parameters it adds, merging.

LoRA (Hu et al., 2021) keeps a layer's weight W0 frozen and adds a low-rank update scaled by α/r:

    h = W0 x + (α/r) · B A x      (LoRA eq. 3, with §4.1's scaling),   A: r × in,  B: out × r

Each check compares the learner's function with peft, the library diffusers uses for LoRA
(``LoraConfig``, ``get_peft_model``, ``unet.add_adapter``), on layers whose B is random rather
than zero, so that the update shows in every answer.
"""

from __future__ import annotations

import copy
import itertools

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.arguments import whole_number
from course_utils.checks.verdicts import assert_close, matches, run_check
from course_utils.i18n.lookup import t
from course_utils.lora.low_rank import UNET_ATTENTION_TARGETS

# (in_features, out_features, rank r, lora_alpha α): all different, so a swapped A and B cannot fit,
# and α/r, α and r/α differ in the first case.
LAYER_CASES = ((12, 10, 4, 8), (20, 6, 2, 1), (16, 24, 8, 16))


def _peft_lora_model(in_features: int, out_features: int, rank: int, alpha: float, seed: int):
    """peft's LoRA around one random nn.Linear called ``proj``, with A random and B random too (not zeros)."""
    from peft import LoraConfig, get_peft_model

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.ModuleDict({"proj": nn.Linear(in_features, out_features)})
        peft_model = get_peft_model(model, LoraConfig(r=rank, lora_alpha=alpha, target_modules=["proj"]))
        with torch.no_grad():
            peft_model.base_model.model["proj"].lora_B["default"].weight.normal_()  # (out_features, r)
    return peft_model


def _layer_tensors(peft_model):
    """weight, bias, lora_A, lora_B of the model's LoRA layer, as plain tensors a learner's function receives."""
    layer = peft_model.base_model.model["proj"]
    return tuple(w.detach().clone() for w in (layer.base_layer.weight, layer.base_layer.bias,  # (out, in), (out,)
                                              layer.lora_A["default"].weight, layer.lora_B["default"].weight))


def _call(fn, *tensors_and_numbers, shape_hint: str):
    """Call the learner's ``fn`` on copies; a shape error becomes a hint on LoRA's shapes ending in ``shape_hint``."""
    arguments = [a.clone() if isinstance(a, torch.Tensor) else a for a in tensors_and_numbers]
    try:
        return fn(*arguments)
    except RuntimeError as err:
        if isinstance(err, NotImplementedError) or not any(w in str(err) for w in ("shape", "size")):
            raise
        raise AssertionError(t("lora_A is (r, in_features), lora_B is (out_features, r) and weight is (out_features, "
                               "in_features), as in nn.Linear: {hint} (torch said: {error})",
                               hint=shape_hint, error=err)) from None


def check_lora_forward(forward_fn) -> bool | None:
    """``forward_fn(x, weight, bias, lora_A, lora_B, alpha)`` → W0 x + bias + (α/r) · B A x, as peft's layer.

    ``x`` is (batch, tokens, in_features); the rank r is ``lora_A.shape[0]``.
    """

    def test():
        generator = torch.Generator().manual_seed(0)
        for seed, (in_features, out_features, rank, alpha) in enumerate(LAYER_CASES):
            peft_model = _peft_lora_model(in_features, out_features, rank, alpha, seed)
            weight, bias, lora_A, lora_B = _layer_tensors(peft_model)
            x = torch.randn(2, 7, in_features, generator=generator)  # (B, tokens, in_features)
            with torch.no_grad():
                expected = peft_model.base_model.model["proj"](x)  # (B, tokens, out_features)
            got = _call(forward_fn, x, weight, bias, lora_A, lora_B, alpha,
                        shape_hint=t("the update of x is x @ lora_A.T @ lora_B.T, shaped (..., out_features)."))
            base = F.linear(x, weight, bias)  # (B, tokens, out_features): W0 x + bias
            update = x @ lora_A.T @ lora_B.T  # (B, tokens, r) → (B, tokens, out_features): B A x
            scaling = alpha / rank
            mistakes = (
                (base + update, t("the update is scaled by α/r (LoRA §4.1): multiply B A x by alpha / r, "
                                  "with r = lora_A.shape[0].")),
                (base + alpha * update, t("scale by α/r, not α alone: divide by the rank r = lora_A.shape[0].")),
                (base + rank / alpha * update, t("the scaling is upside down: α/r is alpha / r, not r / alpha.")),
                (scaling * update, t("add the frozen layer's own output, W0 x + bias: LoRA adds to the layer, "
                                     "it does not replace it.")),
                (x @ weight.T + scaling * update, t("the frozen layer's bias belongs to its output: "
                                                    "W0 x + bias, i.e. F.linear(x, weight, bias).")),
            )
            for wrong, hint in mistakes:
                if matches(got, wrong, atol=1e-4):
                    raise AssertionError(hint)
            assert_close(got, expected, t("the output for a {in_features} → {out_features} layer with r = {rank}, "
                                          "α = {alpha}", in_features=in_features, out_features=out_features,
                                          rank=rank, alpha=alpha), atol=1e-4)

    return run_check(t("the LoRA forward pass"), test)


def tiny_attention_unet():
    """A tiny untrained ``UNet2DConditionModel`` with self- and cross-attention, laid out as SD's UNet."""
    from diffusers import UNet2DConditionModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return UNet2DConditionModel(
            sample_size=8, block_out_channels=(32, 64), layers_per_block=1, norm_num_groups=8, cross_attention_dim=16,
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"))


def _target_layers(model, target_names) -> dict[str, list[nn.Linear]]:
    """For each target, the nn.Linear layers whose name is it or ends with "." + it (peft's matching)."""
    return {target: [layer for name, layer in model.named_modules() if isinstance(layer, nn.Linear)
                     and (name == target or name.endswith("." + target))] for target in target_names}


def _count_hint(got: int, model, target_names, rank: int) -> str:
    """What a wrong count usually means."""
    layers = _target_layers(model, target_names)
    every = [layer for found in layers.values() for layer in found]
    if got == sum(rank * layer.in_features * layer.out_features for layer in every):
        return (t("that counts r · in · out, a full matrix per rank.")
                + t(" A is r × in_features and B is out_features × r: r · (in_features + out_features) per layer."))
    if got == sum(layer.in_features * layer.out_features for layer in every):
        return t("that is the size of the frozen weights W0; LoRA trains only A and B.")
    if got == sum(rank * layer.in_features for layer in every):
        return t("you counted lora_A (r × in_features) only; lora_B adds out_features × r per layer.")
    if got == sum(rank * layer.out_features for layer in every):
        return t("you counted lora_B (out_features × r) only; lora_A adds r × in_features per layer.")
    per_target = {target: sum(rank * (layer.in_features + layer.out_features) for layer in found)
                  for target, found in layers.items()}
    missed = [[target for target in per_target if target not in counted] for size in range(1, len(per_target))
              for counted in itertools.combinations(per_target, size)
              if got == sum(per_target[target] for target in counted)]
    if ["to_out.0"] in missed:  # the usual slip: comparing only the last part of each layer's name
        return t("you left out the layers named to_out.0, the first layer of the ModuleList to_out: match the end "
                 "of the whole name, name.endswith('.' + target), not its last part.")
    per_rank = sum(layer.in_features + layer.out_features for layer in every)  # the count for r = 1
    if got > 0 and got % per_rank == 0:
        return t("that is the count for rank {rank}: use the rank argument.", rank=got // per_rank)
    if missed:
        return (t("you left out the layers named {names}.", names=", ".join(missed[0])) if len(missed) == 1 else
                t("you counted the layers of only some of target_names."))
    return t("count r · (in_features + out_features) for every nn.Linear whose name ends with one of target_names.")


def check_lora_parameter_count(count_fn) -> bool | None:
    """``count_fn(model, target_names, rank)`` → how many parameters LoRA adds, as peft counts them.

    Compared with ``get_peft_model(model, LoraConfig(...)).get_nb_trainable_parameters()`` on a tiny
    SD-shaped UNet, for two ranks and two lists of targets.
    """
    from peft import LoraConfig, get_peft_model

    def test():
        unet = tiny_attention_unet()
        for target_names in (list(UNET_ATTENTION_TARGETS), ["to_k", "to_v"]):
            for rank in (4, 8):
                config = LoraConfig(r=rank, lora_alpha=rank, target_modules=target_names)
                expected = get_peft_model(copy.deepcopy(unet), config).get_nb_trainable_parameters()[0]
                got = count_fn(copy.deepcopy(unet), list(target_names), rank)
                number = whole_number(got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got)
                assert number is not None, t("return the count as a whole number (an int), not {got!r}.", got=got)
                assert number == expected, t(
                    "for target_names={target_names} and rank={rank} peft adds {expected:,} parameters, you "
                    "counted {number:,}: {hint}", target_names=target_names, rank=rank, expected=expected,
                    number=number, hint=_count_hint(number, unet, target_names, rank))

    return run_check(t("LoRA's parameter count"), test)


def check_lora_merge(merge_fn) -> bool | None:
    """``merge_fn(weight, lora_A, lora_B, alpha, rank)`` → W0 + (α/r) · B A, as peft's ``merge_and_unload``."""

    def test():
        for seed, (in_features, out_features, rank, alpha) in enumerate(LAYER_CASES):
            peft_model = _peft_lora_model(in_features, out_features, rank, alpha, seed)
            weight, _, lora_A, lora_B = _layer_tensors(peft_model)
            with torch.no_grad():
                expected = peft_model.merge_and_unload()["proj"].weight.detach()  # (out_features, in_features)
            got = _call(merge_fn, weight, lora_A, lora_B, alpha, rank,
                        shape_hint=t("B A is lora_B @ lora_A, shaped like weight."))
            update = lora_B @ lora_A  # (out_features, r) @ (r, in_features) → (out_features, in_features)
            mistakes = (
                (weight + update, t("B A is scaled by α/r (LoRA §4.1): add (alpha / rank) · lora_B @ lora_A.")),
                (weight + alpha * update, t("scale by α/r, not α alone: divide by the rank.")),
                (weight + rank / alpha * update,
                 t("the scaling is upside down: α/r is alpha / rank, not rank / alpha.")),
                (alpha / rank * update, t("that is ΔW alone: the merged weight is W0 + ΔW, so add weight.")),
                ((weight + alpha / rank * update).T, t("you returned the transpose: the merged weight has weight's "
                                                       "shape, (out_features, in_features), as nn.Linear.weight.")),
            )
            for wrong, hint in mistakes:
                if matches(got, wrong, atol=1e-4):
                    raise AssertionError(hint)
            assert_close(got, expected, t("the merged weight of a {in_features} → {out_features} layer with "
                                          "r = {rank}, α = {alpha}", in_features=in_features,
                                          out_features=out_features, rank=rank, alpha=alpha), atol=1e-4)

    return run_check(t("merging LoRA into the weight"), test)
