"""The merge's side job (archive + cache payloads while the summary is written): whether it
runs, fails or is not available, the register ends up with the same archive and cache."""

from __future__ import annotations

import json
import os

import pytest

from consolidate.merge import run as merge_module
from consolidate.merge import side_job
from consolidate.merge.side_job import SideJob
from tests.merge.test_cache import cached_rows, merge, write

needs_fork = pytest.mark.skipif(not side_job.available(), reason="side jobs need fork")


def _add(a, b):
    return a + b


def _fail(*_args):
    raise ValueError("boom")


def _die(*_args):
    os._exit(3)


@needs_fork
def test_side_job_returns_its_result():
    job = SideJob(_add, 2, 3)
    assert job.started
    assert job.result() == 5
    assert job.result() is None  # collected once


@needs_fork
@pytest.mark.parametrize("fn", [_fail, _die])
def test_failed_side_job_gives_none(fn):
    job = SideJob(fn)
    assert job.started and job.result() is None


def test_no_fork_no_side_job(monkeypatch):
    monkeypatch.setattr(side_job, "available", lambda: False)
    job = SideJob(_add, 1, 1)
    assert not job.started and job.result() is None
    job.cancel()


@pytest.fixture
def returns(mini, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for seed, code in enumerate(("SNV", "STC", "24781")):
        write(mini, folder, code, seed)
    return folder


def _outcome(result):
    archive = result.register_path.parent / "archive"
    status = json.loads(result.json_path.read_text(encoding="utf-8"))
    status.pop("as_of")
    return (
        sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.xlsx")),
        cached_rows(result.register_path),
        status,
    )


@pytest.mark.parametrize("how", ["unavailable", "dies", "fails"])
def test_merge_without_a_working_side_job_registers_the_same(mini, returns, tmp_path, monkeypatch, how):
    expected = _outcome(merge(mini, returns, tmp_path / "ref", "a", workers=2))
    assert len(expected[0]) == 3 and expected[1] == 3

    if how == "unavailable":
        monkeypatch.setattr(side_job, "available", lambda: False)
    else:
        monkeypatch.setattr(merge_module, "_archive_and_encode", _die if how == "dies" else _fail)
    got = _outcome(merge(mini, returns, tmp_path / "other", "a", workers=2))
    assert got == expected
