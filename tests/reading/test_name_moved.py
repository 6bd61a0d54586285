"""A name that no longer sits beside its field's label is reported on the field, never read
as its value (found by tests/reading/test_properties.py: a name pointed at another field's
cell read that field's value silently)."""

from __future__ import annotations

import zipfile

from consolidate.reading import read_file
from tests.reading import corpus_made as cm
from tests.reading import make_corpus as mc


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
