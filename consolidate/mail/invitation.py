"""The mail that takes each unit its template (`consolidate templates --eml DIR`): one draft
per unit, its own prefilled template attached, addressed from the units list, worded for
the period and the deadline in the register of an official request, with the plan's
copy-to bodies in Cc. Same drafts module and letter conventions as the reminders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.definition.model import Definition, Period, Unit
from consolidate.definition.naming import ascii_slug
from consolidate.feedback.reminders import Context, addressee, nfc
from consolidate.mail.drafts import Draft, copy_to, copy_to_without_address, write_eml
from consolidate.mail.headers import split_addresses


@dataclass
class Invitations:
    """What `write_invitations` wrote."""

    drafts: list[Path] = field(default_factory=list)
    no_address: list[Unit] = field(default_factory=list)  # drafts written with no To
    cc: list[tuple[str, str]] = field(default_factory=list)
    cc_without_address: list[str] = field(default_factory=list)


def invitation_name(unit: Unit) -> str:
    return f"{ascii_slug(unit.code, 20) or 'don-vi'}_{ascii_slug(unit.name)}.eml"


def compose_invitation(unit: Unit, ctx: Context, copies: list[str]) -> tuple[str, str]:
    """Subject and text of the mail that sends a unit its template."""
    c, name = ctx.collector, unit.name
    subject = f"Đề nghị gửi báo cáo {ctx.short}, kỳ {ctx.period.label} (hạn trước ngày {ctx.due})"
    also = f" (đồng gửi {', '.join(copies)})" if copies else ""
    paragraphs = [
        f"Thực hiện {ctx.plan}, {c} gửi {name} biểu mẫu {ctx.report} (tệp đính kèm, đã điền sẵn mã, "
        "tên đơn vị, kỳ báo cáo và hạn gửi).",
        f"Đề nghị {name} nhập số liệu, nội dung vào biểu mẫu gửi kèm (giữ nguyên các trang và ô đã khóa, "
        f"lưu dạng Excel .xlsx, không đặt mật khẩu) và gửi về {ctx.send_to}{also} trước ngày {ctx.due}. "
        "Khi gửi, đề nghị trả lời thư này và đính kèm tệp báo cáo.",
        "Báo cáo nhận được từ ngày hạn trở đi được ghi nhận là gửi chậm; thời điểm nhận là thời điểm "
        "máy chủ thư điện tử nhận được thư.",
    ]
    body = "\n\n".join(paragraphs)
    return nfc(subject), nfc(f"Kính gửi: {addressee(name)}\n\n{body}\n\nTrân trọng.\n\n{ctx.signature()}\n")


def write_invitations(definition: Definition, period: Period, templates: dict[str, Path], out_dir: str | Path,
                      as_of: dt.datetime | None = None) -> Invitations:
    """One draft per unit of `templates` (unit code -> its template file) into `out_dir`."""
    from consolidate.vntime import now

    ctx = Context(definition, period, as_of or now())
    result = Invitations(cc=copy_to(definition), cc_without_address=copy_to_without_address(definition))
    copies = [name for name, _ in result.cc if name] + result.cc_without_address
    sender = (definition.collector.name, definition.collector.email)
    out = Path(out_dir)
    for code, template in templates.items():
        unit = definition.unit(code)
        if unit is None:
            continue
        subject, body = compose_invitation(unit, ctx, copies)
        draft = Draft(sender=sender, to=(unit.name, unit.email), subject=subject, body=body, cc=list(result.cc),
                      attachments=[Path(template)], report_id=definition.id, period=period.id, unit_code=unit.code)
        result.drafts.append(write_eml(draft, out / invitation_name(unit)))
        if not split_addresses(unit.email):
            result.no_address.append(unit)
    return result


__all__ = ["Invitations", "compose_invitation", "invitation_name", "write_invitations"]
