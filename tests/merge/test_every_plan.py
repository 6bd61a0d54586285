"""The promise of a definition-driven tool: every shipped plan runs the whole cycle, and the
province figures equal an independent sum of what the units typed."""

from __future__ import annotations

import csv
import datetime as dt
import os

import jsonschema
import pytest

from consolidate.definition import loader as definitions
from consolidate.definition.naming import template_file_name
from consolidate.definition.sample_values import filled_values
from consolidate.feedback.run import run_feedback
from consolidate.merge.run import run_merge
from consolidate.template.writer import write_template
from consolidate.vntime import parse_as_of
from tests.merge.test_golden import schema

PLANS = definitions.shipped()
UNITS_PER_PLAN = 8


@pytest.mark.parametrize("path", PLANS, ids=[p.parent.name for p in PLANS])
def test_cycle_for_every_plan(path, tmp_path):
    d = definitions.load(path)
    period = d.periods[-1]  # the annual report: every plan has one
    units = d.expected_units(period.id)[:UNITS_PER_PLAN]
    inbox = tmp_path / "nhan-ve"
    typed = {}
    with (tmp_path / "so-cong-van.csv").open("w", encoding="utf-8", newline="") as book:
        rows = csv.writer(book)
        rows.writerow(["file", "received_at"])
        for i, unit in enumerate(units):
            values = filled_values(d, unit, period, seed="every-plan")
            typed[unit.code] = values
            name = template_file_name(period, unit)
            write_template(d, unit, period, inbox / name, values=values)
            # the first unit is two days late, the others on time
            day = period.due_before + dt.timedelta(days=1) if i == 0 else period.due_before - dt.timedelta(days=2)
            rows.writerow([name, f"{day:%d/%m/%Y} 09:00"])
    as_of = parse_as_of(f"{period.due_before + dt.timedelta(days=10):%Y-%m-%d}T17:00")
    result = run_merge(d, period, inbox, tmp_path / "tong-hop.xlsx", receipts=tmp_path / "so-cong-van.csv",
                       as_of=as_of, json_path=tmp_path / "trang-thai.json", register_path=tmp_path / "reg.sqlite")
    doc = result.status
    jsonschema.Draft202012Validator(schema()).validate(doc)
    expected = len(d.expected_units(period.id))
    assert doc["counts"] == {"expected": expected, "on_time": len(units) - 1, "late": 1, "invalid": 0,
                             "missing": expected - len(units)}
    assert doc["units"][units[0].code]["days_late"] == 2
    for field in d.numeric_fields:
        reported = [v[field.id] for v in typed.values() if v.get(field.id) is not None]
        entry = doc["fields"][field.id]
        assert entry["units_reporting"] == len(reported)
        if field.aggregate == "sum":
            assert entry["value"] == pytest.approx(sum(reported))
        elif field.aggregate == "max" and reported:
            assert entry["value"] == pytest.approx(max(reported))
        elif field.aggregate == "mean" and reported:
            assert entry["value"] == pytest.approx(sum(reported) / len(reported))
    for section in d.sections_of("table"):
        assert doc["tables"][section.id] == sum(len(v[section.id]) for v in typed.values())

    out = tmp_path / "phan-hoi"
    feedback = run_feedback(d, period, inbox, out, receipts=tmp_path / "so-cong-van.csv", as_of=as_of,
                            register_path=tmp_path / "reg.sqlite")
    kinds = sorted(r.kind for r in feedback.reminders)
    assert kinds == sorted(["late"] + ["overdue"] * (expected - len(units)))
    assert os.path.getsize(out / "nhac-nho.csv") > 0
