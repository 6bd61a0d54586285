"""What intake's register says about a period's mail, for the merge: every message taken
(so nothing a unit sent goes unlisted), the messages of a unit that held no usable
spreadsheet (its status and reminder say so), and messages from unknown addresses.

Shown as notices (screen, Tổng quan, status JSON), per unit in the status JSON
(``mail_without_return``) and as the top-level ``messages`` list.
"""

from __future__ import annotations

from typing import Any

from consolidate.definition.model import Definition
from consolidate.i18n import Join, Plural, Text
from consolidate.merge.notices import Notice
from consolidate.merge.receipts import iso
from consolidate.merge.submissions import INVALID, MISSING, Decision
from consolidate.vntime import datetime_text

NO_SPREADSHEET = "no-spreadsheet"


def period_messages(register, definition: Definition, period_id: str) -> list[dict]:
    return [m for m in register.messages(period_id) if m["report_id"] in ("", definition.id)]


def entry(message: dict) -> dict[str, Any]:
    return {
        "message_id": message["message_id"] or None,
        "sender": message["sender"],
        "subject": message["subject"],
        "received_at": iso(message["received_at"]),
        "unit_code": message["unit_code"] or None,
        "outcome": message["outcome"],
        "files": [f["name"] for f in message["files"]],
        "notes": list(message["notes"]),
    }


def without_return(messages: list[dict]) -> dict[str, list[dict]]:
    """Unit code -> its messages that held no spreadsheet, oldest first."""
    out: dict[str, list[dict]] = {}
    for m in messages:
        if m["unit_code"] and m["outcome"] == NO_SPREADSHEET:
            out.setdefault(m["unit_code"], []).append(m)
    return out


def describe(message: dict) -> Text:
    """`thư “Báo cáo Sở Y tế” của syt@… ngày 03/06/2026 11:00`"""
    return Text("thư “{subject}” của {sender} ngày {date}", subject=message["subject"], sender=message["sender"] or "?",
                date=datetime_text(message["received_at"]))


def mail_notices(decision: Decision, messages: list[dict]) -> list[Notice]:
    found: list[Notice] = []
    owing = {u.unit.code for u in decision.units if u.status in (MISSING, INVALID)}
    empty = {code: ms for code, ms in without_return(messages).items() if code in owing}
    if empty:
        n = len(empty)
        listed = Join("; ", [Join(": ", [code, describe(ms[-1])])
                             for code, ms in sorted(empty.items())])
        found.append(Notice("mail-without-return", n, Plural(
            "{n} đơn vị đã gửi thư nhưng thư không kèm tệp bảng tính của biểu mẫu ({listed})",
            "{n} đơn vị đã gửi thư nhưng thư không kèm tệp bảng tính của biểu mẫu ({listed})", n, listed=listed)))
    strangers = [m for m in messages if not m["unit_code"]]
    if strangers:
        n = len(strangers)
        listed = Join("; ", [Join(" → ", [describe(m), ", ".join(f["name"] for f in m["files"])]) if m["files"]
                             else describe(m) for m in strangers[:10]])
        found.append(Notice("mail-unknown-sender", n, Plural(
            "{n} thư từ địa chỉ không có trong danh sách đơn vị; tệp bảng tính kèm theo được tính theo mã đơn vị "
            "trong tệp ({listed})",
            "{n} thư từ địa chỉ không có trong danh sách đơn vị; tệp bảng tính kèm theo được tính theo mã đơn vị "
            "trong tệp ({listed})", n, listed=listed)))
    return found


def add_to_status(document: dict[str, Any], messages: list[dict]) -> None:
    """The status JSON's `messages` and each unit's `mail_without_return`."""
    document["messages"] = [entry(m) for m in messages]
    empty = without_return(messages)
    for code, unit in document["units"].items():
        unit["mail_without_return"] = [entry(m) for m in empty.get(code, [])]
