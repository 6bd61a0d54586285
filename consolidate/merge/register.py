"""The submission register: every file ever seen, by content hash, in a SQLite file.

Default place: ``<parent of the returns folder>/.consolidate/register.sqlite`` (beside the
returns folder, shared by the period folders of one plan); ``--register PATH`` moves it.
Each version of a file is archived once by hash under ``<register dir>/archive/`` so an inbox
file overwritten later loses nothing. Inputs are never modified.

One merge at a time: :meth:`Register.open` takes an exclusive ``flock`` on
``<register>.lock`` for the whole merge (a merge may take minutes); a second merge gets
:class:`RegisterBusy` at once. The database itself is updated in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from consolidate.i18n import _
from consolidate.merge import decisions
from consolidate.merge.mailbook import MAIL_SCHEMA, MailBook, MailFile, MailRow
from consolidate.merge.receipts import Receipt
from consolidate.problems import ConsolidateError

SCHEMA_VERSION = 1
__all__ = ["MailFile", "MailRow", "Register", "RegisterBusy", "RegisterError", "default_path"]
DIR_NAME = ".consolidate"
FILE_NAME = "register.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contents (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    ext TEXT NOT NULL,
    first_seen TEXT NOT NULL,          -- UTC ISO 8601: when the register first saw it
    received_at TEXT NOT NULL,         -- UTC ISO 8601: earlier of first_seen and the mtime then
    received_source TEXT NOT NULL,     -- mtime | register | email (intake)
    archive TEXT NOT NULL,             -- path relative to the register folder
    unit_code TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    report_id TEXT NOT NULL DEFAULT '',
    verdict TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    merge_period TEXT NOT NULL DEFAULT '',   -- the period of the merge that gave the verdict
    merge_report TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS names (
    sha256 TEXT NOT NULL REFERENCES contents(sha256),
    folder TEXT NOT NULL,              -- the returns folder, absolute
    name TEXT NOT NULL,                -- relative to that folder
    first_seen TEXT NOT NULL,
    PRIMARY KEY (sha256, folder, name)
);
-- The validation cache (consolidate.checked_cache): the CheckedReturn of a content under one
-- key (definition, period, "today", code), as JSON text. Only a speed-up: a row that is
-- missing or unusable means the file is read again. Added by CREATE IF NOT EXISTS, so an
-- older register gains it on its next merge.
CREATE TABLE IF NOT EXISTS checked (
    sha256 TEXT NOT NULL,
    key TEXT NOT NULL,
    scope TEXT NOT NULL,               -- report id and period: newer keys replace older ones
    payload TEXT NOT NULL,
    PRIMARY KEY (sha256, key)
);
CREATE INDEX IF NOT EXISTS checked_scope ON checked(scope, key);
-- The status JSON of the latest merge of each report and period: the previous period that
-- the next period's merge compares with (merge.quality).
CREATE TABLE IF NOT EXISTS statuses (
    report_id TEXT NOT NULL,
    period TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (report_id, period)
);
"""


class RegisterError(ConsolidateError):
    """The register cannot be used (folder not writable, database damaged)."""

    code = "register-failed"


class RegisterBusy(RegisterError):
    """Another merge holds the register."""


def default_path(returns_dir: str | Path) -> Path:
    folder = Path(returns_dir).resolve()
    return folder.parent / DIR_NAME / FILE_NAME


@dataclass(frozen=True)
class Seen:
    """One file of this merge, as the register needs it."""

    name: str  # relative to the returns folder
    sha256: str
    size: int
    path: Path  # absolute, to archive the bytes
    mtime: dt.datetime | None


@dataclass(frozen=True)
class Outcome:
    sha256: str
    unit_code: str
    period: str
    report_id: str
    verdict: str
    reason: str
    errors: int
    warnings: int


@dataclass(frozen=True)
class Known:
    receipt: Receipt  # what the register kept as the receipt time of this content
    first_seen: dt.datetime


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=dt.timezone.utc)


