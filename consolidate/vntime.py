"""Vietnam time: the one place for the zone, "now", parsing a moment, and its text forms.

Every moment the tool keeps is timezone-aware; what a person reads is Vietnam time (UTC+7,
no daylight saving) as day-first text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"

DAY_FIRST = re.compile(
    r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})"
    r"(?:[ T,]+(?P<H>\d{1,2})[:hg](?P<M>\d{2})?(?::(?P<S>\d{2}))?)?$",
    re.I,
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are Vietnam time."""
    return value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value


def parse_time(text: str | None) -> dt.datetime | None:
    """ISO 8601 (`2026-06-04T09:30`, `2026-06-04 09:30:00+07:00`, `…Z`) or day-first
    `dd/mm/yyyy HH:MM` (also `-` or `.` separators, seconds optional, `9h30`); a date alone is
    midnight. Returns an aware datetime, or None."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        return None
    m = DAY_FIRST.match(text)
    if m:
        try:
            value = dt.datetime(
                int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0)
            )
        except ValueError:
            return None
        return aware(value)
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        value = dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    return aware(value)


def parse_as_of(text: str | None) -> dt.datetime:
    """`--as-of` on every command: empty is now; otherwise `parse_time` or ValueError."""
    if not text:
        return now()
    value = parse_time(text)
    if value is None:
        raise ValueError(text)
    return value


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(VN_TZ)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN_TZ).date()


def naive_local(moment: dt.datetime | None) -> dt.datetime | None:
    """Naive Vietnam time, to the second (what a spreadsheet cell holds)."""
    if moment is None:
        return None
    return moment.astimezone(VN_TZ).replace(tzinfo=None, microsecond=0)


def date_text(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = local_date(day) if day.tzinfo else day.date()
    return day.strftime(DATE_FORMAT)


def datetime_text(moment: dt.datetime | None) -> str:
    """`dd/mm/yyyy HH:MM`, Vietnam time."""
    value = naive_local(moment) if moment is not None and moment.tzinfo else moment
    return value.strftime(DATETIME_FORMAT) if value else ""
