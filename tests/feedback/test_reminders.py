"""The reminder list: the same units and statuses as the merge, messages per situation."""

from __future__ import annotations

import csv
import datetime as dt
import json
import unicodedata

import openpyxl
import pytest

from consolidate.feedback.reminders import COLUMNS, addressee
from consolidate.feedback.run import match_unit, run_feedback
from consolidate.merge.run import run_merge
from consolidate.reading import read_file
from consolidate.vntime import VN_TZ
from tests.feedback.conftest import AS_OF, SNV_FILE, STC_FILE


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def add_unreadable(returns):
    (returns / "2026-H1_24781_Phuong-Xuan-Huong.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (returns / "scan.xlsx").write_bytes((returns / SNV_FILE).read_bytes()[:3000])  # cut short: corrupt
    (returns / "Cong van gui kem.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")


def test_list_matches_merge_status(mini, folder, tmp_path):
    add_unreadable(folder["returns"])
    merged = run_merge(mini, "2026-H1", folder["returns"], tmp_path / "tong-hop.xlsx", receipts=folder["receipts"],
                       as_of=AS_OF, json_path=tmp_path / "status.json", workers=1)
    status = json.loads((tmp_path / "status.json").read_text(encoding="utf-8"))
    assert merged.status["units"] == status["units"]
    result = run_feedback(mini, "2026-H1", folder["returns"], tmp_path / "phan-hoi", receipts=folder["receipts"],
                          as_of=AS_OF, workers=1)

    owed = {code: u for code, u in status["units"].items() if u["status"] in ("missing", "late", "invalid")}
    assert set(owed) == {"SNV", "STC", "24781"}
    rows = csv_rows(result.list_csv)
    by_code = {r["ma_don_vi"]: r for r in rows if r["ma_don_vi"]}
    assert set(by_code) == set(owed)
    for code, unit in owed.items():
        row = by_code[code]
        assert row["ma_trang_thai"] == unit["status"]
        assert row["chi_tiet"] == (unit["missing_state"] or "")
        assert int(row["so_loi"]) == unit["errors"] and int(row["so_canh_bao"]) == unit["warnings"]
        assert row["tep_da_nhan"] == (unit["file"] or row["tep_da_nhan"])
    assert by_code["STC"]["so_ngay_qua_han"] == str(status["units"]["STC"]["days_late"]) == "3"
    # missing after the deadline: days since due (trước ngày 05/06 → 04/06 is the last day; 10/06 is 6 days)
    assert by_code["24781"]["so_ngay_qua_han"] == "6"
    assert "24787" not in by_code  # owes only 2026-Y

    # the unreadable files: one matched by its name to 24781, one with no unit
    assert {f.file for f in result.unreadable} == {"2026-H1_24781_Phuong-Xuan-Huong.xlsx", "scan.xlsx",
                                                   "Cong van gui kem.pdf"}
    # a PDF of no unit (a cover letter) is not a reminder
    assert [f.file for f in result.not_spreadsheets] == ["Cong van gui kem.pdf"]
    assert by_code["24781"]["tep_da_nhan"] == "2026-H1_24781_Phuong-Xuan-Huong.xlsx"
    orphans = [r for r in rows if not r["ma_don_vi"]]
    assert [r["tep_da_nhan"] for r in orphans] == ["scan.xlsx"]
    assert orphans[0]["ma_trang_thai"] == "unreadable"
    assert orphans[0]["tep_dinh_kem"] == "bieu-mau/2026-H1_BIEU-MAU-TRONG.xlsx"


def test_attachments(mini, folder, tmp_path):
    out = tmp_path / "phan-hoi"
    result = run_feedback(mini, "2026-H1", folder["returns"], out, receipts=folder["receipts"], as_of=AS_OF, workers=1)
    rows = {r["ma_don_vi"]: r for r in csv_rows(result.list_csv)}
    # invalid: the annotated copy; late with a warning: its annotated copy; missing: its blank template
    assert rows["SNV"]["tep_dinh_kem"] == "danh-dau/2026-H1_SNV_So-Noi-vu_DANH-DAU-LOI.xlsx"
    assert rows["STC"]["tep_dinh_kem"] == "danh-dau/2026-H1_STC_So-Tai-chinh_DANH-DAU-LOI.xlsx"
    assert rows["24781"]["tep_dinh_kem"] == "bieu-mau/2026-H1_24781_Phuong-Xuan-Huong-Da-Lat.xlsx"
    for row in rows.values():
        assert (out / row["tep_dinh_kem"]).is_file()
    blank = read_file(out / rows["24781"]["tep_dinh_kem"], mini, "blank")
    assert blank.meta["unit_code"] == "24781" and blank.meta["period"] == "2026-H1"
    assert blank.cells["unit_name"].value == "Phường Xuân Hương - Đà Lạt"
    assert sorted(p.name for p in (out / "danh-dau").iterdir()) == [
        "2026-H1_SNV_So-Noi-vu_DANH-DAU-LOI.xlsx", "2026-H1_STC_So-Tai-chinh_DANH-DAU-LOI.xlsx"]


def test_csv_and_xlsx(mini, folder, tmp_path):
    result = run_feedback(mini, "2026-H1", folder["returns"], tmp_path / "out", receipts=folder["receipts"],
                          as_of=AS_OF, workers=1)
    data = result.list_csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    rows = csv_rows(result.list_csv)
    assert list(rows[0]) == [key for key, _, _ in COLUMNS]
    ws = openpyxl.load_workbook(result.list_xlsx).active
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    assert grid[0] == [heading for _, heading, _ in COLUMNS]
    assert len(grid) == len(rows) + 1
    for xrow, crow in zip(grid[1:], rows, strict=True):
        for value, (key, _, _) in zip(xrow, COLUMNS, strict=True):
            assert ("" if value is None else str(value)) == crow[key], key
    # no temporary files left behind
    assert not [p for p in result.out_dir.rglob("*.tmp")]


def test_messages(mini, folder, tmp_path):
    result = run_feedback(mini, "2026-H1", folder["returns"], tmp_path / "out", receipts=folder["receipts"],
                          as_of=AS_OF, workers=1)
    by_code = {r.code: r for r in result.reminders}
    assert [r.kind for r in result.reminders] == ["overdue", "invalid", "late"]
    subjects = {r.subject for r in result.reminders}
    assert len(subjects) == 3
    for rem in result.reminders:
        text = rem.message
        assert unicodedata.is_normalized("NFC", text) and unicodedata.is_normalized("NFC", rem.subject)
        assert text.startswith(f"Kính gửi: {addressee(rem.unit.name)}\n")
        assert "Trân trọng." in text
        assert mini.collector.name in text and mini.period("2026-H1").label in text
        assert "05/06/2026" in text or rem.kind == "invalid"
    assert "6 ngày" in by_code["24781"].message  # overdue by 6 days
    assert "01/KH-UBND" in by_code["24781"].message
    assert "3 ngày" in by_code["STC"].message  # late by 3 days
    assert "1 lỗi" not in by_code["SNV"].message  # it has 3
    assert "3 lỗi" in by_code["SNV"].message
    assert "14/06/2026" in by_code["SNV"].message  # resend within 3 days of 10/06


def test_not_yet_due(mini, folder, tmp_path):
    early = dt.datetime(2026, 6, 1, 9, 0, tzinfo=VN_TZ)
    (folder["returns"] / STC_FILE).unlink()
    result = run_feedback(mini, "2026-H1", folder["returns"], tmp_path / "out", as_of=early, workers=1)
    by_code = {r.code: r for r in result.reminders}
    assert by_code["STC"].kind == "not_yet_due" and by_code["24781"].kind == "not_yet_due"
    assert by_code["STC"].days_overdue == 0 and by_code["STC"].days_left == 4
    assert "còn 4 ngày" in by_code["STC"].message and "Sở Tài chính" in by_code["STC"].message
    rows = {r["ma_don_vi"]: r for r in csv_rows(result.list_csv)}
    assert rows["STC"]["chi_tiet"] == "not_yet_due" and rows["STC"]["so_ngay_qua_han"] == "0"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("2026-H1_SNV_So-Noi-vu.xlsx", "SNV"),
        ("bao cao 24781.xls", "24781"),
        ("Báo cáo Sở Tài chính (sửa).ods", "STC"),
        ("2026-H1_BIEU-MAU-TRONG.xlsx", None),
        ("SNV va STC.xlsx", None),  # two units: no guess
        ("snvx.xlsx", None),
    ],
)
def test_match_unit(mini, name, code):
    unit = match_unit(name, mini.expected_units("2026-H1"))
    assert (unit.code if unit else None) == code


