"""A unit's own return, back to it with every problem marked.

FACTS.md: a unit's file is never rewritten (openpyxl drops cached formula values). The
annotated copy is *rebuilt from the template* with the raw values the reader extracted
(`write_template(values=...)`): text stays text exactly as typed, numbers stay numbers, every
table row is kept; this works the same for .xls and .ods returns. What is not carried: the
unit's own formatting, formulas (their values are), and anything outside the template's
input cells. Excel error cells (#REF!, ...) and formulas without a saved result come back
blank; the problem list and the cell's comment say what was there.

Each problem with a cell gets a red (error) or orange (warning) fill through a conditional
format with the formula TRUE and a comment with the message (what is wrong and how to fix
it). A first sheet, "Danh sách lỗi", lists every problem with a link to its cell; problems
without a cell (file, `_meta`) are on that list only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.definition.layout import INFO_LABELS, cell_address, layout_for
from consolidate.definition.model import Definition, Period, Unit
from consolidate.definition.naming import ascii_slug
from consolidate.problems import ERROR, Problem
from consolidate.template.writer import Annotation, write_template
from consolidate.validation.returns import CheckedReturn, RawCell, RawReturn
from consolidate.vntime import date_text
from consolidate.xlsx.safe import needs_quote_prefix, wrapped_height

LIST_SHEET = "Danh sách lỗi"
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
ANNOTATED_DIR = "danh-dau"
TEXT_MAX = 1000  # a value shown on the list sheet
_ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")

Position = tuple[str, int, int]  # sheet of the copy, 0-based row and column


@dataclass
class ListedProblem:
    problem: Problem
    position: Position | None  # where it is marked in the copy; None: on the list only
    label: str
    blocking: bool | None = None  # None: as its severity; False: an error the definition says only warns

    @property
    def severity(self) -> str:
        """What the unit is shown: an error that does not block acceptance is a warning."""
        if self.problem.severity == ERROR and self.blocking is False:
            return "warning"
        return self.problem.severity


@dataclass
class AnnotatedCopy:
    path: Path
    unit: Unit
    source: str  # the unit's file it was rebuilt from
    problems: list[ListedProblem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity != ERROR)

    @property
    def marked(self) -> int:
        return sum(1 for p in self.problems if p.position is not None)


def annotated_name(period: Period, unit: Unit) -> str:
    return f"{period.id}_{ascii_slug(unit.code, 20)}_{ascii_slug(unit.name)}_DANH-DAU-LOI.xlsx"


# --------------------------------------------------------------------------- raw values


def _plain(value: Any) -> Any:
    """A raw value the template writer can write as it is (str, number, bool, date)."""
    if value is None or isinstance(value, (str, bool, int, dt.date)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return str(value)  # timedelta and anything unexpected: shown, never lost silently


def _raw_value(cell: RawCell | None) -> Any:
    if cell is None or cell.error or cell.formula_without_value:
        return None
    return _plain(cell.value)


def _key(sheet: str | None, address: str | None) -> tuple[str, str] | None:
    if not sheet or not address:
        return None
    return sheet.casefold(), address.replace("$", "").upper()


def raw_values(raw: RawReturn, definition: Definition) -> tuple[dict[str, Any], dict[tuple[str, str], Position]]:
    """The values to rebuild the return from, and where each cell of the unit's file lands in
    the copy ((sheet, address) of the original → position in the copy)."""
    layout = layout_for(definition)
    values: dict[str, Any] = {}
    where: dict[tuple[str, str], Position] = {}
    for name, cell in raw.cells.items():
        spec = layout.cells.get(name)
        if spec is None:
            continue
        if not spec.locked:
            values[name] = _raw_value(cell)
        key = _key(cell.sheet, cell.address)
        if key:
            where[key] = (spec.sheet, spec.row, spec.col)
    for section_id, rows in raw.tables.items():
        table = layout.tables.get(section_id)
        if table is None:
            continue
        out_rows = []
        for i, row in enumerate(rows):
            out_rows.append({col_id: _raw_value(cell) for col_id, cell in row.items()})
            for j, col in enumerate(table.section.fields):
                cell = row.get(col.id)
                key = _key(cell.sheet, cell.address) if cell else None
                if key:
                    where[key] = (table.sheet, table.header_row + 1 + i, table.first_col + j)
        values[section_id] = out_rows
    return values, where


# --------------------------------------------------------------------------- problems


def _label(problem: Problem, definition: Definition, position: Position | None) -> str:
    layout = layout_for(definition)
    fid = problem.field_id or ""
    label = str(problem.params.get("label") or "")
    if "." in fid:
        section_id = fid.split(".", 1)[0]
        table = layout.tables.get(section_id)
        if table is not None and position is not None and position[0] == table.sheet:
            return f"{label or fid} (dòng {position[1] - table.header_row})"
    spec = layout.cells.get(fid)
    if label and label != fid:
        return label
    if spec is not None:
        if spec.field is not None and not spec.task_id:
            return spec.field.label
        return INFO_LABELS.get(fid, label or fid)
    return label or fid


def _position(problem: Problem, definition: Definition, where: dict[tuple[str, str], Position]) -> Position | None:
    key = _key(problem.sheet, problem.cell)
    if key and key in where:
        return where[key]
    spec = layout_for(definition).cells.get(problem.field_id or "")
    if spec is not None and (problem.cell or problem.code == "cell-missing" or problem.code == "name-missing"):
        return spec.sheet, spec.row, spec.col  # the cell the unit lost is back in the copy
    return None


def _related(problem: Problem, where: dict[tuple[str, str], Position]) -> list[Position]:
    out = []
    for text in problem.params.get("related_cells") or ():
        sheet, _, address = str(text).rpartition("!")
        key = _key(sheet.strip("'"), address)
        if key and key in where:
            out.append(where[key])
    return out


def comment_text(problem: Problem, severity: str | None = None) -> str:
    severity = severity or problem.severity
    return f"{SEVERITY_LABELS.get(severity, severity).upper()}: {problem.message_vi}"


def plan(checked: CheckedReturn, definition: Definition) -> tuple[dict[str, Any], list[ListedProblem], list[Annotation]]:
    values, where = raw_values(checked.raw, definition)
    listed: list[ListedProblem] = []
    marks: list[Annotation] = []
    for problem in checked.problems:
        position = _position(problem, definition, where)
        item = ListedProblem(problem, position, _label(problem, definition, position),
                             blocking=definition.blocks(problem) if problem.severity == ERROR else None)
        listed.append(item)
        if position is None:
            continue
        text = comment_text(problem, item.severity)
        for sheet, row, col in dict.fromkeys([position, *_related(problem, where)]):
            marks.append(Annotation(sheet, row, col, item.severity, text))
    order = {name: i for i, name in enumerate(layout_for(definition).sheets)}
    listed.sort(key=lambda p: (
        p.position is not None,
        order.get(p.position[0], 99) if p.position else 0,
        p.position[1:] if p.position else (0, 0),
    ))
    return values, listed, marks


# --------------------------------------------------------------------------- the list sheet


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and not (value.hour or value.minute or value.second):
        return date_text(value.date())
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return date_text(value)
    text = str(value)
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class _ListSheet:
    """Builds the first sheet of the copy; called by the template writer."""

    HEAD = ("STT", "Mức độ", "Trang", "Ô", "Chỉ tiêu", "Giá trị đã nhập", "Nội dung cần sửa", "Mã lỗi")
    WIDTHS = (5, 9, 18, 7, 28, 18, 62, 18)

    def __init__(self, definition: Definition, period: Period, unit: Unit, source: str, listed: list[ListedProblem]):
        self.d, self.period, self.unit, self.source, self.listed = definition, period, unit, source, listed

    def __call__(self, wb):
        ws = wb.add_worksheet(LIST_SHEET)
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}

        def fmt(**props):
            return wb.add_format({**base, **props})

        title = fmt(bold=True, font_size=14, align="center", valign="vcenter", text_wrap=True)
        note = fmt(italic=True, text_wrap=True, font_size=11)
        th = fmt(bold=True, align="center", valign="vcenter", text_wrap=True, bg_color="#D9E1F2", border=1)
        cell = fmt(text_wrap=True, border=1)
        quoted = fmt(text_wrap=True, border=1, quote_prefix=True)
        center = fmt(align="center", border=1)
        link = fmt(align="center", border=1, font_color="blue", underline=1)
        sev = {
            "error": fmt(bold=True, align="center", border=1, bg_color="#FF7C80"),
            "warning": fmt(bold=True, align="center", border=1, bg_color="#FFC000"),
        }
        last = len(self.HEAD) - 1
        for c, width in enumerate(self.WIDTHS):
            ws.set_column(c, c, width)
        errors = sum(1 for p in self.listed if p.severity == ERROR)
        warnings = len(self.listed) - errors
        ws.merge_range(0, 0, 0, last, "DANH SÁCH LỖI VÀ CẢNH BÁO CẦN XEM LẠI", title)
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, last, f"{self.unit.name} — {self.period.label}: {errors} lỗi, {warnings} cảnh báo "
                                      f"(tệp đơn vị đã gửi: {self.source})", fmt(bold=True, align="center", text_wrap=True))
        ws.merge_range(
            2, 0, 2, last,
            f"Tệp này do {self.d.collector.name} lập lại từ biểu mẫu, với đúng số liệu đơn vị đã nhập. Ô tô đỏ là lỗi "
            "phải sửa, ô tô cam là cảnh báo cần xem lại; di chuột vào ô để xem ghi chú, bấm vào địa chỉ ô ở cột “Ô” "
            "để đến ô đó. Sửa trực tiếp trên tệp này rồi gửi lại (trang này không ảnh hưởng đến việc tổng hợp).",
            note,
        )
        ws.set_row(2, 48)
        header = 3
        for c, text in enumerate(self.HEAD):
            ws.write_string(header, c, text, th)
        for i, item in enumerate(self.listed):
            r = header + 1 + i
            p = item.problem
            ws.write_string(r, 0, str(i + 1), center)
            ws.write_string(r, 1, SEVERITY_LABELS.get(item.severity, item.severity), sev.get(item.severity, center))
            if item.position is not None:
                sheet, row, col = item.position
                sheet_text = sheet
                address = cell_address(row, col)
                ws.write_string(r, 2, sheet, cell)
                ws.write_url(r, 3, f"internal:{_quote(sheet)}!{address}", link, string=address,
                             tip=f"Đến ô {address} trang {sheet}")
            else:
                sheet_text = p.sheet or "(cả tệp)"
                ws.write_string(r, 2, sheet_text, cell)
                ws.write_string(r, 3, p.cell or "", center)
            ws.write_string(r, 4, item.label, cell)
            shown = _show(p.value)
            ws.write_string(r, 5, shown, quoted if needs_quote_prefix(shown) else cell)
            ws.write_string(r, 6, p.message_vi, cell)
            ws.write_string(r, 7, p.code, cell)
            ws.set_row(r, wrapped_height([(sheet_text, 18), (item.label, 28), (shown, 18), (p.message_vi, 62), (p.code, 18)]))
        if not self.listed:
            ws.merge_range(header + 1, 0, header + 1, last, "Không có lỗi.", cell)
        ws.freeze_panes(header + 1, 0)
        ws.autofilter(header, 0, header + max(1, len(self.listed)), last)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(header)
        ws.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")
        return ws


def write_annotated(
    definition: Definition,
    period: Period,
    checked: CheckedReturn,
    unit: Unit,
    path: str | Path,
    source: str | None = None,
    created: dt.datetime | None = None,
) -> AnnotatedCopy:
    """Rebuild `checked`'s return from the template into `path`, every problem marked."""
    values, listed, marks = plan(checked, definition)
    source = source or Path(checked.file).name
    front = _ListSheet(definition, period, unit, source, listed)
    written = write_template(definition, unit, period, path, values=values, created=created,
                             annotations=marks, front_sheet=front)
    return AnnotatedCopy(path=written, unit=unit, source=source, problems=listed)


__all__ = ["LIST_SHEET", "ANNOTATED_DIR", "AnnotatedCopy", "ListedProblem", "annotated_name", "plan",
           "raw_values", "write_annotated", "comment_text"]
