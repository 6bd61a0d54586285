"""Reading returned workbooks: good files, hostile files, isolation. Assertions are on
problem codes and positions, never on message wording."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile

import pytest

from consolidate.definition.layout import layout_for
from consolidate.reading import is_owner_file, isolate, read_file, read_many
from consolidate.reading.guard import Rejected, check_sheet_refs, prolog_verdict
from tests.reading import make_corpus as mc


def codes(ret):
    return [p.code for p in ret.problems]


def same(a, b) -> bool:
    """A written value and what a reader gives back (numbers come back as floats)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, dt.datetime) and isinstance(b, dt.date):
        return a.date() == (b.date() if isinstance(b, dt.datetime) else b)
    if isinstance(b, dt.datetime) and isinstance(a, dt.date):
        return b.date() == a
    return a == b


def assert_values(ret, values, layout):
    for name in layout.cells:
        if name not in values:
            continue
        assert name in ret.cells, name
        assert same(values[name], ret.cells[name].value), (name, values[name], ret.cells[name].value)
    for section_id in layout.tables:
        rows = values.get(section_id) or []
        got = ret.tables[section_id]
        assert len(got) == len(rows)
        for want, row in zip(rows, got, strict=True):
            for col, value in want.items():
                assert same(value, row[col].value), (section_id, col, value, row[col].value)


# --- good files ---------------------------------------------------------------------


def test_good_return_reads_every_named_cell_and_table(mini_def, base_return):
    path, values = base_return
    ret = read_file(path, mini_def, display_name="về/tệp.xlsx")
    layout = layout_for(mini_def)
    assert ret.problems == []
    assert ret.file == "về/tệp.xlsx"
    assert ret.format == "xlsx" and ret.located_by == "names"
    assert len(ret.sha256) == 64 and ret.size == path.stat().st_size
    assert ret.meta["report_id"] == mini_def.id
    assert ret.meta["fingerprint"] == layout.fingerprint
    assert ret.meta["definition_version"] == str(mini_def.version)
    assert_values(ret, values, layout)
    spec = layout.cells["don_tiep_nhan"]
    assert (ret.cells["don_tiep_nhan"].sheet, ret.cells["don_tiep_nhan"].address) == (spec.sheet, spec.address)
    first = ret.tables["mo_hinh"][0]["ten_mo_hinh"]
    table = layout.tables["mo_hinh"]
    assert first.sheet == table.sheet and first.address == f"B{table.header_row + 2}"


def test_blank_template_has_no_table_rows(mini_def, tmp_path):
    from consolidate.template.writer import write_template

    path = write_template(mini_def, mini_def.units[0], mini_def.periods[0], tmp_path / "blank.xlsx")
    ret = read_file(path, mini_def)
    assert ret.problems == []
    assert ret.tables["mo_hinh"] == []
    assert ret.cells["don_tiep_nhan"].value is None


def test_format_is_decided_by_content_not_name(mini_def, base_return, tmp_path):
    path, _ = base_return
    renamed = tmp_path / "bao-cao.ods"
    shutil.copy(path, renamed)
    ret = read_file(renamed, mini_def)
    assert ret.format == "xlsx" and ret.problems == []


def test_owner_files_are_recognised(tmp_path):
    assert is_owner_file(tmp_path / "~$Báo cáo.xlsx")
    assert not is_owner_file(tmp_path / "Báo cáo.xlsx")


def test_row_inserted_above_named_cells_still_reads_right(mini_def, base_return, tmp_path):
    path, values = base_return
    layout = layout_for(mini_def)
    spec = layout.cells["don_tiep_nhan"]
    moved = mc.insert_row(path, tmp_path / "row.xlsx", spec.sheet, spec.row + 1)
    ret = read_file(moved, mini_def)
    assert ret.problems == []
    assert ret.cells["don_tiep_nhan"].address == f"D{spec.row + 2}"
    assert_values(ret, values, layout)


def test_lost_names_fall_back_to_layout_with_warning(mini_def, base_return, tmp_path):
    path, values = base_return
    ret = read_file(mc.strip_names(path, tmp_path / "nonames.xlsx"), mini_def)
    assert codes(ret) == ["names-missing"]
    assert ret.problems[0].severity == "warning"
    assert ret.located_by == "layout"
    assert_values(ret, values, layout_for(mini_def))


