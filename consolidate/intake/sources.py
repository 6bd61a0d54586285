"""Where messages come from: an IMAP mailbox (consolidate.intake.imap) or saved messages —
a folder of ``.eml`` files, a Maildir, an mbox file. Read-only: nothing is moved, deleted,
flagged or rewritten.

A source hands over messages in batches (so the run records each batch before the source
goes on) and skips the ones already taken, by key:

- IMAP: ``imap:<user>@<host>/<mailbox>;<UIDVALIDITY>;<UID>``;
- saved messages: ``msgid:<Message-ID>``, or ``sha256:<hash of the bytes>`` without one.

Outlook ``.msg`` files are not read: the one maintained Python reader (extract-msg) is
GPL-3.0, which this project does not take on as a dependency; they are reported with the
advice to save the message as ``.eml`` ("Lưu thành" in Outlook or any client).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

from consolidate.i18n import N_, Text, _, because
from consolidate.intake.problems import MailUnsupported
from consolidate.problems import ConsolidateError, Problem

BATCH = 50
SPREADSHEET_EXTS = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".xltx")


class IntakeError(ConsolidateError):
    code = "intake-failed"


class SourceUnknown(IntakeError):
    code = "intake-source-unknown"
    usage = True


class SourceFailed(Exception):
    """A source stopped part-way (a mailbox that kept dropping the connection): the run
    reports it and goes on with the next source; what was taken stays taken."""


@dataclass
class Envelope:
    key: str
    data: bytes
    origin: str  # the mailbox and UID, or the saved file (for the specialist to find it)
    internaldate: dt.datetime | None = None  # IMAP: the server's receipt time
    fallback: tuple[dt.datetime, str] | None = None  # when the message says nothing
    too_large: int = 0  # IMAP: the size of a message too big to fetch (only its header is here)


@dataclass
class SavedMessages:
    """A folder of .eml files, a single .eml file, a Maildir or an mbox file."""

    path: Path
    kind: str  # folder | eml | maildir | mbox
    problems: list[Problem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.path)

    def batches(self, taken: Callable[[list[str]], set[str]]) -> Iterator[list[Envelope]]:
        pending: list[Envelope] = []
        for envelope in self._envelopes():
            pending.append(envelope)
            if len(pending) >= BATCH:
                yield _fresh(pending, taken)
                pending = []
        if pending:
            yield _fresh(pending, taken)

    def _envelopes(self) -> Iterator[Envelope]:
        if self.kind in ("folder", "eml"):
            yield from self._files()
        elif self.kind == "maildir":
            box = mailbox.Maildir(self.path, factory=None, create=False)
            for key in sorted(box.keys()):
                data = box.get_bytes(key)
                delivered = dt.datetime.fromtimestamp(box.get_message(key).get_date(), dt.timezone.utc)
                yield Envelope(message_key(data), data, f"{self.path} › {key}", fallback=(delivered, "delivered"))
        else:
            box = mailbox.mbox(self.path, factory=None, create=False)
            for index, key in enumerate(box.keys(), start=1):
                data = box.get_bytes(key, from_=False)
                yield Envelope(message_key(data), data, f"{self.path} › #{index}",
                               fallback=_from_line_date(box.get_message(key).get_from()))

    def _files(self) -> Iterator[Envelope]:
        files = [self.path] if self.kind == "eml" else sorted(
            p for p in self.path.rglob("*") if p.is_file() and not any(x.startswith(".") for x in p.parts[-1:])
        )
        for path in files:
            suffix = path.suffix.lower()
            if suffix == ".msg":
                self.problems.append(MailUnsupported(file=str(path), note=Text(N_(
                    "tệp Outlook .msg chưa đọc được; hãy mở thư trong Outlook, chọn Lưu thành (Save As) dạng .eml"))))
                continue
            if suffix != ".eml" and self.kind == "folder":
                continue
            try:
                data = path.read_bytes()
                mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
            except OSError as exc:
                self.problems.append(MailUnsupported(file=str(path), note=because(
                    N_("hệ điều hành không cho đọc tệp"), exc.strerror or exc)))
                continue
            yield Envelope(message_key(data), data, str(path), fallback=(mtime, "mtime"))


def _fresh(batch: list[Envelope], taken: Callable[[list[str]], set[str]]) -> list[Envelope]:
    done = taken([e.key for e in batch])
    seen: set[str] = set()
    out = []
    for e in batch:
        if e.key not in done and e.key not in seen:
            seen.add(e.key)
            out.append(e)
    return out


def _from_line_date(from_line: str) -> tuple[dt.datetime, str] | None:
    """mbox's `From sender Thu Jun  4 15:20:00 2026` (UTC by convention)."""
    parts = (from_line or "").split(None, 1)
    if len(parts) < 2:
        return None
    try:
        stamp = dt.datetime.strptime(" ".join(parts[1].split()[:5]), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    return stamp.replace(tzinfo=dt.timezone.utc), "delivered"


def message_key(data: bytes) -> str:
    """`msgid:<Message-ID>` when the message has one, else the hash of its bytes."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(data[:256 * 1024])
        message_id = str(headers.get("Message-ID") or "").strip()
    except Exception:
        message_id = ""
    message_id = " ".join(message_id.split()).strip("<>")
    if message_id and len(message_id) < 250:
        return "msgid:" + message_id
    return "sha256:" + hashlib.sha256(data).hexdigest()


def open_source(text: str, password: Callable[[str], str], mark_seen: bool = False):
    """SOURCE as given on the command line -> a source object (IMAP or saved messages)."""
    if text.lower().startswith(("imap://", "imaps://")):
        from consolidate.intake.imap import ImapSource

        return ImapSource.from_url(text, password, mark_seen=mark_seen)
    path = Path(text)
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return SavedMessages(path, "maildir")
        return SavedMessages(path, "folder")
    if path.is_file():
        if path.suffix.lower() in (".eml", ".msg"):
            return SavedMessages(path, "eml")
        try:
            with open(path, "rb") as handle:
                head = handle.read(5)
        except OSError as exc:
            raise IntakeError(_("Không đọc được {path}: {why}").format(path=path, why=exc.strerror or exc)) from None
        return SavedMessages(path, "mbox" if head == b"From " else "eml")
    raise SourceUnknown(_(
        "Không tìm thấy nguồn thư {source}: cần imap://NGƯỜI_DÙNG@MÁY_CHỦ/HỘP_THƯ, imaps://…, "
        "một thư mục tệp .eml, một Maildir hoặc một tệp mbox").format(source=text))


__all__ = ["BATCH", "Envelope", "IntakeError", "SavedMessages", "SourceFailed", "SourceUnknown",
           "message_key", "open_source"]
