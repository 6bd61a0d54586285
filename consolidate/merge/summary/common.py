"""What every sheet of the summary shares: names, colours, formats and the checked sheet.

Text-only writes (no string ever becomes a formula, link or number): ``write_string`` for
all text from returns plus a ``quote_prefix`` format for text starting with ``= + - @``;
every xlsxwriter return code checked.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from consolidate.definition.model import Definition, Field
from consolidate.i18n import Text
from consolidate.merge.aggregate import Aggregates
from consolidate.merge.submissions import (
    ACCEPTED,
    IGNORED,
    INVALID,
    LATE,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    REJECTED,
    SUPERSEDED,
    Decision,
)
from consolidate.problems import ConsolidateError, Problem
from consolidate.vntime import naive_local
from consolidate.xlsx.printing import columns_on_first_page, page_header, readable_print
from consolidate.xlsx.safe import FORMULA_TRIGGERS, SafeWorkbook, wrapped_height

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer

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
DECISIONS = "Quyết định của chuyên viên"
QUALITY = "Kiểm tra số liệu"
FIXED_SHEETS = (OVERVIEW, STATUS, INDICATORS, MATRIX, TASKS, TASKS_BY_UNIT, DECISIONS, QUALITY, PROBLEMS, FILES)

COLOURS = {
    ON_TIME: "#C6EFCE",
    LATE: "#FFEB9C",
    INVALID: "#F8CBAD",
    OVERDUE: "#FFC7CE",
    NOT_YET_DUE: "#E7E6E6",
}
VERDICT_COLOURS = {ACCEPTED: "#C6EFCE", SUPERSEDED: "#E7E6E6", REJECTED: "#FFC7CE", IGNORED: "#FFEB9C"}
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
_BORDER = (("border", 1),)  # fmt_props of Sheet.value for a bordered cell


class SummaryWriteError(ConsolidateError):
    """The summary could not be written."""

    code = "summary-not-written"


@dataclass
class SummaryData:
    definition: Definition
    decision: Decision
    aggregates: Aggregates
    extra_problems: list[Problem] = field(default_factory=list)  # receipts book, …
    findings: Any = None  # merge.quality.Findings: notices, quality flags, comparison


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


class Styles:
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


class Sheet:
    """A worksheet whose every write is checked and whose text stays text."""

    def __init__(self, writer: Writer, name: str, landscape: bool = True):
        self.w = writer
        self.name = name
        self.ws = writer.workbook.add_worksheet(name)
        self.landscape = landscape
        self.labels: list[str] = []
        self.unprinted_from: int | None = None  # columns from here on: on screen, not on paper
        self.wrapped: dict[int, list[tuple[int, str]]] = {}  # row -> (col, wrapped text)
        self.title_lines: list[str] = []
        self.ws.set_margins(left=0.5, right=0.4, top=0.7, bottom=0.6)
        writer.sheets.append(self)

    def finish_print(self, appendix: int, title: str) -> None:
        """A4 at a readable scale, internal columns off the page, numbered as an appendix."""
        self._size_wrapped_rows()
        last_col = self.ws.dim_colmax if self.ws.dim_colmax is not None else 0
        if self.unprinted_from is not None and self.unprinted_from <= last_col:
            last_col = self.unprinted_from - 1
        # an explicit area: a long title line overflowing to the right must not shrink the page
        self.ws.print_area(0, 0, self.ws.dim_rowmax or 0, last_col)
        key_cols = next((i + 1 for i, label in enumerate(self.labels[:5]) if label == "Tên đơn vị"), 0)
        scale = readable_print(self.ws, last_col, key_cols=key_cols, landscape=self.landscape)
        page_col = columns_on_first_page(self.ws, last_col, scale, self.landscape)
        # titles wrap within the first printed page, whatever the sheet's full width
        chars = sum(self.column_chars(c) for c in range(page_col + 1))
        for i, line in enumerate(self.title_lines):
            size = 14 if i == 0 else 11
            if page_col > 0 and len(line) * size / 11 > chars:  # would run off the page
                self.wide_text(i, line, {"bold": True, "font_size": 14} if i == 0 else {"italic": True}, page_col)
        right = title if len(title) <= 110 else title[:109] + "…"
        page_header(self.ws, f"Phụ lục {appendix}: {self.name}", right, font=FONT)

    def _size_wrapped_rows(self) -> None:
        for row, cells in self.wrapped.items():
            if row in self.ws.row_info:  # a height set on purpose (headers, notes) stays
                continue
            texts = [(text, self.column_chars(col)) for col, text in cells]
            height = wrapped_height(texts)
            if height > 18:
                self.ws.set_row(row, height)

    def column_chars(self, col: int) -> int:
        info = self.ws.col_info.get(col)
        width_px = getattr(info, "width", None) or 64
        return max(1, int((width_px - 5) / 7))

    def wide_text(self, row: int, text: str, fmt_props: dict[str, Any], last_col: int) -> None:
        """A note across the sheet's columns, wrapped and as tall as it needs, so that it
        neither overflows the printed page nor hides under the next row."""
        fmt = self.w.style(text_wrap=True, **fmt_props)
        if text.startswith(FORMULA_TRIGGERS):
            fmt = self.w.quoted(fmt)
        self._check(self.ws.merge_range(row, 0, row, last_col, text, fmt), "ghi chú")
        chars = sum(self.column_chars(c) for c in range(last_col + 1))
        self.ws.set_row(row, max(16.0, wrapped_height([(text, chars)]) - 2))

    def _check(self, rc: Any, what: str) -> None:
        if rc not in (0, None):
            raise SummaryWriteError(Text("xlsxwriter trả mã lỗi {rc} khi ghi {what} ở trang '{sheet}'",
                                         rc=rc, what=what, sheet=self.name))

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
        if fmt is not None and fmt.text_wrap and (len(text) > 8 or "\n" in text):
            # spreadsheets do not grow a row for wrapped text when they open a file: size it
            self.wrapped.setdefault(row, []).append((col, text))
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
                self.ws.write_datetime(row, col, naive_local(value) if value.tzinfo else value,
                                       self.w.value_style("dd/mm/yyyy hh:mm", fmt_props)),
                "ngày giờ",
            )
        elif isinstance(value, dt.date):
            self._check(self.ws.write_datetime(row, col, value, self.w.value_style("dd/mm/yyyy", fmt_props)), "ngày")
        else:
            kind = "wrap" if value and len(str(value)) > 40 else "plain"
            self.text(row, col, value, memo.get((kind, fmt_props)) or self.w.value_style(kind, fmt_props))

    def when(self, row: int, col: int, moment: dt.datetime | None) -> None:
        local = naive_local(moment)
        if local is None:
            self.text(row, col, "", self.w.style())
        else:
            self._check(self.ws.write_datetime(row, col, local, self.w.style(num_format="dd/mm/yyyy hh:mm")), "ngày giờ")

    def header(self, row: int, labels: list[str], widths: list[float] | None = None) -> None:
        self.labels = self.labels or list(labels)
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
        self.title_lines = list(lines)
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
                    {"type": "cell", "criteria": "==", "value": formula_text(label),
                     "format": self.w.workbook.add_format({"bg_color": colour})},
                ),
                "định dạng có điều kiện",
            )


def formula_text(label: str) -> str:
    return '"' + label.replace('"', '""') + '"'


def problems_of(checked) -> list[Problem]:
    """The reader's and the validator's problems, each once."""
    seen: set[tuple] = set()
    out: list[Problem] = []
    for p in [*checked.raw.problems, *checked.problems]:
        key = (p.code, p.severity, p.sheet, p.cell, p.field_id, p.message_vi)
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out

