"""Tình hình nộp báo cáo: one row per expected unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.merge.receipts import receipt_label
from consolidate.merge.submissions import (
    EXEMPT_STATUS,
    INVALID,
    LATE,
    MISSING_LABELS,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    STATUS_LABELS,
)
from consolidate.merge.summary.common import COLOURS, STATUS, Sheet
from consolidate.merge.summary.review import decision_text

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer



def status(w: Writer) -> None:
    s = Sheet(w, STATUS)
    row = s.title([f"TÌNH HÌNH NỘP BÁO CÁO - {w.decision.period.label}", *w.heading()])
    labels = ["STT", "Mã đơn vị", "Tên đơn vị", "Nhóm", "Tình trạng", "Thời điểm nhận", "Nguồn thời điểm nhận",
              "Số ngày muộn", "Tệp được dùng", "Số lần nộp", "Số lỗi", "Số cảnh báo", "Người liên hệ",
              "Điện thoại", "Thư điện tử", "Quyết định của chuyên viên"]
    s.header(row, labels, [5, 10, 34, 20, 20, 16, 20, 8, 34, 7, 7, 8, 20, 14, 26, 36])
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    # exempt units last: listed, but outside the expected count
    for i, u in enumerate([*w.decision.units, *w.decision.exempt]):
        r = row + 1 + i
        s.number(r, 0, i + 1, border)
        s.text(r, 1, u.unit.code, border)
        s.text(r, 2, u.unit.name, border)
        s.text(r, 3, w.d.group_label(u.unit.group), border)
        s.text(r, 4, u.label, border)
        s.when(r, 5, u.received_at)
        s.text(r, 6, receipt_label(u.used.receipt if u.used else None), border)
        s.number(r, 7, u.days_late, border)
        s.text(r, 8, u.used.file if u.used else "", border)
        s.number(r, 9, len(u.submissions), border)
        s.number(r, 10, u.errors, border)
        s.number(r, 11, u.warnings, border)
        s.text(r, 12, u.unit.contact, border)
        s.text(r, 13, u.unit.phone, border)
        s.text(r, 14, u.unit.email, border)
        s.text(r, 15, decision_text(u), wrap)
    last = row + len(w.decision.units) + len(w.decision.exempt)
    labels_colours = {STATUS_LABELS[ON_TIME]: COLOURS[ON_TIME], STATUS_LABELS[LATE]: COLOURS[LATE],
                      STATUS_LABELS[INVALID]: COLOURS[INVALID], MISSING_LABELS[OVERDUE]: COLOURS[OVERDUE],
                      MISSING_LABELS[NOT_YET_DUE]: COLOURS[NOT_YET_DUE],
                      STATUS_LABELS[EXEMPT_STATUS]: COLOURS[NOT_YET_DUE]}
    s.colour_labels(row + 1, last, 4, labels_colours)
    s.table_frame(row, last, len(labels) - 1, freeze_col=3)
