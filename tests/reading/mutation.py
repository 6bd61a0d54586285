"""What the mutation tests of the reading stage share (tests/reading/test_properties*.py,
test_fuzz.py): Hypothesis settings and value strategies, and the checks on a read return."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

from consolidate.validation.parsed import MAX_MAGNITUDE

# Derandomized, without an example database: CI runs the same examples every time.
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=-5, max_value=200),
    st.sampled_from([1e308, 1.7976931348623157e308, -1e308, 1e15, 1e15 + 1, -0.0, 5e-324, 46178, 45000.5]),
)
TEXTS = st.one_of(
    st.sampled_from(["NaN", "nan", "inf", "-inf", "Infinity", "1e308", "1.234,5", "1.234", "1,5", "12/06/2026",
                     "2026-06-12", "46178", " 7 ", "", "  ", "1_000", "٣", "0x10", "—", "Có", "Không", "Tốt"]),
    XML_TEXT,
)


def number_text(x) -> str:
    return repr(float(x)) if isinstance(x, float) else str(x)


def located(problems, sheet: str, address: str, field_id: str) -> bool:
    """A problem on this field, or on this cell."""
    return any(p.field_id == field_id or (p.sheet == sheet and p.cell == address) for p in problems)


def refused(ret) -> bool:
    """The file was refused with a problem of its own (counted in Hypothesis' statistics)."""
    out = not ret.readable and any(p.code.startswith("file-") for p in ret.problems)
    event("refused: " + ret.problems[0].code if out else "read")
    return out


def check_numbers(definition, checked) -> None:
    """Every numeric value validation keeps is finite and sane; in a return without errors
    (the only kind that is summed) also within its field's range."""
    fields = {f.id: f for s in definition.sections for f in s.fields}

    def check(fid, value):
        f = fields.get(fid)
        if f is None or not f.numeric or value is None:
            return
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (fid, value)
        assert math.isfinite(value) and abs(value) <= MAX_MAGNITUDE, (fid, value)
        if checked.valid:
            assert f.min is None or value >= f.min, (fid, value)
            assert f.max is None or value <= f.max, (fid, value)

    for fid, value in checked.values.items():
        check(fid, value)
    for rows in checked.tables.values():
        for row in rows:
            for fid, value in row.items():
                check(fid, value)
