"""The miniature SD: its data and captions, its training functions, and the shipped weights."""

import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import CLIPConfig, CLIPModel, CLIPTextModel, CLIPTokenizer

from course_utils import errors, pretrained
from course_utils.data import captions, digits, transforms
from course_utils.mini_sd import mini_clip, mini_vae, text_unet
from course_utils.mini_sd.latent_table import LatentTable
from course_utils.sd import adherence
from course_utils.training.loop import learning_rate_at

# --- data and captions ---------------------------------------------------------------------------


def test_digits_split_and_layout():
    train_px, train_lb = digits.load_digits("train")
    test_px, test_lb = digits.load_digits("test")
    assert train_px.shape == (4500, 28, 28) and test_px.shape == (500, 28, 28)
    assert (torch.bincount(torch.as_tensor(test_lb)) == 50).all()
    images = transforms.digits_to_rgb64(test_px[:4])  # (4, 3, 64, 64)
    assert images.shape == (4, 3, 64, 64) and images.min() == -1 and images.max() == 1
    assert (images[:, :, :4] == -1).all()  # the 2-pixel black border, scaled ×2
    gray = transforms.rgb64_to_gray32((images + 1) / 2)  # what the classifier sees of a generated image
    assert torch.allclose(gray * 2 - 1, transforms.digits_to_gray32(test_px[:4]))
    with pytest.raises(ValueError, match="train"):
        digits.load_digits("validation")


def test_captions_and_bad_templates():
    assert captions.caption(7) == "a handwritten digit seven"
    assert captions.caption(7, "the number {numeral}") == "the number 7"
    assert len(captions.all_captions()) == 10 * len(captions.CAPTION_TEMPLATES)
    assert not set(captions.UNSEEN_TEMPLATES) & set(captions.CAPTION_TEMPLATES)
    with pytest.raises(ValueError, match="names no digit"):
        captions.caption(3, "a handwritten digit")
    with pytest.raises(ValueError, match="only use the fields"):
        captions.caption(3, "a {colour} digit {word}")
    with pytest.raises(ValueError, match="0..9"):
        captions.caption(10)


def test_caption_dropout_rate():
    labels = torch.arange(10).repeat(1000)
    ids = captions.caption_ids(labels, torch.Generator().manual_seed(0), caption_dropout=0.1)
    empty = len(captions.all_captions())
    assert abs((ids == empty).float().mean().item() - 0.1) < 0.01
    kept = ids[ids != empty]
    assert (kept % 10 == labels[ids != empty]).all()  # a caption always names its own digit
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        captions.caption_ids(labels, torch.Generator(), caption_dropout=1.5)


def test_captioned_images_offline():
    captioned = captions.load_captioned_images("test", mode="mini")
    assert captioned.pixels.shape == (500, 28, 28) and captioned.words == captions.DIGIT_WORDS
    assert captioned.captions()[17] == "the number 7"


def test_learning_rate_warms_up_then_decays():
    rates = [learning_rate_at(s, 1.0, 10, 100, decay=True) for s in range(100)]
    assert rates[0] == pytest.approx(0.1) and rates[9] == pytest.approx(1.0)
    assert rates[-1] == pytest.approx(0.1, abs=0.01) and all(a >= b for a, b in zip(rates[10:], rates[11:]))


# --- training functions: losses fall, the loss by hand equals the library's ----------------------


def test_contrastive_loss_equals_transformers(tokenizer):
    model = mini_clip.build_mini_clip(seed=1)
    px, lb = digits.load_digits("test")
    input_ids = mini_clip.tokenize_captions(tokenizer, [captions.caption(d) for d in lb[:6]])
    pixel_values = transforms.digits_to_rgb64(px[:6])
    library = model(input_ids=input_ids, pixel_values=pixel_values, return_loss=True).loss
    ours = mini_clip.contrastive_loss(mini_clip.image_embeds(model, pixel_values),
                                      mini_clip.text_embeds(model, input_ids), model.logit_scale)
    assert torch.allclose(ours, library, atol=1e-5)


def test_saved_processor_makes_the_training_pixels():
    from PIL import Image

    px, _ = digits.load_digits("test")
    rgb64 = transforms.digits_to_rgb64(px[:2])
    pils = [Image.fromarray(((im.permute(1, 2, 0).numpy() + 1) * 127.5).round().astype("uint8")) for im in rgb64]
    processed = mini_clip.image_processor()(images=pils, return_tensors="pt").pixel_values
    assert torch.allclose(processed, rgb64, atol=1e-6)


