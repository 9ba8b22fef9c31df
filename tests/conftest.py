"""Shared fixtures: the repository, the sample corpus, and one build of it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import params
from etl.build import build

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "data" / "raw"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The five sample articles built into a temporary output folder, once per test run."""
    out = tmp_path_factory.mktemp("sample-build")
    build(SAMPLE, out, params.load(None))
    return out


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A writable copy of the sample corpus, for tests that add bad files to it."""
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    return raw
