"""`consolidate send`: the drafts of a folder out through SMTP, each recorded in the register.

A draft goes to its To and Cc addresses, as written (only `X-Unsent` is dropped and `Date`
set to the moment it goes). A recipient the register says already has that Message-ID is
skipped, so a re-run sends nothing twice and a recipient refused before is tried again. A
draft with no To is listed, never sent. One message's failure (a refused recipient, a
refused message, a file that is not a message) is reported with the file and recipient and
the batch goes on; a lost connection is re-opened once. Messages are spaced by `delay`
seconds so a provincial server's rate limits are not hit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses
from pathlib import Path

from consolidate.i18n import _
from consolidate.mail.drafts import PERIOD_HEADER, REPORT_HEADER, UNIT_HEADER
from consolidate.mail.headers import POLICY
from consolidate.mail.outbox import REFUSED, SENT, Delivery, Outbox
from consolidate.mail.smtp import Connection, SendError, Server, reason

# what became of one draft
DELIVERED = "sent"  # went to every recipient it still owed
ALREADY = "already-sent"  # nothing left to send: a re-run
PARTIAL = "partial"  # some recipients took it, some refused
FAILED = "failed"  # no recipient took it (refused, connection lost, unreadable file)
NO_ADDRESS = "no-address"  # no To: listed, never sent
WOULD_SEND = "would-send"  # --dry-run


@dataclass
class Outgoing:
    """A draft file as it will go out."""

    path: Path
    data: bytes = b""
    message_id: str = ""
    sender: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    unit_code: str = ""
    period: str = ""
    report_id: str = ""
    problem: str = ""  # why the file cannot be sent


@dataclass
class Result:
    """One draft's outcome; `refused` maps recipient -> the server's answer."""

    draft: Outgoing
    status: str
    sent_to: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already had it
    refused: dict[str, str] = field(default_factory=dict)
    answer: str = ""
    reason: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def of(self, *statuses: str) -> list[Result]:
        return [r for r in self.results if r.status in statuses]

    @property
    def complete(self) -> bool:
        """Every draft with an address went out (now or before)."""
        return not self.of(PARTIAL, FAILED)


def list_drafts(folder: str | Path) -> list[Path]:
    root = Path(folder)
    if not root.is_dir():
        raise SendError(_("Không có thư mục thư nháp {path}").format(path=root))
    return sorted(p for p in root.iterdir() if p.suffix.lower() == ".eml" and p.is_file())


def read_draft(path: Path) -> Outgoing:
    out = Outgoing(path)
    try:
        raw = path.read_bytes()
        msg = BytesParser(policy=POLICY).parsebytes(raw)
        out.to = [a for _, a in getaddresses([str(v) for v in msg.get_all("To", [])]) if "@" in a]
        out.cc = [a for _, a in getaddresses([str(v) for v in msg.get_all("Cc", [])]) if "@" in a and a not in out.to]
        senders = [a for _, a in getaddresses([str(msg.get("From", ""))]) if "@" in a]
        out.sender = senders[0] if senders else ""
        out.subject = str(msg.get("Subject", ""))
        out.unit_code, out.period, out.report_id = (str(msg.get(h, "")).strip()
                                                    for h in (UNIT_HEADER, PERIOD_HEADER, REPORT_HEADER))
        out.message_id = str(msg.get("Message-ID", "")).strip()
        if not out.message_id:  # a draft from elsewhere: an id from its bytes, stable across runs
            out.message_id = f"<{hashlib.sha256(raw).hexdigest()[:32]}@consolidate.invalid>"
            msg["Message-ID"] = out.message_id
        del msg["X-Unsent"]
        del msg["Bcc"]
        del msg["Date"]
        msg["Date"] = format_datetime(dt.datetime.now().astimezone())
        out.data = msg.as_bytes(policy=POLICY)
    except (OSError, ValueError, TypeError, IndexError) as exc:
        out.problem = _("không đọc được thư nháp: {reason}").format(reason=exc)
        return out
    if out.to and not out.sender:
        out.problem = _("thư nháp không có người gửi (From)")
    return out


def _deliveries(item: Outgoing, answer_of: dict[str, tuple[str, str]], server: Server, now: dt.datetime) -> list[Delivery]:
    return [Delivery(item.message_id, rcpt, "to" if rcpt in item.to else "cc", outcome, said, now, server.label,
                     str(item.path.resolve()), item.subject, item.report_id, item.period, item.unit_code)
            for rcpt, (outcome, said) in answer_of.items()]


class Sender:
    """Sends prepared drafts over one connection, re-opened once when it is lost."""

    def __init__(self, server: Server, password: str | None):
        self.server = server
        self.connection = Connection(server, password)
        self.lost = ""  # set when the server is gone for good

    def __call__(self, item: Outgoing, recipients: list[str]) -> tuple[dict[str, str], dict[str, str], str]:
        for attempt in range(2 if not self.lost else 0):
            try:
                if self.connection.smtp is None:
                    self.connection.open()
                answer = self.connection.send(item.sender, recipients, item.data)
                return answer.accepted, answer.refused, answer.data
            except SendError as exc:  # could not re-open it
                self.lost = str(exc)
                break
            except OSError as exc:  # smtplib.SMTPServerDisconnected, a reset, a timeout
                self.connection.close()
                if attempt:
                    self.lost = _("mất kết nối với máy chủ thư {server}: {reason}").format(
                        server=self.server.label, reason=reason(exc))
        return {}, dict.fromkeys(recipients, self.lost), ""

    def close(self) -> None:
        self.connection.close()


def send_drafts(folder: str | Path, server: Server | None, register_path: str | Path, password: str | None = None,
                delay: float = 1.0, dry_run: bool = False, on_result: Callable[[Result], None] | None = None,
                sleep: Callable[[float], None] = time.sleep) -> Report:
    """Send every draft of `folder` not yet sent (`server` may be None for a dry run)."""
    drafts = [read_draft(p) for p in list_drafts(folder)]
    report = Report()
    sender = None if dry_run or server is None else Sender(server, password)
    first = True

    def done(result: Result) -> None:
        report.results.append(result)
        if on_result is not None:
            on_result(result)

    with Outbox(register_path, create=not dry_run) as outbox:
        if sender is not None and any(d.to and not d.problem for d in drafts):
            sender.connection.open()  # a server that cannot be reached stops the command here
        try:
            for item in drafts:
                if not item.to:
                    done(Result(item, NO_ADDRESS, reason=item.problem))
                    continue
                if item.problem:
                    done(Result(item, FAILED, reason=item.problem))
                    continue
                had = outbox.delivered(item.message_id)
                owed = [r for r in [*item.to, *item.cc] if r.lower() not in had]
                skipped = [r for r in [*item.to, *item.cc] if r.lower() in had]
                if not owed:
                    done(Result(item, ALREADY, skipped=skipped))
                    continue
                if sender is None:
                    done(Result(item, WOULD_SEND, sent_to=owed, skipped=skipped))
                    continue
                if not first and delay > 0:
                    sleep(delay)
                first = False
                accepted, refused, said = sender(item, owed)
                now = dt.datetime.now(dt.timezone.utc)
                outcomes = {**{r: (SENT, a) for r, a in accepted.items()}, **{r: (REFUSED, a) for r, a in refused.items()}}
                if sender.lost == "" or accepted:
                    outbox.record(_deliveries(item, outcomes, server, now))
                status = DELIVERED if not refused else (PARTIAL if accepted else FAILED)
                done(Result(item, status, sent_to=list(accepted), skipped=skipped, refused=refused, answer=said))
        finally:
            if sender is not None:
                sender.close()
    return report


__all__ = ["ALREADY", "DELIVERED", "FAILED", "NO_ADDRESS", "PARTIAL", "WOULD_SEND", "Outgoing", "Report", "Result",
           "list_drafts", "read_draft", "send_drafts"]
