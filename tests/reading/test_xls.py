"""Excel 97-2003 (.xls) returns: read by the BIFF defined names they carry, and every OLE
file called what it is (encrypted, damaged, Word/PowerPoint). The .xls files are made by
LibreOffice itself (tests/reading/lo_macro.py), once for the module; the damaged ones by
editing those bytes."""

from __future__ import annotations

import struct

import pytest

from consolidate.definition.layout import layout_for
from consolidate.reading import read_file, read_many
from consolidate.reading.biff import read_xls_map, workbook_stream
from consolidate.reading.names import Ref
from tests.reading import lo_macro
from tests.reading import make_corpus as mc
from tests.reading.test_reading import assert_values, codes

pytestmark = pytest.mark.skipif(lo_macro.SOFFICE is None, reason="LibreOffice not installed")

FIELDS = mc.FIELDS_SHEET


@pytest.fixture(scope="module")
def lo_files(mini_def, base_return, tmp_path_factory):
    """One LibreOffice start: the filled return saved as .xls; a row inserted above a named
    cell, and one above the table's header, each saved as .xls, .xlsx and .ods; a
    password-protected .xls; an .xls with print areas and an autofilter (built-in names)."""
    src, _ = base_return
    work = tmp_path_factory.mktemp("lo")
    layout = layout_for(mini_def)
    sheets = layout.sheets
    cell = layout.cells["don_tiep_nhan"]
    table = layout.tables["mo_hinh"]
    filtered = mc.autofilter(src, work / "filtered.xlsx", FIELDS, "A5:E12")
    errors = mc.error_and_formula(src, work / "errors.xlsx", cell.address, layout.cells["don_giai_quyet"].address)
    files = {name: {ext: work / f"{name}{ext}" for ext in (".xls", ".xlsx", ".ods")} for name in ("row", "table")}
    lo_macro.run([
        lo_macro.Job(src, [work / "plain.xls"]),
        lo_macro.Job(src, list(files["row"].values()), sheet=sheets.index(cell.sheet), row=cell.row),
        lo_macro.Job(src, list(files["table"].values()), sheet=sheets.index(table.sheet), row=table.header_row - 1),
        lo_macro.Job(src, [work / "encrypted.xls"], password="x"),
        lo_macro.Job(filtered, [work / "builtins.xls"], print_areas=True),
        lo_macro.Job(errors, [work / "errors.xls"]),
        lo_macro.Job(src, [work / "deleted.xls", work / "deleted.xlsx", work / "deleted.ods"],
                     sheet=sheets.index(cell.sheet), row=cell.row, delete=True),
    ], work)
    singles = ("plain", "encrypted", "builtins", "errors")
    deleted = {ext: work / f"deleted{ext}" for ext in (".xls", ".xlsx", ".ods")}
    return {**{name: work / f"{name}.xls" for name in singles}, **files, "deleted": deleted}


def stream_of(path):
    return workbook_stream(path.read_bytes())[0]


# --- read by names ------------------------------------------------------------------


def test_libreoffice_xls_is_read_by_its_names(mini_def, base_return, lo_files):
    _, values = base_return
    layout = layout_for(mini_def)
    ret = read_file(lo_files["plain"], mini_def)
    assert ret.format == "xls" and ret.located_by == "names"
    assert ret.problems == []
    spec = layout.cells["don_tiep_nhan"]
    assert ret.cells["don_tiep_nhan"].address == spec.address
    assert_values(ret, values, layout)


