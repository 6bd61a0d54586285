"""The summary workbook read back with openpyxl, sheet by sheet; byte-identical reruns;
atomic replacement; text from returns never becomes a formula."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from consolidate.merge import summary as summary_writer
from consolidate.merge.run import run_merge
from consolidate.merge.summary import FIXED_SHEETS, SummaryWriteError
from consolidate.vntime import parse_as_of
from tests.merge.test_golden import merge_case


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("summary")
    case, result = merge_case("mini-after-deadline", tmp)
    return case, result, tmp


def rows(ws, start=1):
    return [list(r) for r in ws.iter_rows(min_row=start, values_only=True)]


def table(ws, header_text="STT"):
    """The first table of a sheet: (header, rows as dicts) from the row starting with STT."""
    all_rows = rows(ws)
    at = next(i for i, r in enumerate(all_rows) if r[0] == header_text)
    header = all_rows[at]
    out = []
    for r in all_rows[at + 1 :]:
        if r[0] is None:
            break
        out.append(dict(zip(header, r, strict=False)))
    return header, out


def test_sheets(merged):
    _, result, _ = merged
    wb = openpyxl.load_workbook(result.summary_path)
    assert wb.sheetnames == [
        "Tổng quan", "Tình hình nộp báo cáo", "Tổng hợp chỉ tiêu", "Chi tiết theo đơn vị", "Tiến độ nhiệm vụ",
        "Tiến độ theo đơn vị", "Mô hình Dân vận khéo", "Khó khăn, đề xuất", "Lỗi và cảnh báo", "Tệp đã nhận",
    ]
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert ws.page_setup.paperSize == 9
        assert ws.print_title_rows
        assert ws["A1"].font.name == "Times New Roman"
        if ws.title != "Tổng quan":
            assert ws.page_setup.orientation == "landscape"
            assert ws.freeze_panes and ws.auto_filter.ref


def test_overview(merged):
    _, result, _ = merged
    wb = openpyxl.load_workbook(result.summary_path)
    ws = wb["Tổng quan"]
    text = "\n".join(str(c) for r in rows(ws) for c in r if c is not None)
    assert "mini-2026, phiên bản 1" in text and "trước ngày 05/06/2026" in text and "10/06/2026 08:00" in text
    _, groups = table(ws, "Nhóm đơn vị")
    assert groups[0] == {"Nhóm đơn vị": "Toàn tỉnh", "Phải nộp": 3, "Đúng hạn": 1, "Muộn": 1, "Có lỗi": 1,
                         "Chưa nộp": 0, "Tỷ lệ nộp báo cáo": pytest.approx(2 / 3), "Tỷ lệ nộp đúng hạn": pytest.approx(1 / 3)}
    assert [g["Nhóm đơn vị"] for g in groups[1:]] == ["Sở, ban, ngành", "UBND xã, phường, đặc khu"]
    with zipfile.ZipFile(result.summary_path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        assert 'grouping val="stacked"' in z.read(charts[0]).decode() or 'grouping val="stacked"' in z.read(charts[1]).decode()


def test_status_sheet(merged):
    _, result, _ = merged
    ws = openpyxl.load_workbook(result.summary_path)["Tình hình nộp báo cáo"]
    _, units = table(ws)
    got = {u["Mã đơn vị"]: (u["Tình trạng"], u["Số ngày muộn"], u["Tệp được dùng"], u["Số lần nộp"]) for u in units}
    assert got == {
        "SNV": ("Đúng hạn", 0, "2026-H1_SNV_So-Noi-vu.xlsx", 1),
        "STC": ("Muộn", 3, "Sở Tài chính/bao cao STC (sua lai).xlsx", 2),
        "24781": ("Có lỗi", None, "xa/24781 bo sung.xlsx", 2),
    }
    stc = next(u for u in units if u["Mã đơn vị"] == "STC")
    assert stc["Thời điểm nhận"] == dt.datetime(2026, 6, 7, 10, 0)
    assert stc["Nguồn thời điểm nhận"] == "Sổ tiếp nhận"
    assert len(ws.conditional_formatting) >= 1


def test_indicators_and_matrix(merged):
    _, result, _ = merged
    wb = openpyxl.load_workbook(result.summary_path)
    _, indicators = table(wb["Tổng hợp chỉ tiêu"])
    by_id = {r["Mã chỉ tiêu"]: r for r in indicators}
    for field_id, total in result.status["fields"].items():
        assert by_id[field_id]["Toàn tỉnh"] == total["value"]
        assert by_id[field_id]["Số đơn vị báo cáo"] == total["units_reporting"]
    _, matrix = table(wb["Chi tiết theo đơn vị"])
    assert [r["Mã đơn vị"] for r in matrix] == ["SNV", "STC"]  # accepted returns only
    column = "Số buổi tiếp công dân của người đứng đầu (buổi)"
    assert sum(r[column] or 0 for r in matrix) == result.status["fields"]["tiep_dan_buoi"]["value"]


def test_tasks_tables_text(merged):
    _, result, _ = merged
    wb = openpyxl.load_workbook(result.summary_path)
    _, tasks = table(wb["Tiến độ nhiệm vụ"])
    for row in tasks:
        counts = result.status["tasks"][row["Mã nhiệm vụ"]]
        for label, n in counts.items():
            assert row[label] == n
    # one row per accepted unit, under its own header (repeated on every printed page)
    by_unit_sheet = wb["Tiến độ theo đơn vị"]
    header, by_unit = table(by_unit_sheet)
    assert header[:3] == ["STT", "Mã đơn vị", "Tên đơn vị"] and len(header) == 3 + len(result.status["tasks"])
    assert [r["Mã đơn vị"] for r in by_unit] == ["SNV", "STC"]
    header_row = next(i for i, r in enumerate(rows(by_unit_sheet), start=1) if r[0] == "STT")
    assert by_unit_sheet.print_title_rows == f"${header_row}:${header_row}"
    for task_id, counts in result.status["tasks"].items():
        column = next(h for h in header if h and h.startswith(f"{task_id}. "))
        statuses = [r[column] for r in by_unit]
        assert {label: statuses.count(label) for label in counts} == counts
    _, models = table(wb["Mô hình Dân vận khéo"])
    assert len(models) == result.status["tables"]["mo_hinh"]
    assert {m["Mã đơn vị"] for m in models} <= {"SNV", "STC"}
    _, texts = table(wb["Khó khăn, đề xuất"])
    assert {t["Mã đơn vị"] for t in texts} <= {"SNV", "STC"}


def test_problems_and_files(merged):
    _, result, _ = merged
    wb = openpyxl.load_workbook(result.summary_path)
    _, problems = table(wb["Lỗi và cảnh báo"])
    codes = {(p["Tệp"], p["Mã lỗi"]) for p in problems}
    assert ("xa/24781 bo sung.xlsx", "rule-failed") in codes
    assert ("receipts.csv", "receipt-file-unknown") in codes
    _, files = table(wb["Tệp đã nhận"])
    assert [(f["Tệp"], f["Kết quả"]) for f in files] == [
        (f["file"], {"accepted": "Được sử dụng", "superseded": "Bị thay thế", "rejected": "Bị từ chối",
                     "ignored": "Bỏ qua"}[f["verdict"]])
        for f in result.status["files"]
    ]


def test_rerun_is_byte_identical(merged, tmp_path):
    case, result, tmp = merged
    first = result.summary_path.read_bytes()
    again = run_merge(case["definition_path"], case["period"], tmp / "returns" / case["period"],
                      tmp_path / "again.xlsx", receipts=case["folder"] / "receipts.csv",
                      as_of=parse_as_of(case["as_of"]), workers=0)
    assert again.summary_path.read_bytes() == first


def test_failed_write_keeps_the_previous_summary(merged, tmp_path, monkeypatch):
    case, result, tmp = merged
    out = tmp_path / "tong-hop.xlsx"
    out.write_bytes(result.summary_path.read_bytes())
    before = out.read_bytes()

    def boom(self):
        self.overview()
        raise RuntimeError("mất điện giữa chừng")

    monkeypatch.setattr(summary_writer._Writer, "write_all", boom)
    with pytest.raises(SummaryWriteError):
        run_merge(case["definition_path"], case["period"], tmp / "returns" / case["period"], out,
                  as_of=parse_as_of(case["as_of"]), workers=0, register_path=tmp_path / "reg" / "r.sqlite")
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg", "tong-hop.xlsx"]  # no temporary left


def test_text_from_returns_stays_text(mini, tmp_path):
    from consolidate.definition.sample_values import filled_values
    from consolidate.template.writer import write_template

    period = mini.period("2026-H1")
    unit = mini.unit("SNV")
    values = filled_values(mini, unit, period, seed=1)
    hostile = '=HYPERLINK("http://example.com/x","bấm vào đây")'
    values["kho_khan"] = hostile
    values["de_xuat"] = "@SUM(1+1)"
    values["mo_hinh"] = [{"ten_mo_hinh": "+cmd|' /C calc'!A0", "linh_vuc": "Kinh tế"}]
    returns = tmp_path / "returns"
    write_template(mini, unit, period, returns / "snv.xlsx", values=values)
    result = run_merge(mini, period, returns, tmp_path / "out.xlsx", as_of=parse_as_of("2026-06-10T08:00"), workers=0)
    wb = openpyxl.load_workbook(result.summary_path)
    texts = wb["Khó khăn, đề xuất"]
    cells = {c.value: c for row in texts.iter_rows() for c in row if c.value}
    for text in (hostile, "@SUM(1+1)"):
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix
    models = wb["Mô hình Dân vận khéo"]
    found = [c for row in models.iter_rows() for c in row if c.value == "+cmd|' /C calc'!A0"]
    assert found and found[0].data_type == "s"
    with zipfile.ZipFile(result.summary_path) as z:
        assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_sheet_names_are_unique_and_short(mini):
    names = summary_writer.sheet_names(mini)
    assert names == {"mo_hinh": "Mô hình Dân vận khéo", "y_kien": "Khó khăn, đề xuất"}
    assert all(len(n) <= 31 for n in FIXED_SHEETS)


def test_summary_opens_in_libreoffice(merged, tmp_path):
    """What the specialist does: open it and print it."""
    import subprocess

    from tests.conftest import soffice

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    _, result, _ = merged
    done = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(result.summary_path)],
        capture_output=True, timeout=240, check=False,
    )
    pdf = tmp_path / (result.summary_path.stem + ".pdf")
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 20_000  # every sheet printed, not an empty document
    _assert_prints_readably(pdf, result)


def _assert_prints_readably(pdf, result):
    """Issue 13: no text under 9 pt after print scaling, and no internal identifier on paper."""
    import pypdf

    sizes: list[float] = []
    texts: list[str] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * (abs(tm[3] * cm[3]) or 1))  # font size × the page's vertical scale
            texts.append(text)

    for page in pypdf.PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 9.0
    printed = "\n".join(texts)
    field_ids = [f for f in result.status["fields"] if "_" in f]
    codes = {p["code"] for unit in result.status["units"].values() for p in unit.get("problems", [])}
    codes |= {"rule-failed", "receipt-file-unknown"}  # known to be in this case (test_problems_and_files)
    assert field_ids and not [f for f in field_ids if f in printed]
    assert not [c for c in codes if c in printed]