def _falls(losses, k=4):
    return sum(losses[-k:]) / k < sum(losses[:k]) / k


def test_clip_vae_and_unet_losses_fall(tokenizer):
    px, lb = digits.load_digits("train")
    px, lb = px[::45], lb[::45]  # 100 digits, 10 per class
    clip = mini_clip.build_mini_clip()
    assert _falls(mini_clip.train_mini_clip(clip, tokenizer, px, lb, num_steps=12, batch_size=32,
                                            device="cpu", progress=False))
    vae = mini_vae.build_mini_vae()
    assert _falls(mini_vae.train_mini_vae(vae, px[:32], num_steps=12, batch_size=8, learning_rate=3e-3,
                                          device="cpu", progress=False))
    means, stds = mini_vae.encode_latent_dist(vae, transforms.digits_to_rgb64(px))
    states = text_unet.caption_embeddings(clip.text_model, tokenizer, captions.all_captions() + [""])
    unet = text_unet.build_mini_unet(clip.config.text_config.hidden_size)
    assert _falls(text_unet.train_text_unet(unet, LatentTable(means, stds, torch.as_tensor(lb)), states,
                                            scaling_factor=1.0, num_steps=12, batch_size=32, device="cpu",
                                            progress=False))


def test_text_unet_rejects_mismatched_embeddings():
    unet = text_unet.build_mini_unet(32)
    plain = LatentTable(torch.zeros(4, 4, 8, 8), torch.ones(4, 4, 8, 8), torch.tensor([0, 1, 2, 3]))
    coloured = LatentTable(plain.means, plain.stds, plain.digit, torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 4]))
    with pytest.raises(ValueError, match="caption_embeddings"):
        text_unet.train_text_unet(unet, plain, torch.zeros(60, 77, 32), scaling_factor=1.0, num_steps=1,
                                  progress=False)
    with pytest.raises(ValueError, match="caption_table"):  # digit-only embeddings for coloured rows
        text_unet.train_text_unet(unet, coloured, torch.zeros(61, 77, 32), scaling_factor=1.0, num_steps=1,
                                  progress=False)
    with pytest.raises(ValueError, match="cross_attention_dim"):
        text_unet.train_text_unet(unet, plain, torch.zeros(61, 77, 16), scaling_factor=1.0, num_steps=1,
                                  progress=False)


def test_vae_loss_sums_both_terms_per_image_as_ldm_does():
    """Σ over pixels of the squared error + β · Σ over the latent of the KL, averaged over the batch."""
    vae = mini_vae.build_mini_vae()
    images = transforms.digits_to_rgb64(digits.load_digits("test")[0][:3])  # (3, 3, 64, 64)
    loss, squared_error, kl = mini_vae.vae_loss(vae, images, torch.Generator().manual_seed(0), kl_weight=0.5)
    posterior = vae.encode(images).latent_dist
    z = posterior.mean + posterior.std * torch.randn(posterior.mean.shape, generator=torch.Generator().manual_seed(0))
    expected_error = (vae.decode(z).sample - images).pow(2).sum() / 3  # not .mean(): that is 12,288× smaller
    assert squared_error.item() == pytest.approx(expected_error.item(), rel=1e-4)
    assert kl.item() == pytest.approx(posterior.kl().sum().item() / 3, rel=1e-5)
    assert loss.item() == pytest.approx(squared_error.item() + 0.5 * kl.item(), rel=1e-5)


def test_coloured_clip_and_vae_training_fall(tokenizer):
    px, lb = digits.load_digits("train")
    px, lb = px[::45], lb[::45]  # 100 digits, 10 per class
    clip = mini_clip.build_mini_clip()
    assert _falls(mini_clip.train_mini_clip(clip, tokenizer, px, lb, colours=True, num_steps=12, batch_size=32,
                                            device="cpu", progress=False))
    vae = mini_vae.build_mini_vae()
    assert _falls(mini_vae.train_mini_vae(vae, px[:32], lb[:32], num_steps=12, batch_size=8, learning_rate=3e-3,
                                          device="cpu", progress=False))


