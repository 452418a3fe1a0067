"""Facts notebook 04 teaches, checked on the mini models: tokenizer, text encoder, CLIP, cross-attention.

The tokenizer is SD v1's real one in both modes, so its ids are tested exactly; the models are tiny and
random, so only shapes and "by hand equals library" identities are tested for them.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from course_utils.checks import tokens_and_text_embeddings
from course_utils.data import sources
from course_utils.sd import loading

PROMPT = "A photograph of a puppy"
PUPPY_IDS = [49406, 320, 8853, 539, 320, 6829, 49407]


@pytest.fixture(scope="module")
def tokenizer():
    return loading.load_tokenizer()


@pytest.fixture(scope="module")
def pipe():
    return loading.load_pipeline(device="cpu", dtype=torch.float32)


def encode(pipe, prompts, **kwargs):
    ids = pipe.tokenizer(prompts, padding="max_length", max_length=77, truncation=True, return_tensors="pt")
    with torch.no_grad():
        return pipe.text_encoder(ids.input_ids, **kwargs).last_hidden_state, ids


# --- tokenizer ------------------------------------------------------------------------------------

def test_puppy_prompt_ids_and_vocabulary(tokenizer):
    assert tokenizer(PROMPT).input_ids == PUPPY_IDS
    assert (tokenizer.bos_token_id, tokenizer.eos_token_id) == (49406, 49407)
    assert len(tokenizer) == 49408 and tokenizer.model_max_length == 77


def test_padding_repeats_the_end_token_and_masks_it(tokenizer):
    padded = tokenizer(PROMPT, padding="max_length", max_length=tokenizer.model_max_length)
    assert len(padded.input_ids) == 77
    assert padded.input_ids[:7] == PUPPY_IDS and set(padded.input_ids[7:]) == {49407}
    assert padded.attention_mask == [1] * 7 + [0] * 70


def test_convert_ids_to_tokens_and_the_old_decoder_get(tokenizer):
    tokens = tokenizer.convert_ids_to_tokens(PUPPY_IDS)
    assert tokens == ["<|startoftext|>", "a</w>", "photograph</w>", "of</w>", "a</w>", "puppy</w>", "<|endoftext|>"]
    id_to_token = {i: t for t, i in tokenizer.get_vocab().items()}  # the dict old snippets expected
    assert [id_to_token[i] for i in PUPPY_IDS] == tokens
    # What notebook 04 tells learners (M05): in transformers 5, `decoder` is the Rust decoder, no `.get`.
    with pytest.raises(AttributeError, match="get"):
        tokenizer.decoder.get(320)


def test_rare_words_split_into_several_tokens(tokenizer):
    assert len(tokenizer("puppy").input_ids) == 3  # start, one token, end
    assert tokenizer.convert_ids_to_tokens(tokenizer("axolotl").input_ids[1:-1]) == ["ax", "o", "lot", "l</w>"]


def test_truncation_keeps_start_75_tokens_and_end(tokenizer):
    prompt = " ".join(f"word{i}" for i in range(100))
    full = tokenizer(prompt, truncation=False).input_ids
    kept = tokenizer(prompt, truncation=True, max_length=77).input_ids
    assert len(kept) == 77 and kept[0] == 49406 and kept[-1] == 49407
    assert kept[1:-1] == full[1:76]  # the first 75 prompt tokens survive, in order
    assert len(full) - len(kept) == len(full[76:-1])  # what is dropped: every later prompt token


# --- text encoder ---------------------------------------------------------------------------------

def test_text_encoder_returns_one_vector_per_position_and_matches_encode_prompt(pipe):
    states, _ = encode(pipe, [PROMPT])
    assert states.shape == (1, 77, pipe.text_encoder.config.hidden_size)
    prompt_embeds, negative_embeds = pipe.encode_prompt(PROMPT, torch.device("cpu"), 1, True)
    assert torch.equal(states, prompt_embeds)
    empty, _ = encode(pipe, [""])
    assert torch.equal(empty, negative_embeds)  # the unconditional input for guidance is the "" prompt


def test_causal_encoder_start_token_is_prompt_independent_and_mask_only_changes_padding(pipe):
    states, ids = encode(pipe, [PROMPT, "a bowl of tomato soup", ""])
    torch.testing.assert_close(states[1, 0], states[0, 0])
    torch.testing.assert_close(states[2, 0], states[0, 0])
    masked, _ = encode(pipe, [PROMPT], attention_mask=ids.attention_mask[:1])
    torch.testing.assert_close(masked[0, :7], states[0, :7])
    assert not torch.allclose(masked[0, 7:], states[0, 7:])  # padding positions do depend on the mask


# --- CLIP -----------------------------------------------------------------------------------------

def test_clip_similarity_and_loss_by_hand_match_the_model():
    model, processor = loading.load_clip(device="cpu")
    images = [sources.load_sample_photo(64, "flower"), sources.load_sample_photo(64, "china"), Image.new("RGB", (64, 64), "red")]
    captions = ["a flower", "a pagoda", "a red square"]
    inputs = processor(text=captions, images=images, return_tensors="pt", padding=True)
    with torch.no_grad():
        outputs = model(**inputs, return_loss=True)
        u = model.visual_projection(model.vision_model(pixel_values=inputs.pixel_values).pooler_output)
        v = model.text_projection(model.text_model(input_ids=inputs.input_ids,
                                                   attention_mask=inputs.attention_mask).pooler_output)
    similarity = F.normalize(u, dim=-1) @ F.normalize(v, dim=-1).T  # (images, captions)
    torch.testing.assert_close(similarity, outputs.logits_per_image / model.logit_scale.exp())
    logits, labels = model.logit_scale.exp() * similarity, torch.arange(3)
    loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    torch.testing.assert_close(loss, outputs.loss)


# --- cross-attention and the UNet -----------------------------------------------------------------

def test_cross_attention_formula_equals_the_unet_module(pipe):
    attn = pipe.unet.down_blocks[0].attentions[0].transformer_blocks[0].attn2
    image = torch.randn(2, 16, attn.to_q.in_features, generator=torch.Generator().manual_seed(0))  # (B, N, C)
    text = torch.randn(2, 77, attn.to_k.in_features, generator=torch.Generator().manual_seed(1))  # (B, 77, D)
    h = attn.heads
    q, k, v = (x.unflatten(-1, (h, -1)).transpose(1, 2) for x in (attn.to_q(image), attn.to_k(text), attn.to_v(text)))
    weights = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1)  # (B, h, 16, 77)
    expected = attn.to_out[0]((weights @ v).transpose(1, 2).flatten(2))
    with torch.no_grad():
        got = attn(image, encoder_hidden_states=text)
    torch.testing.assert_close(got, expected)


def test_unet_takes_text_in_transformer_blocks_and_time_in_resblocks(pipe):
    unet = pipe.unet
    resblocks = [m for m in unet.modules() if type(m).__name__ == "ResnetBlock2D"]
    blocks = [m for m in unet.modules() if type(m).__name__ == "BasicTransformerBlock"]
    assert resblocks and blocks
    assert all(hasattr(r, "time_emb_proj") for r in resblocks)
    assert all(b.attn2.to_k.in_features == unet.config.cross_attention_dim for b in blocks)
    latents = torch.randn(1, 4, 8, 8)
    states, _ = encode(pipe, [PROMPT])
    with torch.no_grad():
        out = unet(latents, torch.tensor([10]), encoder_hidden_states=states).sample
    assert out.shape == latents.shape


# --- the notebook-04 exercises' checks ------------------------------------------------------------

def test_check_count_truncated(tokenizer, capsys):
    def right(tokenizer, prompt):
        return max(0, len(tokenizer(prompt, truncation=False).input_ids) - tokenizer.model_max_length)

    def forgets_special_tokens(tokenizer, prompt):
        return max(0, len(tokenizer(prompt, add_special_tokens=False).input_ids) - tokenizer.model_max_length)

    def stub(tokenizer, prompt):
        raise NotImplementedError

    assert tokens_and_text_embeddings.check_count_truncated(right, tokenizer) is True
    assert tokens_and_text_embeddings.check_count_truncated(forgets_special_tokens, tokenizer) is False
    assert "truncation drops" in capsys.readouterr().out
    assert tokens_and_text_embeddings.check_count_truncated(stub, tokenizer) is None
