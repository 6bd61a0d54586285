"""No malformed workbook is read as a wrong value: each case gives a located problem
(issue 15: silent misreads)."""

from __future__ import annotations

import re
import zipfile

import pytest

from consolidate.reading import read_file
from tests.reading import make_corpus


def _edit_workbook(src, dst, edit_workbook=None, edit_sheet=None, sheet=make_corpus.FIELDS_SHEET, edit_table=None):
    member = make_corpus.sheet_member(src, sheet)

    def edit(name, data):
        if name == "xl/workbook.xml" and edit_workbook:
            return edit_workbook(data)
        if name == member and edit_sheet:
            return edit_sheet(data)
        if name.startswith("xl/tables/") and edit_table:
            return edit_table(data)
        return data

    return make_corpus.rewrite(src, dst, edit)


def _codes(ret):
    return [p.code for p in ret.problems]


def _name_ref(path, name):
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
    return re.search(rf'<definedName name="{name}">([^<]*)</definedName>', wb).group(1)


def test_duplicated_name_is_reported_not_chosen(mini_def, base_return, tmp_path):
    src, _ = base_return
    ref = _name_ref(src, "don_tiep_nhan")
    dup = f'<definedName name="don_tiep_nhan">{_name_ref(src, "tiep_dan_buoi")}</definedName>'.encode()
    path = _edit_workbook(src, tmp_path / "dup.xlsx", lambda d: d.replace(b"</definedNames>", dup + b"</definedNames>"))
    ret = read_file(path, mini_def)
    found = [p for p in ret.problems if p.code == "name-duplicated"]
    assert [p.field_id for p in found] == ["don_tiep_nhan"] and "don_tiep_nhan" not in ret.cells
    assert ref  # the first definition existed: neither one is taken


@pytest.mark.parametrize("target", ["_meta!$B$4", "'Nhiệm vụ'!$D$5"])
def test_name_pointing_into_another_template_sheet(mini_def, base_return, tmp_path, target):
    src, _ = base_return
    old = _name_ref(src, "don_tiep_nhan").encode()
    path = _edit_workbook(src, tmp_path / "out.xlsx", lambda d: d.replace(
        b'name="don_tiep_nhan">' + old, b'name="don_tiep_nhan">' + target.encode()))
    ret = read_file(path, mini_def)
    found = [p for p in ret.problems if p.code == "name-outside-sheet"]
    assert [(p.field_id, p.sheet) for p in found] == [("don_tiep_nhan", make_corpus.FIELDS_SHEET)]
    assert "don_tiep_nhan" not in ret.cells


def test_name_on_a_range(mini_def, base_return, tmp_path):
    src, _ = base_return
    old = _name_ref(src, "don_tiep_nhan").encode()
    path = _edit_workbook(src, tmp_path / "out.xlsx", lambda d: d.replace(old, old + b":$D$9"))
    ret = read_file(path, mini_def)
    assert [p.field_id for p in ret.problems if p.code == "name-not-a-cell"] == ["don_tiep_nhan"]
    assert "don_tiep_nhan" not in ret.cells


def test_shrunk_table_keeps_no_filled_row_unseen(mini_def, tmp_path):
    src = tmp_path / "good.xlsx"
    values = make_corpus.good(mini_def, src, seed=5)
    rows = len(values["mo_hinh"])
    assert rows >= 2
    # the table now ends after its first data row: the others are below it
    path = _edit_workbook(src, tmp_path / "shrunk.xlsx", edit_table=lambda d: d.replace(b'ref="B4:E14"', b'ref="B4:E5"'))
    ret = read_file(path, mini_def)
    found = [p for p in ret.problems if p.code == "table-rows-outside"]
    assert [(p.field_id, p.cell) for p in found] == [("mo_hinh", "B6")]
    assert len(ret.tables["mo_hinh"]) == 1


def test_value_under_a_merged_range_is_not_read(mini_def, base_return, tmp_path):
    src, _ = base_return
    ref = _name_ref(src, "don_tiep_nhan")
    cell = ref.split("!")[1].replace("$", "")
    left = "C" + cell[1:]

    def merge(data):
        block = f'<mergeCell ref="{left}:{cell}"/>'.encode()
        if b"</mergeCells>" in data:
            return re.sub(rb'<mergeCells count="\d+">', b'<mergeCells>', data).replace(b"</mergeCells>", block + b"</mergeCells>")
        return data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + block + b"</mergeCells>")

    path = _edit_workbook(src, tmp_path / "merged.xlsx", edit_sheet=merge)
    ret = read_file(path, mini_def)
    found = [p for p in ret.problems if p.code == "value-under-merge"]
    assert [(p.sheet, p.cell) for p in found] == [(make_corpus.FIELDS_SHEET, cell)]
    assert ret.cells["don_tiep_nhan"].value is None


def test_names_removed_table_kept_judged_as_names_removed(mini_def, base_return, tmp_path):
    src, _ = base_return
    both = read_file(make_corpus.strip_names(src, tmp_path / "none.xlsx"), mini_def)
    names_only = _edit_workbook(src, tmp_path / "table-kept.xlsx",
                                lambda d: re.sub(rb"<definedNames>.*?</definedNames>", b"", d, flags=re.S))
    kept = read_file(names_only, mini_def)
    assert _codes(kept) == _codes(both) == ["names-missing"]
    assert {k: c.value for k, c in kept.cells.items()} == {k: c.value for k, c in both.cells.items()}