def test_locking_the_text_tower_keeps_it_bit_for_bit_and_trains_the_rest(tokenizer, tmp_path):
    """lock_text=True: the text tower the UNet reads stays as it was; the image tower and the projections learn."""
    px, lb = digits.load_digits("train")
    px, lb = px[::45], lb[::45]  # 100 digits, 10 per class
    clip = mini_clip.build_mini_clip()
    text = {k: v.clone() for k, v in clip.text_model.state_dict().items()}
    image = {k: v.clone() for k, v in clip.vision_model.state_dict().items()}
    projection = clip.text_projection.weight.clone()
    losses = mini_clip.train_mini_clip(clip, tokenizer, px, lb, colours=True, lock_text=True, num_steps=12,
                                       batch_size=32, device="cpu", progress=False, checkpoint_dir=tmp_path)
    assert _falls(losses)
    assert all(torch.equal(text[k], v) for k, v in clip.text_model.state_dict().items())
    assert not all(torch.equal(image[k], v) for k, v in clip.vision_model.state_dict().items())
    assert not torch.equal(projection, clip.text_projection.weight)  # the text side's projection is not the tower
    with pytest.raises(ValueError):  # a locked run never resumes as an unlocked one
        mini_clip.train_mini_clip(clip, tokenizer, px, lb, colours=True, num_steps=13, batch_size=32, device="cpu",
                                  progress=False, checkpoint_dir=tmp_path)


def test_vae_random_colours_draw_that_share_of_each_batch(monkeypatch):
    """random_colour_fraction=0.5: half of each batch of 8 in random sRGB colours, the rest in palette pairs."""
    from course_utils.data import colours

    px, lb = digits.load_digits("train")
    seen = []
    real_loss = mini_vae.vae_loss
    monkeypatch.setattr(mini_vae, "vae_loss", lambda vae, images, *a: seen.append(images.clone()) or real_loss(vae, images, *a))
    mini_vae.train_mini_vae(mini_vae.build_mini_vae(), px[:16], lb[:16], num_steps=2, batch_size=8, device="cpu",
                            progress=False, random_colour_fraction=0.5)
    palette = colours.palette_rgb()  # (7, 3)
    for images in seen:
        corners = (images[:, :, 0, 0] + 1) / 2  # (8, 3): each digit's background colour
        on_palette = (corners[:, None] - palette[None]).abs().amax(-1).min(-1).values < 1e-6  # (8,)
        assert on_palette.tolist() == [False] * 4 + [True] * 4
    with pytest.raises(ValueError, match="must lie in"):
        mini_vae.train_mini_vae(mini_vae.build_mini_vae(), px[:8], lb[:8], num_steps=1, random_colour_fraction=1.5)
    with pytest.raises(ValueError, match="needs labels"):
        mini_vae.train_mini_vae(mini_vae.build_mini_vae(), px[:8], num_steps=1, random_colour_fraction=0.5)


def test_attribute_accuracy_offers_every_alternative(tokenizer, monkeypatch):
    """Each attribute is chosen among captions that name the other two right: a model that always picks the
    true caption scores 100%, one that always picks the first candidate scores only where that is the truth."""
    from course_utils.data.compositions import compose_caption

    px, lb = digits.load_digits("test")
    labels, ink, background = torch.tensor(lb[:6]), torch.tensor([0, 1, 2, 3, 4, 5]), torch.tensor([1, 2, 3, 4, 5, 0])
    truths = {compose_caption(int(d), int(i), int(b)) for d, i, b in zip(labels, ink, background)}
    clip = mini_clip.build_mini_clip()
    monkeypatch.setattr(mini_clip, "similarity", lambda m, t, images, texts: torch.tensor(
        [[float(text in truths) for text in texts]]))
    assert mini_clip.attribute_accuracy(clip, tokenizer, px[:6], labels, ink, background) == dict(
        digit=1.0, ink=1.0, background=1.0)
    monkeypatch.setattr(mini_clip, "similarity", lambda m, t, images, texts: torch.tensor([[1.0] + [0.0] * (len(texts) - 1)]))
    scores = mini_clip.attribute_accuracy(clip, tokenizer, px[:6], labels, ink, background)
    first_ink = [0 if b != 0 else 1 for b in background.tolist()]  # red, unless red is the background
    assert scores["digit"] == pytest.approx((labels == 0).float().mean().item())
    assert scores["ink"] == pytest.approx((ink == torch.tensor(first_ink)).float().mean().item())
    with pytest.raises(ValueError, match="same ink and background"):
        mini_clip.attribute_accuracy(clip, tokenizer, px[:1], lb[:1], [2], [2])


