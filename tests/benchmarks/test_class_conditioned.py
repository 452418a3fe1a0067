"""benchmarks/class_conditioned.py: the learning-curve benchmark's medians, merging, plot, recipes and CLI."""

import dataclasses
import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch

from course_utils.class_unet import recipes

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_class_conditioned", ROOT / "benchmarks" / "class_conditioned.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

MINI = recipes.RECIPES["course_mini"]


def point(recipe, seed, minutes, *, steps, loss, g1, guided, s_per_image, guidance=3.0, finished=False):
    """A hand-made evaluation point, shaped like those ``learning_curve`` yields."""
    return dict(recipe=recipe, seed=seed, minutes=minutes, train_seconds=60.0 * minutes, steps=steps, loss=loss,
                finished=finished, accuracy_g1=g1, accuracy_guided=guided, guidance_scale=guidance,
                seconds_per_image=s_per_image, sampler="DDIM-10" if recipe != "book" else "DDPM-1000",
                images_per_class=10 if recipe != "book" else 1)


def book_points():
    return [point("book", seed, minutes, steps=steps, loss=0.05, g1=acc, guided=acc, s_per_image=s, guidance=1.0)
            for seed, minutes, steps, acc, s in [(0, 5, 40, 0.1, 70.0), (1, 5, 44, 0.2, 90.0), (2, 5, 41, 0.3, 80.0),
                                                 (0, 10, 80, 0.2, 80.0), (1, 10, 90, 0.4, 80.0), (2, 10, 85, 0.6, 80.0)]]


def course_points():
    return [point("course_mini", seed, minutes, steps=steps, loss=loss, g1=g1, guided=guided, s_per_image=s)
            for seed, minutes, steps, loss, g1, guided, s in [
                (0, 5, 900, 0.30, 0.70, 0.90, 1.0), (1, 5, 1000, 0.20, 0.80, 0.95, 1.0), (2, 5, 950, 0.25, 0.75, 1.0, 1.0),
                (0, 10, 1900, 0.10, 0.90, 1.0, 1.0), (1, 10, 1800, 0.12, 0.85, 0.99, 1.0)]]


# --- medians, tables, merging, the plot -----------------------------------------------------------

def test_summary_rows_are_medians_over_seeds_per_recipe_and_mark():
    rows = bench.summarize({"machines": [], "points": course_points() + book_points()})
    assert [(r["recipe"], r["minutes"], r["seeds"]) for r in rows] == [
        ("course_mini", 5, 3), ("course_mini", 10, 2), ("book", 5, 3), ("book", 10, 3)]  # in the order they ran
    course5, course10, book5, _ = rows
    assert (course5["steps"], course5["loss"], course5["accuracy_g1"], course5["accuracy_guided"]) == (950, 0.25, 0.75, 0.95)
    assert course10["steps"] == 1850 and course10["accuracy_guided"] == pytest.approx(0.995)  # two seeds: the mean
    assert (book5["steps"], book5["accuracy_g1"], book5["seconds_per_image"]) == (41, 0.2, 80.0)
    assert book5["guidance_scale"] == 1.0 and book5["finished"] == 0


def test_merged_files_give_the_table_the_speed_ratio_and_the_plot(tmp_path, capsys):
    machine = dict(platform="Linux", processor="x86_64", cpus=2, python="3.11", torch="2", threads=2,
                   judge_accuracy=0.986, judge_test_digits=500)
    stale = point("course_mini", 0, 5, steps=1, loss=9.0, g1=0.0, guided=0.0, s_per_image=1.0)
    (tmp_path / "a.json").write_text(json.dumps({"machines": [machine], "points": book_points() + [stale]}))
    (tmp_path / "b.json").write_text(json.dumps({"machines": [machine], "points": course_points()}))
    paths = [str(tmp_path / "a.json"), str(tmp_path / "b.json")]
    results = bench.main(["--merge", *paths, "--json", str(tmp_path / "all.json"), "--plot", str(tmp_path / "c.png")])
    out = capsys.readouterr().out
    assert len(results["points"]) == 11 and results["machines"] == [machine]  # b's seed-0 point replaced a's
    assert "98.6% accurate on 500 real test digits" in out
    assert "| course_mini | 5 | 950 | 0.2500 | 75.0% | 95.0% (g=3) | 1.000 | DDIM-10 | 3 |" in out
    assert "book takes 80.0× as long per image as course_mini" in out
    assert json.loads((tmp_path / "all.json").read_text()) == results
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_speed_ratio_needs_both_recipes():
    assert "as long per image" not in bench.format_table(bench.summarize({"points": course_points()}))


