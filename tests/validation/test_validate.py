"""check_return on RawReturn objects built by hand: codes and cell positions, never wording."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest

from consolidate import resources
from consolidate.definition.layout import META_SHEET
from consolidate.validation import ValidationReport, check_return, validate_returns
from consolidate.validation.problems import ALL_PROBLEMS
from consolidate.validation.returns import RawCell
from consolidate.validation.schema import return_schema
from tests.validation.conftest import AS_OF

CHI_TIEU = "Chỉ tiêu"
INFO = "Thông tin đơn vị"
NHIEM_VU = "Nhiệm vụ"
MO_HINH = "Mô hình Dân vận khéo"
Y_KIEN = "Khó khăn, đề xuất"


def found(checked) -> set[tuple]:
    return {(p.code, p.sheet, p.cell, p.field_id) for p in checked.problems}


def codes(checked) -> list[str]:
    return [p.code for p in checked.problems]


def check(mini, raw, period="2026-H1", as_of=AS_OF):
    return check_return(raw, mini, period, as_of=as_of)


# --------------------------------------------------------------------------- a good return


def test_good_return_is_valid_and_typed(mini, raw_of):
    checked = check(mini, raw_of())
    assert checked.valid and list(checked.problems) == []
    assert checked.unit_code == "SNV" and checked.period == "2026-H1" and checked.report_id == "mini-2026"
    assert checked.values["tiep_dan_buoi"] == 12
    assert checked.values["co_quy_che"] == "Có"
    assert checked.values["ngay_hoi_nghi"] == dt.date(2026, 5, 20)
    assert checked.values["de_xuat"] is None
    assert checked.info["report_date"] == dt.date(2026, 6, 1)
    assert checked.tasks["nv01"] == {"status": "Hoàn thành", "result": "Đã ban hành kế hoạch"}
    assert checked.tables["mo_hinh"][0]["so_ho_huong_loi"] == 120
    assert checked.foreign_reason == ""


def test_vietnamese_typing_is_understood(mini, raw_of):
    checked = check(mini, raw_of({
        "tiep_dan_buoi": "1.234", "don_tiep_nhan": "1 500", "don_giai_quyet": "1.200",
        "ty_le_hai_long": "92,5", "co_quy_che": "x", "muc_do": " trung  BÌNH ",
        "ngay_hoi_nghi": "20/5/2026", "report_date": "ngày 1 tháng 6 năm 2026",
    }))
    assert checked.valid, [p.code for p in checked.problems]
    assert checked.values["tiep_dan_buoi"] == 1234
    assert checked.values["don_tiep_nhan"] == 1500
    assert checked.values["ty_le_hai_long"] == 92.5
    assert checked.values["co_quy_che"] == "Có"
    assert checked.values["muc_do"] == "Trung bình"
    assert checked.values["ngay_hoi_nghi"] == dt.date(2026, 5, 20)


# --------------------------------------------------------------------------- cells


def test_every_problem_is_collected_with_its_cell(mini, raw_of):
    raw = raw_of({
        "tiep_dan_buoi": "mười hai",
        "don_tiep_nhan": "1,234",
        "don_giai_quyet": -3,
        "ty_le_hai_long": 120,
        "co_quy_che": "có lẽ",
        "muc_do": "Xuất sắc",
        "ngay_hoi_nghi": "31/02/2026",
        "kho_khan": "x" * 4001,
    })
    checked = check(mini, raw)
    assert found(checked) == {
        ("value-not-number", CHI_TIEU, "D6", "tiep_dan_buoi"),
        ("value-ambiguous-number", CHI_TIEU, "D7", "don_tiep_nhan"),
        ("value-below-minimum", CHI_TIEU, "D8", "don_giai_quyet"),
        ("value-above-maximum", CHI_TIEU, "D9", "ty_le_hai_long"),
        ("value-not-yes-no", CHI_TIEU, "D10", "co_quy_che"),
        ("value-not-in-choices", CHI_TIEU, "D11", "muc_do"),
        ("value-impossible-date", CHI_TIEU, "D12", "ngay_hoi_nghi"),
        ("text-too-long", Y_KIEN, "B6", "kho_khan"),
    }
    assert not checked.valid
    by_code = {p.code: p for p in checked.problems}
    assert by_code["value-not-number"].value == "mười hai"
    assert by_code["value-below-minimum"].value == -3
    assert by_code["value-above-maximum"].params["limit"] == "100"
    assert all(p.file == "snv.xlsx" for p in checked.problems)
    # a rejected value is never typed, never zero
    assert checked.values["tiep_dan_buoi"] is None and checked.values["co_quy_che"] is None


def test_required_fields(mini, raw_of):
    checked = check(mini, raw_of({"tiep_dan_buoi": None, "co_quy_che": "  ", "don_tiep_nhan": 0}))
    assert found(checked) == {
        ("value-required", CHI_TIEU, "D6", "tiep_dan_buoi"),
        ("value-required", CHI_TIEU, "D10", "co_quy_che"),
        # 28 solved out of 0 received: the rule names both cells
        ("rule-failed", CHI_TIEU, "D8", "don_giai_quyet"),
    }


@pytest.mark.parametrize("error", ["#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?"])
def test_error_literal_is_a_problem_not_a_blank(mini, raw_of, error):
    checked = check(mini, raw_of({"don_tiep_nhan": RawCell(CHI_TIEU, "D7", None, error=error)}))
    assert found(checked) == {("cell-error-value", CHI_TIEU, "D7", "don_tiep_nhan")}
    assert checked.problems[0].value == error
    assert checked.values["don_tiep_nhan"] is None


def test_formula_without_cached_value_is_not_zero(mini, raw_of):
    checked = check(mini, raw_of({"tiep_dan_buoi": RawCell(CHI_TIEU, "D6", None, formula_without_value=True)}))
    # not 'value-required', not a failed '>= 1' rule: the value is unknown
    assert found(checked) == {("formula-no-value", CHI_TIEU, "D6", "tiep_dan_buoi")}


def test_cell_reported_where_the_reader_found_it(mini, raw_of):
    # a row inserted above: the named cell moved to D7
    checked = check(mini, raw_of({"tiep_dan_buoi": RawCell(CHI_TIEU, "D7", "abc")}))
    assert found(checked) == {("value-not-number", CHI_TIEU, "D7", "tiep_dan_buoi")}


def test_named_cell_not_found(mini, raw_of):
    checked = check(mini, raw_of(drop=("muc_do",)))
    assert found(checked) == {("cell-missing", CHI_TIEU, "D11", "muc_do")}


def test_warnings_keep_the_return_acceptable(mini, raw_of):
    checked = check(mini, raw_of({
        "tiep_dan_buoi": "12 buổi", "ty_le_hai_long": "85%", "muc_do": "Trung binh",
        "ngay_hoi_nghi": "20/05/26", "kho_khan": "dán\x07từ web",
    }))
    assert checked.valid
    assert {(p.code, p.cell, p.severity) for p in checked.problems} == {
        ("number-unit-removed", "D6", "warning"),
        ("number-unit-removed", "D9", "warning"),
        ("choice-approximate", "D11", "warning"),
        ("date-two-digit-year", "D12", "warning"),
        ("text-control-characters", "B6", "warning"),
    }
    assert checked.values["tiep_dan_buoi"] == 12 and checked.values["muc_do"] == "Trung bình"
    assert checked.values["kho_khan"] == "dántừ web"


def test_percent_typed_into_a_number_cell_is_flagged_not_rescaled(mini, raw_of):
    # Excel stores "85%" typed into a General/number cell as 0.85
    checked = check(mini, raw_of({"ty_le_hai_long": 0.85}))
    assert checked.valid
    assert {(p.code, p.cell, p.severity) for p in checked.problems} == {
        ("value-percent-as-fraction", "D9", "warning"),
    }
    assert checked.values["ty_le_hai_long"] == 0.85


# --------------------------------------------------------------------------- tasks and tables


def test_task_status_must_be_a_listed_status(mini, raw_of):
    checked = check(mini, raw_of({"nv01_status": "Xong", "nv02_status": "đang TRIỂN khai", "nv02_result": "y" * 2001}))
    assert found(checked) == {
        ("value-not-in-choices", NHIEM_VU, "G5", "nv01_status"),
        ("text-too-long", NHIEM_VU, "H6", "nv02_result"),
    }
    assert checked.tasks["nv02"]["status"] == "Đang triển khai"


def test_blank_status_of_a_task_the_unit_leads_is_a_warning(mini, raw_of):
    # SNV leads nv01; nv02 is led by the communes
    checked = check(mini, raw_of({"nv01_status": None, "nv02_status": None}))
    assert found(checked) == {("task-status-missing", NHIEM_VU, "G5", "nv01_status")}
    assert checked.valid


def test_table_rows_checked_cell_by_cell(mini, raw_of):
    rows = [
        {"ten_mo_hinh": "Mô hình 1", "linh_vuc": "Kinh tế", "so_ho_huong_loi": "1.200"},
        {},  # an empty row between filled ones is ignored
        {"linh_vuc": "Thể thao", "so_ho_huong_loi": -1, "ngay_cong_nhan": "32/1/2026"},
        {"ten_mo_hinh": "Mô hình 3", "so_ho_huong_loi": RawCell(MO_HINH, "D8", None, error="#VALUE!")},
    ]
    checked = check(mini, raw_of(rows=rows))
    assert found(checked) == {
        ("value-required", MO_HINH, "B7", "mo_hinh.ten_mo_hinh"),
        ("value-not-in-choices", MO_HINH, "C7", "mo_hinh.linh_vuc"),
        ("value-below-minimum", MO_HINH, "D7", "mo_hinh.so_ho_huong_loi"),
        ("value-impossible-date", MO_HINH, "E7", "mo_hinh.ngay_cong_nhan"),
        ("cell-error-value", MO_HINH, "D8", "mo_hinh.so_ho_huong_loi"),
    }
    assert [r["ten_mo_hinh"] for r in checked.tables["mo_hinh"]] == ["Mô hình 1", None, "Mô hình 3"]
    assert checked.tables["mo_hinh"][0]["so_ho_huong_loi"] == 1200


# --------------------------------------------------------------------------- rules


def test_failing_rule_names_both_cells(mini, raw_of):
    checked = check(mini, raw_of({"don_tiep_nhan": 10, "don_giai_quyet": 15}))
    [problem] = checked.problems
    assert (problem.code, problem.severity, problem.sheet, problem.cell, problem.field_id) == (
        "rule-failed", "error", CHI_TIEU, "D8", "don_giai_quyet")
    assert problem.params["related_cells"] == [f"{CHI_TIEU}!D8", f"{CHI_TIEU}!D7"]
    assert problem.params["rule"] == "giai_quyet_le_tiep_nhan"
    assert problem.note == mini.rules[0].message


def test_warning_rule_keeps_return_valid(mini, raw_of):
    checked = check(mini, raw_of({"tiep_dan_buoi": 0}))
    assert [(p.code, p.severity, p.cell) for p in checked.problems] == [("rule-failed", "warning", "D6")]
    assert checked.valid


@pytest.mark.parametrize("bad", [None, "abc", RawCell(CHI_TIEU, "D7", None, error="#REF!"), -5])
def test_rule_skipped_when_an_operand_is_blank_or_invalid(mini, raw_of, bad):
    checked = check(mini, raw_of({"don_tiep_nhan": bad, "don_giai_quyet": 15}))
    assert "rule-failed" not in codes(checked)


# --------------------------------------------------------------------------- _meta


def test_missing_meta(mini, raw_of):
    checked = check(mini, raw_of(meta={}))
    assert found(checked) == {("meta-missing", META_SHEET, None, None)}
    assert checked.unit_code == "SNV"  # from the unit-code cell
    assert checked.values["tiep_dan_buoi"] == 12  # content still checked for the unit's benefit


def test_wrong_report_is_foreign_and_not_checked_further(mini, raw_of):
    meta = {"report_id": "other-2026", "definition_version": "1", "period": "2026-H1", "unit_code": "SNV",
            "fingerprint": "x"}
    checked = check(mini, raw_of({"tiep_dan_buoi": "abc"}, meta=meta))
    assert codes(checked) == ["meta-wrong-report"]
    assert checked.foreign_reason


@pytest.mark.parametrize("version", ["0", "2", ""])
def test_other_definition_version(mini, raw_of, version):
    meta = {"report_id": "mini-2026", "definition_version": version, "period": "2026-H1", "unit_code": "SNV",
            "fingerprint": "old"}
    checked = check(mini, raw_of({"tiep_dan_buoi": "abc"}, meta=meta))
    assert codes(checked) == ["meta-old-version"]
    assert not checked.foreign_reason


def test_wrong_period(mini, raw_of):
    raw = raw_of()
    raw.meta["period"] = "2026-Y"
    checked = check(mini, raw, period="2026-H1")
    assert "meta-wrong-period" in codes(checked) and checked.foreign_reason
    # without --period any period of the plan is accepted; its label must match
    checked = check(mini, raw, period=None)
    assert found(checked) == {("locked-cell-changed", INFO, "C8", "period_label")}
    raw.meta["period"] = "2030-Q1"
    checked = check(mini, raw, period=None)
    assert "meta-wrong-period" in codes(checked) and not checked.foreign_reason


def test_unknown_unit(mini, raw_of):
    raw = raw_of({"unit_code": "XYZ"})
    raw.meta["unit_code"] = "XYZ"
    checked = check(mini, raw)
    assert "meta-unknown-unit" in codes(checked)
    assert checked.foreign_reason


def test_unit_not_owing_this_period_is_a_warning(mini, raw_of):
    raw = raw_of({"unit_code": "24787", "unit_name": "Phường Cam Ly - Đà Lạt"})
    raw.meta["unit_code"] = "24787"
    checked = check(mini, raw)
    assert codes(checked) == ["meta-unit-not-expected"] and checked.valid


def test_fingerprint_mismatch(mini, raw_of):
    raw = raw_of()
    raw.meta["fingerprint"] = "0000000000000000"
    assert codes(check(mini, raw)) == ["meta-fingerprint-mismatch"]


def test_locked_cells_changed(mini, raw_of):
    checked = check(mini, raw_of({"unit_code": "STC", "unit_name": "Sở Tài chính", "period_label": "Quý I"}))
    assert found(checked) == {
        ("locked-cell-changed", INFO, "C6", "unit_code"),
        ("locked-cell-changed", INFO, "C7", "unit_name"),
        ("locked-cell-changed", INFO, "C8", "period_label"),
    }
    assert checked.unit_code == "SNV"  # _meta wins


def test_locked_cells_compare_normalised_text(mini, raw_of):
    import unicodedata

    checked = check(mini, raw_of({"unit_name": unicodedata.normalize("NFD", " Sở  Nội vụ ")}))
    assert checked.valid and not checked.problems


def test_numeric_unit_code_cell_matches(mini, raw_of):
    raw = raw_of({"unit_code": 24781.0, "unit_name": "Phường Xuân Hương - Đà Lạt", "nv01_status": None})
    raw.meta["unit_code"] = "24781"
    checked = check(mini, raw)
    assert "locked-cell-changed" not in codes(checked)


def test_blank_template_unit_code_comes_from_the_info_sheet(mini, raw_of):
    raw = raw_of({"unit_code": "STC", "unit_name": "Sở Tài chính (tự nhập)"})
    raw.meta["unit_code"] = ""
    checked = check(mini, raw)
    assert checked.unit_code == "STC" and checked.valid
    raw = raw_of({"unit_code": None})
    raw.meta["unit_code"] = ""
    assert found(check(mini, raw)) == {("info-missing", INFO, "C6", "unit_code")}


# --------------------------------------------------------------------------- unit information


def test_info_missing(mini, raw_of):
    checked = check(mini, raw_of({"preparer": None, "report_date": " "}))
    assert found(checked) == {
        ("info-missing", INFO, "C10", "preparer"),
        ("info-missing", INFO, "C13", "report_date"),
    }


@pytest.mark.parametrize(("report_date", "problem"), [
    (dt.date(2026, 6, 10), None),  # today
    (dt.date(2025, 11, 20), None),  # a little before the period starts (15/12/2025)
    (dt.date(2025, 10, 1), "info-date-implausible"),
    (dt.date(2026, 6, 11), "info-date-implausible"),  # tomorrow
])
def test_report_date_window(mini, raw_of, report_date, problem):
    checked = check(mini, raw_of({"report_date": report_date}))
    assert [p.code for p in checked.problems] == ([problem] if problem else [])
    if problem:
        assert checked.valid and checked.problems[0].cell == "C13"


# --------------------------------------------------------------------------- unreadable files


def test_reader_problems_are_kept_and_nothing_else_is_checked(mini, raw_of):
    from consolidate.problems import Problem

    raw = raw_of(meta={})
    raw.format = ""
    raw.problems.append(Problem(note="không đọc được", file=raw.file))
    checked = check(mini, raw)
    assert len(checked.problems) == 1 and not checked.valid


# --------------------------------------------------------------------------- the derived schema


def test_return_schema_is_derived_and_cached(mini):
    schema = return_schema(mini)
    assert schema is return_schema(mini)
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert props["tiep_dan_buoi"] == {"title": mini.field("tiep_dan_buoi").label, "type": "integer", "minimum": 0}
    assert props["ty_le_hai_long"]["maximum"] == 100
    assert props["co_quy_che"]["enum"] == ["Có", "Không"]
    assert props["nv01_status"]["enum"][0] == "Chưa triển khai"
    assert props["nv01_result"]["maxLength"] == 2000
    assert props["mo_hinh"]["items"]["required"] == ["ten_mo_hinh"]
    assert set(schema["required"]) == {"tiep_dan_buoi", "don_tiep_nhan", "don_giai_quyet", "co_quy_che",
                                       "preparer", "report_date"}
    assert "unit_code" not in props  # locked cells are checked against _meta, not the schema


# --------------------------------------------------------------------------- the report


def test_report_json_matches_its_schema(mini, raw_of):
    good = raw_of(file="good.xlsx")
    bad = raw_of({"tiep_dan_buoi": "abc", "don_tiep_nhan": 10, "don_giai_quyet": 20}, file="bad.xlsx")
    foreign = raw_of(file="foreign.xlsx")
    foreign.meta["report_id"] = "other"
    report = validate_returns([good, bad, foreign], mini, "2026-H1", as_of=AS_OF)
    assert isinstance(report, ValidationReport)
    assert not report.valid
    schema = json.loads(resources.schema_path("validation-report").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for lang in ("vi", "en"):
        data = report.to_dict(lang=lang)
        jsonschema.validate(json.loads(json.dumps(data, ensure_ascii=False)), schema)
    data = report.to_dict()
    assert data["counts"] == {"files": 3, "valid": 1, "invalid": 2, "foreign": 1, "errors": 3, "warnings": 0}
    assert [f["valid"] for f in data["files"]] == [True, False, False]
    rule = next(p for p in data["files"][1]["problems"] if p["code"] == "rule-failed")
    assert rule["related_cells"] == [f"{CHI_TIEU}!D8", f"{CHI_TIEU}!D7"]
    assert len(report.errors) == 3 and report.warnings == []
    rows = report.flatten(("file", "code", "cell"))
    assert ["bad.xlsx", "value-not-number", "D6"] in rows


def test_every_problem_class_renders_in_both_languages():
    seen = set()
    for cls in ALL_PROBLEMS:
        problem = cls(note="n", file="f.xlsx", sheet="S", cell="A1", field_id="x", value="v")
        assert problem.message and problem.message_en
        assert cls.severity in ("error", "warning")
        seen.add((cls.code, cls.severity))
    assert len({c for c, _ in seen}) == len(seen) - 1  # rule-failed exists as error and warning
