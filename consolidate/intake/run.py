"""`consolidate intake`: messages -> spreadsheets saved into the returns folder, and a
register entry per message (sender, subject, Message-ID, receipt time, files).

Each spreadsheet is saved as ``<received YYYYMMDD-HHMM>_<sender>_<original name>`` (Vietnam
time), never over another file (``-2``, ``-3`` … when a name is taken); a content already in
the folder is not saved again. Each batch of messages is flushed to disk and then recorded
in one transaction, so an interrupted run loses nothing it recorded and re-takes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from consolidate.definition.model import Definition, Period
from consolidate.i18n import N_, Number, Text, _
from consolidate.intake import problems as mp
from consolidate.intake.sources import (
    SPREADSHEET_EXTS,
    Envelope,
    IntakeError,
    SourceFailed,
    open_source,
)
from consolidate.merge.register import MailFile, MailRow, Register, archive_bytes, default_path
from consolidate.problems import Problem, ProblemList
from consolidate.vntime import local

if TYPE_CHECKING:
    from consolidate.intake import mime

PASSWORD_ENV = "CONSOLIDATE_IMAP_PASSWORD"
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
RETURNS, NO_SPREADSHEET = "returns", "no-spreadsheet"


@dataclass
class Taken:
    """One message taken in this run."""

    row: MailRow
    files: list[MailFile]
    problems: list[Problem]

    @property
    def saved(self) -> list[MailFile]:
        return [f for f in self.files if f.saved]

    def to_dict(self) -> dict:
        r = self.row
        return {
            "key": r.key, "message_id": r.message_id, "sender": r.sender, "sender_name": r.sender_name,
            "subject": r.subject, "received_at": local(r.received_at).isoformat(), "received_source": r.received_source,
            "origin": r.origin, "unit_code": r.unit_code or None, "outcome": r.outcome,
            "files": [{"name": f.name, "original_name": f.original_name, "sha256": f.sha256, "saved": f.saved}
                      for f in self.files],
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class SourceReport:
    label: str
    taken: list[Taken] = field(default_factory=list)
    problems: ProblemList = field(default_factory=ProblemList)  # of the source itself
    failed: bool = False


@dataclass
class IntakeResult:
    returns_dir: Path
    register_path: Path
    sources: list[SourceReport]

    @property
    def taken(self) -> list[Taken]:
        return [t for s in self.sources for t in s.taken]

    @property
    def saved(self) -> list[MailFile]:
        return [f for t in self.taken for f in t.saved]

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.failed]

    @property
    def problems(self) -> ProblemList:
        out = ProblemList()
        for s in self.sources:
            out.extend(s.problems)
            for t in s.taken:
                out.extend(t.problems)
        return out

    def to_dict(self) -> dict:
        return {
            "returns_dir": str(self.returns_dir), "register": str(self.register_path),
            "sources": [{"source": s.label, "failed": s.failed, "problems": [p.to_dict() for p in s.problems],
                         "messages": [t.to_dict() for t in s.taken]} for s in self.sources],
        }


def password_from_env(label: str) -> str:
    """The library never prompts: without the variable a mailbox cannot be opened."""
    value = os.environ.get(PASSWORD_ENV)
    if value is None:
        raise IntakeError(_("Cần mật khẩu hộp thư {source}: đặt biến môi trường {env}").format(
            source=label, env=PASSWORD_ENV))
    return value


def unit_addresses(definition: Definition) -> dict[str, str]:
    """Known address (lower case) -> unit code; a field may hold several addresses."""
    out: dict[str, str] = {}
    for unit in definition.units:
        for address in re.split(r"[,;\s]+", unit.email or ""):
            if "@" in address:
                out.setdefault(address.strip().lower(), unit.code)
    return out


def run_intake(
    definition: Definition,
    period: Period,
    returns_dir: str | Path,
    sources: list[str],
    register_path: str | Path | None = None,
    mark_seen: bool = False,
    password: Callable[[str], str] = password_from_env,
) -> IntakeResult:
    folder = Path(returns_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IntakeError(_("Không tạo được thư mục {folder}: {why}").format(
            folder=folder, why=exc.strerror or exc)) from None
    opened = [open_source(text, password, mark_seen=mark_seen) for text in sources]  # bad SOURCE: before any work
    reg_path = Path(register_path) if register_path else default_path(folder)
    result = IntakeResult(folder, reg_path, [])
    with Register(reg_path) as register:
        taker = _Taker(definition, period, folder, register)
        for source in opened:
            report = SourceReport(source.label)
            result.sources.append(report)
            try:
                for batch in source.batches(register.taken):
                    taken = [taker.take(envelope) for envelope in batch]
                    if taken:
                        os.sync()  # the saved files reach the disk before the register says so
                        register.record_mail([(t.row, t.files) for t in taken], dt.datetime.now(dt.timezone.utc))
                        report.taken.extend(taken)
            except SourceFailed as exc:
                report.failed = True
                report.problems.append(mp.MailboxFailed(path=source.label, note=str(exc)))
            report.problems.extend(source.problems)
    return result


class _Taker:
    def __init__(self, definition: Definition, period: Period, folder: Path, register: Register):
        self.definition = definition
        self.period = period
        self.folder = folder
        self.register = register
        self.addresses = unit_addresses(definition)
        self.saved: dict[str, str] = {}  # sha256 -> name, saved in this run

    def take(self, envelope: Envelope) -> Taken:
        from consolidate.intake import mime  # the readers' guards: only once there is mail

        parsed = mime.parse(envelope.data, envelope.internaldate, envelope.fallback)
        problems = list(parsed.problems)
        if envelope.too_large:
            problems.append(mp.MailTooLarge(note=Text(N_("{size} MB"), size=Number(envelope.too_large / 2**20, 1)),
                                            params=parsed.who))
        unit_code = self.addresses.get(parsed.sender, "") or next(
            (self.addresses[a] for a in parsed.forwarded_senders if a in self.addresses), "")
        files = [self._save(parsed, attachment) for attachment in parsed.attachments]
        unique = list({f.sha256: f for f in files}.values())
        if unit_code and not unique:
            unit = self.definition.unit(unit_code)
            problems.append(mp.MailNoSpreadsheet(note=_instead(parsed), params={
                **parsed.who, "unit": f"{unit_code} ({unit.name})" if unit else unit_code}))
        elif not unit_code:
            saved_note = _("; đã lưu {n} tệp bảng tính, đơn vị sẽ được xác định theo nội dung tệp").format(
                n=len(unique)) if unique else _instead(parsed)
            problems.append(mp.MailUnknownSender(note=saved_note, params=parsed.who))
        row = MailRow(
            key=envelope.key, message_id=parsed.message_id, sender=parsed.sender, sender_name=parsed.sender_name,
            subject=parsed.subject, received_at=parsed.received_at, received_source=parsed.received_source,
            origin=envelope.origin, report_id=self.definition.id, period=self.period.id, unit_code=unit_code,
            outcome=RETURNS if unique else NO_SPREADSHEET, notes=tuple(p.message for p in problems),
        )
        for p in problems:
            p.path = p.path or envelope.origin
        return Taken(row, unique, problems)

    def _save(self, parsed: mime.Parsed, attachment: mime.Attachment) -> MailFile:
        data = attachment.data
        sha = hashlib.sha256(data).hexdigest()
        original = attachment.name.rsplit("/", 1)[-1]
        existing = self.saved.get(sha) or self.register.saved_name(self.folder, sha)
        if existing:
            return MailFile(sha, len(data), str(self.folder), existing, original, saved=False)
        name = self._write(file_name(parsed.received_at, parsed.sender, original, attachment.format), data)
        archive_bytes(self.register.dir, sha, name, data, sync=False)
        self.saved[sha] = name
        return MailFile(sha, len(data), str(self.folder), name, original, saved=True)

    def _write(self, name: str, data: bytes) -> str:
        """Write under `name`, or `stem-2.ext`, `stem-3.ext` … if taken: never over a file."""
        stem, dot, ext = name.rpartition(".")
        number = 1
        while True:
            candidate = name if number == 1 else f"{stem}-{number}{dot}{ext}"
            if _write_new(self.folder / candidate, data):
                return candidate
            number += 1


def _instead(parsed: mime.Parsed) -> str:
    """What the message held instead of a spreadsheet, for the list and the reminder."""
    if parsed.others:
        return _("; có tệp: {names}").format(names=", ".join(parsed.others[:5]))
    if parsed.links:
        return _("; chỉ có đường dẫn: {links}").format(links=", ".join(parsed.links[:2]))
    return _("; thư không có tệp đính kèm")


def file_name(received_at: dt.datetime, sender: str, original: str, fmt: str) -> str:
    """`20260604-1520_xa-tan-ha_Báo cáo 6 tháng.xlsx`: sorts by time, says who, keeps the
    sender's own name (made safe for Windows and Linux)."""
    stamp = local(received_at).strftime("%Y%m%d-%H%M")
    who = slug(sender.split("@", 1)[0]) or "khong-ro"
    base = UNSAFE.sub("_", unicodedata.normalize("NFC", original)).strip(" .") or "bao-cao"
    stem, dot, ext = base.rpartition(".")
    if not dot or "." + ext.lower() not in SPREADSHEET_EXTS:
        stem, ext = base, (fmt or "xlsx")
    stem = stem[:100].rstrip(" .") or "bao-cao"
    return f"{stamp}_{who}_{stem}.{ext}"


def slug(text: str) -> str:
    """ASCII, lower case, dashes: "Xã Tân Hà" -> "xa-tan-ha"."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40]


def _write_new(target: Path, data: bytes) -> bool:
    """Write `data` as `target` only if no file has that name (a hard link of a finished
    temporary file: never half a file, never over one). False when the name is taken."""
    if target.exists():
        return False
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links (FAT on a USB stick)
            if target.exists():
                return False
            os.replace(tmp, target)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