def test_communes_are_addressed_through_their_peoples_committee():
    assert addressee("Phường Bình Thuận") == "Ủy ban nhân dân phường Bình Thuận"
    assert addressee("Đặc khu Phú Quý") == "Ủy ban nhân dân đặc khu Phú Quý"
    assert addressee("Sở Nội vụ") == "Sở Nội vụ"


def test_a_rerun_retires_copies_of_units_that_fixed_their_file(mini, folder, tmp_path):
    """Run twice into one folder: the second run must not leave last run's annotated copy of a
    unit that has since sent a clean file; files that are not the tool's are left alone."""
    from consolidate.definition.sample_values import filled_values
    from consolidate.template.writer import write_template
    from tests.feedback.conftest import SNV_FILE

    out = tmp_path / "phan-hoi"
    first = run_feedback(mini, "2026-H1", folder["returns"], out, receipts=folder["receipts"], as_of=AS_OF,
                         workers=1, register_path=tmp_path / "r.sqlite")
    snv_copy = next(c.path for c in first.annotated if c.unit.code == "SNV")
    assert snv_copy.exists()
    mine = out / "ghi-chu-cua-toi.txt"
    mine.write_text("của chuyên viên", encoding="utf-8")

    period = mini.period("2026-H1")
    clean = filled_values(mini, mini.unit("SNV"), period)
    clean["tiep_dan_buoi"] = 3
    write_template(mini, mini.unit("SNV"), period, folder["returns"] / SNV_FILE, values=clean)
    second = run_feedback(mini, "2026-H1", folder["returns"], out, receipts=folder["receipts"], as_of=AS_OF,
                          workers=1, register_path=tmp_path / "r.sqlite")
    assert "SNV" not in {c.unit.code for c in second.annotated}
    assert not snv_copy.exists()
    assert mine.exists()
    assert all(c.path.exists() for c in second.annotated)