def test_vae_training_resumes_bit_for_bit(tmp_path):
    px, _ = digits.load_digits("test")
    straight = mini_vae.build_mini_vae()
    mini_vae.train_mini_vae(straight, px[:16], num_steps=4, batch_size=4, device="cpu", progress=False)
    resumed = mini_vae.build_mini_vae()  # the same num_steps: warm-up and decay depend on it
    first = mini_vae.train_mini_vae(resumed, px[:16], num_steps=4, batch_size=4, device="cpu", progress=False,
                                    checkpoint_dir=tmp_path, max_seconds=1e-9)  # "crashes" after one step
    assert len(first) == 1
    again = mini_vae.build_mini_vae(seed=5)  # a fresh process: other weights until the checkpoint loads
    losses = mini_vae.train_mini_vae(again, px[:16], num_steps=4, batch_size=4, device="cpu", progress=False,
                                     checkpoint_dir=tmp_path)
    assert len(losses) == 4
    for a, b in zip(straight.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)


def test_scaling_factor_is_one_over_std():
    vae = mini_vae.build_mini_vae()
    images = transforms.digits_to_rgb64(digits.load_digits("test")[0][:20])
    factor = mini_vae.latent_scaling_factor(vae, images, torch.Generator().manual_seed(0))
    means, stds = mini_vae.encode_latent_dist(vae, images)
    latents = means + stds * torch.randn(means.shape, generator=torch.Generator().manual_seed(0))
    assert factor == pytest.approx(1 / latents.std().item())
    assert (latents * factor).std().item() == pytest.approx(1.0, rel=1e-4)


# --- the shipped weights ----------------------------------------------------------------------------


def test_shipped_models_are_small_and_complete():
    total = sum(p.stat().st_size for p in pretrained.SHIPPED.rglob("*") if p.is_file())
    assert total <= 20e6, f"shipped models take {total / 1e6:.1f} MB"  # every file, every model
    names = {p.name for p in pretrained.SHIPPED.iterdir() if p.is_dir()}
    assert names == {"mini-sd", "mini-clip", "digit-classifier", "class-unet", "mini-sd-lora-orange"}
    for name in names:
        assert (pretrained.card_dir(name) / "README.md").exists()
    index = json.loads((pretrained.shipped_dir("mini-sd") / "model_index.json").read_text())
    assert {"unet", "vae", "text_encoder", "tokenizer", "scheduler"} <= set(index)


def test_shipped_weights_reproduce_recorded_figures(pipe):
    """The model card's CLIP and VAE figures, measured again on the shipped weights, and its targets."""
    from course_utils.data.colours import evaluation_colours, render_digits

    figures = pretrained.model_card("mini-sd")
    tokenizer = CLIPTokenizer.from_pretrained(pretrained.mini_clip_dir())
    clip = CLIPModel.from_pretrained(pretrained.mini_clip_dir(), dtype=torch.float32)
    test_px, test_lb = digits.load_digits("test")
    ink, background = evaluation_colours(len(test_lb))
    zero_shot = mini_clip.attribute_accuracy(clip, tokenizer, test_px, test_lb, ink, background)
    for attribute, accuracy in zero_shot.items():
        assert accuracy == pytest.approx(figures["clip"]["zero_shot"][attribute], abs=1e-6), attribute
    assert zero_shot["ink"] >= 0.9 and zero_shot["background"] >= 0.9
    assert zero_shot["digit"] < zero_shot["ink"]  # the model card: the digit is the attribute it names least reliably
    images = render_digits(test_px, ink, background)  # (500, 3, 64, 64) in [−1, 1]
    psnr = mini_vae.round_trip_psnr(pipe.vae, images).mean().item()
    assert psnr == pytest.approx(figures["vae"]["test_psnr_db"], abs=0.01)
    assert psnr >= 28
    assert pipe.vae.config.scaling_factor == pytest.approx(figures["vae"]["scaling_factor"])
    assert pipe.vae.config.scaling_factor < 0.5  # LDM's loss weighting: latents far from unit variance, as in SD v1
    # the text encoder is the mini CLIP's text tower, weight for weight (both rounded to the pipeline's dtype)
    for name, weight in pipe.text_encoder.state_dict().items():
        assert torch.equal(weight, clip.text_model.state_dict()[name].to(weight.dtype))


def test_shipped_pipeline_follows_prompts(pipe):
    """One image per digit, seeded: the classifier reads nearly all as the prompted digit at 7.5."""
    classifier = pretrained.digit_classifier()
    guided = adherence.prompt_adherence(pipe, classifier, template=captions.ZERO_SHOT_TEMPLATE, guidance_scale=7.5,
                                         per_digit=1, seed=0)
    assert guided.overall >= 0.8, guided.table()


