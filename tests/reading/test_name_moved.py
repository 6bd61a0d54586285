"""A name that no longer sits beside its field's label, or a table that no longer starts at
its header row, is reported on the field or the table, never read as its value (found by
tests/reading/test_properties.py: a name pointed at another field's cell read that field's
value silently; a table reference moved down dropped the rows above it)."""

from __future__ import annotations

import zipfile

import pytest

from consolidate.definition.layout import layout_for
from consolidate.reading import read_file
from tests.reading import corpus_made as cm
from tests.reading import make_corpus as mc
from tests.reading.test_reading import same


def _repoint(src, dst, name, target):
    ref = cm.name_ref(src, name)
    return cm.workbook_xml(src, dst, lambda t: t.replace(f'name="{name}">{ref}<', f'name="{name}">{target}<'))


def _moved(ret):
    return [(p.field_id, p.sheet, p.cell) for p in ret.problems if p.code == "name-moved"]


def test_name_on_another_fields_cell(mini_def, base_return, tmp_path):
    src, values = base_return
    path = _repoint(src, tmp_path / "shared.xlsx", "don_tiep_nhan", cm.name_ref(src, "don_giai_quyet"))
    ret = read_file(path, mini_def)
    assert _moved(ret) == [("don_tiep_nhan", mc.FIELDS_SHEET, cm.name_cell(src, "don_giai_quyet"))]
    assert "don_tiep_nhan" not in ret.cells
    assert ret.cells["don_giai_quyet"].value == values["don_giai_quyet"]  # its own name still reads


def test_name_on_a_blank_cell_far_below(mini_def, base_return, tmp_path):
    src, _ = base_return
    ret = read_file(_repoint(src, tmp_path / "far.xlsx", "ty_le_hai_long", "'Chỉ tiêu'!$D$40"), mini_def)
    assert _moved(ret) == [("ty_le_hai_long", mc.FIELDS_SHEET, "D40")]
    assert "ty_le_hai_long" not in ret.cells


def test_reworded_label_keeps_the_name(mini_def, base_return, tmp_path):
    """A label edited since the template was made (no other field's label) is no reason
    to distrust the name."""
    src, values = base_return
    with zipfile.ZipFile(src) as z:
        strings = z.read("xl/sharedStrings.xml")
    assert "Số đơn thư tiếp nhận".encode() in strings
    path = cm.edit_member(src, tmp_path / "reworded.xlsx", "xl/sharedStrings.xml",
                          lambda d: d.replace("Số đơn thư tiếp nhận".encode(), "Tổng số đơn nhận được".encode(), 1))
    ret = read_file(path, mini_def)
    assert _moved(ret) == [] and ret.problems == []
    assert ret.cells["don_tiep_nhan"].value == values["don_tiep_nhan"]


@pytest.mark.parametrize(("ref", "header"), [("B5:E14", "B5"), ("B20:E30", "B20")])
def test_table_that_no_longer_starts_at_its_header(mini_def, tmp_path, ref, header):
    """The reference moved down onto the data (or away): the rows above would be dropped."""
    src = tmp_path / "good.xlsx"
    values = mc.good(mini_def, src, seed=5)
    assert len(values["mo_hinh"]) >= 2
    table = next(n for n in zipfile.ZipFile(src).namelist() if n.startswith("xl/tables/"))
    path = cm.edit_member(src, tmp_path / "moved.xlsx", table, lambda d: d.replace(b'ref="B4:E14"', f'ref="{ref}"'.encode()))
    ret = read_file(path, mini_def)
    found = [(p.code, p.field_id, p.cell) for p in ret.problems]
    assert found == [("table-header-moved", "mo_hinh", header)]


def test_every_name_pointed_at_every_other_fields_cell(mini_def, base_return, tmp_path):
    """Exhaustive over the layout: each name on each other field's cell of another row is
    name-moved on that field, and the other fields read as written."""
    src, values = base_return
    layout = layout_for(mini_def)
    names = [n for n in layout.cells if n in values]
    with zipfile.ZipFile(src) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    workbook = dict(members)["xl/workbook.xml"].decode()
    refs = {n: cm.name_ref(src, n) for n in names}
    path = tmp_path / "x.xlsx"
    for name in names:
        spec = layout.cells[name]
        for other in names:
            target = layout.cells[other]
            if target.sheet == spec.sheet and target.row == spec.row:
                continue  # along its own row a name is followed (columns inserted)
            edited = workbook.replace(f'name="{name}">{refs[name]}<', f'name="{name}">{refs[other]}<')
            with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:  # stored: quick to write
                for member, data in members:
                    z.writestr(member, edited if member == "xl/workbook.xml" else data)
            ret = read_file(path, mini_def)
            assert [p.field_id for p in ret.problems if p.code in ("name-moved", "name-outside-sheet")] == [name], (
                name, other)
            assert all(same(values[n], ret.cells[n].value) for n in names if n != name), (name, other)