def test_row_inserted_in_calc_reads_the_same_as_xlsx_and_ods(mini_def, base_return, lo_files):
    _, values = base_return
    layout = layout_for(mini_def)
    spec = layout.cells["don_tiep_nhan"]
    moved = read_xls_map(stream_of(lo_files["row"][".xls"]))
    # Calc moved the name with its cell: the .xls really carries the new position
    assert moved.names["don_tiep_nhan"] == Ref(FIELDS, spec.row + 1, spec.col, spec.row + 1, spec.col)
    assert moved.names["tiep_dan_buoi"] == Ref(FIELDS, spec.row - 1, spec.col, spec.row - 1, spec.col)
    rets = {ext: read_file(path, mini_def) for ext, path in lo_files["row"].items()}
    for ext, ret in rets.items():
        assert ret.problems == [] and ret.located_by == "names", (ext, codes(ret))
        assert ret.cells["don_tiep_nhan"].address == f"D{spec.row + 2}", ext
        assert_values(ret, values, layout)
    xls = rets[".xls"]
    for ext in (".xlsx", ".ods"):
        assert {n: (c.address, c.value) for n, c in rets[ext].cells.items()} == {
            n: (c.address, c.value) for n, c in xls.cells.items()}, ext


def test_row_inserted_above_a_table_finds_its_header(mini_def, base_return, lo_files):
    """BIFF has no tables: the template's table is found by its header row, moved or not."""
    _, values = base_return
    layout = layout_for(mini_def)
    table = layout.tables["mo_hinh"]
    rets = {ext: read_file(path, mini_def) for ext, path in lo_files["table"].items()}
    for ext, ret in rets.items():
        assert ret.problems == [] and ret.located_by == "names", (ext, codes(ret))
        first = ret.tables["mo_hinh"][0]["ten_mo_hinh"]
        assert (first.sheet, first.address) == (table.sheet, f"B{table.header_row + 3}"), ext
        assert_values(ret, values, layout)


def test_deleted_named_cell_is_name_broken_as_in_ods(mini_def, base_return, lo_files):
    """Calc turns the name of a deleted cell into #REF!: reported on its field, never read
    from whatever cell moved up into its place; the other names moved up with their cells.
    Its .xlsx also ends the sheet with an empty row 1,048,576 (Calc keeps the sheet's
    height): no reason to refuse the file as too large."""
    _, values = base_return
    layout = layout_for(mini_def)
    spec = layout.cells["don_tiep_nhan"]
    rets = {ext: read_file(path, mini_def) for ext, path in lo_files["deleted"].items()}
    for ext, ret in rets.items():
        assert [(p.code, p.field_id) for p in ret.problems] == [("name-broken", "don_tiep_nhan")], (ext, codes(ret))
        assert "don_tiep_nhan" not in ret.cells
        assert ret.cells["don_giai_quyet"].address == layout.cells["don_giai_quyet"].address.replace(
            str(spec.row + 2), str(spec.row + 1)), ext
        assert_values(ret, {k: v for k, v in values.items() if k != "don_tiep_nhan"}, layout)


def test_built_in_names_do_not_confuse_the_locator(mini_def, base_return, lo_files):
    """Print_Area, Print_Titles and the hidden _FilterDatabase are Excel's, not the template's."""
    _, values = base_return
    wbmap = read_xls_map(stream_of(lo_files["builtins"]))
    assert not [key for key in wbmap.names if "print" in key or "filter" in key]
    assert wbmap.duplicates == set()
    ret = read_file(lo_files["builtins"], mini_def)
    assert ret.problems == [] and ret.located_by == "names", codes(ret)
    assert_values(ret, values, layout_for(mini_def))


def test_error_cell_is_an_error_not_a_blank(mini_def, lo_files):
    """calamine reads a BIFF error as an empty cell: the FORMULA record's cached result says
    #DIV/0!, as the sheet XML does for .xlsx (validation reports it on its cell)."""
    ret = read_file(lo_files["errors"], mini_def)
    assert ret.problems == [], codes(ret)
    cell = ret.cells["don_tiep_nhan"]
    assert (cell.error, cell.value) == ("#DIV/0!", None)
    assert ret.cells["tiep_dan_buoi"].error is None and ret.cells["tiep_dan_buoi"].value is not None


@pytest.mark.parametrize("name", ["WORKBOOK", "BOOK", "book", "wOrKbOoK"])
def test_workbook_stream_named_in_any_case_is_read(mini_def, base_return, lo_files, tmp_path, name):
    _, values = base_return
    path = mc.ole_renamed(lo_files["plain"], tmp_path / "a.xls", "Workbook", name)
    before = path.read_bytes()
    ret = read_file(path, mini_def)
    assert ret.format == "xls" and ret.located_by == "names"
    assert ret.problems == [], codes(ret)
    assert_values(ret, values, layout_for(mini_def))
    assert path.read_bytes() == before  # the input is never modified


