"""What `consolidate send` sent, in the submission register (table ``sent_mail``).

One row per message and recipient: the Message-ID, the address, when the server took it
(or refused it) and the server's own answer. A recipient with a ``sent`` row never gets
that message again; a refusal is kept until a later attempt succeeds.

The table lives in the register's SQLite file but is written in short transactions of its
own, without the register's merge lock: a send that takes minutes (it is throttled) neither
waits for a merge nor blocks one, and SQLite keeps both consistent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from consolidate.i18n import _
from consolidate.problems import ConsolidateError

SENT_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_mail (
    message_id TEXT NOT NULL,          -- as in the draft, with its angle brackets
    recipient TEXT NOT NULL,           -- address, lower case
    role TEXT NOT NULL,                -- to | cc
    outcome TEXT NOT NULL,             -- sent | refused
    sent_at TEXT NOT NULL,             -- UTC ISO 8601: when the server answered
    answer TEXT NOT NULL,              -- the server's answer, e.g. '250 2.0.0 Ok: queued as 4F2A'
    server TEXT NOT NULL DEFAULT '',   -- host:port (never a password)
    draft TEXT NOT NULL DEFAULT '',    -- the draft file, absolute
    subject TEXT NOT NULL DEFAULT '',
    report_id TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    unit_code TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (message_id, recipient)
);
CREATE INDEX IF NOT EXISTS sent_mail_unit ON sent_mail(period, unit_code);
"""
SENT = "sent"
REFUSED = "refused"


class OutboxError(ConsolidateError):
    """The register cannot record what was sent."""

    code = "outbox-failed"


@dataclass(frozen=True)
class Delivery:
    """One recipient's outcome for one message."""

    message_id: str
    recipient: str
    role: str
    outcome: str
    answer: str
    sent_at: dt.datetime
    server: str = ""
    draft: str = ""
    subject: str = ""
    report_id: str = ""
    period: str = ""
    unit_code: str = ""


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


class Outbox:
    """The ``sent_mail`` table of one register file."""

    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        self.create = create
        self.db: sqlite3.Connection | None = None

    def __enter__(self) -> Outbox:
        try:
            if self.create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.is_file():
                return self
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.executescript(SENT_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise OutboxError(_("Không mở được sổ theo dõi {path}: {reason}").format(path=self.path, reason=exc)) from None
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def delivered(self, message_id: str) -> set[str]:
        """Recipients this message already went to."""
        if self.db is None:
            return set()
        rows = self.db.execute("SELECT recipient FROM sent_mail WHERE message_id = ? AND outcome = ?",
                               (message_id, SENT))
        return {r for (r,) in rows}

    def record(self, deliveries: list[Delivery]) -> None:
        """Record one message's outcomes in one transaction; a `sent` row is never replaced."""
        assert self.db is not None
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT INTO sent_mail(message_id, recipient, role, outcome, sent_at, answer, server, draft, subject,"
                " report_id, period, unit_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(message_id, recipient) DO UPDATE SET role = excluded.role, outcome = excluded.outcome,"
                " sent_at = excluded.sent_at, answer = excluded.answer, server = excluded.server,"
                " draft = excluded.draft WHERE sent_mail.outcome != 'sent'",
                [(d.message_id, d.recipient.lower(), d.role, d.outcome, _utc(d.sent_at), d.answer, d.server, d.draft,
                  d.subject, d.report_id, d.period, d.unit_code) for d in deliveries],
            )
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise OutboxError(_("Không ghi được sổ theo dõi {path}: {reason}").format(path=self.path, reason=exc)) from None

    def rows(self, period: str | None = None, unit_code: str | None = None) -> list[dict]:
        """Every recorded delivery (of a period, of a unit), oldest first, as dicts."""
        if self.db is None:
            return []
        sql, args = "SELECT * FROM sent_mail WHERE 1 = 1", []
        if period is not None:
            sql, args = sql + " AND period = ?", [*args, period]
        if unit_code is not None:
            sql, args = sql + " AND unit_code = ?", [*args, unit_code]
        cursor = self.db.execute(sql + " ORDER BY sent_at, message_id, recipient", args)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


__all__ = ["REFUSED", "SENT", "SENT_SCHEMA", "Delivery", "Outbox", "OutboxError"]
