"""Who submitted what: pure decisions over hand-made CheckedReturns (tests/fixtures/mini)."""

from __future__ import annotations

import datetime as dt

from consolidate.merge.submissions import (
    ACCEPTED,
    IGNORED,
    INVALID,
    LATE,
    MISSING,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    REJECTED,
    SUPERSEDED,
    days_late,
    decide,
    rates,
)
from tests.merge.helpers import checked, sub, vn

AS_OF = vn(2026, 6, 10, 8)


def run(mini, subs, as_of=AS_OF):
    return decide(mini, mini.period("2026-H1"), subs, as_of)


def verdicts(decision):
    return {f.file: f.verdict for f in decision.files}


def test_expected_units_follow_the_period(mini):
    decision = run(mini, [])
    assert [u.unit.code for u in decision.units] == ["SNV", "STC", "24781"]  # 24787 owes only 2026-Y
    assert decision.counts() == {"expected": 3, "on_time": 0, "late": 0, "invalid": 0, "missing": 3}
    assert {u.missing_state for u in decision.units} == {OVERDUE}


def test_missing_not_yet_due_before_the_deadline(mini):
    decision = run(mini, [], as_of=vn(2026, 6, 4, 23, 59))
    assert {u.missing_state for u in decision.units} == {NOT_YET_DUE}
    decision = run(mini, [], as_of=vn(2026, 6, 5, 0, 0))
    assert {u.missing_state for u in decision.units} == {OVERDUE}


def test_deadline_boundary_in_vietnam_time(mini):
    # "trước ngày 05/06/2026": the 4th is the last on-time day, in Vietnam time.
    subs = [
        sub(checked("a.xlsx", "SNV"), vn(2026, 6, 4, 23, 59)),
        sub(checked("b.xlsx", "STC"), vn(2026, 6, 5, 0, 1)),
        # 17:30 UTC on the 4th is 00:30 on the 5th in Vietnam: late.
        sub(checked("c.xlsx", "24781"), dt.datetime(2026, 6, 4, 17, 30, tzinfo=dt.timezone.utc)),
    ]
    decision = run(mini, subs)
    assert [(u.unit.code, u.status, u.days_late) for u in decision.units] == [
        ("SNV", ON_TIME, 0),
        ("STC", LATE, 1),
        ("24781", LATE, 1),
    ]
    assert set(verdicts(decision).values()) == {ACCEPTED}


def test_days_late_counts_calendar_days(mini):
    period = mini.period("2026-H1")
    assert days_late(vn(2026, 6, 4, 12), period) == 0
    assert days_late(vn(2026, 6, 5, 12), period) == 1
    assert days_late(vn(2026, 6, 12, 1), period) == 8


def test_newest_supersedes(mini):
    subs = [
        sub(checked("snv-2.xlsx", "SNV", values={"tiep_dan_buoi": 5}), vn(2026, 6, 6)),
        sub(checked("snv-1.xlsx", "SNV", values={"tiep_dan_buoi": 3}), vn(2026, 6, 1)),
    ]
    decision = run(mini, subs)
    snv = decision.unit("SNV")
    assert snv.status == LATE and snv.days_late == 2
    assert snv.used.file == "snv-2.xlsx"
    assert [s.file for s in snv.submissions] == ["snv-1.xlsx", "snv-2.xlsx"]
    assert verdicts(decision) == {"snv-1.xlsx": SUPERSEDED, "snv-2.xlsx": ACCEPTED}
    assert "snv-2.xlsx" in decision.file("snv-1.xlsx").reason


def test_newest_with_errors_makes_the_unit_invalid(mini):
    subs = [
        sub(checked("ok.xlsx", "STC"), vn(2026, 6, 1)),
        sub(checked("bad.xlsx", "STC", errors=2, warnings=1), vn(2026, 6, 2)),
    ]
    decision = run(mini, subs)
    stc = decision.unit("STC")
    assert stc.status == INVALID and stc.days_late is None
    assert (stc.errors, stc.warnings, stc.used.file) == (2, 1, "bad.xlsx")
    assert verdicts(decision) == {"ok.xlsx": SUPERSEDED, "bad.xlsx": REJECTED}


