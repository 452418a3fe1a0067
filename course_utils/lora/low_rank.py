"""LoRA written by hand: a small trainable low-rank update beside each frozen weight (notebook 07, C55).

LoRA (Hu et al., 2021, "LoRA: Low-Rank Adaptation of Large Language Models") freezes a pretrained
weight W0 (out_features × in_features) and learns only a product of two thin matrices:

    h = W0 x + ΔW x = W0 x + B A x      (LoRA eq. 3),   A: r × in_features,  B: out_features × r

with the rank r much smaller than in_features and out_features, and ΔW x scaled by α/r (LoRA §4.1),
so a different r needs no new learning rate. A starts random and B at zero, so before training the
model is exactly the pretrained one. Training touches r · (in + out) numbers per layer instead of
in · out; afterwards W0 + (α/r) · B A is one matrix again (``merge_lora``), as small and as fast as
the original model. LoRA adds parameters; it never makes a model smaller or faster (M06).

Stable Diffusion's LoRAs sit in the UNet's attention projections, ``to_q``, ``to_k``, ``to_v`` and
``to_out.0`` of every self- and cross-attention layer (``UNET_ATTENTION_TARGETS``). In peft's
vocabulary ``rank`` is ``r``, ``alpha`` is ``lora_alpha`` and ``target_names`` are ``target_modules``:
``unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=[...]))`` builds the same layers,
and the course's tests show that both give the same outputs, parameter counts and merged weights.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from course_utils.arguments import finite_real, whole_number

# The attention projections of diffusers' UNet2DConditionModel: where SD's LoRAs sit.
UNET_ATTENTION_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")


def _checked_rank(rank, in_features: int, out_features: int) -> int:
    """``rank`` as an int in 1 … min(in_features, out_features); else a ValueError that names the fix."""
    largest = min(in_features, out_features)
    value = whole_number(rank)
    if value is None or not 1 <= value <= largest:
        raise ValueError(f"rank={rank!r}: LoRA's rank r must be a whole number from 1 to {largest} "
                         f"(min(in_features, out_features) for a {in_features} → {out_features} layer); "
                         "SD LoRAs commonly use 4 to 128.")
    return value


def _checked_alpha(alpha) -> float:
    """``alpha`` as a positive float; else a ValueError that names the fix."""
    value = finite_real(alpha)
    if value is None or value <= 0:
        raise ValueError(f"alpha={alpha!r}: LoRA's alpha must be a positive number (peft's lora_alpha); "
                         "alpha = rank gives the update a scale of 1.")
    return value


def lora_parameter_count(in_features: int, out_features: int, rank: int) -> int:
    """How many numbers LoRA trains for one ``in_features`` → ``out_features`` layer: r · (in + out)."""
    rank = _checked_rank(rank, in_features, out_features)
    return rank * in_features + out_features * rank  # A: (r, in), B: (out, r)


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` (``base_layer``) plus the trainable update (α/r) · B A of LoRA eq. 3."""

    def __init__(self, base_layer: nn.Linear, rank: int, alpha: float):
        super().__init__()
        if not isinstance(base_layer, nn.Linear):
            raise TypeError(f"LoRALinear wraps an nn.Linear, not {type(base_layer).__name__}.")
        in_features, out_features = base_layer.in_features, base_layer.out_features
        self.rank = _checked_rank(rank, in_features, out_features)
        self.alpha = _checked_alpha(alpha)
        self.scaling = self.alpha / self.rank  # α/r (LoRA §4.1)
        self.base_layer = base_layer.requires_grad_(False)  # W0 and its bias stay frozen
        like = dict(device=base_layer.weight.device, dtype=base_layer.weight.dtype)
        self.lora_A = nn.Parameter(torch.empty(self.rank, in_features, **like))  # (r, in_features)
        self.lora_B = nn.Parameter(torch.zeros(out_features, self.rank, **like))  # (out_features, r)
        # As peft's default (init_lora_weights=True) and LoRA's own code: A as nn.Linear's weight, B = 0
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))  # uniform in ±1/√in_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result = self.base_layer(x)  # (..., in_features) → (..., out_features): W0 x + bias
        update = x @ self.lora_A.T  # (..., r): A x
        update = update @ self.lora_B.T  # (..., out_features): B A x
        return result + update * self.scaling  # W0 x + bias + (α/r) B A x   (LoRA eq. 3)

    def delta_weight(self) -> torch.Tensor:
        """ΔW = (α/r) · B A, the update as one (out_features, in_features) matrix."""
        return self.lora_B @ self.lora_A * self.scaling  # (out_features, r) @ (r, in_features)

    def merged_weight(self) -> torch.Tensor:
        """W0 + (α/r) · B A: one matrix that does what the base layer and its update do together."""
        return self.base_layer.weight + self.delta_weight()  # (out_features, in_features)

    def num_trainable(self) -> int:
        """r · (in_features + out_features): the numbers LoRA trains in this layer."""
        return self.lora_A.numel() + self.lora_B.numel()

    def extra_repr(self) -> str:
        return f"rank={self.rank}, alpha={self.alpha:g}, scaling={self.scaling:g}"


