"""Shared fixtures. The suite runs offline in mini mode (`make test` sets the environment)."""

import os

import pytest

os.environ.setdefault("COURSE_MODE", "mini")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def pipe():
    from course_utils.models import load_pipeline

    return load_pipeline(mode="mini")


@pytest.fixture(scope="session")
def tokenizer():
    from course_utils.models import load_tokenizer

    return load_tokenizer(mode="mini")