# --- called what it is --------------------------------------------------------------


def test_password_protected_xls_is_encrypted(mini_def, lo_files):
    assert codes(read_file(lo_files["encrypted"], mini_def)) == ["file-encrypted"]


def test_truncated_xls_is_corrupt(mini_def, lo_files, tmp_path):
    data = lo_files["plain"].read_bytes()
    for size in (512, 600, 4096, len(data) // 4, len(data) // 2, 3 * len(data) // 4, len(data) - 1024):
        path = tmp_path / f"cut{size}.xls"
        path.write_bytes(data[:size])
        ret = read_file(path, mini_def)
        assert codes(ret) == ["file-corrupt"] and not ret.readable, (size, codes(ret))


def _fat_entry(path, target, sector: int, value: int):
    data = bytearray(path.read_bytes())
    fat_sector = struct.unpack_from("<I", data, 76)[0]  # the first FAT sector (header DIFAT)
    struct.pack_into("<I", data, (fat_sector + 1) * 512 + 4 * sector, value)
    target.write_bytes(bytes(data))
    return target


def _workbook_start(path) -> int:
    return struct.unpack_from("<I", path.read_bytes(), mc.ole_entry_offset(path, "Workbook") + 116)[0]


def _records_edited(kind: int, edit):
    def apply(stream: bytes) -> bytes:
        out = bytearray(stream)
        for found, pos, length in mc.biff_records(stream):
            if found == kind:
                edit(out, pos, length)
        return bytes(out)

    return apply


def _garble_name(out: bytearray, pos: int, length: int) -> None:
    out[pos + 7] = 0xFF  # name length
    out[pos + 8 : pos + 10] = b"\xff\x7f"  # formula length


def _no_eof(out: bytearray, pos: int, length: int) -> None:
    out[pos : pos + 2] = b"\x3c\x00"  # EOF -> CONTINUE


def _sheet_past_end(out: bytearray, pos: int, length: int) -> None:
    out[pos + 4 : pos + 8] = struct.pack("<I", len(out) + 4096)  # BOUNDSHEET: where the sheet's BOF is


def _rows_upside_down(out: bytearray, pos: int, length: int) -> None:
    out[pos + 4 : pos + 12] = struct.pack("<II", 40, 2)  # DIMENSIONS: first row 40, last row 2


DAMAGE = {
    "fat-loop": lambda src, dst: _fat_entry(src, dst, _workbook_start(src) + 8, _workbook_start(src)),
    "fat-chain-ends-early": lambda src, dst: _fat_entry(src, dst, _workbook_start(src) + 1, 0xFFFFFFFE),
    "fat-points-past-end": lambda src, dst: _fat_entry(src, dst, _workbook_start(src) + 1, 10**6),
    "stream-larger-than-file": lambda src, dst: mc.ole_stream_size(src, dst, "Workbook", 0x7FFFFFFF),
    "no-bof": lambda src, dst: mc.ole_stream_edited(src, dst, "Workbook", lambda s: b"\0\0" + s[2:]),
    "globals-without-eof": lambda src, dst: mc.ole_stream_edited(src, dst, "Workbook", _records_edited(0x0A, _no_eof)),
    "dimensions-upside-down": lambda src, dst: mc.ole_stream_edited(src, dst, "Workbook",
                                                                    _records_edited(0x200, _rows_upside_down)),
    "sheet-past-end": lambda src, dst: mc.ole_stream_edited(src, dst, "Workbook",
                                                            _records_edited(0x85, _sheet_past_end)),
    "name-record-garbled": lambda src, dst: mc.ole_stream_edited(src, dst, "Workbook",
                                                                 _records_edited(0x18, _garble_name)),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_xls_is_corrupt(mini_def, lo_files, tmp_path, damage):
    ret = read_file(DAMAGE[damage](lo_files["plain"], tmp_path / "a.xls"), mini_def)
    assert codes(ret) == ["file-corrupt"] and not ret.readable


@pytest.mark.parametrize("streams", [
    {"WordDocument": "Book of the year".encode("utf-16-le"), "1Table": b"\0" * 16},  # "Book" in its text
    {"PowerPoint Document": b"\0" * 64, "Current User": b"\0" * 16},
    {"Contents": b"\0" * 64},
])
def test_other_ole_documents_are_not_spreadsheets(mini_def, tmp_path, streams):
    ret = read_file(mc.ole_file(tmp_path / "a.xls", streams), mini_def)
    assert codes(ret) == ["file-not-spreadsheet"]


def test_encrypted_ooxml_stays_encrypted(mini_def, tmp_path):
    """Excel's password-protected .xlsx is an OLE file with EncryptionInfo/EncryptedPackage."""
    assert codes(read_file(mc.ole_encrypted(tmp_path / "a.xlsx"), mini_def)) == ["file-encrypted"]


def test_duplicated_name_in_xls_is_reported(mini_def, lo_files, tmp_path):
    """Two NAME records for one name: never the last one silently (as for .xlsx)."""
    def rename(out: bytearray, pos: int, length: int) -> None:
        at = out.find(b"tiep_dan_buoi", pos, pos + 4 + length)
        if at >= 0:
            out[at : at + 13] = b"don_tiep_nhan"  # same length: the record is unchanged otherwise

    path = mc.ole_stream_edited(lo_files["plain"], tmp_path / "dup.xls", "Workbook", _records_edited(0x18, rename))
    assert "don_tiep_nhan" in read_xls_map(stream_of(path)).duplicates
    ret = read_file(path, mini_def)
    assert ("name-duplicated", "don_tiep_nhan") in [(p.code, p.field_id) for p in ret.problems]
    assert "don_tiep_nhan" not in ret.cells


def test_a_batch_of_xls_costs_each_bad_file_alone(mini_def, base_return, lo_files, tmp_path):
    """In the worker processes of a merge: each file its own code, the good one read."""
    _, values = base_return
    data = lo_files["plain"].read_bytes()
    cut = tmp_path / "cut.xls"
    cut.write_bytes(data[: len(data) // 2])
    paths = [lo_files["plain"], lo_files["encrypted"], cut, DAMAGE["dimensions-upside-down"](lo_files["plain"],
             tmp_path / "dims.xls"), mc.ole_word(tmp_path / "word.xls"), lo_files["row"][".xls"]]
    rets = read_many(paths, mini_def, workers=2)
    assert [codes(r) for r in rets] == [[], ["file-encrypted"], ["file-corrupt"], ["file-corrupt"],
                                        ["file-not-spreadsheet"], []]
    for ret in (rets[0], rets[-1]):
        assert ret.located_by == "names"
        assert_values(ret, values, layout_for(mini_def))


@pytest.mark.parametrize("new", ["Workbopk", "Wxrkbook", "Contents"])
def test_xls_with_a_damaged_stream_name_is_corrupt_not_word(mini_def, lo_files, tmp_path, new):
    """A flipped byte in the workbook entry's name leaves an .xls without a workbook
    stream: its root still says Excel (or the name is one letter off), so it is damaged,
    not a Word document."""
    ret = read_file(mc.ole_renamed(lo_files["plain"], tmp_path / "a.xls", "Workbook", new), mini_def)
    assert codes(ret) == ["file-corrupt"] and not ret.readable


def test_ole_file_one_letter_off_workbook_is_corrupt(mini_def, tmp_path):
    ret = read_file(mc.ole_file(tmp_path / "a.xls", {"Workbok": b"\0" * 64, "Bookk": b"\0" * 64}), mini_def)
    assert codes(ret) == ["file-not-spreadsheet"]  # neither is one letter off in place
    ret = read_file(mc.ole_file(tmp_path / "b.xls", {"Workboak": b"\0" * 64}), mini_def)
    assert codes(ret) == ["file-corrupt"]
