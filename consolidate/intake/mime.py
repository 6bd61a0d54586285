"""One message's bytes -> who sent it, when it was received, and the spreadsheets it holds.

Parsed with the standard library (`email`, ``policy.default``, as mail clients decode).
Spreadsheets are recognised by their content (the reading stage's sniffing and guards:
size, zip directory, XML prologs), wherever they are: attached, inside a ``.zip``
attachment, inside a forwarded message (``message/rfc822`` or an attached ``.eml``).
Nothing here raises for a bad message: what cannot be used becomes a located problem
naming the message, and whatever could be used is kept.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import email
import email.utils
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser

from consolidate.i18n import N_, Text
from consolidate.intake import problems as mp
from consolidate.intake.sources import SPREADSHEET_EXTS
from consolidate.problems import Problem
from consolidate.reading import guard
from consolidate.reading.extract import _open_zip
from consolidate.reading.guard import Rejected
from consolidate.reading.problems import (
    FileCorrupt,
    FileEncrypted,
    FileFormatUnsupported,
    FileZipBomb,
)
from consolidate.reading.sniff import ZIP_MAGIC, sniff
from consolidate.vntime import aware, datetime_text

MAX_DEPTH = 8  # multipart / forwarded nesting
MAX_PARTS = 500
MAX_ZIP_DEPTH = 2
LINK = re.compile(r"https?://[^\s<>\"']+", re.I)
ENCODED_WORD_CHARSET = re.compile(r"=\?([^?*]+)(?:\*[^?]*)?\?[bq]\?", re.I)
HARMLESS_DEFECTS = {"CloseBoundaryNotFoundDefect"}  # a last boundary cut off: every part is there



def too_large(size: int) -> Text:
    """The note of an attachment over the readers' size limit."""
    return Text(N_("{size} MB, vượt giới hạn {limit} MB"), size=guard.megabytes(size),
                limit=guard.megabytes(guard.MAX_FILE_BYTES))

@dataclass
class Attachment:
    name: str  # as the sender named it (NFC), "archive.zip/member.xlsx" for zip members
    data: bytes
    format: str  # xlsx | xlsm | xls | ods; "" for a damaged or locked workbook, saved anyway
    via: str = ""  # "" | "zip" | "forwarded"


@dataclass
class Parsed:
    message_id: str
    sender: str  # address, lower case ("" when there is none)
    sender_name: str
    subject: str
    received_at: dt.datetime
    received_source: str  # internaldate | received | date | <the fallback's source>
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    forwarded_senders: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # attachments that are not spreadsheets
    links: list[str] = field(default_factory=list)  # links in the text (a return sent as a link)

    @property
    def who(self) -> dict[str, str]:
        return {"sender": self.sender or self.sender_name or "?", "subject": self.subject,
                "date": datetime_text(self.received_at)}


