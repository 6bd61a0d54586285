"""The specialist's decisions (`consolidate review`), kept in the register.

- accept: the unit's current submission counts despite its errors, on time or late by its
  receipt time; reject: it does not count even without errors (status invalid, the note is
  the reason). Both hold for the content they were made on (its sha256): a newer submission
  is judged afresh and the summary says the decision no longer applies.
- exempt: the unit owes nothing this period (it leaves the expected count);
  extend: a deadline of the unit's own for this period (the last day it may send on).
- clear takes the unit's decision back.

The table is append-only: a decision is never updated or deleted, the latest row of a unit
for a report and period wins (a clear included), so the history stays in the register.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from dataclasses import dataclass

from consolidate.i18n import N_

ACCEPT, REJECT, EXEMPT, EXTEND, CLEAR = "accept", "reject", "exempt", "extend", "clear"
ACTIONS = (ACCEPT, REJECT, EXEMPT, EXTEND, CLEAR)
BY_CONTENT = (ACCEPT, REJECT)
ACTION_LABELS = {
    ACCEPT: N_("Chấp nhận"),
    REJECT: N_("Không chấp nhận"),
    EXEMPT: N_("Miễn báo cáo"),
    EXTEND: N_("Gia hạn"),
    CLEAR: N_("Bỏ quyết định"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    made_at TEXT NOT NULL,              -- UTC ISO 8601
    user TEXT NOT NULL,                 -- the OS user who made it
    report_id TEXT NOT NULL,
    period TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    action TEXT NOT NULL,               -- accept | reject | exempt | extend | clear
    sha256 TEXT NOT NULL DEFAULT '',    -- accept/reject: the content it was made on
    extend_to TEXT NOT NULL DEFAULT '', -- extend: the unit's last day (ISO date)
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS decisions_unit ON decisions(report_id, period, unit_code, id);
"""


@dataclass(frozen=True)
class Ruling:
    """One decision of the specialist on one unit for one period."""

    action: str
    unit_code: str
    note: str
    made_at: dt.datetime
    user: str
    sha256: str = ""
    extend_to: dt.date | None = None

    @property
    def label(self) -> str:
        from consolidate.i18n import _

        return _(ACTION_LABELS[self.action])

    @property
    def due_before(self) -> dt.date | None:
        """The unit's own "trước ngày": the day after its last day."""
        return self.extend_to + dt.timedelta(days=1) if self.extend_to else None


def current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no USER/LOGNAME variable
        return ""


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def append(db: sqlite3.Connection, report_id: str, period: str, ruling: Ruling) -> None:
    db.execute(
        "INSERT INTO decisions(made_at, user, report_id, period, unit_code, action, sha256, extend_to, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_utc(ruling.made_at), ruling.user, report_id, period, ruling.unit_code, ruling.action, ruling.sha256,
         ruling.extend_to.isoformat() if ruling.extend_to else "", ruling.note),
    )


def _ruling(row: tuple) -> Ruling:
    made_at, user, unit_code, action, sha256, extend_to, note = row
    return Ruling(
        action=action, unit_code=unit_code, note=note, user=user, sha256=sha256,
        made_at=dt.datetime.fromisoformat(made_at.rstrip("Z")).replace(tzinfo=dt.timezone.utc),
        extend_to=dt.date.fromisoformat(extend_to) if extend_to else None,
    )


def history(db: sqlite3.Connection, report_id: str, period: str) -> list[Ruling]:
    """Every decision of the report and period, oldest first."""
    rows = db.execute(
        "SELECT made_at, user, unit_code, action, sha256, extend_to, note FROM decisions"
        " WHERE report_id = ? AND period = ? ORDER BY id",
        (report_id, period),
    )
    return [_ruling(row) for row in rows]


def in_force(rulings: list[Ruling]) -> dict[str, Ruling]:
    """unit code -> its latest decision, unless that is a clear."""
    latest: dict[str, Ruling] = {}
    for ruling in rulings:
        latest[ruling.unit_code] = ruling
    return {code: r for code, r in latest.items() if r.action != CLEAR}