def test_lost_names_and_a_row_inserted_is_refused_not_misread(mini_def, base_return, tmp_path):
    """A file that lost its names (read by position): a moved row must not shift every value silently."""
    path, values = base_return
    layout = layout_for(mini_def)
    spec = layout.cells["don_tiep_nhan"]
    moved = mc.insert_row(path, tmp_path / "row.xlsx", spec.sheet, spec.row + 1)
    ret = read_file(mc.strip_names(moved, tmp_path / "row-nonames.xlsx"), mini_def)
    shifted = [p for p in ret.problems if p.code == "layout-shifted"]
    assert [(p.sheet, p.cell, p.field_id) for p in shifted] == [(spec.sheet, f"B{spec.row + 1}", "don_tiep_nhan")]
    assert not any(name in ret.cells for name, c in layout.cells.items() if c.sheet == spec.sheet)
    assert ret.cells["nv01_status"].value == values["nv01_status"]


def test_lost_names_and_other_layout_is_not_guessed(mini_def, base_return, tmp_path):
    path, _ = base_return
    stripped = mc.strip_names(path, tmp_path / "nonames.xlsx")
    fp = layout_for(mini_def).fingerprint
    other = mc.rewrite(stripped, tmp_path / "other.xlsx", lambda n, d: d.replace(fp.encode(), b"0" * 16))
    ret = read_file(other, mini_def)
    assert "layout-mismatch" in codes(ret)
    assert ret.cells == {}


def test_one_deleted_name_is_reported_at_its_field(mini_def, base_return, tmp_path):
    path, _ = base_return

    def edit(name, data):
        if name == "xl/workbook.xml":
            return data.replace(b'name="muc_do">', b'name="muc_do">#REF!<x/>').replace(b"<x/>", b"")
        return data

    broken = mc.rewrite(path, tmp_path / "ref.xlsx", edit)
    ret = read_file(broken, mini_def)
    assert [(p.code, p.field_id) for p in ret.problems] == [("name-broken", "muc_do")]
    assert "muc_do" not in ret.cells and "co_quy_che" in ret.cells


def test_error_cells_and_formulas_without_value(mini_def, base_return, tmp_path):
    path, _ = base_return
    layout = layout_for(mini_def)
    err, fml = layout.cells["don_tiep_nhan"].address, layout.cells["don_giai_quyet"].address
    ret = read_file(mc.error_and_formula(path, tmp_path / "err.xlsx", err, fml), mini_def)
    assert ret.problems == []
    assert ret.cells["don_tiep_nhan"].error == "#DIV/0!"
    assert ret.cells["don_tiep_nhan"].value is None
    assert ret.cells["don_giai_quyet"].formula_without_value
    assert ret.cells["tiep_dan_buoi"].error is None


def test_huge_string_and_control_characters_are_kept(mini_def, tmp_path):
    huge = "Khó khăn " * 11_111 + "x"  # 100,000 characters
    decomposed = "Đề xuất tập huấn\x07\x1f".replace("ề", "e\u0302\u0300")
    path = tmp_path / "text.xlsx"
    mc.good(mini_def, path, kho_khan=huge[:32_000], de_xuat=decomposed)
    ret = read_file(path, mini_def)
    assert ret.cells["kho_khan"].value == huge[:32_000]
    assert ret.cells["de_xuat"].value == "Đề xuất tập huấn\x07\x1f"  # NFC, control chars kept


def test_100000_char_shared_string_is_read_whole(mini_def, base_return, tmp_path):
    path, _ = base_return
    long = "a" * 100_000
    spec = layout_for(mini_def).cells["de_xuat"]
    member = mc.sheet_member(path, spec.sheet)

    def edit(name, data):
        if name == member:
            import re

            return re.sub(
                rf'<c r="{spec.address}"[^>]*?(/>|>.*?</c>)'.encode(),
                f'<c r="{spec.address}" t="inlineStr"><is><t>{long}</t></is></c>'.encode(), data, count=1, flags=re.S,
            )
        return data

    ret = read_file(mc.rewrite(path, tmp_path / "long.xlsx", edit), mini_def)
    assert ret.problems == []
    assert ret.cells["de_xuat"].value == long


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A1:A1"])
def test_lying_dimension_changes_nothing(mini_def, base_return, tmp_path, ref):
    path, values = base_return
    ret = read_file(mc.lying_dimension(path, tmp_path / "dim.xlsx", ref), mini_def)
    assert ret.problems == []
    assert_values(ret, values, layout_for(mini_def))


