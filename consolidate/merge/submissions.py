"""Who submitted what: pure decisions, no I/O.

Given the definition, the period, every file of the merge (a CheckedReturn with its receipt
time) and "now" (``as_of``), decide:

- per file a verdict: ``accepted`` (the return used for its unit), ``superseded`` (an older
  submission of a unit that sent a newer one), ``rejected`` (unreadable, or the newest
  submission of its unit but with errors), ``ignored`` (not a return of this report, period or
  unit list; an exact copy of another file);
- per expected unit a status: ``on_time``, ``late``, ``invalid`` (its newest submission has
  errors), ``missing`` (nothing usable; ``missing_state`` ``not_yet_due`` or ``overdue``).

Lateness: "trước ngày X" (``due_before``) means a file received on day X or later, Vietnam
time, is late. ``days_late`` = received date − last on-time day (X − 1), so a file received on
X is 1 day late; on-time returns have ``days_late`` 0.

Order of submissions: the newest (latest receipt time; tie → the register's first sighting,
then file name) supersedes the older ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from consolidate.definition.model import Definition, Period, Unit
from consolidate.i18n import Lazy, Text, render, translate
from consolidate.merge.decisions import ACCEPT, BY_CONTENT, EXEMPT, EXTEND, REJECT, Ruling
from consolidate.merge.receipts import Receipt
from consolidate.problems import Problem
from consolidate.validation.returns import CheckedReturn
from consolidate.vntime import local_date

ON_TIME, LATE, INVALID, MISSING = "on_time", "late", "invalid", "missing"
STATUSES = (ON_TIME, LATE, INVALID, MISSING)
EXEMPT_STATUS = "exempt"  # exempt by the specialist: outside the expected units
NOT_YET_DUE, OVERDUE = "not_yet_due", "overdue"
ACCEPTED, SUPERSEDED, REJECTED, IGNORED = "accepted", "superseded", "rejected", "ignored"
VERDICTS = (ACCEPTED, SUPERSEDED, REJECTED, IGNORED)

STATUS_LABELS = {
    ON_TIME: "Đúng hạn",
    LATE: "Muộn",
    INVALID: "Có lỗi",
    MISSING: "Chưa nộp",
    EXEMPT_STATUS: "Miễn báo cáo",
}
MISSING_LABELS = {NOT_YET_DUE: "Chưa nộp (chưa đến hạn)", OVERDUE: "Chưa nộp (quá hạn)"}
VERDICT_LABELS = {
    ACCEPTED: "Được sử dụng",
    SUPERSEDED: "Bị thay thế",
    REJECTED: "Bị từ chối",
    IGNORED: "Bỏ qua",
}


@dataclass
class Submission:
    """One file of the merge."""

    checked: CheckedReturn
    receipt: Receipt | None
    first_seen: dt.datetime | None = None  # when the register first saw this content

    @property
    def file(self) -> str:
        return self.checked.file

    @property
    def sha256(self) -> str:
        return self.checked.raw.sha256

    def order_key(self) -> tuple:
        far = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        return (
            self.receipt.at if self.receipt else far,
            self.first_seen or far,
            self.file,
        )


@dataclass
class FileDecision:
    submission: Submission
    verdict: str
    why: str | Lazy = ""  # rendered when shown: the CLI's language, Vietnamese in documents
    unit_code: str = ""  # the unit it counts for ("" when unknown)
    duplicate_of: str = ""  # file name of the copy that stands for the same content

    @property
    def file(self) -> str:
        return self.submission.file

    @property
    def reason(self) -> str:
        """Why, in the language in force."""
        return render(self.why)

    @property
    def reason_vi(self) -> str:
        """Why, for the summary, the register and the status JSON (Vietnamese always)."""
        return translate(self.why, "vi")


@dataclass
class UnitStatus:
    unit: Unit
    status: str
    missing_state: str | None = None
    used: Submission | None = None  # accepted return, or the invalid newest one
    submissions: list[Submission] = field(default_factory=list)  # oldest first
    days_late: int | None = None
    ruling: Ruling | None = None  # the specialist's decision in force for this unit
    stale_ruling: Ruling | None = None  # an accept/reject made on content the unit has since replaced
    error_count: int = 0  # problems of the used return that block acceptance
    warning_count: int = 0  # warnings, and errors the definition says only warn
    due_before: dt.date | None = None  # the unit's own deadline (extend), else the period's

    @property
    def received_at(self) -> dt.datetime | None:
        return self.used.receipt.at if self.used and self.used.receipt else None

    @property
    def received_source(self) -> str | None:
        return self.used.receipt.source if self.used and self.used.receipt else None

    @property
    def errors(self) -> int:
        return self.error_count

    @property
    def warnings(self) -> int:
        return self.warning_count

    @property
    def decision(self) -> str | None:
        """`accept`, `reject`, `exempt`, `extend` or None (the status JSON's `decision`)."""
        return self.ruling.action if self.ruling else None

    @property
    def accepted_despite_errors(self) -> bool:
        return bool(self.ruling and self.ruling.action == ACCEPT and self.error_count)

    @property
    def label(self) -> str:
        if self.status == MISSING and self.missing_state:
            return MISSING_LABELS[self.missing_state]
        return STATUS_LABELS[self.status]


@dataclass
class Decision:
    period: Period
    as_of: dt.datetime
    units: list[UnitStatus]
    files: list[FileDecision]
    exempt: list[UnitStatus] = field(default_factory=list)  # left the expected units

    def counts(self, units: list[UnitStatus] | None = None) -> dict[str, int]:
        chosen = self.units if units is None else units
        out = {"expected": len(chosen)}
        for status in STATUSES:
            out[status] = sum(1 for u in chosen if u.status == status)
        return out

    @property
    def stale(self) -> list[UnitStatus]:
        """Units whose accept/reject was made on content they have since replaced."""
        return [u for u in self.units if u.stale_ruling is not None]

    @property
    def accepted(self) -> list[UnitStatus]:
        return [u for u in self.units if u.status in (ON_TIME, LATE)]

    def unit(self, code: str) -> UnitStatus | None:
        return next((u for u in self.units if u.unit.code == code), None)

    def file(self, name: str) -> FileDecision | None:
        return next((f for f in self.files if f.file == name), None)


def rates(counts: dict[str, int]) -> tuple[float | None, float | None]:
    """DHIS2's reporting rate (completeness) and on-time rate (timeliness)."""
    expected = counts["expected"]
    if not expected:
        return None, None
    return (counts[ON_TIME] + counts[LATE]) / expected, counts[ON_TIME] / expected


def days_late(received: dt.datetime, period: Period, due_before: dt.date | None = None) -> int:
    """0 when on time; else calendar days after the last on-time day (Vietnam dates); a
    unit's own deadline (`due_before`, from an extension) replaces the period's."""
    last_day = (due_before or period.due_before) - dt.timedelta(days=1)
    return max(0, (local_date(received) - last_day).days)


def problem_counts(definition: Definition, checked: CheckedReturn) -> tuple[int, int]:
    """(problems that block acceptance, the rest), over the reader's and the checker's."""
    blocking = total = 0
    for problems in (checked.raw.problems, checked.problems):
        for p in problems:
            total += 1
            blocking += definition.blocks(p)
    return blocking, total - blocking


def _first_error(checked: CheckedReturn) -> Problem | str:
    for problems in (checked.raw.problems, checked.problems):
        for p in problems:
            if p.severity == "error":
                return p
    return ""


def decide(
    definition: Definition,
    period: Period,
    submissions: list[Submission],
    as_of: dt.datetime,
    rulings: dict[str, Ruling] | None = None,
) -> Decision:
    """`rulings`: the specialist's decisions in force, by unit code (merge.decisions)."""
    rulings = rulings or {}
    expected = definition.expected_units(period.id)
    expected_codes = {u.code for u in expected}
    decisions: dict[int, FileDecision] = {}
    by_unit: dict[str, list[Submission]] = {u.code: [] for u in expected}

    # Exact copies: the earliest received copy stands for the content.
    first_copy: dict[str, Submission] = {}
    for sub in sorted(submissions, key=Submission.order_key):
        if sub.sha256 and sub.sha256 in first_copy:
            original = first_copy[sub.sha256]
            decisions[id(sub)] = FileDecision(
                sub, IGNORED, Text("Trùng nội dung với tệp {file} (cùng mã băm SHA-256)", file=original.file),
                unit_code=sub.checked.unit_code if sub.checked.unit_code in expected_codes else "",
                duplicate_of=original.file,
            )
        elif sub.sha256:
            first_copy[sub.sha256] = sub

    for sub in submissions:
        if id(sub) in decisions:
            continue
        checked = sub.checked
        if not checked.raw.readable:
            decisions[id(sub)] = FileDecision(sub, REJECTED, _first_error(checked) or Text("Không đọc được tệp"))
            continue
        reason = _foreign_reason(definition, period, checked, expected_codes)
        if reason:
            decisions[id(sub)] = FileDecision(sub, IGNORED, reason)
            continue
        by_unit[checked.unit_code].append(sub)

    statuses: list[UnitStatus] = []
    exempt: list[UnitStatus] = []
    for unit in expected:
        subs = sorted(by_unit[unit.code], key=Submission.order_key)
        ruling = rulings.get(unit.code)
        if ruling is not None and ruling.action == EXEMPT:
            for sub in subs:
                decisions[id(sub)] = FileDecision(
                    sub, IGNORED, _noted(Text("Đơn vị được miễn báo cáo kỳ này"), ruling.note), unit_code=unit.code
                )
            exempt.append(UnitStatus(unit, EXEMPT_STATUS, submissions=subs, ruling=ruling))
            continue
        statuses.append(_unit_status(definition, period, unit, subs, ruling, as_of, decisions))

    files = [decisions[id(s)] for s in submissions]
    files.sort(key=lambda d: d.file)
    return Decision(period=period, as_of=as_of, units=statuses, files=files, exempt=exempt)


def _unit_status(definition: Definition, period: Period, unit: Unit, subs: list[Submission],
                 ruling: Ruling | None, as_of: dt.datetime, decisions: dict[int, FileDecision]) -> UnitStatus:
    """One expected unit's status from its submissions (oldest first) and the decision in
    force; records the verdict of each of its files in `decisions`."""
    due = (ruling.due_before if ruling is not None and ruling.action == EXTEND else None) or period.due_before
    if not subs:
        state = OVERDUE if local_date(as_of) >= due else NOT_YET_DUE
        extended = ruling if ruling is not None and ruling.action == EXTEND else None
        status = UnitStatus(unit, MISSING, missing_state=state, due_before=due, ruling=extended)
        if ruling is not None and ruling.action in BY_CONTENT:
            status.stale_ruling = ruling
        return status
    newest = subs[-1]
    for older in subs[:-1]:
        decisions[id(older)] = FileDecision(
            older, SUPERSEDED, Text("Đã có bản nộp mới hơn: {file}", file=newest.file), unit_code=unit.code
        )
    blocking, warnings = problem_counts(definition, newest.checked)
    status = UnitStatus(unit, INVALID, used=newest, submissions=subs, error_count=blocking,
                        warning_count=warnings, due_before=due)
    if ruling is not None and ruling.action in BY_CONTENT:
        if ruling.sha256 == newest.sha256:
            status.ruling = ruling
        else:
            status.stale_ruling, ruling = ruling, None
    elif ruling is not None:
        status.ruling = ruling
    if ruling is not None and ruling.action == REJECT:
        decisions[id(newest)] = FileDecision(
            newest, REJECTED, _noted(Text("Chuyên viên không chấp nhận"), ruling.note), unit_code=unit.code
        )
        return status
    if blocking and not (ruling is not None and ruling.action == ACCEPT):
        decisions[id(newest)] = FileDecision(
            newest, REJECTED, Text("Bản nộp mới nhất của đơn vị có {n} lỗi", n=blocking), unit_code=unit.code
        )
        return status
    reason = _noted(Text("Chuyên viên chấp nhận dù có {n} lỗi", n=blocking), ruling.note) if blocking and ruling else ""
    decisions[id(newest)] = FileDecision(newest, ACCEPTED, reason, unit_code=unit.code)
    late = newest.receipt is not None and local_date(newest.receipt.at) >= due
    status.status = LATE if late else ON_TIME
    status.days_late = days_late(newest.receipt.at, period, due) if newest.receipt else 0
    return status


def _noted(text: Text, note: str) -> Text:
    """A decision's reason followed by the specialist's note, when there is one."""
    return Text("{reason}: {note}", reason=text, note=note) if note else text


def _foreign_reason(definition: Definition, period: Period, checked: CheckedReturn, expected: set[str]) -> str | Lazy:
    if checked.foreign_reason:
        return checked.foreign_reason
    if checked.report_id and checked.report_id != definition.id:
        return Text("Tệp của báo cáo khác ('{found}'), không phải '{expected}'", found=checked.report_id,
                    expected=definition.id)
    if checked.period and checked.period != period.id:
        return Text("Tệp của kỳ khác ('{found}'), không phải kỳ {expected}", found=checked.period, expected=period.id)
    code = checked.unit_code
    if not code:
        return Text("Không xác định được đơn vị báo cáo (thiếu mã đơn vị)")
    if code not in expected:
        unit = definition.unit(code)
        if unit is None:
            return Text("Mã đơn vị '{code}' không có trong danh sách đơn vị của kế hoạch", code=code)
        return Text("Đơn vị {code} ({name}) không phải nộp báo cáo kỳ {period}", code=code, name=unit.name,
                    period=period.id)
    return ""
