"""Tệp đã nhận: every file read, its verdict and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.merge.receipts import receipt_label
from consolidate.merge.submissions import VERDICT_LABELS
from consolidate.merge.summary.common import FILES, VERDICT_COLOURS, Sheet

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer



def files(w: Writer) -> None:
    s = Sheet(w, FILES)
    row = s.title([f"CÁC TỆP ĐÃ NHẬN - {w.decision.period.label}", *w.heading()])
    labels = ["STT", "Tệp", "Kết quả", "Lý do", "Mã đơn vị", "Tên đơn vị", "Kỳ", "Báo cáo",
              "Thời điểm nhận", "Nguồn thời điểm nhận", "Số lỗi", "Số cảnh báo", "Kích thước (byte)", "SHA-256"]
    s.header(row, labels, [5, 34, 13, 44, 10, 26, 9, 14, 16, 20, 7, 8, 11, 66])
    s.unprinted_from = len(labels) - 1  # the hash is for checking, not for paper
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    for i, decision in enumerate(w.decision.files):
        r = row + 1 + i
        sub = decision.submission
        checked = sub.checked
        code = decision.unit_code or checked.unit_code or ""
        unit = w.d.unit(code)
        s.number(r, 0, i + 1, border)
        s.text(r, 1, decision.file, border)
        s.text(r, 2, VERDICT_LABELS[decision.verdict], border)
        s.text(r, 3, decision.reason_vi, wrap)
        s.text(r, 4, code, border)
        s.text(r, 5, unit.name if unit else "", border)
        s.text(r, 6, checked.period, border)
        s.text(r, 7, checked.report_id, border)
        s.when(r, 8, sub.receipt.at if sub.receipt else None)
        s.text(r, 9, receipt_label(sub.receipt), border)
        s.number(r, 10, checked.errors, border)
        s.number(r, 11, checked.warnings, border)
        s.number(r, 12, checked.raw.size, border)
        s.text(r, 13, checked.raw.sha256, w.style(border=1, font_size=9))
    last = row + len(w.decision.files)
    s.colour_labels(row + 1, last, 2, {VERDICT_LABELS[k]: v for k, v in VERDICT_COLOURS.items()})
    s.table_frame(row, last, len(labels) - 1, freeze_col=2)