def _linear_layers(module: nn.Module, target_names) -> list[tuple[str, nn.Linear]]:
    """(name, layer) of every nn.Linear whose name is a target or ends with "." + a target, as peft matches."""
    if isinstance(target_names, str):
        target_names = (target_names,)
    targets = tuple(target_names)
    linears = [(name, layer) for name, layer in module.named_modules() if isinstance(layer, nn.Linear)]
    found = [(name, layer) for name, layer in linears
             if any(name == target or name.endswith("." + target) for target in targets)]
    if not found:
        endings = {}  # one example name per ending ("to_q", "to_out.0", "proj_in", …)
        for name, _ in linears:
            parts = name.split(".")
            endings.setdefault(".".join(parts[-2:]) if parts[-1].isdigit() else parts[-1], name)
        already = any(isinstance(layer, LoRALinear) for layer in module.modules())
        raise ValueError(
            f"none of target_names={targets} names an nn.Linear in this {type(module).__name__}. "
            + ("It already has LoRA layers: merge_lora it first. " if already else "")
            + f"Linear layers it has: {', '.join(repr(n) for n in list(endings.values())[:6])}; a target "
            "matches a layer whose name is the target or ends with '.' + the target.")
    return found


def count_lora_parameters(module: nn.Module, target_names, rank: int) -> int:
    """How many numbers ``add_lora(module, target_names, rank, ...)`` would add, read from the layers' shapes."""
    return sum(lora_parameter_count(layer.in_features, layer.out_features, rank)
               for _, layer in _linear_layers(module, target_names))


def add_lora(module: nn.Module, target_names, rank: int, alpha: float) -> list[str]:
    """Wrap every targeted nn.Linear of ``module`` in a ``LoRALinear``, in place; freeze everything else.

    Args:
        module: the model to adapt, e.g. a ``UNet2DConditionModel``.
        target_names: layer names, or their endings, e.g. ``UNET_ATTENTION_TARGETS`` (peft's ``target_modules``).
        rank: r, the rank of every update (peft's ``r``); at most each layer's min(in_features, out_features).
        alpha: α; updates are scaled by α/r (peft's ``lora_alpha``).

    Returns the names of the wrapped layers. Afterwards only ``lora_A`` and ``lora_B`` require grad.
    """
    # 1. find the layers, and check rank and alpha against all of them before changing anything
    found = _linear_layers(module, target_names)
    for _, layer in found:
        _checked_rank(rank, layer.in_features, layer.out_features)
    _checked_alpha(alpha)
    # 2. freeze the whole model: the LoRA layers' A and B are the only new, trainable parameters
    module.requires_grad_(False)
    # 3. swap each layer for its LoRA-wrapped self
    for name, layer in found:
        parent_name, _, child_name = name.rpartition(".")
        parent = module.get_submodule(parent_name) if parent_name else module
        setattr(parent, child_name, LoRALinear(layer, rank, alpha))
    return [name for name, _ in found]


@torch.no_grad()
def merge_lora(module: nn.Module) -> nn.Module:
    """Replace every ``LoRALinear`` in ``module`` by a plain nn.Linear holding W0 + (α/r) · B A; in place.

    The merged model has the original model's layers, size and speed, and computes what the LoRA model
    did (peft's ``merge_and_unload``). Its weights stay frozen, as ``add_lora`` left them.
    """
    wrapped = [(name, layer) for name, layer in module.named_modules() if isinstance(layer, LoRALinear)]
    for name, layer in wrapped:
        base = layer.base_layer
        merged = nn.Linear(base.in_features, base.out_features, bias=base.bias is not None,
                           device=base.weight.device, dtype=base.weight.dtype)
        merged.weight.copy_(layer.merged_weight())  # (out_features, in_features)
        if base.bias is not None:
            merged.bias.copy_(base.bias)  # (out_features,)
        parent_name, _, child_name = name.rpartition(".")
        parent = module.get_submodule(parent_name) if parent_name else module
        setattr(parent, child_name, merged.requires_grad_(False))
    return module
