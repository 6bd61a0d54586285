"""Quyết định của chuyên viên and Kiểm tra số liệu: the specialist's decisions, the
data-quality flags and the comparison with the previous period. Each sheet is written only
when it has something to show; the Tổng quan says so either way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.i18n import _
from consolidate.merge.summary.common import DECISIONS, QUALITY, Sheet

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer

CHECK_LABELS = {
    "peer-outlier": "Khác xa các đơn vị cùng nhóm",
    "jump": "Gấp 10/100/1000 lần kỳ trước",
    "cumulative-decrease": "Số cộng dồn giảm so với kỳ trước",
}
CHECK_HINTS = {
    "peer-outlier": "Điểm z hiệu chỉnh (trung vị, MAD) vượt 3,5: kiểm tra có gõ nhầm hàng nghìn, nhầm đơn vị tính?",
    "jump": "Có thể gõ nhầm dấu phân cách hàng nghìn (ví dụ 5.000 thay cho 5).",
    "cumulative-decrease": "Kỳ này gồm cả kỳ trước nên số cộng dồn không thể nhỏ hơn.",
}


def decided(w: Writer) -> list:
    """Units with a decision in force or one that no longer applies, definition order."""
    return [u for u in [*w.decision.units, *w.decision.exempt] if u.ruling is not None or u.stale_ruling is not None]


def decision_text(u) -> str:
    """The decision as the unit's row of Tình hình nộp báo cáo shows it."""
    if u.ruling is not None:
        ruling = u.ruling
        text = ruling.label
        if ruling.extend_to:
            text += _(" đến hết {day:%d/%m/%Y}").format(day=ruling.extend_to)
        return f"{text}: {ruling.note}" if ruling.note else text
    if u.stale_ruling is not None:
        return _("{label} (không còn áp dụng: đơn vị đã gửi bản mới)").format(label=u.stale_ruling.label)
    return ""


def decisions(w: Writer) -> None:
    units = decided(w)
    if not units:
        return
    s = Sheet(w, DECISIONS)
    row = s.title([f"QUYẾT ĐỊNH CỦA CHUYÊN VIÊN - {w.decision.period.label}", *w.heading(),
                   "Ghi bằng lệnh 'consolidate review'; mọi quyết định được lưu trong sổ theo dõi, không bị ghi đè."])
    labels = ["STT", "Mã đơn vị", "Tên đơn vị", "Quyết định", "Ghi chú", "Người quyết định", "Thời điểm",
              "Hạn riêng (hết ngày)", "Bản nộp được quyết định", "Còn áp dụng", "Tình trạng hiện nay"]
    s.header(row, labels, [5, 10, 30, 16, 40, 14, 16, 12, 30, 26, 18])
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    for i, u in enumerate(units):
        r = row + 1 + i
        ruling = u.ruling or u.stale_ruling
        s.number(r, 0, i + 1, border)
        s.text(r, 1, u.unit.code, border)
        s.text(r, 2, u.unit.name, border)
        s.text(r, 3, ruling.label, border)
        s.text(r, 4, ruling.note, wrap)
        s.text(r, 5, ruling.user, border)
        s.when(r, 6, ruling.made_at)
        s.text(r, 7, f"{ruling.extend_to:%d/%m/%Y}" if ruling.extend_to else "", border)
        s.text(r, 8, _made_on(u, ruling), border)
        s.text(r, 9, "Có" if u.ruling is not None else "Không: đơn vị đã gửi bản mới, được xét lại", wrap)
        s.text(r, 10, u.label, border)
    s.table_frame(row, row + len(units), len(labels) - 1, freeze_col=3)


def _made_on(u, ruling) -> str:
    if not ruling.sha256:
        return ""
    used = next((sub.file for sub in u.submissions if sub.sha256 == ruling.sha256), "")
    return used or f"SHA-256 {ruling.sha256[:12]}…"


