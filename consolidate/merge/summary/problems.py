"""Lỗi và cảnh báo: every problem of every file read, and those of the receipts book."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.merge.submissions import ACCEPTED, LATE, ON_TIME, OVERDUE, VERDICT_LABELS
from consolidate.merge.summary.common import COLOURS, PROBLEMS, SEVERITY_LABELS, Sheet, problems_of

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer

NOT_BLOCKING = "Cảnh báo (không chặn)"  # an error the definition says only warns
ACCEPTED_ERROR = "Lỗi (đã chấp nhận)"  # the specialist accepted the return despite it


def _severity(w: Writer, p, accepted: bool) -> str:
    if p.severity == "error" and not w.d.blocks(p):
        return NOT_BLOCKING
    if p.severity == "error" and accepted:
        return ACCEPTED_ERROR
    return SEVERITY_LABELS.get(p.severity, p.severity)



def problems(w: Writer) -> None:
    s = Sheet(w, PROBLEMS)
    row = s.title([f"LỖI VÀ CẢNH BÁO - {w.decision.period.label}", *w.heading()])
    # field id and problem code: last, for filtering on screen, outside the printed area
    labels = ["STT", "Tệp", "Kết quả xử lý tệp", "Mã đơn vị", "Tên đơn vị", "Trang", "Ô",
              "Mức độ", "Nội dung", "Trường", "Mã lỗi"]
    s.header(row, labels, [5, 32, 14, 10, 26, 18, 7, 11, 70, 18, 22])
    s.unprinted_from = 9
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    r = row
    for decision in w.decision.files:
        checked = decision.submission.checked
        unit = w.d.unit(decision.unit_code or checked.unit_code)
        status = w.decision.unit(unit.code) if unit else None
        accepted = (decision.verdict == ACCEPTED and status is not None and status.decision == "accept"
                    and status.used is decision.submission)
        for p in problems_of(checked):
            r += 1
            s.number(r, 0, r - row, border)
            s.text(r, 1, decision.file, border)
            s.text(r, 2, VERDICT_LABELS[decision.verdict], border)
            s.text(r, 3, unit.code if unit else (checked.unit_code or ""), border)
            s.text(r, 4, unit.name if unit else "", border)
            s.text(r, 5, p.sheet or "", border)
            s.text(r, 6, p.cell or "", border)
            s.text(r, 7, _severity(w, p, accepted), border)
            s.text(r, 8, p.message_vi, wrap)
            s.text(r, 9, p.field_id or "", border)
            s.text(r, 10, p.code, border)
    for p in w.data.extra_problems:
        r += 1
        s.number(r, 0, r - row, border)
        s.text(r, 1, p.file or "", border)
        for col in (2, 3, 4, 5):
            s.text(r, col, "", border)
        s.text(r, 6, p.path or p.cell or "", border)
        s.text(r, 7, SEVERITY_LABELS.get(p.severity, p.severity), border)
        s.text(r, 8, p.message_vi, wrap)
        s.text(r, 9, p.field_id or "", border)
        s.text(r, 10, p.code, border)
    s.colour_labels(row + 1, r, 7, {"Lỗi": COLOURS[OVERDUE], "Cảnh báo": COLOURS[LATE],
                                    NOT_BLOCKING: COLOURS[LATE], ACCEPTED_ERROR: COLOURS[ON_TIME]})
    s.table_frame(row, r, len(labels) - 1, freeze_col=2)
