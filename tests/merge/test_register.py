"""The submission register: idempotent, archives every version, one merge at a time."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

from consolidate.merge.register import Register, RegisterBusy, default_path
from consolidate.merge.run import run_merge
from consolidate.vntime import parse_as_of
from tests.merge.helpers import vn

AS_OF = parse_as_of("2026-06-10T08:00")


def write(mini, folder, code, seed, name=None):
    from consolidate.definition.sample_values import filled_values
    from consolidate.template.writer import write_template

    period = mini.period("2026-H1")
    unit = mini.unit(code)
    path = folder / (name or f"{code}.xlsx")
    write_template(mini, unit, period, path, values=filled_values(mini, unit, period, seed=seed))
    return path


def set_mtime(path, moment):
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def snapshot(register_path):
    db = sqlite3.connect(register_path)
    try:
        return (
            sorted(db.execute("SELECT * FROM contents")),
            sorted(db.execute("SELECT * FROM names")),
        )
    finally:
        db.close()


def test_default_place_is_beside_the_returns_folder(tmp_path):
    assert default_path(tmp_path / "returns" / "2026-H1") == (tmp_path / "returns" / ".consolidate" / "register.sqlite")


def test_rerun_is_idempotent_and_inputs_untouched(mini, tmp_path):
    returns = tmp_path / "in"
    snv = write(mini, returns, "SNV", 1)
    stc = write(mini, returns, "STC", 2)
    set_mtime(snv, vn(2026, 6, 3, 9))
    set_mtime(stc, vn(2026, 6, 8, 9))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime) for p in returns.iterdir()}
    first = run_merge(mini, "2026-H1", returns, tmp_path / "a.xlsx", as_of=AS_OF, workers=0)
    reg = first.register_path
    assert reg == tmp_path / ".consolidate" / "register.sqlite"
    state = snapshot(reg)
    assert len(state[0]) == 2 and len(state[1]) == 2
    second = run_merge(mini, "2026-H1", returns, tmp_path / "b.xlsx", as_of=AS_OF, workers=0)
    assert snapshot(reg) == state
    assert {p.name: (p.read_bytes(), p.stat().st_mtime) for p in returns.iterdir()} == before
    assert first.status == second.status
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    snv_status = second.status["units"]["SNV"]
    assert (snv_status["received_at"], snv_status["received_at_source"]) == ("2026-06-03T09:00:00+07:00", "mtime")
    with Register(reg) as register:
        row = register.row(first.status["files"][0]["sha256"])
        assert row["verdict"] == "accepted" and row["unit_code"] == "SNV" and row["period"] == "2026-H1"
        assert row["first_seen"].endswith("Z")


def test_touched_file_keeps_its_first_receipt_time(mini, tmp_path):
    returns = tmp_path / "in"
    snv = write(mini, returns, "SNV", 1)
    set_mtime(snv, vn(2026, 6, 3, 9))
    run_merge(mini, "2026-H1", returns, tmp_path / "a.xlsx", as_of=AS_OF, workers=0)
    set_mtime(snv, vn(2026, 6, 9, 9))  # copied or opened and saved without change
    result = run_merge(mini, "2026-H1", returns, tmp_path / "a.xlsx", as_of=AS_OF, workers=0)
    assert result.status["units"]["SNV"]["status"] == "on_time"
    assert result.status["units"]["SNV"]["received_at"] == "2026-06-03T09:00:00+07:00"


def test_future_mtime_gives_the_register_time(mini, tmp_path):
    returns = tmp_path / "in"
    snv = write(mini, returns, "SNV", 1)
    set_mtime(snv, dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30))
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=60)
    result = run_merge(mini, "2026-H1", returns, tmp_path / "a.xlsx", as_of=later, workers=0)
    assert result.status["units"]["SNV"]["received_at_source"] == "register"


def test_overwritten_inbox_file_loses_nothing(mini, tmp_path):
    returns = tmp_path / "in"
    path = write(mini, returns, "SNV", 1)
    old_bytes = path.read_bytes()
    first = run_merge(mini, "2026-H1", returns, tmp_path / "a.xlsx", as_of=AS_OF, workers=0)
    write(mini, returns, "SNV", 2)  # the unit's new version, same name
    assert path.read_bytes() != old_bytes
    second = run_merge(mini, "2026-H1", returns, tmp_path / "a.xlsx", as_of=AS_OF, workers=0)
    archive = first.register_path.parent / "archive"
    stored = {p.read_bytes() for p in archive.rglob("*.xlsx")}
    assert old_bytes in stored and path.read_bytes() in stored
    old_sha = first.status["files"][0]["sha256"]
    assert (archive / old_sha[:2] / f"{old_sha}.xlsx").read_bytes() == old_bytes
    assert second.status["files"][0]["sha256"] != old_sha
    with Register(first.register_path) as register:
        assert register.count("contents") == 2
        assert register.names(old_sha) == ["SNV.xlsx"]


def test_register_moved_inside_the_returns_folder_is_not_read(mini, tmp_path):
    returns = tmp_path / "in"
    write(mini, returns, "SNV", 1)
    result = run_merge(mini, "2026-H1", returns, returns / "tong-hop.xlsx", as_of=AS_OF, workers=0,
                       register_path=returns / "so-dang-ky.sqlite", json_path=returns / "status.json")
    again = run_merge(mini, "2026-H1", returns, returns / "tong-hop.xlsx", as_of=AS_OF, workers=0,
                      register_path=returns / "so-dang-ky.sqlite", json_path=returns / "status.json")
    assert [f["file"] for f in again.status["files"]] == ["SNV.xlsx"]
    assert again.status == result.status


def test_second_merge_is_told_the_register_is_busy(mini, tmp_path):
    returns = tmp_path / "in"
    write(mini, returns, "SNV", 1)
    reg = tmp_path / "reg" / "register.sqlite"
    run_merge(mini, "2026-H1", returns, tmp_path / "a.xlsx", as_of=AS_OF, workers=0, register_path=reg)
    state = snapshot(reg)
    with Register(reg), pytest.raises(RegisterBusy, match="đang dùng"):
        run_merge(mini, "2026-H1", returns, tmp_path / "b.xlsx", as_of=AS_OF, workers=0, register_path=reg)
    assert not (tmp_path / "b.xlsx").exists()
    assert snapshot(reg) == state
    run_merge(mini, "2026-H1", returns, tmp_path / "b.xlsx", as_of=AS_OF, workers=0, register_path=reg)
    assert (tmp_path / "b.xlsx").exists()
