"""course_utils.attention_maps on a tiny random UNet: recording cross-attention changes nothing it computes."""

import pytest
import torch
from diffusers import UNet2DConditionModel

from course_utils.sd import attention_maps

TOKENS, CONTEXT_DIM = 77, 32


@pytest.fixture(scope="module")
def unet():
    torch.manual_seed(0)
    return UNet2DConditionModel(  # SD v1's design at toy size: cross-attention at 8×8 and 4×4
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(32, 64),
        norm_num_groups=32, down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=CONTEXT_DIM,
        attention_head_dim=4,
    ).eval()


@pytest.fixture(scope="module")
def inputs():
    generator = torch.Generator().manual_seed(1)
    latents = torch.randn(2, 4, 8, 8, generator=generator)  # (B, 4, h, w)
    context = torch.randn(2, TOKENS, CONTEXT_DIM, generator=generator)  # (B, 77, D)
    return latents, torch.tensor([10, 500]), context


def test_probabilities_reproduce_the_default_attention_output(unet):
    attn = unet.down_blocks[0].attentions[0].transformer_blocks[0].attn2
    generator = torch.Generator().manual_seed(2)
    hidden_states = torch.randn(2, 64, attn.to_q.in_features, generator=generator)  # (B, queries, query_dim)
    context = torch.randn(2, TOKENS, CONTEXT_DIM, generator=generator)
    with torch.no_grad():
        probs = attention_maps.cross_attention_probs(attn, hidden_states, context)  # (B, heads, 64, 77)
        value = attn.to_v(context).view(2, TOKENS, attn.heads, -1).transpose(1, 2)  # (B, heads, 77, d)
        by_hand = attn.to_out[0]((probs @ value).transpose(1, 2).reshape(2, 64, -1))  # (B, 64, query_dim)
        default = attn(hidden_states, encoder_hidden_states=context)
    assert probs.shape == (2, attn.heads, 64, TOKENS)
    assert torch.allclose(probs.sum(dim=-1), torch.ones(2, attn.heads, 64), atol=1e-5)
    assert torch.allclose(by_hand, default, atol=1e-5)


def test_recording_leaves_the_unet_output_unchanged_and_restores_processors(unet, inputs):
    before = dict(unet.attn_processors)
    with torch.no_grad():
        default = unet(*inputs[:2], encoder_hidden_states=inputs[2]).sample
        with attention_maps.record_cross_attention(unet) as record:
            recorded = unet(*inputs[:2], encoder_hidden_states=inputs[2]).sample
            recorded_again = unet(*inputs[:2], encoder_hidden_states=inputs[2]).sample
    assert torch.allclose(recorded, default, atol=1e-5)
    assert torch.equal(recorded, recorded_again)
    assert {name: type(p) for name, p in unet.attn_processors.items()} == {n: type(p) for n, p in before.items()}
    n_cross = sum(name.endswith("attn2.processor") for name in before)
    assert len(record.sums) == n_cross and set(record.counts.values()) == {2}
    for name in record.sums:
        assert name.endswith("attn2")
        mean = record.mean(name)  # (B, queries, 77), head-averaged: rows still sum to 1
        assert torch.allclose(mean.sum(dim=-1), torch.ones(mean.shape[:2]), atol=1e-5)


def test_recorded_mean_is_the_head_average_of_the_probabilities(unet, inputs):
    attn = unet.down_blocks[0].attentions[0].transformer_blocks[0].attn2
    seen = {}
    hook = attn.register_forward_hook(lambda module, args, kwargs, out: seen.update(args=args, kwargs=kwargs),
                                      with_kwargs=True)
    try:
        with torch.no_grad(), attention_maps.record_cross_attention(unet) as record:
            unet(*inputs[:2], encoder_hidden_states=inputs[2])
    finally:
        hook.remove()
    hidden_states = seen["args"][0] if seen["args"] else seen["kwargs"]["hidden_states"]
    with torch.no_grad():
        probs = attention_maps.cross_attention_probs(attn, hidden_states, seen["kwargs"]["encoder_hidden_states"])
    assert torch.allclose(record.mean("down_blocks.0.attentions.0.transformer_blocks.0.attn2"), probs.mean(dim=1),
                          atol=1e-6)


def test_token_maps_and_mass_on(unet, inputs):
    with torch.no_grad(), attention_maps.record_cross_attention(unet) as record:
        unet(*inputs[:2], encoder_hidden_states=inputs[2])
    maps = attention_maps.token_maps(record, (8, 8))  # (77, 8, 8), all layers
    only_8 = attention_maps.token_maps(record, (8, 8), resolutions=(8,))
    assert maps.shape == only_8.shape == (TOKENS, 8, 8)
    assert torch.allclose(maps.sum(dim=0), torch.ones(8, 8), atol=1e-5)  # every position's weights sum to 1
    with pytest.raises(ValueError):
        attention_maps.token_maps(record, (8, 8), resolutions=(16,))

    everywhere = attention_maps.mass_on(maps, torch.ones(8, 8))
    assert torch.allclose(everywhere, torch.ones(TOKENS))
    left = torch.zeros(8, 8)
    left[:, :4] = 1
    assert torch.allclose(attention_maps.mass_on(torch.ones(2, 8, 8), left), torch.full((2,), 0.5))


