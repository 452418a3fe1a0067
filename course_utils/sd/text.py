"""The prompt's way into the UNet: tokenize to 77 ids, run CLIP's text encoder (notebooks 04–05).

``encode_text`` does what ``StableDiffusionPipeline.encode_prompt`` does for SD v1 (no clip
skip, no LoRA scale): pad every prompt to 77 tokens, truncate longer ones (with a warning that
quotes the words that were cut), and return the encoder's last hidden states ``(B, 77, D)``.
"""

from __future__ import annotations

import warnings

import torch


def warn_if_truncated(tokenizer, texts: list[str], what: str = "prompt") -> None:
    """CLIP reads 77 tokens (start + 75 + end); warn with the words beyond that."""
    limit = tokenizer.model_max_length
    for i, text in enumerate(texts):
        ids = tokenizer(text, truncation=False).input_ids  # start, ..., end (untruncated)
        if len(ids) > limit:
            cut = tokenizer.decode(ids[limit - 1 : -1])  # what falls after position 76
            warnings.warn(
                f"{what}[{i}] is {len(ids)} tokens long but CLIP reads only {limit}; this part was cut "
                f"and has no effect: {cut!r}. Shorten the prompt, or move important words to the front.",
                stacklevel=3,
            )


def encode_text(pipe, texts: list[str], what: str = "prompt") -> torch.Tensor:
    """Tokenize to 77 ids and run CLIP's text encoder: the encoder_hidden_states (B, 77, D)."""
    tokenizer, text_encoder = pipe.tokenizer, pipe.text_encoder
    warn_if_truncated(tokenizer, texts, what)
    tokens = tokenizer(texts, padding="max_length", max_length=tokenizer.model_max_length,
                       truncation=True, return_tensors="pt")
    input_ids = tokens.input_ids.to(pipe.device)  # (B, 77)
    mask = tokens.attention_mask.to(pipe.device) if getattr(text_encoder.config, "use_attention_mask", False) else None
    hidden_states = text_encoder(input_ids, attention_mask=mask)[0]  # (B, 77, D), D = 768 in SD v1
    return hidden_states.to(dtype=text_encoder.dtype, device=pipe.device)