# --- hostile files ------------------------------------------------------------------


def test_empty_file(mini_def, tmp_path):
    ret = read_file(mc.empty(tmp_path / "a.xlsx"), mini_def)
    assert codes(ret) == ["file-empty"] and not ret.readable and ret.size == 0


def test_missing_file_does_not_raise(mini_def, tmp_path):
    assert codes(read_file(tmp_path / "none.xlsx", mini_def)) == ["file-unreadable"]


def test_text_renamed_xlsx(mini_def, tmp_path):
    ret = read_file(mc.text_renamed(tmp_path / "a.xlsx"), mini_def)
    assert codes(ret) == ["file-not-spreadsheet"] and ret.format == "" and len(ret.sha256) == 64


@pytest.mark.parametrize("builder", [mc.truncated, mc.corrupt_zip])
def test_truncated_and_corrupt_zip(mini_def, base_return, tmp_path, builder):
    ret = read_file(builder(base_return[0], tmp_path / "a.xlsx"), mini_def)
    assert codes(ret) == ["file-corrupt"] and not ret.readable


def test_encrypted_ooxml_in_ole(mini_def, tmp_path):
    ret = read_file(mc.ole_encrypted(tmp_path / "a.xlsx"), mini_def)
    assert codes(ret) == ["file-encrypted"]


def test_ole_that_is_not_a_workbook(mini_def, tmp_path):
    assert codes(read_file(mc.ole_word(tmp_path / "a.xls"), mini_def)) == ["file-not-spreadsheet"]


def test_docx_renamed_xlsx(mini_def, tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="x"><Override PartName="/word/document.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w/>")
    assert codes(read_file(path, mini_def)) == ["file-not-spreadsheet"]


