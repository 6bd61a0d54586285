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
from functools import lru_cache
from typing import Any

from consolidate.definition.layout import INFO_LABELS, META_SHEET, layout_for
from consolidate.definition.model import INFO_INPUTS, Definition, Field, Section, Unit
from consolidate.definition.rules import evaluate, field_refs, holds, parse
from consolidate.i18n import Text, get_language, language, render
from consolidate.problems import Problem, ProblemList
from consolidate.validation import values as V
from consolidate.validation.problems import (
    PARSE_PROBLEMS,
    CellErrorValue,
    CellMissing,
    FormulaNoValue,
    InfoDateImplausible,
    InfoMissing,
    LockedCellChanged,
    MetaFingerprintMismatch,
    MetaMissing,
    MetaOldVersion,
    MetaUnitNotExpected,
    MetaUnknownUnit,
    MetaWrongPeriod,
    MetaWrongReport,
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
from consolidate.validation.schema import memo_key, schema_validator

DAY = "%d/%m/%Y"  # how a date reads in a message

# Keys of the very hidden `_meta` sheet (written by the template writer, read by the reader).
META_REPORT_ID = "report_id"
META_VERSION = "definition_version"
META_PERIOD = "period"
META_UNIT_CODE = "unit_code"
META_FINGERPRINT = "fingerprint"
META_KEYS = (META_REPORT_ID, META_VERSION, META_PERIOD, META_UNIT_CODE, META_FINGERPRINT)

REPORT_DATE_MARGIN = dt.timedelta(days=31)  # a report may be drafted a little before the period starts
_PARSE_MEMO_MAX = 100_000


def _slot_bases(definition: Definition) -> dict[str, tuple[str, str, str]]:
    """Named cell -> (label, sheet, address) from the layout: the part of a _Slot that is
    the same in every return (asked ~60 times per return)."""
    cache = definition._by_id
    bases = cache.get("slot_bases")
    if bases is None:
        bases = {}
        for name, spec in layout_for(definition).cells.items():
            label = spec.field.label if spec.field else INFO_LABELS.get(name, name)
            if spec.task_id:
                label = f"{spec.field.label} – {spec.task_id}" if spec.field else name
            bases[name] = (label, spec.sheet, spec.address)
        cache["slot_bases"] = bases
    return bases


def _parse_memo(definition: Definition) -> dict[tuple, V.Parsed]:
    """(id of a Field, memo_key(raw)) -> V.parse result. Kept with the definition, which
    keeps its fields (and the layout's) alive, so an id always means the same field; the
    information fields of consolidate.layout are module constants."""
    cache = definition._by_id
    memo = cache.get("parse_memo")
    if memo is None:
        memo = cache["parse_memo"] = {}
    return memo



# V.clean and the version number of `_meta`, for the few texts every return repeats (report
# id, period, fingerprint, unit names): pure functions of a str.
_clean = lru_cache(maxsize=8192)(V.clean)


@lru_cache(maxsize=256)
def _version_number(text: str) -> Any:
    return V.parse_integer(text).value


def _period_ids(definition: Definition) -> frozenset[str]:
    cache = definition._by_id
    ids = cache.get("period_ids")
    if ids is None:
        ids = cache["period_ids"] = frozenset(p.id for p in definition.periods)
    return ids


def _cell_plan(definition: Definition) -> list[tuple]:
    """The named input cells check_cells reads, in layout order, with what each needs that
    is the same in every return: (name, document path, field, slot base, where the value
    goes: (task id, column) | "info" | None for values)."""
    cache = definition._by_id
    plan = cache.get("cell_plan")
    if plan is None:
        bases = _slot_bases(definition)
        plan = []
        for spec in layout_for(definition).cells.values():
            if spec.locked or spec.field is None:
                continue
            if spec.task_id:
                target: Any = (spec.task_id, spec.column)
            elif spec.name in INFO_INPUTS:
                target = "info"
            else:
                target = None
            plan.append((spec.name, (spec.name,), spec.field, (spec.name, *bases[spec.name]), target))
        cache["cell_plan"] = plan
    return plan


def _table_plan(definition: Definition, section: Section) -> list[tuple]:
    """(column id, field, slot base) per column of a table section."""
    cache = definition._by_id.setdefault("table_plans", {})
    plan = cache.get(section.id)
    if plan is None or plan[0] is not section:
        columns = [(c.id, c, (f"{section.id}.{c.id}", c.label, section.sheet, "")) for c in section.fields]
        plan = cache[section.id] = (section, columns)
    return plan[1]


def _numeric_ids(definition: Definition) -> list[str]:
    cache = definition._by_id
    ids = cache.get("numeric_ids")
    if ids is None:
        ids = cache["numeric_ids"] = [f.id for f in definition.numeric_fields]
    return ids


def _tasks_owed(definition: Definition, unit: Unit | None, period_id: str | None = None) -> list[tuple[str, tuple, str]]:
    """(task id, status path, title) of the tasks that concern `unit` (see _concerns) and
    are reported in `period_id` (a Quý IV task waits for the annual report), in definition
    order; kept per group and period, and per unit code for the units tasks name."""
    cache = definition._by_id.setdefault("tasks_owed", {})
    named = cache.get("named")
    if named is None:
        named = cache["named"] = frozenset(
            r for section in definition.sections_of("tasks") for task in section.tasks
            for r in task.lead + task.coordinating
        )
    key = (period_id, None if unit is None else (unit.code if unit.code in named else None, unit.group))
    owed = cache.get(key)
    if owed is None:
        owed = []
        for section in definition.sections_of("tasks"):
            for task in section.tasks:
                if task.reported_in(period_id) and _concerns(unit, task.lead + task.coordinating):
                    owed.append((task.id, (f"{task.id}_status",), task.title))
        cache[key] = owed
    return owed


def _concerns(unit: Unit | None, refs: tuple[str, ...]) -> bool:
    if not refs:
        return True
    if unit is None:
        return False
    return any(r in (unit.code, unit.group, "all") for r in refs)


@dataclass
class _Slot:
    """Where one document value came from: for mapping schema errors back to cells."""

    field_id: str
    label: str
    sheet: str
    cell: str
    raw: Any


@dataclass
class _Checker:
    raw: RawReturn
    definition: Definition
    period: str | None
    as_of: dt.date
    out: CheckedReturn = field(init=False)
    doc: dict[str, Any] = field(default_factory=dict)
    # document path -> its _Slot, or (slot base, RawCell or None) from which _slot_at makes
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

    def add_at(self, cls: type[Problem], slot: _Slot, *, note="", value=None, **params) -> Problem:
        params.setdefault("label", slot.label)
        return self.add(
            cls, sheet=slot.sheet, cell=slot.cell, field_id=slot.field_id,
            value=slot.raw if value is None else value, note=note, **params,
        )

    # ---------------------------------------------------------------- meta

    def check_meta(self) -> bool:
        """Return False when the content must not be checked (other report or version)."""
        d = self.definition
        meta = {str(k).strip(): _clean(V._as_text(v)) for k, v in self.raw.meta.items() if v is not None}
        info_code = self._cell_text("unit_code")
        if not meta:
            self.add(MetaMissing, sheet=META_SHEET, collector=d.collector.name)
            self.out.unit_code = info_code or ""
            self.out.period = self.period or ""
            self._check_unit_code(info_code, from_meta=False)
            return True
        self.out.report_id = meta.get(META_REPORT_ID, "")
        meta_code = meta.get(META_UNIT_CODE, "")
        self.generic = not meta_code  # the blank template: the unit picks its code on the info sheet
        self.out.unit_code = meta_code or info_code or ""
        self.out.period = meta.get(META_PERIOD, "")
        go_on = True
        if self.out.report_id != d.id:
            self.add(
                MetaWrongReport, sheet=META_SHEET, field_id=META_REPORT_ID, value=self.out.report_id,
                found=self.out.report_id or "?", expected=d.id,
            )
            self.out.foreign_reason = Text("báo cáo khác: {report}", report=self.out.report_id or Text("(không rõ)"))
            return False
        version_text = meta.get(META_VERSION, "")
        version = _version_number(version_text) if version_text else None
        if version != d.version:
            self.add(
                MetaOldVersion, sheet=META_SHEET, field_id=META_VERSION, value=version_text,
                found=version_text or "?", expected=d.version,
                note=Text("mới hơn") if isinstance(version, int) and version > d.version else Text("cũ hơn"),
            )
            go_on = False
        known = [p.id for p in d.periods]
        labels = {p.id: p.label for p in d.periods}
        found_period = self.out.period
        if self.period is not None and found_period != self.period:
            # people know periods by their label ("Quý I/2026"), not by the id
            self.add(
                MetaWrongPeriod, sheet=META_SHEET, field_id=META_PERIOD, value=found_period,
                found=labels.get(found_period, found_period or "?"), expected=labels.get(self.period, self.period),
            )
            self.out.foreign_reason = self.out.foreign_reason or Text(
                "báo cáo của kỳ khác: {period}", period=labels.get(found_period, found_period or Text("(không rõ)")))
        elif found_period not in known:
            self.add(
                MetaWrongPeriod, sheet=META_SHEET, field_id=META_PERIOD, value=found_period,
                found=found_period or "?", expected=", ".join(known),
            )
        self._check_unit_code(info_code, from_meta=not self.generic)
        if go_on:
            expected_fp = layout_for(d).fingerprint
            found_fp = meta.get(META_FINGERPRINT, "")
            if found_fp != expected_fp:
                self.add(
                    MetaFingerprintMismatch, sheet=META_SHEET, field_id=META_FINGERPRINT, value=found_fp,
                    found=found_fp, expected=expected_fp,
                )
        if not self.generic and info_code is not None and info_code != self.out.unit_code:
            slot = self._slot("unit_code")
            self.add_at(LockedCellChanged, slot, expected=self.out.unit_code)
        return go_on

    def _check_unit_code(self, info_code: str | None, *, from_meta: bool) -> None:
        code = self.out.unit_code
        if not code:
            if info_code is not None:
                self.add_at(InfoMissing, self._slot("unit_code"))
            return
        self.unit = self.definition.unit(code)
        if self.unit is None:
            if from_meta:
                self.add(MetaUnknownUnit, sheet=META_SHEET, field_id=META_UNIT_CODE, value=code)
            else:
                self.add_at(MetaUnknownUnit, self._slot("unit_code"), value=code)
            self.out.foreign_reason = self.out.foreign_reason or Text(
                "đơn vị không có trong danh sách: {code}", code=code or Text("(trống)"))
            return
        period = self.period or self.out.period
        if period and period in _period_ids(self.definition) and not self.unit.owes(period):
            self.add(MetaUnitNotExpected, sheet=META_SHEET, field_id=META_UNIT_CODE, value=code, period=period)

    def _cell_text(self, name: str) -> str | None:
        """Text of a locked information cell; None when the reader did not find it."""
        cell = self.raw.cells.get(name)
        if cell is None:
            return None
        if cell.error or cell.formula_without_value:
            return ""
        return _clean(V._as_text(cell.value)) if cell.value is not None else ""

    def _slot(self, name: str) -> _Slot:
        label, sheet, address = _slot_bases(self.definition)[name]
        cell = self.raw.cells.get(name)
        if cell is None:
            return _Slot(name, label, sheet, address, None)
        return _Slot(name, label, cell.sheet, cell.address, cell.error or cell.value)

    def _slot_at(self, key: tuple) -> _Slot | None:
        """The slot recorded for a document path (None: none was)."""
        found = self.slots.get(key)
        if found is None or found.__class__ is _Slot:
            return found
        base, cell = found
        if cell is None:
            slot = _Slot(*base, None)
        else:
            slot = _Slot(base[0], base[1], cell.sheet, cell.address, cell.error or cell.value)
        self.slots[key] = slot
        return slot

    def check_locked(self) -> None:
        d = self.definition
        expected = {}
        if self.unit is not None and not self.generic:
            expected["unit_name"] = self.unit.name
        period_id = self.out.period or self.period
        if period_id in _period_ids(d):
            expected["period_label"] = d.period(period_id).label
        for name, want in expected.items():
            found = self._cell_text(name)
            if want is None or found is None:
                continue
            if _clean(found) != _clean(want):
                self.add_at(LockedCellChanged, self._slot(name), expected=want)

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
        this field before without a problem (`fid` is id(f), `memo` _parse_memo's)."""
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
        memo = _parse_memo(self.definition)
        key = (id(f), *key)
        parsed = memo.get(key)
        if parsed is None:
            if len(memo) >= _PARSE_MEMO_MAX:  # free text is all different: stay bounded
                memo.clear()
            parsed = memo[key] = V.parse(raw, f.type, unit=f.unit, choices=f.options)
        return parsed

    def check_cells(self) -> None:
        d = self.definition
        memo = _parse_memo(d)
        cells = self.raw.cells
        slots = self.slots
        doc = self.doc
        tasks, info, values = self.out.tasks, self.out.info, self.out.values
        for name, key, f, base, target in _cell_plan(d):
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
        columns = _table_plan(self.definition, section)
        memo = _parse_memo(self.definition)
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
        memo = self.definition._by_id["return_memo"]
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
                    slot = self._slot_at(key) or _Slot(name, name, "", "", None)
                    if name in INFO_INPUTS:
                        self.add_at(InfoMissing, slot)
                    elif self._numeric(path, name):
                        self.add_at(ValueRequired, slot, note=Text("Nếu không phát sinh, hãy nhập 0."))
                    else:
                        self.add_at(ValueRequired, slot)
                    self.bad.add(key)
                continue
            slot = self._slot_at(path) or _Slot(".".join(map(str, path)), str(path[-1]) if path else "", "", "", error.instance)
            self.bad.add(path)
            v = error.validator
            if v == "minimum":
                self.add_at(ValueBelowMinimum, slot, limit=_fmt(error.validator_value))
            elif v == "maximum":
                self.add_at(ValueAboveMaximum, slot, limit=_fmt(error.validator_value))
            elif v == "maxLength":
                self.add_at(TextTooLong, slot, length=len(error.instance), limit=error.validator_value)
            else:
                self.add_at(ValueInvalid, slot, note=error.message)

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
        for task_id, key, title in _tasks_owed(self.definition, self.unit, self.out.period or self.period):
            if tasks.get(task_id, {}).get("status") is None and key not in self.bad:
                slot = self._slot_at(key)
                if slot is None:
                    raise KeyError(key)
                self.add_at(TaskStatusMissing, slot, task=title)

    def check_rules(self) -> None:
        values, bad = self.out.values, self.bad
        numbers = {}
        for fid in _numeric_ids(self.definition):
            value = values.get(fid)
            if value is not None and (fid,) not in bad:
                numbers[fid] = value
        for rule in self.definition.rules:
            if holds(rule.left, rule.op, rule.right, numbers) is not False:
                continue
            refs = list(dict.fromkeys(field_refs(rule.left) + field_refs(rule.right)))
            slots = [s for s in map(self._slot_at, [(r,) for r in refs]) if s is not None]
            cells = [f"{s.sheet}!{s.cell}" for s in slots]
            first = slots[0] if slots else _Slot("", rule.id, "", "", None)
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


# --------------------------------------------------------------------------- report


PROBLEM_KEYS = ("code", "severity", "message", "file", "sheet", "cell", "field", "value")


def problem_dict(problem: Problem, lang: str | None = None) -> dict[str, Any]:
    """The JSON form of a problem; its message in `lang` (default: the language in force)."""
    data = problem.to_dict()
    out = {key: data.get(key) for key in PROBLEM_KEYS}
    with language(lang or get_language()):
        out["message"] = problem.message
    related = problem.params.get("related_cells")
    if related:
        out["related_cells"] = list(related)
    return out


@dataclass
class ValidationReport:
    """The outcome of validating many returns, in the style of a frictionless Report."""

    returns: list[CheckedReturn] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.returns)

    @property
    def problems(self) -> ProblemList:
        return ProblemList(p for r in self.returns for p in r.problems)

    @property
    def errors(self) -> list[Problem]:
        return self.problems.errors

    @property
    def warnings(self) -> list[Problem]:
        return self.problems.warnings

    @property
    def counts(self) -> dict[str, int]:
        return {
            "files": len(self.returns),
            "valid": sum(1 for r in self.returns if r.valid),
            "invalid": sum(1 for r in self.returns if not r.valid),
            "foreign": sum(1 for r in self.returns if r.foreign_reason),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def flatten(self, spec: tuple[str, ...] = ("file", "code", "severity", "sheet", "cell", "field", "message")) -> list[list]:
        rows = []
        for problem in self.problems:
            data = problem_dict(problem)
            rows.append([data.get(key) for key in spec])
        return rows

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or get_language()
        with language(lang):
            return self._to_dict(lang)

    def _to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "files": [
                {
                    "file": r.file,
                    "format": r.raw.format,
                    "unit_code": r.unit_code,
                    "period": r.period,
                    "valid": r.valid,
                    "foreign_reason": render(r.foreign_reason),
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "problems": [problem_dict(p, lang) for p in r.problems],
                }
                for r in self.returns
            ],
            "counts": self.counts,
        }


def validate_returns(
    raws, definition: Definition, period: str | None = None, *, as_of: dt.date | None = None
) -> ValidationReport:
    return ValidationReport([check_return(raw, definition, period, as_of=as_of) for raw in raws])