def quality(w: Writer) -> None:
    findings = w.data.findings
    if findings is None or not (findings.flags or findings.comparison):
        return
    s = Sheet(w, QUALITY)
    lines = [f"KIỂM TRA SỐ LIỆU - {w.decision.period.label}", *w.heading(),
             "Chỉ là cảnh báo để xem lại: không số liệu nào bị sửa hay loại khỏi tổng hợp."]
    if findings.comparison:
        previous = next((p.label for p in w.d.periods if p.id == findings.comparison["period"]),
                        findings.comparison["period"])
        source = "tệp --compare-with" if findings.comparison["source"] == "file" else "sổ theo dõi"
        lines.append(f"So sánh với kỳ trước: {previous} (theo {source}).")
    row = s.title(lines)
    labels = ["STT", "Mã đơn vị", "Tên đơn vị", "Chỉ tiêu", "Kiểm tra", "Giá trị", "Đối chiếu", "Điểm / tỷ lệ",
              "Gợi ý"]
    s.header(row, labels, [5, 10, 28, 36, 26, 12, 12, 11, 50])
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    num = w.style(border=1, num_format="#,##0.##")
    for i, flag in enumerate(findings.flags):
        r = row + 1 + i
        unit = w.d.unit(flag.unit) if flag.unit else None
        fld = w.d.field(flag.field)
        s.number(r, 0, i + 1, border)
        s.text(r, 1, flag.unit or "", border)
        s.text(r, 2, unit.name if unit else "Toàn tỉnh", border)
        s.text(r, 3, fld.label if fld else flag.field, wrap)
        s.text(r, 4, CHECK_LABELS.get(flag.check, flag.check), wrap)
        s.number(r, 5, flag.value, num)
        s.number(r, 6, flag.reference, num)
        s.number(r, 7, flag.score, num)
        s.text(r, 8, CHECK_HINTS.get(flag.check, ""), wrap)
    last = row + max(1, len(findings.flags))
    if not findings.flags:
        s.text(row + 1, 1, "Không phát hiện số liệu bất thường.", w.style(italic=True))
    s.table_frame(row, last, len(labels) - 1, freeze_col=3)
    if findings.comparison:
        _comparison(w, s, last + 3, findings.comparison)


def _comparison(w: Writer, s: Sheet, row: int, comparison: dict) -> None:
    """Per field for the province, then per unit: this period, the previous one, the change."""
    s.text(row, 0, "SO SÁNH VỚI KỲ TRƯỚC", w.style(bold=True, font_size=12))
    row += 1
    labels = ["STT", "Mã đơn vị", "Tên đơn vị", "Chỉ tiêu", "Kỳ này", "Kỳ trước", "Chênh lệch"]
    head = w.style(bold=True, text_wrap=True, align="center", bg_color="#D9E1F2", border=1)
    for col, label in enumerate(labels):
        s.text(row, col, label, head)
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    num = w.style(border=1, num_format="#,##0.##")
    rows = [(None, fid, change) for fid, change in comparison["fields"].items()]
    for unit in w.d.units:
        for fid, change in comparison["units"].get(unit.code, {}).items():
            rows.append((unit, fid, change))
    for i, (unit, fid, change) in enumerate(rows):
        r = row + 1 + i
        fld = w.d.field(fid)
        s.number(r, 0, i + 1, border)
        s.text(r, 1, unit.code if unit else "", border)
        s.text(r, 2, unit.name if unit else "Toàn tỉnh", border)
        s.text(r, 3, fld.label if fld else fid, wrap)
        s.number(r, 4, change["value"], num)
        s.number(r, 5, change["previous"], num)
        s.number(r, 6, change["change"], num)


def overview_lines(w: Writer) -> list[str]:
    """What the Tổng quan says beyond the counts: notices, decisions, checks, roll-ups."""
    findings = w.data.findings
    lines = [f"Lưu ý: {n.message}" for n in (findings.notices if findings else [])]
    units = decided(w)
    if units:
        lines.append(f"{len(units)} đơn vị có quyết định của chuyên viên (trang '{DECISIONS}').")
    if w.decision.exempt:
        names = ", ".join(u.unit.name for u in w.decision.exempt)
        lines.append(f"Được miễn báo cáo kỳ này (không tính vào số phải nộp): {names}.")
    if findings is not None:
        if findings.flags:
            lines.append(f"{len(findings.flags)} số liệu cần kiểm tra (trang '{QUALITY}').")
        else:
            lines.append("Kiểm tra số liệu: không phát hiện số liệu bất thường.")
    plain = [t.field.label for t in w.agg.fields if t.field.aggregate == "mean" and not t.field.weight]
    if plain:
        lines.append("Trung bình cộng của các đơn vị (không trọng số): " + "; ".join(plain) + ".")
    return lines
