"""Every shipped plan loads, and the commune lists come from the official registry."""

from __future__ import annotations

import pytest

from consolidate.definition import loader as definitions
from consolidate.definition.layout import layout_for

SHIPPED = definitions.shipped()
PERIOD_ID = r"^\d{4}-(Q[1-4]|H1|Y)$"


def test_five_plans_shipped():
    names = {p.parent.name for p in SHIPPED}
    assert {"lam-dong-2026", "van-phong-ubnd-2026", "binh-chuong-2026", "nghe-an-2026", "gia-lai-2025"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=[p.parent.name for p in SHIPPED])
def test_shipped_definition_loads(path):
    d = definitions.load(path)
    assert d.id == path.parent.name
    assert d.units and d.periods and d.sections
    assert d.numeric_fields, "each plan has numeric indicators"
    assert d.sections_of("tasks") and d.sections_of("table") and d.sections_of("text")
    assert layout_for(d).fingerprint
    for period in d.periods:
        assert d.expected_units(period.id), f"nobody owes {period.id}"


@pytest.mark.parametrize("plan,province,communes", [("lam-dong-2026", 68, 124), ("nghe-an-2026", 40, 130)])
def test_communes_from_registry(plan, province, communes):
    d = definitions.load(definitions.resolve_path(definitions.resources.templates_dir() / plan))
    xa = [u for u in d.units if u.group == "xa-phuong"]
    assert len(xa) == communes
    assert all(u.code.isdigit() and len(u.code) == 5 for u in xa)


def test_lam_dong_is_default_and_faithful():
    d = definitions.load(definitions.default_definition())
    assert d.id == "lam-dong-2026"
    dues = {p.id: p.due_before.isoformat() for p in d.periods}
    assert dues["2026-H1"] == "2026-06-05"
    assert dues["2026-Y"] == "2026-11-30"
    assert dues["2026-Q1"] == "2026-03-10"
    tasks = d.sections_of("tasks")[0].tasks
    assert len(tasks) == 14
    assert all(t.lead or t.lead_text for t in tasks)
