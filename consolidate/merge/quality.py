"""Data-quality checks: warnings on figures that look wrong; no value is ever changed.

- peer-outlier: a unit's value against the other units of its group, by the modified
  z-score (Iglewicz and Hoaglin): 0.6745 (x − median) / MAD, flagged beyond 3.5, only
  when the group has at least 8 values. When more than half the values are equal (MAD 0),
  the mean absolute deviation stands in (z = (x − median) / (1.253314 · meanAD)), as
  SPSS does, so that one 5000 among 5s is still seen; then only a value at least ten times
  the median away (and at least 10) is flagged, so that a 1 among 0s of a rare count is not.
- jump: a value about 10×, 100× or 1000× the unit's own value of the previous period (a
  slip of the thousands separator, "5.000" for 5).
- cumulative-decrease: the previous period's window lies inside this one and starts on the
  same day (six months inside the year), so a count summed over it cannot go down.

The previous period comes from --compare-with (a status JSON of an earlier merge) or from
the register, which keeps the status of every merge (merge.register statuses).
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.definition.model import Definition, Field, Period
from consolidate.i18n import _
from consolidate.merge.aggregate import Aggregates
from consolidate.merge.errors import MergeError
from consolidate.merge.notices import Notice

THRESHOLD = 3.5
MINIMUM_PEERS = 8
JUMP_TOLERANCE = 0.05  # in log10: ±12 % around 10, 100, 1000


class CompareError(MergeError):
    """--compare-with names a file that is not a status JSON of this report."""

    code = "compare-with-unusable"
    usage = True


@dataclass(frozen=True)
class Flag:
    unit: str | None
    field: str
    check: str
    value: float
    reference: float | None
    score: float | None

    def to_dict(self) -> dict:
        return {"unit": self.unit, "field": self.field, "check": self.check, "value": self.value,
                "reference": self.reference, "score": self.score}


@dataclass
class Previous:
    """The status of an earlier period, as far as the checks need it."""

    period: str
    source: str  # file | register
    fields: dict[str, Any]  # field id -> province value
    units: dict[str, dict[str, Any]]  # unit code -> field id -> value

    @classmethod
    def from_status(cls, document: dict, source: str) -> Previous:
        fields = {fid: entry.get("value") for fid, entry in (document.get("fields") or {}).items()}
        units = {code: dict(entry.get("values") or {}) for code, entry in (document.get("units") or {}).items()}
        return cls(str(document.get("period", "")), source, fields, units)


@dataclass
class Findings:
    """Everything beyond the decision and the roll-up that the summary and the JSON show."""

    notices: list[Notice] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    previous: Previous | None = None
    comparison: dict[str, Any] | None = None


def read_previous(path: str | Path, definition: Definition) -> Previous:
    target = Path(path)
    try:
        document = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CompareError(_("Không đọc được tệp trạng thái kỳ trước {path}: {reason}").format(
            path=target, reason=exc)) from None
    if not isinstance(document, dict) or "units" not in document or "fields" not in document:
        raise CompareError(_("{path} không phải tệp trạng thái của 'consolidate merge --json'").format(path=target))
    if document.get("report_id") not in (None, definition.id):
        raise CompareError(_("{path} là trạng thái của báo cáo '{found}', không phải '{expected}'").format(
            path=target, found=document.get("report_id"), expected=definition.id))
    return Previous.from_status(document, "file")


def previous_period(definition: Definition, period: Period, stored: set[str]) -> str | None:
    """The nearest earlier period of the plan that the register holds a status for:
    latest end first, and of two ending together the one as long as this period."""
    length = (period.end - period.start).days
    candidates = [p for p in definition.periods if p.id in stored and p.end < period.end]
    if not candidates:
        return None
    best = max(candidates, key=lambda p: (p.end, (p.end - p.start).days == length))
    return best.id


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _round(value: float) -> float:
    return round(value, 4)


def peer_outliers(definition: Definition, agg: Aggregates) -> list[Flag]:
    flags: list[Flag] = []
    for fld in definition.numeric_fields:
        for group in definition.groups:
            members = [(u.code, agg.values[u.code].get(fld.id)) for u in agg.units if u.group == group.id]
            members = [(code, v) for code, v in members if _number(v)]
            if len(members) < MINIMUM_PEERS:
                continue
            values = [v for _c, v in members]
            median = statistics.median(values)
            mad = statistics.median(abs(v - median) for v in values)
            scale = mad / 0.6745 if mad else 1.253314 * statistics.fmean(abs(v - median) for v in values)
            if not scale:
                continue
            floor = 0 if mad else 10 * max(1, abs(median))
            for code, v in members:
                score = (v - median) / scale
                if abs(score) > THRESHOLD and abs(v - median) >= floor:
                    flags.append(Flag(code, fld.id, "peer-outlier", v, median, _round(score)))
    return flags


def _jump(value: float, previous: float) -> float | None:
    if value <= 0 or previous <= 0:
        return None
    ratio = value / previous
    power = math.log10(ratio)
    if round(power) >= 1 and abs(power - round(power)) <= JUMP_TOLERANCE:
        return ratio
    return None


def _cumulative(definition: Definition, period: Period, previous: str) -> bool:
    earlier = next((p for p in definition.periods if p.id == previous), None)
    return earlier is not None and earlier.start == period.start and earlier.end < period.end


def _counts(definition: Definition) -> list[Field]:
    return [f for f in definition.numeric_fields if f.type == "integer" and f.aggregate == "sum"]


def against_previous(definition: Definition, period: Period, agg: Aggregates, previous: Previous) -> list[Flag]:
    flags: list[Flag] = []
    cumulative = _counts(definition) if _cumulative(definition, period, previous.period) else []
    for unit in agg.units:
        before = previous.units.get(unit.code) or {}
        now = agg.values.get(unit.code) or {}
        for fld in definition.numeric_fields:
            value, old = now.get(fld.id), before.get(fld.id)
            if not (_number(value) and _number(old)):
                continue
            ratio = _jump(value, old)
            if ratio is not None:
                flags.append(Flag(unit.code, fld.id, "jump", value, old, _round(ratio)))
        for fld in cumulative:
            value, old = now.get(fld.id), before.get(fld.id)
            if _number(value) and _number(old) and value < old:
                flags.append(Flag(unit.code, fld.id, "cumulative-decrease", value, old, _round(value - old)))
    for fld in cumulative:
        total = agg.field_total(fld.id)
        old = previous.fields.get(fld.id)
        if total is not None and _number(total.value) and _number(old) and total.value < old:
            flags.append(Flag(None, fld.id, "cumulative-decrease", total.value, old, _round(total.value - old)))
    return flags


def _change(value: Any, previous: Any) -> dict[str, Any]:
    value = value if _number(value) else None
    previous = previous if _number(previous) else None
    change = _round(value - previous) if value is not None and previous is not None else None
    return {"value": value, "previous": previous, "change": change}


def comparison(definition: Definition, agg: Aggregates, previous: Previous) -> dict[str, Any]:
    """Per numeric field, the province value beside the previous one; and per unit with a
    value in either period."""
    fields = {}
    for fld in definition.numeric_fields:
        total = agg.field_total(fld.id)
        fields[fld.id] = _change(total.value if total else None, previous.fields.get(fld.id))
    units: dict[str, dict[str, Any]] = {}
    for unit in definition.units:
        now = agg.values.get(unit.code) or {}
        before = previous.units.get(unit.code) or {}
        row = {fld.id: _change(now.get(fld.id), before.get(fld.id)) for fld in definition.numeric_fields
               if _number(now.get(fld.id)) or _number(before.get(fld.id))}
        if row:
            units[unit.code] = row
    return {"period": previous.period, "source": previous.source, "fields": fields, "units": units}


def check(definition: Definition, period: Period, agg: Aggregates, previous: Previous | None) -> Findings:
    flags = peer_outliers(definition, agg)
    findings = Findings(flags=flags, previous=previous)
    if previous is not None:
        flags.extend(against_previous(definition, period, agg, previous))
        findings.comparison = comparison(definition, agg, previous)
    order = {"jump": 0, "cumulative-decrease": 1, "peer-outlier": 2}
    flags.sort(key=lambda f: (f.unit or "", f.field, order[f.check]))
    return findings
