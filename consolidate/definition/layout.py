"""Where every input lives in a template, derived from the definition alone.

The template writer places cells from this layout, and the reader falls back to it when a
file has lost its defined names (an .xls, say). The fingerprint hashes it, so a return made
from a template of another layout is recognised.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from consolidate.definition.model import INFO_INPUTS, INFO_LOCKED, Definition, Field, Section

INSTRUCTIONS_SHEET = "Hướng dẫn"
INFO_SHEET = "Thông tin đơn vị"
META_SHEET = "_meta"
FIRST_DATA_ROW = 4  # 0-based row index of the first row below the header (Excel row 5)
HEADER_ROW = 3  # 0-based: Excel row 4
# Task sheets: STT, task, lead, co-ordinating units, timing, the unit's role, then the inputs
TASK_STATUS_COL = 6  # 0-based: column G (the result is H)

INFO_LABELS = {
    "unit_code": "Mã đơn vị",
    "unit_name": "Tên đơn vị",
    "period_label": "Kỳ báo cáo",
    "due_date": "Hạn gửi báo cáo (trước ngày)",
    "preparer": "Người lập báo cáo",
    "preparer_position": "Chức vụ",
    "preparer_phone": "Số điện thoại liên hệ",
    "report_date": "Ngày lập báo cáo",
}
INFO_FIELDS = {
    "preparer": Field(id="preparer", label=INFO_LABELS["preparer"], type="text", required=True, max_length=200),
    "preparer_position": Field(id="preparer_position", label=INFO_LABELS["preparer_position"], type="text", max_length=200),
    "preparer_phone": Field(id="preparer_phone", label=INFO_LABELS["preparer_phone"], type="text", max_length=50),
    "report_date": Field(id="report_date", label=INFO_LABELS["report_date"], type="date", required=True),
}
INFO_FIRST_ROW = 5  # 0-based: Excel row 6
INFO_VALUE_COL = 2  # column C


@dataclass(frozen=True)
class CellSpec:
    """One named cell: an input of a field, a task column, or a locked prefilled value."""

    name: str
    sheet: str
    row: int  # 0-based
    col: int  # 0-based
    field: Field | None = None
    section_id: str = ""
    task_id: str = ""
    column: str = ""  # task column: status | result
    locked: bool = False
    # The label printed beside the input: a reader that locates cells by position (an .xls
    # has no readable names) checks it to notice inserted or deleted rows.
    label: str = ""
    label_row: int = -1
    label_col: int = 1

    @property
    def address(self) -> str:
        return cell_address(self.row, self.col)


@dataclass(frozen=True)
class TableSpec:
    name: str
    sheet: str
    header_row: int  # 0-based
    first_col: int
    section: Section
    rows: int

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.section.fields) - 1

    @property
    def ref(self) -> str:
        return f"{cell_address(self.header_row, self.first_col)}:{cell_address(self.header_row + self.rows, self.last_col)}"


@dataclass
class Layout:
    sheets: list[str]
    cells: dict[str, CellSpec] = field(default_factory=dict)
    tables: dict[str, TableSpec] = field(default_factory=dict)
    fingerprint: str = ""

    def by_sheet(self, sheet: str) -> list[CellSpec]:
        return [c for c in self.cells.values() if c.sheet == sheet]


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_address(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def section_rows(section: Section) -> list[tuple[str, Field | None]]:
    """Rows of a fields section in order: ('heading', None) markers and ('field', f)."""
    rows: list[tuple[str, Field | None]] = []
    for f in section.fields:
        if f.heading:
            rows.append((f.heading, None))
        rows.append(("field", f))
    return rows


def layout_for(definition: Definition) -> Layout:
    """Computed once per loaded definition (a merge of 3,000 files asks for it 3,000 times)."""
    return definition.memo("layout", lambda: _compute(definition))


def _compute(definition: Definition) -> Layout:
    layout = Layout(sheets=[INSTRUCTIONS_SHEET, INFO_SHEET])
    for i, name in enumerate(INFO_LOCKED + INFO_INPUTS):
        layout.cells[name] = CellSpec(
            name=name,
            sheet=INFO_SHEET,
            row=INFO_FIRST_ROW + i,
            col=INFO_VALUE_COL,
            field=INFO_FIELDS.get(name),
            locked=name in INFO_LOCKED,
            label=INFO_LABELS[name],
            label_row=INFO_FIRST_ROW + i,
        )
    for section in definition.sections:
        layout.sheets.append(section.sheet)
        if section.type == "fields":
            row = FIRST_DATA_ROW
            for _kind, f in section_rows(section):
                if f is not None:
                    layout.cells[f.id] = CellSpec(f.id, section.sheet, row, 3, field=f, section_id=section.id,
                                                  label=f.label, label_row=row)
                row += 1
        elif section.type == "tasks":
            for i, task in enumerate(section.tasks):
                row = FIRST_DATA_ROW + i
                for col, column in ((TASK_STATUS_COL, "status"), (TASK_STATUS_COL + 1, "result")):
                    name = f"{task.id}_{column}"
                    layout.cells[name] = CellSpec(
                        name, section.sheet, row, col, section_id=section.id, task_id=task.id, column=column,
                        field=_task_field(section, column), label=task.title, label_row=row,
                    )
        elif section.type == "table":
            layout.tables[section.id] = TableSpec(
                name=section.id, sheet=section.sheet, header_row=HEADER_ROW, first_col=1,
                section=section, rows=section.rows,
            )
        elif section.type == "text":
            for i, f in enumerate(section.fields):
                # label on one row, a tall input cell on the next
                row = FIRST_DATA_ROW + 2 * i + 1
                layout.cells[f.id] = CellSpec(f.id, section.sheet, row, 1, field=f, section_id=section.id,
                                              label=f.label, label_row=row - 1)
    layout.fingerprint = fingerprint(definition, layout)
    return layout


def _task_field(section: Section, column: str) -> Field:
    if column == "status":
        return Field(id="status", label="Tình trạng thực hiện", type="choice", choices=section.statuses)
    return Field(id="result", label="Kết quả thực hiện", type="text", max_length=section.result_max_length)


def fingerprint(definition: Definition, layout: Layout) -> str:
    """A hash of what a reader relies on: sheets, cell positions, types and choices."""
    shape = {
        "sheets": layout.sheets,
        "cells": sorted(
            (c.name, c.sheet, c.row, c.col, c.field.type if c.field else "", list(c.field.options) if c.field else [])
            for c in layout.cells.values()
        ),
        "tables": sorted(
            (t.name, t.sheet, t.header_row, t.first_col, [(f.id, f.type, list(f.options)) for f in t.section.fields])
            for t in layout.tables.values()
        ),
    }
    blob = json.dumps(shape, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]
