"""The reminder list (nhắc nhở, đôn đốc): one row per unit that is missing, late or invalid,
with a ready-to-send Vietnamese message in the register of an official reminder.

Messages are built from the definition (collector, sender, plan reference, period label and
deadline) and the unit; the wording differs by situation:

- ``not_yet_due``: missing before the deadline — a gentle reminder of the coming deadline;
- ``overdue``: missing after the deadline — send without delay, N days overdue;
- ``unreadable``: what the unit sent could not be opened — send again in the template;
- ``late``: received, N days late — mind the deadline next time;
- ``invalid``: received with errors — fix as marked in the attached file and send again
  before a date.

Days overdue use the merge's own arithmetic (``submissions.days_late``): "trước ngày X"
means the last on-time day is X − 1, so a missing report on day X is 1 day overdue.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.definition.model import Definition, Period, Unit
from consolidate.merge.submissions import (
    INVALID,
    LATE,
    MISSING,
    MISSING_LABELS,
    NOT_YET_DUE,
    OVERDUE,
    STATUS_LABELS,
    days_late,
)
from consolidate.vntime import date_text, datetime_text, local_date
from consolidate.xlsx.printing import page_header, readable_print
from consolidate.xlsx.safe import SafeWorkbook, atomic_output, needs_quote_prefix

LIST_XLSX = "nhac-nho.xlsx"
LIST_CSV = "nhac-nho.csv"
UNREADABLE = "unreadable"  # a file nobody could open and no unit could be matched to
UNREADABLE_LABEL = "Tệp không đọc được"

# (csv key, xlsx heading, width)
COLUMNS = (
    ("ma_don_vi", "Mã đơn vị", 10),
    ("ten_don_vi", "Tên đơn vị", 30),
    ("nhom", "Nhóm đơn vị", 20),
    ("nguoi_lien_he", "Người liên hệ", 18),
    ("email", "Thư điện tử", 26),
    ("dien_thoai", "Điện thoại", 14),
    ("trang_thai", "Tình trạng", 18),
    ("ma_trang_thai", "Mã tình trạng", 12),
    ("chi_tiet", "Chi tiết tình trạng", 12),
    ("so_ngay_qua_han", "Số ngày quá hạn", 10),
    ("so_loi", "Số lỗi", 8),
    ("so_canh_bao", "Số cảnh báo", 8),
    ("tep_da_nhan", "Tệp đã nhận", 28),
    ("thoi_diem_nhan", "Thời điểm nhận", 16),
    ("tep_dinh_kem", "Tệp gửi kèm", 36),
    ("tieu_de", "Tiêu đề thư", 40),
    ("noi_dung", "Nội dung thư", 90),
    ("ghi_chu", "Ghi chú", 40),
)
NUMERIC = {"so_ngay_qua_han", "so_loi", "so_canh_bao"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass
class Reminder:
    """One row of the list; `kind` picks the message (see the module docstring)."""

    unit: Unit | None
    status: str  # missing | late | invalid | unreadable (no unit)
    kind: str  # not_yet_due | overdue | unreadable | late | invalid
    missing_state: str | None = None
    days_overdue: int | None = None
    days_left: int | None = None  # not yet due: days until the deadline
    errors: int = 0
    warnings: int = 0
    file: str = ""  # the file received (used, or the unreadable one)
    received_at: dt.datetime | None = None
    attachment: Path | None = None
    attachment_name: str = ""  # relative to the output folder
    reasons: list[str] = field(default_factory=list)  # for the unit: why its files were not used
    notes: list[str] = field(default_factory=list)  # for the specialist (the list's notes column)
    subject: str = ""
    message: str = ""
    group_label: str = ""
    due_before: dt.date | None = None  # the unit's own deadline (an extension), else the period's

    @property
    def code(self) -> str:
        return self.unit.code if self.unit else ""

    @property
    def label(self) -> str:
        if self.status == UNREADABLE:
            return UNREADABLE_LABEL
        if self.status == MISSING and self.missing_state:
            return MISSING_LABELS[self.missing_state]
        return STATUS_LABELS[self.status]

    def row(self) -> dict[str, object]:
        u = self.unit
        return {
            "ma_don_vi": u.code if u else "",
            "ten_don_vi": u.name if u else "",
            "nhom": self.group_label,
            "nguoi_lien_he": u.contact if u else "",
            "email": u.email if u else "",
            "dien_thoai": u.phone if u else "",
            "trang_thai": self.label,
            "ma_trang_thai": self.status,
            "chi_tiet": self.missing_state or (UNREADABLE if self.kind == UNREADABLE else ""),
            "so_ngay_qua_han": self.days_overdue,
            "so_loi": self.errors,
            "so_canh_bao": self.warnings,
            "tep_da_nhan": self.file,
            "thoi_diem_nhan": datetime_text(self.received_at),
            "tep_dinh_kem": self.attachment_name,
            "tieu_de": self.subject,
            "noi_dung": self.message,
            "ghi_chu": " ".join(self.notes),
        }


def overdue_days(as_of: dt.datetime, period: Period, due_before: dt.date | None = None) -> int:
    """Days since the deadline (the unit's own after an extension) as of `as_of` (0 before
    it), as the merge counts days late."""
    return days_late(as_of, period, due_before)


def resend_before(as_of: dt.datetime, period: Period, resend_days: int, due_before: dt.date | None = None) -> dt.date:
    """"Gửi lại trước ngày …": `resend_days` full days from today, never before the deadline
    (the unit's own after an extension)."""
    return max(due_before or period.due_before, local_date(as_of) + dt.timedelta(days=resend_days + 1))


# --------------------------------------------------------------------------- messages


@dataclass
class Context:
    definition: Definition
    period: Period
    as_of: dt.datetime
    resend_days: int = 3
    unit_due: dt.date | None = None  # one unit's own deadline, while composing its letter

    @property
    def collector(self) -> str:
        return self.definition.collector.name

    @property
    def due(self) -> str:
        return date_text(self.unit_due or self.period.due_before)

    @property
    def today(self) -> str:
        return date_text(local_date(self.as_of))

    @property
    def resend(self) -> str:
        return date_text(resend_before(self.as_of, self.period, self.resend_days, self.unit_due))

    @property
    def report(self) -> str:
        """'báo cáo kết quả thực hiện …, kỳ 6 tháng đầu năm 2026'."""
        title = self.definition.title.strip()
        if title[:7].casefold() == "báo cáo":
            phrase = "báo cáo" + title[7:]
        else:
            phrase = "báo cáo " + title[:1].lower() + title[1:]
        return f"{phrase}, kỳ {self.period.label}"

    @property
    def plan(self) -> str:
        d = self.definition
        ref = d.plan_reference.strip()
        if not ref:
            return f"kế hoạch của {d.issuer}"
        if " của " not in ref and d.issuer:
            ref = f"{ref} của {d.issuer}"
        return ref

    @property
    def send_to(self) -> str:
        c = self.definition.collector
        return f"{c.name} (thư điện tử: {c.email})" if c.email else c.name

    @property
    def short(self) -> str:
        return self.definition.short_title or self.definition.title

    def signature(self) -> str:
        c = self.definition.collector
        lines = []
        if c.sender and c.sender.casefold() != c.name.casefold():
            lines.append(c.sender)
        lines.append(c.name)
        contact = []
        if c.phone:
            contact.append(f"Điện thoại: {c.phone}")
        if c.email:
            contact.append(f"Thư điện tử: {c.email}")
        if contact:
            lines.append("; ".join(contact))
        return "\n".join(lines)


COMMUNE_KINDS = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ")


def addressee(name: str) -> str:
    """A commune is written to through its People's Committee: 'Phường Bình Thuận' →
    'Ủy ban nhân dân phường Bình Thuận'; other units are addressed by their own name."""
    for kind in COMMUNE_KINDS:
        if name.startswith(kind):
            return f"Ủy ban nhân dân {kind.lower()}{name[len(kind):]}"
    return name


def _letter(to: str, paragraphs: list[str], ctx: Context) -> str:
    body = "\n\n".join(p for p in paragraphs if p)
    return nfc(f"Kính gửi: {to}\n\n{body}\n\nTrân trọng.\n\n{ctx.signature()}\n")


def compose(rem: Reminder, ctx: Context) -> tuple[str, str]:
    """Subject and message of one reminder."""
    name = rem.unit.name if rem.unit else f"Đơn vị gửi tệp “{rem.file}”"
    c = ctx.collector
    attach_note = "theo biểu mẫu gửi kèm" if rem.attachment_name else "theo biểu mẫu đã được gửi"
    reasons = " ".join(r.rstrip(".") + "." for r in rem.reasons)
    # an extension gives the unit its own deadline: the letter quotes that one
    ctx = dataclasses.replace(ctx, unit_due=rem.due_before) if rem.due_before else ctx
    if rem.kind == NOT_YET_DUE:
        subject = f"Nhắc gửi báo cáo {ctx.short}, kỳ {ctx.period.label} (hạn trước ngày {ctx.due})"
        paragraphs = [
            f"Thực hiện {ctx.plan}, {c} đề nghị {name} gửi {ctx.report} về {ctx.send_to} "
            f"trước ngày {ctx.due} (còn {rem.days_left} ngày).",
            f"Đến ngày {ctx.today}, {c} chưa nhận được báo cáo của đơn vị. {c} đề nghị đơn vị "
            f"chủ động hoàn thành báo cáo {attach_note} và gửi đúng thời hạn nêu trên để kịp tổng hợp.",
            reasons,
        ]
    elif rem.kind == OVERDUE:
        subject = f"Đôn đốc gửi báo cáo {ctx.short}, kỳ {ctx.period.label} (đã quá hạn {rem.days_overdue} ngày)"
        paragraphs = [
            f"Theo {ctx.plan}, {ctx.report} gửi về {c} trước ngày {ctx.due}. Đến ngày {ctx.today}, "
            f"{c} chưa nhận được báo cáo của {name}; báo cáo đã quá hạn {rem.days_overdue} ngày.",
            reasons,
            f"{c} đề nghị {name} khẩn trương hoàn thành báo cáo {attach_note} và gửi về {ctx.send_to} "
            f"trước ngày {ctx.resend} để kịp tổng hợp, báo cáo theo quy định.",
        ]
    elif rem.kind == UNREADABLE:
        subject = f"Đề nghị gửi lại báo cáo {ctx.short}, kỳ {ctx.period.label} (tệp không đọc được)"
        received = f" ngày {date_text(local_date(rem.received_at))}" if rem.received_at else ""
        paragraphs = [
            f"Thực hiện {ctx.plan}, {c} đã nhận được{received} tệp “{rem.file}” gửi {ctx.report} "
            f"(hạn gửi trước ngày {ctx.due}), nhưng không mở được tệp để tổng hợp. {reasons}".strip(),
            f"{c} đề nghị {'đơn vị' if rem.unit is None else name} nhập số liệu vào biểu mẫu gửi kèm (lưu dạng "
            f"Excel .xlsx, không đặt mật khẩu) và gửi lại về {ctx.send_to} trước ngày {ctx.resend}.",
        ]
    elif rem.kind == LATE:
        subject = f"Ghi nhận báo cáo {ctx.short}, kỳ {ctx.period.label} gửi chậm {rem.days_overdue} ngày"
        received = date_text(local_date(rem.received_at)) if rem.received_at else ctx.today
        paragraphs = [
            f"{c} đã nhận được {ctx.report} của {name} vào ngày {received}. Theo {ctx.plan}, hạn gửi "
            f"báo cáo là trước ngày {ctx.due}; báo cáo của đơn vị gửi chậm {rem.days_overdue} ngày so với thời hạn.",
            (f"Báo cáo có {rem.warnings} nội dung cần xem lại, đã được đánh dấu trong tệp gửi kèm; đề nghị "
             "đơn vị kiểm tra, nếu cần điều chỉnh thì gửi lại bản đã sửa.") if rem.warnings else "",
            f"{c} đề nghị {name} lưu ý, bố trí thực hiện để gửi báo cáo đúng thời hạn trong các kỳ báo cáo tiếp theo.",
        ]
    elif rem.kind == INVALID:
        subject = f"Đề nghị sửa và gửi lại báo cáo {ctx.short}, kỳ {ctx.period.label} ({rem.errors} lỗi)"
        received = date_text(local_date(rem.received_at)) if rem.received_at else ""
        got = f" (tệp “{rem.file}”" + (f", nhận ngày {received})" if received else ")")
        extra = f" và {rem.warnings} nội dung cần xem lại" if rem.warnings else ""
        overdue = (f" Hạn gửi báo cáo là trước ngày {ctx.due}; đến ngày {ctx.today} đơn vị chưa có báo cáo "
                   f"hợp lệ (quá hạn {rem.days_overdue} ngày).") if rem.days_overdue else ""
        paragraphs = [
            f"Thực hiện {ctx.plan}, {c} đã nhận được {ctx.report} của {name}{got}. Qua kiểm tra, báo cáo "
            f"còn {rem.errors} lỗi{extra} nên chưa thể đưa vào tổng hợp.{overdue}",
            "Các ô có lỗi đã được tô màu và ghi chú cách sửa trong tệp gửi kèm (xem trang “Danh sách lỗi” "
            "ở đầu tệp).",
            f"{c} đề nghị {name} sửa theo tệp đính kèm và gửi lại về {ctx.send_to} trước ngày {ctx.resend}.",
        ]
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(rem.kind)
    return nfc(subject), _letter(addressee(name), paragraphs, ctx)


# --------------------------------------------------------------------------- the list files


def write_csv(reminders: list[Reminder], path: str | Path) -> Path:
    """UTF-8 with BOM (Excel opens it right), CRLF, one header row of ASCII keys for mail
    merge; text that a spreadsheet would take for a formula gets a leading apostrophe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([key for key, _, _ in COLUMNS])
    for rem in reminders:
        row = rem.row()
        out = []
        for key, _, _ in COLUMNS:
            value = row[key]
            text = "" if value is None else str(value)
            out.append("'" + text if needs_quote_prefix(text) else text)
        writer.writerow(out)
    target = Path(path)
    with atomic_output(target) as tmp:
        tmp.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return target


def write_xlsx(reminders: list[Reminder], path: str | Path, ctx: Context) -> Path:
    """Headings on row 1 (a mail-merge source as well as a list to read), one row per unit."""
    target = Path(path)
    with atomic_output(target) as tmp:
        wb = SafeWorkbook(str(tmp))
        wb.set_properties({
            "title": f"Danh sách nhắc nhở - {ctx.short} - {ctx.period.label}",
            "author": ctx.collector,
            "company": ctx.definition.issuer,
            "created": dt.datetime(ctx.period.due_before.year, ctx.period.due_before.month, ctx.period.due_before.day),
        })
        ws = wb.add_worksheet("Nhắc nhở")
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top", "border": 1}
        th = wb.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
                            "bg_color": "#D9E1F2"})
        text = wb.add_format({**base, "text_wrap": True})
        quoted = wb.add_format({**base, "text_wrap": True, "quote_prefix": True})
        number = wb.add_format({**base, "align": "center"})
        fills = {
            MISSING: wb.add_format({**base, "text_wrap": True, "bg_color": "#F8CBAD"}),
            INVALID: wb.add_format({**base, "text_wrap": True, "bg_color": "#FF9999"}),
            LATE: wb.add_format({**base, "text_wrap": True, "bg_color": "#FFE699"}),
            UNREADABLE: wb.add_format({**base, "text_wrap": True, "bg_color": "#D9D9D9"}),
        }
        for c, (_, heading, width) in enumerate(COLUMNS):
            ws.write_string(0, c, heading, th)
            ws.set_column(c, c, width)
        ws.set_row(0, 32)
        for r, rem in enumerate(reminders, start=1):
            row = rem.row()
            for c, (key, _, _) in enumerate(COLUMNS):
                value = row[key]
                if key in NUMERIC:
                    if value is None:
                        ws.write_blank(r, c, None, number)
                    else:
                        ws.write_number(r, c, value, number)
                    continue
                value = "" if value is None else str(value)
                fmt = fills.get(rem.status, text) if key == "trang_thai" else (quoted if needs_quote_prefix(value) else text)
                ws.write_string(r, c, value, fmt)
            ws.set_row(r, 90)
        last_row = max(1, len(reminders))
        ws.autofilter(0, 0, last_row, len(COLUMNS) - 1)
        ws.freeze_panes(1, 2)
        ws.repeat_rows(0)
        # the list is wide (a mail merge source): split across pages at a readable size with
        # the unit's code and name repeated, never shrunk to one page
        readable_print(ws, len(COLUMNS) - 1, key_cols=2, smallest_pt=12)
        page_header(ws, "Danh sách đơn vị cần nhắc", "")
        wb.close()
    return target


__all__ = [
    "COLUMNS", "LIST_CSV", "LIST_XLSX", "UNREADABLE", "Context", "Reminder", "compose", "overdue_days",
    "resend_before", "write_csv", "write_xlsx",
]