def test_shipped_pipeline_composes_the_cells_it_saw(pipe):
    """Every 8th seen (digit, ink, background) cell at guidance 3: the colour judge reads most as prompted."""
    from course_utils.sd.composition import composition_adherence, evaluation_cells

    seen = composition_adherence(pipe, evaluation_cells(False)[::8], guidance_scale=3.0,
                                 classifier=pretrained.digit_classifier())
    assert seen.count == 42
    assert seen.all_three >= 0.7, seen
    assert seen.background >= 0.9 and seen.digit >= 0.9, seen


def test_missing_weights_name_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(pretrained, "SHIPPED", tmp_path)
    with pytest.raises(errors.MissingWeightsError, match="train_mini_sd.py"):
        pretrained.shipped_dir("mini-sd")
    (tmp_path / "mini-sd").mkdir()
    (tmp_path / "mini-sd" / "model_index.json").write_text("{}")
    with pytest.raises(errors.MissingWeightsError, match="no weights file"):
        pretrained.mini_sd_dir()


def test_every_shipped_file_goes_into_the_wheel():
    """pyproject's package-data globs must cover every shipped file, or a Colab install lacks it."""
    import fnmatch
    from pathlib import Path

    import tomllib

    root = Path(__file__).resolve().parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["course_utils"]
    package = root / "course_utils"
    for path in pretrained.SHIPPED.rglob("*"):
        if path.is_file():
            relative = path.relative_to(package).as_posix()
            assert any(fnmatch.fnmatch(relative, g) and relative.count("/") == g.count("/") for g in globs), relative


def test_shipped_scheduler_is_sd15s():
    """clip_sample=False matters: DDIM/DDPM built from this config would otherwise clip x̂_0 and draw noise."""
    from course_utils.sd.architecture import SD15_SCHEDULER_CONFIG

    shipped = json.loads((pretrained.shipped_dir("mini-sd") / "scheduler" / "scheduler_config.json").read_text())
    assert {k: shipped.get(k) for k in SD15_SCHEDULER_CONFIG} == SD15_SCHEDULER_CONFIG


def test_the_text_tower_ships_once_and_the_mini_clip_gets_it_back(tmp_path):
    shipped = load_file(str(pretrained.shipped_dir("mini-clip") / "model.safetensors"))
    assert shipped and not any(k.startswith(pretrained.TEXT_TOWER) for k in shipped)
    _, info = CLIPModel.from_pretrained(pretrained.mini_clip_dir(), output_loading_info=True)
    assert not (info["missing_keys"] or info["unexpected_keys"] or info["mismatched_keys"])
    # the tool's route on a tiny CLIP: save without the tower, save the tower as a text encoder, merge
    tiny = CLIPModel(CLIPConfig(text_config=dict(hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                                                 num_attention_heads=2, vocab_size=50, max_position_embeddings=8),
                                vision_config=dict(hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                                                   num_attention_heads=2, image_size=16, patch_size=8),
                                projection_dim=4))
    expected = {k: v.half() for k, v in tiny.state_dict().items()}
    pretrained.save_mini_clip(tiny, tmp_path / "clip")
    tower = CLIPTextModel(tiny.config.text_config)
    tower.load_state_dict({k.removeprefix("text_model."): v for k, v in tiny.text_model.state_dict().items()})
    tower.half().save_pretrained(tmp_path / "text", safe_serialization=True)
    pretrained._merge_text_tower(tmp_path / "clip" / "model.safetensors", tmp_path / "text" / "model.safetensors")
    again = CLIPModel.from_pretrained(tmp_path / "clip", dtype=torch.float16)
    assert all(torch.equal(v, expected[k]) for k, v in again.state_dict().items())


def test_text_unet_keeps_an_ema_and_returns_holding_it(tmp_path):
    from course_utils.training.checkpoints import latest_checkpoint

    table = LatentTable(torch.randn(8, 4, 8, 8), torch.ones(8, 4, 8, 8) * 0.1, torch.arange(8) % 10)
    states = torch.randn(10 * 2 + 1, 77, 32)  # 2 templates · 10 digits + ""
    unet = text_unet.build_mini_unet(32)
    text_unet.train_text_unet(unet, table, states, scaling_factor=1.0, num_steps=2, batch_size=4, device="cpu",
                              progress=False, checkpoint_dir=tmp_path, ema_decay=0.9)
    assert (latest_checkpoint(tmp_path) / "ema_model.safetensors").exists()
    from safetensors.torch import load_file

    raw = load_file(str(latest_checkpoint(tmp_path) / "model.safetensors"))
    name = next(k for k in raw if k.endswith("conv_out.weight"))
    assert not torch.equal(unet.state_dict()[name], raw[name])  # the model holds the average, not the last step