class Register(MailBook):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.dir = self.path.parent
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_fd: int | None = None
        self.db: sqlite3.Connection | None = None

    # ----------------------------------------------------------------------- open / close
    def open(self) -> Register:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RegisterError(_("Không tạo được sổ đăng ký tệp ở {folder}: {reason}; "
                                  "dùng --register để đặt ở thư mục khác").format(folder=self.dir,
                                                                               reason=exc.strerror or exc)) from None
        if not _try_lock(fd):
            os.close(fd)
            raise RegisterBusy(_("Một lần tổng hợp khác đang dùng sổ đăng ký {path}; "
                                 "hãy đợi lần đó chạy xong rồi chạy lại").format(path=self.path))
        self._lock_fd = fd
        try:
            self.db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.executescript(SCHEMA + MAIL_SCHEMA + decisions.SCHEMA)
            self.db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        except sqlite3.OperationalError as exc:
            self.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise RegisterBusy(_("Sổ đăng ký {path} đang bị khóa: {reason}").format(path=self.path, reason=exc)) from None
            raise RegisterError(_("Không mở được sổ đăng ký {path}: {reason}").format(path=self.path, reason=exc)) from None
        except sqlite3.DatabaseError as exc:
            self.close()
            raise RegisterError(_("Sổ đăng ký {path} bị hỏng hoặc không phải SQLite: {reason}").format(
                path=self.path, reason=exc)) from None
        return self

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self._lock_fd is not None:
            _unlock(self._lock_fd)
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Register:
        return self.open() if self.db is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------------- reading
    def known(self, sha256s: list[str]) -> dict[str, Known]:
        """What the register kept for contents it has already seen."""
        rows = self._by_hashes(
            "SELECT sha256, first_seen, received_at, received_source FROM contents WHERE sha256 IN ({marks})", sha256s
        )
        mail = self._mail_of([sha for sha, _, _, source in rows if source == "email"])
        return {
            sha: Known(Receipt(_parse_utc(received), source, *mail.get(sha, ("", ""))), _parse_utc(first_seen))
            for sha, first_seen, received, source in rows
        }

    def checked(self, sha256s: list[str], key: str) -> dict[str, str]:
        """Cached validation payloads (sha256 -> JSON text) of these contents under `key`."""
        out: dict[str, str] = dict(
            self._by_hashes("SELECT sha256, payload FROM checked WHERE key = ? AND sha256 IN ({marks})", sha256s, (key,))
        )
        return out

    def has_checked(self, key: str) -> bool:
        """Whether any content was cached under `key` (if not, hashing to look is wasted)."""
        assert self.db is not None
        return self.db.execute("SELECT 1 FROM checked WHERE key = ? LIMIT 1", (key,)).fetchone() is not None

    def row(self, sha256: str) -> dict | None:
        assert self.db is not None
        cursor = self.db.execute("SELECT * FROM contents WHERE sha256 = ?", (sha256,))
        found = cursor.fetchone()
        if found is None:
            return None
        return dict(zip([c[0] for c in cursor.description], found, strict=True))

    def names(self, sha256: str) -> list[str]:
        assert self.db is not None
        return [n for (n,) in self.db.execute("SELECT name FROM names WHERE sha256 = ? ORDER BY name", (sha256,))]

    def count(self, table: str = "contents") -> int:
        assert self.db is not None and table in ("contents", "names", "checked", "decisions")
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    # ----------------------------------------------------------------------- decisions
    def rulings(self, report_id: str, period: str) -> list[decisions.Ruling]:
        """Every decision of the specialist on this report and period, oldest first."""
        assert self.db is not None
        return decisions.history(self.db, report_id, period)

    def add_ruling(self, report_id: str, period: str, ruling: decisions.Ruling) -> None:
        """Append one decision (the table is never updated: the latest row wins)."""
        assert self.db is not None
        try:
            decisions.append(self.db, report_id, period, ruling)
        except sqlite3.Error as exc:
            raise RegisterError(_("Không ghi được quyết định vào sổ đăng ký {path}: {reason}").format(
                path=self.path, reason=exc)) from None

    def stored_periods(self, report_id: str) -> set[str]:
        assert self.db is not None
        return {p for (p,) in self.db.execute("SELECT period FROM statuses WHERE report_id = ?", (report_id,))}

    def status(self, report_id: str, period: str) -> dict | None:
        """The status document of the latest merge of this report and period."""
        import json

        assert self.db is not None
        row = self.db.execute("SELECT document FROM statuses WHERE report_id = ? AND period = ?",
                              (report_id, period)).fetchone()
        try:
            return json.loads(row[0]) if row else None
        except ValueError:
            return None

    # ----------------------------------------------------------------------- archive
    def archive_name(self, sha256: str, name: str) -> str:
        return archive_name(sha256, name)

    def has_archive(self, sha256: str, name: str) -> bool:
        return (self.dir / archive_name(sha256, name)).exists()

    def archive(self, sha256: str, name: str, data: bytes, sync: bool = True) -> str:
        """Keep these bytes once under their hash; return the archive path (relative)."""
        return archive_bytes(self.dir, sha256, name, data, sync)

    # ----------------------------------------------------------------------- writing
    def record(
        self,
        folder: str | Path,
        seen: list[Seen],
        receipts: dict[str, Receipt],
        outcomes: list[Outcome],
        merge_report: str,
        merge_period: str,
        now: dt.datetime,
        checked: dict[str, str] | None = None,
        checked_key: str = "",
        checked_scope: str = "",
        status: str = "",
    ) -> None:
        """Record one merge in a single transaction. ``receipts`` are the first-sighting
        receipts (sha256 -> Receipt) of contents new to the register. Re-running with the
        same files changes nothing but the verdicts (which may change). ``checked`` are new
        validation-cache payloads (sha256 -> JSON) under ``checked_key``; rows of the same
        ``checked_scope`` under another key are dropped (they can no longer be used by
        this report and period until that key comes back, which is rare)."""
        assert self.db is not None
        folder_text = str(Path(folder).resolve())
        stamp = _utc(now)
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            # executemany: one statement prepared per table, not one round per row
            db.executemany(
                "INSERT OR IGNORE INTO contents(sha256, size, ext, first_seen, received_at, received_source, archive)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (item.sha256, item.size, Path(item.name).suffix.lower().lstrip("."), stamp, _utc(first.at),
                     first.source, self.archive_name(item.sha256, item.name))
                    for item in seen
                    if (first := receipts.get(item.sha256)) is not None
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO names(sha256, folder, name, first_seen) VALUES (?, ?, ?, ?)",
                [(item.sha256, folder_text, item.name, stamp) for item in seen],
            )
            db.executemany(
                "UPDATE contents SET unit_code=?, period=?, report_id=?, verdict=?, reason=?, errors=?, warnings=?,"
                " merge_period=?, merge_report=? WHERE sha256=?",
                [
                    (o.unit_code, o.period, o.report_id, o.verdict, o.reason, o.errors, o.warnings,
                     merge_period, merge_report, o.sha256)
                    for o in outcomes
                ],
            )
            if status:
                db.execute("INSERT OR REPLACE INTO statuses(report_id, period, merged_at, document) VALUES (?, ?, ?, ?)",
                           (merge_report, merge_period, stamp, status))
            if checked_key:
                db.execute("DELETE FROM checked WHERE scope = ? AND key != ?", (checked_scope, checked_key))
                db.executemany(
                    "INSERT OR REPLACE INTO checked(sha256, key, scope, payload) VALUES (?, ?, ?, ?)",
                    [(sha, checked_key, checked_scope, payload) for sha, payload in (checked or {}).items()],
                )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                raise RegisterBusy(_("Sổ đăng ký {path} đang bị khóa: {reason}").format(path=self.path, reason=exc)) from None
            raise RegisterError(_("Không ghi được sổ đăng ký {path}: {reason}").format(path=self.path, reason=exc)) from None


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


def archive_name(sha256: str, name: str) -> str:
    ext = Path(name).suffix.lower().lstrip(".")
    ext = "".join(ch for ch in ext if ch.isalnum())[:8] or "bin"
    return f"archive/{sha256[:2]}/{sha256}.{ext}"


def archive_bytes(register_dir: Path, sha256: str, name: str, data: bytes, sync: bool = True) -> str:
    """Write the bytes once under their hash (temp file + rename: never half a file).

    Reading workers call this in parallel; `sync=False` leaves the flush to one `os.sync()`
    by the merge before the register commits, instead of one fsync per file."""
    relative = archive_name(sha256, name)
    target = register_dir / relative
    if target.exists():
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return relative
