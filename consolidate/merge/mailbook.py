"""The mail part of the submission register: what `consolidate intake` took.

One row per message in ``messages`` (whatever it held: nothing a unit sent goes unlisted),
and the spreadsheets it yielded in ``message_files``. A content a message brought is also a
``contents`` row whose receipt time is the message's (source ``email``), so a later merge
on the returns folder uses that time with no receipts book. Mixed into
:class:`consolidate.merge.register.Register`, which owns the connection and the lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from consolidate.i18n import _

MAIL_SCHEMA = """
-- Mail taken by `consolidate intake` (consolidate.intake): one row per message, whatever it
-- held, so nothing a unit sent goes unlisted; the files it yielded in message_files.
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY,              -- imap:<user@host/mailbox>;<uidvalidity>;<uid> | msgid:<id> | sha256:<hash>
    message_id TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '',   -- address, lower case
    sender_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL,         -- UTC ISO 8601
    received_source TEXT NOT NULL,     -- internaldate | received | date | taken
    origin TEXT NOT NULL DEFAULT '',   -- the mailbox (no password) or the saved file
    report_id TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    unit_code TEXT NOT NULL DEFAULT '',-- the unit whose known address sent it; '' when unknown
    outcome TEXT NOT NULL,             -- returns | no-spreadsheet
    notes TEXT NOT NULL DEFAULT '',    -- what was wrong with it, one line each
    taken_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_unit ON messages(period, unit_code);
