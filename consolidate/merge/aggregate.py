"""Province-wide figures over the accepted returns, by each field's roll-up rule.

- ``sum``, ``mean``, ``min``, ``max`` over the units that reported a value (blanks are not
  zeros); a ``mean`` with a ``weight`` field weights each unit's value by it, without one it
  is the plain mean of units (and every roll-up says which, ``method_label``); ``count`` = number of units that reported a value (for yes/no fields: answered
  "Có"); ``none`` = no province value.
- Choice and yes/no fields: the number of accepted returns per answer, province and group.
- Tasks: per task the number of units per status label, the share done
  (units whose status is one of the section's ``done_statuses`` ÷ units that reported a
  status other than "Không thuộc phạm vi"), and the lead unit's own status and result.
- Tables: every row with its unit; text sections: each unit's answer.

Units are taken in the definition's order, so sums are computed in the same order on
every run.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from consolidate.definition.model import YES_NO, Definition, Field, Section, Task, Unit
from consolidate.i18n import _
from consolidate.merge.submissions import Decision

NOT_APPLICABLE = "Không thuộc phạm vi"
AGGREGATE_LABELS = {
    "sum": "Cộng",
    "mean": "Trung bình",
    "min": "Nhỏ nhất",
    "max": "Lớn nhất",
    "count": "Đếm số đơn vị",
    "none": "Không tổng hợp",
}


@dataclass
class FieldTotal:
    field: Field
    value: float | int | None
    units_reporting: int
    by_group: dict[str, tuple[float | int | None, int]] = field(default_factory=dict)  # group id -> (value, n)


@dataclass
class AnswerCount:
    """A choice or yes/no field: accepted returns per answer (in the field's order)."""

    field: Field
    counts: dict[str, int]
    blank: int
    by_group: dict[str, dict[str, int]] = field(default_factory=dict)  # group id -> answer -> n


@dataclass
class LeadReport:
    code: str
    name: str
    status: str | None  # None: the lead has no accepted return
    result: str | None


@dataclass
class TaskProgress:
    section: Section
    task: Task
    counts: dict[str, int]  # every status label of the section, in order
    blank: int  # accepted returns that left the status empty
    done: int
    share_done: float | None
    leads: list[LeadReport]
    lead_groups: list[str]  # labels of groups named as lead
    by_unit: dict[str, dict[str, Any]]  # unit code -> {status, result}


@dataclass
class TableRow:
    unit: Unit
    values: dict[str, Any]


@dataclass
class TextAnswer:
    unit: Unit
    values: dict[str, Any]  # field id -> text


@dataclass
class Aggregates:
    fields: list[FieldTotal]
    tasks: list[TaskProgress]
    tables: dict[str, list[TableRow]]  # section id -> rows
    texts: dict[str, list[TextAnswer]]  # section id -> answers
    units: list[Unit]  # units with an accepted return, definition order
    values: dict[str, dict[str, Any]]  # unit code -> field id -> value (accepted returns)
    answers: list[AnswerCount] = field(default_factory=list)

    def field_total(self, field_id: str) -> FieldTotal | None:
        return next((t for t in self.fields if t.field.id == field_id), None)

    def task(self, task_id: str) -> TaskProgress | None:
        return next((t for t in self.tasks if t.task.id == task_id), None)


def summarised_fields(definition: Definition) -> list[Field]:
    """Fields with a province figure: every numeric field, and other fields counted."""
    return [f for f in definition.value_fields if f.numeric or f.aggregate == "count"]


def _present(value: Any) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def _is_yes(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip().casefold() == YES_NO[0].casefold()
    return False


def method_label(definition: Definition, fld: Field) -> str:
    """How a field's province value is made, in words (shown beside every roll-up)."""
    rule = fld.aggregate
    if rule == "mean":
        weight = definition.field(fld.weight) if fld.weight else None
        if weight is None:
            return _("Trung bình cộng của các đơn vị (không trọng số)")
        return _("Trung bình có trọng số theo “{label}”").format(label=weight.label)
    if rule == "count":
        return _("Số đơn vị trả lời “Có”") if fld.type == "yesno" else _("Số đơn vị có số liệu")
    labels = {"sum": _("Cộng các đơn vị"), "min": _("Nhỏ nhất trong các đơn vị"),
              "max": _("Lớn nhất trong các đơn vị")}
    return labels.get(rule, _("Không tổng hợp"))


def _weighted_mean(values: list[Any], weights: list[Any]) -> float | None:
    pairs = [(v, w) for v, w in zip(values, weights, strict=True) if _number(v) and _number(w)]
    total = sum(w for _v, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def roll_up(fld: Field, values: list[Any], weights: list[Any] | None = None) -> tuple[float | int | None, int]:
    """(province value, units reporting) for one field over the given units' values;
    `weights`, beside the values, weight a mean."""
    present = [v for v in values if _present(v)]
    n = len(present)
    rule = fld.aggregate
    if rule == "count":
        if fld.type == "yesno":
            return sum(1 for v in present if _is_yes(v)), n
        return n, n
    numbers = [v for v in present if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if rule == "none" or not numbers:
        return None, n
    if rule == "sum":
        return _tidy(sum(numbers)), n
    if rule == "mean" and weights is not None:
        mean = _weighted_mean(values, weights)
        return (None if mean is None else _tidy(mean)), n
    if rule == "mean":
        return _tidy(sum(numbers) / len(numbers)), n
    if rule == "min":
        return _tidy(min(numbers)), n
    if rule == "max":
        return _tidy(max(numbers)), n
    return None, n


def _tidy(value: float | int) -> float | int:
    """Whole floats become ints; others keep 10 significant decimals (stable JSON)."""
    if isinstance(value, int):
        return value
    rounded = round(value, 10)
    return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded


def aggregate(definition: Definition, decision: Decision) -> Aggregates:
    accepted = decision.accepted  # definition order
    units = [s.unit for s in accepted]
    returns = {s.unit.code: s.used.checked for s in accepted if s.used}
    values = {code: dict(r.values) for code, r in returns.items()}

    totals: list[FieldTotal] = []
    member_values = {
        group.id: [values[u.code] for u in units if u.group == group.id] for group in definition.groups
    }
    for fld in summarised_fields(definition):
        weight = fld.weight if fld.aggregate == "mean" and fld.weight else None

        def weights(rows: list[dict[str, Any]], weight: str | None = weight) -> list[Any] | None:
            return [r.get(weight) for r in rows] if weight else None

        rows = [values[u.code] for u in units]
        value, n = roll_up(fld, [r.get(fld.id) for r in rows], weights(rows))
        total = FieldTotal(fld, value, n)
        for group_id, members in member_values.items():
            total.by_group[group_id] = roll_up(fld, [v.get(fld.id) for v in members], weights(members))
        totals.append(total)
    answer_counts = [_answers(fld, units, values, definition) for fld in answer_fields(definition)]

    tasks: list[TaskProgress] = []
    for section in definition.sections_of("tasks"):
        for task in section.tasks:
            counts = {label: 0 for label in section.statuses}
            blank = 0
            by_unit: dict[str, dict[str, Any]] = {}
            for unit in units:
                answer = returns[unit.code].tasks.get(task.id, {}) or {}
                status = answer.get("status")
                by_unit[unit.code] = {"status": status, "result": answer.get("result")}
                if not _present(status):
                    blank += 1
                elif status in counts:
                    counts[status] += 1
            done = sum(counts[s] for s in section.done_statuses if s in counts)
            applicable = sum(c for label, c in counts.items() if label != NOT_APPLICABLE)
            leads: list[LeadReport] = []
            lead_groups: list[str] = []
            for ref in task.lead:
                lead_unit = definition.unit(ref)
                if lead_unit is None:
                    lead_groups.append("Tất cả đơn vị" if ref == "all" else definition.group_label(ref))
                    continue
                answer = by_unit.get(ref)
                leads.append(
                    LeadReport(
                        ref,
                        lead_unit.name,
                        answer.get("status") if answer else None,
                        answer.get("result") if answer else None,
                    )
                )
            tasks.append(
                TaskProgress(
                    section=section,
                    task=task,
                    counts=counts,
                    blank=blank,
                    done=done,
                    share_done=(done / applicable) if applicable else None,
                    leads=leads,
                    lead_groups=lead_groups,
                    by_unit=by_unit,
                )
            )

    tables: dict[str, list[TableRow]] = {}
    for section in definition.sections_of("table"):
        rows: list[TableRow] = []
        for unit in units:
            for row in returns[unit.code].tables.get(section.id, []) or []:
                if any(_present(v) for v in row.values()):
                    rows.append(TableRow(unit, dict(row)))
        tables[section.id] = rows

    texts: dict[str, list[TextAnswer]] = {}
    for section in definition.sections_of("text"):
        answers: list[TextAnswer] = []
        for unit in units:
            got = {f.id: values[unit.code].get(f.id) for f in section.fields}
            if any(_present(v) for v in got.values()):
                answers.append(TextAnswer(unit, got))
        texts[section.id] = answers

    return Aggregates(fields=totals, tasks=tasks, tables=tables, texts=texts, units=units, values=values,
                      answers=answer_counts)


def answer_fields(definition: Definition) -> list[Field]:
    return [f for f in definition.value_fields if f.type in ("choice", "yesno")]


def _answer_counts(fld: Field, given: list[Any]) -> tuple[dict[str, int], int]:
    counts = {option: 0 for option in fld.options}
    folded = {unicodedata.normalize("NFC", o).casefold(): o for o in fld.options}
    blank = 0
    for value in given:
        if value is True or value is False:
            value = YES_NO[0] if value else YES_NO[1]
        if not _present(value):
            blank += 1
            continue
        option = folded.get(unicodedata.normalize("NFC", str(value)).strip().casefold())
        if option is not None:
            counts[option] += 1
    return counts, blank


def _answers(fld: Field, units: list[Unit], values: dict[str, dict[str, Any]], definition: Definition) -> AnswerCount:
    counts, blank = _answer_counts(fld, [values[u.code].get(fld.id) for u in units])
    result = AnswerCount(fld, counts, blank)
    for group in definition.groups:
        result.by_group[group.id] = _answer_counts(fld, [values[u.code].get(fld.id) for u in units
                                                         if u.group == group.id])[0]
    return result