def test_merge_names_the_fix_for_wrong_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="written by this script's --json"):
        bench.merge([tmp_path / "missing.json"])
    (tmp_path / "other.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="holds no 'points'"):
        bench.merge([tmp_path / "other.json"])


# --- recipes and ablations -------------------------------------------------------------------------

@pytest.mark.parametrize("lever, field, value", [
    ("no_ema", "ema_decay", None), ("no_min_snr", "min_snr_gamma", None), ("epsilon", "prediction_type", "epsilon"),
    ("no_warmup_no_decay", "warmup_steps", 0), ("no_warmup_no_decay", "decay", False),
    ("linear_betas", "beta_schedule", "linear"), ("batch_64", "batch_size", 64)])
def test_each_ablation_is_course_mini_without_its_lever(lever, field, value):
    recipe = bench.resolve_recipe(f"course_mini-{lever}")
    assert getattr(recipe, field) == value != getattr(MINI, field)
    assert recipe.name == f"course_mini-{lever}"
    changed = {f.name for f in dataclasses.fields(recipe) if getattr(recipe, f.name) != getattr(MINI, f.name)}
    assert changed == set(bench.ABLATIONS[lever]) | {"name", "note"}  # nothing else moves


def test_ablations_reach_the_model_the_schedulers_and_the_training_arguments():
    assert bench.resolve_recipe("course_mini-no_scale_shift").build_unet().config.resnet_time_scale_shift == "default"
    assert MINI.unet["resnet_time_scale_shift"] == "scale_shift"  # the recipe itself is untouched
    assert bench.resolve_recipe("course_mini-linear_betas").make_noise_scheduler().config.beta_schedule == "linear"
    assert bench.resolve_recipe("course_mini-epsilon").make_sampler().config.prediction_type == "epsilon"
    assert bench.resolve_recipe("course_mini-no_ema").training_kwargs()["ema_decay"] is None
    assert bench.resolve_recipe("course_mini-batch_64").training_kwargs()["batch_size"] == 64
    assert set(bench.ABLATIONS) == {"no_ema", "no_min_snr", "epsilon", "no_warmup_no_decay", "no_scale_shift",
                                    "linear_betas", "batch_64"}


@pytest.mark.parametrize("name", ["bok", "course_mini-no_such_lever", "book-no_ema", "course_mini-"])
def test_unknown_recipe_names_list_what_exists(name):
    listed = r"use one of course_mini, .*book, course_mini-no_ema, .*course_mini-batch_64\."
    with pytest.raises(ValueError, match=listed) as error:
        bench.resolve_recipe(name)
    assert repr(name) in str(error.value)


# --- the command line ------------------------------------------------------------------------------

def test_the_defaults_are_the_issues_benchmark():
    args = bench.parse_args([])
    assert (args.recipes, args.seeds, args.marks_minutes, args.threads) == (["book", "course_mini"], [0, 1, 2],
                                                                            [5.0, 10.0, 15.0], 2)
    assert (args.samples_per_class, args.book_samples_per_class, args.json, args.merge) == (10, 1, None, None)
    assert "--json build/bench.json --plot build/bench.png" in bench.__doc__


@pytest.mark.parametrize("argv, message", [
    (["--marks-minutes", "-5", "10"], "positive, increasing"), (["--marks-minutes", "0"], "positive, increasing"),
    (["--marks-minutes", "10", "5"], "positive, increasing"), (["--marks-minutes", "nan"], "positive, increasing"),
    (["--marks-minutes", "5", "5"], "positive, increasing"), (["--seeds"], "expected at least one"),
    (["--seeds", "0", "0"], "repeats a value"), (["--recipes", "book", "book"], "repeats a value"),
    (["--threads", "0"], "--threads must be a positive"), (["--samples-per-class", "0"], "--samples-per-class"),
    (["--book-samples-per-class", "-1"], "--book-samples-per-class"), (["--recipes", "bok"], "No recipe called 'bok'"),
])
def test_bad_arguments_are_refused_with_the_fix(argv, message, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert message in capsys.readouterr().err


# --- one tiny run, end to end -----------------------------------------------------------------------

def test_a_tiny_run_pauses_at_each_mark_and_resumes(tmp_path, monkeypatch, capsys):
    """course_smoke for 0.6 s then 1.8 s of training (never finishing), and a 2-step recipe that finishes."""
    smoke = recipes.RECIPES["course_smoke"]
    monkeypatch.setitem(recipes.RECIPES, "course_smoke",
                        dataclasses.replace(smoke, num_steps=100_000, num_inference_steps=5))
    monkeypatch.setitem(recipes.RECIPES, "smoke_short",
                        dataclasses.replace(smoke, name="smoke_short", num_steps=2, num_inference_steps=5))
    threads = torch.get_num_threads()
    try:
        bench.main(["--recipes", "course_smoke", "smoke_short", "--seeds", "0", "--marks-minutes", "0.01", "0.03",
                    "--threads", "1", "--samples-per-class", "1", "--json", str(tmp_path / "bench.json")])
    finally:
        torch.set_num_threads(threads)
    results = json.loads((tmp_path / "bench.json").read_text())
    assert results["machines"][0]["judge_accuracy"] >= 0.95 and results["machines"][0]["threads"] == 1
    curve = [p for p in results["points"] if p["recipe"] == "course_smoke"]
    assert [p["minutes"] for p in curve] == [0.01, 0.03]
    assert 0 < curve[0]["steps"] < curve[1]["steps"] and not any(p["finished"] for p in curve)
    assert all(p["train_seconds"] >= 60 * p["minutes"] for p in curve)  # the clock ran to each mark
    for p in curve:
        assert math.isfinite(p["loss"]) and p["seconds_per_image"] > 0 and p["guidance_scale"] == 2.0
        assert 0 <= p["accuracy_g1"] <= 1 and 0 <= p["accuracy_guided"] <= 1 and p["sampler"] == "DDIM-5"
    short = [p for p in results["points"] if p["recipe"] == "smoke_short"]
    assert [(p["steps"], p["finished"]) for p in short] == [(2, True), (2, True)]
    out = capsys.readouterr().out
    assert "finished at step 2" in out and "| course_smoke | 0.03 |" in out