CREATE TABLE IF NOT EXISTS message_files (
    message_key TEXT NOT NULL REFERENCES messages(key),
    sha256 TEXT NOT NULL,
    folder TEXT NOT NULL,              -- the returns folder, absolute
    name TEXT NOT NULL,                -- the saved file, relative to that folder
    original_name TEXT NOT NULL,
    saved INTEGER NOT NULL,            -- 0: the same content was already there (saved once)
    PRIMARY KEY (message_key, sha256)
);
CREATE INDEX IF NOT EXISTS message_files_sha ON message_files(sha256);
"""


@dataclass(frozen=True)
class MailRow:
    """One message taken by intake (see the `messages` table)."""

    key: str
    message_id: str
    sender: str
    sender_name: str
    subject: str
    received_at: dt.datetime
    received_source: str
    origin: str
    report_id: str
    period: str
    unit_code: str
    outcome: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MailFile:
    """A spreadsheet a message yielded, as saved into the returns folder."""

    sha256: str
    size: int
    folder: str
    name: str
    original_name: str
    saved: bool


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=dt.timezone.utc)


class MailBook:
    """Register methods for mail (and the chunked hash query both halves use); ``self.db``
    and ``self.path`` come from Register."""

    db: sqlite3.Connection | None
    path: Path

    def _mail_of(self, sha256s: list[str]) -> dict[str, tuple[str, str]]:
        """Sender and subject of the earliest message each content came in."""
        if not sha256s:
            return {}
        rows = self._by_hashes(
            "SELECT f.sha256, m.sender, m.subject FROM message_files f JOIN messages m ON m.key = f.message_key"
            " WHERE f.sha256 IN ({marks}) ORDER BY m.received_at DESC", sha256s
        )
        return {sha: (sender, subject) for sha, sender, subject in rows}  # the earliest is written last

    # ----------------------------------------------------------------------- mail (intake)
    def messages(self, period: str, unit_code: str | None = None) -> list[dict]:
        """Every message intake took for `period` (of `unit_code`, when given), oldest first,
        each a dict of its `messages` row (times as aware datetimes) plus ``files``: the
        saved files it yielded (dicts of name, folder, sha256, original_name, saved)."""
        assert self.db is not None
        sql = "SELECT * FROM messages WHERE period = ?" + (" AND unit_code = ?" if unit_code is not None else "")
        cursor = self.db.execute(sql + " ORDER BY received_at, key", (period,) if unit_code is None else (period, unit_code))
        columns = [c[0] for c in cursor.description]
        out = []
        for found in cursor.fetchall():
            row = dict(zip(columns, found, strict=True))
            row["received_at"], row["taken_at"] = _parse_utc(row["received_at"]), _parse_utc(row["taken_at"])
            row["notes"] = [line for line in row["notes"].split("\n") if line]
            files = self.db.execute(
                "SELECT name, folder, sha256, original_name, saved FROM message_files WHERE message_key = ? ORDER BY name",
                (row["key"],),
            )
            row["files"] = [dict(zip(("name", "folder", "sha256", "original_name", "saved"), f, strict=True)) for f in files]
            out.append(row)
        return out

    def messages_for_unit(self, period: str, unit_code: str) -> list[dict]:
        """The messages a unit sent for a period (see :meth:`messages`), oldest first: what
        a reminder to that unit replies to (the last one's ``message_id``)."""
        return self.messages(period, unit_code)

    def taken(self, keys: list[str]) -> set[str]:
        """Which of these message keys intake has already taken."""
        return {k for (k,) in self._by_hashes("SELECT key FROM messages WHERE key IN ({marks})", keys)}

    def _by_hashes(self, sql: str, sha256s: list[str], before: tuple = ()) -> list[tuple]:
        """Rows of `sql` (with `{marks}` for the IN list) for these hashes, asked in chunks:
        SQLite limits the number of parameters of one statement."""
        assert self.db is not None
        rows: list[tuple] = []
        wanted = sorted(set(sha256s))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows.extend(self.db.execute(sql.format(marks=",".join("?" * len(chunk))), [*before, *chunk]))
        return rows

    def record_mail(self, taken: list[tuple[MailRow, list[MailFile]]], now: dt.datetime) -> None:
        """Record messages taken by intake and the files they yielded, in one transaction.
        A content it brought gets the message's receipt time (source ``email``) unless an
        earlier message already brought it; a time the merge had guessed (first sighting,
        file date) gives way to it."""
        assert self.db is not None
        db = self.db
        stamp = _utc(now)
        try:
            db.execute("BEGIN IMMEDIATE")
            for message, files in taken:
                self._record_one(message, files, stamp)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            from consolidate.merge.register import RegisterError

            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise RegisterError(_("Không ghi được sổ đăng ký {path}: {reason}").format(path=self.path, reason=exc)) from None

    def _record_one(self, message: MailRow, files: list[MailFile], stamp: str) -> None:
        from consolidate.merge.register import archive_name

        assert self.db is not None
        db = self.db
        received = _utc(message.received_at)
        db.execute(
            "INSERT OR IGNORE INTO messages(key, message_id, sender, sender_name, subject, received_at,"
            " received_source, origin, report_id, period, unit_code, outcome, notes, taken_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (message.key, message.message_id, message.sender, message.sender_name, message.subject, received,
             message.received_source, message.origin, message.report_id, message.period, message.unit_code,
             message.outcome, "\n".join(message.notes), stamp),
        )
        for f in files:
            db.execute(
                "INSERT OR IGNORE INTO message_files(message_key, sha256, folder, name, original_name, saved)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (message.key, f.sha256, str(Path(f.folder).resolve()), f.name, f.original_name, int(f.saved)),
            )
            db.execute(
                "INSERT OR IGNORE INTO contents(sha256, size, ext, first_seen, received_at, received_source, archive)"
                " VALUES (?, ?, ?, ?, ?, 'email', ?)",
                (f.sha256, f.size, Path(f.name).suffix.lower().lstrip("."), stamp, received,
                 archive_name(f.sha256, f.name)),
            )
            db.execute(
                "UPDATE contents SET received_at = ?, received_source = 'email'"
                " WHERE sha256 = ? AND (received_source != 'email' OR received_at > ?)",
                (received, f.sha256, received),
            )

    def saved_name(self, folder: str | Path, sha256: str) -> str | None:
        """The name under which intake (or a merge) already has this content in `folder`."""
        assert self.db is not None
        folder_text = str(Path(folder).resolve())
        for sql in ("SELECT name FROM message_files WHERE folder = ? AND sha256 = ? AND saved = 1 ORDER BY name",
                    "SELECT name FROM names WHERE folder = ? AND sha256 = ? ORDER BY name"):
            for (name,) in self.db.execute(sql, (folder_text, sha256)):
                if (Path(folder) / name).is_file():
                    return name
        return None