def clean(text: str, limit: int = 300) -> str:
    """Header text as people read it: undecodable bytes shown as '�', NFC, one line."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header(msg: Message, name: str) -> str:
    try:
        value = msg[name]
    except Exception:  # the header parser gives up on some malformed headers
        return ""
    return clean(str(value)) if value is not None else ""


def _address(msg: Message) -> tuple[str, str]:
    try:
        header = msg["From"]
        addresses = getattr(header, "addresses", ()) if header is not None else ()
        if addresses:
            return clean(addresses[0].addr_spec).lower(), clean(addresses[0].display_name or "")
    except Exception:
        pass
    raw = next((v for k, v in _raw_items(msg) if k.lower() == "from"), "")
    name, addr = email.utils.parseaddr(str(raw))
    return clean(addr).lower(), clean(name)


def _raw_items(msg: Message) -> list[tuple[str, str]]:
    try:
        return [(k, str(v)) for k, v in msg.raw_items()]
    except Exception:
        return []


def _parse_date(text: str) -> dt.datetime | None:
    try:
        value = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return aware(value) if value is not None else None


def received_time(msg: Message) -> tuple[dt.datetime | None, str]:
    """The date of the topmost Received: header (the last hop: our own server), else Date:."""
    for key, value in _raw_items(msg):
        if key.lower() == "received":
            stamp = _parse_date(value.rpartition(";")[2]) if ";" in value else None
            if stamp is not None:
                return stamp, "received"
            break
    for key, value in _raw_items(msg):
        if key.lower() == "date":
            stamp = _parse_date(value)
            if stamp is not None:
                return stamp, "date"
    return None, ""


def parse(data: bytes, internaldate: dt.datetime | None = None,
          fallback: tuple[dt.datetime, str] | None = None) -> Parsed:
    """`internaldate`: the IMAP server's receipt time (wins over the headers); `fallback`:
    the time (and its source) to use when the message carries none."""
    deep = False
    try:
        msg = email.message_from_bytes(data, policy=policy.default)
    except RecursionError:  # parts nested thousands deep: keep the headers at least
        msg, deep = BytesHeaderParser(policy=policy.default).parsebytes(data), True
    sender, sender_name = _address(msg)
    no_date = False
    if internaldate is not None:
        at, source = internaldate, "internaldate"
    else:
        at, source = received_time(msg)
        if at is None:
            at, source = fallback if fallback else (dt.datetime.now(dt.timezone.utc), "taken")
            no_date = True
    parsed = Parsed(
        message_id=_header(msg, "Message-ID").strip("<>")[:250], sender=sender, sender_name=sender_name,
        subject=_header(msg, "Subject"), received_at=at, received_source=source,
    )
    walker = _Walker(parsed)
    if deep:
        walker.defects.add("NestedTooDeepDefect")
    if no_date:
        walker.problem(mp.MailNoDate, note=datetime_text(at))
    walker.headers(msg)
    walker.walk(msg, 0, "")
    walker.report_defects()
    return parsed


class _Walker:
    def __init__(self, parsed: Parsed):
        self.parsed = parsed
        self.parts = 0
        self.defects: set[str] = set()
        self.charsets: set[str] = set()

    def problem(self, cls: type[Problem], **fields) -> None:
        params = {**self.parsed.who, **fields.pop("params", {})}
        self.parsed.problems.append(cls(params=params, **fields))

    def headers(self, msg: Message) -> None:
        for _key, value in _raw_items(msg):
            for charset in ENCODED_WORD_CHARSET.findall(value):
                self.charset(charset)

    def charset(self, name: str) -> None:
        name = name.strip().lower()
        if not name or name in self.charsets:
            return
        self.charsets.add(name)
        try:
            codecs.lookup(name)
        except LookupError:
            self.problem(mp.MailUnknownCharset, value=clean(name, 40))

    def report_defects(self) -> None:
        found = sorted(self.defects - HARMLESS_DEFECTS)
        if found:
            self.problem(mp.MailMalformed, note=", ".join(found))

    def walk(self, part: Message, depth: int, via: str) -> None:
        self.parts += 1
        self.defects.update(type(d).__name__ for d in getattr(part, "defects", ()))
        if depth > MAX_DEPTH or self.parts > MAX_PARTS:
            self.defects.add("TooManyPartsDefect")
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                self.forwarded(inner, depth)
            return
        if part.is_multipart():
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1, via)
            return
        self.leaf(part, depth, via)
        # decoding a payload records what was wrong with it (bad base64 …) on the part
        self.defects.update(type(d).__name__ for d in getattr(part, "defects", ()))

    def forwarded(self, inner: Message, depth: int) -> None:
        address, _ = _address(inner)
        if address:
            self.parsed.forwarded_senders.append(address)
        self.headers(inner)
        self.walk(inner, depth + 1, "forwarded")

    def leaf(self, part: Message, depth: int, via: str) -> None:
        ctype = part.get_content_type()
        name = _filename(part)
        if ctype == "application/ms-tnef" or name.lower() == "winmail.dat":
            self.problem(mp.MailWinmail, file=name or "winmail.dat")
            return
        charset = part.get_param("charset")
        if isinstance(charset, str):
            self.charset(charset)
        if part.get_content_maintype() == "text" and not name and part.get_content_disposition() != "attachment":
            self.text(part)
            return
        encoded = part.get_payload()
        if isinstance(encoded, str) and len(encoded) * 3 // 4 > guard.MAX_FILE_BYTES + 4096:
            self.problem(mp.MailAttachmentTooLarge, file=name or "?", note=too_large(len(encoded) * 3 // 4))
            return
        try:
            data = part.get_payload(decode=True) or b""
        except Exception as exc:  # a payload the decoder gives up on
            self.defects.add(type(exc).__name__)
            return
        if not data:
            return
        if name.lower().endswith(".eml") or ctype == "message/global":
            inner = email.message_from_bytes(data, policy=policy.default)
            if inner.keys():
                self.forwarded(inner, depth)
                return
        self.classify(name or f"tep-dinh-kem-{self.parts}", data, via, 0)

    def text(self, part: Message) -> None:
        try:
            body = part.get_content()
        except (LookupError, UnicodeError, AssertionError, ValueError):
            body = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        if isinstance(body, str):
            for link in LINK.findall(body[:200_000])[:3]:
                if link not in self.parsed.links:
                    self.parsed.links.append(clean(link, 200))

    def classify(self, name: str, data: bytes, via: str, zip_depth: int) -> None:
        """A workbook is kept; a plain zip is opened; anything else is named as such."""
        if len(data) > guard.MAX_FILE_BYTES:
            self.problem(mp.MailAttachmentTooLarge, file=name, note=too_large(len(data)))
            return
        if data[:4] == ZIP_MAGIC:
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
                members = set(archive.namelist())
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
                archive, members = None, set()
            if archive is not None and "[Content_Types].xml" not in members and "mimetype" not in members:
                self.unzip(name, archive, zip_depth)
                return
        try:
            sniffed = sniff(data, _open_zip)
        except Rejected as rejected:
            if rejected.problem is FileZipBomb:
                self.problem(mp.MailZipBomb, file=name, note=rejected.note)
            elif rejected.problem in (FileEncrypted, FileFormatUnsupported) or (
                rejected.problem is FileCorrupt and name.lower().endswith(SPREADSHEET_EXTS)
            ):
                # a workbook, but locked, .xlsb or damaged: the merge says which, the
                # reminder asks for it again; dropping it here would hide that it came
                self.parsed.attachments.append(Attachment(name, data, "", via))
            else:
                self.parsed.others.append(name)
                self.problem(mp.MailNotSpreadsheet, file=name, note=rejected.note or "?")
            return
        self.parsed.attachments.append(Attachment(name, data, sniffed.format, via))

    def unzip(self, name: str, archive: zipfile.ZipFile, zip_depth: int) -> None:
        if zip_depth >= MAX_ZIP_DEPTH:
            self.problem(mp.MailZipUnreadable, file=name, note=Text(N_("tệp nén lồng nhau quá nhiều lớp")))
            return
        try:
            guard.check_zip_directory(archive)
        except Rejected as rejected:
            self.problem(mp.MailZipBomb, file=name, note=rejected.note)
            return
        for info in archive.infolist():
            member = _member_name(info)
            base = member.rsplit("/", 1)[-1]
            if info.is_dir() or member.startswith("__MACOSX/") or base.startswith(("._", "~$")) or not base:
                continue
            label = f"{name}/{member}"
            if info.flag_bits & 1:
                self.problem(mp.MailZipUnreadable, file=label, note=Text(N_("tệp trong tệp nén có đặt mật khẩu")))
                continue
            if info.file_size > guard.MAX_FILE_BYTES:
                self.problem(mp.MailAttachmentTooLarge, file=label, note=too_large(info.file_size))
                continue
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
                self.problem(mp.MailZipUnreadable, file=label, note=guard.because(
                    N_("không giải nén được tệp này"), clean(str(exc), 120)))
                continue
            self.classify(label, data, "zip", zip_depth + 1)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip member names without the UTF-8 flag are cp437 to zipfile; Windows' own zipper
    writes them in the machine's code page, and most Vietnamese names today are UTF-8."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return unicodedata.normalize("NFC", name)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        return ""
    name = clean(str(name), 200).replace("\\", "/").rsplit("/", 1)[-1]
    return name
