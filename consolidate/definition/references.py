"""What the definition's JSON Schema cannot say: duplicate ids, references to periods,
groups, units and fields that were never declared, dates out of order, rule syntax.

Runs only on a document the schema accepted, so every key the schema requires is there.
Each check appends to one list through `add(path, note)`, so a plan author sees every
mistake of the file at once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate.definition import provenance
from consolidate.definition.model import (
    DEFAULT_DONE_STATUSES,
    DEFAULT_TASK_STATUSES,
    INFO_INPUTS,
    RESERVED_NAMES,
    TASK_COLUMNS,
)
from consolidate.definition.rules import RuleSyntaxError, field_refs
from consolidate.definition.units import UnitSourceError, load_units
from consolidate.i18n import Text
from consolidate.problems import Problem, ProblemList

# A field id Excel would read as a cell address (a1, r2c3) cannot be a defined name.
CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|[rc][0-9]*|r[0-9]+c[0-9]+)$")
NUMERIC_TYPES = ("integer", "number")

Add = Callable[[str, "str | Text"], None]


@dataclass
class DefinitionProblem(Problem):
    code = "definition-invalid"
    template = "{path}: {note}"


def nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text)).strip() if text is not None else ""


def check_references(raw: dict, file: Path) -> ProblemList:
    """Every reference problem of a schema-valid definition document `raw` read from `file`."""
    out = ProblemList()

    def add(path: str, note: Text) -> None:
        out.append(DefinitionProblem(file=str(file), path=path, note=note))

    period_ids = _check_periods(raw, add)
    group_ids = _check_groups(raw, add)
    codes = _check_units(raw, file, period_ids, group_ids, add)
    _check_sections(raw, period_ids, codes, group_ids, add)
    value_fields = {
        f["id"]: f
        for s in raw["sections"]
        if s["type"] in ("fields", "text")
        for f in s.get("fields", [])
    }
    rule_ids = _check_rules(raw, value_fields, add)
    _check_weights(value_fields, add)
    _check_acceptance(raw, value_fields, rule_ids, add)
    return out


def _check_periods(raw: dict, add: Add) -> dict[str, int]:
    """Period id -> its index; duplicates and reversed dates reported."""
    period_ids: dict[str, int] = {}
    for i, period in enumerate(raw["periods"]):
        if period["id"] in period_ids:
            add(f"periods[{i}].id", Text("Kỳ báo cáo '{period}' bị khai báo hai lần", period=period["id"]))
        period_ids[period["id"]] = i
        start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
        if end < start:
            add(f"periods[{i}].end", Text("Ngày kết thúc số liệu trước ngày bắt đầu"))
    return period_ids


def _check_groups(raw: dict, add: Add) -> list[str]:
    group_ids = [g["id"] for g in raw.get("groups", [])]
    for i, gid in enumerate(group_ids):
        if group_ids.index(gid) != i:
            add(f"groups[{i}].id", Text("Nhóm đơn vị '{group}' bị khai báo hai lần", group=gid))
    return group_ids


def _check_units(raw: dict, file: Path, period_ids: dict[str, int], group_ids: list[str], add: Add) -> set[str]:
    """The unit codes declared (inline or from a unit list next to the definition)."""
    try:
        units = load_units(raw["units"], file.parent)
    except UnitSourceError as exc:
        add(f"units.{exc.key}", exc.text)
        units = []
    codes: set[str] = set()
    for unit in units:
        if unit.code in codes:
            add("units", Text("Mã đơn vị '{code}' ({name}) bị trùng", code=unit.code, name=unit.name))
        codes.add(unit.code)
        if group_ids and unit.group not in group_ids:
            add("units", Text("Đơn vị '{code}' thuộc nhóm '{group}' chưa khai báo trong groups",
                              code=unit.code, group=unit.group))
        for pid in unit.periods:
            if pid not in period_ids:
                add("units", Text("Đơn vị '{code}' nợ kỳ '{period}' không có trong periods",
                                  code=unit.code, period=pid))
    registry = raw["units"].get("registry", {})
    for pid in registry.get("periods", []):
        if pid not in period_ids:
            add("units.registry.periods", Text("Kỳ '{period}' không có trong periods", period=pid))
    for path in provenance.unresolved(raw, units):
        add(f"provenance.{path}", Text("Đường dẫn không trỏ tới giá trị nào trong định nghĩa (viết sai mã, tên khóa?)"))
    return codes


class _Names:
    """The defined names a workbook will carry: one namespace for section ids, field ids and
    task cells, so two of them can never name the same cell range."""

    def __init__(self, add: Add):
        self.add = add
        self.where: dict[str, str] = {}

    def claim(self, name: str, where: str) -> None:
        if name in RESERVED_NAMES:
            self.add(where, Text("Mã '{name}' dành riêng cho trang thông tin đơn vị, hãy đặt mã khác", name=name))
        elif CELL_LIKE.match(name):
            self.add(where, Text(
                "Mã '{name}' trông giống địa chỉ ô Excel; thêm dấu gạch dưới hoặc chữ (ví dụ '{name}_sl')", name=name))
        elif name in self.where:
            self.add(where, Text("Mã '{name}' bị trùng với {other}", name=name, other=self.where[name]))
        else:
            self.where[name] = where


def _check_sections(raw: dict, period_ids: dict[str, int], codes: set[str], group_ids: list[str], add: Add) -> None:
    names = _Names(add)
    sheets: dict[str, str] = {}
    for s_i, section in enumerate(raw["sections"]):
        base = f"sections[{s_i}]"
        names.claim(section["id"], f"{base}.id")
        # Excel compares sheet names without case and cuts them at 31 characters
        sheet = nfc(section.get("sheet") or section["title"])[:31]
        if sheet.lower() in sheets:
            add(f"{base}.sheet", Text("Tên trang '{sheet}' trùng với {other}; đặt 'sheet' khác", sheet=sheet,
                                      other=sheets[sheet.lower()]))
        sheets[sheet.lower()] = base
        if section["type"] in ("fields", "text", "table"):
            _check_fields(section, base, names, add)
        if section["type"] == "tasks":
            _check_tasks(section, base, names, period_ids, codes, group_ids, add)


def _check_fields(section: dict, base: str, names: _Names, add: Add) -> None:
    """The fields of a fields/text section or the columns of a table section."""
    table = section["type"] == "table"
    items = section.get("fields") or section.get("columns") or []
    key = "columns" if table else "fields"
    col_ids = [c["id"] for c in items] if table else []
    for f_i, fld in enumerate(items):
        where = f"{base}.{key}[{f_i}]"
        if table:
            # columns are named per table (section.column), so only their own table clashes
            if col_ids.index(fld["id"]) != f_i:
                add(f"{where}.id", Text("Cột '{column}' bị trùng", column=fld["id"]))
        else:
            names.claim(fld["id"], f"{where}.id")
        if section["type"] == "text" and fld["type"] != "text":
            add(f"{where}.type", Text("Mục văn bản (type: text) chỉ chứa trường kiểu text"))
        if "min" in fld and "max" in fld and fld["min"] > fld["max"]:
            add(f"{where}.min", Text("min lớn hơn max"))
        if fld.get("aggregate", "none") in ("sum", "mean", "min", "max") and fld["type"] not in NUMERIC_TYPES:
            add(f"{where}.aggregate", Text("Chỉ cộng dồn được trường số; trường '{field}' kiểu {type}",
                                           field=fld["id"], type=fld["type"]))


def _check_tasks(
    section: dict, base: str, names: _Names, period_ids: dict[str, int], codes: set[str], group_ids: list[str], add: Add,
) -> None:
    statuses = section.get("statuses", list(DEFAULT_TASK_STATUSES))
    for d_i, done in enumerate(section.get("done_statuses", list(DEFAULT_DONE_STATUSES))):
        if done not in statuses:
            add(f"{base}.done_statuses[{d_i}]", Text("'{status}' không có trong statuses", status=done))
    for t_i, task in enumerate(section["tasks"]):
        where = f"{base}.tasks[{t_i}]"
        for p_i, pid in enumerate(task.get("periods", [])):
            if pid not in period_ids:
                add(f"{where}.periods[{p_i}]", Text("Kỳ '{period}' không có trong periods", period=pid))
        for col in TASK_COLUMNS:
            names.claim(f"{task['id']}_{col}", f"{where}.id")
        for key in ("lead", "coordinating"):
            for r_i, ref in enumerate(task.get(key, [])):
                if ref not in codes and ref not in group_ids and ref != "all":
                    add(f"{where}.{key}[{r_i}]", Text("'{ref}' không phải mã đơn vị hay mã nhóm đã khai báo", ref=ref))


def _check_rules(raw: dict, value_fields: dict[str, dict], add: Add) -> set[str]:
    """The rule ids declared; each side must parse and name numeric fields only."""
    rule_ids: set[str] = set()
    for r_i, rule in enumerate(raw.get("rules", [])):
        where = f"rules[{r_i}]"
        if rule["id"] in rule_ids:
            add(f"{where}.id", Text("Quy tắc '{rule}' bị trùng", rule=rule["id"]))
        rule_ids.add(rule["id"])
        for side in ("left", "right"):
            try:
                refs = field_refs(str(rule[side]))
            except RuleSyntaxError as exc:
                add(f"{where}.{side}", Text("Biểu thức sai: {error}", error=exc.text))
                continue
            for ref in refs:
                if ref not in value_fields:
                    add(f"{where}.{side}", Text("Trường '{field}' không tồn tại", field=ref))
                elif value_fields[ref]["type"] not in NUMERIC_TYPES:
                    add(f"{where}.{side}", Text("Trường '{field}' không phải trường số", field=ref))
    return rule_ids


def _check_weights(value_fields: dict[str, dict], add: Add) -> None:
    for fid, fld in value_fields.items():
        weight = fld.get("weight")
        if not weight:
            continue
        if fld.get("aggregate") != "mean":
            add(f"fields.{fid}.weight", Text("Trường '{field}': 'weight' chỉ dùng với aggregate: mean", field=fid))
        elif weight not in value_fields or value_fields[weight]["type"] not in NUMERIC_TYPES:
            add(f"fields.{fid}.weight", Text("Trường trọng số '{weight}' của '{field}' không phải trường số đã khai báo",
                                                  weight=weight, field=fid))


def _check_acceptance(raw: dict, value_fields: dict[str, dict], rule_ids: set[str], add: Add) -> None:
    """Every id in acceptance.warn must name something a problem can point at."""
    known = set(value_fields) | set(rule_ids) | set(INFO_INPUTS)
    for section in raw["sections"]:
        if section["type"] == "table":
            known |= {f"{section['id']}.{c['id']}" for c in section.get("columns", [])}
            known |= {c["id"] for c in section.get("columns", [])}
        if section["type"] == "tasks":
            known |= {f"{t['id']}_{col}" for t in section["tasks"] for col in TASK_COLUMNS}
    for i, ident in enumerate(raw.get("acceptance", {}).get("warn", [])):
        if ident not in known:
            add(f"acceptance.warn[{i}]", Text("'{ident}' không phải mã trường, quy tắc hay ô thông tin đơn vị đã khai báo",
                                                ident=ident))
