"""Email drafts (.eml) of the reminders: open one in Outlook or Thunderbird, check, send.

Standard library only (`email.message.EmailMessage`, `policy=email.policy.SMTP`): UTF-8
text/plain body, the annotated file or blank template attached with the xlsx MIME type and
its file name encoded per RFC 2231 when it is not ASCII, and `X-Unsent: 1` so that Outlook
opens the file as an unsent draft.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import mimetypes
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from consolidate.definition.naming import ascii_slug
from consolidate.feedback.reminders import Reminder
from consolidate.xlsx.safe import atomic_output

DRAFTS_DIR = "thu-nhap"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def draft_name(rem: Reminder) -> str:
    if rem.unit is None:
        return f"_tep-{ascii_slug(Path(rem.file).stem, 40) or 'khong-ro'}.eml"
    return f"{ascii_slug(rem.unit.code, 20) or 'don-vi'}_{ascii_slug(rem.unit.name)}.eml"


def _mime_type(path: Path) -> tuple[str, str]:
    if path.suffix.lower() == ".xlsx":
        return XLSX_TYPE
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed and "/" in guessed:
        main, sub = guessed.split("/", 1)
        return main, sub
    return "application", "octet-stream"


def _address(name: str, addr: str) -> str:
    """'Tên <a@b>' with the display name encoded by the policy; bare address when the
    address does not split into user@domain."""
    addr = addr.strip()
    if not addr:
        return ""
    user, _, domain = addr.rpartition("@")
    if not user or not domain:
        return addr
    try:
        return str(Address(display_name=name, username=user, domain=domain))
    except (ValueError, IndexError):
        return addr


def build_draft(rem: Reminder, sender_name: str, sender_email: str, date: dt.datetime | None = None) -> EmailMessage:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = _address(sender_name, sender_email)
    msg["To"] = _address(rem.unit.name, rem.unit.email) if rem.unit and rem.unit.email else ""
    msg["Subject"] = rem.subject
    if date is not None:
        msg["Date"] = email.utils.format_datetime(date)
    msg["X-Unsent"] = "1"
    msg.set_content(rem.message, subtype="plain", charset="utf-8", cte="quoted-printable")
    if rem.attachment is not None:
        path = Path(rem.attachment)
        maintype, subtype = _mime_type(path)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def write_draft(rem: Reminder, folder: str | Path, sender_name: str, sender_email: str,
                date: dt.datetime | None = None) -> Path:
    target = Path(folder) / draft_name(rem)
    data = build_draft(rem, sender_name, sender_email, date).as_bytes()
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)
    return target


__all__ = ["DRAFTS_DIR", "XLSX_TYPE", "build_draft", "draft_name", "write_draft"]
