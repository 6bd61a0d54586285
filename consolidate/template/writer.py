"""Write the Excel template a unit fills in, from the definition and its layout.

The same writer produces a *filled* return when given values: the sample inputs, the
benchmark and the tests all build their returns through it, so they exercise the very
layout units receive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate.definition.layout import (
    INFO_FIRST_ROW,
    INFO_LABELS,
    INFO_SHEET,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    CellSpec,
    Layout,
    layout_for,
)
from consolidate.definition.model import (
    INFO_INPUTS,
    INFO_LOCKED,
    Definition,
    Field,
    Period,
    Unit,
)
from consolidate.definition.naming import template_file_name
from consolidate.i18n import _, in_vietnamese
from consolidate.template import paperwork
from consolidate.template.paperwork import MOTTO, NATIONAL
from consolidate.template.sections import SectionSheets, cell_value
from consolidate.template.styles import Styles, validation_for
from consolidate.vntime import date_text
from consolidate.xlsx.safe import SafeWorkbook, atomic_output, needs_quote_prefix

PASSWORD = ""  # no password: protection guards against slips, not against the unit itself
ANNOTATION_FILLS = {"error": "#FF7C80", "warning": "#FFC000"}  # red, orange
COMMENT_MAX = 30000  # Excel's limit is 32,767 characters


@dataclass(frozen=True)
class Annotation:
    """A mark on one cell (0-based) of the written workbook: a fill by severity, added as a
    conditional format with the formula TRUE so the cell's own value and format stay as they
    are, and a comment. Several annotations of one cell share one comment."""

    sheet: str
    row: int
    col: int
    severity: str  # error | warning
    text: str


@in_vietnamese
def write_template(
    definition: Definition,
    unit: Unit | None,
    period: Period,
    path: str | Path,
    values: Mapping[str, Any] | None = None,
    created: dt.datetime | None = None,
    annotations: Sequence[Annotation] = (),
    front_sheet: Callable[[SafeWorkbook], Any] | None = None,
) -> Path:
    """Write one template (or, with `values`, a filled return) atomically to `path`.

    `annotations` mark cells (feedback to a unit); `front_sheet(workbook)`, when given, adds
    a worksheet placed first and shown on opening (the feedback's problem list)."""
    layout = layout_for(definition)
    with atomic_output(path) as tmp:
        workbook = SafeWorkbook(str(tmp), {"constant_memory": False}, lock_structure=True)
        workbook.set_properties(
            {
                "title": definition.title,
                "subject": f"{period.label} - {unit.name if unit else 'biểu mẫu trống'}",
                "author": definition.collector.name,
                "company": definition.issuer,
                "created": created or dt.datetime(period.start.year, period.start.month, period.start.day),
            }
        )
        writer = _Writer(workbook, definition, layout, unit, period, values or {})
        writer.write_all(annotations, front_sheet)
        workbook.close()
    return Path(path)


@in_vietnamese
def write_templates(
    definition: Definition, period: Period, out_dir: str | Path, unit_codes: list[str] | None = None, generic: bool = True
) -> list[Path]:
    out = Path(out_dir)
    units = definition.expected_units(period.id)
    if unit_codes:
        wanted = set(unit_codes)
        units = [u for u in definition.units if u.code in wanted]
    written = [write_template(definition, u, period, out / template_file_name(period, u)) for u in units]
    if generic:
        written.append(write_template(definition, None, period, out / template_file_name(period, None)))
    return written


class _Writer(SectionSheets):
    def __init__(self, workbook: SafeWorkbook, definition: Definition, layout: Layout, unit: Unit | None,
                 period: Period, values: Mapping[str, Any]):
        self.wb = workbook
        self.d = definition
        self.layout = layout
        self.unit = unit
        self.period = period
        self.values = values
        self.st = Styles(workbook)
        self.lists_col = 3  # free columns of _meta hold long dropdown lists
        self.lists: dict[tuple[str, ...], str] = {}
        self.meta = None
        # Data validations by sheet, written at the end: a column's run of cells with the same
        # rule (every task's status, say) becomes one range, one <dataValidation> element.
        self.validations: dict[str, tuple[Any, dict[tuple[int, str], tuple[dict, list[int]]]]] = {}

    # -- sheets ---------------------------------------------------------------------------
    def write_all(self, annotations: Sequence[Annotation] = (), front_sheet=None) -> None:
        front = front_sheet(self.wb) if front_sheet else None
        instructions = self.wb.add_worksheet(INSTRUCTIONS_SHEET)
        info = self.wb.add_worksheet(INFO_SHEET)
        section_sheets = [(s, self.wb.add_worksheet(s.sheet)) for s in self.d.sections]
        self.meta = self.wb.add_worksheet(META_SHEET)
        self._meta_sheet()
        self._instructions(instructions)
        self._info(info)
        for section, ws in section_sheets:
            {"fields": self._fields, "tasks": self._tasks, "table": self._table, "text": self._text}[section.type](
                section, ws
            )
        self._flush_validations()
        for cell in self.layout.cells.values():
            self.wb.define_name(cell.name, f"={_quote(cell.sheet)}!${_col(cell.col)}${cell.row + 1}")
        self._annotate(annotations)
        if front is not None:
            front.activate()
        else:
            info.activate()
            instructions.set_first_sheet()

    def _validate(self, ws, row: int, col: int, rule: dict) -> None:
        _, by_rule = self.validations.setdefault(ws.name, (ws, {}))
        key = (col, repr(sorted(rule.items(), key=lambda kv: kv[0])))
        by_rule.setdefault(key, (rule, []))[1].append(row)

    def _flush_validations(self) -> None:
        for ws, by_rule in self.validations.values():
            for (col, _key), (rule, rows) in by_rule.items():
                rows.sort()
                start = prev = rows[0]
                for row in rows[1:] + [None]:
                    if row is not None and row == prev + 1:
                        prev = row
                        continue
                    ws.data_validation(start, col, prev, col, rule)
                    if row is not None:
                        start = prev = row

    def _annotate(self, annotations: Sequence[Annotation]) -> None:
        by_cell: dict[tuple[str, int, int], list[Annotation]] = {}
        for mark in annotations:
            by_cell.setdefault((mark.sheet, mark.row, mark.col), []).append(mark)
        fills = {}
        for (sheet, row, col), marks in by_cell.items():
            ws = self.wb.get_worksheet_by_name(sheet)
            if ws is None:
                continue
            severity = "error" if any(m.severity == "error" for m in marks) else "warning"
            if severity not in fills:
                fills[severity] = self.wb.add_format({"bg_color": ANNOTATION_FILLS[severity]})
            ws.conditional_format(row, col, row, col, {"type": "formula", "criteria": "TRUE", "format": fills[severity]})
            text = "\n\n".join(m.text for m in marks)[:COMMENT_MAX]
            lines = sum(len(part) // 45 + 1 for part in text.split("\n"))
            ws.write_comment(row, col, text, {"author": self.d.collector.name, "x_scale": 2.5,
                                              "y_scale": min(12.0, max(1.5, lines / 4)),
                                              "font_name": "Times New Roman", "font_size": 10})

    def _page(self, ws, landscape: bool, header_rows: tuple[int, int] | None) -> None:
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
        ws.center_horizontally()
        if header_rows:
            ws.repeat_rows(*header_rows)
        ws.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")

    def _protect(self, ws) -> None:
        ws.protect(PASSWORD, {"select_locked_cells": True, "select_unlocked_cells": True,
                              "format_columns": True, "format_rows": True})

    def _national_header(self, ws, last_col: int) -> int:
        """The Nghị định 30/2020 header: parent body over the unit's own name on the left,
        the national name over the motto on the right. Returns the split column."""
        parent, name = paperwork.header_lines(self.d, self.unit)
        split = last_col if last_col <= 2 else (last_col + 1) // 2
        if parent:
            _merge(ws, 0, 0, split - 1, parent, self.st.header_parent)
            _merge(ws, 1, 0, split - 1, name, self.st.header_left)
        else:
            _merge(ws, 0, 0, split - 1, name, self.st.header_left)
        _merge(ws, 0, split, last_col, NATIONAL, self.st.header_right)
        _merge(ws, 1, split, last_col, MOTTO, self.st.motto)
        ws.set_row(0, 34)
        ws.set_row(1, 34)
        return split

    def _meta_sheet(self) -> None:
        ws = self.meta
        rows = [
            ("report_id", self.d.id),
            ("definition_version", str(self.d.version)),
            ("period", self.period.id),
            ("unit_code", self.unit.code if self.unit else ""),
            ("fingerprint", self.layout.fingerprint),
        ]
        for r, (key, value) in enumerate(rows):
            ws.write_string(r, 0, key)
            ws.write_string(r, 1, value)
        ws.very_hidden()

    def _instructions(self, ws) -> None:
        ws.set_column(0, 0, 9)
        ws.set_column(1, 1, 40)
        ws.set_column(2, 2, 52)
        self._national_header(ws, 2)
        ws.merge_range(3, 0, 3, 2, self.d.title.upper(), self.st.title)
        ws.set_row(3, 48)
        ws.merge_range(4, 0, 4, 2, f"Kỳ báo cáo: {self.period.label}", self.st.subtitle)
        send_to = self.d.collector.name + (f" (thư điện tử: {self.d.collector.email})" if self.d.collector.email else "")
        sheets = ", ".join(f"“{s.sheet}”" for s in self.d.sections)
        texts = [
            f"Đơn vị điền thông tin ở trang “{INFO_SHEET}”: người lập, chức vụ, số điện thoại, ngày lập báo cáo.",
            f"Điền số liệu và nội dung ở các trang: {sheets}. Chỉ nhập vào các ô nền vàng; các ô khác đã được khóa.",
            paperwork.window_text(self.d, self.period),
            "Số liệu nhập dạng số, không kèm chữ hay đơn vị tính (ví dụ: 1234, không ghi “1.234 buổi”). "
            "Ô có danh sách chọn: bấm vào ô và chọn từ mũi tên bên phải. Ngày nhập theo dạng ngày/tháng/năm.",
            _("Bấm chọn một ô nhập liệu để xem hướng dẫn của ô đó (hiện ngay cạnh ô, trong Excel, LibreOffice và "
              "WPS); hướng dẫn chi tiết của từng chỉ tiêu ghi ở cột “Ghi chú, hướng dẫn”. Không đổi tên, thêm, "
              "xóa trang; không sửa mã đơn vị."),
            paperwork.due_text(self.d, self.period) + f" Gửi tệp Excel này (không chuyển sang PDF) về {send_to}.",
            paperwork.copy_text(self.d),
            "Có thể đổi tên tệp; không sao chép nội dung sang biểu mẫu khác hoặc biểu mẫu của kỳ trước.",
        ]
        if self.d.collector.phone:
            texts.append(f"Liên hệ khi cần hỗ trợ: {self.d.collector.name}, điện thoại {self.d.collector.phone}.")
        lines = [("Căn cứ", self.d.plan_reference or self.d.issuer)]
        lines += [(f"{i}.", text) for i, text in enumerate((t for t in texts if t), start=1)]
        row = 6
        for label, text in lines:
            ws.write_string(row, 0, label, self.st.bold)
            ws.merge_range(row, 1, row, 2, text, self.st.wrap)
            ws.set_row(row, 17 * max(1, len(text) // 85 + 1))
            row += 1
        row += 1
        ws.write_string(row, 1, "Chú giải màu:", self.st.bold)
        ws.write_string(row + 1, 0, "", self.st.input)
        ws.write_string(row + 1, 1, "Ô nhập liệu (đơn vị điền)", self.st.wrap)
        ws.write_string(row + 2, 0, "", self.st.locked_fill)
        ws.write_string(row + 2, 1, "Ô đã điền sẵn, đã khóa (không sửa)", self.st.wrap)
        self._page(ws, landscape=False, header_rows=None)
        self._protect(ws)

    def _info(self, ws) -> None:
        ws.set_column(0, 0, 4)
        ws.set_column(1, 1, 34)
        ws.set_column(2, 2, 56)
        self._national_header(ws, 2)
        # Nghị định 30/2020: the document's number under the unit's name, place and date under
        # the motto; the unit writes them (not read back: they belong to the printed copy).
        ws.merge_range(2, 0, 2, 1, _("Số: ……/BC-……"), self.st.doc_number)
        ws.write_string(2, 2, _("……………, ngày …… tháng …… năm ……"), self.st.doc_date)
        ws.merge_range(3, 0, 3, 2, "THÔNG TIN ĐƠN VỊ BÁO CÁO", self.st.title)
        prefilled = {
            "unit_code": self.unit.code if self.unit else "",
            "unit_name": self.unit.name if self.unit else "",
            "period_label": self.period.label,
            "due_date": date_text(self.period.due_before),
        }
        for i, name in enumerate(INFO_LOCKED + INFO_INPUTS):
            cell = self.layout.cells[name]
            ws.write_string(cell.row, 0, str(i + 1), self.st.center)
            required = cell.field is not None and cell.field.required
            label = INFO_LABELS[name] + (paperwork.due_label_suffix(self.d, self.period) if name == "due_date" else "")
            ws.write_string(cell.row, 1, label + (" (*)" if required else ""), self.st.label)
            if name in INFO_LOCKED and (self.unit or name in ("period_label", "due_date")):
                ws.write_string(cell.row, cell.col, prefilled[name], self.st.locked_fill)
            else:
                field = cell.field or Field(id=name, label=INFO_LABELS[name], type="text", max_length=300)
                # one validation per cell: the blank template's code cell gets the dropdown
                picks_code = name == "unit_code" and self.unit is None
                self._input(ws, cell, field, self.values.get(name), validate=not picks_code)
                if picks_code:
                    self._unit_dropdown(ws, cell)
        window = INFO_FIRST_ROW + len(INFO_LOCKED + INFO_INPUTS)
        ws.write_string(window, 1, _("Thời gian lấy số liệu"), self.st.label)
        ws.write_string(window, 2, paperwork.window_text(self.d, self.period), self.st.locked_fill)
        ws.set_row(window, 34)
        ws.write_string(INFO_FIRST_ROW + 9, 1, "(*) bắt buộc", self.st.note)
        self._signature(ws, INFO_FIRST_ROW + 11)
        self._page(ws, landscape=False, header_rows=None)
        self._protect(ws)

    def _signature(self, ws, row: int) -> None:
        """Nơi nhận on the left, the head of the unit signs on the right (Nghị định 30/2020)."""
        recipients = [self.d.collector.name, *(c.name for c in self.d.copy_to), _("Lưu: VT.")]
        ws.write_string(row, 0, _("Nơi nhận:"), self.st.recipients_head)
        ws.merge_range(row + 1, 0, row + 3, 1, "\n".join(f"- {r};" if i < len(recipients) - 1 else f"- {r}"
                                                    for i, r in enumerate(recipients)), self.st.recipients)
        ws.write_string(row, 2, _("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"), self.st.signer_title)
        ws.write_string(row + 1, 2, _("(Ký, ghi rõ họ tên và đóng dấu)"), self.st.signer_note)
        ws.set_row(row + 2, 60)
        ws.write_blank(row + 3, 2, None, self.st.signer_name)

    def _unit_dropdown(self, ws, cell: CellSpec) -> None:
        """The blank template lets a unit pick its code from the plan's list."""
        codes = [u.code for u in self.d.units]
        for r, unit in enumerate(self.d.units):
            self.meta.write_string(r, self.lists_col, unit.code)
            self.meta.write_string(r, self.lists_col + 1, unit.name)
        source = f"={_quote(META_SHEET)}!${_col(self.lists_col)}$1:${_col(self.lists_col)}${len(codes)}"
        self.lists_col += 2
        ws.data_validation(cell.row, cell.col, cell.row, cell.col, {
            "validate": "list", "source": source,
            "input_title": "Mã đơn vị", "input_message": "Chọn mã đơn vị của mình trong danh sách.",
            "error_title": "Mã đơn vị không có", "error_message": "Chọn mã đơn vị trong danh sách của kế hoạch.",
        })

    # -- cells ----------------------------------------------------------------------------
    def _list_source(self, field: Field) -> list[str] | str | None:
        options = list(field.options)
        if not options:
            return None
        if sum(len(o) + 1 for o in options) <= 250 and not any("," in o for o in options):
            return options
        if tuple(options) in self.lists:
            return self.lists[tuple(options)]
        # Inline lists are limited to 255 characters and split on commas; such lists live
        # in `_meta` and the dropdown points at that range.
        for r, option in enumerate(options):
            self.meta.write_string(r, self.lists_col, option)
        source = f"={_quote(META_SHEET)}!${_col(self.lists_col)}$1:${_col(self.lists_col)}${len(options)}"
        self.lists_col += 1
        self.lists[tuple(options)] = source
        return source

    def _input(self, ws, cell: CellSpec, field: Field, value: Any, help_shown: bool = False,
               validate: bool = True) -> None:
        """`help_shown`: the field's help is printed beside the cell, so the prompt that
        appears on selecting it keeps to what to type (every return carries the prompts)."""
        fmt = self.st.input_for(field)
        value = cell_value(field, value)
        if value is None:
            ws.write_blank(cell.row, cell.col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(cell.row, cell.col, value, self.st.input_quoted if needs_quote_prefix(value) else fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            ws.write_datetime(cell.row, cell.col, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(cell.row, cell.col, value, fmt)
        else:
            ws.write_number(cell.row, cell.col, value, fmt)
        rule = validate and validation_for(field, self._list_source(field), with_help=not help_shown)
        if rule:
            self._validate(ws, cell.row, cell.col, rule)


def _merge(ws, row: int, first: int, last: int, text: str, fmt) -> None:
    if last > first:
        ws.merge_range(row, first, row, last, text, fmt)
    else:
        ws.write_string(row, first, text, fmt)


def _col(col: int) -> str:
    from consolidate.definition.layout import col_letter

    return col_letter(col)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"