def test_zip_bomb_rejected_from_the_directory(mini_def, base_return, tmp_path):
    import time

    bomb = mc.zip_bomb(base_return[0], tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2_000_000
    start = time.perf_counter()
    ret = read_file(bomb, mini_def)
    assert time.perf_counter() - start < 0.5
    assert codes(ret) == ["file-zip-bomb"]


def test_too_large_file(mini_def, tmp_path, monkeypatch):
    from consolidate.reading import guard

    monkeypatch.setattr(guard, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    ret = read_file(path, mini_def)
    assert codes(ret) == ["file-too-large"] and ret.sha256


def test_doctype_entities_rejected(mini_def, base_return, tmp_path):
    ret = read_file(mc.doctype_entities(base_return[0], tmp_path / "e.xlsx"), mini_def)
    assert codes(ret) == ["file-xml-entities"]


def test_prolog_verdicts():
    assert prolog_verdict(b'<?xml version="1.0"?>\n<workbook>') is False
    assert prolog_verdict(b"<?xml version='1.0'?><!-- x --><!DOCTYPE a>") is True
    assert prolog_verdict(b"<?xml version='1.0'?><!-- long comment") is None
    assert prolog_verdict('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a>'.encode("utf-16")) is True


def test_xlsm_values_read_macros_warned(mini_def, base_return, tmp_path):
    path, values = base_return

    def edit(name, data):
        if name == "[Content_Types].xml":
            return data.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        return data

    xlsm = mc.rewrite(path, tmp_path / "m.xlsm", edit)
    with zipfile.ZipFile(xlsm, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    ret = read_file(xlsm, mini_def)
    assert ret.format == "xlsm"
    assert [(p.code, p.severity) for p in ret.problems] == [("file-macros-ignored", "warning")]
    assert_values(ret, values, layout_for(mini_def))


def test_missing_meta_leaves_meta_empty(mini_def, base_return, tmp_path):
    path, _ = base_return
    member = mc.sheet_member(path, "_meta")

    def edit(name, data):
        if name == "xl/workbook.xml":
            import re

            return re.sub(rb'<sheet name="_meta"[^>]*/>', b"", data)
        return None if name == member else data

    ret = read_file(mc.rewrite(path, tmp_path / "nometa.xlsx", edit), mini_def)
    assert ret.meta == {}  # validation reports meta-missing
    assert ret.cells["don_tiep_nhan"].value is not None


def test_sheet_ref_guard():
    check_sheet_refs(b'<sheetData><row r="5"><c r="D5"><v>1</v></c></row></sheetData>', "s")
    for xml, code in [
        (b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "file-too-large"),
        (b'<row r="1"><c r="ZZZZZ99999999"><v>1</v></c></row>', "file-corrupt"),
        (b"<row r='1'><c r='XFD1'><v>1</v></c></row>", "file-too-large"),
        (b'<row r="1"><c\nr="XFD1"><v>1</v></c></row>', "file-too-large"),
        (b'<row r="1"><c r="AAA1"/></row>' + b'<row r="99999"><c r="AA99999"/></row>', "file-too-large"),
    ]:
        with pytest.raises(Rejected) as info:
            check_sheet_refs(xml, "s")
        assert info.value.problem.code == code


def test_far_cell_is_refused_before_calamine_sees_it(mini_def, base_return, tmp_path):
    ret = read_file(mc.cell_at(base_return[0], tmp_path / "far.xlsx", "XFD1048576"), mini_def)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-too-large", mc.FIELDS_SHEET)]
    assert ret.problems[0].cell.endswith("1048576")


# --- batches and isolation ----------------------------------------------------------


def hostile_set(base, folder):
    return [
        mc.empty(folder / "h-empty.xlsx"),
        mc.text_renamed(folder / "h-text.xlsx"),
        mc.truncated(base, folder / "h-trunc.xlsx"),
        mc.corrupt_zip(base, folder / "h-corrupt.xlsx"),
        mc.ole_encrypted(folder / "h-enc.xlsx"),
        mc.doctype_entities(base, folder / "h-doctype.xlsx"),
        mc.cell_at(base, folder / "h-far.xlsx", "XFD1048576"),
        mc.zip_bomb(base, folder / "h-bomb.xlsx", megabytes=30),
    ]


def test_batch_with_hostile_files_matches_clean_batch(mini_def, base_return, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    goods = []
    for i in range(100):
        path = folder / f"g{i:03d}.xlsx"
        if i % 10 == 0:
            mc.good(mini_def, path, seed=i, unit_index=i)
        else:
            shutil.copy(folder / f"g{i - i % 10:03d}.xlsx", path)
        goods.append(path)
    hostile = hostile_set(base_return[0], folder)
    mixed = goods[:50] + hostile + goods[50:]
    clean = read_many(goods, mini_def, workers=2)
    dirty = read_many(mixed, mini_def, workers=2)
    assert [r.file for r in dirty] == [str(p) for p in mixed]
    by_file = {r.file: r for r in dirty}
    for ret in clean:
        other = by_file[ret.file]
        assert other.problems == [] and ret.problems == []
        assert (other.meta, other.cells, other.tables, other.sha256) == (ret.meta, ret.cells, ret.tables, ret.sha256)
    assert [codes(by_file[str(p)]) for p in hostile] == [
        ["file-empty"], ["file-not-spreadsheet"], ["file-corrupt"], ["file-corrupt"], ["file-encrypted"],
        ["file-xml-entities"], ["file-too-large"], ["file-zip-bomb"],
    ]


def test_read_many_display_names_and_order(mini_def, base_return, tmp_path):
    path, _ = base_return
    rets = read_many([path, tmp_path / "missing.xlsx", path], mini_def, workers=2, display_names=["a", "b", "c"])
    assert [r.file for r in rets] == ["a", "b", "c"]
    assert [codes(r) for r in rets] == [[], ["file-unreadable"], []]
    assert read_many([], mini_def) == []


@pytest.mark.skipif(isolate._context().get_start_method() != "fork", reason="needs fork to switch the guard off in workers")
def test_REAL_CALAMINE_ABORT_costs_only_that_file(mini_def, base_return, tmp_path, monkeypatch):
    """This really crashes python-calamine (SIGABRT) in a worker: the guard that would refuse
    the file is switched off, so only process isolation stands between it and the batch."""
    from consolidate.reading import guard

    monkeypatch.setattr(guard, "check_sheet_refs", lambda xml, sheet: None)
    path, _ = base_return
    crash = mc.cell_at(path, tmp_path / "crash.xlsx", "XFD1048576")
    files = [path] * 5 + [crash] + [path] * 5
    rets = read_many(files, mini_def, workers=2, chunk_size=3, memory_limit=None)
    # python-calamine 0.9 aborts here; should a later release refuse the file cleanly instead,
    # the batch must still go on with one located error for it
    assert [codes(r) for r in rets[:5] + rets[6:]] == [[]] * 10
    assert len(codes(rets[5])) == 1 and codes(rets[5])[0] in {"file-reader-crashed", "file-corrupt", "file-too-large"}
    assert rets[5].sha256 and rets[5].size == crash.stat().st_size
    assert rets[0].cells == rets[10].cells


@pytest.mark.skipif(isolate._context().get_start_method() != "fork", reason="needs fork to patch the worker")
def test_a_worker_that_aborts_costs_only_its_file(mini_def, base_return, monkeypatch):
    """Whatever the reader's version: a process abort (SIGABRT) in a worker is one file's problem."""
    import os

    real = isolate.read_file

    def abort_on(path, definition, name, **kwargs):
        if name == "abort":
            os.abort()
        return real(path, definition, name, **kwargs)

    monkeypatch.setattr(isolate, "read_file", abort_on)
    path, _ = base_return
    names = [f"ok{i}" for i in range(4)] + ["abort"] + [f"ok{i}" for i in range(4, 8)]
    rets = read_many([path] * 9, mini_def, workers=2, chunk_size=2, display_names=names)
    assert [codes(r) for r in rets] == [[]] * 4 + [["file-reader-crashed"]] + [[]] * 4
    assert rets[4].file == "abort" and rets[4].problems[0].note == "SIGABRT"


@pytest.mark.skipif(isolate._context().get_start_method() != "fork", reason="needs fork to patch the worker")
def test_stuck_file_times_out_and_batch_goes_on(mini_def, base_return, tmp_path, monkeypatch):
    import time

    real = isolate.read_file

    def slow(path, definition, name, **kwargs):
        if name == "slow":
            time.sleep(30)
        return real(path, definition, name, **kwargs)

    monkeypatch.setattr(isolate, "read_file", slow)
    path, _ = base_return
    rets = read_many([path] * 4, mini_def, workers=2, display_names=["a", "slow", "c", "d"], timeout=1.0, chunk_size=2)
    assert [codes(r) for r in rets] == [[], ["file-read-timeout"], [], []]


# --- LibreOffice round trip ---------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")
def test_libreoffice_round_trip_reads_the_same_values(mini_def, base_return, tmp_path):
    path, values = base_return
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(path, src / "ret.xlsx")
    layout = layout_for(mini_def)
    for fmt in ("ods", "xls", "xlsx"):
        out = tmp_path / fmt
        subprocess.run(
            [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", fmt,
             "--outdir", str(out), str(src / "ret.xlsx")],
            check=True, capture_output=True, timeout=180,
        )
        ret = read_file(out / f"ret.{fmt}", mini_def)
        assert ret.format == fmt
        # .xls too: its BIFF NAME records are read (issue 15), no names-missing
        assert ret.problems == [] and ret.located_by == "names", codes(ret)
        assert ret.meta["fingerprint"] == layout.fingerprint
        assert_values(ret, values, layout)


def test_reader_panic_costs_only_the_file_in_process(mini_def, base_return, monkeypatch):
    """calamine's PanicException derives from BaseException: `merge --workers 0` reads in
    process, and a panic there must still be one problem of that file."""
    import python_calamine

    from consolidate.reading import read_file

    class PanicException(BaseException):
        pass

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", panic)
    ret = read_file(base_return[0], mini_def)
    assert [p.code for p in ret.problems] == ["file-corrupt"] and not ret.cells
