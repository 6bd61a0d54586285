"""Tổng hợp chỉ tiêu (province and group roll-ups) and Chi tiết theo đơn vị (unit × field)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.definition.model import Field
from consolidate.merge.aggregate import method_label
from consolidate.merge.summary.common import _BORDER, INDICATORS, MATRIX, Sheet

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer



def indicators(w: Writer) -> None:
    s = Sheet(w, INDICATORS)
    row = s.title([f"TỔNG HỢP CHỈ TIÊU - {w.decision.period.label}", *w.heading(),
                   "Số liệu từ các báo cáo được sử dụng (đúng hạn và muộn); ô trống không tính là 0."])
    groups = w.groups()
    # the field id is for filtering and lookups: last, and outside the printed area
    labels = ["STT", "Chỉ tiêu", "Đơn vị tính", "Cách tổng hợp", "Toàn tỉnh",
              *[label for _, label in groups], "Số đơn vị báo cáo", "Mã chỉ tiêu"]
    s.header(row, labels, [5, 48, 10, 22, 14, *[14] * len(groups), 10, 16])
    id_col = len(labels) - 1
    s.unprinted_from = id_col
    border = w.style(border=1)
    for i, t in enumerate(w.agg.fields):
        r = row + 1 + i
        f = t.field
        s.number(r, 0, i + 1, border)
        s.text(r, 1, (f"{f.heading}: " if f.heading else "") + f.label, w.style(border=1, text_wrap=True))
        s.text(r, 2, f.unit, border)
        s.text(r, 3, method_label(w.d, f), w.style(border=1, text_wrap=True))
        fmt = number_format(f)
        s.number(r, 4, t.value, w.style(border=1, bold=True, num_format=fmt))
        for j, (gid, _) in enumerate(groups):
            s.number(r, 5 + j, t.by_group.get(gid, (None, 0))[0], w.style(border=1, num_format=fmt))
        s.number(r, 5 + len(groups), t.units_reporting, border)
        s.text(r, id_col, f.id, border)
    s.table_frame(row, row + len(w.agg.fields), len(labels) - 1, freeze_col=2)
    answers(w, s, row + len(w.agg.fields) + 3, groups)


def answers(w: Writer, s: Sheet, row: int, groups: list[tuple[str, str]]) -> None:
    """Choice and yes/no fields: accepted returns per answer, province and group."""
    if not w.agg.answers:
        return
    s.text(row, 0, "SỐ ĐƠN VỊ THEO TỪNG CÂU TRẢ LỜI (câu hỏi lựa chọn, có/không)", w.style(bold=True, font_size=12))
    row += 1
    head = w.style(bold=True, text_wrap=True, align="center", bg_color="#D9E1F2", border=1)
    id_col = 6 + len(groups)  # under the main table's field-id column
    for col, label in enumerate(["STT", "Chỉ tiêu", "Câu trả lời", "", "Toàn tỉnh",
                                 *[label for _, label in groups]]):
        s.text(row, col, label, head)
    s.text(row, id_col, "Mã chỉ tiêu", head)
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    count = w.style(border=1, num_format="#,##0")
    n = 0
    for a in w.agg.answers:
        for option, total in [*a.counts.items(), ("(để trống)", a.blank)]:
            n += 1
            r = row + n
            s.number(r, 0, n, border)
            s.text(r, 1, a.field.label, wrap)
            s.text(r, 2, option, border)
            s.text(r, 3, "", border)
            s.number(r, 4, total, count)
            for j, (gid, _) in enumerate(groups):
                s.number(r, 5 + j, a.by_group.get(gid, {}).get(option) if option in a.counts else None, count)
            s.text(r, id_col, a.field.id, border)



def number_format(f: Field) -> str:
    if f.aggregate == "count" or (f.type == "integer" and f.aggregate in ("sum", "min", "max")):
        return "#,##0"
    return "#,##0.00"



def matrix(w: Writer) -> None:
    s = Sheet(w, MATRIX)
    fields = [f for sec in w.d.sections if sec.type == "fields" for f in sec.fields]
    row = s.title([f"SỐ LIỆU THEO ĐƠN VỊ - {w.decision.period.label}", *w.heading(),
                   "Chỉ gồm các báo cáo được sử dụng (đúng hạn và muộn)."])
    id_fmt = w.style(font_size=9, font_color="#808080", align="center")
    for col, f in enumerate(fields, start=4):
        s.text(row, col, f.id, id_fmt)
    # the field ids stay findable on screen (unhide the row) but are not printed
    s.ws.set_row(row, None, None, {"hidden": True})
    row += 1
    labels = ["STT", "Mã đơn vị", "Tên đơn vị", "Nhóm",
              *[f"{f.label} ({f.unit})" if f.unit else f.label for f in fields]]
    s.header(row, labels, [5, 10, 32, 18, *[14] * len(fields)])
    border = w.style(border=1)  # already made by status(): hoisting creates nothing earlier
    for i, unit in enumerate(w.agg.units):
        r = row + 1 + i
        s.number(r, 0, i + 1, border)
        s.text(r, 1, unit.code, border)
        s.text(r, 2, unit.name, border)
        s.text(r, 3, w.d.group_label(unit.group), border)
        values = w.agg.values.get(unit.code, {})
        for col, f in enumerate(fields, start=4):
            s.value(r, col, values.get(f.id), f, _BORDER)
    s.ws.freeze_panes(row + 1, 3)
    s.ws.repeat_rows(row - 1, row)
    s._check(s.ws.autofilter(row, 0, row + max(0, len(w.agg.units)), len(labels) - 1), "bộ lọc")