def test_warnings_do_not_make_a_return_invalid(mini):
    decision = run(mini, [sub(checked("w.xlsx", "SNV", warnings=3), vn(2026, 6, 1))])
    assert decision.unit("SNV").status == ON_TIME


def test_ties_break_on_first_seen_then_name(mini):
    same = vn(2026, 6, 1, 9)
    subs = [
        sub(checked("b.xlsx", "SNV"), same, first_seen=vn(2026, 6, 2)),
        sub(checked("a.xlsx", "SNV"), same, first_seen=vn(2026, 6, 3)),
    ]
    assert run(mini, subs).unit("SNV").used.file == "a.xlsx"
    subs = [sub(checked("b.xlsx", "SNV"), same), sub(checked("a.xlsx", "SNV"), same)]
    assert run(mini, subs).unit("SNV").used.file == "b.xlsx"


def test_exact_copies_are_ignored(mini):
    subs = [
        sub(checked("SNV - Copy.xlsx", "SNV", sha="1" * 64), vn(2026, 6, 3)),
        sub(checked("SNV.xlsx", "SNV", sha="1" * 64), vn(2026, 6, 1)),
    ]
    decision = run(mini, subs)
    assert verdicts(decision) == {"SNV.xlsx": ACCEPTED, "SNV - Copy.xlsx": IGNORED}
    copy = decision.file("SNV - Copy.xlsx")
    assert copy.duplicate_of == "SNV.xlsx" and "SNV.xlsx" in copy.reason
    assert len(decision.unit("SNV").submissions) == 1


def test_foreign_files_are_ignored(mini):
    subs = [
        sub(checked("other-period.xlsx", "SNV", period="2026-Y", foreign="kỳ khác: 2026-Y"), vn(2026, 6, 1)),
        sub(checked("other-report.xlsx", "SNV", report_id="khac"), vn(2026, 6, 1)),
        sub(checked("unknown-unit.xlsx", "99999"), vn(2026, 6, 1)),
        sub(checked("not-owing.xlsx", "24787"), vn(2026, 6, 1)),
        sub(checked("no-unit.xlsx", ""), vn(2026, 6, 1)),
    ]
    decision = run(mini, subs)
    assert set(verdicts(decision).values()) == {IGNORED}
    assert decision.counts()["missing"] == 3
    assert decision.file("other-period.xlsx").reason == "kỳ khác: 2026-Y"
    assert "24787" in decision.file("not-owing.xlsx").reason
    assert "99999" in decision.file("unknown-unit.xlsx").reason


def test_unreadable_files_are_rejected(mini):
    ret = checked("bao-cao.pdf", "", readable=False, errors=1)
    decision = run(mini, [sub(ret, vn(2026, 6, 1))])
    assert verdicts(decision) == {"bao-cao.pdf": REJECTED}
    assert decision.file("bao-cao.pdf").reason.startswith("Lỗi giả")


def test_files_received_after_as_of_still_count(mini):
    """as_of decides "not yet due" vs "overdue" only; a file is never dropped for its time."""
    subs = [sub(checked("future.xlsx", "SNV"), vn(2026, 6, 20))]
    decision = run(mini, subs)
    assert verdicts(decision) == {"future.xlsx": ACCEPTED}
    assert decision.unit("SNV").status == LATE


def test_rates(mini):
    subs = [
        sub(checked("a.xlsx", "SNV"), vn(2026, 6, 1)),
        sub(checked("b.xlsx", "STC"), vn(2026, 6, 8)),
    ]
    counts = run(mini, subs).counts()
    assert counts == {"expected": 3, "on_time": 1, "late": 1, "invalid": 0, "missing": 1}
    assert rates(counts) == (2 / 3, 1 / 3)
    assert rates({"expected": 0, ON_TIME: 0, LATE: 0}) == (None, None)
    assert MISSING in counts
