"""SD v1's CLIP tokenizer files, written from the BPE file inside the PyPI package ``openai-clip``.

The offline (mini) models ship without tokenizer files (5 MB); this module writes ``vocab.json``,
``merges.txt`` and ``tokenizer_config.json`` exactly as the hub's SD v1 tokenizer has them, so
``CLIPTokenizer.from_pretrained`` builds the real tokenizer (49,408 tokens, 77 positions).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

CLIP_VOCAB_FILE = "bpe_simple_vocab_16e6.txt.gz"
N_MERGES = 49152 - 256 - 2  # CLIP keeps the first 48,894 merges of the BPE file


def _clip_bpe_file() -> Path:
    spec = importlib.util.find_spec("clip")  # locate, do not import (it imports torchvision)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "The offline mode builds the real CLIP tokenizer from the BPE file inside the PyPI package "
            "`openai-clip`. Install it without its dependencies: "
            "`pip install --no-deps openai-clip==1.0.1`."
        )
    return Path(next(iter(spec.submodule_search_locations))) / CLIP_VOCAB_FILE


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte-level BPE: map each of the 256 bytes to a printable character."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes)))


def save_clip_tokenizer_files(folder: Path) -> None:
    """Write vocab.json, merges.txt and tokenizer_config.json as the hub's SD tokenizer has them."""
    lines = gzip.open(_clip_bpe_file()).read().decode("utf-8").split("\n")
    merges = lines[1 : N_MERGES + 1]  # line 0 is a version header
    byte_chars = list(_bytes_to_unicode().values())
    tokens = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m.split()) for m in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]  # ids 49406 and 49407
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    config = {
        "tokenizer_class": "CLIPTokenizer",
        "model_max_length": 77,
        "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>",
        "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2))
