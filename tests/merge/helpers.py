"""Building CheckedReturns by hand, and filled returns on disk through the template writer."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from consolidate.merge.receipts import Receipt
from consolidate.merge.submissions import Submission
from consolidate.problems import WARNING, Problem, ProblemList
from consolidate.validation.returns import CheckedReturn, RawReturn
from consolidate.vntime import VN_TZ

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"


@dataclass
class FakeError(Problem):
    code = "fake-error"
    template = "Lỗi giả: {note}"


@dataclass
class FakeWarning(Problem):
    code = "fake-warning"
    severity = WARNING
    template = "Cảnh báo giả: {note}"


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN_TZ)


def checked(
    file: str,
    unit: str = "SNV",
    period: str = "2026-H1",
    values: dict[str, Any] | None = None,
    errors: int = 0,
    warnings: int = 0,
    sha: str | None = None,
    foreign: str = "",
    readable: bool = True,
    tasks: dict | None = None,
    tables: dict | None = None,
    report_id: str = "mini-2026",
) -> CheckedReturn:
    raw = RawReturn(file=file, format="xlsx" if readable else "", sha256=sha or hashlib.sha256(file.encode()).hexdigest(),
                    size=100)
    problems = ProblemList([FakeError(note=str(i), file=file) for i in range(errors)]
                           + [FakeWarning(note=str(i), file=file) for i in range(warnings)])
    return CheckedReturn(raw=raw, unit_code=unit, period=period, report_id=report_id, values=dict(values or {}),
                         tasks=dict(tasks or {}), tables=dict(tables or {}), problems=problems, foreign_reason=foreign)


def sub(ret: CheckedReturn, at: dt.datetime | None, source: str = "receipts", first_seen: dt.datetime | None = None) -> Submission:
    return Submission(ret, Receipt(at, source) if at else None, first_seen)


# --------------------------------------------------------------------------- golden cases

def load_case(name: str) -> dict:
    folder = GOLDEN / name
    case = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    case["folder"] = folder
    case["definition_path"] = (folder / case["definition"]).resolve()
    return case


def build_returns(case: dict, target: Path) -> Path:
    """Write the case's returned files into `target` (the returns folder)."""
    from consolidate.definition import loader as definitions
    from consolidate.definition.sample_values import filled_values
    from consolidate.template.writer import write_template

    d = definitions.load(case["definition_path"])
    target.mkdir(parents=True, exist_ok=True)
    for item in case["returns"]:
        path = target / item["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        if "copy_of" in item:
            shutil.copyfile(target / item["copy_of"], path)
        elif "text" in item:
            path.write_text(item["text"], encoding="utf-8")
        else:
            period = d.period(item.get("period", case["period"]))
            unit = d.unit(item["unit"])
            values = filled_values(d, unit, period, seed=item.get("seed", 0))
            for key in item.get("blank", []):
                values.pop(key, None)
            values.update(item.get("set", {}))
            write_template(d, unit, period, path, values=values)
        if item.get("mtime"):
            stamp = dt.datetime.fromisoformat(item["mtime"])
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=VN_TZ)
            os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    return target


def normalise_status(document: dict) -> dict:
    """Hashes depend on the xlsxwriter version: compare their shape, not their value."""
    out = dict(document)
    out["files"] = [dict(f, sha256="<sha256>" if len(f["sha256"]) == 64 else f["sha256"]) for f in document["files"]]
    return out
