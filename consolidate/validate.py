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
   (:func:`return_schema`): type, required, min/max, choices and length live there, and each
   jsonschema error is mapped back to its cell through its path (the field id).
5. Task statuses the unit owes, cross-field rules, unit-information plausibility.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, validators

from . import values as V
from .layout import INFO_LABELS, META_SHEET, layout_for
from .model import INFO_INPUTS, YES_NO, Definition, Field, Section, Unit
from .problems import Problem, ProblemList
from .return_problems import (
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
from .returns import CheckedReturn, RawCell, RawReturn
from .rules import evaluate, field_refs, holds, parse

# Keys of the very hidden `_meta` sheet (written by the template writer, read by the reader).
META_REPORT_ID = "report_id"
META_VERSION = "definition_version"
META_PERIOD = "period"
META_UNIT_CODE = "unit_code"
META_FINGERPRINT = "fingerprint"
META_KEYS = (META_REPORT_ID, META_VERSION, META_PERIOD, META_UNIT_CODE, META_FINGERPRINT)

REPORT_DATE_MARGIN = dt.timedelta(days=31)  # a report may be drafted a little before the period starts
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


# --------------------------------------------------------------------------- derived schema


def _field_schema(f: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": f.label}
    if f.type in ("integer", "number"):
        schema["type"] = f.type
        if f.min is not None:
            schema["minimum"] = f.min
        if f.max is not None:
            schema["maximum"] = f.max
    elif f.type == "date":
        schema.update(type="string", format="date")
    elif f.type == "choice":
        schema["enum"] = list(f.choices)
    elif f.type == "yesno":
        schema["enum"] = list(YES_NO)
    else:
        schema.update(type="string", minLength=1)
        if f.max_length:
            schema["maxLength"] = f.max_length
    return schema


def return_schema(definition: Definition) -> dict[str, Any]:
    """JSON Schema (2020-12) of the typed document extracted from one return.

    The document is flat, keyed like the template's defined names: one key per field of
    `fields`/`text` sections, per unit-information input (`preparer`, `report_date`, …) and
    per task column (`<task>_status`, `<task>_result`); one array of row objects per `table`
    section, keyed by the section id. Blank cells are absent; dates are ISO strings.
    Cached per loaded definition.
    """
    cache = definition._by_id
    if "return_schema" in cache:
        return cache["return_schema"]
    layout = layout_for(definition)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in layout.cells.values():
        if spec.locked or spec.field is None:
            continue
        properties[spec.name] = _field_schema(spec.field)
        if spec.field.required and not spec.task_id:
            required.append(spec.name)
    for section in definition.sections_of("table"):
        properties[section.id] = {
            "title": section.title,
            "type": "array",
            "items": {
                "type": "object",
                "properties": {c.id: _field_schema(c) for c in section.fields},
                "required": [c.id for c in section.fields if c.required],
                "additionalProperties": False,
            },
        }
    schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"urn:consolidate:return:{definition.id}:v{definition.version}",
        "title": definition.title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    cache["return_schema"] = schema
    return schema


def _schema_validator(definition: Definition) -> Draft202012Validator:
    cache = definition._by_id
    if "return_validator" not in cache:
        cls = validators.extend(Draft202012Validator, {"properties": _memo_properties(_LeafMemo())})
        cache["return_validator"] = cls(return_schema(definition), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return cache["return_validator"]


# Most of the schema's cost was jsonschema descending into ~75 leaf properties per return
# (a new validator object and resolver for each), while the values repeat from file to file
# (0, "Có", "Hoàn thành", ...). So the `properties` keyword below is jsonschema's own, except
# that the errors of a leaf subschema (no nested properties/items) for a given value are
# computed once by jsonschema and then reused. Everything else (type of the document and of
# table rows, required, additionalProperties, items) is still jsonschema's work on the real
# document, and the reused errors are copies, so paths and order are exactly as before.

_LEAF_MEMO_MAX = 100_000


def memo_key(value: Any) -> tuple | None:
    """A key under which results computed for `value` hold for any equal value, or None.

    Only types whose equal values are indistinguishable: str, int, bool (the type is part of
    the key: True == 1) and floats other than zero (0.0 == -0.0 but they print apart) and NaN
    (never equal to itself)."""
    cls = value.__class__
    if cls is str or cls is int or cls is bool:
        return (cls, value)
    if cls is float and value == value and value != 0.0:
        return (cls, value)
    return None


class _LeafMemo(dict):
    """(id of a leaf subschema, memo_key(value)) -> that value's errors against it. One per
    validator, whose schema keeps every subschema (and so every id) alive."""

    def __init__(self) -> None:
        super().__init__()
        self.leaf: dict[int, bool] = {}  # id of a subschema -> no subschema inside it

    def store(self, key: tuple, errors: tuple) -> tuple:
        if len(self) >= _LEAF_MEMO_MAX:  # free-text answers are all different: stay bounded
            self.clear()
        self[key] = errors
        return errors

    def is_leaf(self, subschema: Any) -> bool:
        found = self.leaf.get(id(subschema))
        if found is None:
            found = self.leaf[id(subschema)] = isinstance(subschema, dict) and not any(k in subschema for k in _NESTING)
        return found


_NESTING = ("properties", "items", "prefixItems", "$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if")


def _memo_properties(memo: _LeafMemo):
    def properties(validator, properties, instance, schema):
        # jsonschema's `properties` keyword (jsonschema/_keywords.py), memoised per leaf value
        if not validator.is_type(instance, "object"):
            return
        for prop, subschema in properties.items():
            if prop not in instance:
                continue
            value = instance[prop]
            key = memo_key(value)
            if key is None or not memo.is_leaf(subschema):
                yield from validator.descend(value, subschema, path=prop, schema_path=prop)
                continue
            key = (id(subschema), key)
            errors = memo.get(key)
            if errors is None:
                errors = memo.store(key, tuple(validator.descend(value, subschema, path=prop, schema_path=prop)))
            for error in errors:
                yield error.create_from(error)  # callers prepend to path/schema_path: never the memo's

    return properties


# --------------------------------------------------------------------------- checking

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
    slots: dict[tuple, _Slot] = field(default_factory=dict)
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
        meta = {str(k).strip(): V.clean(V._as_text(v)) for k, v in self.raw.meta.items() if v is not None}
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
            self.out.foreign_reason = f"báo cáo khác: {self.out.report_id or '(không rõ)'}"
            return False
        version_text = meta.get(META_VERSION, "")
        version = V.parse_integer(version_text).value if version_text else None
        if version != d.version:
            self.add(
                MetaOldVersion, sheet=META_SHEET, field_id=META_VERSION, value=version_text,
                found=version_text or "?", expected=d.version,
                note="mới hơn" if isinstance(version, int) and version > d.version else "cũ hơn",
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
            self.out.foreign_reason = self.out.foreign_reason or (
                f"báo cáo của kỳ khác: {labels.get(found_period, found_period or '(không rõ)')}")
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
            self.out.foreign_reason = self.out.foreign_reason or f"đơn vị không có trong danh sách: {code or '(trống)'}"
            return
        period = self.period or self.out.period
        if period and period in {p.id for p in self.definition.periods} and not self.unit.owes(period):
            self.add(MetaUnitNotExpected, sheet=META_SHEET, field_id=META_UNIT_CODE, value=code, period=period)

    def _cell_text(self, name: str) -> str | None:
        """Text of a locked information cell; None when the reader did not find it."""
        cell = self.raw.cells.get(name)
        if cell is None:
            return None
        if cell.error or cell.formula_without_value:
            return ""
        return V.clean(V._as_text(cell.value)) if cell.value is not None else ""

    def _slot(self, name: str) -> _Slot:
        label, sheet, address = _slot_bases(self.definition)[name]
        cell = self.raw.cells.get(name)
        if cell is None:
            return _Slot(name, label, sheet, address, None)
        return _Slot(name, label, cell.sheet, cell.address, cell.error or cell.value)

    def check_locked(self) -> None:
        d = self.definition
        expected = {}
        if self.unit is not None and not self.generic:
            expected["unit_name"] = self.unit.name
        period_id = self.out.period or self.period
        if period_id in {p.id for p in d.periods}:
            expected["period_label"] = d.period(period_id).label
        for name, want in expected.items():
            found = self._cell_text(name)
            if want is None or found is None:
                continue
            if V.clean(found) != V.clean(want):
                self.add_at(LockedCellChanged, self._slot(name), expected=want)

    # ---------------------------------------------------------------- cells

    def read_value(self, key: tuple, cell: RawCell | None, slot: _Slot, f: Field) -> Any:
        """Parse one cell; record a slot for schema errors; return the typed value or None."""
        self.slots[key] = slot
        if cell is None:
            if slot.sheet not in self.lost_sheets and key[0] not in self.lost_names:
                self.add_at(CellMissing, slot)
            self.bad.add(key)
            return None
        if cell.error:
            self.add_at(CellErrorValue, slot, value=cell.error)
            self.bad.add(key)
            return None
        if cell.formula_without_value:
            self.add_at(FormulaNoValue, slot)
            self.bad.add(key)
            return None
        parsed = self._parse(cell.value, f)
        if parsed.problem:
            self.add_at(PARSE_PROBLEMS[parsed.problem], slot, note=parsed.note, note_en=parsed.note_en)
            if parsed.rejected:
                self.bad.add(key)
        return parsed.value

    def _parse(self, raw: Any, f: Field) -> V.Parsed:
        """V.parse, reusing the result for a value already parsed for this field: the same
        counts and choices recur in every return, and a Parsed is immutable."""
        key = memo_key(raw)
        if key is None:
            return V.parse(raw, f.type, unit=f.unit, choices=f.options)
        memo = _parse_memo(self.definition)
        key = (id(f), key)
        parsed = memo.get(key)
        if parsed is None:
            if len(memo) >= _PARSE_MEMO_MAX:  # free text is all different: stay bounded
                memo.clear()
            parsed = memo[key] = V.parse(raw, f.type, unit=f.unit, choices=f.options)
        return parsed

    def check_cells(self) -> None:
        layout = layout_for(self.definition)
        for spec in layout.cells.values():
            if spec.locked or spec.field is None:
                continue
            slot = self._slot(spec.name)
            value = self.read_value((spec.name,), self.raw.cells.get(spec.name), slot, spec.field)
            if value is not None:
                self.doc[spec.name] = value.isoformat() if isinstance(value, dt.date) else value
            if spec.task_id:
                self.out.tasks.setdefault(spec.task_id, {})[spec.column] = value
            elif spec.name in INFO_INPUTS:
                self.out.info[spec.name] = value
            else:
                self.out.values[spec.name] = value
        for section in self.definition.sections_of("table"):
            self.check_table(section)

    def check_table(self, section: Section) -> None:
        rows_out: list[dict[str, Any]] = []
        doc_rows: list[dict[str, Any]] = []
        for raw_row in self.raw.tables.get(section.id, []):
            if not any(_filled(c) for c in raw_row.values()):
                continue
            i = len(doc_rows)
            typed: dict[str, Any] = {}
            doc_row: dict[str, Any] = {}
            for col in section.fields:
                cell = raw_row.get(col.id)
                key = (section.id, i, col.id)
                if cell is None:  # a column the reader did not find: treat as blank
                    self.slots[key] = _Slot(f"{section.id}.{col.id}", col.label, section.sheet, "", None)
                    typed[col.id] = None
                    continue
                slot = _Slot(f"{section.id}.{col.id}", col.label, cell.sheet, cell.address, cell.error or cell.value)
                value = self.read_value(key, cell, slot, col)
                typed[col.id] = value
                if value is not None:
                    doc_row[col.id] = value.isoformat() if isinstance(value, dt.date) else value
            rows_out.append(typed)
            doc_rows.append(doc_row)
        self.out.tables[section.id] = rows_out
        if doc_rows:
            self.doc[section.id] = doc_rows

    # ---------------------------------------------------------------- schema

    def check_schema(self) -> None:
        seen: set[tuple] = set()
        for error in _schema_validator(self.definition).iter_errors(self.doc):
            path = tuple(error.absolute_path)
            if error.validator == "required":
                for name in error.validator_value:
                    key = path + (name,)
                    if name in error.instance or key in self.bad or key in seen:
                        continue
                    seen.add(key)
                    slot = self.slots.get(key) or _Slot(name, name, "", "", None)
                    if name in INFO_INPUTS:
                        self.add_at(InfoMissing, slot)
                    elif self._numeric(path, name):
                        self.add_at(ValueRequired, slot, note="Nếu không phát sinh, hãy nhập 0.",
                                    note_en="Type 0 if there is nothing to report.")
                    else:
                        self.add_at(ValueRequired, slot)
                    self.bad.add(key)
                continue
            slot = self.slots.get(path) or _Slot(".".join(map(str, path)), str(path[-1]) if path else "", "", "", error.instance)
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
        for section in self.definition.sections_of("tasks"):
            for task in section.tasks:
                if not self._concerns(task.lead + task.coordinating):
                    continue
                key = (f"{task.id}_status",)
                if self.out.tasks.get(task.id, {}).get("status") is None and key not in self.bad:
                    self.add_at(TaskStatusMissing, self.slots[key], task=task.title)

    def _concerns(self, refs: tuple[str, ...]) -> bool:
        if not refs:
            return True
        if self.unit is None:
            return False
        return any(r in (self.unit.code, self.unit.group, "all") for r in refs)

    def check_rules(self) -> None:
        numbers = {
            f.id: self.out.values.get(f.id)
            for f in self.definition.numeric_fields
            if (f.id,) not in self.bad and self.out.values.get(f.id) is not None
        }
        for rule in self.definition.rules:
            if holds(rule.left, rule.op, rule.right, numbers) is not False:
                continue
            refs = list(dict.fromkeys(field_refs(rule.left) + field_refs(rule.right)))
            slots = [self.slots[(r,)] for r in refs if (r,) in self.slots]
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
        note = note_en = ""
        if period and report_date < period.start - REPORT_DATE_MARGIN:
            note = f"trước kỳ báo cáo ({period.label} bắt đầu {period.start:%d/%m/%Y})"
            note_en = f"before the reporting period (which starts {period.start:%d/%m/%Y})"
        elif report_date > self.as_of:
            note = f"sau ngày hôm nay ({self.as_of:%d/%m/%Y})"
            note_en = f"after today ({self.as_of:%d/%m/%Y})"
        if note:
            slot = self.slots[("report_date",)]
            self.add_at(InfoDateImplausible, slot, value=f"{report_date:%d/%m/%Y}", note=note, note_en=note_en)

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


def problem_dict(problem: Problem, lang: str = "vi") -> dict[str, Any]:
    data = problem.to_dict()
    out = {key: data.get(key) for key in PROBLEM_KEYS}
    out["message"] = problem.message_en if lang == "en" else problem.message
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

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "valid": self.valid,
            "files": [
                {
                    "file": r.file,
                    "format": r.raw.format,
                    "unit_code": r.unit_code,
                    "period": r.period,
                    "valid": r.valid,
                    "foreign_reason": r.foreign_reason,
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