def test_ink_region():
    image = torch.zeros(1, 3, 64, 64)
    image[:, :, :32, :16] = 1.0  # ink in the top-left eighth of the picture
    region = attention_maps.ink_region(image, (8, 8))
    assert region.shape == (8, 8) and region.sum() == 8 and region[:4, :2].eq(1).all()


@pytest.mark.parametrize("ink, background", [((0.86, 0.15, 0.15), (0.96, 0.96, 0.96)),  # red on white
                                             ((0.06, 0.06, 0.06), (0.94, 0.82, 0.12)),  # black on yellow
                                             ((0.94, 0.82, 0.12), (0.55, 0.2, 0.75))])  # yellow on purple
def test_ink_region_finds_the_ink_by_colour_even_when_it_is_darker(ink, background):
    image = torch.tensor(background).view(1, 3, 1, 1).repeat(1, 1, 64, 64)
    image[:, :, 8:40, 16:24] = torch.tensor(ink).view(1, 3, 1, 1)  # the strokes: 32 × 8 pixels
    image[:, :, 40:48, 16:24] = (torch.tensor(ink) * 0.3 + torch.tensor(background) * 0.7).view(1, 3, 1, 1)  # faint
    region = attention_maps.ink_region(image, (8, 8))
    expected = torch.zeros(8, 8)
    expected[1:5, 2:3] = 1  # the strokes' cells, and not the faint ones (30% of the way to the ink)
    assert torch.equal(region, expected)


def test_ink_region_reads_one_picture():
    with pytest.raises(ValueError, match=r"one picture, got a batch of 2: pass images\[k:k \+ 1\]"):
        attention_maps.ink_region(torch.zeros(2, 3, 64, 64), (8, 8))


def test_recorder_refuses_self_attention(unet):
    attn = unet.down_blocks[0].attentions[0].transformer_blocks[0].attn1
    recorder = attention_maps.AttentionRecorder("attn1", {}, {})
    with pytest.raises(ValueError, match="cross-attention"):
        recorder(attn, torch.randn(1, 64, attn.to_q.in_features))


# --- models without cross-attention, and reading before anything ran -----------------------------

def test_a_unet2dmodel_has_no_cross_attention_to_record():
    from diffusers import UNet2DModel

    plain = UNet2DModel(sample_size=8, in_channels=1, out_channels=1, layers_per_block=1, block_out_channels=(32,),
                        down_block_types=("DownBlock2D",), up_block_types=("UpBlock2D",))
    with pytest.raises(TypeError, match=r"UNet2DModel has no cross-attention to record.*UNet2DConditionModel "
                                        r"\(SD's pipe.unet\)"):
        with attention_maps.record_cross_attention(plain):
            pass


def test_a_pipeline_in_place_of_its_unet_names_pipe_unet(tiny_pipe):
    with pytest.raises(TypeError, match=r"takes the UNet, not the StableDiffusionPipeline: use "
                                        r"record_cross_attention\(pipe.unet\)"):
        with attention_maps.record_cross_attention(tiny_pipe):
            pass


def test_a_unet_without_attn2_layers_says_so_and_how_to_get_one():
    no_text = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(32,),
        down_block_types=("DownBlock2D",), up_block_types=("UpBlock2D",), mid_block_type=None,
        cross_attention_dim=CONTEXT_DIM)
    with pytest.raises(ValueError, match=r"no cross-attention \(attn2\) layers \(its blocks are \['DownBlock2D'\]\).*"
                                         r"no token maps.*pipe.unet.*CrossAttnDownBlock2D"):
        with attention_maps.record_cross_attention(no_text):
            pass


def test_reading_maps_when_nothing_ran_inside_the_recorder(unet, inputs):
    with attention_maps.record_cross_attention(unet) as record:
        pass
    with torch.no_grad():
        unet(*inputs[:2], encoder_hidden_states=inputs[2])  # outside the block: not recorded
    with pytest.raises(ValueError, match=r"Nothing was recorded: no UNet call ran inside `with "
                                         r"record_cross_attention\(unet\) as record:`.*inside the with block"):
        attention_maps.token_maps(record, (8, 8))
    with pytest.raises(ValueError, match=r"Nothing was recorded"):
        record.mean("down_blocks.0.attentions.0.transformer_blocks.0.attn2")


def test_reading_maps_with_the_wrong_name_size_batch_or_resolution(unet, inputs):
    with torch.no_grad(), attention_maps.record_cross_attention(unet) as record:
        unet(*inputs[:2], encoder_hidden_states=inputs[2])
    with pytest.raises(KeyError, match=r"No layer 'attn2' was recorded; the recorded layers are \['down_blocks"):
        record.mean("attn2")
    with pytest.raises(ValueError, match=r"queries do not form a grid of the latent's \(16, 8\).*latent size of the run"):
        attention_maps.token_maps(record, (16, 8))
    with pytest.raises(IndexError, match=r"batch_index=2, but the recorded batch has 2 entries"):
        attention_maps.token_maps(record, (8, 8), batch_index=2)
    with pytest.raises(ValueError, match=r"resolutions=\(16,\).*heights are \[4, 8\]"):
        attention_maps.token_maps(record, (8, 8), resolutions=(16,))
