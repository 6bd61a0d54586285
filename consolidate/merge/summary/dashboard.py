"""Tổng quan: the counts per group, the rates, the main indicators and two charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.merge.submissions import (
    INVALID,
    LATE,
    MISSING,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    rates,
)
from consolidate.merge.summary.common import (
    _BORDER,
    COLOURS,
    FONT,
    OVERVIEW,
    TOP_INDICATORS,
    Sheet,
)
from consolidate.merge.summary.review import overview_lines
from consolidate.vntime import datetime_text

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer



def overview(w: Writer) -> None:
    s = Sheet(w, OVERVIEW)  # landscape: its table and charts fit one page wide at full size
    d, period = w.d, w.decision.period
    counts = w.decision.counts()
    row = s.title(
        [
            f"TỔNG HỢP: {d.title}",
            f"Kỳ báo cáo: {period.label} ({period.id})",
            f"Hạn gửi báo cáo: trước ngày {period.due_before:%d/%m/%Y} (nhận từ ngày {period.due_before:%d/%m/%Y} là muộn)",
            f"Số liệu tính đến: {datetime_text(w.decision.as_of)} (giờ Việt Nam)",
            f"Định nghĩa báo cáo: {d.id}, phiên bản {d.version}; {d.plan_reference}".rstrip("; "),
            f"Cơ quan tổng hợp: {d.collector.name}",
        ]
    )
    labels = ["Nhóm đơn vị", "Phải nộp", "Đúng hạn", "Muộn", "Có lỗi", "Chưa nộp",
              "Tỷ lệ nộp báo cáo", "Tỷ lệ nộp đúng hạn"]
    s.header(row, labels, [40, 10, 10, 10, 10, 10, 13, 13])
    header_row = row
    rows = [("Toàn tỉnh", counts)]
    for gid, label in w.groups():
        rows.append((label, w.decision.counts([u for u in w.decision.units if u.unit.group == gid])))
    for i, (label, c) in enumerate(rows):
        r = header_row + 1 + i
        bold = i == 0
        s.text(r, 0, label, w.style(bold=bold, border=1))
        for col, key in enumerate(("expected", ON_TIME, LATE, INVALID, MISSING), start=1):
            s.number(r, col, c[key], w.style(bold=bold, border=1, num_format="#,##0"))
        completeness, timeliness = rates(c)
        s.number(r, 6, completeness, w.style(bold=bold, border=1, num_format="0.0%"))
        s.number(r, 7, timeliness, w.style(bold=bold, border=1, num_format="0.0%"))
    last = header_row + len(rows)
    not_due = sum(1 for u in w.decision.units if u.status == MISSING and u.missing_state == NOT_YET_DUE)
    overdue = counts[MISSING] - not_due
    notes = [
        f"Chưa nộp: {overdue} quá hạn, {not_due} chưa đến hạn.",
        "Tỷ lệ nộp báo cáo = số đơn vị đã nộp báo cáo dùng được (đúng hạn hoặc muộn) chia cho số đơn vị "
        "phải nộp; tỷ lệ nộp đúng hạn = số đơn vị nộp đúng hạn chia cho số đơn vị phải nộp. Báo cáo còn lỗi "
        "chưa được chuyên viên chấp nhận không được tính.",
        *overview_lines(w),
    ]
    for i, note in enumerate(notes):
        # the notices are what the specialist must not miss: bold red, not italic grey
        props = {"bold": True, "font_color": "#C00000"} if note.startswith("Lưu ý:") else {"italic": True}
        s.wide_text(last + 2 + i, note, props, len(labels) - 1)
    row = last + 2 + len(notes) + 1

    # Top indicators (sum roll-up), the data of the bar chart.
    top = [t for t in w.agg.fields if t.field.aggregate == "sum" and isinstance(t.value, (int, float))]
    top = sorted(top, key=lambda t: -t.value)[:TOP_INDICATORS]
    top_header = row
    s.text(row, 0, "Chỉ tiêu chính (cộng toàn tỉnh)", w.style(bold=True, border=1, bg_color="#D9E1F2"))
    s.text(row, 1, "Giá trị", w.style(bold=True, border=1, bg_color="#D9E1F2"))
    s.text(row, 2, "Đơn vị tính", w.style(bold=True, border=1, bg_color="#D9E1F2"))
    for i, t in enumerate(top):
        r = top_header + 1 + i
        s.text(r, 0, t.field.label, w.style(border=1, text_wrap=True))
        s.ws.set_row(r, 15 * max(1, min(4, -(-len(t.field.label) // 45))))
        s.value(r, 1, t.value, t.field, _BORDER)
        s.text(r, 2, t.field.unit, w.style(border=1))
    row = top_header + max(1, len(top)) + 2

    chart = w.workbook.add_chart({"type": "column", "subtype": "stacked"})
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
    chart.set_x_axis({"num_font": {"name": FONT, "size": 11}, "interval_unit": 1})
    chart.set_legend({"position": "bottom", "font": {"name": FONT}})
    chart.set_size({"width": 720, "height": 320})
    s._check(s.ws.insert_chart(row, 0, chart), "biểu đồ")
    if top:
        bar = w.workbook.add_chart({"type": "bar"})
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
        bar.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 11}, "interval_unit": 1})
        bar.set_x_axis({"num_font": {"name": FONT}, "num_format": "#,##0"})
        bar.set_legend({"none": True})
        bar.set_size({"width": 720, "height": 80 + 40 * len(top)})
        s._check(s.ws.insert_chart(row + 17, 0, bar), "biểu đồ")
    s.ws.repeat_rows(0)
