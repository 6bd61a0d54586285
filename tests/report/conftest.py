"""Two reports, each made once and printed once by LibreOffice: the committed sample inbox of
the default plan, and returns generated for Nghệ An (another plan, another province)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.definition import loader as definitions
from consolidate.definition.naming import template_file_name
from consolidate.definition.sample_values import filled_values
from consolidate.merge.run import run_merge
from consolidate.report import run_report
from consolidate.template.writer import write_template
from consolidate.vntime import parse_as_of
from tests.report.pdf import lines, to_pdf

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_inputs" / "2026-H1"
HOSTILE = "{{ doc.body }} <w:fldSimple w:instr=\"HYPERLINK x\"/> =HYPERLINK(\"http://x\") \x0b& hết"


@dataclass
class Case:
    docx: Path
    pdf: Path
    status: dict
    previous: dict | None
    result: object
    lines: list

    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


def _report(tmp: Path, d, period, inbox, receipts, as_of, previous: dict | None) -> Case:
    merged = run_merge(d, period, inbox, None, receipts=receipts, as_of=as_of, json_path=tmp / "trang-thai.json",
                       register_path=tmp / "reg.sqlite")
    status = json.loads((tmp / "trang-thai.json").read_text(encoding="utf-8"))
    assert merged.counts == status["counts"]
    args = ["report", "--definition", str(d.path.parent), "--period", period.id, "--out", str(tmp / "bao-cao.docx"),
            "--as-of", as_of.isoformat(), "--register", str(tmp / "reg.sqlite"), str(inbox)]
    if receipts:
        args[-1:-1] = ["--receipts", str(receipts)]
    if previous is not None:
        (tmp / "ky-truoc.json").write_text(json.dumps(previous, ensure_ascii=False), encoding="utf-8")
        args[-1:-1] = ["--compare-with", str(tmp / "ky-truoc.json")]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    # the library call the CLI makes, for the context it rendered
    result = run_report(d, period, inbox, tmp / "lai.docx", compare_with=tmp / "ky-truoc.json" if previous else None,
                        receipts=receipts, as_of=as_of, register_path=tmp / "reg.sqlite")
    pdf = to_pdf(tmp / "bao-cao.docx", tmp / "pdf")
    return Case(tmp / "bao-cao.docx", pdf, status, previous, result, lines(pdf))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Case:
    tmp = tmp_path_factory.mktemp("report-sample")
    inbox = tmp / "nhan-ve"
    shutil.copytree(SAMPLES, inbox)
    d = definitions.load(ROOT / "templates" / "lam-dong-2026")
    period = d.period("2026-H1")
    as_of = parse_as_of("2026-06-12T17:00")
    first = run_merge(d, period, inbox, None, receipts=inbox / "receipts.csv", as_of=as_of,
                      register_path=tmp / "first.sqlite")
    # an earlier period's status: every figure 10 lower, so the change column says +10
    previous = {"report_id": d.id, "fields": {
        fid: {**entry, "value": entry["value"] - 10 if isinstance(entry["value"], (int, float)) else entry["value"]}
        for fid, entry in first.status["fields"].items()}}
    return _report(tmp, d, period, inbox, inbox / "receipts.csv", as_of, previous)


@pytest.fixture(scope="module")
def nghe_an(tmp_path_factory) -> Case:
    tmp = tmp_path_factory.mktemp("report-nghe-an")
    d = definitions.load(ROOT / "templates" / "nghe-an-2026")
    period = d.periods[0]
    expected = d.expected_units(period.id)
    chosen = [u for u in expected if u.group == "so-nganh"][:4] + [u for u in expected if u.group != "so-nganh"][:6]
    inbox = tmp / "nhan-ve"
    with (tmp / "so-cong-van.csv").open("w", encoding="utf-8", newline="") as book:
        rows = csv.writer(book)
        rows.writerow(["file", "received_at"])
        for i, unit in enumerate(chosen):
            values = filled_values(d, unit, period, seed="report")
            if i == 1:
                values["kho_khan"] = HOSTILE
            if i == 2:  # an error: a count below its minimum
                numeric = next(f for f in d.numeric_fields if f.min is not None)
                values[numeric.id] = numeric.min - 5
            name = template_file_name(period, unit)
            write_template(d, unit, period, inbox / name, values=values)
            late = i in (0, 5)
            day = period.due_before + dt.timedelta(days=2) if late else period.due_before - dt.timedelta(days=3)
            rows.writerow([name, f"{day:%d/%m/%Y} 09:00"])
    as_of = parse_as_of(f"{period.due_before + dt.timedelta(days=10):%Y-%m-%d}T17:00")
    return _report(tmp, d, period, inbox, tmp / "so-cong-van.csv", as_of, None)
