"""Generated templates carry the contract: names, tables, validations, protection, _meta."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from consolidate.definition.layout import INFO_SHEET, INSTRUCTIONS_SHEET, META_SHEET, layout_for
from consolidate.template.writer import write_template, write_templates


@pytest.fixture
def template(mini, tmp_path):
    period = mini.period("2026-H1")
    path = write_template(mini, mini.unit("24781"), period, tmp_path / "t.xlsx")
    return openpyxl.load_workbook(path)


def test_sheet_order_and_meta(mini, template):
    assert template.sheetnames[:2] == [INSTRUCTIONS_SHEET, INFO_SHEET]
    assert template.sheetnames[2:-1] == [s.sheet for s in mini.sections]
    meta = template[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    values = {row[0].value: row[1].value for row in meta.iter_rows(min_row=1, max_row=5)}
    assert values == {
        "report_id": "mini-2026",
        "definition_version": "1",
        "period": "2026-H1",
        "unit_code": "24781",
        "fingerprint": layout_for(mini).fingerprint,
    }


def test_every_input_has_a_workbook_scoped_name(mini, template):
    layout = layout_for(mini)
    names = template.defined_names
    for cell in layout.cells.values():
        dn = names[cell.name]
        (sheet, ref), = list(dn.destinations)
        assert sheet == cell.sheet
        assert ref.replace("$", "") == cell.address
    assert "nv01_status" in names and "nv02_result" in names


def test_table_sections_are_excel_tables(mini, template):
    ws = template["Mô hình Dân vận khéo"]
    assert "mo_hinh" in ws.tables
    table = ws.tables["mo_hinh"]
    assert [c.name for c in table.tableColumns] == [f.label for f in mini.sections_of("table")[0].fields]
    assert table.ref == layout_for(mini).tables["mo_hinh"].ref


def test_inputs_unlocked_rest_locked_and_protected(mini, template):
    layout = layout_for(mini)
    for cell in layout.cells.values():
        ws = template[cell.sheet]
        assert ws.protection.sheet, cell.sheet
        assert ws[cell.address].protection.locked is cell.locked, cell.name
    info = template[INFO_SHEET]
    assert info[layout.cells["unit_code"].address].value == "24781"
    assert info["B6"].protection.locked
    assert template.security.lockStructure


def test_validations(mini, template):
    def rules(sheet):
        return {str(dv.sqref): dv for dv in template[sheet].data_validations.dataValidation}

    fields = rules("Chỉ tiêu")
    assert fields["D6"].type == "whole" and fields["D6"].formula1 == "0"
    assert fields["D9"].type == "decimal"
    assert fields["D10"].type == "list" and "Có" in fields["D10"].formula1
    assert fields["D11"].type == "list" and "Trung bình" in fields["D11"].formula1
    assert fields["D12"].type == "date"
    assert all(dv.promptTitle and dv.prompt and dv.error for dv in fields.values())
    # one validation per column of task inputs (status G, result H), not one per task
    tasks = rules("Nhiệm vụ")
    last = 4 + len(mini.sections_of("tasks")[0].tasks)
    assert tasks[f"G5:G{last}"].type == "list" and "Hoàn thành" in tasks[f"G5:G{last}"].formula1
    assert tasks[f"H5:H{last}"].type == "textLength"
    table = rules("Mô hình Dân vận khéo")
    assert table["C5:C14"].type == "list"
    assert rules(INFO_SHEET)["C13"].type == "date"


def test_print_setup_and_font(template):
    for name in template.sheetnames[:-1]:
        ws = template[name]
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    ws = template[INFO_SHEET]
    assert ws["A1"].value == "PHƯỜNG XUÂN HƯƠNG - ĐÀ LẠT"
    assert ws["C1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["B6"].font.name == "Times New Roman"
    assert template["Chỉ tiêu"].print_title_rows == "$4:$4"


def test_files_per_unit_and_generic(mini, tmp_path):
    files = write_templates(mini, mini.period("2026-H1"), tmp_path)
    names = sorted(p.name for p in files)
    assert names == [
        "2026-H1_24781_Phuong-Xuan-Huong-Da-Lat.xlsx",
        "2026-H1_BIEU-MAU-TRONG.xlsx",
        "2026-H1_SNV_So-Noi-vu.xlsx",
        "2026-H1_STC_So-Tai-chinh.xlsx",
    ]
    generic = openpyxl.load_workbook(tmp_path / "2026-H1_BIEU-MAU-TRONG.xlsx")
    code = generic[INFO_SHEET]["C6"]
    assert code.protection.locked is False
    dv = {str(d.sqref): d for d in generic[INFO_SHEET].data_validations.dataValidation}["C6"]
    assert dv.type == "list" and "_meta" in dv.formula1


def test_filled_values_written_as_values_and_text_stays_text(mini, tmp_path):
    period = mini.period("2026-H1")
    values = {
        "tiep_dan_buoi": 4,
        "ngay_hoi_nghi": dt.date(2026, 5, 2),
        "nv01_result": '=HYPERLINK("http://x","y")',
        "mo_hinh": [{"ten_mo_hinh": "Mô hình A", "so_ho_huong_loi": 12}],
    }
    path = write_template(mini, mini.unit("SNV"), period, tmp_path / "f.xlsx", values=values)
    wb = openpyxl.load_workbook(path)
    assert wb["Chỉ tiêu"]["D6"].value == 4
    assert wb["Chỉ tiêu"]["D12"].value == dt.datetime(2026, 5, 2)
    assert wb["Nhiệm vụ"]["H5"].data_type == "s"
    assert wb["Nhiệm vụ"]["H5"].value.startswith("=HYPERLINK")
    assert wb["Mô hình Dân vận khéo"]["B5"].value == "Mô hình A"
    assert wb["Mô hình Dân vận khéo"]["D5"].value == 12


def test_choice_with_comma_uses_a_range(mini, tmp_path):
    import dataclasses

    table = mini.sections_of("table")[0]
    fields = list(table.fields)
    fields[1] = dataclasses.replace(fields[1], choices=("Kinh tế, xã hội", "Văn hóa"))
    sections = tuple(dataclasses.replace(s, fields=tuple(fields)) if s is table else s for s in mini.sections)
    d = dataclasses.replace(mini, sections=sections)
    wb = openpyxl.load_workbook(write_template(d, d.unit("SNV"), d.period("2026-H1"), tmp_path / "c.xlsx"))
    dv = {str(x.sqref): x for x in wb["Mô hình Dân vận khéo"].data_validations.dataValidation}["C5:C14"]
    assert dv.formula1.startswith("'_meta'!")
    meta_values = [c.value for c in wb["_meta"]["D"] if c.value]
    assert "Kinh tế, xã hội" in meta_values


def test_outputs_get_ordinary_permissions(mini, tmp_path):
    import os
    import stat

    path = write_template(mini, mini.unit("SNV"), mini.period("2026-H1"), tmp_path / "p.xlsx")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_short_text_inputs_are_text_cells(mini, template):
    """A phone number typed as 0912… must stay text in Excel (General would drop the 0);
    long answers keep General."""
    def number_format(name):
        (sheet, ref), = list(template.defined_names[name].destinations)
        return template[sheet][ref.replace("$", "")].number_format

    assert number_format("preparer_phone") == "@"
    assert number_format("preparer") == "@"
    assert number_format("kho_khan") == "General"
