"""The validation cache in the register: a re-run reads only contents it has not checked
under the same definition, period, "today" and code, and gives what an uncached run gives."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from consolidate import reading
from consolidate.definition import loader as definitions
from consolidate.merge.register import Register, RegisterBusy
from consolidate.merge.run import run_merge
from consolidate.problems import ProblemList
from consolidate.reading import read_many
from consolidate.reading.problems import FileReaderCrashed, NameBroken
from consolidate.validation import cache as checked_cache
from consolidate.validation.cache import decode, encode
from consolidate.validation.checker import check_return
from consolidate.validation.problems import RuleFailed, RuleFailedWarning, ValueNotNumber
from consolidate.validation.returns import CheckedReturn, RawReturn
from consolidate.vntime import parse_as_of
from tests.merge.helpers import ROOT
from tests.reading import make_corpus

AS_OF = parse_as_of("2026-06-10T08:00")
SAMPLES = ROOT / "sample_inputs" / "2026-H1"


# --------------------------------------------------------------------------- helpers


def write(definition, folder: Path, code: str, seed: int, name: str | None = None) -> Path:
    from consolidate.definition.sample_values import filled_values
    from consolidate.template.writer import write_template

    period = definition.period("2026-H1")
    unit = definition.unit(code)
    path = folder / (name or f"{code}.xlsx")
    write_template(definition, unit, period, path, values=filled_values(definition, unit, period, seed=seed))
    return path


@pytest.fixture
def spy(monkeypatch):
    """Every batch the merge sends to the readers, as lists of file names."""
    calls: list[list[str]] = []

    def spying(paths, *args, **kwargs):
        calls.append(sorted(Path(p).name for p in paths))
        return read_many(paths, *args, **kwargs)

    monkeypatch.setattr(reading, "read_many", spying)
    return calls


def merge(definition, returns: Path, tmp_path: Path, tag: str, **kwargs):
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("workers", 0)
    kwargs.setdefault("register_path", tmp_path / "reg" / "register.sqlite")
    return run_merge(definition, kwargs.pop("period", "2026-H1"), returns, tmp_path / f"{tag}.xlsx",
                     json_path=tmp_path / f"{tag}.json", **kwargs)


def cached_rows(register: Path) -> int:
    db = sqlite3.connect(register)
    try:
        return db.execute("SELECT COUNT(*) FROM checked").fetchone()[0]
    finally:
        db.close()


def renamed(checked: CheckedReturn, name: str) -> CheckedReturn:
    """What a cache hit under another file name must equal: the same return, named `name`,
    without raw cells (the merge drops them)."""
    out = copy.deepcopy(checked)
    old = out.raw.file
    out.raw.file = name
    out.raw.cells, out.raw.tables = {}, {}
    for problem in {id(p): p for p in [*out.problems, *out.raw.problems]}.values():
        if problem.file == old:
            problem.file = name
    return out


@pytest.fixture
def returns(mini, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(mini, folder, "SNV", 1)
    write(mini, folder, "STC", 2)
    return folder


# --------------------------------------------------------------------------- re-runs


def test_rerun_reads_only_new_contents(mini, returns, tmp_path, spy):
    first = merge(mini, returns, tmp_path, "a")
    assert spy == [["SNV.xlsx", "STC.xlsx"]]
    assert cached_rows(first.register_path) == 2

    write(mini, returns, "24781", 3)
    merge(mini, returns, tmp_path, "b")
    assert spy[1:] == [["24781.xlsx"]]

    # the same content under a new name is a hit, named as it is now
    shutil.copy(returns / "SNV.xlsx", returns / "SNV-copy.xlsx")
    third = merge(mini, returns, tmp_path, "c")
    assert len(spy) == 2
    copy_entry = next(f for f in third.decision.files if f.file == "SNV-copy.xlsx")
    assert copy_entry.submission.checked.file == "SNV-copy.xlsx"
    assert all(p.file == "SNV-copy.xlsx" for p in copy_entry.submission.checked.problems)


def test_feedback_reads_everything(mini, returns, tmp_path, spy):
    merge(mini, returns, tmp_path, "a")
    result = merge(mini, returns, tmp_path, "b", keep_raw=True)
    assert spy == [["SNV.xlsx", "STC.xlsx"]] * 2
    assert all(f.submission.checked.raw.cells for f in result.decision.files)


def test_cached_rerun_equals_uncached_run(tmp_path, spy, monkeypatch):
    """The shipped sample (good and bad files, receipts): a cached re-run gives the same
    status JSON, byte for byte the same summary and the same register as an uncached one."""
    definition = definitions.load(ROOT / "templates" / "lam-dong-2026")
    args = dict(receipts=SAMPLES / "receipts.csv", as_of=parse_as_of("2026-06-20T17:00"), workers=2)
    reg_dir = tmp_path / "reg"
    first = merge(definition, SAMPLES, tmp_path, "first", **args)
    assert cached_rows(first.register_path) > 100
    shutil.copytree(reg_dir, tmp_path / "reg-copy")

    cached = merge(definition, SAMPLES, tmp_path, "cached", **args)
    assert len(spy) == 1  # nothing read again
    monkeypatch.setattr(checked_cache, "cache_key", lambda *a: None)
    plain = merge(definition, SAMPLES, tmp_path, "plain", register_path=tmp_path / "reg-copy" / "register.sqlite",
                  **args)
    assert len(spy) == 2 and len(spy[1]) > 100

    assert json.loads((tmp_path / "cached.json").read_text()) == json.loads((tmp_path / "plain.json").read_text())
    assert (tmp_path / "cached.xlsx").read_bytes() == (tmp_path / "plain.xlsx").read_bytes()
    assert [f.submission.checked for f in cached.decision.files] == [f.submission.checked for f in plain.decision.files]
    for name in ("contents", "names"):
        rows = []
        for reg in (reg_dir, tmp_path / "reg-copy"):
            db = sqlite3.connect(reg / "register.sqlite")
            rows.append(sorted(db.execute(f"SELECT * FROM {name}")))
            db.close()
        assert rows[0] == rows[1]


# --------------------------------------------------------------------------- invalidation


def test_definition_change_invalidates(mini_copy, tmp_path, spy):
    plan = definitions.load(mini_copy)
    folder = tmp_path / "in"
    folder.mkdir()
    write(plan, folder, "SNV", 1)
    merge(plan, folder, tmp_path, "a")
    merge(plan, folder, tmp_path, "b")
    assert len(spy) == 1

    yaml_file = mini_copy / "definition.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "\n# sửa một chú thích\n", encoding="utf-8")
    os.utime(yaml_file, (yaml_file.stat().st_mtime + 10,) * 2)
    edited = definitions.load(mini_copy)
    assert edited.content_hash != plan.content_hash
    merge(edited, folder, tmp_path, "c")
    assert spy[1:] == [["SNV.xlsx"]]

    text = yaml_file.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    yaml_file.write_text(text, encoding="utf-8")
    os.utime(yaml_file, (yaml_file.stat().st_mtime + 20,) * 2)
    newer = definitions.load(mini_copy)
    assert newer.version == 2
    merge(newer, folder, tmp_path, "d")
    assert spy[2:] == [["SNV.xlsx"]]


def test_units_csv_is_part_of_the_content_hash(mini_copy):
    before = definitions.load(mini_copy).content_hash
    csv = mini_copy / "don-vi.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("@", "+moi@", 1), encoding="utf-8")
    os.utime(mini_copy / "definition.yaml", (os.stat(mini_copy / "definition.yaml").st_mtime + 10,) * 2)
    assert definitions.load(mini_copy).content_hash != before


@pytest.mark.parametrize("change", ["period", "as_of", "code"])
def test_key_changes_invalidate(mini, returns, tmp_path, spy, monkeypatch, change):
    merge(mini, returns, tmp_path, "a")
    merge(mini, returns, tmp_path, "b")
    assert len(spy) == 1
    kwargs = {}
    if change == "period":
        kwargs["period"] = "2026-Y"
    elif change == "as_of":
        kwargs["as_of"] = AS_OF + dt.timedelta(days=1)
    else:
        monkeypatch.setattr(checked_cache, "code_fingerprint", lambda: "another release")
    merge(mini, returns, tmp_path, "c", **kwargs)
    assert spy[1:] == [["SNV.xlsx", "STC.xlsx"]]
    # the same day later on (as_of is a local date, not a moment) is still a hit
    if change == "as_of":
        merge(mini, returns, tmp_path, "d", as_of=AS_OF + dt.timedelta(days=1, hours=3))
        assert len(spy) == 2


def test_definition_built_in_code_is_not_cached(mini, returns, tmp_path, spy):
    built = copy.copy(mini)
    built.content_hash = ""
    merge(built, returns, tmp_path, "a")
    merge(built, returns, tmp_path, "b")
    assert len(spy) == 2


@pytest.mark.parametrize(
    "payload",
    [
        "{not json",
        "[]",
        '{"raw": 1}',
        None,  # an unknown problem code, below
        "{\"$date\": \"2026-01-01\"}",
    ],
)
def test_tampered_payload_is_a_miss(mini, returns, tmp_path, spy, payload):
    first = merge(mini, returns, tmp_path, "a")
    db = sqlite3.connect(first.register_path)
    stored = dict(db.execute("SELECT sha256, payload FROM checked"))
    sha = next(f.submission.sha256 for f in first.decision.files if f.file == "SNV.xlsx")
    if payload is None:
        doc = json.loads(stored[sha])
        doc["problems"].append(["exec-this", "error", {"note": "x"}])
        payload = json.dumps(doc)
    db.execute("UPDATE checked SET payload = ? WHERE sha256 = ?", (payload, sha))
    db.commit()
    db.close()

    again = merge(mini, returns, tmp_path, "b")
    assert spy[1:] == [["SNV.xlsx"]]
    assert again.status == first.status
    db = sqlite3.connect(first.register_path)
    assert dict(db.execute("SELECT sha256, payload FROM checked")) == stored  # repaired
    db.close()


def test_old_register_gains_the_table(mini, returns, tmp_path, spy):
    reg = tmp_path / "reg" / "register.sqlite"
    merge(mini, returns, tmp_path, "a")
    db = sqlite3.connect(reg)
    db.executescript("DROP INDEX checked_scope; DROP TABLE checked;")
    db.close()
    merge(mini, returns, tmp_path, "b")
    assert len(spy) == 2 and cached_rows(reg) == 2


def test_a_newer_key_replaces_older_rows(mini, returns, tmp_path):
    reg = tmp_path / "reg" / "register.sqlite"
    merge(mini, returns, tmp_path, "a")
    merge(mini, returns, tmp_path, "b", as_of=AS_OF + dt.timedelta(days=1))
    db = sqlite3.connect(reg)
    assert db.execute("SELECT COUNT(DISTINCT key), COUNT(*) FROM checked").fetchone() == (1, 2)
    db.close()


def test_one_merge_at_a_time_still(mini, returns, tmp_path):
    reg = tmp_path / "reg" / "register.sqlite"
    merge(mini, returns, tmp_path, "a")
    with Register(reg), pytest.raises(RegisterBusy):
        merge(mini, returns, tmp_path, "b")


def test_archive_restored_for_a_cached_content(mini, returns, tmp_path):
    first = merge(mini, returns, tmp_path, "a")
    archive = first.register_path.parent / "archive"
    shutil.rmtree(archive)
    merge(mini, returns, tmp_path, "b")
    assert len(list(archive.rglob("*.xlsx"))) == 2


# --------------------------------------------------------------------------- round trip


def _checked_all(definition, paths: list[Path], period: str, as_of: dt.date) -> list[CheckedReturn]:
    raws = read_many(paths, definition, workers=2, display_names=[p.name for p in paths])
    return [check_return(raw, definition, period, as_of=as_of) for raw in raws]


def _assert_round_trips(checked: list[CheckedReturn]) -> int:
    trips = 0
    for ret in checked:
        payload = encode(ret)
        if any(p.code in ("file-reader-crashed", "file-read-timeout", "file-unreadable") for p in ret.problems):
            assert payload is None, ret.file  # outcomes of this run, not of the bytes
            continue
        assert payload is not None, ret.file
        back = decode(payload, "thư mục khác/" + ret.file)
        assert back == renamed(ret, "thư mục khác/" + ret.file), ret.file
        assert back.raw.problems == back.problems[: len(back.raw.problems)]
        trips += 1
    return trips


def test_round_trip_sample_inputs():
    definition = definitions.load(ROOT / "templates" / "lam-dong-2026")
    paths = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".csv")
    checked = _checked_all(definition, paths, "2026-H1", dt.date(2026, 6, 20))
    assert _assert_round_trips(checked) == len(paths)
    codes = {p.code for r in checked for p in r.problems}
    assert {"rule-failed", "value-not-number"} <= codes


def test_round_trip_hostile_corpus(tmp_path):
    make_corpus.main(tmp_path)
    definition = definitions.load(make_corpus.MINI)
    paths = sorted(tmp_path.iterdir())
    checked = _checked_all(definition, paths, "2026-H1", dt.date(2026, 6, 10))
    assert _assert_round_trips(checked) >= len(paths) - 1
    codes = {p.code for r in checked for p in r.problems}
    assert {"file-empty", "file-corrupt", "file-zip-bomb", "file-xml-entities", "names-missing"} <= codes


def test_round_trip_every_value_type():
    raw = RawReturn(file="a.xlsx", format="xlsx", sha256="0" * 64, size=10, meta={"period": "2026-H1"})
    raw.problems.append(NameBroken(file="a.xlsx", sheet="S", field_id="x", value=dt.time(7, 30)))
    values = {
        "int": 3, "big": 2**80, "float": 0.1, "neg0": -0.0, "inf": float("inf"), "text": "Tiếp dân \x00\u200b",
        "yes": True, "none": None, "day": dt.date(2026, 6, 5), "moment": dt.datetime(2026, 6, 5, 7, 8, 9, 10),
        "span": dt.timedelta(days=1, seconds=2, microseconds=3), "pair": (1, "a", (dt.date(2026, 1, 1),)),
        "list": [1, [2, {"$date": "not a tag"}]], "$date": "a key like a tag", "surrogate": "x\udc80y",
    }
    checked = CheckedReturn(
        raw=raw, unit_code="SNV", period="2026-H1", report_id="mini-2026", values=values,
        info={"report_date": dt.date(2026, 5, 1)}, tasks={"nv1": {"status": "Hoàn thành", "result": None}},
        tables={"t": [{"a": 1, "b": "x"}, {"a": None, "b": dt.date(2026, 1, 2)}]},
        problems=ProblemList([*raw.problems,
                              ValueNotNumber(note="n", file="a.xlsx", sheet="S", cell="B2", field_id="x", value="12a",
                                             params={"label": "X", "related_cells": ("B2", "B3"), "$x": {"$y": 1}}),
                              RuleFailed(file="a.xlsx", params={"cells": "B2"}),
                              RuleFailedWarning(file="a.xlsx", params={"cells": "B3"}),
                              ValueNotNumber(file="other.xlsx"), ValueNotNumber(file=None)]),
        foreign_reason="",
    )
    back = decode(encode(checked), "b.xlsx")
    assert back == renamed(checked, "b.xlsx")
    assert type(back.problems[3]) is RuleFailedWarning and back.problems[4].file == "other.xlsx"
    assert back.problems[5].file is None
    assert back.raw.problems[0] is back.problems[0]


class _Odd(int):
    pass


@pytest.mark.parametrize(
    "value",
    [_Odd(3), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), {1: "int key"}, object(), {1, 2}],
)
def test_what_cannot_round_trip_is_not_cached(value):
    checked = CheckedReturn(raw=RawReturn(file="a.xlsx", sha256="0" * 64), values={"x": value})
    assert encode(checked) is None


def test_transient_outcomes_are_not_cached():
    raw = RawReturn(file="a.xlsx", sha256="0" * 64)
    raw.problems.append(FileReaderCrashed(file="a.xlsx", note="SIGABRT"))
    assert encode(CheckedReturn(raw=raw, problems=ProblemList(raw.problems))) is None
