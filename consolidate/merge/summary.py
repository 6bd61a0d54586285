"""The provincial summary workbook (tổng hợp) the specialist reviews and attaches.

Written with xlsxwriter, text-only options (no string ever becomes a formula, link or
number), ``write_string`` for all text from returns plus a ``quote_prefix`` format for text
starting with ``= + - @``; return codes checked; fixed document properties so two runs on the
same inputs are byte-identical; written atomically (temporary file in the same folder,
fsync, ``os.replace``), so a failure leaves the previous summary intact.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.definition.model import Definition, Field, Section
from consolidate.merge.aggregate import AGGREGATE_LABELS, Aggregates, summarised_fields
from consolidate.merge.receipts import SOURCE_LABELS, VN_TZ
from consolidate.merge.submissions import (
    ACCEPTED,
    IGNORED,
    INVALID,
    LATE,
    MISSING,
    MISSING_LABELS,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    REJECTED,
    STATUS_LABELS,
    SUPERSEDED,
    VERDICT_LABELS,
    Decision,
    rates,
)
from consolidate.problems import ConsolidateError, Problem
from consolidate.xlsx.safe import FORMULA_TRIGGERS, SafeWorkbook, atomic_output, wrapped_height

FONT = "Times New Roman"
MAX_TEXT = 32767
TOP_INDICATORS = 10

OVERVIEW = "Tổng quan"
STATUS = "Tình hình nộp báo cáo"
INDICATORS = "Tổng hợp chỉ tiêu"
MATRIX = "Chi tiết theo đơn vị"
TASKS = "Tiến độ nhiệm vụ"
TASKS_BY_UNIT = "Tiến độ theo đơn vị"
PROBLEMS = "Lỗi và cảnh báo"
FILES = "Tệp đã nhận"
FIXED_SHEETS = (OVERVIEW, STATUS, INDICATORS, MATRIX, TASKS, TASKS_BY_UNIT, PROBLEMS, FILES)

COLOURS = {
    ON_TIME: "#C6EFCE",
    LATE: "#FFEB9C",
    INVALID: "#F8CBAD",
    OVERDUE: "#FFC7CE",
    NOT_YET_DUE: "#E7E6E6",
}
VERDICT_COLOURS = {ACCEPTED: "#C6EFCE", SUPERSEDED: "#E7E6E6", REJECTED: "#FFC7CE", IGNORED: "#FFEB9C"}
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
_BORDER = (("border", 1),)  # fmt_props of _Sheet.value for a bordered cell


class SummaryWriteError(ConsolidateError):
    """The summary could not be written."""

    code = "summary-not-written"


@dataclass
class SummaryData:
    definition: Definition
    decision: Decision
    aggregates: Aggregates
    extra_problems: list[Problem] = field(default_factory=list)  # receipts book, …


def vn_datetime(moment: dt.datetime | None) -> dt.datetime | None:
    """Naive Vietnam time, to the second (what a spreadsheet cell holds)."""
    if moment is None:
        return None
    return moment.astimezone(VN_TZ).replace(tzinfo=None, microsecond=0)


def vn_text(moment: dt.datetime | None) -> str:
    local = vn_datetime(moment)
    return local.strftime("%d/%m/%Y %H:%M") if local else ""


def sheet_names(definition: Definition) -> dict[str, str]:
    """Section id -> summary sheet name for table and text sections (≤ 31, unique)."""
    taken = {name.casefold() for name in FIXED_SHEETS}
    out: dict[str, str] = {}
    for section in definition.sections:
        if section.type not in ("table", "text"):
            continue
        base = section.sheet[:31]
        name, n = base, 2
        while name.casefold() in taken:
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        taken.add(name.casefold())
        out[section.id] = name
    return out


class _Styles:
    def __init__(self, workbook: SafeWorkbook):
        self.workbook = workbook
        self.cache: dict[tuple, Any] = {}

    def __call__(self, **props: Any) -> Any:
        # called for most of the ~350,000 cells of a national summary: keep it a dict lookup
        key = tuple(sorted(props.items())) if len(props) > 1 else tuple(props.items())
        found = self.cache.get(key)
        if found is None:
            merged = {"font_name": FONT, "font_size": 11, "valign": "top"}
            merged.update(props)
            found = self.cache[key] = self.workbook.add_format(merged)
        return found


class _Sheet:
    """A worksheet whose every write is checked and whose text stays text."""

    def __init__(self, writer: _Writer, name: str, landscape: bool = True):
        self.w = writer
        self.name = name
        self.ws = writer.workbook.add_worksheet(name)
        self.ws.set_paper(9)  # A4
        if landscape:
            self.ws.set_landscape()
        self.ws.fit_to_pages(1, 0)
        self.ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        self.ws.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')

    def _check(self, rc: Any, what: str) -> None:
        if rc not in (0, None):
            raise SummaryWriteError(f"xlsxwriter trả mã lỗi {rc} khi ghi {what} ở trang '{self.name}'")

    # text/number/value run for each of the ~350,000 cells of a national summary: the
    # return-code check is inlined (0 and None mean success, every error code is non-zero)
    # and value() finds its format through a per-writer memo instead of building and
    # sorting a props dict per cell. The memo calls self.w.style() on first use exactly as
    # before, so formats are created in the same order and the file is byte-identical.

    def text(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        text = "" if value is None else str(value)
        if not text:
            rc = self.ws.write_blank(row, col, None, fmt)
            if rc:
                self._check(rc, "ô trống")
            return
        if len(text) > MAX_TEXT:
            text = text[: MAX_TEXT - 8] + " […]"
        if text.startswith(FORMULA_TRIGGERS):  # needs_quote_prefix(text), text not empty
            fmt = self.w.quoted(fmt)
        rc = self.ws.write_string(row, col, text, fmt)
        if rc:
            self._check(rc, "chữ")

    def number(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        if value is None:
            rc = self.ws.write_blank(row, col, None, fmt)
            if rc:
                self._check(rc, "ô trống")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.text(row, col, value, fmt)
        else:
            rc = self.ws.write_number(row, col, value, fmt)
            if rc:
                self._check(rc, "số")

    def value(self, row: int, col: int, value: Any, fld: Field | None = None, fmt_props: tuple = ()) -> None:
        """A typed value from a return. `fmt_props`: extra format properties as a tuple of
        (name, value) pairs (hashable: the key of the writer's format memo)."""
        memo = self.w.value_styles
        if isinstance(value, bool):
            self.text(row, col, "Có" if value else "Không", memo.get(("plain", fmt_props)) or self.w.value_style("plain", fmt_props))
        elif isinstance(value, (int, float)):
            integer = isinstance(value, int) or (fld is not None and fld.type == "integer")
            kind = "#,##0" if integer else "#,##0.00"
            self.number(row, col, value, memo.get((kind, fmt_props)) or self.w.value_style(kind, fmt_props))
        elif isinstance(value, dt.datetime):
            self._check(
                self.ws.write_datetime(row, col, vn_datetime(value) if value.tzinfo else value,
                                       self.w.value_style("dd/mm/yyyy hh:mm", fmt_props)),
                "ngày giờ",
            )
        elif isinstance(value, dt.date):
            self._check(self.ws.write_datetime(row, col, value, self.w.value_style("dd/mm/yyyy", fmt_props)), "ngày")
        else:
            kind = "wrap" if value and len(str(value)) > 40 else "plain"
            self.text(row, col, value, memo.get((kind, fmt_props)) or self.w.value_style(kind, fmt_props))

    def when(self, row: int, col: int, moment: dt.datetime | None) -> None:
        local = vn_datetime(moment)
        if local is None:
            self.text(row, col, "", self.w.style())
        else:
            self._check(self.ws.write_datetime(row, col, local, self.w.style(num_format="dd/mm/yyyy hh:mm")), "ngày giờ")

    def header(self, row: int, labels: list[str], widths: list[float] | None = None) -> None:
        fmt = self.w.style(bold=True, text_wrap=True, align="center", valign="vcenter", bg_color="#D9E1F2", border=1)
        for col, label in enumerate(labels):
            self.text(row, col, label, fmt)
        if widths:
            for col, width in enumerate(widths):
                self._check(self.ws.set_column(col, col, width), "độ rộng cột")
            # a header repeated on every printed page must show its labels whole
            self._check(self.ws.set_row(row, wrapped_height(list(zip(labels, widths, strict=False)))), "chiều cao dòng")

    def title(self, lines: list[str]) -> int:
        """Title lines from row 0; returns the next free row."""
        for i, line in enumerate(lines):
            fmt = self.w.style(bold=True, font_size=14) if i == 0 else self.w.style(italic=True)
            self.text(i, 0, line, fmt)
        return len(lines) + 1

    def table_frame(self, header_row: int, last_row: int, last_col: int, freeze_col: int = 0) -> None:
        """Frozen header, repeated on every printed page, with a filter."""
        self.ws.freeze_panes(header_row + 1, freeze_col)
        self.ws.repeat_rows(header_row)
        self._check(self.ws.autofilter(header_row, 0, max(header_row, last_row), last_col), "bộ lọc")

    def colour_labels(self, first_row: int, last_row: int, col: int, colours: dict[str, str]) -> None:
        if last_row < first_row:
            return
        for label, colour in colours.items():
            self._check(
                self.ws.conditional_format(
                    first_row, col, last_row, col,
                    {"type": "cell", "criteria": "==", "value": _formula_text(label),
                     "format": self.w.workbook.add_format({"bg_color": colour})},
                ),
                "định dạng có điều kiện",
            )


def _formula_text(label: str) -> str:
    return '"' + label.replace('"', '""') + '"'


class _Writer:
    def __init__(self, workbook: SafeWorkbook, data: SummaryData):
        self.workbook = workbook
        self.data = data
        self.d = data.definition
        self.decision = data.decision
        self.agg = data.aggregates
        self.style = _Styles(workbook)
        self._quoted: dict[int, Any] = {}
        self.value_styles: dict[tuple, Any] = {}  # (kind, props) -> format, see _Sheet.value

    def value_style(self, kind: str, props: tuple) -> Any:
        """The format of a typed value: kind is a number format, "wrap" (long text) or
        "plain"; the same self.style() call as _Sheet.value always made, memoised."""
        found = self.value_styles.get((kind, props))
        if found is None:
            extra = dict(props)
            if kind == "plain":
                found = self.style(**extra)
            elif kind == "wrap":
                found = self.style(text_wrap=True, **extra)
            else:
                found = self.style(num_format=kind, **extra)
            self.value_styles[(kind, props)] = found
        return found

    def quoted(self, fmt: Any) -> Any:
        """The same look with quote_prefix, so edited text stays text."""
        if fmt is None:
            return self.style(quote_prefix=True)
        for key, value in self.style.cache.items():
            if value is fmt:
                props = dict(key)
                props["quote_prefix"] = True
                return self.style(**props)
        return self.style(quote_prefix=True)

    # ------------------------------------------------------------------ helpers
    def groups(self) -> list[tuple[str, str]]:
        """(group id, label) of the groups with expected units, definition order first."""
        present = [u.unit.group for u in self.decision.units]
        ordered = [g.id for g in self.d.groups if g.id in present]
        for gid in present:
            if gid not in ordered:
                ordered.append(gid)
        return [(gid, self.d.group_label(gid)) for gid in ordered]

    def heading(self) -> list[str]:
        period = self.decision.period
        return [
            f"Kỳ báo cáo: {period.label} ({period.id}); hạn gửi: trước ngày {period.due_before:%d/%m/%Y}; "
            f"số liệu tính đến {vn_text(self.decision.as_of)}",
        ]

    # ------------------------------------------------------------------ sheets
    def write_all(self) -> None:
        self.overview()
        self.status()
        if summarised_fields(self.d):
            self.indicators()
        if any(s.type == "fields" for s in self.d.sections):
            self.matrix()
        if self.d.sections_of("tasks"):
            self.tasks()
            self.tasks_by_unit()
        names = sheet_names(self.d)
        for section in self.d.sections:
            if section.type == "table":
                self.table(section, names[section.id])
            elif section.type == "text":
                self.text_section(section, names[section.id])
        self.problems()
        self.files()

    def overview(self) -> None:
        s = _Sheet(self, OVERVIEW, landscape=False)
        d, period = self.d, self.decision.period
        counts = self.decision.counts()
        row = s.title(
            [
                f"TỔNG HỢP: {d.title}",
                f"Kỳ báo cáo: {period.label} ({period.id})",
                f"Hạn gửi báo cáo: trước ngày {period.due_before:%d/%m/%Y} (nhận từ ngày {period.due_before:%d/%m/%Y} là muộn)",
                f"Số liệu tính đến: {vn_text(self.decision.as_of)} (giờ Việt Nam)",
                f"Định nghĩa báo cáo: {d.id}, phiên bản {d.version}; {d.plan_reference}".rstrip("; "),
                f"Cơ quan tổng hợp: {d.collector.name}",
            ]
        )
        labels = ["Nhóm đơn vị", "Phải nộp", "Đúng hạn", "Muộn", "Có lỗi", "Chưa nộp",
                  "Tỷ lệ nộp báo cáo", "Tỷ lệ nộp đúng hạn"]
        s.header(row, labels, [40, 10, 10, 10, 10, 10, 13, 13])
        header_row = row
        rows = [("Toàn tỉnh", counts)]
        for gid, label in self.groups():
            rows.append((label, self.decision.counts([u for u in self.decision.units if u.unit.group == gid])))
        for i, (label, c) in enumerate(rows):
            r = header_row + 1 + i
            bold = i == 0
            s.text(r, 0, label, self.style(bold=bold, border=1))
            for col, key in enumerate(("expected", ON_TIME, LATE, INVALID, MISSING), start=1):
                s.number(r, col, c[key], self.style(bold=bold, border=1, num_format="#,##0"))
            completeness, timeliness = rates(c)
            s.number(r, 6, completeness, self.style(bold=bold, border=1, num_format="0.0%"))
            s.number(r, 7, timeliness, self.style(bold=bold, border=1, num_format="0.0%"))
        last = header_row + len(rows)
        not_due = sum(1 for u in self.decision.units if u.status == MISSING and u.missing_state == NOT_YET_DUE)
        overdue = counts[MISSING] - not_due
        notes = [
            f"Chưa nộp: {overdue} quá hạn, {not_due} chưa đến hạn.",
            "Tỷ lệ nộp báo cáo = (đúng hạn + muộn) / phải nộp; tỷ lệ nộp đúng hạn = đúng hạn / phải nộp "
            "(cách tính reporting rate / on-time rate của DHIS2). Báo cáo có lỗi không được tính.",
        ]
        for i, note in enumerate(notes):
            s.text(last + 2 + i, 0, note, self.style(italic=True))
        row = last + 2 + len(notes) + 1

        # Top indicators (sum roll-up), the data of the bar chart.
        top = [t for t in self.agg.fields if t.field.aggregate == "sum" and isinstance(t.value, (int, float))]
        top = sorted(top, key=lambda t: -t.value)[:TOP_INDICATORS]
        top_header = row
        s.text(row, 0, "Chỉ tiêu chính (cộng toàn tỉnh)", self.style(bold=True, border=1, bg_color="#D9E1F2"))
        s.text(row, 1, "Giá trị", self.style(bold=True, border=1, bg_color="#D9E1F2"))
        s.text(row, 2, "Đơn vị tính", self.style(bold=True, border=1, bg_color="#D9E1F2"))
        for i, t in enumerate(top):
            r = top_header + 1 + i
            s.text(r, 0, t.field.label, self.style(border=1, text_wrap=True))
            s.ws.set_row(r, 15 * max(1, min(4, -(-len(t.field.label) // 45))))
            s.value(r, 1, t.value, t.field, _BORDER)
            s.text(r, 2, t.field.unit, self.style(border=1))
        row = top_header + max(1, len(top)) + 2

        chart = self.workbook.add_chart({"type": "column", "subtype": "stacked"})
        first_group, last_group = header_row + 2, last
        if last_group < first_group:  # no groups: the province row
            first_group = last_group = header_row + 1
        for col, key in ((2, ON_TIME), (3, LATE), (4, INVALID), (5, MISSING)):
            chart.add_series(
                {
                    "name": [OVERVIEW, header_row, col],
                    "categories": [OVERVIEW, first_group, 0, last_group, 0],
                    "values": [OVERVIEW, first_group, col, last_group, col],
                    "fill": {"color": COLOURS[OVERDUE if key == MISSING else key]},
                    "border": {"color": "#808080"},
                }
            )
        chart.set_title({"name": "Tình hình nộp báo cáo theo nhóm đơn vị", "name_font": {"name": FONT, "size": 12}})
        chart.set_y_axis({"name": "Số đơn vị", "num_font": {"name": FONT}, "name_font": {"name": FONT}})
        chart.set_x_axis({"num_font": {"name": FONT, "size": 9}, "interval_unit": 1})
        chart.set_legend({"position": "bottom", "font": {"name": FONT}})
        chart.set_size({"width": 720, "height": 320})
        s._check(s.ws.insert_chart(row, 0, chart), "biểu đồ")
        if top:
            bar = self.workbook.add_chart({"type": "bar"})
            bar.add_series(
                {
                    "name": "Giá trị toàn tỉnh",
                    "categories": [OVERVIEW, top_header + 1, 0, top_header + len(top), 0],
                    "values": [OVERVIEW, top_header + 1, 1, top_header + len(top), 1],
                    "fill": {"color": "#4472C4"},
                    "data_labels": {"value": True, "num_format": "#,##0", "font": {"name": FONT}},
                }
            )
            bar.set_title({"name": "Các chỉ tiêu chính (toàn tỉnh)", "name_font": {"name": FONT, "size": 12}})
            # every indicator named: spreadsheets skip category labels that do not fit
            bar.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 8}, "interval_unit": 1})
            bar.set_x_axis({"num_font": {"name": FONT}, "num_format": "#,##0"})
            bar.set_legend({"none": True})
            bar.set_size({"width": 720, "height": 80 + 40 * len(top)})
            s._check(s.ws.insert_chart(row + 17, 0, bar), "biểu đồ")
        s.ws.repeat_rows(0)

    def status(self) -> None:
        s = _Sheet(self, STATUS)
        row = s.title([f"TÌNH HÌNH NỘP BÁO CÁO - {self.decision.period.label}", *self.heading()])
        labels = ["STT", "Mã đơn vị", "Tên đơn vị", "Nhóm", "Tình trạng", "Thời điểm nhận", "Nguồn thời điểm nhận",
                  "Số ngày muộn", "Tệp được dùng", "Số lần nộp", "Số lỗi", "Số cảnh báo", "Người liên hệ",
                  "Điện thoại", "Thư điện tử"]
        s.header(row, labels, [5, 10, 34, 20, 20, 16, 20, 8, 34, 7, 7, 8, 20, 14, 26])
        border = self.style(border=1)
        for i, u in enumerate(self.decision.units):
            r = row + 1 + i
            s.number(r, 0, i + 1, border)
            s.text(r, 1, u.unit.code, border)
            s.text(r, 2, u.unit.name, border)
            s.text(r, 3, self.d.group_label(u.unit.group), border)
            s.text(r, 4, u.label, border)
            s.when(r, 5, u.received_at)
            s.text(r, 6, SOURCE_LABELS.get(u.received_source or "", ""), border)
            s.number(r, 7, u.days_late, border)
            s.text(r, 8, u.used.file if u.used else "", border)
            s.number(r, 9, len(u.submissions), border)
            s.number(r, 10, u.errors, border)
            s.number(r, 11, u.warnings, border)
            s.text(r, 12, u.unit.contact, border)
            s.text(r, 13, u.unit.phone, border)
            s.text(r, 14, u.unit.email, border)
        last = row + len(self.decision.units)
        labels_colours = {STATUS_LABELS[ON_TIME]: COLOURS[ON_TIME], STATUS_LABELS[LATE]: COLOURS[LATE],
                          STATUS_LABELS[INVALID]: COLOURS[INVALID], MISSING_LABELS[OVERDUE]: COLOURS[OVERDUE],
                          MISSING_LABELS[NOT_YET_DUE]: COLOURS[NOT_YET_DUE]}
        s.colour_labels(row + 1, last, 4, labels_colours)
        s.table_frame(row, last, len(labels) - 1, freeze_col=3)

    def indicators(self) -> None:
        s = _Sheet(self, INDICATORS)
        row = s.title([f"TỔNG HỢP CHỈ TIÊU - {self.decision.period.label}", *self.heading(),
                       "Số liệu từ các báo cáo được sử dụng (đúng hạn và muộn); ô trống không tính là 0."])
        groups = self.groups()
        labels = ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Cách tổng hợp", "Toàn tỉnh",
                  *[label for _, label in groups], "Số đơn vị báo cáo"]
        s.header(row, labels, [5, 16, 48, 10, 14, 14, *[14] * len(groups), 10])
        border = self.style(border=1)
        for i, t in enumerate(self.agg.fields):
            r = row + 1 + i
            f = t.field
            s.number(r, 0, i + 1, border)
            s.text(r, 1, f.id, border)
            s.text(r, 2, (f"{f.heading}: " if f.heading else "") + f.label, self.style(border=1, text_wrap=True))
            s.text(r, 3, f.unit, border)
            s.text(r, 4, AGGREGATE_LABELS.get(f.aggregate, f.aggregate), border)
            fmt = self._number_format(f)
            s.number(r, 5, t.value, self.style(border=1, bold=True, num_format=fmt))
            for j, (gid, _) in enumerate(groups):
                s.number(r, 6 + j, t.by_group.get(gid, (None, 0))[0], self.style(border=1, num_format=fmt))
            s.number(r, 6 + len(groups), t.units_reporting, border)
        s.table_frame(row, row + len(self.agg.fields), len(labels) - 1, freeze_col=3)

    @staticmethod
    def _number_format(f: Field) -> str:
        if f.aggregate == "count" or (f.type == "integer" and f.aggregate in ("sum", "min", "max")):
            return "#,##0"
        return "#,##0.00"

    def matrix(self) -> None:
        s = _Sheet(self, MATRIX)
        fields = [f for sec in self.d.sections if sec.type == "fields" for f in sec.fields]
        row = s.title([f"SỐ LIỆU THEO ĐƠN VỊ - {self.decision.period.label}", *self.heading(),
                       "Chỉ gồm các báo cáo được sử dụng (đúng hạn và muộn)."])
        id_fmt = self.style(font_size=9, font_color="#808080", align="center")
        for col, f in enumerate(fields, start=4):
            s.text(row, col, f.id, id_fmt)
        row += 1
        labels = ["STT", "Mã đơn vị", "Tên đơn vị", "Nhóm",
                  *[f"{f.label} ({f.unit})" if f.unit else f.label for f in fields]]
        s.header(row, labels, [5, 10, 32, 18, *[14] * len(fields)])
        s.ws.set_row(row, 60)
        border = self.style(border=1)  # already made by status(): hoisting creates nothing earlier
        for i, unit in enumerate(self.agg.units):
            r = row + 1 + i
            s.number(r, 0, i + 1, border)
            s.text(r, 1, unit.code, border)
            s.text(r, 2, unit.name, border)
            s.text(r, 3, self.d.group_label(unit.group), border)
            values = self.agg.values.get(unit.code, {})
            for col, f in enumerate(fields, start=4):
                s.value(r, col, values.get(f.id), f, _BORDER)
        s.ws.freeze_panes(row + 1, 3)
        s.ws.repeat_rows(row - 1, row)
        s._check(s.ws.autofilter(row, 0, row + max(0, len(self.agg.units)), len(labels) - 1), "bộ lọc")

    def tasks(self) -> None:
        s = _Sheet(self, TASKS)
        row = s.title([f"TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ - {self.decision.period.label}", *self.heading(),
                       "Tỷ lệ hoàn thành = số đơn vị báo cáo trạng thái hoàn thành / số đơn vị đã chọn trạng thái "
                       "(không tính 'Không thuộc phạm vi')."])
        all_statuses: list[str] = []
        for section in self.d.sections_of("tasks"):
            for label in section.statuses:
                if label not in all_statuses:
                    all_statuses.append(label)
        labels = ["STT", "Mã nhiệm vụ", "Nhiệm vụ", "Đơn vị chủ trì", "Thời gian", *all_statuses,
                  "Chưa chọn", "Tỷ lệ hoàn thành", "Báo cáo của đơn vị chủ trì"]
        s.header(row, labels, [5, 10, 48, 22, 14, *[11] * len(all_statuses), 9, 11, 50])
        border = self.style(border=1)
        wrap = self.style(border=1, text_wrap=True)
        for i, p in enumerate(self.agg.tasks):
            r = row + 1 + i
            s.number(r, 0, i + 1, border)
            s.text(r, 1, p.task.id, border)
            s.text(r, 2, p.task.title, wrap)
            lead_names = [f"{lead.name} ({lead.code})" for lead in p.leads] + p.lead_groups
            s.text(r, 3, p.task.lead_text or "; ".join(lead_names), wrap)
            s.text(r, 4, p.task.timing, wrap)
            for j, label in enumerate(all_statuses):
                s.number(r, 5 + j, p.counts.get(label) if label in p.counts else None, border)
            n = len(all_statuses)
            s.number(r, 5 + n, p.blank, border)
            s.number(r, 6 + n, p.share_done, self.style(border=1, num_format="0.0%"))
            reports = []
            for lead in p.leads:
                if lead.status is None and lead.result is None:
                    reports.append(f"{lead.code} - {lead.name}: chưa có báo cáo được sử dụng")
                else:
                    text = f"{lead.code} - {lead.name}: {lead.status or '(chưa chọn trạng thái)'}"
                    if lead.result:
                        text += f". {lead.result}"
                    reports.append(text)
            for label in p.lead_groups:
                reports.append(f"Chủ trì: {label} (xem trang {TASKS_BY_UNIT!r})")
            s.text(r, 7 + n, "\n".join(reports), wrap)
        last = row + len(self.agg.tasks)
        s.table_frame(row, last, len(labels) - 1, freeze_col=0)

    def tasks_by_unit(self) -> None:
        """Unit × task statuses, on a sheet of its own: a printed sheet repeats one header
        row on every page, and these rows need theirs (not the per-task table's)."""
        s = _Sheet(self, TASKS_BY_UNIT)
        row = s.title([f"TRẠNG THÁI THỰC HIỆN NHIỆM VỤ THEO ĐƠN VỊ - {self.decision.period.label}", *self.heading()])
        task_labels = [f"{p.task.id}. {p.task.title}" for p in self.agg.tasks]
        # short enough for a header repeated on every page; the whole titles are on TASKS
        labels = ["STT", "Mã đơn vị", "Tên đơn vị",
                  *(label if len(label) <= 70 else label[:69] + "…" for label in task_labels)]
        s.header(row, labels, [5, 10, 28, *[18] * len(task_labels)])
        border = self.style(border=1)
        for i, unit in enumerate(self.agg.units):
            r = row + 1 + i
            s.number(r, 0, i + 1, border)
            s.text(r, 1, unit.code, border)
            s.text(r, 2, unit.name, border)
            for j, p in enumerate(self.agg.tasks):
                s.text(r, 3 + j, p.by_unit.get(unit.code, {}).get("status") or "", border)
        last = row + len(self.agg.units)
        s.table_frame(row, last, len(labels) - 1, freeze_col=3)
        done = sorted({d for sec in self.d.sections_of("tasks") for d in sec.done_statuses})
        if self.agg.units and self.agg.tasks:
            for label in done:
                s._check(
                    s.ws.conditional_format(
                        row + 1, 3, last, 2 + len(self.agg.tasks),
                        {"type": "cell", "criteria": "==", "value": _formula_text(label),
                         "format": self.workbook.add_format({"bg_color": COLOURS[ON_TIME]})},
                    ),
                    "định dạng có điều kiện",
                )

    def table(self, section: Section, name: str) -> None:
        s = _Sheet(self, name)
        row = s.title([f"{section.title} - {self.decision.period.label}", *self.heading()])
        cols = list(section.fields)
        labels = ["STT", "Mã đơn vị", "Tên đơn vị", *[f"{c.label} ({c.unit})" if c.unit else c.label for c in cols]]
        s.header(row, labels, [5, 10, 30, *[(40 if c.type == "text" else 14) for c in cols]])
        rows = self.agg.tables.get(section.id, [])
        for r, item in self._unit_rows(s, row, rows):
            for j, c in enumerate(cols):
                s.value(r, 3 + j, item.values.get(c.id), c, _BORDER)
        s.table_frame(row, row + len(rows), len(labels) - 1, freeze_col=3)

    def _unit_rows(self, s: _Sheet, header_row: int, items: list):
        """Number, unit code and unit name of each row; yields (row, item) for the rest."""
        border = self.style(border=1)  # already made by status(): hoisting creates nothing earlier
        for i, item in enumerate(items):
            r = header_row + 1 + i
            s.number(r, 0, i + 1, border)
            s.text(r, 1, item.unit.code, border)
            s.text(r, 2, item.unit.name, border)
            yield r, item

    def text_section(self, section: Section, name: str) -> None:
        s = _Sheet(self, name)
        row = s.title([f"{section.title} - {self.decision.period.label}", *self.heading()])
        cols = list(section.fields)
        labels = ["STT", "Mã đơn vị", "Tên đơn vị", *[c.label for c in cols]]
        s.header(row, labels, [5, 10, 28, *[70] * len(cols)])
        wrap = self.style(border=1, text_wrap=True)
        answers = self.agg.texts.get(section.id, [])
        for r, answer in self._unit_rows(s, row, answers):
            for j, c in enumerate(cols):
                s.text(r, 3 + j, answer.values.get(c.id) or "", wrap)
        s.table_frame(row, row + len(answers), len(labels) - 1, freeze_col=3)

    def problems(self) -> None:
        s = _Sheet(self, PROBLEMS)
        row = s.title([f"LỖI VÀ CẢNH BÁO - {self.decision.period.label}", *self.heading()])
        labels = ["STT", "Tệp", "Kết quả xử lý tệp", "Mã đơn vị", "Tên đơn vị", "Trang", "Ô", "Trường",
                  "Mã lỗi", "Mức độ", "Nội dung"]
        s.header(row, labels, [5, 32, 14, 10, 26, 18, 7, 18, 22, 9, 70])
        border = self.style(border=1)
        wrap = self.style(border=1, text_wrap=True)
        r = row
        for decision in self.decision.files:
            checked = decision.submission.checked
            unit = self.d.unit(decision.unit_code or checked.unit_code)
            for p in problems_of(checked):
                r += 1
                s.number(r, 0, r - row, border)
                s.text(r, 1, decision.file, border)
                s.text(r, 2, VERDICT_LABELS[decision.verdict], border)
                s.text(r, 3, unit.code if unit else (checked.unit_code or ""), border)
                s.text(r, 4, unit.name if unit else "", border)
                s.text(r, 5, p.sheet or "", border)
                s.text(r, 6, p.cell or "", border)
                s.text(r, 7, p.field_id or "", border)
                s.text(r, 8, p.code, border)
                s.text(r, 9, SEVERITY_LABELS.get(p.severity, p.severity), border)
                s.text(r, 10, p.message, wrap)
        for p in self.data.extra_problems:
            r += 1
            s.number(r, 0, r - row, border)
            s.text(r, 1, p.file or "", border)
            for col in (2, 3, 4, 5):
                s.text(r, col, "", border)
            s.text(r, 6, p.path or p.cell or "", border)
            s.text(r, 7, p.field_id or "", border)
            s.text(r, 8, p.code, border)
            s.text(r, 9, SEVERITY_LABELS.get(p.severity, p.severity), border)
            s.text(r, 10, p.message, wrap)
        s.colour_labels(row + 1, r, 9, {"Lỗi": COLOURS[OVERDUE], "Cảnh báo": COLOURS[LATE]})
        s.table_frame(row, r, len(labels) - 1, freeze_col=2)

    def files(self) -> None:
        s = _Sheet(self, FILES)
        row = s.title([f"CÁC TỆP ĐÃ NHẬN - {self.decision.period.label}", *self.heading()])
        labels = ["STT", "Tệp", "Kết quả", "Lý do", "Mã đơn vị", "Tên đơn vị", "Kỳ", "Báo cáo",
                  "Thời điểm nhận", "Nguồn thời điểm nhận", "Số lỗi", "Số cảnh báo", "Kích thước (byte)", "SHA-256"]
        s.header(row, labels, [5, 34, 13, 44, 10, 26, 9, 14, 16, 20, 7, 8, 11, 66])
        border = self.style(border=1)
        wrap = self.style(border=1, text_wrap=True)
        for i, decision in enumerate(self.decision.files):
            r = row + 1 + i
            sub = decision.submission
            checked = sub.checked
            code = decision.unit_code or checked.unit_code or ""
            unit = self.d.unit(code)
            s.number(r, 0, i + 1, border)
            s.text(r, 1, decision.file, border)
            s.text(r, 2, VERDICT_LABELS[decision.verdict], border)
            s.text(r, 3, decision.reason, wrap)
            s.text(r, 4, code, border)
            s.text(r, 5, unit.name if unit else "", border)
            s.text(r, 6, checked.period, border)
            s.text(r, 7, checked.report_id, border)
            s.when(r, 8, sub.receipt.at if sub.receipt else None)
            s.text(r, 9, SOURCE_LABELS.get(sub.receipt.source, "") if sub.receipt else "", border)
            s.number(r, 10, checked.errors, border)
            s.number(r, 11, checked.warnings, border)
            s.number(r, 12, checked.raw.size, border)
            s.text(r, 13, checked.raw.sha256, self.style(border=1, font_size=9))
        last = row + len(self.decision.files)
        s.colour_labels(row + 1, last, 2, {VERDICT_LABELS[k]: v for k, v in VERDICT_COLOURS.items()})
        s.table_frame(row, last, len(labels) - 1, freeze_col=2)


def problems_of(checked) -> list[Problem]:
    """The reader's and the validator's problems, each once."""
    seen: set[tuple] = set()
    out: list[Problem] = []
    for p in [*checked.raw.problems, *checked.problems]:
        key = (p.code, p.severity, p.sheet, p.cell, p.field_id, p.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


def write_summary(data: SummaryData, path: str | Path) -> Path:
    """Write the summary atomically; the previous file survives any failure."""
    target = Path(path)
    created = data.decision.as_of.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    try:
        with atomic_output(target) as tmp:
            workbook = SafeWorkbook(str(tmp))
            workbook.set_properties(
                {
                    "title": f"Tổng hợp {data.definition.short_title or data.definition.title} - {data.decision.period.label}",
                    "subject": data.definition.title,
                    "author": data.definition.collector.name,
                    "company": data.definition.issuer,
                    "comments": f"consolidate merge: {data.definition.id} v{data.definition.version}, {data.decision.period.id}",
                    "created": created,
                }
            )
            try:
                _Writer(workbook, data).write_all()
            finally:
                workbook.close()
    except SummaryWriteError:
        raise
    except OSError as exc:
        raise SummaryWriteError(f"Không ghi được tệp tổng hợp {target}: {exc.strerror or exc}") from None
    except Exception as exc:  # xlsxwriter's own exceptions (FileCreateError, …)
        raise SummaryWriteError(f"Không ghi được tệp tổng hợp {target}: {exc}") from exc
    return target
