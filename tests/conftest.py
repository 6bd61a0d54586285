"""Shared fixtures: the small test definition and a loader for shipped plans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from consolidate.definition import loader as definitions

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture
def mini():
    return definitions.load(MINI)


@pytest.fixture
def mini_copy(tmp_path):
    """A writable copy of the mini plan folder, for tests that break it."""
    target = tmp_path / "plan"
    shutil.copytree(MINI, target)
    return target


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")
