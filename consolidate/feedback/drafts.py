"""Email drafts (.eml) of the reminders: open one in Outlook or Thunderbird and send it, or
send the folder with `consolidate send`. Built by consolidate.mail.drafts (headers that
decode exactly, attachments, Message-ID); this module only says what a reminder's draft
holds: the unit as To, the plan's copy-to bodies as Cc, the reminder's text and file, and
the reply headers when the unit wrote before (consolidate.mail.thread).
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

from consolidate.definition.naming import ascii_slug
from consolidate.feedback.reminders import Reminder
from consolidate.mail.drafts import XLSX_TYPE, Draft, build_message, write_eml
from consolidate.mail.thread import Thread

DRAFTS_DIR = "thu-nhap"


def draft_name(rem: Reminder) -> str:
    if rem.unit is None:
        return f"_tep-{ascii_slug(Path(rem.file).stem, 40) or 'khong-ro'}.eml"
    return f"{ascii_slug(rem.unit.code, 20) or 'don-vi'}_{ascii_slug(rem.unit.name)}.eml"


def reminder_draft(rem: Reminder, sender_name: str, sender_email: str, date: dt.datetime | None = None,
                   cc: list[tuple[str, str]] | None = None, thread: Thread | None = None,
                   report_id: str = "", period: str = "") -> Draft:
    unit = rem.unit
    return Draft(
        sender=(sender_name, sender_email),
        to=(unit.name, unit.email) if unit else ("", ""),
        subject=rem.subject,
        body=rem.message,
        cc=list(cc or []),
        attachments=[Path(rem.attachment)] if rem.attachment is not None else [],
        in_reply_to=thread.in_reply_to if thread else "",
        references=list(thread.references) if thread else [],
        report_id=report_id,
        period=period,
        unit_code=unit.code if unit else "",
        date=date,
    )


def build_draft(rem: Reminder, sender_name: str, sender_email: str, date: dt.datetime | None = None,
                **extra) -> EmailMessage:
    return build_message(reminder_draft(rem, sender_name, sender_email, date, **extra))


def write_draft(rem: Reminder, folder: str | Path, sender_name: str, sender_email: str,
                date: dt.datetime | None = None, **extra) -> Path:
    return write_eml(reminder_draft(rem, sender_name, sender_email, date, **extra), Path(folder) / draft_name(rem))


__all__ = ["DRAFTS_DIR", "XLSX_TYPE", "build_draft", "draft_name", "reminder_draft", "write_draft"]
