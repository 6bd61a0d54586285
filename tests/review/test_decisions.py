"""The specialist's decisions (consolidate review): each moves the counts and rates exactly,
survives a re-run, and accept/reject stop applying when the unit sends a new content."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.merge.register import Register
from tests.review.conftest import AS_OF, COMMUNES, Inbox

BASE = {"expected": 12, "on_time": 9, "late": 1, "invalid": 1, "missing": 1}


@pytest.fixture
def inbox(plan, tmp_path):
    box = Inbox(plan, tmp_path)
    box.add("SNV")
    box.add("STC", received="07/06/2026 10:00")
    box.add("X01", set_={"don_giai_quyet": 30})  # breaks a rule: an indicator error blocks
    box.add("X02", blank=("preparer",))  # only a contact field blank: a warning
    for code in COMMUNES[2:9]:
        box.add(code)
    return box  # X10 sends nothing


def units(result):
    return result.status["units"]


def test_contact_only_blank_is_accepted_with_warnings(inbox, tmp_path):
    result = inbox.merge(tmp_path)
    assert result.counts == BASE
    x02 = units(result)["X02"]
    assert (x02["status"], x02["errors"], x02["decision"]) == ("on_time", 0, None)
    assert x02["warnings"] >= 1
    assert next(f for f in result.status["files"] if f["unit_code"] == "X02")["verdict"] == "accepted"
    x01 = units(result)["X01"]
    assert (x01["status"], x01["errors"]) == ("invalid", 1)


def test_blank_indicator_still_blocks(plan, tmp_path):
    box = Inbox(plan, tmp_path)
    box.add("SNV", blank=("don_tiep_nhan",))  # a required indicator
    assert units(box.merge(tmp_path))["SNV"]["status"] == "invalid"


def test_accept(inbox, tmp_path):
    made = inbox.review("X01", "accept", "Đã xác nhận qua điện thoại")
    assert made.file == "2026-H1_X01.xlsx" and len(made.ruling.sha256) == 64
    result = inbox.merge(tmp_path)
    assert result.counts == {**BASE, "on_time": 10, "invalid": 0}
    assert result.rates == (11 / 12, 10 / 12)
    x01 = units(result)["X01"]
    assert (x01["status"], x01["decision"], x01["decision_note"], x01["errors"]) == (
        "on_time", "accept", "Đã xác nhận qua điện thoại", 1)  # its problem stays listed
    assert x01["values"]["don_giai_quyet"] == 30
    again = inbox.merge(tmp_path)  # a re-run applies the register's decision again
    assert again.counts == result.counts and units(again)["X01"]["decision"] == "accept"


def test_accept_keeps_unreadable_values_blank(plan, tmp_path):
    box = Inbox(plan, tmp_path)
    box.add("SNV", set_={"don_tiep_nhan": "khoảng 12"})
    box.add("STC")
    assert units(box.merge(tmp_path))["SNV"]["status"] == "invalid"
    box.review("SNV", "accept")
    result = box.merge(tmp_path)
    assert units(result)["SNV"]["status"] == "on_time"
    assert "don_tiep_nhan" not in units(result)["SNV"]["values"]  # never guessed
    stc = units(result)["STC"]["values"]["don_tiep_nhan"]
    assert result.status["fields"]["don_tiep_nhan"] == {**result.status["fields"]["don_tiep_nhan"],
                                                         "value": stc, "units_reporting": 1}


def test_reject(inbox, tmp_path):
    inbox.review("X03", "reject", "Số liệu không khớp văn bản giấy")
    result = inbox.merge(tmp_path)
    assert result.counts == {**BASE, "on_time": 8, "invalid": 2}
    assert result.rates == (9 / 12, 8 / 12)
    x03 = units(result)["X03"]
    assert (x03["status"], x03["decision"], x03["days_late"]) == ("invalid", "reject", None)
    reason = next(f for f in result.status["files"] if f["unit_code"] == "X03")
    assert reason["verdict"] == "rejected" and "Số liệu không khớp văn bản giấy" in reason["reason"]
    assert inbox.merge(tmp_path).counts == result.counts


def test_exempt(inbox, tmp_path):
    inbox.review("X10", "exempt", "Đơn vị sáp nhập")
    result = inbox.merge(tmp_path)
    assert result.counts == {**BASE, "expected": 11, "missing": 0}
    assert result.rates == (10 / 11, 9 / 11)
    assert units(result)["X10"]["status"] == "exempt" and units(result)["X10"]["decision"] == "exempt"
    assert [u.unit.code for u in result.decision.exempt] == ["X10"]
    assert inbox.merge(tmp_path).counts == result.counts


def test_extend(inbox, tmp_path):
    inbox.review("STC", "extend", "Xin gia hạn bằng văn bản", extend_to=dt.date(2026, 6, 8))
    result = inbox.merge(tmp_path)
    assert result.counts == {**BASE, "on_time": 10, "late": 0}
    stc = units(result)["STC"]
    assert (stc["status"], stc["decision"], stc["due_before"], stc["days_late"]) == ("on_time", "extend", "2026-06-09", 0)
    inbox.review("X10", "extend", "Cho nộp chậm", extend_to=dt.date(2026, 6, 30))
    later = inbox.merge(tmp_path)
    assert units(later)["X10"]["missing_state"] == "not_yet_due"  # its own deadline is still ahead


def test_clear_takes_the_decision_back(inbox, tmp_path):
    inbox.review("X01", "accept")
    assert inbox.merge(tmp_path).counts["invalid"] == 0
    inbox.review("X01", "clear", "Nhầm đơn vị")
    result = inbox.merge(tmp_path)
    assert result.counts == BASE and units(result)["X01"]["decision"] is None
    with Register(inbox.register) as register:  # append-only: both rows kept
        assert [r.action for r in register.rulings("review-2026", "2026-H1")] == ["accept", "clear"]
        assert all(r.user is not None for r in register.rulings("review-2026", "2026-H1"))


def test_decision_stops_applying_on_resubmission(inbox, tmp_path):
    inbox.review("X01", "accept")
    inbox.review("X03", "reject")
    assert inbox.merge(tmp_path).counts["invalid"] == 1
    inbox.add("X01", name="2026-H1_X01 (gui lai).xlsx", received="02/06/2026 09:00",
              set_={"don_giai_quyet": 31})
    inbox.add("X03", name="2026-H1_X03 (gui lai).xlsx", received="02/06/2026 09:00", seed=9)
    result = inbox.merge(tmp_path)
    x01, x03 = units(result)["X01"], units(result)["X03"]
    assert (x01["status"], x01["decision"], x01["decision_stale"]) == ("invalid", None, True)
    assert (x03["status"], x03["decision"], x03["decision_stale"]) == ("on_time", None, True)
    stale = next(n for n in result.status["notices"] if n["code"] == "decision-stale")
    assert stale["count"] == 2


def test_review_cli(inbox, tmp_path):
    runner = CliRunner()
    base = ["review", "--definition", str(inbox.plan.path.parent), "--period", "2026-H1",
            "--register", str(inbox.register), "--as-of", AS_OF.isoformat(), "--receipts",
            str(inbox.receipts_file())]
    ok = runner.invoke(cli, [*base, "--unit", "X01", "--accept", "--note", "Đồng ý", str(inbox.dir)])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(cli, [*base, "--unit", "X01", "--accept", "--reject", "--note", "x",
                               str(inbox.dir)]).exit_code == 2
    assert runner.invoke(cli, [*base, "--unit", "ZZZ", "--exempt", "--note", "x", str(inbox.dir)]).exit_code == 2
    missing = runner.invoke(cli, [*base, "--unit", "X10", "--accept", "--note", "x", str(inbox.dir)])
    assert missing.exit_code == 1  # nothing to accept
    ext = runner.invoke(cli, [*base, "--unit", "X10", "--extend-to", "30/06/2026", "--note", "x", str(inbox.dir)])
    assert ext.exit_code == 0, ext.output
    status = tmp_path / "s.json"
    merged = runner.invoke(cli, ["merge", "--definition", str(inbox.plan.path.parent), "--period", "2026-H1",
                                 "--register", str(inbox.register), "--as-of", AS_OF.isoformat(), "--receipts",
                                 str(inbox.receipts_file()), "--json", str(status), "-o", str(tmp_path / "t.xlsx"),
                                 str(inbox.dir)])
    assert merged.exit_code == 0, merged.output
    document = json.loads(status.read_text(encoding="utf-8"))
    assert document["units"]["X01"]["decision"] == "accept" and document["units"]["X10"]["decision"] == "extend"


def test_reminders_follow_decisions(inbox, tmp_path):
    from consolidate.feedback.run import run_feedback

    inbox.review("X01", "accept")
    inbox.review("X10", "extend", extend_to=dt.date(2026, 6, 30))
    inbox.review("STC", "exempt")
    result = run_feedback(inbox.plan, inbox.period, inbox.dir, tmp_path / "phan-hoi",
                          receipts=inbox.receipts_file(), as_of=AS_OF, register_path=inbox.register, workers=0)
    kinds = {r.code: r.kind for r in result.reminders}
    assert "X01" not in kinds and "STC" not in kinds
    assert kinds["X10"] == "not_yet_due"
    x10 = next(r for r in result.reminders if r.code == "X10")
    assert x10.days_left == 11 and "01/07/2026" in x10.message


def test_summary_shows_decisions_and_problem_kinds(inbox, tmp_path):
    import openpyxl

    inbox.review("X01", "accept", "Đồng ý")
    inbox.review("X10", "exempt", "Sáp nhập")
    result = inbox.merge(tmp_path)
    wb = openpyxl.load_workbook(result.summary_path)
    assert "Quyết định của chuyên viên" in wb.sheetnames
    decided = [r for r in wb["Quyết định của chuyên viên"].iter_rows(values_only=True) if r[1] in ("X01", "X10")]
    assert [(r[1], r[3], r[4], r[9]) for r in decided] == [("X01", "Chấp nhận", "Đồng ý", "Có"),
                                                          ("X10", "Miễn báo cáo", "Sáp nhập", "Có")]
    status = {r[1]: r for r in wb["Tình hình nộp báo cáo"].iter_rows(values_only=True) if r[1]}
    assert status["X01"][15] == "Chấp nhận: Đồng ý" and status["X10"][4] == "Miễn báo cáo"
    problem_rows = list(wb["Lỗi và cảnh báo"].iter_rows(values_only=True))
    severity = next(r for r in problem_rows if r[0] == "STT").index("Mức độ")  # columns found by label
    kinds = {(r[3], r[severity]) for r in problem_rows if r[3] in ("X01", "X02")}
    assert ("X01", "Lỗi (đã chấp nhận)") in kinds and ("X02", "Cảnh báo (không chặn)") in kinds
    overview = [c for r in wb["Tổng quan"].iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert any("Sáp nhập" in c or "miễn báo cáo" in c for c in overview)


def test_annotated_copy_shows_a_contact_blank_as_a_warning(inbox, tmp_path):
    import openpyxl

    from consolidate.feedback.run import run_feedback

    result = run_feedback(inbox.plan, inbox.period, inbox.dir, tmp_path / "phan-hoi", receipts=inbox.receipts_file(),
                          as_of=AS_OF, register_path=inbox.register, workers=0)
    copy = next(c for c in result.annotated if c.unit.code == "X02")
    assert (copy.errors, copy.warnings >= 1) == (0, True)
    listed = openpyxl.load_workbook(copy.path)["Danh sách lỗi"]
    severities = {r[1] for r in listed.iter_rows(min_row=5, values_only=True) if r[0]}
    assert severities == {"Cảnh báo"}
    assert "X02" not in {r.code for r in result.reminders}  # accepted with warnings: not chased
