"""The sheets of a template that come from the definition's sections: fields, tasks, tables
and free text, each with its title, header, inputs and page setup (mixed into the writer,
whose `_input`, `_page`, `_protect`, `_list_source` and styles they use)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from consolidate.definition.layout import FIRST_DATA_ROW, HEADER_ROW, TableSpec, section_rows
from consolidate.definition.model import Field, Section
from consolidate.i18n import _
from consolidate.template import paperwork
from consolidate.template.styles import validation_for


class SectionSheets:
    def _section_title(self, ws, section: Section, last_col: int) -> None:
        ws.merge_range(0, 0, 0, last_col, section.title.upper(), self.st.title)
        unit = self.unit.name if self.unit else "(tên đơn vị)"
        ws.merge_range(1, 0, 1, last_col, f"{unit} — {self.period.label} ({paperwork.window_short(self.period)})",
                       self.st.subtitle)
        if section.help:
            ws.merge_range(2, 0, 2, last_col, section.help, self.st.note)
        ws.set_row(0, 36)

    def _header(self, ws, labels: list[str]) -> None:
        for c, label in enumerate(labels):
            ws.write_string(HEADER_ROW, c, label, self.st.th)
        ws.set_row(HEADER_ROW, 32)
        ws.freeze_panes(HEADER_ROW + 1, 0)

    def _fields(self, section: Section, ws) -> None:
        ws.set_column(0, 0, 5)
        ws.set_column(1, 1, 50)
        ws.set_column(2, 2, 10)
        ws.set_column(3, 3, 14)
        ws.set_column(4, 4, 32)
        self._section_title(ws, section, 4)
        self._header(ws, ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú, hướng dẫn"])
        row = FIRST_DATA_ROW
        number = 0
        for kind, field in section_rows(section):
            if field is None:
                ws.merge_range(row, 0, row, 4, kind, self.st.group)
            else:
                number += 1
                cell = self.layout.cells[field.id]
                ws.write_string(row, 0, str(number), self.st.center)
                ws.write_string(row, 1, field.label + (" (*)" if field.required else ""), self.st.label)
                ws.write_string(row, 2, field.unit, self.st.center)
                ws.write_string(row, 4, field.help, self.st.note_cell)
                self._input(ws, cell, field, self.values.get(field.id), help_shown=True)
                fit_row(ws, row, [(field.label + " (*)", 50), (field.help, 32 * 1.1)])
            row += 1
        self._page(ws, landscape=False, header_rows=(HEADER_ROW, HEADER_ROW))
        self._protect(ws)

    def _tasks(self, section: Section, ws) -> None:
        widths = [5, 50, 22, 22, 16, 13, 18, 44]
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        self._section_title(ws, section, len(widths) - 1)
        self._header(ws, ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian",
                          _("Vai trò của đơn vị"), "Tình trạng", "Kết quả thực hiện"])
        for i, task in enumerate(section.tasks):
            row = FIRST_DATA_ROW + i
            lead = task.lead_text or ", ".join(self._ref_label(r) for r in task.lead)
            coordinating = task.coordinating_text or ", ".join(self._ref_label(r) for r in task.coordinating)
            timing = paperwork.timing_text(self.d, task, self.period)
            role = paperwork.role(task, self.unit)
            ws.write_string(row, 0, str(i + 1), self.st.center)
            ws.write_string(row, 1, task.title, self.st.label)
            ws.write_string(row, 2, lead, self.st.label)
            ws.write_string(row, 3, coordinating, self.st.label)
            ws.write_string(row, 4, timing, self.st.label)
            ws.write_string(row, 5, role, self.st.role_lead if role == _(paperwork.ROLE_LEAD) else self.st.center)
            for column in ("status", "result"):
                cell = self.layout.cells[f"{task.id}_{column}"]
                self._input(ws, cell, cell.field, self.values.get(cell.name))
            fit_row(ws, row, [(task.title, 50), (lead, 22), (coordinating, 22), (timing, 16)], minimum=3)
        self._page(ws, landscape=True, header_rows=(HEADER_ROW, HEADER_ROW))
        self._protect(ws)

    def _ref_label(self, ref: str) -> str:
        unit = self.d.unit(ref)
        if unit:
            return unit.name
        return self.d.group_label(ref)

    def _table(self, section: Section, ws) -> None:
        spec: TableSpec = self.layout.tables[section.id]
        ws.set_column(0, 0, 5)
        for c, f in enumerate(section.fields):
            width = 40 if f.type == "text" and (f.max_length or 300) > 100 else 18
            ws.set_column(spec.first_col + c, spec.first_col + c, width)
        self._section_title(ws, section, spec.last_col)
        ws.write_string(spec.header_row, 0, "STT", self.st.th)
        rows = list(self.values.get(section.id) or [])
        n_rows = max(spec.rows, len(rows))
        for r in range(n_rows):
            ws.write_string(spec.header_row + 1 + r, 0, str(r + 1), self.st.center)
        columns = [{"header": f.label, "format": self.st.input_for(f), "header_format": self.st.th}
                   for f in section.fields]
        data = [[cell_value(f, row.get(f.id)) for f in section.fields] for row in rows]
        data += [[None] * len(section.fields) for _ in range(n_rows - len(rows))]
        ws.add_table(spec.header_row, spec.first_col, spec.header_row + n_rows, spec.last_col, {
            "name": section.id, "columns": columns, "data": data,
            "style": "Table Style Light 1", "autofilter": False,
        })
        for c, f in enumerate(section.fields):
            col = spec.first_col + c
            rule = validation_for(f, self._list_source(f))
            if rule:
                ws.data_validation(spec.header_row + 1, col, spec.header_row + n_rows, col, rule)
        ws.set_row(spec.header_row, 32)
        ws.freeze_panes(spec.header_row + 1, 0)
        self._page(ws, landscape=True, header_rows=(spec.header_row, spec.header_row))
        self._protect(ws)

    def _text(self, section: Section, ws) -> None:
        ws.set_column(0, 0, 5)
        ws.set_column(1, 1, 110)
        self._section_title(ws, section, 1)
        for i, field in enumerate(section.fields):
            cell = self.layout.cells[field.id]
            ws.write_string(cell.row - 1, 0, str(i + 1), self.st.bold)
            label = field.label + (" (*)" if field.required else "")
            if field.help:
                label += f" — {field.help}"
            ws.write_string(cell.row - 1, 1, label, self.st.bold_wrap)
            ws.set_row(cell.row, 150)
            self._input(ws, cell, field, self.values.get(field.id), help_shown=True)
        self._page(ws, landscape=False, header_rows=None)
        self._protect(ws)


def cell_value(field: Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value


def fit_row(ws, row: int, texts: list[tuple[str, float]], minimum: int = 1) -> None:
    """Wrapped text does not grow the row in every spreadsheet: size it from the longest cell."""
    lines = minimum
    for text, width in texts:
        chars = max(1.0, width * 1.05)
        lines = max(lines, sum(max(1, -(-len(part) // int(chars))) for part in (text or "").split("\n")))
    ws.set_row(row, 16 * lines + 2)
