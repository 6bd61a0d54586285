"""Every shipped plan, every period: templates that a program reads back by names alone."""

from __future__ import annotations

import pytest

from consolidate.definition import loader as definitions
from consolidate.definition.layout import layout_for
from consolidate.definition.sample_values import filled_values
from consolidate.reading import read_file
from consolidate.template.writer import write_template
from consolidate.validation.checker import check_return

CASES = [
    (path, period.id)
    for path in definitions.shipped()
    for period in definitions.load(path).periods
]


@pytest.mark.parametrize("path,period_id", CASES, ids=[f"{p.parent.name}-{pid}" for p, pid in CASES])
def test_filled_template_reads_back_by_names(path, period_id, tmp_path):
    d = definitions.load(path)
    period = d.period(period_id)
    unit = d.expected_units(period_id)[-1]
    values = filled_values(d, unit, period, seed=period_id)
    file = write_template(d, unit, period, tmp_path / "r.xlsx", values=values)
    raw = read_file(file, d)
    assert raw.located_by == "names"
    assert [p.code for p in raw.problems] == []
    assert set(raw.cells) == set(layout_for(d).cells)
    checked = check_return(raw, d, period_id, as_of=period.due_before)
    assert checked.errors == 0, [(p.code, p.cell, p.field_id) for p in checked.problems]
    assert checked.unit_code == unit.code
    for field in d.numeric_fields:
        if field.id in values:
            assert checked.values[field.id] == pytest.approx(values[field.id])
    for section in d.sections_of("table"):
        assert len(checked.tables[section.id]) == len(values[section.id])


@pytest.mark.parametrize("path", definitions.shipped(), ids=[p.parent.name for p in definitions.shipped()])
def test_blank_generic_template_is_a_template_not_a_return(path, tmp_path):
    d = definitions.load(path)
    period = d.periods[0]
    file = write_template(d, None, period, tmp_path / "blank.xlsx")
    raw = read_file(file, d)
    assert raw.meta["unit_code"] == "" and raw.meta["fingerprint"] == layout_for(d).fingerprint
    checked = check_return(raw, d, period.id)
    assert "info-missing" in {p.code for p in checked.problems} or "value-required" in {p.code for p in checked.problems}
