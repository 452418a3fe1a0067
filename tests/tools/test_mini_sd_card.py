"""tools/models/mini_sd_card.py: the model card's curve table and the sentences it writes from the figures."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def report():
    spec = importlib.util.spec_from_file_location("mini_sd_card", ROOT / "tools" / "models" / "mini_sd_card.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def block(seen, held_out, ink=None):
    attributes = dict(digit=0.95, ink=held_out if ink is None else ink, background=0.95)
    return dict(seen=dict(all_three=seen, count=335, digit=1.0, ink=seen, background=1.0),
                held_out=dict(all_three=held_out, count=255, **attributes))


def figures(composition, zero_shot_digit=0.95):
    return dict(composition=composition, unseen_phrasings={"3.0": block(0.8, 0.5)},
                clip=dict(zero_shot=dict(digit=zero_shot_digit, ink=0.99, background=1.0)))


def test_curve_table_lists_each_kept_step_at_guidance_3_and_refuses_other_curves():
    r = report()
    at_3 = [dict(step=s, guidance_scale=3.0, seen=s / 1000, held_out=s / 2000) for s in (200, 100)]
    table = r.curve_table(dict(curve=at_3)).splitlines()
    assert table[0] == "| UNet step | seen, 3 | held-out, 3 |" and len(table) == 4
    assert table[2] == "| 100 | 10.0% | 5.0% |" and table[3] == "| 200 | 20.0% | 10.0% |"
    with pytest.raises(SystemExit, match="guidance 3"):
        r.curve_table(dict(curve=[dict(step=100, seen=0.1, held_out=0.0)]))  # an older run's curve, at 7.5


def test_limits_name_only_what_the_figures_show():
    r = report()
    weak = figures({"1.0": block(0.5, 0.2), "3.0": block(0.84, 0.29, ink=0.39), "7.5": block(0.3, 0.16)},
                   zero_shot_digit=0.78)
    text = r.limits_text(weak)
    assert "best guidance scale is 3" in text and "84.0% against 29.0%" in text
    assert "most often wrong is the ink (39.0% right" in text and "zero-shot 78.0%" in text
    assert "at its best guidance scale, 3," in r.summary_text(weak)
    strong = figures({"1.0": block(0.5, 0.4), "3.0": block(0.9, 0.85), "7.5": block(0.95, 0.9)})
    text = r.limits_text(strong)
    assert "best guidance scale" not in text and "better than the held-out" not in text and "zero-shot" not in text
    assert "Phrasings kept out of training work less well" in text  # 0.8 against 0.95 on seen cells


def test_the_vae_paragraph_says_what_it_trained_on_and_what_the_palette_only_stage_did():
    r = report()
    pair = dict(psnr_db=29.5, ink_read_right=1.0)
    vae = dict(steps=16000, held_out_pairs={"blue on white": pair},
               cycles=[dict(steps=3000, random_colour_fraction=0.5), dict(steps=4000, random_colour_fraction=0.75)])
    text = r.vae_paragraph(vae)
    assert "9,000 steps on digits in allowed palette pairs" in text and "75% of each batch" in text
    assert "blue on white 29.5 dB, ink read right 100%" in text and "After its first" not in text
    vae["palette_only"] = dict(held_out_pairs={"blue on white": dict(psnr_db=18.7, ink_read_right=0.0)})
    assert "After its first 9,000 steps, on allowed palette pairs only, the same round trips gave blue on white " \
           "18.7 dB, ink read right 0%" in r.vae_paragraph(vae)
    assert "trained on the allowed palette pairs only" in r.vae_paragraph(dict(steps=9000, cycles=[]))


def test_the_locked_text_stage_gets_its_own_recipe_row_and_counts_in_the_total():
    r = report()
    stages = {name: dict(seconds=60.0) for name in ("classifier", "clip", "vae")}
    stages["unet"] = dict(seconds=60.0, encode_seconds=60.0)
    assert r.clip_image_row(stages) == "" and r.stage_seconds(stages) == 300.0
    stages["clip_image"] = dict(steps=6000, batch_size=128, learning_rate=0.001, seconds=120.0)
    row = r.clip_image_row(stages)
    assert row.startswith("| mini CLIP, text tower locked") and "| 6000 | 128 | 0.001 |" in row and row.endswith("|\n")
    assert r.stage_seconds(stages) == 420.0
