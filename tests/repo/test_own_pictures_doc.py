"""docs/own-pictures.md stays true to the trainer: every option it lists exists, every option is listed,
and the default step counts it states are the trainer's."""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "models"))

import own_pictures_run  # noqa: E402

DOC = (ROOT / "docs" / "own-pictures.md").read_text()


def test_the_option_table_matches_the_trainer():
    parser = argparse.ArgumentParser()
    own_pictures_run.add_arguments(parser)
    options = {a.option_strings[0] for a in parser._actions if a.option_strings and a.option_strings[0] != "-h"}
    listed = set(re.findall(r"^\| `(--[a-z-]+)", DOC, re.M))
    assert listed == options | {"--device"}, f"listed {sorted(listed)}, the trainer has {sorted(options)}"


def test_the_default_steps_are_the_trainers():
    steps = own_pictures_run.DEFAULT_STEPS
    assert f"CLIP {steps['clip']:,}, VAE {steps['vae']:,}, UNet {steps['unet']:,}" in DOC
    for stage in ("clip", "vae", "unet"):
        assert f"| {steps[stage]:,} |" in DOC
