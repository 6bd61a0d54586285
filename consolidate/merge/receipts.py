"""When each returned file was received, and how we know.

First that exists (DESIGN.md, Submissions):

1. ``receipts`` — the receipts register given with ``--receipts`` (CSV ``file,received_at``,
   typically copied from the incoming-documents book);
2. ``email`` — the time the mail server received the message the file came in, recorded by
   ``consolidate intake`` (with the sender and subject);
3. ``register`` / ``mtime`` — what the submission register recorded the first time it saw
   that exact content: the earlier of that moment and the file's modification time then.
   The source says which of the two it was, so a file touched or copied later keeps the
   time it had when it first arrived, and a first merge run after the deadline does not
   make every file late;
4. ``mtime`` — the file's modification time (only when no register is used).

Naive times are Vietnam time (UTC+7, no daylight saving).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from consolidate.i18n import N_, Text, _
from consolidate.problems import WARNING, ConsolidateError, Problem, ProblemList
from consolidate.vntime import VN_TZ, parse_time

SOURCES = ("receipts", "email", "register", "mtime")
SOURCE_LABELS = {
    "receipts": "Sổ tiếp nhận",
    "email": "Máy chủ thư nhận",
    "register": "Lần đầu phần mềm thấy tệp",
    "mtime": "Thời gian sửa tệp",
}

@dataclass(frozen=True)
class Receipt:
    at: dt.datetime  # timezone-aware
    source: str  # receipts | email | register | mtime
    sender: str = ""  # email: who sent the message the file came in
    subject: str = ""  # email: that message's subject

    @property
    def local(self) -> dt.datetime:
        return self.at.astimezone(VN_TZ)


def receipt_label(receipt: Receipt | None) -> str:
    """Where a receipt time came from; for mail, who sent it and its subject beside it."""
    if receipt is None:
        return ""
    label = SOURCE_LABELS.get(receipt.source, "")
    if receipt.source == "email" and (receipt.sender or receipt.subject):
        label += f": {receipt.sender} – “{receipt.subject}”"
    return label


@dataclass
class ReceiptRowProblem(Problem):
    code = "receipt-row-invalid"
    severity = "error"
    template = N_("Sổ tiếp nhận {file}, dòng {row}: {note}; dòng này bị bỏ qua")


@dataclass
class ReceiptFileUnknown(Problem):
    code = "receipt-file-unknown"
    severity = WARNING
    template = N_("Sổ tiếp nhận {file}, dòng {row}: không có tệp '{value}' trong thư mục báo cáo")


@dataclass
class ReceiptDuplicate(Problem):
    code = "receipt-duplicate"
    severity = WARNING
    template = N_("Sổ tiếp nhận {file}, dòng {row}: tệp '{value}' đã có ở dòng {first}; dùng thời điểm ở dòng {first}")


class ReceiptsError(ConsolidateError):
    """The receipts file as a whole cannot be used (unreadable, no `file`/`received_at`)."""

    code = "receipts-unusable"


@dataclass
class ReceiptBook:
    times: dict[str, dt.datetime] = field(default_factory=dict)  # normalised relative path -> time
    problems: ProblemList = field(default_factory=ProblemList)


def norm_name(name: str) -> str:
    """A file name as the receipts book and the merge compare them: NFC, `/` separators,
    no leading `./`, case-folded."""
    text = unicodedata.normalize("NFC", name.strip()).replace("\\", "/")
    parts = [p for p in PurePosixPath(text).parts if p not in (".", "")]
    return "/".join(parts).casefold()


def read_book(path: str | Path, known_files: list[str] | None = None) -> ReceiptBook:
    """Read a receipts CSV. Bad rows become problems naming the row; the rest are used.

    ``known_files`` are the relative names of the files in the returns folder: a row naming
    only a base name (`bao-cao.xlsx`) matches a file in a sub-folder when that is unambiguous.
    """
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ReceiptsError(_("Không đọc được sổ tiếp nhận {file}: {reason}").format(
            file=source, reason=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReceiptsError(_("Sổ tiếp nhận {file} không phải UTF-8; hãy lưu lại dạng 'CSV UTF-8 (Comma delimited)'")
                            .format(file=source.name)) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ReceiptsError(_("Sổ tiếp nhận {file} sai định dạng CSV: {reason}").format(file=source.name, reason=exc)) from None
    if not rows:
        raise ReceiptsError(_("Sổ tiếp nhận {file} trống; cần hai cột file,received_at").format(file=source.name))
    header = [unicodedata.normalize("NFC", h).strip().casefold() for h in rows[0]]
    if "file" not in header or "received_at" not in header:
        raise ReceiptsError(_("Sổ tiếp nhận {file} thiếu cột 'file' hoặc 'received_at' ở dòng tiêu đề (có: {columns})")
                            .format(file=source.name, columns=", ".join(rows[0])))
    i_file, i_time = header.index("file"), header.index("received_at")

    known = {norm_name(f): f for f in (known_files or [])}
    by_base: dict[str, list[str]] = {}
    for key in known:
        by_base.setdefault(key.rsplit("/", 1)[-1], []).append(key)

    book = ReceiptBook()
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def bad(note: Text, value: str = "", number: int = number) -> None:
            book.problems.append(
                ReceiptRowProblem(file=source.name, note=note, value=value, path=f"dòng {number}", params={"row": number})
            )

        if len(row) <= max(i_file, i_time):
            bad(Text("thiếu cột (cần tên tệp và thời điểm nhận)"))
            continue
        name, when = row[i_file].strip(), row[i_time].strip()
        if not name:
            bad(Text("thiếu tên tệp"))
            continue
        at = parse_time(when)
        if at is None:
            bad(Text("thời điểm nhận '{when}' không hiểu được (dùng dd/mm/yyyy HH:MM hoặc yyyy-mm-ddTHH:MM)", when=when), when)
            continue
        key = norm_name(name)
        if known_files is not None and key not in known:
            candidates = by_base.get(key.rsplit("/", 1)[-1], []) if "/" not in key else []
            if len(candidates) == 1:
                key = candidates[0]
            else:
                book.problems.append(
                    ReceiptFileUnknown(file=source.name, value=name, path=f"dòng {number}", params={"row": number})
                )
                continue
        if key in first_row:
            book.problems.append(
                ReceiptDuplicate(
                    file=source.name, value=name, path=f"dòng {number}", params={"row": number, "first": first_row[key]}
                )
            )
            continue
        first_row[key] = number
        book.times[key] = at
    return book


def mtime_of(path: str | Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.timezone.utc)


def resolve(
    name: str,
    book: ReceiptBook | None,
    registered: Receipt | None,
    mtime: dt.datetime | None,
) -> Receipt | None:
    """The receipt time of one file (relative name), first that exists."""
    if book is not None:
        at = book.times.get(norm_name(name))
        if at is not None:
            return Receipt(at, "receipts")
    if registered is not None:
        return registered
    if mtime is not None:
        return Receipt(mtime, "mtime")
    return None


def first_receipt(first_seen: dt.datetime, mtime: dt.datetime | None) -> Receipt:
    """What the register keeps for a content the first time it sees it."""
    if mtime is not None and mtime <= first_seen:
        return Receipt(mtime, "mtime")
    return Receipt(first_seen, "register")


def iso(value: dt.datetime | None) -> str | None:
    """Vietnam time, ISO 8601 with offset, to the second."""
    if value is None:
        return None
    return value.astimezone(VN_TZ).replace(microsecond=0).isoformat()
