"""Check a returned file: RawReturn (what the reader found) → CheckedReturn (typed + problems).

Order of work, collecting every problem (never stopping at the first):

1. `_meta`: report id, definition version, period, unit code, template fingerprint. A file
   of another report, period or unit gets a ``foreign_reason``; a file of another report or
   template version is not checked further (its cells do not mean what ours mean).
2. Locked cells of the unit-information sheet against `_meta` and the definition.
3. Every named cell and table cell: Excel error literals and formulas without a cached value
   are problems of their own (never read as zero or blank); text is parsed into typed values
   with :mod:`consolidate.values` (parsing problems come from there).
4. The typed document is validated against a JSON Schema derived from the definition
   (:mod:`consolidate.return_schema`): type, required, min/max, choices and length live
   there, and each jsonschema error is mapped back to its cell through its path (the field id).
5. Task statuses the unit owes, cross-field rules, unit-information plausibility.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from consolidate.definition.model import INFO_INPUTS, Definition, Field, Section, Unit
from consolidate.definition.rules import evaluate, field_refs, holds, parse
from consolidate.i18n import N_, Text, because
from consolidate.problems import Problem
from consolidate.validation import values as V
from consolidate.validation.meta import MetaChecks
from consolidate.validation.plans import (
    _PARSE_MEMO_MAX,
    Slot,
    cell_plan,
    numeric_ids,
    parse_memo,
    slot_bases,
    table_plan,
    tasks_owed,
)
from consolidate.validation.problems import (
    PARSE_PROBLEMS,
    CellErrorValue,
    CellMissing,
    FormulaNoValue,
    InfoDateImplausible,
    InfoMissing,
    RuleFailed,
    RuleFailedWarning,
    TaskStatusMissing,
    TextTooLong,
    ValueAboveMaximum,
    ValueBelowMinimum,
    ValueInvalid,
    ValueRequired,
)
from consolidate.validation.returns import CheckedReturn, RawCell, RawReturn
from consolidate.validation.schema import memo_key, schema_memo, schema_validator

DAY = "%d/%m/%Y"  # how a date reads in a message
REPORT_DATE_MARGIN = dt.timedelta(days=31)  # a report may be drafted a little before the period starts


@dataclass
class _Checker(MetaChecks):
    raw: RawReturn
    definition: Definition
    period: str | None
    as_of: dt.date
    out: CheckedReturn = field(init=False)
    doc: dict[str, Any] = field(default_factory=dict)
    # document path -> its Slot, or (slot base, RawCell or None) from which _slot_at makes
    # it when first asked: only problems need one, so most cells never do
    slots: dict[tuple, Any] = field(default_factory=dict)
    bad: set[tuple] = field(default_factory=set)  # document paths with a rejected value
    unit: Unit | None = None
    generic: bool = True  # no unit code in _meta: unit code and name are inputs

    def __post_init__(self) -> None:
        self.out = CheckedReturn(raw=self.raw)
        self.out.problems.extend(self.raw.problems)
        # Cells the reader already explained (a shifted or missing sheet, a lost name) are
        # not reported a second time as missing, one line per field.
        self.lost_sheets = {p.sheet for p in self.raw.problems if p.code in ("layout-shifted", "sheet-missing")}
        self.lost_names = {p.field_id for p in self.raw.problems if p.code in ("name-missing", "name-broken")}

    # ---------------------------------------------------------------- helpers

    def add(self, cls: type[Problem], *, sheet=None, cell=None, field_id=None, value=None, note="", **params) -> Problem:
        params.setdefault("label", field_id or "")
        problem = cls(note=note, file=self.raw.file, sheet=sheet, cell=cell, field_id=field_id, value=value, params=params)
        self.out.problems.append(problem)
        return problem

    def add_at(self, cls: type[Problem], slot: Slot, *, note="", value=None, **params) -> Problem:
        params.setdefault("label", slot.label)
        return self.add(
            cls, sheet=slot.sheet, cell=slot.cell, field_id=slot.field_id,
            value=slot.raw if value is None else value, note=note, **params,
        )

    def _slot(self, name: str) -> Slot:
        label, sheet, address = slot_bases(self.definition)[name]
        cell = self.raw.cells.get(name)
        if cell is None:
            return Slot(name, label, sheet, address, None)
        return Slot(name, label, cell.sheet, cell.address, cell.error or cell.value)

    def _slot_at(self, key: tuple) -> Slot | None:
        """The slot recorded for a document path (None: none was)."""
        found = self.slots.get(key)
        if found is None or found.__class__ is Slot:
            return found
        base, cell = found
        if cell is None:
            slot = Slot(*base, None)
        else:
            slot = Slot(base[0], base[1], cell.sheet, cell.address, cell.error or cell.value)
        self.slots[key] = slot
        return slot

    # ---------------------------------------------------------------- cells

    def read_value(self, key: tuple, cell: RawCell | None, f: Field) -> Any:
        """Parse one cell whose slot is recorded; return the typed value or None."""
        if cell is None:
            slot = self._slot_at(key)
            if slot.sheet not in self.lost_sheets and key[0] not in self.lost_names:
                self.add_at(CellMissing, slot)
            self.bad.add(key)
            return None
        if cell.error:
            self.add_at(CellErrorValue, self._slot_at(key), value=cell.error)
            self.bad.add(key)
            return None
        if cell.formula_without_value:
            self.add_at(FormulaNoValue, self._slot_at(key))
            self.bad.add(key)
            return None
        parsed = self._parse(cell.value, f)
        if parsed.problem:
            self.add_at(PARSE_PROBLEMS[parsed.problem], self._slot_at(key), note=parsed.note)
            if parsed.rejected:
                self.bad.add(key)
        return parsed.value

    def _value(self, key: tuple, cell: RawCell | None, f: Field, fid: int, memo: dict) -> Any:
        """read_value, with its usual case inline: a plain cell whose value was parsed for
        this field before without a problem (`fid` is id(f), `memo` parse_memo's)."""
        if cell is not None and not cell.error and not cell.formula_without_value:
            raw = cell.value
            if raw is None:
                return None  # V.BLANK's value
            cls = raw.__class__
            if cls is str or cls is int or cls is bool or (cls is float and raw == raw and raw != 0.0):
                parsed = memo.get((fid, cls, raw))  # as _parse keys it (memo_key)
                if parsed is not None and not parsed.problem:
                    return parsed.value
        return self.read_value(key, cell, f)

    def _parse(self, raw: Any, f: Field) -> V.Parsed:
        """V.parse, reusing the result for a value already parsed for this field: the same
        counts and choices recur in every return, and a Parsed is immutable."""
        if raw is None:
            return V.BLANK  # what every parser returns for None
        key = memo_key(raw)
        if key is None:
            return V.parse(raw, f.type, unit=f.unit, choices=f.options)
        memo = parse_memo(self.definition)
        key = (id(f), *key)
        parsed = memo.get(key)
        if parsed is None:
            if len(memo) >= _PARSE_MEMO_MAX:  # free text is all different: stay bounded
                memo.clear()
            parsed = memo[key] = V.parse(raw, f.type, unit=f.unit, choices=f.options)
        return parsed

    def check_cells(self) -> None:
        d = self.definition
        memo = parse_memo(d)
        cells = self.raw.cells
        slots = self.slots
        doc = self.doc
        tasks, info, values = self.out.tasks, self.out.info, self.out.values
        for name, key, f, base, target in cell_plan(d):
            cell = cells.get(name)
            slots[key] = (base, cell)
            value = self._value(key, cell, f, id(f), memo)
            if value is not None:
                doc[name] = value.isoformat() if isinstance(value, dt.date) else value
            if target is None:
                values[name] = value
            elif target == "info":
                info[name] = value
            else:
                tasks.setdefault(target[0], {})[target[1]] = value
        for section in d.sections_of("table"):
            self.check_table(section)

    def check_table(self, section: Section) -> None:
        rows_out: list[dict[str, Any]] = []
        doc_rows: list[dict[str, Any]] = []
        columns = table_plan(self.definition, section)
        memo = parse_memo(self.definition)
        slots = self.slots
        for raw_row in self.raw.tables.get(section.id, []):
            if not any(_filled(c) for c in raw_row.values()):
                continue
            i = len(doc_rows)
            typed: dict[str, Any] = {}
            doc_row: dict[str, Any] = {}
            for col_id, col, base in columns:
                cell = raw_row.get(col_id)
                key = (section.id, i, col_id)
                slots[key] = (base, cell)
                if cell is None:  # a column the reader did not find: treat as blank
                    typed[col_id] = None
                    continue
                value = self._value(key, cell, col, id(col), memo)
                typed[col_id] = value
                if value is not None:
                    doc_row[col_id] = value.isoformat() if isinstance(value, dt.date) else value
            rows_out.append(typed)
            doc_rows.append(doc_row)
        self.out.tables[section.id] = rows_out
        if doc_rows:
            self.doc[section.id] = doc_rows

    # ---------------------------------------------------------------- schema

    def check_schema(self) -> None:
        validator = schema_validator(self.definition)
        memo = schema_memo(self.definition)
        if memo.clean(validator, self.doc, memo.shape):
            return  # jsonschema would find nothing (the usual return): nothing to report
        seen: set[tuple] = set()
        for error in validator.iter_errors(self.doc):
            path = tuple(error.absolute_path)
            if error.validator == "required":
                for name in error.validator_value:
                    key = path + (name,)
                    if name in error.instance or key in self.bad or key in seen:
                        continue
                    seen.add(key)
                    slot = self._slot_at(key) or Slot(name, name, "", "", None)
                    if name in INFO_INPUTS:
                        self.add_at(InfoMissing, slot)
                    elif self._numeric(path, name):
                        self.add_at(ValueRequired, slot, note=Text("Nếu không phát sinh, hãy nhập 0."))
                    else:
                        self.add_at(ValueRequired, slot)
                    self.bad.add(key)
                continue
            slot = self._slot_at(path) or Slot(".".join(map(str, path)), str(path[-1]) if path else "", "", "", error.instance)
            self.bad.add(path)
            v = error.validator
            if v == "minimum":
                self.add_at(ValueBelowMinimum, slot, limit=_fmt(error.validator_value))
            elif v == "maximum":
                self.add_at(ValueAboveMaximum, slot, limit=_fmt(error.validator_value))
            elif v == "maxLength":
                self.add_at(TextTooLong, slot, length=len(error.instance), limit=error.validator_value)
            else:
                # the schema's own words (English) only after a reason the unit can read
                self.add_at(ValueInvalid, slot, note=because(N_("không đúng quy định của biểu mẫu"), error.message))

    def _numeric(self, path: tuple, name: str) -> bool:
        if path:
            section = next((s for s in self.definition.sections_of("table") if s.id == path[0]), None)
            col = next((c for c in section.fields if c.id == name), None) if section else None
            return bool(col and col.numeric)
        f = self.definition.field(name)
        return bool(f and f.numeric)

    # ---------------------------------------------------------------- tasks, rules, info

    def check_tasks(self) -> None:
        tasks = self.out.tasks
        for task_id, key, title in tasks_owed(self.definition, self.unit, self.out.period or self.period):
            if tasks.get(task_id, {}).get("status") is None and key not in self.bad:
                slot = self._slot_at(key)
                if slot is None:
                    raise KeyError(key)
                self.add_at(TaskStatusMissing, slot, task=title)

    def check_rules(self) -> None:
        values, bad = self.out.values, self.bad
        numbers = {}
        for fid in numeric_ids(self.definition):
            value = values.get(fid)
            if value is not None and (fid,) not in bad:
                numbers[fid] = value
        for rule in self.definition.rules:
            if holds(rule.left, rule.op, rule.right, numbers) is not False:
                continue
            refs = list(dict.fromkeys(field_refs(rule.left) + field_refs(rule.right)))
            slots = [s for s in map(self._slot_at, [(r,) for r in refs]) if s is not None]
            cells = [f"{s.sheet}!{s.cell}" for s in slots]
            first = slots[0] if slots else Slot("", rule.id, "", "", None)
            left_value = evaluate(parse(rule.left), numbers)
            right_value = evaluate(parse(rule.right), numbers)
            cls = RuleFailed if rule.severity == "error" else RuleFailedWarning
            self.add_at(
                cls, first, note=rule.message, value=numbers.get(first.field_id, _fmt(left_value)),
                rule=rule.id, left_text=self._readable(rule.left), right_text=self._readable(rule.right), op=rule.op,
                left_value=_fmt(left_value), right_value=_fmt(right_value),
                cells=", ".join(cells), related_cells=cells, fields=refs,
            )

    def _readable(self, expression: str) -> str:
        """A rule side with field ids replaced by the labels users see in the template."""

        def label(m: re.Match) -> str:
            f = self.definition.field(m[0])
            return f"“{f.label}”" if f else m[0]

        return re.sub(r"[a-z][a-z0-9_]*", label, expression)

    def check_info(self) -> None:
        report_date = self.out.info.get("report_date")
        if not isinstance(report_date, dt.date) or ("report_date",) in self.bad:
            return
        period_id = self.out.period or self.period
        try:
            period = self.definition.period(period_id) if period_id else None
        except KeyError:
            period = None
        note = None
        if period and report_date < period.start - REPORT_DATE_MARGIN:
            note = Text("trước kỳ báo cáo ({period} bắt đầu {start})", period=period.label, start=period.start.strftime(DAY))
        elif report_date > self.as_of:
            note = Text("sau ngày hôm nay ({today})", today=self.as_of.strftime(DAY))
        if note:
            slot = self._slot_at(("report_date",))
            if slot is None:
                raise KeyError(("report_date",))
            self.add_at(InfoDateImplausible, slot, value=f"{report_date:%d/%m/%Y}", note=note)

    def run(self) -> CheckedReturn:
        if not self.raw.readable:
            return self.out
        if self.check_meta():
            self.check_locked()
            self.check_cells()
            self.check_schema()
            self.check_tasks()
            self.check_rules()
            self.check_info()
        return self.out


def _filled(cell: RawCell | None) -> bool:
    if cell is None:
        return False
    return bool(cell.error or cell.formula_without_value or not V.is_blank(cell.value))


def _fmt(x: Any) -> str:
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return str(int(x))
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def check_return(
    raw: RawReturn, definition: Definition, period: str | None = None, *, as_of: dt.date | None = None
) -> CheckedReturn:
    """Check one return; every problem is collected in ``CheckedReturn.problems`` (the
    reader's own problems first). ``period`` is the period being collected (None: accept
    any period of the definition); ``as_of`` is "today" for date plausibility."""
    return _Checker(raw, definition, period, as_of or dt.date.today()).run()
