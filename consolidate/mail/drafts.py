"""Email drafts (.eml): one message to one unit, ready to open in Outlook or Thunderbird or
to go out through `consolidate send`.

Standard library only (`email.message.EmailMessage` under :data:`consolidate.mail.POLICY`):
UTF-8 text/plain body, files attached with their MIME type and non-ASCII names per RFC 2231,
`X-Unsent: 1` so that Outlook opens the file as an unsent draft. Every draft has a
Message-ID derived from what it says, so the same draft written twice has the same id and
`send` never sends it twice; a changed draft (a new count of days overdue) is a new message.
Cc and the reply headers (In-Reply-To, References) come from the caller; `X-Consolidate-*`
headers name the report, period and unit so the register can say what went to whom.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from consolidate.mail.headers import POLICY, address, header_text, split_addresses
from consolidate.xlsx.safe import atomic_output

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
UNIT_HEADER = "X-Consolidate-Unit"
PERIOD_HEADER = "X-Consolidate-Period"
REPORT_HEADER = "X-Consolidate-Report"


@dataclass
class Draft:
    """What one message says and to whom; addresses are (display name, address) pairs and
    an address cell may hold several addresses (',' or ';')."""

    sender: tuple[str, str]
    to: tuple[str, str]
    subject: str
    body: str
    cc: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Path] = field(default_factory=list)
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    report_id: str = ""
    period: str = ""
    unit_code: str = ""
    date: dt.datetime | None = None

    @property
    def recipients(self) -> list[str]:
        return split_addresses(self.to[1])

    @property
    def cc_recipients(self) -> list[str]:
        own = set(self.recipients)
        out: list[str] = []
        for _, cell in self.cc:
            out.extend(a for a in split_addresses(cell) if a not in own and a not in out)
        return out


def mime_type(path: Path) -> tuple[str, str]:
    if path.suffix.lower() == ".xlsx":
        return XLSX_TYPE
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed and "/" in guessed:
        main, sub = guessed.split("/", 1)
        return main, sub
    return "application", "octet-stream"


def _domain(addr: str) -> str:
    domain = addr.rpartition("@")[2].strip().lower()
    return domain if domain and domain.isascii() and "." in domain else "consolidate.invalid"


def message_id(draft: Draft, attachments: list[bytes]) -> str:
    """`<digest@domain>` over everything the message says (not the time it was written)."""
    digest = hashlib.sha256()
    parts = [draft.sender[1], draft.to[1], *(a for _, a in draft.cc), draft.subject, draft.body, draft.in_reply_to,
             draft.report_id, draft.period, draft.unit_code]
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    for data in attachments:
        digest.update(hashlib.sha256(data).digest())
    return f"<{digest.hexdigest()[:32]}@{_domain(draft.sender[1])}>"


def _addresses(pairs: list[tuple[str, str]]) -> list:
    return [a for a in (address(name, addr) for name, addr in pairs) if a is not None]


def build_message(draft: Draft) -> EmailMessage:
    files = [(path, path.read_bytes()) for path in draft.attachments]
    msg = EmailMessage(policy=POLICY)
    sender = _addresses([draft.sender])
    if sender:
        msg["From"] = sender
    to = _addresses([(draft.to[0], a) for a in draft.recipients])
    if to:
        msg["To"] = to
    cc = _addresses(_cc_pairs(draft))
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = header_text(draft.subject)
    if draft.date is not None:
        msg["Date"] = format_datetime(draft.date)
    msg["Message-ID"] = message_id(draft, [data for _, data in files])
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
        msg["References"] = " ".join(dict.fromkeys([*draft.references, draft.in_reply_to]))
    for name, value in ((REPORT_HEADER, draft.report_id), (PERIOD_HEADER, draft.period), (UNIT_HEADER, draft.unit_code)):
        if value:
            msg[name] = header_text(value)
    msg["X-Unsent"] = "1"
    msg.set_content(draft.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    for path, data in files:
        maintype, subtype = mime_type(path)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def _cc_pairs(draft: Draft) -> list[tuple[str, str]]:
    wanted = set(draft.cc_recipients)
    pairs: list[tuple[str, str]] = []
    for name, cell in draft.cc:
        for a in split_addresses(cell):
            if a in wanted:
                pairs.append((name, a))
                wanted.discard(a)
    return pairs


def write_eml(draft: Draft, path: str | Path) -> Path:
    """The draft as a .eml file, written atomically."""
    target = Path(path)
    data = build_message(draft).as_bytes()
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)
    return target


def _copy_entry(entry) -> tuple[str, str]:
    """(name, address cell) of one copy-to entry: a plain name (no address), a name with an
    `email` attribute, or text holding an address ('Ban Dân vận Tỉnh ủy <bdv@…>')."""
    email = str(getattr(entry, "email", "") or "")
    name = str(getattr(entry, "name", entry) or "")
    if not email and "@" in name:
        found = split_addresses(name.replace("<", " ").replace(">", " "))
        if found:
            email = ", ".join(found)
            name = name.split("<", 1)[0] if "<" in name else ""
    return name.strip(), email


def copy_to(definition) -> list[tuple[str, str]]:
    """The plan's copy-to bodies that have an address, as (name, address): the Cc."""
    entries = (_copy_entry(e) for e in getattr(definition, "copy_to", ()) or ())
    return [(name, email) for name, email in entries if split_addresses(email)]


def copy_to_without_address(definition) -> list[str]:
    """Copy-to bodies the plan names with no address: said to the user, not dropped silently."""
    entries = (_copy_entry(e) for e in getattr(definition, "copy_to", ()) or ())
    return [name for name, email in entries if name and not split_addresses(email)]


__all__ = ["PERIOD_HEADER", "REPORT_HEADER", "UNIT_HEADER", "XLSX_TYPE", "Draft", "build_message", "copy_to",
           "copy_to_without_address", "message_id", "mime_type", "write_eml"]
