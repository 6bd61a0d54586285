"""`consolidate validate` end to end: template writer → file → reader → checks → exit code."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
from click.testing import CliRunner

from consolidate import resources
from consolidate.cli.main import cli
from consolidate.reading import read_file
from consolidate.template.writer import write_template
from consolidate.validation.checker import check_return
from tests.conftest import MINI

GOOD = {
    "preparer": "Nguyễn Văn A",
    "report_date": dt.date(2026, 6, 1),
    "tiep_dan_buoi": 12,
    "don_tiep_nhan": 30,
    "don_giai_quyet": 28,
    "co_quy_che": "Có",
    "nv01_status": "Hoàn thành",
    "mo_hinh": [{"ten_mo_hinh": "Mô hình 1", "so_ho_huong_loi": 5}],
}
ARGS = ["validate", "-d", str(MINI), "-p", "2026-H1", "--as-of", "2026-06-10"]


@pytest.fixture
def returns(mini, tmp_path):
    """A folder like a specialist's inbox: a good return, a bad one in a subfolder, an
    Excel owner file and a stray PDF."""
    period = mini.period("2026-H1")
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    write_template(mini, mini.unit("SNV"), period, inbox / "snv.xlsx", values=GOOD)
    bad = {**GOOD, "tiep_dan_buoi": "1,234", "don_giai_quyet": 40, "muc_do": "Xuất sắc", "preparer": None}
    write_template(mini, mini.unit("STC"), period, inbox / "sub" / "stc.xlsx", values=bad)
    (inbox / "~$snv.xlsx").write_bytes(b"owner")
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4")
    return inbox


def run(*args):
    return CliRunner().invoke(cli, [*ARGS, *map(str, args)])


def test_read_and_checked_end_to_end(mini, returns):
    good = check_return(read_file(returns / "snv.xlsx", mini), mini, "2026-H1", as_of=dt.date(2026, 6, 10))
    assert good.valid and not good.problems, [p.code for p in good.problems]
    assert good.values["tiep_dan_buoi"] == 12 and good.info["report_date"] == dt.date(2026, 6, 1)
    bad = check_return(read_file(returns / "sub" / "stc.xlsx", mini), mini, "2026-H1", as_of=dt.date(2026, 6, 10))
    assert {(p.code, p.sheet, p.cell) for p in bad.problems} == {
        ("value-ambiguous-number", "Chỉ tiêu", "D6"),
        ("value-not-in-choices", "Chỉ tiêu", "D11"),
        ("info-missing", "Thông tin đơn vị", "C10"),
        ("rule-failed", "Chỉ tiêu", "D8"),
    }


def test_openpyxl_edits_formula_and_error_cells(mini, returns, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(returns / "snv.xlsx")
    ws = wb["Chỉ tiêu"]
    ws["D7"] = "=D6*2"  # openpyxl saves no cached value
    ws["D9"] = "#DIV/0!"
    ws["D9"].data_type = "e"
    wb.save(tmp_path / "edited.xlsx")
    checked = check_return(read_file(tmp_path / "edited.xlsx", mini), mini, "2026-H1", as_of=dt.date(2026, 6, 10))
    assert {(p.code, p.cell) for p in checked.problems} == {("formula-no-value", "D7"), ("cell-error-value", "D9")}
    assert checked.values["don_tiep_nhan"] is None


def test_good_file_exits_0(returns):
    result = run(returns / "snv.xlsx")
    assert result.exit_code == 0, result.output
    assert "snv.xlsx" in result.output


def test_folder_with_errors_exits_1_and_lists_cells(returns):
    result = run(returns)
    assert result.exit_code == 1, result.output
    assert "~$" not in result.output
    # the stray PDF is listed with its reason, as merge lists it (issue 10: no silent skip)
    assert any("scan.pdf" in line and "[file-not-spreadsheet]" in line for line in result.output.splitlines())
    assert "[value-ambiguous-number] Chỉ tiêu!D6 (tiep_dan_buoi):" in result.output
    assert "[rule-failed] Chỉ tiêu!D8 (don_giai_quyet):" in result.output


def test_json_output_matches_schema(returns):
    result = run("--json", returns)
    assert result.exit_code == 1
    data = json.loads(result.output)
    schema = json.loads(resources.schema_path("validation-report").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["counts"]["files"] == 3 and data["counts"]["invalid"] == 2  # 2 returns + the stray PDF
    by_file = {f["file"].replace("\\", "/").split("inbox/")[-1]: f for f in data["files"]}
    assert by_file["snv.xlsx"]["valid"] and by_file["snv.xlsx"]["unit_code"] == "SNV"
    assert {p["code"] for p in by_file["sub/stc.xlsx"]["problems"]} == {
        "value-ambiguous-number", "value-not-in-choices", "info-missing", "rule-failed"}
    assert [p["code"] for p in by_file["scan.pdf"]["problems"]] == ["file-not-spreadsheet"]


def test_lang_en(returns):
    result = run("--lang", "en", returns / "sub" / "stc.xlsx")
    assert result.exit_code == 1
    assert "ERRORS" in result.output and "errors" in result.output


def test_wrong_period_is_foreign(returns):
    result = CliRunner().invoke(cli, ["validate", "-d", str(MINI), "-p", "2026-Y", "--json", str(returns / "snv.xlsx")])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["files"][0]["foreign_reason"]
    assert "meta-wrong-period" in {p["code"] for p in data["files"][0]["problems"]}


def test_warnings_only_exit_0(mini, tmp_path):
    write_template(mini, mini.unit("SNV"), mini.period("2026-H1"), tmp_path / "w.xlsx",
                   values={**GOOD, "tiep_dan_buoi": "12 buổi"})
    result = run(tmp_path / "w.xlsx")
    assert result.exit_code == 0, result.output
    assert "[number-unit-removed]" in result.output


@pytest.mark.parametrize("args", [
    ["-p", "2030-Q9"],  # unknown period
    [],  # no path
])
def test_usage_errors_exit_2(returns, args):
    extra = [str(returns)] if args else []
    result = CliRunner().invoke(cli, ["validate", "-d", str(MINI), *args, *extra])
    assert result.exit_code == 2, result.output


def test_missing_path_and_empty_folder_exit_2(tmp_path):
    assert CliRunner().invoke(cli, ["validate", "-d", str(MINI), str(tmp_path / "nope.xlsx")]).exit_code == 2
    (tmp_path / "empty").mkdir()
    assert CliRunner().invoke(cli, ["validate", "-d", str(MINI), str(tmp_path / "empty")]).exit_code == 2


def test_unusable_definition_exits_1(tmp_path, returns):
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "-d", str(tmp_path / "broken.yaml"), str(returns)])
    assert result.exit_code == 1


def test_folder_lists_a_word_document_with_its_reason(mini, tmp_path):
    """A .docx sent instead of the return is reported with a problem code, not skipped."""
    import docx

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_template(mini, mini.unit("SNV"), mini.period("2026-H1"), inbox / "snv.xlsx", values=GOOD)
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả thực hiện")
    document.save(inbox / "bao-cao.docx")
    (inbox / "Thumbs.db").write_bytes(b"junk")
    result = run("--json", inbox)
    assert result.exit_code == 1, result.output
    by_file = {f["file"].replace("\\", "/").split("inbox/")[-1]: f for f in json.loads(result.output)["files"]}
    assert set(by_file) == {"snv.xlsx", "bao-cao.docx"}  # system junk stays out, as in merge
    assert by_file["snv.xlsx"]["valid"]
    problems = by_file["bao-cao.docx"]["problems"]
    assert [p["code"] for p in problems] == ["file-not-spreadsheet"] and problems[0]["severity"] == "error"


@pytest.mark.parametrize("as_of", ["2026-05-20", "2026-05-20T17:00", "20/05/2026 17:00", "20/05/2026",
                                   "2026-05-20T10:00+00:00"])
def test_as_of_takes_the_forms_merge_takes(mini, tmp_path, as_of):
    """`--as-of` is "today" for the report date: a return dated 01/06 is after 20/05."""
    path = write_template(mini, mini.unit("SNV"), mini.period("2026-H1"), tmp_path / "snv.xlsx", values=GOOD)
    result = CliRunner().invoke(cli, ["validate", "-d", str(MINI), "-p", "2026-H1", "--as-of", as_of, "--json", str(path)])
    assert result.exit_code == 0, result.output  # a warning, not an error
    problems = json.loads(result.output)["files"][0]["problems"]
    assert [(p["code"], p["field"]) for p in problems] == [("info-date-implausible", "report_date")]


def test_as_of_is_the_vietnam_date(mini, tmp_path):
    """01/06 00:30 Vietnam time is still 31/05 in UTC: the report date 01/06 is today, fine."""
    path = write_template(mini, mini.unit("SNV"), mini.period("2026-H1"), tmp_path / "snv.xlsx", values=GOOD)
    result = CliRunner().invoke(cli, ["validate", "-d", str(MINI), "-p", "2026-H1", "--as-of", "2026-05-31T17:30Z",
                                      "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"][0]["problems"] == []


@pytest.mark.parametrize("as_of", ["20.05.2026 25:00", "hôm qua", "2026-13-01"])
def test_bad_as_of_is_a_usage_error(returns, as_of):
    result = run("--as-of", as_of, returns / "snv.xlsx")
    assert result.exit_code == 2, result.output
    assert "--as-of" in result.output
